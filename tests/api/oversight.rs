//! Oversight without a view into cases: explain tells AUDITOR and ADMIN nothing of a client,
//! duties stay separated (own roles, overseer roles with agency roles, own break-glass
//! review), `serve --demo` refuses real data, a policy cannot lock every official out, and
//! two administrators cannot remove each other at once.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sea_orm::ConnectionTrait;
use serde_json::{json, Value as Json};
use typgraph::db::Sql;

use crate::helpers::{TestApp, TEST_SECRET};
use crate::on_both;

const EXPLAIN: &str = "query X($c: ID!, $f: String!, $r: Role, $a: Agency, $p: ID) { explainAccess(clientId: $c, field: $f, role: $r, agency: $a, providerId: $p) { allowed role agency field group access policy scope consent reasons } }";
const CREATE: &str =
    "mutation C($i: CreateOfficialInput!) { createOfficial(input: $i) { id roles } }";
const UPDATE: &str =
    "mutation U($i: UpdateOfficialInput!) { updateOfficial(input: $i) { roles name } }";
const DEACTIVATE: &str = "mutation D($id: ID!) { deactivateOfficial(id: $id) { active } }";
const LOAD: &str = "mutation L($i: LoadPolicyVersionInput!) { loadPolicyVersion(input: $i) { version beyondContract } }";
const OPEN: &str = "mutation B($i: BreakGlassInput!) { breakGlass(input: $i) { id } }";
const CLOSE: &str = "mutation C($i: CloseBreakGlassReviewInput!) { closeBreakGlassReview(input: $i) { status reviewedBy } }";

/// The first error's code.
pub fn code(body: &Json) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The first error's offending input field.
pub fn field(body: &Json) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("")
}

/// The roles an official's rows grant, sorted.
async fn roles_of(app: &TestApp, official: &str) -> Vec<String> {
    let mut sql = Sql::new("SELECT role FROM official_role WHERE official_id = ");
    sql.bind(official).push(" ORDER BY role");
    app.db
        .query_all_raw(sql.build_for(&app.db))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "role").unwrap())
        .collect()
}

/// An active official of `agency` holding `roles`, written directly (as a migration from
/// an older release would have left it).
async fn official_with(
    app: &TestApp,
    agency: &str,
    provider: Option<&str>,
    roles: &[&str],
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let mut sql = Sql::new(
        "INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES (",
    );
    sql.bind(id.clone())
        .push(", ")
        .bind("Test Overseer")
        .push(", ")
        .bind(agency)
        .push(", ")
        .bind(provider.map(str::to_owned))
        .push(", ")
        .bind(true)
        .push(", ")
        .bind(chrono::Utc::now())
        .push(")");
    app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
    for role in roles {
        let mut sql = Sql::new("INSERT INTO official_role (official_id, role) VALUES (");
        sql.bind(id.clone()).push(", ").bind(*role).push(")");
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
    }
    id
}

