//! The access and disclosure logs: every read logged, in the read's transaction.

use serde_json::json;

use crate::on_both;

on_both! {
    async fn every_read_writes_exactly_one_row_with_the_returned_groups(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query PrepareMeeting($c: ID!) { caseView(clientId: $c) { client { firstName personalIdentityCode } typCase { phase } } }";
        let (status, body) = app.gql(&te, q, json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 200, "{body}");
        let rows = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}'", app.fx.shared)).await;
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
        let audit_rows = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND field_groups = 'AUDIT'", app.fx.shared)).await;
        assert_eq!(audit_rows, 1);
    }
}

on_both! {
    async fn a_page_of_clients_logs_one_access_per_client_in_rows_listing_those_alike(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ clients(first: 100) { edges { node { id lastName } } } }", json!({})).await;
        let edges = body["data"]["clients"]["edges"].as_array().unwrap();
        let n = edges.len() as i64;
        assert_eq!(n, 3, "{body}");
        // One access per client returned, each client once.
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, n);
        assert_eq!(app.count("SELECT COUNT(DISTINCT client_id) FROM access_log_entry WHERE field_groups = 'CONTACT'").await, n);
        // Written as fewer rows: those alike (action, groups, basis) in one row naming no
        // client, its clients listed; a row of its own for an access alike to no other.
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        let listing = app.count("SELECT COUNT(*) FROM access_log WHERE client_id IS NULL").await;
        let listed = app.count("SELECT COUNT(*) FROM access_log_client").await;
        assert!(listing >= 1 && rows < n, "{rows} rows, {listing} listing");
        assert_eq!(listed + (rows - listing), n);
        assert_eq!(app.count("SELECT COUNT(*) FROM (SELECT field_groups, basis FROM access_log GROUP BY field_groups, basis HAVING COUNT(*) > 1) d").await, 0, "no two rows alike");
        // The client sees the page's read in their own log.
        let me = app.token(&app.fx.shared, &["CLIENT"]);
        let (_, mine) = app.gql(&me, "{ myAccessLog(first: 10) { entries { agency action basis } } }", json!({})).await;
        let mine = mine["data"]["myAccessLog"]["entries"].as_array().unwrap().clone();
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!((&mine[0]["agency"], &mine[0]["action"], &mine[0]["basis"]), (&json!("TE"), &json!("READ"), &json!("TYP_CLIENTHOOD")));
        // Every client's log shows the page's read to the auditor.
        let auditor = app.token_for("AUDITOR");
        for edge in edges {
            let id = edge["node"]["id"].as_str().unwrap();
            let (_, log) = app.gql(&auditor, "query L($c: ID!) { accessLog(clientId: $c) { edges { node { officialId action fields operation } } } }", json!({ "c": id })).await;
            let entries = log["data"]["accessLog"]["edges"].as_array().unwrap();
            assert_eq!(entries.len(), 1, "{log}");
            assert_eq!(entries[0]["node"]["officialId"], app.fx.official("TE_EXPERT"), "{log}");
            assert_eq!(entries[0]["node"]["operation"], "clients (anonymous)", "{log}");
        }
    }
}

