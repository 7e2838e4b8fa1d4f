//! Nested lists load through per-request DataLoaders: the statement count of a page does not
//! depend on its size.

use serde_json::json;

use crate::on_both;

on_both! {
    async fn a_page_of_clients_with_cases_takes_the_same_statements_for_ten_or_a_hundred(app) {
        typgraph::demo::load(&app.db, 160, 7, false).await.unwrap();
        let te = app.token_for("TE_EXPERT");
        let q = "query P($n: Int) { clients(first: $n) { edges { node { id lastName cases { phase openedOn responsibleOfficer } } } } }";
        let mut counts = Vec::new();
        for n in [10, 100] {
            // The counter is the process's: the policy watcher's poll (every second on
            // SQLite) can land inside one measurement, so the least of three is the page's.
            let mut least = f64::MAX;
            for _ in 0..3 {
                let before = app.metric("typgraph_sql_statements_total").await;
                let (_, body) = app.gql(&te, q, json!({ "n": n })).await;
                let after = app.metric("typgraph_sql_statements_total").await;
                let edges = body["data"]["clients"]["edges"].as_array().unwrap();
                assert_eq!(edges.len(), n as usize, "{body}");
                assert!(edges.iter().any(|e| !e["node"]["cases"].as_array().unwrap().is_empty()));
                least = least.min(after - before);
            }
            counts.push(least);
        }
        assert_eq!(counts[0], counts[1], "statements for 10 and 100 clients: {counts:?}");
        assert!(counts[0] > 0.0);
    }
}

/// Each list of the case view, with every column its type shows (dates, times, numbers,
/// flags, optional text), so that a difference in rows, order or decoding shows.
const CASE_VIEW_LISTS: &[(&str, &str)] = &[
    ("typCase", "typCase { id phase criterion openedOn mappingDeadline endedOn outcome responsibleAgency responsibleOfficer specialArrangements educationHistory workHistory }"),
    ("plan", "plan { id kind madeOn goals reviewOn reviewOverdue agreedActions { description dueOn overdue } }"),
    ("consents", "consents { id kind recipientAgency fieldGroups givenOn validUntil withdrawnOn inForce }"),
    ("rehabPeriods", "rehabPeriods { id decisionNumber decidedOn startsOn endsOn daysPerWeek hoursPerDay goal supportNeeds travelDistanceKm endedEarlyOn endReason provider { name } }"),
    ("workAbilityAssessments", "workAbilityAssessments { id assessedOn assessorAgency conclusion restrictions details }"),
    ("benefits", "benefits { id agency benefitKind status decidedOn validFrom validUntil }"),
    ("labourPolicyStatements", "labourPolicyStatements { id issuedOn kind content }"),
    ("employmentItems", "employmentItems { id kind description dueOn }"),
    ("jobCoachings", "jobCoachings { id kind hours startsOn endsOn }"),
    ("meetings", "meetings { id scheduledAt status location heldOn sharedRecord }"),
    ("notes", "notes { id agency sharedWithCaseTeam body createdAt }"),
];

/// The errors of a body whose path starts at `caseView.<list>`, as comparable text.
fn errors_at(body: &serde_json::Value, list: &str) -> Vec<String> {
    let mut found: Vec<String> = body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter(|e| e["path"][0] == "caseView" && e["path"][1] == list)
                .map(|e| format!("{} {}", e["path"], e["extensions"]["code"]))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

on_both! {
    async fn the_case_view_in_one_statement_answers_exactly_as_list_by_list(app) {
        // A whole case view brings its lists in one statement on PostgreSQL; a view of one
        // list loads it by itself. The two must answer the same for every role and client.
        let roles = ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH"];
        let clients = [app.fx.shared.clone(), app.fx.own_only.clone(), app.fx.other_placement.clone()];
        let all: Vec<&str> = CASE_VIEW_LISTS.iter().map(|(_, s)| *s).collect();
        let whole = format!("query W($c: ID!) {{ caseView(clientId: $c) {{ {} }} }}", all.join(" "));
        let (mut rows, mut refusals) = (0, 0);
        for role in roles {
            let token = app.token_for(role);
            for client in &clients {
                let (_, full) = app.gql(&token, &whole, json!({ "c": client })).await;
                for (list, selection) in CASE_VIEW_LISTS {
                    let q = format!("query L($c: ID!) {{ caseView(clientId: $c) {{ {selection} }} }}");
                    let (_, one) = app.gql(&token, &q, json!({ "c": client })).await;
                    // A refused list alone nulls the view: compare the list, null either way.
                    let (a, b) = (&full["data"]["caseView"], &one["data"]["caseView"]);
                    assert_eq!(a[*list], b[*list], "{role} {client} {list}: {full} vs {one}");
                    assert_eq!(errors_at(&full, list), errors_at(&one, list), "{role} {client} {list}");
                    rows += a[*list].as_array().map_or(usize::from(!a[*list].is_null()), |r| r.len());
                    refusals += errors_at(&one, list).len();
                }
            }
        }
        // The comparison saw data and refusals both.
        assert!(rows > 20 && refusals > 5, "{rows} rows, {refusals} refusals");

        // On PostgreSQL the whole view, nested lists included, takes one statement beyond the
        // client's own, no more than a view of the case alone (the case, then its officer);
        // list by list it takes one more per list.
        let te = app.token_for("TE_EXPERT");
        let statements = |q: String| {
            let (app, te) = (&app, &te);
            async move {
                let mut least = f64::MAX;
                for _ in 0..3 {
                    let before = app.metric("typgraph_sql_statements_total").await;
                    let (_, body) = app.gql(te, &q, json!({ "c": app.fx.shared })).await;
                    assert!(!body["data"]["caseView"].is_null(), "{body}");
                    least = least.min(app.metric("typgraph_sql_statements_total").await - before);
                }
                least
            }
        };
        let one = statements(format!("query L($c: ID!) {{ caseView(clientId: $c) {{ {} }} }}", CASE_VIEW_LISTS[0].1)).await;
        let full = statements(whole.clone()).await;
        if app.url.starts_with("postgres") {
            assert!(full < one, "whole view {full} statements, the case alone {one}");
        } else {
            assert!(full >= one + 10.0, "SQLite loads list by list: {full} vs {one}");
        }
    }
}
