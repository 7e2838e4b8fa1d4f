//! The access and disclosure logs: one row per read, in the read's transaction.

use serde_json::json;

use crate::on_both;

on_both! {
    async fn every_read_writes_exactly_one_row_with_the_returned_groups(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query PrepareMeeting($c: ID!) { caseView(clientId: $c) { client { firstName personalIdentityCode } typCase { phase } } }";
        let (status, body) = app.gql(&te, q, json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 200, "{body}");
        let rows = app.count(&format!("SELECT COUNT(*) FROM access_log WHERE client_id = '{}'", app.fx.shared)).await;
        assert_eq!(rows, 1);
        let (_, log) = app
            .gql(&app.token_for("AUDITOR"), "query L($c: ID!) { accessLog(clientId: $c) { edges { node { officialId agency roles action fields operation } } } }", json!({ "c": app.fx.shared }))
            .await;
        let entry = &log["data"]["accessLog"]["edges"][0]["node"];
        assert_eq!(entry["officialId"], app.fx.official("TE_EXPERT"), "{log}");
        assert_eq!(entry["agency"], "TE");
        assert_eq!(entry["roles"], json!(["TE_EXPERT"]));
        assert_eq!(entry["action"], "READ");
        assert_eq!(entry["fields"], json!(["IDENTITY", "CONTACT", "CASE"]));
        assert_eq!(entry["operation"], "caseView (PrepareMeeting)");
        // The auditor's own read of the log is logged too, as AUDIT.
        let audit_rows = app.count(&format!("SELECT COUNT(*) FROM access_log WHERE client_id = '{}' AND field_groups = 'AUDIT'", app.fx.shared)).await;
        assert_eq!(audit_rows, 1);
    }
}

on_both! {
    async fn a_page_of_clients_writes_one_row_per_client_returned(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ clients(first: 100) { edges { node { lastName } } } }", json!({})).await;
        let n = body["data"]["clients"]["edges"].as_array().unwrap().len() as i64;
        assert_eq!(n, 3, "{body}");
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, n);
        assert_eq!(app.count("SELECT COUNT(DISTINCT client_id) FROM access_log WHERE field_groups = 'CONTACT'").await, n);
    }
}

on_both! {
    async fn a_read_whose_log_row_cannot_be_written_returns_no_data(app) {
        app.exec("ALTER TABLE access_log RENAME TO access_log_moved").await;
        let (status, body) = app
            .gql(&app.token_for("TE_EXPERT"), "query R($c: ID!) { client(id: $c) { firstName lastName } }", json!({ "c": app.fx.shared }))
            .await;
        assert_eq!(status, 500, "{body}");
        assert!(body.get("data").is_none(), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "INTERNAL");
        let text = body.to_string();
        assert!(!text.contains("Aino") && !text.contains("access_log"), "{text}");
    }
}

on_both! {
    async fn a_query_without_client_data_writes_no_row(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ me { name } providers { name } }", json!({})).await;
        assert_eq!(body["data"]["me"]["name"], "Test TE_EXPERT");
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, 0);
    }
}

on_both! {
    async fn every_data_endpoint_counts_its_log_rows_and_withholds_its_answer_without_them(app) {
        let month = app.fx.today.checked_sub_days(chrono::Days::new(30)).unwrap().format("%Y-%m").to_string();
        let statement = app.endpoint(&format!("/exports/allowance-statement.csv?payer=KELA&month={month}"));
        let kela = app.token_for("KELA_EXPERT");
        let me = app.token(&app.fx.shared, &["CLIENT"]);
        let my_case = "{ myCase { firstName } }";
        let rows = || app.metric("typgraph_access_log_rows_total");
        // Officials' GraphQL, the client's own view and the CSV export each count their rows.
        let before = rows().await;
        let (status, b) = app.gql(&app.token_for("TE_EXPERT"), "query R($c: ID!) { client(id: $c) { firstName } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 200, "{b}");
        assert_eq!(rows().await - before, 1.0);
        let before = rows().await;
        let (status, b) = app.gql(&me, my_case, json!({})).await;
        assert_eq!((status, &b["data"]["myCase"]["firstName"]), (200, &json!("Aino")), "{b}");
        assert_eq!(rows().await - before, 1.0);
        let before = rows().await;
        let res = app.http.get(&statement).bearer_auth(&kela).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.text().await.unwrap().contains("010190-901R"));
        assert_eq!(rows().await - before, 1.0);

        // Where the rows cannot be written, neither the client's view nor the export answers
        // with data, and each withheld answer is counted.
        app.exec("ALTER TABLE access_log RENAME TO access_log_moved").await;
        app.exec("ALTER TABLE client_access_log RENAME TO client_access_log_moved").await;
        let failures = || app.metric("typgraph_access_log_failures_total");
        let before = failures().await;
        let (status, b) = app.gql(&me, my_case, json!({})).await;
        assert_eq!(status, 500, "{b}");
        assert!(b.get("data").is_none(), "{b}");
        assert_eq!(b["errors"][0]["extensions"]["code"], "INTERNAL");
        assert!(!b.to_string().contains("Aino"), "{b}");
        let res = app.http.get(&statement).bearer_auth(&kela).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 500);
        let text = res.text().await.unwrap();
        assert!(!text.contains("010190-901R") && text.contains("INTERNAL"), "{text}");
        assert_eq!(failures().await - before, 2.0);
    }
}
