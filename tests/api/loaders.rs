//! Nested lists load through per-request DataLoaders: the statement count of a page does not
//! depend on its size.

use serde_json::json;

use crate::helpers::{assert_not_in_schema, TestApp, VisibleTypes};
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
        // Sign-in, the page (each row with its TYP flag), the cases, their officers, the
        // log row listing the page's clients (on SQLite, in process, the listed clients in
        // a statement of their own).
        let most = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => 5.0,
            _ => 6.0,
        };
        assert!(counts[0] > 0.0 && counts[0] <= most, "statements per page: {counts:?}");
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

/// `selection` (fields, some with a sub-selection, on type `ty`) without what `types` does
/// not show; what was left out, as (field, type) pairs, goes to `hidden`.
fn only_visible(
    types: &VisibleTypes,
    ty: &str,
    selection: &str,
    hidden: &mut Vec<(String, String)>,
) -> String {
    let tokens: Vec<&str> = selection.split_whitespace().collect();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let name = tokens[i];
        i += 1;
        // The field's sub-selection, up to its matching brace.
        let mut sub = Vec::new();
        if tokens.get(i) == Some(&"{") {
            let mut depth = 0;
            loop {
                let t = tokens[i];
                i += 1;
                depth += match t {
                    "{" => 1,
                    "}" => -1,
                    _ => 0,
                };
                sub.push(t);
                if depth == 0 {
                    break;
                }
            }
        }
        match types.get(ty).and_then(|fields| fields.get(name)) {
            None => hidden.push((name.to_owned(), ty.to_owned())),
            Some(_) if sub.is_empty() => kept.push(name.to_owned()),
            Some(returns) => {
                let inner = only_visible(types, returns, &sub[1..sub.len() - 1].join(" "), hidden);
                if !inner.is_empty() {
                    kept.push(format!("{name} {{ {inner} }}"));
                }
            }
        }
    }
    kept.join(" ")
}

/// Compares the whole case view of `client` with each of its lists asked alone (rows,
/// order, every column, refusals), each with every column `token`'s schema shows; answers
/// how many rows and refusals it compared.
async fn same_as_list_by_list(
    app: &TestApp,
    token: &str,
    role: &str,
    client: &str,
) -> (usize, usize) {
    let types = app.visible_types(token).await;
    let mut hidden = Vec::new();
    let lists: Vec<(&str, String)> = CASE_VIEW_LISTS
        .iter()
        .map(|(list, selection)| {
            (
                *list,
                only_visible(&types, "CaseView", selection, &mut hidden),
            )
        })
        .filter(|(_, selection)| !selection.is_empty())
        .collect();
    let all: Vec<&str> = lists.iter().map(|(_, s)| s.as_str()).collect();
    let view = |selection: &str| {
        format!("query W($c: ID!) {{ caseView(clientId: $c) {{ {selection} }} }}")
    };
    // What was left out is what the role may never read: asked for, it is refused before
    // anything runs.
    if let Some((field, ty)) = hidden.first() {
        let every: Vec<&str> = CASE_VIEW_LISTS.iter().map(|(_, s)| *s).collect();
        let (status, refused) = app
            .gql(token, &view(&every.join(" ")), json!({ "c": client }))
            .await;
        assert_not_in_schema(status, &refused, field, ty);
    }
    let (mut rows, mut refusals) = (0, 0);
    let (_, full) = app
        .gql(token, &view(&all.join(" ")), json!({ "c": client }))
        .await;
    assert!(
        full.get("data").is_some_and(|d| d.is_object()),
        "{role} {client}: {full}"
    );
    for (list, selection) in &lists {
        let (_, one) = app
            .gql(token, &view(selection), json!({ "c": client }))
            .await;
        // A refused list alone nulls the view: compare the list, null either way.
        let (a, b) = (&full["data"]["caseView"], &one["data"]["caseView"]);
        assert_eq!(
            a[*list], b[*list],
            "{role} {client} {list}: {full} vs {one}"
        );
        assert_eq!(
            errors_at(&full, list),
            errors_at(&one, list),
            "{role} {client} {list}"
        );
        rows += a[*list]
            .as_array()
            .map_or(usize::from(!a[*list].is_null()), |r| r.len());
        refusals += errors_at(&one, list).len();
    }
    (rows, refusals)
}

