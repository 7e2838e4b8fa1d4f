//! Administration: officials, providers and policy versions (validated, versioned, logged),
//! and two replicas against one database behaving as one service.

use std::time::Instant;

use serde_json::{json, Value as Json};

use crate::helpers::{
    ask, assert_mutation_not_in_schema, assert_not_in_schema, assert_not_in_schema_body,
    start_replica,
};
use crate::on_both;

const CREATE: &str = "mutation C($i: CreateOfficialInput!) { createOfficial(input: $i) { id name agency roles active providerId } }";
const UPDATE: &str =
    "mutation U($i: UpdateOfficialInput!) { updateOfficial(input: $i) { roles name } }";
const DEACTIVATE: &str = "mutation D($id: ID!) { deactivateOfficial(id: $id) { active } }";
const LOAD: &str = "mutation L($i: LoadPolicyVersionInput!) { loadPolicyVersion(input: $i) { version source beyondContract inForce createdBy } }";
const FIRST_NAME: &str = "query N($c: ID!) { client(id: $c) { firstName } }";
const OWN_FIRST_NAME: &str = "{ myCase { firstName } }";

fn code(body: &Json) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The shipped policy without one line.
fn policy_without(line: &str) -> String {
    let policy = typgraph::authz::policy::DEFAULT_POLICY;
    assert!(policy.contains(line), "{line}");
    policy.replace(&format!("{line}\n"), "")
}

