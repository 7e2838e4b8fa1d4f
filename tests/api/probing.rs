//! Probing for rows outside the caller's scope: connection cursors carry their own sealed
//! sort key (no look-up by an id the caller sent), one request costs the same statements for
//! an out-of-scope id as for a missing one, and request metrics are the operator's only.

use base64::Engine;
use chrono::{Days, Utc};
use serde_json::{json, Value as Json};
use typgraph::app::App;
use typgraph::config::Secret;
use typgraph::db::Sql;

use crate::helpers::{fresh_database, test_config, Backend, TestApp, METRICS_TOKEN};
use crate::on_both;

const PAGE: &str = "query P($s: String, $after: String, $first: Int) { clients(search: $s, first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }";

/// The cursor a caller could make by hand before cursors were sealed.
fn hand_made(id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("client:{id}"))
}

fn ids(body: &Json) -> Vec<String> {
    body["data"]["clients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

fn refused_after(body: &Json) {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "after", "{body}");
    assert_eq!(
        body["errors"][0]["message"], "not a cursor of this connection",
        "{body}"
    );
    assert!(body["data"]["clients"].is_null(), "{body}");
}

on_both! {
    async fn a_cursor_made_from_any_id_is_refused_alike_so_names_cannot_be_bisected(app) {
        // The second provider's coach sees the client placed there only; the shared client
        // (whose name sorts first) is outside its scope.
        let p2 = app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]);
        let (_, all) = app.gql(&p2, PAGE, json!({})).await;
        assert_eq!(ids(&all), vec![app.fx.other_placement.clone()], "{all}");
        // Before, a cursor naming the out-of-scope client's id paged after its name (and
        // showed the visible client), while a missing id showed an empty page.
        let (_, out_of_scope) = app.gql(&p2, PAGE, json!({ "after": hand_made(&app.fx.shared) })).await;
        let (_, missing) = app.gql(&p2, PAGE, json!({ "after": hand_made("00000000-0000-4000-8000-000000000000") })).await;
        let (_, own) = app.gql(&p2, PAGE, json!({ "after": hand_made(&app.fx.other_placement) })).await;
        assert_eq!(out_of_scope, missing, "an out-of-scope id answers as a missing one");
        assert_eq!(own, missing, "any hand-made cursor answers alike");
        refused_after(&out_of_scope);
        // Nothing of the probe is read, so nothing is logged against the probed client.
        let logged = app
            .count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND official_id = '{}'", app.fx.shared, app.fx.coach_p2))
            .await;
        assert_eq!(logged, 0);
    }
}

on_both! {
    async fn sealed_cursors_page_correctly_and_refuse_tampering_and_replay(app) {
        let te = app.token_for("TE_EXPERT");
        // Page one by one through every visible client.
        let (_, all) = app.gql(&te, PAGE, json!({ "first": 100 })).await;
        let everyone = ids(&all);
        assert_eq!(everyone.len(), 3, "{all}");
        let (mut walked, mut after) = (Vec::new(), Json::Null);
        loop {
            let (_, page) = app.gql(&te, PAGE, json!({ "first": 1, "after": after })).await;
            walked.extend(ids(&page));
            let info = &page["data"]["clients"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].clone();
        }
        assert_eq!(walked, everyone, "the sealed cursors walk the same order");
        let (_, first) = app.gql(&te, PAGE, json!({ "first": 1 })).await;
        let cursor = first["data"]["clients"]["pageInfo"]["endCursor"].as_str().unwrap().to_owned();
        // No name of the row is readable in its cursor.
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&cursor).unwrap();
        for name in ["Aino", "Eero", "Iida", everyone[0].as_str()] {
            assert!(!String::from_utf8_lossy(&raw).contains(name), "{cursor}");
        }
        // Any byte changed (the tag or the sealed key) is refused with the same answer.
        for at in [0, 20, 40, raw.len() - 1] {
            let mut bent = raw.clone();
            bent[at] ^= 0x01;
            let bent = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bent);
            let (_, body) = app.gql(&te, PAGE, json!({ "first": 1, "after": bent })).await;
            refused_after(&body);
        }
        for junk in ["", "not base64!", "bm90LWEtY3Vyc29y"] {
            let (_, body) = app.gql(&te, PAGE, json!({ "first": 1, "after": junk })).await;
            refused_after(&body);
        }
        // A cursor is not valid in another search, nor for another caller.
        let (_, searched) = app.gql(&te, PAGE, json!({ "s": "a", "first": 1 })).await;
        let search_cursor = searched["data"]["clients"]["pageInfo"]["endCursor"].clone();
        assert!(search_cursor.is_string(), "{searched}");
        let (_, replayed) = app.gql(&te, PAGE, json!({ "s": "e", "first": 1, "after": search_cursor })).await;
        refused_after(&replayed);
        let (_, unsearched) = app.gql(&te, PAGE, json!({ "first": 1, "after": search_cursor })).await;
        refused_after(&unsearched);
        let (_, same) = app.gql(&te, PAGE, json!({ "s": " A ", "first": 1, "after": search_cursor })).await;
        assert!(same["errors"].is_null(), "the same search pages on: {same}");
        let officer = app.token_for("TYP_OFFICER");
        let (_, other_caller) = app.gql(&officer, PAGE, json!({ "first": 1, "after": cursor })).await;
        refused_after(&other_caller);
    }
}