on_both! {
    async fn the_case_view_in_one_statement_answers_exactly_as_list_by_list(app) {
        // A whole case view brings the client and its lists in one statement on PostgreSQL
        // (the client first for roles that read by consent); a view of one list loads it by
        // itself. The two must answer the same for every role and client.
        let roles = ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH"];
        let clients = [app.fx.shared.clone(), app.fx.own_only.clone(), app.fx.other_placement.clone()];
        let (mut rows, mut refusals) = (0, 0);
        for role in roles {
            let token = app.token_for(role);
            for client in &clients {
                let (r, f) = same_as_list_by_list(&app, &token, role, client).await;
                rows += r;
                refusals += f;
            }
        }
        // The comparison saw data and refusals both.
        assert!(rows > 20 && refusals > 5, "{rows} rows, {refusals} refusals");

        // On PostgreSQL the whole view, nested lists included, takes one statement besides
        // sign-in, the log row and the commit; a view of the case alone takes more (the
        // client, the case, then its officer); list by list it takes one more per list.
        let te = app.token_for("TE_EXPERT");
        let all = CASE_VIEW_LISTS.iter().map(|(_, s)| *s).collect::<Vec<_>>().join(" ");
        let all = only_visible(&app.visible_types(&te).await, "CaseView", &all, &mut Vec::new());
        let whole = format!("query W($c: ID!) {{ caseView(clientId: $c) {{ {all} }} }}");
        let statements = |q: String, client: String| {
            let (app, te) = (&app, &te);
            async move {
                let mut least = f64::MAX;
                for _ in 0..3 {
                    let before = app.metric("typgraph_sql_statements_total").await;
                    let (_, body) = app.gql(te, &q, json!({ "c": client })).await;
                    assert!(!body["data"]["caseView"].is_null(), "{body}");
                    least = least.min(app.metric("typgraph_sql_statements_total").await - before);
                }
                least
            }
        };
        let shared = app.fx.shared.clone();
        let one = statements(format!("query L($c: ID!) {{ caseView(clientId: $c) {{ {} }} }}", CASE_VIEW_LISTS[0].1), shared.clone()).await;
        let full = statements(whole.clone(), shared).await;
        // A client TE registered and that is no TYP client: visible by TE's own records,
        // which the one statement does not probe; `find` reads it, then its lists.
        let own = statements(whole.clone(), app.fx.own_only.clone()).await;
        if app.url.starts_with("postgres") {
            assert!(full < one, "whole view {full} statements, the case alone {one}");
            assert!(full <= 4.0, "whole view {full} statements (sign-in, the view, the log row, the commit)");
            assert!(own <= 6.0, "own-records view {own} statements (sign-in, the view, the client, its lists, the log row, the commit)");
        } else {
            assert!(full >= one + 10.0, "SQLite loads list by list: {full} vs {one}");
        }
    }
}

