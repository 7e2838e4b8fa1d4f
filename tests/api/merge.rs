//! Merging a temporary identity into the permanent client: every record moves, every log
//! entry stays reachable under the permanent client, the temporary one answers as missing.
//!
//! The fixture's clients stand for people with permanent codes (their codes are in the test
//! range 900–999 like every test person's, but registered as permanent); a client registered
//! through the API with a 900–999 code is temporary.

use chrono::NaiveDate;
use serde_json::{json, Value as Json};
use typgraph::domain::personal_identity_code::format;

use crate::helpers::TestApp;
use crate::on_both;

const MERGE: &str = "mutation M($i: MergeTemporaryIdentityInput!) { mergeTemporaryIdentity(input: $i) { client { id temporaryIdentity } recordsMoved } }";
const REGISTER: &str = "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { duplicate client { id temporaryIdentity } } }";
const REASON: &str = "The population register assigned the permanent code";

async fn register(app: &TestApp, code: &str) -> Json {
    let input =
        json!({ "personalIdentityCode": code, "firstName": "Tilapäinen", "lastName": "Koelahti" });
    app.gql(
        &app.token_for("TYP_OFFICER"),
        REGISTER,
        json!({ "i": input }),
    )
    .await
    .1["data"]["registerClient"]
        .clone()
}

async fn merge(app: &TestApp, role: &str, from: &str, into: &str) -> Json {
    let input = json!({ "temporaryClientId": from, "permanentClientId": into, "reason": REASON });
    app.gql(&app.token_for(role), MERGE, json!({ "i": input }))
        .await
        .1
}

fn refused(body: &Json, code: &str, field: Option<&str>) {
    assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body}");
    if let Some(field) = field {
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
}

on_both! {
    async fn a_temporary_client_merges_into_the_permanent_one_and_stays_reachable_under_it(app) {
        let code = format(NaiveDate::from_ymd_opt(1987, 6, 5).unwrap(), 977);
        let temp = register(&app, &code).await;
        assert_eq!(temp["client"]["temporaryIdentity"], true, "{temp}");
        let t = temp["client"]["id"].as_str().unwrap().to_owned();
        let p = app.fx.shared.clone();
        let (_, perm) = app.gql(&app.token_for("TYP_OFFICER"), "query C($c: ID!) { client(id: $c) { temporaryIdentity } }", json!({ "c": p })).await;
        assert_eq!(perm["data"]["client"]["temporaryIdentity"], false, "{perm}");

        // Records of the temporary client: a consent, and a case (open at first).
        let (_, consent) = app.gql(&app.token_for("TYP_OFFICER"), "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id } }", json!({ "i": { "clientId": t, "recipientAgency": "KELA", "fieldGroups": ["SOCIAL"], "givenOn": app.fx.today.to_string() } })).await;
        let consent = consent["data"]["recordConsent"]["id"].as_str().unwrap_or_else(|| panic!("{consent}")).to_owned();
        app.exec(&format!("INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, created_at) SELECT 'case-of-temp', '{t}', phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, created_at FROM typ_case WHERE client_id = '{p}' AND ended_on IS NULL")).await;
        // An employment expert reads the temporary client: a log row of it.
        let (_, read) = app.gql(&app.token_for("TE_EXPERT"), "query TempRead($c: ID!) { client(id: $c) { firstName } }", json!({ "c": t })).await;
        assert_eq!(read["data"]["client"]["firstName"], "Tilapäinen", "{read}");
        let temp_rows = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{t}'")).await;
        assert!(temp_rows >= 2, "registration, consent and read are logged");

        // Both with an open case: CONFLICT, and nothing moved.
        refused(&merge(&app, "TYP_OFFICER", &t, &p).await, "CONFLICT", None);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM consent WHERE id = '{consent}' AND client_id = '{t}'")).await, 1);
        app.exec("UPDATE typ_case SET ended_on = opened_on, outcome = 'OTHER', phase = 'CLOSED' WHERE id = 'case-of-temp'").await;

        // Only the roles that write TYP clienthood merge: no other role's schema has it.
        let input = json!({ "temporaryClientId": t, "permanentClientId": p, "reason": REASON });
        for role in ["TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH", "AUDITOR"] {
            let (status, body) = app.gql(&app.token_for(role), MERGE, json!({ "i": input })).await;
            crate::helpers::assert_mutation_not_in_schema(role, status, &body, "mergeTemporaryIdentity");
        }

        let done = merge(&app, "TYP_OFFICER", &t, &p).await;
        assert!(done.get("errors").is_none(), "{done}");
        assert_eq!(done["data"]["mergeTemporaryIdentity"]["client"]["id"], p.as_str());
        assert_eq!(done["data"]["mergeTemporaryIdentity"]["recordsMoved"], 2, "{done}");
        // Every record is the permanent client's; the temporary one keeps none.
        for table in ["consent", "typ_case"] {
            assert_eq!(app.count(&format!("SELECT COUNT(*) FROM {table} WHERE client_id = '{t}'")).await, 0, "{table}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM consent WHERE id = '{consent}' AND client_id = '{p}'")).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE id = 'case-of-temp' AND client_id = '{p}'")).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM client_merge WHERE from_client_id = '{t}' AND into_client_id = '{p}' AND rows_moved = 2")).await, 1);
        // The log rows are not rewritten: still the temporary client's, sealed as they were.
        assert!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{t}'")).await > temp_rows, "the merge itself is logged for both");

        // The temporary client answers as one that does not exist.
        let q = "query C($c: ID!) { client(id: $c) { id } }";
        let (_, gone) = app.gql(&app.token_for("TYP_OFFICER"), q, json!({ "c": t })).await;
        let (_, missing) = app.gql(&app.token_for("TYP_OFFICER"), q, json!({ "c": "no-such-client" })).await;
        assert_eq!(gone, missing);
        // Its code names the permanent client now.
        let again = register(&app, &code).await;
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["client"]["id"], p.as_str(), "{again}");
        // Its own token no longer signs in; merged again, it is not found.
        let (status, _) = app.gql(&app.token(&t, &["CLIENT"]), "{ myAccessLog(first: 5) { entries { at } } }", json!({})).await;
        assert_eq!(status, 401);
        refused(&merge(&app, "TYP_OFFICER", &t, &p).await, "NOT_FOUND", None);

        // Under the permanent client: the auditor's log and the client's own log include
        // the temporary client's rows (the read by the employment expert).
        let (_, log) = app.gql(&app.token_for("AUDITOR"), "query L($c: ID!) { accessLog(clientId: $c, first: 100) { edges { node { operation } } } }", json!({ "c": p })).await;
        let ops: Vec<String> = log["data"]["accessLog"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["operation"].as_str().unwrap().to_owned()).collect();
        assert!(ops.iter().any(|o| o.starts_with("client (TempRead)")), "{ops:?}");
        let (_, own) = app.gql(&app.token(&p, &["CLIENT"]), "{ myAccessLog(first: 100) { entries { purpose } } }", json!({})).await;
        let purposes = own["data"]["myAccessLog"]["entries"].as_array().unwrap();
        assert!(purposes.iter().any(|e| e["purpose"] == "registerClient"), "{own}");
        assert!(purposes.iter().any(|e| e["purpose"] == "mergeTemporaryIdentity"), "{own}");
        assert_eq!(typgraph::audit::chain::verify(&app.db).await.unwrap().broken, None);
    }
}