on_both! {
    async fn access_log_cursors_are_sealed_to_their_reader_and_client(app) {
        // Log rows of two clients, read by the TYP officer.
        let officer = app.token_for("TYP_OFFICER");
        for c in [&app.fx.shared, &app.fx.own_only] {
            for _ in 0..2 {
                let (_, b) = app.gql(&officer, "query C($c: ID!) { client(id: $c) { id } }", json!({ "c": c })).await;
                assert!(b["errors"].is_null(), "{b}");
            }
        }
        let auditor = app.token_for("AUDITOR");
        let q = "query L($c: ID!, $after: String) { accessLog(clientId: $c, first: 1, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }";
        let (_, first) = app.gql(&auditor, q, json!({ "c": app.fx.shared })).await;
        let cursor = first["data"]["accessLog"]["pageInfo"]["endCursor"].clone();
        assert!(cursor.is_string(), "{first}");
        let (_, next) = app.gql(&auditor, q, json!({ "c": app.fx.shared, "after": cursor })).await;
        assert_eq!(next["data"]["accessLog"]["edges"].as_array().map(Vec::len), Some(1), "{next}");
        assert_ne!(next["data"]["accessLog"]["edges"][0]["cursor"], cursor);
        // Hand-made, or made for another client's log: refused alike.
        let hand = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("log:999999");
        for (client, after) in [(&app.fx.shared, json!(hand)), (&app.fx.own_only, cursor.clone())] {
            let (_, body) = app.gql(&auditor, q, json!({ "c": client, "after": after })).await;
            assert_eq!(body["errors"][0]["extensions"]["field"], "after", "{body}");
            assert_eq!(body["errors"][0]["message"], "not a cursor of this connection", "{body}");
        }
    }
}

/// SQL statements one request costs: the fewest over three tries (anything else the
/// server does meanwhile can only add).
async fn statements(app: &TestApp, token: &str, query: &str, vars: Json) -> (f64, Json) {
    let mut fewest = f64::MAX;
    let mut answer = Json::Null;
    for _ in 0..3 {
        let before = app.metric("typgraph_sql_statements_total").await;
        let (_, body) = app.gql(token, query, vars.clone()).await;
        let after = app.metric("typgraph_sql_statements_total").await;
        fewest = fewest.min(after - before);
        answer = body;
    }
    (fewest, answer)
}

/// A meeting of a client who is no longer a TYP client (the case ended longer ago than the
/// retention) but whom the TE expert still sees by TE's own records.
async fn meeting_of_a_former_client(app: &TestApp) -> String {
    let (case, meeting) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let today = Utc::now().date_naive();
    let ended = today.checked_sub_days(Days::new(12 * 366)).unwrap();
    let opened = ended.checked_sub_days(Days::new(200)).unwrap();
    let mut sql = Sql::new("INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, ended_on, outcome, created_at) SELECT ");
    sql.bind(case.clone())
        .push(", ")
        .bind(app.fx.own_only.clone())
        .push(", 'CLOSED', criterion, responsible_official_id, responsible_agency, ")
        .bind(opened)
        .push(", ")
        .bind(opened)
        .push(", ")
        .bind(ended)
        .push(", 'MOVED', created_at FROM typ_case WHERE ended_on IS NULL AND client_id = ")
        .bind(app.fx.shared.clone());
    sea_orm::ConnectionTrait::execute_raw(&app.db, sql.build_for(&app.db))
        .await
        .unwrap();
    let mut sql = Sql::new("INSERT INTO network_meeting (id, case_id, client_id, scheduled_at, location, status, shared_record, held_on, created_by, created_at) SELECT ");
    sql.bind(meeting.clone())
        .push(", ")
        .bind(case)
        .push(", ")
        .bind(app.fx.own_only.clone())
        .push(", scheduled_at, location, status, shared_record, held_on, created_by, created_at FROM network_meeting WHERE id = ")
        .bind(app.fx.held_meeting.clone());
    sea_orm::ConnectionTrait::execute_raw(&app.db, sql.build_for(&app.db))
        .await
        .unwrap();
    meeting
}