on_both! {
    async fn a_case_view_opened_by_break_glass_answers_as_list_by_list(app) {
        // A client only the county knows, with a Kela decision and a county note shared with
        // the case team: outside TE's scope, until a break-glass grant opens it as a TYP
        // client's would be. The view in one statement computes that flag itself.
        let x = uuid::Uuid::new_v4().to_string();
        let now = chrono::Utc::now().to_rfc3339();
        let kela = app.fx.official("KELA_EXPERT").to_owned();
        let county = app.fx.official("EKSOTE_WORKER").to_owned();
        let client = format!("INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES ('{x}', '010203A9910', 'Vieno', 'Lasinen', 'EKSOTE', 1, '{now}', '{now}')");
        let benefit = format!("INSERT INTO benefit_decision (id, client_id, agency, benefit_kind, status, decided_on, valid_from, decided_by) VALUES ('{}', '{x}', 'KELA', 'LABOUR_MARKET_SUBSIDY', 'GRANTED', '2026-01-05', '2026-01-05', '{kela}')", uuid::Uuid::new_v4());
        let note = format!("INSERT INTO agency_note (id, client_id, agency, author_id, body, shared_with_case_team, created_at) VALUES ('{}', '{x}', 'EKSOTE', '{county}', 'County note for the team', TRUE, '{now}')", uuid::Uuid::new_v4());
        for sql in [client, benefit, note] {
            app.exec(&sql).await;
        }
        let te = app.token_for("TE_EXPERT");
        let whole = "query W($c: ID!) { caseView(clientId: $c) { client { firstName } benefits { benefitKind } notes { body } } }";

        // Out of scope: the whole view answers as an unknown id would, and logs nothing.
        let (_, out) = app.gql(&te, whole, json!({ "c": x })).await;
        let (_, unknown) = app.gql(&te, whole, json!({ "c": uuid::Uuid::new_v4().to_string() })).await;
        assert_eq!(out, unknown);
        assert!(out["data"]["caseView"].is_null(), "{out}");
        assert_eq!(same_as_list_by_list(&app, &te, "TE_EXPERT", &x).await, (0, 0));
        let logged = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{x}'");
        assert_eq!(app.count(&logged).await, 0);

        let open = "mutation B($i: BreakGlassInput!) { breakGlass(input: $i) { id } }";
        let (_, opened) = app.gql(&te, open, json!({ "i": { "clientId": x, "reason": "Client at the office, benefit stopped" } })).await;
        assert!(opened["data"]["breakGlass"]["id"].is_string(), "{opened}");
        let (_, view) = app.gql(&te, whole, json!({ "c": x })).await;
        assert_eq!(view["data"]["caseView"]["client"]["firstName"], "Vieno", "{view}");
        assert_eq!(view["data"]["caseView"]["benefits"], json!([{ "benefitKind": "LABOUR_MARKET_SUBSIDY" }]), "{view}");
        assert_eq!(view["data"]["caseView"]["notes"], json!([{ "body": "County note for the team" }]), "{view}");
        let (rows, _) = same_as_list_by_list(&app, &te, "TE_EXPERT", &x).await;
        assert!(rows >= 2, "{rows} rows");
        if app.url.starts_with("postgres") {
            // ...in one statement (the grant's client keyed as the view's loaders key it):
            // sign-in, the view, the log row, its break-glass flag, the commit.
            let mut least = f64::MAX;
            for _ in 0..3 {
                let before = app.metric("typgraph_sql_statements_total").await;
                app.gql(&te, whole, json!({ "c": x })).await;
                least = least.min(app.metric("typgraph_sql_statements_total").await - before);
            }
            assert!(least <= 5.0, "{least} statements");
        }
        assert!(app.count(&logged).await > 0);
    }
}

on_both! {
    async fn upcoming_meetings_with_their_clients_take_the_same_statements_for_few_or_many(app) {
        let officer = app.token_for("TYP_OFFICER");
        let te = app.token_for("TE_EXPERT");
        let (_, case) = app.gql(&officer, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].clone();
        assert!(case_id.is_string(), "{case}");
        let q = "{ me { upcomingMeetings { id client { id lastName } } } }";
        let measure = || async {
            let mut least = f64::MAX;
            let mut listed = Vec::new();
            for _ in 0..3 {
                let before = app.metric("typgraph_sql_statements_total").await;
                let (_, body) = app.gql(&te, q, json!({})).await;
                least = least.min(app.metric("typgraph_sql_statements_total").await - before);
                assert!(body.get("errors").is_none(), "{body}");
                listed = body["data"]["me"]["upcomingMeetings"].as_array().unwrap().clone();
            }
            // Every meeting names its client, read in the caller's scope.
            for m in &listed {
                assert_eq!(m["client"]["id"], app.fx.shared.as_str(), "{m}");
                assert!(m["client"]["lastName"].is_string(), "{m}");
            }
            (least, listed.len())
        };
        let schedule = "mutation S($i: ScheduleNetworkMeetingInput!) { scheduleNetworkMeeting(input: $i) { id } }";
        let meeting_in = |days: u64| {
            let (app, case_id, officer) = (&app, &case_id, &officer);
            async move {
            let at = format!("{}T10:00:00Z", app.fx.today.checked_add_days(chrono::Days::new(days)).unwrap());
            let input = json!({ "caseId": case_id, "scheduledAt": at, "participantOfficialIds": [app.fx.official("TE_EXPERT")], "clientAttends": true, "agenda": [{ "agency": "TE", "title": "Job search" }] });
            let (_, made) = app.gql(officer, schedule, json!({ "i": input })).await;
            assert!(made["data"]["scheduleNetworkMeeting"]["id"].is_string(), "{made}");
            }
        };
        meeting_in(1).await;
        let (few, before) = measure().await;
        assert!(before >= 1, "the meeting just scheduled is upcoming");
        for days in 2..=5 {
            meeting_in(days).await;
        }
        let (many, after) = measure().await;
        assert_eq!(after, before + 4);
        // The meetings' clients are read with the meetings, not once more per meeting.
        assert_eq!(few, many, "statements for {before} and {after} meetings");
        let logged = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND operation = 'me'", app.fx.shared);
        assert!(app.count(&logged).await > 0, "the clients read are logged");
    }
}