on_both! {
    async fn a_merge_is_refused_into_itself_from_a_permanent_or_into_a_temporary_client(app) {
        let t1 = register(&app, &format(NaiveDate::from_ymd_opt(1980, 3, 4).unwrap(), 961)).await["client"]["id"].as_str().unwrap().to_owned();
        let t2 = register(&app, &format(NaiveDate::from_ymd_opt(1981, 3, 4).unwrap(), 962)).await["client"]["id"].as_str().unwrap().to_owned();
        let p = app.fx.shared.clone();
        refused(&merge(&app, "TYP_OFFICER", &t1, &t1).await, "BAD_USER_INPUT", Some("permanentClientId"));
        refused(&merge(&app, "TYP_OFFICER", &p, &t1).await, "BAD_USER_INPUT", Some("temporaryClientId"));
        refused(&merge(&app, "TYP_OFFICER", &t1, &t2).await, "BAD_USER_INPUT", Some("permanentClientId"));
        let input = json!({ "temporaryClientId": t1, "permanentClientId": p, "reason": "short" });
        let (_, short) = app.gql(&app.token_for("TYP_OFFICER"), MERGE, json!({ "i": input })).await;
        refused(&short, "BAD_USER_INPUT", Some("reason"));
        // A client out of the caller's scope answers as missing.
        refused(&merge(&app, "TYP_OFFICER", &t1, "no-such-client").await, "NOT_FOUND", None);
        assert_eq!(app.count("SELECT COUNT(*) FROM client_merge").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM client WHERE merged_into IS NOT NULL").await, 0);
    }
}

on_both! {
    async fn every_table_keyed_by_client_is_moved_kept_or_rebuilt_by_a_merge(app) {
        use typgraph::services::client_merge::{DERIVED, KEPT, MOVED};
        let sql = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "SELECT c.table_name AS t FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name WHERE c.table_schema = current_schema() AND c.column_name = 'client_id' AND t.table_type = 'BASE TABLE' ORDER BY 1",
            _ => "SELECT m.name AS t FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'client_id' ORDER BY 1",
        };
        use sea_orm::ConnectionTrait;
        let rows = app.db.query_all_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
        let tables: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "t").unwrap()).collect();
        assert!(tables.len() >= MOVED.len());
        for table in tables {
            assert!(
                MOVED.contains(&table.as_str()) || KEPT.contains(&table.as_str()) || DERIVED.contains(&table.as_str()),
                "{table} has a client_id: say in services/client_merge.rs whether a merge moves, keeps or rebuilds it"
            );
        }
    }
}