on_both! {
    async fn explain_tells_auditor_and_admin_nothing_of_a_client(app) {
        // (role, agency, provider, field): a consent field, CASE, an agency's own records,
        // contact data, a coach's placement.
        let p1 = app.fx.p1.clone();
        let asks: Vec<(&str, &str, Option<&str>, &str)> = vec![
            ("KELA_EXPERT", "KELA", None, "WorkAbilityAssessment.details"),
            ("TYP_OFFICER", "TE", None, "CaseView.typCase"),
            ("TYP_OFFICER", "EKSOTE", None, "CaseView.consents"),
            ("TE_EXPERT", "TE", None, "Client.phone"),
            ("KELA_EXPERT", "KELA", None, "CaseView.notes"),
            ("PROVIDER_COACH", "PROVIDER", Some(p1.as_str()), "CaseView.rehabPeriods"),
            ("EKSOTE_WORKER", "EKSOTE", None, "CaseView.benefits"),
        ];
        // In the named role's scope (with a consent, a case, a placement), outside it
        // (no TYP case; another provider's client), and no client at all.
        let clients = [
            app.fx.shared.clone(),
            app.fx.own_only.clone(),
            app.fx.other_placement.clone(),
            "no-such-client".to_owned(),
            uuid::Uuid::new_v4().to_string(),
        ];
        let log_rows = app.count("SELECT COUNT(*) FROM access_log_entry").await;
        for overseer in ["AUDITOR", "ADMIN"] {
            let token = app.token_for(overseer);
            for (role, agency, provider, f) in &asks {
                let mut answers = Vec::new();
                for client in &clients {
                    let (status, body) = app.gql(&token, EXPLAIN, json!({ "c": client, "f": f, "r": role, "a": agency, "p": provider })).await;
                    assert_eq!(status, 200, "{body}");
                    assert!(body["errors"].is_null(), "{overseer} on {role} {f}: {body}");
                    let text = body.to_string();
                    assert!(!text.contains(&app.fx.kela_health_consent), "a consent id reached {overseer}: {body}");
                    assert!(!text.contains("TYP client") && !text.contains("visible"), "{overseer} learnt the client's scope: {body}");
                    answers.push(body);
                }
                for (client, answer) in clients.iter().zip(&answers) {
                    assert_eq!(answer, &answers[3], "{overseer} on {role} {f}: {client} answered apart from a missing id");
                }
                // The policy's part is still there: the line and the group.
                let e = &answers[0]["data"]["explainAccess"];
                assert!(e["policy"].as_str().unwrap().contains(role), "{e}");
                assert!(e["group"].is_string(), "{e}");
            }
            // The consent field names the rule, not a consent.
            let (_, b) = app.gql(&token, EXPLAIN, json!({ "c": app.fx.shared, "f": "WorkAbilityAssessment.details", "r": "KELA_EXPERT", "a": "KELA" })).await;
            let e = &b["data"]["explainAccess"];
            assert_eq!((e["access"].as_str(), e["allowed"].as_bool(), e["policy"].as_str()), (Some("CONSENT"), Some(true), Some("p, KELA_EXPERT, HEALTH/*, consent")), "{b}");
            assert!(e["consent"].as_str().unwrap().contains("KELA and HEALTH"), "{b}");
            let (_, b) = app.gql(&token, EXPLAIN, json!({ "c": app.fx.shared, "f": "WorkAbilityAssessment.details", "r": "TE_EXPERT", "a": "TE" })).await;
            assert_eq!(b["data"]["explainAccess"]["allowed"], false, "{b}");
        }
        // Nothing of a client was read, so nothing was logged: the log of an existing
        // client cannot tell it apart either.
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, log_rows);
    }
}

on_both! {
    async fn nobody_changes_their_own_roles(app) {
        let admin_id = app.fx.official("ADMIN").to_owned();
        let admin = app.token_for("ADMIN");
        for roles in [json!(["ADMIN", "EKSOTE_WORKER"]), json!(["ADMIN", "ANALYST"]), json!(["ANALYST"])] {
            let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": admin_id, "roles": roles } })).await;
            assert_eq!(code(&b), "FORBIDDEN", "{roles}: {b}");
            assert!(b["data"].is_null(), "{b}");
        }
        assert_eq!(roles_of(&app, &admin_id).await, ["ADMIN"]);
        // The same set is no change; the own name may change.
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": admin_id, "roles": ["ADMIN"], "name": "Test Admin Renamed" } })).await;
        assert_eq!(b["data"]["updateOfficial"], json!({ "roles": ["ADMIN"], "name": "Test Admin Renamed" }), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM admin_log WHERE action = 'UPDATE_OFFICIAL' AND detail LIKE 'roles%'").await, 0);
        // A second administrator may change them.
        let second = official_with(&app, "EKSOTE", None, &["ADMIN"]).await;
        let (_, b) = app.gql(&app.token(&second, &["ADMIN"]), UPDATE, json!({ "i": { "id": admin_id, "roles": ["ADMIN", "ANALYST"] } })).await;
        assert_eq!(b["data"]["updateOfficial"]["roles"], json!(["ANALYST", "ADMIN"]), "{b}");
    }
}

on_both! {
    async fn overseer_roles_are_not_combined_with_client_data_roles_unless_the_policy_allows_it(app) {
        let admin = app.token_for("ADMIN");
        let officials = app.count("SELECT COUNT(*) FROM official").await;
        for (agency, roles) in [
            ("TE", json!(["AUDITOR", "TYP_OFFICER"])),
            ("TE", json!(["ADMIN", "TE_EXPERT"])),
            ("KELA", json!(["KELA_EXPERT", "AUDITOR", "ADMIN"])),
            ("EKSOTE", json!(["EKSOTE_WORKER", "ADMIN"])),
        ] {
            let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "name": "Kaksoisrooli", "agency": agency, "roles": roles } })).await;
            assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{roles}: {b}");
            assert!(b["errors"][0]["message"].as_str().unwrap().contains("separation of duties"), "{b}");
        }
        let coach = official_with(&app, "PROVIDER", Some(&app.fx.p1), &["PROVIDER_COACH"]).await;
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": coach, "roles": ["PROVIDER_COACH", "AUDITOR"] } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{b}");
        let te = app.fx.official("TE_EXPERT").to_owned();
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": te, "roles": ["TE_EXPERT", "ADMIN"] } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{b}");
        assert_eq!(roles_of(&app, &te).await, ["TE_EXPERT"]);
        assert_eq!(app.count("SELECT COUNT(*) FROM official").await, officials + 1);
        // Overseer roles together, or with reporting, are no client data.
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "name": "Valvoja", "agency": "EKSOTE", "roles": ["AUDITOR", "ANALYST"] } })).await;
        assert_eq!(b["data"]["createOfficial"]["roles"], json!(["ANALYST", "AUDITOR"]), "{b}");

        // The policy may allow AUDITOR with agency roles (beyond the contract, so flagged);
        // each such grant is in the administration log. ADMIN stays separated.
        let waiver = format!("{}p, AUDITOR, DUTIES/combine, write\n", typgraph::authz::policy::DEFAULT_POLICY);
        let (_, loaded) = app.gql(&admin, LOAD, json!({ "i": { "policy": waiver, "comment": "small office", "allowBeyondContract": true } })).await;
        assert_eq!(loaded["data"]["loadPolicyVersion"]["beyondContract"], true, "{loaded}");
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "id": "kela-dual", "name": "Kaksoisrooli", "agency": "KELA", "roles": ["KELA_EXPERT", "AUDITOR"] } })).await;
        assert_eq!(b["data"]["createOfficial"]["roles"], json!(["KELA_EXPERT", "AUDITOR"]), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM admin_log WHERE action = 'CREATE_OFFICIAL' AND target = 'kela-dual' AND detail LIKE '%combines AUDITOR with KELA_EXPERT (allowed by p, AUDITOR, DUTIES/combine, write)%'").await, 1);
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": officer, "roles": ["TYP_OFFICER", "AUDITOR"] } })).await;
        assert_eq!(b["data"]["updateOfficial"]["roles"], json!(["TYP_OFFICER", "AUDITOR"]), "{b}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM admin_log WHERE action = 'UPDATE_OFFICIAL' AND target = '{officer}' AND detail = 'roles TYP_OFFICER -> TYP_OFFICER,AUDITOR; combines AUDITOR with TYP_OFFICER (allowed by p, AUDITOR, DUTIES/combine, write)'")).await, 1);
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": te, "roles": ["TE_EXPERT", "ADMIN"] } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{b}");
    }
}

