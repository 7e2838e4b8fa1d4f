//! Row scopes: TYP clienthood, own-agency records, consent-based disclosure, coach placement,
//! and the same answer for unknown and out-of-scope ids.

use serde_json::json;

use crate::on_both;

const DETAILS: &str =
    "query D($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { conclusion details } } }";

on_both! {
    async fn a_consent_naming_kela_and_health_discloses_details_until_it_is_withdrawn(app) {
        let kela = app.token_for("KELA_EXPERT");
        let (_, body) = app.gql(&kela, DETAILS, json!({ "c": app.fx.shared })).await;
        assert_eq!(body["data"]["caseView"]["workAbilityAssessments"][0]["details"], "Back strain", "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let disclosed = app
            .count(&format!(
                "SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}' AND recipient_agency = 'KELA' AND field_group = 'HEALTH' AND consent_id = '{}'",
                app.fx.shared, app.fx.kela_health_consent
            ))
            .await;
        assert_eq!(disclosed, 1);

        app.exec(&format!(
            "UPDATE consent SET withdrawn_on = '{}' WHERE id = '{}'",
            app.fx.today.format("%Y-%m-%d"),
            app.fx.kela_health_consent
        ))
        .await;
        let (_, body) = app.gql(&kela, DETAILS, json!({ "c": app.fx.shared })).await;
        let assessment = &body["data"]["caseView"]["workAbilityAssessments"][0];
        assert_eq!(assessment["conclusion"], "Part-time", "{body}");
        assert!(assessment["details"].is_null(), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
        assert_eq!(body["errors"][0]["extensions"]["reason"], "NO_CONSENT");
        let disclosed_after = app.count(&format!("SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}'", app.fx.shared)).await;
        assert_eq!(disclosed_after, 1, "no disclosure without a consent");
    }
}

on_both! {
    async fn a_responsible_officer_without_consent_gets_no_health_details(app) {
        let (_, body) = app.gql(&app.token_for("TYP_OFFICER"), DETAILS, json!({ "c": app.fx.shared })).await;
        assert!(body["data"]["caseView"]["workAbilityAssessments"][0]["details"].is_null());
        assert_eq!(body["errors"][0]["extensions"]["reason"], "NO_CONSENT");
        assert_eq!(body["errors"][0]["path"], json!(["caseView", "workAbilityAssessments", 0, "details"]));
    }
}

on_both! {
    async fn a_client_outside_typ_shows_each_agency_only_its_own_records(app) {
        let q = "query O($c: ID!) { caseView(clientId: $c) { client { firstName } typCase { phase } workAbilityAssessments { conclusion } benefits { benefitKind } notes { body } } }";
        let vars = json!({ "c": app.fx.own_only });
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, vars.clone()).await;
        let cv = &kela["data"]["caseView"];
        assert_eq!(cv["client"]["firstName"], "Eero", "{kela}");
        assert_eq!(cv["benefits"].as_array().unwrap().len(), 1, "{kela}");
        assert_eq!(cv["workAbilityAssessments"], json!([]), "the county's assessment is not Kela's: {kela}");
        assert_eq!(cv["notes"], json!([{ "body": "Kela's own note" }]));
        assert!(cv["typCase"].is_null());
        let reasons: Vec<&str> = kela["errors"].as_array().unwrap().iter().map(|e| e["extensions"]["reason"].as_str().unwrap_or("")).collect();
        assert_eq!(reasons, vec!["OUT_OF_SCOPE"], "{kela}");

        let (_, county) = app.gql(&app.token_for("EKSOTE_WORKER"), "query O($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { conclusion } notes { body } } }", vars.clone()).await;
        assert_eq!(county["data"]["caseView"]["workAbilityAssessments"].as_array().unwrap().len(), 1, "{county}");
        assert_eq!(county["data"]["caseView"]["notes"], json!([]), "Kela's note stays with Kela: {county}");

        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), "query O($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { conclusion } benefits { benefitKind } } }", vars).await;
        assert_eq!(te["data"]["caseView"]["workAbilityAssessments"], json!([]), "{te}");
        assert_eq!(te["data"]["caseView"]["benefits"], json!([]), "{te}");
    }
}

