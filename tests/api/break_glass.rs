//! Break-glass: an urgent, time-limited opening of a client outside the official's scope,
//! flagged in every log row, leaving a review item an AUDITOR must close.

use sea_orm::ConnectionTrait;
use serde_json::{json, Value as Json};
use typgraph::db::Sql;

use crate::helpers::TestApp;
use crate::on_both;

fn code(b: &Json) -> (&str, &str) {
    let e = &b["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or(""),
        e["field"].as_str().unwrap_or(""),
    )
}

/// A client only the county knows: outside the scope of TE and Kela.
async fn county_only_client(app: &TestApp) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = chrono::Utc::now();
    let mut sql = Sql::new("INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES (");
    sql.bind(id.clone())
        .push(", ")
        .bind("010203A990Y")
        .push(", ")
        .bind("Urho")
        .push(", ")
        .bind("Koekiire")
        .push(", ")
        .bind("EKSOTE")
        .push(", ")
        .bind(1)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
    id
}

const VIEW: &str = "query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }";
const OPEN: &str = "mutation B($i: BreakGlassInput!) { breakGlass(input: $i) { id clientId reason openedAt expiresAt } }";
const REVIEWS: &str = "{ breakGlassReviews { id officialId agency roles clientId reason active rowsLogged status reviewNote } }";
const CLOSE: &str = "mutation C($i: CloseBreakGlassReviewInput!) { closeBreakGlassReview(input: $i) { status reviewNote reviewedBy } }";

on_both! {
    async fn break_glass_opens_one_client_for_a_while_flags_the_log_and_leaves_a_review(app) {
        let x = county_only_client(&app).await;
        let kela = app.token_for("KELA_EXPERT");
        let auditor = app.token_for("AUDITOR");
        let (_, before) = app.gql(&kela, VIEW, json!({ "c": x })).await;
        assert!(before["data"]["caseView"].is_null(), "out of scope: {before}");

        // A reason is required; unknown ids and clients already in scope are refused.
        let (_, b) = app.gql(&kela, OPEN, json!({ "i": { "clientId": x, "reason": "urgent" } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "reason"), "{b}");
        let (_, b) = app.gql(&kela, OPEN, json!({ "i": { "clientId": "no-such-client", "reason": "Client at the office, benefit stopped" } })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        let (_, b) = app.gql(&kela, OPEN, json!({ "i": { "clientId": app.fx.shared, "reason": "Client at the office, benefit stopped" } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "clientId"), "{b}");
        // A role without EMERGENCY/access cannot break glass.
        let (_, b) = app.gql(&app.token_for("ANALYST"), OPEN, json!({ "i": { "clientId": x, "reason": "Client at the office, benefit stopped" } })).await;
        assert!(b.get("errors").is_some() && b["data"].is_null(), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM break_glass").await, 0);

        let (_, opened) = app.gql(&kela, OPEN, json!({ "i": { "clientId": x, "reason": "Client at the office, benefit stopped" } })).await;
        let grant = opened["data"]["breakGlass"].clone();
        assert!(grant.is_object(), "{opened}");
        let at = |k: &str| chrono::DateTime::parse_from_rfc3339(grant[k].as_str().unwrap()).unwrap();
        assert_eq!((at("expiresAt") - at("openedAt")).num_minutes(), 120, "default 2 h");
        let grant_id = grant["id"].as_str().unwrap().to_owned();
        let (_, again) = app.gql(&kela, OPEN, json!({ "i": { "clientId": x, "reason": "Client at the office, benefit stopped" } })).await;
        assert_eq!(code(&again).0, "CONFLICT", "{again}");

        // Now the client is open to this official, and to no one else.
        let (_, during) = app.gql(&kela, VIEW, json!({ "c": x })).await;
        assert_eq!(during["data"]["caseView"]["client"]["firstName"], "Urho", "{during}");
        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), VIEW, json!({ "c": x })).await;
        assert!(te["data"]["caseView"].is_null(), "{te}");

        // Every log row of the read is flagged with the grant.
        let (_, log) = app.gql(&auditor, "query L($c: ID!) { accessLog(clientId: $c) { edges { node { agency operation breakGlassId } } } }", json!({ "c": x })).await;
        let reads: Vec<&Json> = log["data"]["accessLog"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).filter(|n| n["operation"].as_str().is_some_and(|o| o.starts_with("caseView"))).collect();
        assert_eq!(reads.len(), 1, "{log}");
        assert_eq!(reads[0]["breakGlassId"], grant_id.as_str());
        let (_, mine) = app.gql(&app.token(&x, &["CLIENT"]), "{ myAccessLog { entries { agency purpose urgent } } }", json!({})).await;
        assert!(mine["data"]["myAccessLog"]["entries"].as_array().unwrap().iter().any(|e| e["purpose"] == "caseView" && e["urgent"] == true), "{mine}");

        // The review item: open, active, cannot be closed while the grant runs.
        let (_, r) = app.gql(&auditor, REVIEWS, json!({})).await;
        let item = &r["data"]["breakGlassReviews"][0];
        assert_eq!((item["status"].as_str(), item["active"].as_bool(), item["agency"].as_str()), (Some("OPEN"), Some(true), Some("KELA")), "{r}");
        assert!(item["rowsLogged"].as_i64().unwrap() >= 1);
        let (_, b) = app.gql(&auditor, CLOSE, json!({ "i": { "id": grant_id, "note": "Checked with the official" } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        let (_, b) = app.gql(&kela, REVIEWS, json!({})).await;
        assert!(b.get("errors").is_some(), "only the reviewer sees reviews: {b}");

        // Expired: out of scope again, and the review item stays until closed.
        let now = chrono::Utc::now();
        let mut sql = Sql::new("UPDATE break_glass SET opened_at = ");
        sql.bind(now - chrono::Duration::hours(3)).push(", expires_at = ").bind(now - chrono::Duration::hours(1)).push(" WHERE id = ").bind(grant_id.clone());
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        let (_, after) = app.gql(&kela, VIEW, json!({ "c": x })).await;
        assert!(after["data"]["caseView"].is_null(), "expired: {after}");
        let (_, r) = app.gql(&auditor, REVIEWS, json!({})).await;
        assert_eq!((r["data"]["breakGlassReviews"][0]["status"].as_str(), r["data"]["breakGlassReviews"][0]["active"].as_bool()), (Some("OPEN"), Some(false)), "{r}");
        let (_, closed) = app.gql(&auditor, CLOSE, json!({ "i": { "id": grant_id, "note": "Justified: benefit payment stopped" } })).await;
        assert_eq!(closed["data"]["closeBreakGlassReview"]["status"], "CLOSED", "{closed}");
        assert_eq!(closed["data"]["closeBreakGlassReview"]["reviewedBy"], app.fx.official("AUDITOR"));
        let (_, r) = app.gql(&auditor, REVIEWS, json!({})).await;
        assert_eq!(r["data"]["breakGlassReviews"], json!([]), "{r}");
        let (_, b) = app.gql(&auditor, CLOSE, json!({ "i": { "id": grant_id, "note": "again" } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");

        // The flag is sealed into the chain with the row: removing it breaks the chain.
        typgraph::audit::chain::seal_pending(&app.db, 0).await.unwrap();
        let v = typgraph::audit::chain::verify(&app.db).await.unwrap();
        assert_eq!(v.broken, None, "{v:?}");
        app.exec("DELETE FROM break_glass_access").await;
        assert!(typgraph::audit::chain::verify(&app.db).await.unwrap().broken.is_some());
    }
}