on_both! {
    async fn nobody_closes_the_review_of_their_own_break_glass(app) {
        // An official holding an agency role and AUDITOR (a waived combination, or rows
        // from before the separation of duties).
        let dual_id = official_with(&app, "KELA", None, &["KELA_EXPERT", "AUDITOR"]).await;
        let dual = app.token(&dual_id, &["KELA_EXPERT", "AUDITOR"]);
        let client = uuid::Uuid::new_v4().to_string();
        let now = chrono::Utc::now();
        let mut sql = Sql::new("INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES (");
        sql.bind(client.clone()).push(", ").bind("020304A992R").push(", ").bind("Aino").push(", ").bind("Koekiire").push(", ").bind("EKSOTE").push(", ").bind(1).push(", ").bind(now).push(", ").bind(now).push(")");
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        let (_, opened) = app.gql(&dual, OPEN, json!({ "i": { "clientId": client, "reason": "Client at the office, benefit stopped" } })).await;
        let grant = opened["data"]["breakGlass"]["id"].as_str().unwrap_or_else(|| panic!("{opened}")).to_owned();
        let mut sql = Sql::new("UPDATE break_glass SET opened_at = ");
        sql.bind(now - chrono::Duration::hours(3)).push(", expires_at = ").bind(now - chrono::Duration::hours(1)).push(" WHERE id = ").bind(grant.clone());
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        let (_, own) = app.gql(&dual, CLOSE, json!({ "i": { "id": grant, "note": "Fine by me" } })).await;
        assert_eq!(code(&own), "FORBIDDEN", "{own}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM break_glass WHERE id = '{grant}' AND review_status = 'OPEN'")).await, 1);
        // A second person reviews it.
        let (_, other) = app.gql(&app.token_for("AUDITOR"), CLOSE, json!({ "i": { "id": grant, "note": "Checked with the official" } })).await;
        assert_eq!(other["data"]["closeBreakGlassReview"], json!({ "status": "CLOSED", "reviewedBy": app.fx.official("AUDITOR") }), "{other}");
    }
}

