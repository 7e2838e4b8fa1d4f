//! The client's own view: a CLIENT token reads its own case and its access log, withdraws its
//! own consents, and reaches nothing else by any path.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const MY_CASE: &str = "{ myCase { firstName lastName typCase { phase openedOn responsibleAgency responsibleOfficer plan { goals agreedActions { what who dueOn } } } rehabPeriods { place startsOn days(last: 5) { day present } } allowances { month kind days amountCents } upcomingMeetings { scheduledAt agencies } consents { id kind recipientAgency dataGroups inForce } } }";

const MY_LOG: &str = "query Log($after: String) { myAccessLog(first: 50, after: $after) { entries { at agency roles official action dataGroups purpose disclosures { dataGroup consentId } } hasNextPage endCursor } }";

fn client_token(app: &TestApp, client: &str) -> String {
    app.token(client, &["CLIENT"])
}

fn code(body: &Json) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

on_both! {
    async fn a_client_reads_their_own_case_as_the_agencies_recorded_it(app) {
        let me = client_token(&app, &app.fx.shared);
        let (status, mine) = app.gql(&me, MY_CASE, json!({})).await;
        assert_eq!(status, 200, "{mine}");
        assert!(mine.get("errors").is_none(), "{mine}");
        let my = &mine["data"]["myCase"];
        // The same facts an official of the case team reads.
        let (_, seen) = app.gql(&app.token_for("TYP_OFFICER"), "query V($c: ID!) { caseView(clientId: $c) { client { firstName lastName } typCase { phase openedOn } plan { agreedActions { description dueOn } } rehabPeriods { startsOn } consents { id } } }", json!({ "c": app.fx.shared })).await;
        let view = &seen["data"]["caseView"];
        assert_eq!(my["firstName"], view["client"]["firstName"], "{seen}");
        assert_eq!(my["lastName"], view["client"]["lastName"]);
        assert_eq!(my["typCase"]["phase"], view["typCase"]["phase"]);
        assert_eq!(my["typCase"]["openedOn"], view["typCase"]["openedOn"]);
        let whats: Vec<&Json> = my["typCase"]["plan"]["agreedActions"].as_array().unwrap().iter().map(|a| &a["what"]).collect();
        let descriptions: Vec<&Json> = view["plan"]["agreedActions"].as_array().unwrap().iter().map(|a| &a["description"]).collect();
        assert_eq!(whats, descriptions);
        assert!(!whats.is_empty());
        assert_eq!(my["rehabPeriods"].as_array().unwrap().len(), view["rehabPeriods"].as_array().unwrap().len());
        let mut my_consents: Vec<&Json> = my["consents"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
        let mut their_consents: Vec<&Json> = view["consents"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
        my_consents.sort_by_key(|v| v.to_string());
        their_consents.sort_by_key(|v| v.to_string());
        assert_eq!(my_consents, their_consents);
        assert!(my_consents.contains(&&json!(app.fx.kela_health_consent)));
        assert!(my["upcomingMeetings"].as_array().unwrap().iter().all(|m| m["scheduledAt"].is_string()));

        // The client's own read is logged, in the client's own log.
        let rows = app.count(&format!("SELECT COUNT(*) FROM client_access_log WHERE client_id = '{}' AND action = 'READ' AND operation = 'myCase'", app.fx.shared)).await;
        assert_eq!(rows, 1);
    }
}

on_both! {
    async fn a_client_sees_who_read_their_data_and_under_which_consent(app) {
        let te = app.token_for("TE_EXPERT");
        let kela = app.token_for("KELA_EXPERT");
        let q = "query PrepareMeeting($c: ID!) { caseView(clientId: $c) { client { firstName } } }";
        let (_, b) = app.gql(&te, q, json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let (_, b) = app.gql(&kela, "query H($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        // Another client's read never shows in this client's log.
        let (_, b) = app.gql(&te, q, json!({ "c": app.fx.other_placement })).await;
        assert!(b.get("errors").is_none(), "{b}");
        // A row older than the two years is not shown.
        let official = app.fx.official("EKSOTE_WORKER");
        let old = (chrono::Utc::now() - chrono::Duration::days(2 * 366)).format("%Y-%m-%d %H:%M:%S%:z");
        app.exec(&format!("INSERT INTO access_log (at, official_id, agency, roles, client_id, action, field_groups, operation, reason) VALUES ('{old}', '{official}', 'EKSOTE', 'EKSOTE_WORKER', '{}', 'READ', 'SOCIAL', 'caseView', 'Old')", app.fx.shared)).await;

        let (_, log) = app.gql(&client_token(&app, &app.fx.shared), MY_LOG, json!({})).await;
        assert!(log.get("errors").is_none(), "{log}");
        let entries = log["data"]["myAccessLog"]["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2, "{log}");
        let kela_row = &entries[0];
        assert_eq!(kela_row["agency"], "KELA");
        assert_eq!(kela_row["roles"], json!(["KELA_EXPERT"]));
        assert_eq!(kela_row["official"].as_str().map(|s| !s.is_empty()), Some(true), "{log}");
        assert_eq!(kela_row["disclosures"], json!([{ "dataGroup": "HEALTH", "consentId": app.fx.kela_health_consent }]));
        let te_row = &entries[1];
        assert_eq!(te_row["agency"], "TE");
        assert_eq!(te_row["action"], "READ");
        assert_eq!(te_row["dataGroups"], json!(["CONTACT"]));
        assert_eq!(te_row["purpose"], "caseView");
        assert!(!log.to_string().contains(&app.fx.other_placement));
        // Reading the log is logged too (AUDIT), in the client's own log.
        let rows = app.count(&format!("SELECT COUNT(*) FROM client_access_log WHERE client_id = '{}' AND field_groups = 'AUDIT'", app.fx.shared)).await;
        assert_eq!(rows, 1);
    }
}

on_both! {
    async fn a_client_withdraws_their_own_consent_and_no_one_elses(app) {
        let me = client_token(&app, &app.fx.shared);
        // Someone else's consent answers exactly like one that does not exist.
        let (_, other) = app.gql(&app.token_for("TYP_OFFICER"), "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id } }", json!({ "i": { "clientId": app.fx.other_placement, "recipientAgency": "KELA", "fieldGroups": ["SOCIAL"], "givenOn": app.fx.today.to_string() } })).await;
        let other_id = other["data"]["recordConsent"]["id"].as_str().unwrap_or_else(|| panic!("{other}")).to_owned();
        let w = "mutation W($k: ID!) { withdrawMyConsent(consentId: $k) { id inForce withdrawnOn } }";
        for id in [other_id.as_str(), "no-such-consent"] {
            let (_, b) = app.gql(&me, w, json!({ "k": id })).await;
            assert_eq!(code(&b), "NOT_FOUND", "{b}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM consent WHERE id = '{other_id}' AND withdrawn_on IS NULL")).await, 1);

        // Before: Kela reads the health details under the consent.
        let kela = app.token_for("KELA_EXPERT");
        let details = "query H($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }";
        let (_, before) = app.gql(&kela, details, json!({ "c": app.fx.shared })).await;
        assert!(before["data"]["caseView"]["workAbilityAssessments"][0]["details"].is_string(), "{before}");

        let (_, done) = app.gql(&me, w, json!({ "k": app.fx.kela_health_consent })).await;
        assert!(done.get("errors").is_none(), "{done}");
        assert_eq!(done["data"]["withdrawMyConsent"]["inForce"], false);
        assert_eq!(done["data"]["withdrawMyConsent"]["withdrawnOn"], app.fx.today.to_string());
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM client_access_log WHERE client_id = '{}' AND action = 'WRITE'", app.fx.shared)).await, 1);

        // After: the disclosure stops at once.
        let (_, after) = app.gql(&kela, details, json!({ "c": app.fx.shared })).await;
        assert!(!after["data"]["caseView"]["workAbilityAssessments"][0]["details"].is_string(), "{after}");
        let (_, again) = app.gql(&me, w, json!({ "k": app.fx.kela_health_consent })).await;
        assert_eq!(code(&again), "CONFLICT", "{again}");
    }
}

on_both! {
    async fn a_client_token_reaches_nothing_of_the_officials_schema(app) {
        let me = client_token(&app, &app.fx.shared);
        let before = app.count("SELECT COUNT(*) FROM access_log_entry").await;
        let attempts = [
            ("{ clients(first: 10) { edges { node { id firstName } } } }", json!({})),
            ("query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }", json!({ "c": app.fx.other_placement })),
            ("query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }", json!({ "c": app.fx.shared })),
            ("query V($c: ID!) { client(id: $c) { firstName } }", json!({ "c": app.fx.other_placement })),
            ("query L($c: ID!) { accessLog(clientId: $c) { edges { node { operation } } } }", json!({ "c": app.fx.shared })),
            ("{ me { officialId } }", json!({})),
            ("{ myCase { firstName } alias: myCase { lastName } __typename }", json!({})),
        ];
        for (q, vars) in &attempts[..6] {
            let (_, b) = app.gql(&me, q, vars.clone()).await;
            assert!(b.get("data").is_none_or(|d| d.is_null()), "{q}: {b}");
            assert!(b.get("errors").is_some(), "{q}: {b}");
            assert!(!b.to_string().contains(&app.fx.other_placement), "{b}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, before, "no official-log row");
        // Aliases give the same client, never another.
        let (_, b) = app.gql(&me, attempts[6].0, json!({})).await;
        assert!(b.get("errors").is_none(), "{b}");

        // By construction: no field of the client schema takes a client's id.
        let sdl = typgraph::graphql::self_service::client_sdl();
        let mut args = std::collections::BTreeSet::new();
        for line in sdl.lines().filter(|l| !l.trim_start().starts_with("directive")) {
            if let Some((_, rest)) = line.split_once('(') {
                for part in rest.split(',') {
                    if let Some((name, _)) = part.split_once(':') {
                        args.insert(name.trim().to_owned());
                    }
                }
            }
        }
        let expected: std::collections::BTreeSet<String> = ["after", "consentId", "first", "kinds", "language", "last"].iter().map(|s| s.to_string()).collect();
        assert_eq!(args, expected, "{sdl}");

        // A client token with an official role as well, an unknown client, a deceased one: 401.
        let mixed = app.token(&app.fx.shared, &["CLIENT", "TE_EXPERT"]);
        let unknown = app.token("00000000-0000-4000-8000-000000000000", &["CLIENT"]);
        app.exec(&format!("UPDATE client SET date_of_death = '2020-01-01' WHERE id = '{}'", app.fx.other_placement)).await;
        let deceased = app.token(&app.fx.other_placement, &["CLIENT"]);
        for t in [&mixed, &unknown, &deceased] {
            let (status, b) = app.gql(t, "{ myCase { firstName } }", json!({})).await;
            assert_eq!((status, code(&b)), (401, "UNAUTHENTICATED"), "{b}");
        }
        // And an official's token never reaches the client schema.
        let (_, b) = app.gql(&app.token_for("TE_EXPERT"), "{ myCase { firstName } }", json!({})).await;
        assert!(b.get("errors").is_some(), "{b}");
    }
}