on_both! {
    async fn an_out_of_scope_id_costs_the_statements_of_a_missing_one(app) {
        let missing = "00000000-0000-4000-8000-000000000000";
        let coach = app.token_for("PROVIDER_COACH");
        let te = app.token_for("TE_EXPERT");
        let coach_p2 = app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]);
        let former = meeting_of_a_former_client(&app).await;
        let client = "query C($id: ID!) { client(id: $id) { id firstName } }";
        let case_view = "query V($id: ID!) { caseView(clientId: $id) { client { id } rehabPeriods { id } } }";
        let meeting = "query M($id: ID!) { networkMeeting(id: $id) { id sharedRecord } }";
        let brief = "query B($id: ID!) { meetingBrief(meetingId: $id) { previousMeetingOn } }";
        let hidden_meeting = app.fx.held_meeting.clone();
        let cases: Vec<(&str, &String, &str, String)> = vec![
            ("client", &coach, client, app.fx.other_placement.clone()),
            ("caseView", &coach, case_view, app.fx.other_placement.clone()),
            ("networkMeeting", &te, meeting, former.clone()),
            ("meetingBrief", &te, brief, former.clone()),
            ("networkMeeting", &coach_p2, meeting, hidden_meeting.clone()),
        ];
        let mut differing = Vec::new();
        for (name, token, query, hidden) in cases {
            let (hidden_cost, hidden_body) = statements(&app, token, query, json!({ "id": hidden })).await;
            let (missing_cost, missing_body) = statements(&app, token, query, json!({ "id": missing })).await;
            assert_eq!(hidden_body, missing_body, "{name}: same answer");
            assert!(missing_cost > 0.0, "{name}: statements are counted");
            if hidden_cost != missing_cost {
                differing.push(format!("{name}: {hidden_cost} statements for an out-of-scope id, {missing_cost} for a missing one"));
            }
        }
        assert!(differing.is_empty(), "{differing:#?}");
    }
}

on_both! {
    async fn metrics_on_the_main_listener_need_the_metrics_token(app) {
        let url = app.endpoint("/metrics");
        let bare = app.http.get(&url).send().await.unwrap();
        assert_eq!(bare.status().as_u16(), 401);
        assert_eq!(bare.headers()["www-authenticate"], "Bearer");
        assert!(!bare.text().await.unwrap().contains("typgraph_"));
        for wrong in ["x", &format!("{METRICS_TOKEN}x"), &app.token_for("ADMIN")] {
            let res = app.http.get(&url).bearer_auth(wrong).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{wrong}");
        }
        let ok = app.http.get(&url).bearer_auth(METRICS_TOKEN).send().await.unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        assert!(ok.text().await.unwrap().contains("typgraph_sql_statements_total"));
    }
}

/// Starts the app without the fixture; returns it with its addresses.
async fn start(
    config: typgraph::config::Config,
) -> (
    std::net::SocketAddr,
    Option<std::net::SocketAddr>,
    tokio::sync::oneshot::Sender<()>,
) {
    let app = App::build(config).await.expect("app builds");
    let (addr, metrics) = (app.local_addr().unwrap(), app.metrics_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(async {
        let _ = rx.await;
    }));
    (addr, metrics, tx)
}

async fn metrics_listener_serves_metrics_and_the_main_listener_none(backend: Backend) {
    let Some((url, _guard)) = fresh_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    let http = reqwest::Client::new();
    // Neither a token nor a listener: the main listener serves no metrics at all.
    let mut config = test_config(&url);
    config.metrics_token = None;
    let (addr, metrics, stop) = start(config).await;
    assert!(metrics.is_none());
    let res = http
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let _ = stop.send(());
    // A metrics listener: metrics there without a token, still none on the main listener.
    let mut config = test_config(&url);
    config.metrics_token = None;
    config.metrics_listen = Some("127.0.0.1:0".into());
    let (addr, metrics, _stop) = start(config).await;
    let metrics = metrics.expect("a metrics listener");
    let res = http
        .get(format!("http://{metrics}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("typgraph_sql_statements_total"));
    let res = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let res = http
        .get(format!("http://{metrics}/graphql"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status().as_u16(),
        404,
        "the metrics listener serves metrics only"
    );
    // A short token is a start-up error.
    let mut config = test_config(&url);
    config.metrics_token = Some(Secret("short".into()));
    assert!(App::build(config).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_listener_sqlite() {
    metrics_listener_serves_metrics_and_the_main_listener_none(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_listener_postgres() {
    metrics_listener_serves_metrics_and_the_main_listener_none(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cursor_key_comes_from_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/k.db?mode=rwc", dir.path().display());
    // With only an RS256 public key there is nothing shared to derive it from.
    let mut config = test_config(&url);
    config.jwt.secret = None;
    config.jwt.public_key_pem =
        Some("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into());
    let mut rs256 = config.clone();
    rs256.cursor_key = None;
    assert!(typgraph::services::cursor::CursorKey::from_config(&rs256).is_err());
    rs256.cursor_key = Some(Secret("too short".into()));
    assert!(typgraph::services::cursor::CursorKey::from_config(&rs256).is_err());
    rs256.cursor_key = Some(Secret("a cursor key of at least 32 characters".into()));
    assert!(typgraph::services::cursor::CursorKey::from_config(&rs256).is_ok());
    // Two replicas with the same configuration accept each other's cursors.
    let a = typgraph::services::cursor::CursorKey::from_config(&test_config(&url)).unwrap();
    let b = typgraph::services::cursor::CursorKey::from_config(&test_config(&url)).unwrap();
    let c = a.seal("clients", &["o", "name", ""], &["x"]).unwrap();
    assert_eq!(
        b.open("clients", &["o", "name", ""], 1, &c).unwrap(),
        vec!["x"]
    );
}