/// Runs `typgraph serve --demo` on `url` with `env`; answers its exit status, stdout and
/// stderr, or `None` (after killing it) when it is still running after `wait`.
fn serve_demo_on(
    url: &str,
    env: &[(&str, &str)],
    wait: Duration,
) -> Option<(bool, String, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_typgraph"))
        .args([
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            url,
        ])
        .env_remove("TYPGRAPH_DATABASE_URL")
        .env_remove("TYPGRAPH_JWT_SECRET")
        .env_remove("TYPGRAPH_JWT_PUBLIC_KEY")
        .env_remove("TYPGRAPH_AUTHZ_DIR")
        .env("RUST_LOG", "error")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > wait {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    match status {
        Some(s) => Some((s.success(), out, err)),
        None => {
            eprintln!("still serving; stdout: {out}");
            None
        }
    }
}

on_both! {
    async fn serve_demo_refuses_a_database_that_holds_other_data(app) {
        // The fixture is not the demo data set: officials and clients, no demo marker.
        for env in [vec![], vec![("TYPGRAPH_JWT_SECRET", TEST_SECRET)]] {
            let url = app.url.clone();
            let env2 = env.clone();
            let ran = tokio::task::spawn_blocking(move || serve_demo_on(&url, &env2, Duration::from_secs(30))).await.unwrap();
            let (ok, out, err) = ran.unwrap_or_else(|| panic!("serve --demo served a database with other data ({env:?})"));
            assert!(!ok, "{out} {err}");
            assert!(!out.contains("token "), "no token printed: {out}");
            let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
            assert_eq!(lines.len(), 1, "one line: {err}");
            assert!(lines[0].starts_with("typgraph: ") && lines[0].contains("--demo"), "{err}");
        }
        // The data is as it was: nothing loaded into it.
        assert_eq!(app.count("SELECT COUNT(*) FROM dataset_marker").await, 0);
    }
}

on_both! {
    async fn a_policy_keeps_a_writer_an_active_official_holds(app) {
        let admin = app.token_for("ADMIN");
        let default = typgraph::authz::policy::DEFAULT_POLICY;
        let line = "p, ADMIN, MANAGE/policy, write\n";
        assert!(default.contains(line));
        let only = |role: &str| default.replace(line, &format!("p, {role}, MANAGE/policy, write\n"));
        // Only CLIENT (no official), or only a role no active official holds.
        app.exec(&format!("UPDATE official SET active = false WHERE id = '{}'", app.fx.official("ANALYST"))).await;
        for (policy, why) in [(only("CLIENT"), "no official role"), (only("ANALYST"), "no active official")] {
            let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": policy, "comment": "try", "allowBeyondContract": true } })).await;
            assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "policy"), "{why}: {b}");
            assert!(b["errors"][0]["message"].as_str().unwrap().contains(why), "{why}: {b}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM policy_version").await, 1);
        // A role an active official holds will do (here the data-protection officer).
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": only("AUDITOR"), "comment": "DPO keeps the policy", "allowBeyondContract": true } })).await;
        assert_eq!(b["data"]["loadPolicyVersion"]["version"], 2, "{b}");
    }
}

on_both! {
    async fn two_administrators_deactivating_each_other_at_once_leave_one(app) {
        let mut refused = 0;
        for round in 0..12 {
            let a = official_with(&app, "EKSOTE", None, &["ADMIN"]).await;
            let b = official_with(&app, "EKSOTE", None, &["ADMIN"]).await;
            // Only these two administer now.
            app.exec(&format!("UPDATE official SET active = false WHERE id IN (SELECT official_id FROM official_role WHERE role = 'ADMIN') AND id NOT IN ('{a}', '{b}')")).await;
            let (ta, tb) = (app.token(&a, &["ADMIN"]), app.token(&b, &["ADMIN"]));
            let ((_, ra), (_, rb)) = tokio::join!(
                app.gql(&ta, DEACTIVATE, json!({ "id": b })),
                app.gql(&tb, DEACTIVATE, json!({ "id": a })),
            );
            let left = app.count(&format!("SELECT COUNT(*) FROM official WHERE active AND id IN ('{a}', '{b}')")).await;
            assert_eq!(left, 1, "round {round}: {ra} {rb}");
            // One went through; the other was refused (the last administrator) or came
            // after its own deactivation (signed out).
            let done = [&ra, &rb].iter().filter(|r| r["data"]["deactivateOfficial"]["active"] == false).count();
            assert_eq!(done, 1, "round {round}: {ra} {rb}");
            for r in [&ra, &rb] {
                if r["errors"].is_array() {
                    assert!(["CONFLICT", "UNAUTHENTICATED"].contains(&code(r)), "{r}");
                    refused += usize::from(code(r) == "CONFLICT");
                }
            }
        }
        eprintln!("{refused} of 12 rounds refused by the last-administrator check");
    }
}
