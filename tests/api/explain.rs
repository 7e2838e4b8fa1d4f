//! `explainAccess`: its answers match what a real query returns, for a matrix of roles,
//! clients and fields, asked by the official and by an AUDITOR naming the role.

use serde_json::{json, Value as Json};

use crate::on_both;

/// (field as explained, selection inside caseView, the path a refusal is reported at)
const FIELDS: &[(&str, &str, &[&str])] = &[
    (
        "Client.personalIdentityCode",
        "client { personalIdentityCode }",
        &["caseView", "client", "personalIdentityCode"],
    ),
    (
        "Client.phone",
        "client { phone }",
        &["caseView", "client", "phone"],
    ),
    (
        "CaseView.typCase",
        "typCase { phase }",
        &["caseView", "typCase"],
    ),
    ("CaseView.plan", "plan { kind }", &["caseView", "plan"]),
    (
        "CaseView.rehabPeriods",
        "rehabPeriods { startsOn }",
        &["caseView", "rehabPeriods"],
    ),
    (
        "CaseView.workAbilityAssessments",
        "workAbilityAssessments { assessedOn }",
        &["caseView", "workAbilityAssessments"],
    ),
    (
        "CaseView.benefits",
        "benefits { status }",
        &["caseView", "benefits"],
    ),
    (
        "CaseView.consents",
        "consents { id }",
        &["caseView", "consents"],
    ),
    (
        "CaseView.employmentItems",
        "employmentItems { kind }",
        &["caseView", "employmentItems"],
    ),
    (
        "WorkAbilityAssessment.details",
        "workAbilityAssessments { details }",
        &["caseView", "workAbilityAssessments", "*", "details"],
    ),
];

const ROLES: &[(&str, &str)] = &[
    ("TYP_OFFICER", "TE"),
    ("TE_EXPERT", "TE"),
    ("EKSOTE_WORKER", "EKSOTE"),
    ("KELA_EXPERT", "KELA"),
    ("PROVIDER_COACH", "PROVIDER"),
];

const EXPLAIN: &str = "query X($c: ID!, $f: String!, $r: Role, $a: Agency, $p: ID) { explainAccess(clientId: $c, field: $f, role: $r, agency: $a, providerId: $p) { allowed role field group access policy scope consent reasons } }";

fn path_matches(error: &Json, want: &[&str]) -> bool {
    let Some(path) = error["path"].as_array() else {
        return false;
    };
    path.len() == want.len()
        && path
            .iter()
            .zip(want)
            .all(|(p, w)| *w == "*" || p.as_str() == Some(*w))
}

/// Whether the real query answered the field: the client came back and no error names it.
/// `None` for a field of a list's rows when the list came back empty (nothing to compare).
fn answered(body: &Json, path: &[&str]) -> Option<bool> {
    if body["data"]["caseView"].is_null() {
        return Some(false);
    }
    let refused = body["errors"].as_array().is_some_and(|errs| {
        errs.iter()
            .any(|e| path_matches(e, path) || path_matches(e, &path[..2]))
    });
    if refused {
        return Some(false);
    }
    if path.contains(&"*")
        && body["data"]["caseView"][path[1]]
            .as_array()
            .is_none_or(|a| a.is_empty())
    {
        return None;
    }
    Some(true)
}

