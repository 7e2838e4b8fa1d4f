//! The HTTP contract: GraphQL over HTTP media types and status codes, health, metrics.

use serde_json::json;

use crate::helpers::test_config;
use crate::on_both;

on_both! {
    async fn the_graphql_endpoint_follows_graphql_over_http(app) {
        let token = app.token_for("TE_EXPERT");
        let post = |ct: &'static str, accept: &'static str, body: &'static str| {
            app.http
                .post(app.endpoint("/graphql"))
                .header("content-type", ct)
                .header("accept", accept)
                .bearer_auth(&token)
                .body(body)
        };
        const GR: &str = "application/graphql-response+json";
        // Other media types: 415 and nothing executed (no access-log row).
        let q = r#"{"query":"{ clients { edges { node { firstName } } } }"}"#;
        for ct in ["text/plain", "application/x-www-form-urlencoded", "application/graphql", "application/json; charset=latin1"] {
            let res = post(ct, GR, q).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 415, "{ct}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
        // Batches: 400.
        let res = post("application/json", GR, r#"[{"query":"{ me { name } }"}]"#).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        // Bad JSON and a body without a query: 400.
        assert_eq!(post("application/json", GR, "{").send().await.unwrap().status().as_u16(), 400);
        assert_eq!(post("application/json", GR, r#"{"variables":{}}"#).send().await.unwrap().status().as_u16(), 400);
        // Parse and validation errors: 400 with graphql-response+json, 200 with application/json.
        for body in [r#"{"query":"{ me { "}"#, r#"{"query":"{ me { shoeSize } }"}"#, r#"{"query":"query Q($c: ID!) { client(id: $c) { id } }"}"#, r#"{"query":"query Q($n: Int) { clients(first: $n) { edges { cursor } } }","variables":{"n":"ten"}}"#] {
            let res = post("application/json", GR, body).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 400, "{body}");
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with(GR));
            let json: serde_json::Value = res.json().await.unwrap();
            assert!(json.get("data").is_none() || json["data"].is_null(), "{json}");
            let res = post("application/json", "application/json", body).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{body}");
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        }
        // Success: client data is never cached.
        let res = post("application/json", GR, q).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["data"]["clients"]["edges"].as_array().unwrap().len(), 3);
        // An unacceptable Accept: 406.
        assert_eq!(post("application/json", "text/html", q).send().await.unwrap().status().as_u16(), 406);
        // GET: 405, queries never in URLs.
        let res = app.http.get(app.endpoint("/graphql?query=%7Bme%7Bname%7D%7D")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 405);
    }
}

on_both! {
    async fn health_readiness_and_metrics_answer(app) {
        let get = |p: &str| app.http.get(app.endpoint(p)).send();
        assert_eq!(get("/healthz").await.unwrap().status().as_u16(), 200);
        assert_eq!(get("/readyz").await.unwrap().status().as_u16(), 200);
        let _ = app.gql(&app.token_for("TE_EXPERT"), "{ me { name } }", json!({})).await;
        let metrics = app.http.get(app.endpoint("/metrics")).bearer_auth(crate::helpers::METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("typgraph_http_requests_total{route=\"/graphql\",status=\"200\"}"), "{metrics}");
        assert!(metrics.contains("typgraph_sql_statements_total"), "{metrics}");
        // No explorer unless enabled.
        assert_eq!(get("/").await.unwrap().status().as_u16(), 404);
    }
}

on_both! {
    async fn connections_refuse_pages_over_one_hundred(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ clients(first: 101) { edges { cursor } } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "{body}");
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ clients(first: -1) { edges { cursor } } }", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    }
}

on_both! {
    async fn paging_walks_every_visible_client_once(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query P($after: String) { clients(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";
        let (_, first) = app.gql(&te, q, json!({ "after": null })).await;
        assert_eq!(first["data"]["clients"]["pageInfo"]["hasNextPage"], true, "{first}");
        let after = first["data"]["clients"]["pageInfo"]["endCursor"].clone();
        let (_, second) = app.gql(&te, q, json!({ "after": after })).await;
        assert_eq!(second["data"]["clients"]["pageInfo"]["hasNextPage"], false, "{second}");
        let mut ids: Vec<String> = [&first, &second]
            .iter()
            .flat_map(|b| b["data"]["clients"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 3);
        let (_, bad) = app.gql(&te, q, json!({ "after": "bm90LWEtY3Vyc29y" })).await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "after");
    }
}

fn with_explorer(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.explorer = true;
    c
}

fn without_introspection(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.introspection = false;
    c
}

on_both! {
    with with_explorer;
    async fn the_explorer_is_served_from_the_binary_when_enabled(app) {
        let res = app.http.get(app.endpoint("/")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("connect-src 'self'"));
        let page = res.text().await.unwrap();
        assert!(page.contains("/graphql"));
        assert!(!page.contains("https://") && !page.contains("http://"), "no request may leave for a CDN");
    }
}

fn with_a_pool_of_three(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.database_max_connections = Some(3);
    c
}

on_both! {
    with with_a_pool_of_three;
    async fn more_requests_than_pooled_connections_queue_for_one(app) {
        assert_eq!(app.metric("typgraph_db_pool_max_connections").await, 3.0);
        let app = std::sync::Arc::new(app);
        let te = app.token_for("TE_EXPERT");
        let q = "query V($c: ID!) { caseView(clientId: $c) { client { id } } }";
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let (app, te) = (app.clone(), te.clone());
                tokio::spawn(async move { app.gql(&te, q, json!({ "c": app.fx.shared })).await })
            })
            .collect();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["data"]["caseView"]["client"]["id"], app.fx.shared, "{body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry WHERE reason = 'V'").await, 12);
        assert!(app.metric("typgraph_db_pool_connections").await <= 3.0);
    }
}

on_both! {
    with without_introspection;
    async fn introspection_is_off_unless_enabled(app) {
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), "{ __schema { types { name } } }", json!({})).await;
        assert!(body["data"].is_null() || body["data"]["__schema"].is_null(), "{body}");
    }
}

on_both! {
    async fn metrics_count_access_log_rows_and_show_the_pool_and_requests_carry_ids(app) {
        let token = app.token_for("TE_EXPERT");
        let before = app.metric("typgraph_access_log_rows_total").await;
        let res = app
            .http
            .post(app.endpoint("/graphql"))
            .header("content-type", "application/json")
            .header("x-request-id", "abc-123.x")
            .bearer_auth(&token)
            .json(&json!({ "query": "query Q($c: ID!) { client(id: $c) { id } }", "variables": { "c": app.fx.shared } }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["x-request-id"], "abc-123.x");
        let rows = app.count("SELECT COUNT(*) FROM access_log_entry WHERE reason = 'Q'").await;
        assert_eq!(rows, 1);
        assert_eq!(app.metric("typgraph_access_log_rows_total").await - before, 1.0);
        let default_pool = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => typgraph::db::DEFAULT_POSTGRES_CONNECTIONS,
            _ => typgraph::db::DEFAULT_SQLITE_CONNECTIONS,
        };
        assert_eq!(app.metric("typgraph_db_pool_max_connections").await, f64::from(default_pool));
        assert!(app.metric("typgraph_db_pool_connections").await >= 1.0);
        // An id that could carry anything odd into a log is replaced by a fresh one.
        let odd = app
            .http
            .get(app.endpoint("/healthz"))
            .header("x-request-id", "a b\"} {\"forged\": 1")
            .send()
            .await
            .unwrap();
        let id = odd.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "{id}");
        assert!(uuid::Uuid::parse_str(&id).is_ok());
    }
}