on_both! {
    async fn a_client_an_agency_has_no_record_of_is_the_same_as_a_missing_one(app) {
        // Registered by the county, no TYP case, nothing recorded by the employment authority.
        app.exec(&format!(
            "INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) \
             VALUES ('c-county', '040490-9046', 'Oona', 'Mallila', 'EKSOTE', 1, '{0}', '{0}')",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
        ))
        .await;
        let te = app.token_for("TE_EXPERT");
        let q = "query C($c: ID!) { client(id: $c) { id firstName } caseView(clientId: $c) { client { id } } }";
        let (_, hidden) = app.gql(&te, q, json!({ "c": "c-county" })).await;
        let (_, missing) = app.gql(&te, q, json!({ "c": "c-no-such-client" })).await;
        assert_eq!(hidden, missing);
        assert_eq!(hidden, json!({ "data": { "client": null, "caseView": null } }));
        let (_, county) = app.gql(&app.token_for("EKSOTE_WORKER"), q, json!({ "c": "c-county" })).await;
        assert_eq!(county["data"]["client"]["firstName"], "Oona");
    }
}

on_both! {
    async fn a_coach_sees_only_placements_at_its_own_provider(app) {
        let q = "query P($c: ID!) { caseView(clientId: $c) { client { firstName phone } rehabPeriods { provider { id } attendance { date } } } }";
        let p1 = app.token_for("PROVIDER_COACH");
        let p2 = app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]);
        let (_, own) = app.gql(&p1, q, json!({ "c": app.fx.shared })).await;
        let periods = own["data"]["caseView"]["rehabPeriods"].as_array().unwrap();
        assert_eq!(periods.len(), 1, "{own}");
        assert_eq!(periods[0]["provider"]["id"], app.fx.p1);
        assert_eq!(periods[0]["attendance"].as_array().unwrap().len(), 2);
        let (_, other) = app.gql(&p1, q, json!({ "c": app.fx.other_placement })).await;
        let (_, missing) = app.gql(&p1, q, json!({ "c": "no-such-client" })).await;
        assert_eq!(other, missing, "out of scope and missing answer alike");
        assert!(other["data"]["caseView"].is_null());
        let (_, second) = app.gql(&p2, q, json!({ "c": app.fx.other_placement })).await;
        assert_eq!(second["data"]["caseView"]["rehabPeriods"][0]["provider"]["id"], app.fx.p2);
        let (_, list) = app.gql(&p1, "{ clients(first: 100) { edges { node { id } } } }", json!({})).await;
        let ids: Vec<&str> = list["data"]["clients"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![app.fx.shared.as_str()], "{list}");
    }
}

on_both! {
    async fn aliases_sweeping_ids_answer_unknown_and_out_of_scope_alike(app) {
        let p1 = app.token_for("PROVIDER_COACH");
        let q = "query S($a: ID!, $b: ID!) { a: client(id: $a) { id firstName } b: client(id: $b) { id firstName } }";
        let (_, body) = app.gql(&p1, q, json!({ "a": app.fx.other_placement, "b": "00000000-0000-4000-8000-000000000000" })).await;
        assert_eq!(body, json!({ "data": { "a": null, "b": null } }));
    }
}

on_both! {
    async fn name_search_is_scoped_and_treats_wildcards_literally(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query S($s: String) { clients(search: $s, first: 10) { edges { node { firstName } } } }";
        let (_, body) = app.gql(&te, q, json!({ "s": "aino" })).await;
        assert_eq!(body["data"]["clients"]["edges"], json!([{ "node": { "firstName": "Aino" } }]), "{body}");
        let (_, wild) = app.gql(&te, q, json!({ "s": "%" })).await;
        assert_eq!(wild["data"]["clients"]["edges"], json!([]), "{wild}");
        let (_, injection) = app.gql(&te, q, json!({ "s": "' OR 1=1 --" })).await;
        assert_eq!(injection["data"]["clients"]["edges"], json!([]), "{injection}");
    }
}
