//! The client's own access log says on what basis each access processed their data (act
//! 703/2023 § 11): TYP clienthood, the agency's own records, the placement at a provider,
//! break-glass; disclosures with their consent or legal section and the disclosing agency;
//! UNRECORDED for rows logged before the basis was.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const MY_LOG: &str = "{ myAccessLog(first: 50) { entries { agency action basis purpose disclosures { dataGroup basis consentId legalSection recipientAgency recipientName disclosingAgency } } } }";

async fn my_log(app: &TestApp, client: &str) -> Vec<Json> {
    let (_, log) = app
        .gql(&app.token(client, &["CLIENT"]), MY_LOG, json!({}))
        .await;
    assert!(log.get("errors").is_none(), "{log}");
    log["data"]["myAccessLog"]["entries"]
        .as_array()
        .unwrap()
        .clone()
}

/// The entry whose purpose (operation) is `purpose`.
fn entry<'a>(entries: &'a [Json], purpose: &str) -> &'a Json {
    entries
        .iter()
        .find(|e| e["purpose"] == purpose)
        .unwrap_or_else(|| panic!("no {purpose} in {entries:?}"))
}

on_both! {
    async fn each_entry_names_the_scope_that_admitted_the_access(app) {
        // The employment authority reads a TYP client; Kela reads the county's health data
        // under the client's consent; the coach reads the placement.
        let view = "query TypRead($c: ID!) { caseView(clientId: $c) { client { firstName } } }";
        let (_, b) = app.gql(&app.token_for("TE_EXPERT"), view, json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let (_, b) = app.gql(&app.token_for("KELA_EXPERT"), "query HealthRead($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let (_, b) = app.gql(&app.token_for("PROVIDER_COACH"), "query CoachRead($c: ID!) { client(id: $c) { firstName } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let entries = my_log(&app, &app.fx.shared).await;
        assert_eq!(entry(&entries, "caseView").get("basis"), Some(&json!("TYP_CLIENTHOOD")));
        let kela = entries.iter().find(|e| e["agency"] == "KELA").unwrap();
        assert_eq!(kela["basis"], "TYP_CLIENTHOOD");
        assert_eq!(
            kela["disclosures"],
            json!([{
                "dataGroup": "HEALTH", "basis": "CONSENT", "consentId": app.fx.kela_health_consent,
                "legalSection": null, "recipientAgency": "KELA", "recipientName": null,
                "disclosingAgency": "EKSOTE",
            }])
        );
        assert_eq!(entry(&entries, "client")["basis"], "PROVIDER_PLACEMENT");

        // A client who is no TYP client: the employment authority sees its own record only.
        let (_, b) = app.gql(&app.token_for("TE_EXPERT"), "query OwnRead($c: ID!) { client(id: $c) { firstName } }", json!({ "c": app.fx.own_only })).await;
        assert!(!b["data"]["client"].is_null(), "{b}");
        let entries = my_log(&app, &app.fx.own_only).await;
        assert_eq!(entry(&entries, "client")["basis"], "OWN_RECORD", "{entries:?}");
    }
}

on_both! {
    async fn old_rows_say_unrecorded_or_break_glass_and_statutory_disclosures_name_their_section(app) {
        let eksote = app.fx.official("EKSOTE_WORKER").to_owned();
        let te = app.fx.official("TE_EXPERT").to_owned();
        let client = app.fx.shared.clone();
        let at = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S%:z");
        let row = |operation: &str, official: &str, agency: &str| {
            format!("INSERT INTO access_log (at, official_id, agency, roles, client_id, action, field_groups, operation, reason) VALUES ('{at}', '{official}', '{agency}', 'X', '{client}', 'READ', 'CASE', '{operation}', 'Old')")
        };
        // Logged before the basis was recorded: nothing to derive it from.
        app.exec(&row("oldRead", &eksote, "EKSOTE")).await;
        // Logged before, under a break-glass grant: that much is on record.
        app.exec(&row("oldUrgentRead", &eksote, "EKSOTE")).await;
        let urgent = app.count("SELECT MAX(id) FROM access_log_entry").await;
        app.exec(&format!("INSERT INTO break_glass (id, official_id, agency, roles, client_id, reason, opened_at, expires_at, review_status) VALUES ('g1', '{eksote}', 'EKSOTE', 'EKSOTE_WORKER', '{client}', 'An urgent situation at the placement', '{at}', '2999-01-01 00:00:00+00:00', 'OPEN')")).await;
        app.exec(&format!("INSERT INTO break_glass_access (access_log_id, break_glass_id) VALUES ({urgent}, 'g1')")).await;
        // A statutory disclosure by the employment authority to an unemployment fund.
        app.exec(&row("statement", &te, "TE")).await;
        let statement = app.count("SELECT MAX(id) FROM access_log_entry").await;
        app.exec(&format!("INSERT INTO disclosure_log (access_log_id, client_id, basis, recipient_name, disclosing_agency, field_group, legal_section) VALUES ({statement}, '{client}', 'STATUTORY', 'Testialan työttömyyskassa', 'TE', 'BENEFIT', '1290/2002 ch. 11 s. 4')")).await;

        let entries = my_log(&app, &client).await;
        assert_eq!(entry(&entries, "oldRead")["basis"], "UNRECORDED");
        assert_eq!(entry(&entries, "oldUrgentRead")["basis"], "BREAK_GLASS");
        assert_eq!(
            entry(&entries, "statement")["disclosures"],
            json!([{
                "dataGroup": "BENEFIT", "basis": "STATUTORY", "consentId": null,
                "legalSection": "1290/2002 ch. 11 s. 4", "recipientAgency": null,
                "recipientName": "Testialan työttömyyskassa", "disclosingAgency": "TE",
            }])
        );
    }
}