on_both! {
    async fn a_clients_log_pages_through_the_rows_naming_it_and_those_listing_it_in_order(app) {
        let te = app.token_for("TE_EXPERT");
        let page = "{ clients(first: 100) { edges { node { lastName } } } }";
        let view = "query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }";
        // Listed, named, listed, named: four accesses to the shared client, oldest first.
        for round in 0..2 {
            let (_, b) = app.gql(&te, page, json!({})).await;
            assert!(b.get("errors").is_none(), "{round}: {b}");
            let (_, b) = app.gql(&te, view, json!({ "c": app.fx.shared })).await;
            assert!(b.get("errors").is_none(), "{round}: {b}");
        }
        let listing = app.count(&format!("SELECT COUNT(*) FROM access_log_client WHERE client_id = '{}'", app.fx.shared)).await;
        let named = app.count(&format!("SELECT COUNT(*) FROM access_log WHERE client_id = '{}'", app.fx.shared)).await;
        assert_eq!((listing, named), (2, 2));
        let auditor = app.token_for("AUDITOR");
        let q = "query L($c: ID!, $first: Int, $after: String, $last: Int, $before: String) { accessLog(clientId: $c, first: $first, after: $after, last: $last, before: $before) { edges { node { operation } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }";
        let operation = |b: &serde_json::Value| -> Vec<String> {
            b["data"]["accessLog"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["operation"].as_str().unwrap().split(' ').next().unwrap().to_owned()).collect()
        };
        // Newest first, one at a time: the auditor's own reads are newer, so the walk starts
        // from a first page of one and goes on from its cursor.
        let (_, first) = app.gql(&auditor, q, json!({ "c": app.fx.shared, "first": 1 })).await;
        assert_eq!(operation(&first), ["caseView"], "{first}");
        let mut seen = operation(&first);
        let mut cursor = first["data"]["accessLog"]["pageInfo"]["endCursor"].clone();
        loop {
            let (_, b) = app.gql(&auditor, q, json!({ "c": app.fx.shared, "first": 1, "after": cursor })).await;
            seen.extend(operation(&b));
            let info = &b["data"]["accessLog"]["pageInfo"];
            if info["hasNextPage"] != json!(true) {
                break;
            }
            cursor = info["endCursor"].clone();
            assert!(seen.len() < 10, "{seen:?}");
        }
        assert_eq!(seen, ["caseView", "clients", "caseView", "clients"]);
        // From the oldest end: the last three, in the connection's order (newest first),
        // and newer ones before them.
        let (_, b) = app.gql(&auditor, q, json!({ "c": app.fx.shared, "last": 3 })).await;
        assert_eq!(operation(&b), ["clients", "caseView", "clients"], "{b}");
        assert_eq!(b["data"]["accessLog"]["pageInfo"]["hasPreviousPage"], json!(true), "{b}");
        // And back towards the newest from there: the entry just newer than those three.
        let (_, newer) = app.gql(&auditor, q, json!({ "c": app.fx.shared, "last": 1, "before": b["data"]["accessLog"]["pageInfo"]["startCursor"] })).await;
        assert_eq!(operation(&newer), ["caseView"], "{newer}");
    }
}

on_both! {
    async fn the_seal_of_a_listing_row_covers_its_clients(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ clients(first: 100) { edges { node { lastName } } } }", json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        typgraph::audit::chain::seal_pending(&app.db, 0).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_seal").await, rows);
        let v = typgraph::audit::chain::verify(&app.db).await.unwrap();
        assert_eq!(v.broken, None, "{v:?}");
        let listing = app.count("SELECT MIN(id) FROM access_log WHERE client_id IS NULL").await;
        let seq = app.count(&format!("SELECT seq FROM access_log_seal WHERE access_log_id = {listing}")).await;
        let first: String = {
            use sea_orm::ConnectionTrait;
            let sql = format!("SELECT MIN(client_id) FROM access_log_client WHERE access_log_id = {listing}");
            let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get_by_index(0).unwrap()
        };
        // A listed client removed from the row, or one added to it: the seal no longer holds.
        app.exec(&format!("DELETE FROM access_log_client WHERE access_log_id = {listing} AND client_id = '{first}'")).await;
        let broken = typgraph::audit::chain::verify(&app.db).await.unwrap().broken.expect("a removed client breaks the chain");
        assert_eq!((broken.seq, broken.access_log_id), (seq, Some(listing)));
        app.exec(&format!("INSERT INTO access_log_client (access_log_id, client_id) VALUES ({listing}, '{first}')")).await;
        assert_eq!(typgraph::audit::chain::verify(&app.db).await.unwrap().broken, None);
        app.exec(&format!("INSERT INTO access_log_client (access_log_id, client_id) VALUES ({listing}, 'another-client')")).await;
        let broken = typgraph::audit::chain::verify(&app.db).await.unwrap().broken.expect("an added client breaks the chain");
        assert_eq!((broken.seq, broken.access_log_id), (seq, Some(listing)));
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
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
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