on_both! {
    async fn explain_matches_what_a_real_query_returns(app) {
        let auditor = app.token_for("AUDITOR");
        let clients = [app.fx.shared.clone(), app.fx.own_only.clone(), app.fx.other_placement.clone()];
        let (mut allowed, mut refused, mut by_consent, mut no_consent, mut by_scope) = (0, 0, 0, 0, 0);
        for (role, agency) in ROLES {
            let token = app.token_for(role);
            for client in &clients {
                for (field, selection, path) in FIELDS {
                    let q = format!("query R($c: ID!) {{ caseView(clientId: $c) {{ {selection} }} }}");
                    let (_, real) = app.gql(&token, &q, json!({ "c": client })).await;
                    let Some(expected) = answered(&real, path) else { continue };
                    let (_, mine) = app.gql(&token, EXPLAIN, json!({ "c": client, "f": field })).await;
                    let e = &mine["data"]["explainAccess"];
                    assert_eq!(e["allowed"], expected, "{role} {field} {client}: explain {mine} vs query {real}");
                    assert_eq!(e["reasons"].as_array().map(|r| r.is_empty()), Some(expected), "{mine}");
                    // An AUDITOR naming the role (and agency, and provider) is answered from the
                    // policy only: the same line and access, allowed wherever the policy grants
                    // it (so wherever the query answers), nothing of the client.
                    let provider = (*role == "PROVIDER_COACH").then(|| app.fx.p1.clone());
                    let (_, theirs) = app.gql(&auditor, EXPLAIN, json!({ "c": client, "f": field, "r": role, "a": agency, "p": provider })).await;
                    let t = &theirs["data"]["explainAccess"];
                    assert_eq!((&t["access"], &t["policy"]), (&e["access"], &e["policy"]), "AUDITOR for {role} {field}: {theirs} vs {mine}");
                    assert_eq!(t["allowed"], e["access"] != "NEVER", "AUDITOR for {role} {field}: {theirs}");
                    assert!(!expected || t["allowed"] == true, "AUDITOR for {role} {field}: {theirs}");
                    if expected { allowed += 1 } else { refused += 1 }
                    let reasons = e["reasons"].to_string();
                    if expected && e["access"] == "CONSENT" { by_consent += 1 }
                    if reasons.contains("the consent") { no_consent += 1 }
                    if reasons.contains("the scope") { by_scope += 1 }
                }
            }
        }
        // The matrix covers every kind of answer.
        assert!(allowed > 20 && refused > 20, "{allowed} allowed, {refused} refused");
        assert!(by_consent >= 1 && no_consent >= 1 && by_scope >= 1, "{by_consent} {no_consent} {by_scope}");
    }
}

on_both! {
    async fn explain_names_the_policy_line_the_consent_and_the_scope(app) {
        let te = app.token_for("TE_EXPERT");
        let (_, b) = app.gql(&te, EXPLAIN, json!({ "c": app.fx.shared, "f": "WorkAbilityAssessment.details" })).await;
        let e = &b["data"]["explainAccess"];
        assert_eq!(e["allowed"], false, "{b}");
        assert_eq!(e["access"], "NEVER");
        assert_eq!(e["group"], "HEALTH");
        assert!(e["policy"].as_str().unwrap().contains("no line gives TE_EXPERT read or consent"), "{b}");

        let kela = app.token_for("KELA_EXPERT");
        let (_, b) = app.gql(&kela, EXPLAIN, json!({ "c": app.fx.shared, "f": "WorkAbilityAssessment.details" })).await;
        let e = &b["data"]["explainAccess"];
        assert_eq!((e["allowed"].clone(), e["access"].clone()), (json!(true), json!("CONSENT")), "{b}");
        assert_eq!(e["policy"], "p, KELA_EXPERT, HEALTH/*, consent");
        assert!(e["consent"].as_str().unwrap().contains(&app.fx.kela_health_consent), "{b}");

        // Out of scope and non-existent are the same answer.
        let coach = app.token_for("PROVIDER_COACH");
        let (_, out) = app.gql(&coach, EXPLAIN, json!({ "c": app.fx.own_only, "f": "Client.phone" })).await;
        let (_, none) = app.gql(&coach, EXPLAIN, json!({ "c": "no-such-client", "f": "Client.phone" })).await;
        assert_eq!(out, none);
        assert_eq!(out["data"]["explainAccess"]["allowed"], false);

        // Bad input is typed; an official cannot explain a role they do not hold.
        let (_, bad) = app.gql(&te, EXPLAIN, json!({ "c": app.fx.shared, "f": "Client.nope" })).await;
        assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "field");
        let (_, other) = app.gql(&te, EXPLAIN, json!({ "c": app.fx.shared, "f": "Client.phone", "r": "KELA_EXPERT" })).await;
        assert_eq!(other["errors"][0]["extensions"]["code"], "FORBIDDEN", "{other}");
        let (_, unnamed) = app.gql(&app.token_for("AUDITOR"), EXPLAIN, json!({ "c": app.fx.shared, "f": "Client.phone" })).await;
        assert_eq!(unnamed["errors"][0]["extensions"]["field"], "role", "{unnamed}");
        // The analyst's schema has no explanation of a person's access.
        let (status, analyst) = app.gql(&app.token_for("ANALYST"), EXPLAIN, json!({ "c": app.fx.shared, "f": "Client.phone" })).await;
        crate::helpers::assert_not_in_schema(status, &analyst, "explainAccess", "Query");
    }
}