on_both! {
    async fn officials_are_created_changed_and_deactivated_with_every_change_logged(app) {
        let admin = app.token_for("ADMIN");
        let (_, created) = app.gql(&admin, CREATE, json!({ "i": { "id": "te-new-1", "name": "Uusi Virkailija", "agency": "TE", "roles": ["TE_EXPERT"] } })).await;
        assert_eq!(created["data"]["createOfficial"], json!({ "id": "te-new-1", "name": "Uusi Virkailija", "agency": "TE", "roles": ["TE_EXPERT"], "active": true, "providerId": null }), "{created}");
        let token = app.token("te-new-1", &["TE_EXPERT", "TYP_OFFICER"]);
        let (_, me) = app.gql(&token, "{ me { roles } }", json!({})).await;
        assert_eq!(me["data"]["me"]["roles"], json!(["TE_EXPERT"]), "{me}");

        let (_, updated) = app.gql(&admin, UPDATE, json!({ "i": { "id": "te-new-1", "roles": ["TYP_OFFICER", "TE_EXPERT"] } })).await;
        assert_eq!(updated["data"]["updateOfficial"]["roles"], json!(["TYP_OFFICER", "TE_EXPERT"]), "{updated}");
        let (_, me) = app.gql(&token, "{ me { roles } }", json!({})).await;
        assert_eq!(me["data"]["me"]["roles"], json!(["TYP_OFFICER", "TE_EXPERT"]), "{me}");

        let (_, off) = app.gql(&admin, DEACTIVATE, json!({ "id": "te-new-1" })).await;
        assert_eq!(off["data"]["deactivateOfficial"]["active"], false, "{off}");
        let (status, refused) = app.gql(&token, "{ me { roles } }", json!({})).await;
        assert_eq!((status, code(&refused)), (401, "UNAUTHENTICATED"), "{refused}");

        // Refused input, each with its field and nothing written.
        let cases = [
            (json!({ "name": "X", "agency": "KELA", "roles": ["TE_EXPERT"] }), "BAD_USER_INPUT", "roles"),
            (json!({ "name": "X", "agency": "TE", "roles": [] }), "BAD_USER_INPUT", "roles"),
            (json!({ "name": "X", "agency": "PROVIDER", "roles": ["PROVIDER_COACH"] }), "BAD_USER_INPUT", "providerId"),
            (json!({ "name": "X", "agency": "TE", "roles": ["TE_EXPERT"], "providerId": app.fx.p1 }), "BAD_USER_INPUT", "providerId"),
            (json!({ "id": "bad id;", "name": "X", "agency": "TE", "roles": ["TE_EXPERT"] }), "BAD_USER_INPUT", "id"),
            (json!({ "name": " ", "agency": "TE", "roles": ["TE_EXPERT"] }), "BAD_USER_INPUT", "name"),
            (json!({ "id": "te-new-1", "name": "X", "agency": "TE", "roles": ["TE_EXPERT"] }), "CONFLICT", ""),
        ];
        let officials_before = app.count("SELECT COUNT(*) FROM official").await;
        for (input, expected, field) in cases {
            let (_, body) = app.gql(&admin, CREATE, json!({ "i": input })).await;
            assert_eq!(code(&body), expected, "{input}: {body}");
            if !field.is_empty() {
                assert_eq!(body["errors"][0]["extensions"]["field"], field, "{input}: {body}");
            }
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM official").await, officials_before);

        // The last administrator cannot be removed; a coach's provider is checked.
        let (_, last) = app.gql(&admin, DEACTIVATE, json!({ "id": app.fx.official("ADMIN") })).await;
        assert_eq!(code(&last), "CONFLICT", "{last}");
        let (_, coach) = app.gql(&admin, CREATE, json!({ "i": { "name": "Valmentaja", "agency": "PROVIDER", "providerId": app.fx.p1, "roles": ["PROVIDER_COACH"] } })).await;
        assert_eq!(coach["data"]["createOfficial"]["providerId"], app.fx.p1.as_str(), "{coach}");

        // Only the policy's MANAGE/officials writers may do any of it.
        for role in ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR"] {
            // Their schema has no such mutation: refused before anything runs.
            let (status, body) = app.gql(&app.token_for(role), DEACTIVATE, json!({ "id": app.fx.official("TE_EXPERT") })).await;
            assert_mutation_not_in_schema(role, status, &body, "deactivateOfficial");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM official WHERE id = '{}' AND active", app.fx.official("TE_EXPERT"))).await, 1);

        let (_, log) = app.gql(&app.token_for("AUDITOR"), "{ adminLog { action target officialId detail } }", json!({})).await;
        let actions: Vec<&str> = log["data"]["adminLog"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["CREATE_OFFICIAL", "DEACTIVATE_OFFICIAL", "UPDATE_OFFICIAL", "CREATE_OFFICIAL"], "{log}");
        assert_eq!(log["data"]["adminLog"][3]["officialId"], app.fx.official("ADMIN"));
        assert!(!log.to_string().contains("Uusi Virkailija"), "names stay out of the log: {log}");
    }
}

on_both! {
    async fn providers_are_created_renamed_and_deactivated_once_without_staff(app) {
        let admin = app.token_for("ADMIN");
        let (_, created) = app.gql(&admin, "mutation P($i: CreateProviderInput!) { createProvider(input: $i) { id name kind municipality active } }", json!({ "i": { "name": "Uusi Paja", "kind": "THIRD_SECTOR", "municipality": "Imatra" } })).await;
        let p = &created["data"]["createProvider"];
        assert_eq!((p["name"].as_str(), p["kind"].as_str(), p["active"].as_bool()), (Some("Uusi Paja"), Some("THIRD_SECTOR"), Some(true)), "{created}");
        let id = p["id"].as_str().unwrap().to_owned();
        let update = "mutation U($i: UpdateProviderInput!) { updateProvider(input: $i) { name municipality } }";
        let (_, renamed) = app.gql(&admin, update, json!({ "i": { "id": id, "name": "Uudempi Paja" } })).await;
        assert_eq!(renamed["data"]["updateProvider"], json!({ "name": "Uudempi Paja", "municipality": "Imatra" }), "{renamed}");
        let (_, providers) = app.gql(&admin, "{ providers { id name } }", json!({})).await;
        let taken = providers["data"]["providers"].as_array().unwrap().iter().find(|p| p["id"] == app.fx.p1.as_str()).unwrap()["name"].clone();
        let (_, clash) = app.gql(&admin, update, json!({ "i": { "id": id, "name": taken } })).await;
        assert_eq!(code(&clash), "CONFLICT", "{clash}");
        let deactivate = "mutation D($id: ID!) { deactivateProvider(id: $id) { active } }";
        // The fixture's provider has an active coach: refused until the coach is gone.
        let (_, staffed) = app.gql(&admin, deactivate, json!({ "id": app.fx.p2 })).await;
        assert_eq!(code(&staffed), "CONFLICT", "{staffed}");
        let (_, done) = app.gql(&admin, deactivate, json!({ "id": id })).await;
        assert_eq!(done["data"]["deactivateProvider"]["active"], false, "{done}");
        let (_, unknown) = app.gql(&admin, deactivate, json!({ "id": "no-such-provider" })).await;
        assert_eq!(code(&unknown), "NOT_FOUND", "{unknown}");
        let (status, forbidden) = app.gql(&app.token_for("EKSOTE_WORKER"), deactivate, json!({ "id": app.fx.p1 })).await;
        assert_not_in_schema(status, &forbidden, "deactivateProvider", "Mutation");
        assert_eq!(app.count("SELECT COUNT(*) FROM admin_log WHERE action LIKE '%PROVIDER'").await, 3);
    }
}

on_both! {
    async fn a_policy_version_is_validated_stored_and_enforced(app) {
        let admin = app.token_for("ADMIN");
        let te = app.token_for("TE_EXPERT");
        let vars = json!({ "c": app.fx.shared });
        let (_, before) = app.gql(&te, FIRST_NAME, vars.clone()).await;
        assert!(before["data"]["client"]["firstName"].is_string(), "{before}");

        let (_, versions) = app.gql(&admin, "{ policyVersions { version source inForce } }", json!({})).await;
        assert_eq!(versions["data"]["policyVersions"], json!([{ "version": 1, "source": "FILES", "inForce": true }]), "{versions}");

        // Refused: does not parse, names no group, widens beyond the contract, locks out.
        let wider = format!("{}p, PROVIDER_COACH, IDENTITY/*, read\n", typgraph::authz::policy::DEFAULT_POLICY);
        for (policy, why) in [
            ("p, TE_EXPERT, CONTACT/*".to_owned(), "expected"),
            (policy_without("p, AUDITOR, AUDIT/*, read"), "AUDIT"),
            (wider.clone(), "PROVIDER_COACH reads IDENTITY"),
            (policy_without("p, ADMIN, MANAGE/policy, write"), "never be changed"),
        ] {
            let (_, body) = app.gql(&admin, LOAD, json!({ "i": { "policy": policy, "comment": "try" } })).await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
            assert!(body["errors"][0]["message"].as_str().unwrap().contains(why), "{why}: {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM policy_version").await, 1);
        let (status, auditor) = app.gql(&app.token_for("AUDITOR"), LOAD, json!({ "i": { "policy": "x", "comment": "x" } })).await;
        assert_not_in_schema(status, &auditor, "loadPolicyVersion", "Mutation");

        // A narrower policy takes effect at once on this replica.
        let narrower = policy_without("p, TE_EXPERT, CONTACT/*, read");
        let (_, loaded) = app.gql(&admin, LOAD, json!({ "i": { "policy": narrower, "comment": "TE reads no contact data" } })).await;
        assert_eq!(loaded["data"]["loadPolicyVersion"], json!({ "version": 2, "source": "ADMIN", "beyondContract": false, "inForce": true, "createdBy": app.fx.official("ADMIN") }), "{loaded}");
        // TE's schema under the new version has no first name: the query is refused before
        // anything runs.
        let (status, after) = app.gql(&te, FIRST_NAME, vars.clone()).await;
        assert_not_in_schema(status, &after, "firstName", "Client");

        // Beyond the contract only with the flag, and recorded as such.
        let (_, flagged) = app.gql(&admin, LOAD, json!({ "i": { "policy": wider, "comment": "pilot", "allowBeyondContract": true } })).await;
        assert_eq!(flagged["data"]["loadPolicyVersion"]["beyondContract"], true, "{flagged}");
        let (_, back) = app.gql(&te, FIRST_NAME, vars).await;
        assert!(back["data"]["client"]["firstName"].is_string(), "{back}");
        let (_, versions) = app.gql(&app.token_for("AUDITOR"), "{ policyVersions { version inForce beyondContract } }", json!({})).await;
        assert_eq!(versions["data"]["policyVersions"][0], json!({ "version": 3, "inForce": true, "beyondContract": true }), "{versions}");
        let detail = app.count("SELECT COUNT(*) FROM admin_log WHERE action = 'LOAD_POLICY' AND detail LIKE '%beyond the contract: PROVIDER_COACH%'").await;
        assert_eq!(detail, 1);
    }
}

on_both! {
    async fn two_replicas_enforce_a_policy_change_and_a_deactivation_at_the_next_request(app) {
        let replica = start_replica(&app.url, [0, 0]);
        let http = reqwest::Client::new();
        let te = app.token_for("TE_EXPERT");
        let vars = json!({ "c": app.fx.shared });
        let (_, there) = ask(&http, &replica.addr, &te, FIRST_NAME, vars.clone()).await;
        assert!(there["data"]["client"]["firstName"].is_string(), "{there}");

        // A policy change through this replica is enforced by the other from its next
        // request on: that request's sign-in reads the new version and compiles it, whether
        // or not the other replica's watcher has heard of it yet.
        let narrower = policy_without("p, TE_EXPERT, CONTACT/*, read");
        let (_, loaded) = app.gql(&app.token_for("ADMIN"), LOAD, json!({ "i": { "policy": narrower, "comment": "replica test" } })).await;
        assert_eq!(loaded["data"]["loadPolicyVersion"]["version"], 2, "{loaded}");
        let changed = Instant::now();
        let (status, body) = ask(&http, &replica.addr, &te, FIRST_NAME, vars.clone()).await;
        let took = changed.elapsed();
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "the other replica still answers: {body}");
        // `ask` takes application/json: a request error is 200 there.
        assert_eq!(status, 200, "{body}");
        assert_not_in_schema_body(&body, "firstName", "Client");
        // The same holds for a client's own token, whose rights the policy gives too.
        let own = app.token(&app.fx.shared, &["CLIENT"]);
        let (_, seen) = ask(&http, &replica.addr, &own, OWN_FIRST_NAME, json!({})).await;
        assert!(seen["data"]["myCase"]["firstName"].is_string(), "{seen}");
        let no_own = policy_without("p, CLIENT, OWN/case, read");
        let (_, loaded) = app.gql(&app.token_for("ADMIN"), LOAD, json!({ "i": { "policy": no_own, "comment": "replica test, own view" } })).await;
        assert_eq!(loaded["data"]["loadPolicyVersion"]["version"], 3, "{loaded}");
        let (_, unseen) = ask(&http, &replica.addr, &own, OWN_FIRST_NAME, json!({})).await;
        assert_eq!(code(&unseen), "FORBIDDEN", "the other replica still shows the client's own case: {unseen}");
        assert!(unseen["data"]["myCase"].is_null(), "{unseen}");

        // Requests that meet a new version together all run under it: back to the default
        // policy, sixteen at once on the other replica each read a first name again.
        let (_, loaded) = app.gql(&app.token_for("ADMIN"), LOAD, json!({ "i": { "policy": typgraph::authz::policy::DEFAULT_POLICY, "comment": "replica test, back" } })).await;
        assert_eq!(loaded["data"]["loadPolicyVersion"]["version"], 4, "{loaded}");
        let together: Vec<_> = (0..16)
            .map(|_| {
                let (http, addr, te, vars) = (http.clone(), replica.addr.clone(), te.clone(), vars.clone());
                tokio::spawn(async move { ask(&http, &addr, &te, FIRST_NAME, vars).await.1 })
            })
            .collect();
        for answer in together {
            let body = answer.await.unwrap();
            assert!(body["data"]["client"]["firstName"].is_string(), "a request ran under an older version: {body}");
        }

        // A deactivation through this replica is refused by the other at the next request.
        let kela = app.token_for("KELA_EXPERT");
        let (status, _) = ask(&http, &replica.addr, &kela, "{ me { officialId } }", json!({})).await;
        assert_eq!(status, 200);
        let (_, off) = app.gql(&app.token_for("ADMIN"), DEACTIVATE, json!({ "id": app.fx.official("KELA_EXPERT") })).await;
        assert_eq!(off["data"]["deactivateOfficial"]["active"], false, "{off}");
        let (status, body) = ask(&http, &replica.addr, &kela, "{ me { officialId } }", json!({})).await;
        assert_eq!((status, code(&body)), (401, "UNAUTHENTICATED"), "{body}");
        eprintln!("policy version 2 enforced by the other replica's next request, answered in {took:?}");
    }
}
