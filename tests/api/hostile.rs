//! Hostile input: document limits, transport refusals, CORS and rate limits. Each refusal
//! is typed and nothing runs: no access-log row is written.

use serde_json::{json, Value as Json};

use crate::helpers::{ask, metric_at, start_replica, test_config, TestApp};
use crate::on_both;

/// Posts a raw body as TE_EXPERT; answers the status, headers and JSON body.
async fn post(
    app: &TestApp,
    body: String,
    extra: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Json) {
    let mut req = app
        .http
        .post(app.endpoint("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .bearer_auth(app.token_for("TE_EXPERT"))
        .body(body);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Json::String(text)),
    )
}

fn query(q: &str) -> String {
    json!({ "query": q }).to_string()
}

on_both! {
    async fn abusive_documents_are_refused_before_anything_runs(app) {
        let sweep = "clients(first: 100) { edges { node { id firstName } } }";
        let aliases: String = (0..31).map(|i| format!("a{i}: {sweep} ")).collect();
        let mut fan_out = String::from("query Q { clients(first: 100) { edges { node { ...F12 } } } } fragment F0 on Client { id firstName lastName }");
        for i in 1..=12 {
            fan_out.push_str(&format!(" fragment F{i} on Client {{ ...F{j} ...F{j} }}", j = i - 1));
        }
        let cases: Vec<(String, &str)> = vec![
            (query(&format!("{{ {aliases} }}")), "LIMIT_EXCEEDED"),
            (query(&fan_out), "LIMIT_EXCEEDED"),
            (query("{ me { name name name name name name } }"), "LIMIT_EXCEEDED"),
            (query("{ me @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) { name } }"), "LIMIT_EXCEEDED"),
            (query(&format!("{{ clients {{ edges {{ node {{ {} id {} }} }} }} }}", "cases { ".repeat(12), " }".repeat(12))), "LIMIT_EXCEEDED"),
            (query(&format!("{{ me {{ name }} }} # {}", "x".repeat(40 * 1024))), "LIMIT_EXCEEDED"),
            (query("query Q { me { ...A } } fragment A on Official { ...B } fragment B on Official { ...A }"), "BAD_USER_INPUT"),
            (query("{ clients(first: 101) { edges { cursor } } }"), "LIMIT_EXCEEDED"),
        ];
        for (body, code) in cases {
            let (status, _, json) = post(&app, body.clone(), &[]).await;
            assert_eq!(json["errors"][0]["extensions"]["code"], code, "{}: {json}", &body[..body.len().min(120)]);
            assert_ne!(status, 500);
            let message = json["errors"][0]["message"].as_str().unwrap_or("");
            assert!(!message.contains("SELECT") && !message.contains("sqlx") && message.len() < 200, "{message}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0, "nothing was read");
        let metrics = app.http.get(app.endpoint("/metrics")).bearer_auth(crate::helpers::METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("typgraph_graphql_errors_total{code=\"LIMIT_EXCEEDED\"} 7"), "{metrics}");
        assert!(metrics.contains("typgraph_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1"), "{metrics}");
        // A body over the limit: 413 before it is read.
        let (status, _, _) = post(&app, query(&"y".repeat(300 * 1024)), &[]).await;
        assert_eq!(status, 413);
        // Compressed bodies: refused, never inflated.
        let (status, _, json) = post(&app, query("{ me { name } }"), &[("content-encoding", "gzip")]).await;
        assert_eq!(status, 415, "{json}");
        assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
    }
}

on_both! {
    async fn hostile_strings_are_data_and_errors_say_nothing_of_the_database(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query S($s: String) { clients(search: $s, first: 10) { edges { node { id } } } }";
        for s in ["'; DROP TABLE client; --", "%", "_", "\\", "a\u{0}b", "\u{1b}[31mred", &"x".repeat(100_000)] {
            let (_, body) = app.gql(&te, q, json!({ "s": s })).await;
            let text = body.to_string();
            assert!(!text.contains("SELECT") && !text.contains("syntax") && !text.contains("sqlx") && !text.contains("typ_case"), "{text}");
            if let Some(edges) = body["data"]["clients"]["edges"].as_array() {
                assert!(edges.is_empty(), "{s:?} matched {text}");
            } else {
                let code = body["errors"][0]["extensions"]["code"].as_str().unwrap();
                assert!(["BAD_USER_INPUT", "LIMIT_EXCEEDED"].contains(&code), "{s:?}: {text}");
            }
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM client").await, 3, "the fixture's clients are all there");
        // Invalid UTF-8 in the body: a typed 400, not a crash.
        let res = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth(&te)
            .body(b"{\"query\":\"{ me { name \xff } }\"}".to_vec()).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 400);
        let body: Json = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

fn with_cors(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.cors_origins = vec!["https://te.example".to_owned()];
    c
}

on_both! {
    with with_cors;
    async fn cors_allows_only_the_configured_origins(app) {
        let preflight = |origin: &'static str| {
            app.http
                .request(reqwest::Method::OPTIONS, app.endpoint("/graphql"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization, content-type")
                .send()
        };
        let ok = preflight("https://te.example").await.unwrap();
        assert_eq!(ok.headers()["access-control-allow-origin"], "https://te.example");
        let other = preflight("https://evil.example").await.unwrap();
        assert!(other.headers().get("access-control-allow-origin").is_none());
        let (_, headers, _) = post(&app, query("{ me { name } }"), &[("origin", "https://evil.example")]).await;
        assert!(headers.get("access-control-allow-origin").is_none());
        let (_, headers, body) = post(&app, query("{ me { name } }"), &[("origin", "https://te.example")]).await;
        assert_eq!(headers["access-control-allow-origin"], "https://te.example", "{body}");
        assert_eq!(headers["cache-control"], "no-store");
    }
}

/// The test configuration with `requests` per address and `objects` per official a minute.
fn with_rates(url: &str, requests: u32, objects: u32) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.rate = typgraph::http::ratelimit::RateConfig {
        requests_per_minute: requests,
        objects_per_minute: objects,
    };
    c
}

fn with_rate_limits(url: &str) -> typgraph::config::Config {
    with_rates(url, 0, 12)
}

fn with_address_limit(url: &str) -> typgraph::config::Config {
    with_rates(url, 5, 0)
}

on_both! {
    with with_rate_limits;
    async fn an_official_sweeping_the_register_is_slowed_by_objects_returned(app) {
        let q = "{ clients(first: 100) { edges { node { id firstName lastName } } } }";
        let te = app.token_for("TE_EXPERT");
        // data + clients + 3 edges + 3 nodes = 8 objects of 12 a minute: the next is allowed,
        // and takes the budget into debt; then refused.
        let (status, first) = app.gql(&te, q, json!({})).await;
        assert_eq!(status, 200, "{first}");
        let (status, _) = app.gql(&te, q, json!({})).await;
        assert_eq!(status, 200);
        let res = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth(&te)
            .body(query(q)).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 429);
        assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
        let body: Json = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED");
        // Another official has a budget of their own.
        let (status, _) = app.gql(&app.token_for("EKSOTE_WORKER"), "{ me { name } }", json!({})).await;
        assert_eq!(status, 200);
        let metrics = app.http.get(app.endpoint("/metrics")).bearer_auth(crate::helpers::METRICS_TOKEN).send().await.unwrap().text().await.unwrap();
        assert!(metrics.contains("typgraph_rate_limited_total 1"), "{metrics}");
    }
}

on_both! {
    with with_address_limit;
    async fn one_address_is_limited_before_its_tokens_are_checked(app) {
        for _ in 0..5 {
            let res = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth("not-a-token")
                .body(query("{ me { name } }")).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401);
        }
        let res = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth(app.token_for("TE_EXPERT"))
            .body(query("{ me { name } }")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 429);
        // Probes are not counted.
        assert_eq!(app.http.get(app.endpoint("/readyz")).send().await.unwrap().status().as_u16(), 200);
    }
}

fn with_shared_address_limit(url: &str) -> typgraph::config::Config {
    with_rates(url, 6, 0)
}

fn behind_a_trusted_proxy(url: &str) -> typgraph::config::Config {
    let mut c = with_rates(url, 2, 0);
    c.trusted_proxies = typgraph::http::proxies::parse_list("127.0.0.0/8").unwrap();
    c
}

on_both! {
    with behind_a_trusted_proxy;
    async fn behind_a_trusted_proxy_each_forwarded_client_has_a_budget_of_its_own(app) {
        let me = || query("{ me { name } }");
        let from = |forwarded: &'static str| {
            app.http.post(app.endpoint("/graphql")).header("content-type", "application/json")
                .bearer_auth(app.token_for("TE_EXPERT")).header("x-forwarded-for", forwarded).body(me())
        };
        // Two a minute per client; the balancer (127.0.0.1) is not a client.
        for _ in 0..2 {
            assert_eq!(from("203.0.113.5").send().await.unwrap().status().as_u16(), 200);
        }
        assert_eq!(from("203.0.113.5").send().await.unwrap().status().as_u16(), 429);
        // A caller cannot pick a fresh bucket by writing its own header in front: the nearest
        // hop not a trusted proxy is the one counted.
        assert_eq!(from("198.51.100.77, 203.0.113.5").send().await.unwrap().status().as_u16(), 429);
        assert_eq!(from("203.0.113.6").send().await.unwrap().status().as_u16(), 200);
    }
}

/// Waits until the server at `addr` has finished two more rounds of rate-limit sharing than
/// now: the later of them started after everything asked before this call.
async fn two_rounds_at(http: &reqwest::Client, addr: &str) {
    let name = "typgraph_rate_limit_rounds_total";
    let start = metric_at(http, addr, name).await;
    let since = std::time::Instant::now();
    while metric_at(http, addr, name).await < start + 2.0 {
        assert!(
            since.elapsed() < std::time::Duration::from_secs(10),
            "{addr} does not share its buckets"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

on_both! {
    with with_shared_address_limit;
    async fn two_replicas_share_one_address_budget(app) {
        // Both processes allow an address 6 requests a minute. Four reach this one; the other
        // has seen none of them, yet learns the bucket (more than half spent) and lets two
        // more through, not six.
        let replica = start_replica(&app.url, [6, 0]);
        let http = reqwest::Client::new();
        let te = app.token_for("TE_EXPERT");
        for _ in 0..4 {
            let (status, body) = app.gql(&te, "{ me { name } }", json!({})).await;
            assert_eq!(status, 200, "{body}");
        }
        two_rounds_at(&http, &app.addr.to_string()).await;
        two_rounds_at(&http, &replica.addr).await;
        for _ in 0..2 {
            let (status, body) = ask(&http, &replica.addr, &te, "{ me { name } }", json!({})).await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, body) = ask(&http, &replica.addr, &te, "{ me { name } }", json!({})).await;
        assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (429, Some("LIMIT_EXCEEDED")), "{body}");
        assert_eq!(metric_at(&http, &replica.addr, "typgraph_rate_limited_total").await, 1.0);
        // The shared table holds the address's bucket only while it is below full; a sweep
        // deletes full ones (a missing row is a full bucket).
        assert_eq!(app.count("SELECT COUNT(*) FROM rate_limit_bucket WHERE kind = 'ADDRESS' AND subject = '127.0.0.1'").await, 1);
        app.exec("INSERT INTO rate_limit_bucket (kind, subject, full_at_ms) VALUES ('OFFICIAL', 'long-idle', 0)").await;
        assert_eq!(typgraph::http::ratelimit::RateLimits::sweep(&app.db).await.unwrap(), 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM rate_limit_bucket").await, 1);
    }
}

on_both! {
    with with_rate_limits;
    async fn two_replicas_share_one_officials_object_budget(app) {
        // 12 objects a minute on both. 8 through this process; the other lets the official
        // ask once more (the budget is not in debt), learns the shared bucket with its own 8
        // on top, and refuses the next: alone it would have allowed it.
        let replica = start_replica(&app.url, [0, 12]);
        let http = reqwest::Client::new();
        let q = "{ clients(first: 100) { edges { node { id firstName lastName } } } }";
        let te = app.token_for("TE_EXPERT");
        let (status, body) = app.gql(&te, q, json!({})).await;
        assert_eq!(status, 200, "{body}");
        two_rounds_at(&http, &app.addr.to_string()).await;
        let (status, body) = ask(&http, &replica.addr, &te, q, json!({})).await;
        assert_eq!(status, 200, "{body}");
        two_rounds_at(&http, &replica.addr).await;
        let (status, body) = ask(&http, &replica.addr, &te, q, json!({})).await;
        assert_eq!((status, body["errors"][0]["extensions"]["code"].as_str()), (429, Some("LIMIT_EXCEEDED")), "{body}");
        // So does the first process, which has not served the official since.
        two_rounds_at(&http, &app.addr.to_string()).await;
        let (status, _) = app.gql(&te, "{ me { name } }", json!({})).await;
        assert_eq!(status, 429);
        // Another official's budget is untouched on both.
        let (status, _) = ask(&http, &replica.addr, &app.token_for("EKSOTE_WORKER"), "{ me { name } }", json!({})).await;
        assert_eq!(status, 200);
    }
}

on_both! {
    async fn concurrent_requests_of_two_agencies_never_see_each_others_view(app) {
        // KELA reads the health details under its consent; TE may never read them; each
        // agency's own notes are its own. Interleaved at once, each answer is exactly what
        // that agency gets alone.
        let q = "query V($c: ID!) { caseView(clientId: $c) { client { firstName } workAbilityAssessments { conclusion details } notes { agency body } } }";
        let vars = json!({ "c": app.fx.shared });
        let te = app.token_for("TE_EXPERT");
        let kela = app.token_for("KELA_EXPERT");
        let (_, te_alone) = app.gql(&te, q, vars.clone()).await;
        let (_, kela_alone) = app.gql(&kela, q, vars.clone()).await;
        assert_ne!(te_alone, kela_alone, "the two views differ");
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..40 {
            let (app, vars) = (app.clone(), vars.clone());
            let token = if i % 2 == 0 { te.clone() } else { kela.clone() };
            tasks.push(tokio::spawn(async move { (i % 2, app.gql(&token, q, vars).await.1) }));
        }
        for t in tasks {
            let (who, body) = t.await.unwrap();
            let expected = if who == 0 { &te_alone } else { &kela_alone };
            assert_eq!(&body, expected);
        }
    }
}

on_both! {
    /// A document is validated in full (async-graphql's strict mode) until it has run once
    /// with data; after that only variables of a kind that cannot fail validation skip it,
    /// and a variable that could is refused exactly as on a document never seen.
    async fn a_document_skips_full_validation_only_once_passed_and_never_for_bad_variables(app) {
        let token = app.token_for("TE_EXPERT");
        let skipped = || app.metric("typgraph_graphql_prevalidated_requests_total");
        let q = "query V($c: ID!) { caseView(clientId: $c) { client { id } } }";
        let view = json!({ "c": app.fx.shared });
        let (status, first) = app.gql(&token, q, view.clone()).await;
        assert_eq!(status, 200, "{first}");
        assert_eq!(first["data"]["caseView"]["client"]["id"], json!(app.fx.shared));
        assert_eq!(skipped().await, 0.0, "validated in full the first time");
        let (_, again) = app.gql(&token, q, view.clone()).await;
        assert_eq!(again, first);
        assert_eq!(skipped().await, 1.0, "then executed without it");

        // Each of these is refused by validation, on the known text as on a new one.
        let new_text = format!("{q} ");
        for bad in [json!({ "a": 1 }), json!(1.5), json!(true), json!(["x"])] {
            let (status, known) = app.gql(&token, q, json!({ "c": bad })).await;
            let (_, fresh) = app.gql(&token, &new_text, json!({ "c": bad })).await;
            assert_eq!(status, 400, "{bad}: {known}");
            assert_eq!(known["data"], Json::Null, "{bad}: {known}");
            let message = known["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.starts_with("Invalid value for argument"), "{bad}: {known}");
            assert_eq!(known, fresh, "{bad}");
        }
        assert_eq!(skipped().await, 1.0);

        // A text that failed validation is validated every time.
        let wrong = "query W($c: ID!) { caseView(clientId: $c) { nope } }";
        for _ in 0..2 {
            let (status, body) = app.gql(&token, wrong, view.clone()).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["data"], Json::Null, "{body}");
        }
        // Nor does a known text skip it under another operation name.
        let two = "query A($c: ID!) { caseView(clientId: $c) { client { id } } } query B { me { officialId } }";
        let named = |name: &str| json!({ "query": two, "variables": view, "operationName": name }).to_string();
        for body in [named("A"), named("A"), named("B")] {
            let (status, _, answer) = post(&app, body, &[]).await;
            assert_eq!(status, 200, "{answer}");
        }
        assert_eq!(skipped().await, 2.0, "A again skipped it; B did not");
    }
}
