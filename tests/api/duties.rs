//! The separation of duties and the policy's last writer hold across policy changes: a
//! new policy cannot turn a granted role set into a forbidden combination, a role change
//! is checked against the newest stored policy, and nobody removes the last official who
//! may change the policy.

use serde_json::{json, Value as Json};
use typgraph::authz::policy::DEFAULT_POLICY;
use typgraph::authz::store::{insert_version, NewVersion};

use crate::on_both;

const CREATE: &str =
    "mutation C($i: CreateOfficialInput!) { createOfficial(input: $i) { id roles } }";
const UPDATE: &str = "mutation U($i: UpdateOfficialInput!) { updateOfficial(input: $i) { roles } }";
use crate::oversight::{code, field};

const DEACTIVATE: &str = "mutation D($id: ID!) { deactivateOfficial(id: $id) { active } }";
const LOAD: &str =
    "mutation L($i: LoadPolicyVersionInput!) { loadPolicyVersion(input: $i) { version } }";

fn message(body: &Json) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

fn waiver() -> String {
    format!("{DEFAULT_POLICY}p, AUDITOR, DUTIES/combine, write\n")
}

on_both! {
    async fn a_policy_cannot_turn_granted_roles_into_combined_duties(app) {
        let admin = app.token_for("ADMIN");
        // ADMIN with ANALYST is allowed: ANALYST handles no client data today.
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "id": "admin-analyst", "name": "Valvoja Analyytikko", "agency": "EKSOTE", "roles": ["ADMIN", "ANALYST"] } })).await;
        assert_eq!(b["data"]["createOfficial"]["roles"], json!(["ANALYST", "ADMIN"]), "{b}");
        let versions = app.count("SELECT COUNT(*) FROM policy_version").await;
        // A policy letting ANALYST read contact data would make that official an
        // administrator who reads client data.
        let reads = format!("{DEFAULT_POLICY}p, ANALYST, CONTACT/*, read\n");
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": reads, "comment": "analysts call clients", "allowBeyondContract": true } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "policy"), "{b}");
        assert!(message(&b).contains("separation of duties") && message(&b).contains("ADMIN") && message(&b).contains("ANALYST"), "{b}");
        assert!(!message(&b).contains("admin-analyst") && !message(&b).contains("Valvoja"), "no official named: {b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM policy_version").await, versions);

        // A waiver used once cannot be withdrawn while an active official relies on it.
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": waiver(), "comment": "small office", "allowBeyondContract": true } })).await;
        assert!(b["errors"].is_null(), "{b}");
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "id": "kela-dual", "name": "Kaksoisrooli", "agency": "KELA", "roles": ["KELA_EXPERT", "AUDITOR"] } })).await;
        assert!(b["errors"].is_null(), "{b}");
        let versions = app.count("SELECT COUNT(*) FROM policy_version").await;
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": DEFAULT_POLICY, "comment": "no more waivers", "allowBeyondContract": true } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "policy"), "{b}");
        assert!(message(&b).contains("AUDITOR") && message(&b).contains("KELA_EXPERT") && !message(&b).contains("kela-dual"), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM policy_version").await, versions);
        // Once that official no longer holds both, the waiver can go.
        let (_, b) = app.gql(&admin, DEACTIVATE, json!({ "id": "kela-dual" })).await;
        assert_eq!(b["data"]["deactivateOfficial"]["active"], false, "{b}");
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": DEFAULT_POLICY, "comment": "no more waivers", "allowBeyondContract": true } })).await;
        assert!(b["errors"].is_null(), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM policy_version").await, versions + 1);
    }
}

on_both! {
    async fn roles_are_checked_against_the_newest_stored_policy(app) {
        let admin = app.token_for("ADMIN");
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": waiver(), "comment": "small office", "allowBeyondContract": true } })).await;
        assert!(b["errors"].is_null(), "{b}");
        // Another replica withdraws the waiver; this one has not heard of it yet.
        let admin_id = app.fx.official("ADMIN").to_owned();
        insert_version(&app.db, &NewVersion {
            model: typgraph::authz::policy::DEFAULT_MODEL,
            policy: DEFAULT_POLICY,
            source: "ADMIN",
            comment: "no more waivers",
            beyond_contract: false,
            created_by: Some(&admin_id),
            at: chrono::Utc::now(),
        }).await.unwrap();
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "id": "kela-dual", "name": "Kaksoisrooli", "agency": "KELA", "roles": ["KELA_EXPERT", "AUDITOR"] } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{b}");
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": officer, "roles": ["TYP_OFFICER", "AUDITOR"] } })).await;
        assert_eq!((code(&b), field(&b)), ("BAD_USER_INPUT", "roles"), "{b}");
        assert_eq!(app.count("SELECT COUNT(*) FROM official_role WHERE role = 'AUDITOR' AND official_id IN ('kela-dual', (SELECT official_id FROM official_role WHERE role = 'TYP_OFFICER'))").await, 0);
    }
}

on_both! {
    async fn the_last_official_who_may_change_the_policy_stays(app) {
        let admin = app.token_for("ADMIN");
        let line = "p, ADMIN, MANAGE/policy, write\n";
        assert!(DEFAULT_POLICY.contains(line));
        let auditor_only = DEFAULT_POLICY.replace(line, "p, AUDITOR, MANAGE/policy, write\n");
        let auditor = app.fx.official("AUDITOR").to_owned();
        assert_eq!(app.count("SELECT COUNT(*) FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active AND r.role = 'AUDITOR'").await, 1);
        let (_, b) = app.gql(&admin, LOAD, json!({ "i": { "policy": auditor_only, "comment": "DPO keeps the policy", "allowBeyondContract": true } })).await;
        assert!(b["errors"].is_null(), "{b}");
        // Neither taking the role from its last holder nor deactivating them.
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": auditor, "roles": ["ANALYST"] } })).await;
        assert_eq!(code(&b), "CONFLICT", "{b}");
        assert!(message(&b).contains("policy"), "{b}");
        let (_, b) = app.gql(&admin, DEACTIVATE, json!({ "id": auditor })).await;
        assert_eq!(code(&b), "CONFLICT", "{b}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active AND r.role = 'AUDITOR' AND o.id = '{auditor}'")).await, 1);
        // Keeping the role while changing others is fine, and so is leaving once another
        // official holds it.
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": auditor, "roles": ["AUDITOR", "ANALYST"] } })).await;
        assert!(b["errors"].is_null(), "{b}");
        let (_, b) = app.gql(&admin, CREATE, json!({ "i": { "id": "dpo-2", "name": "Toinen Valvoja", "agency": "EKSOTE", "roles": ["AUDITOR"] } })).await;
        assert!(b["errors"].is_null(), "{b}");
        let (_, b) = app.gql(&admin, DEACTIVATE, json!({ "id": auditor })).await;
        assert_eq!(b["data"]["deactivateOfficial"]["active"], false, "{b}");
        let (_, b) = app.gql(&admin, UPDATE, json!({ "i": { "id": "dpo-2", "roles": ["ANALYST"] } })).await;
        assert_eq!(code(&b), "CONFLICT", "{b}");
    }
}
