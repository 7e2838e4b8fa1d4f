//! Reports: figures checked against counts computed here from a small fixture, as published
//! (rounded to fives, money to hundreds of euros); small-cell suppression; ANALYST reaches no
//! person; agency roles count only their scope.

use serde_json::{json, Value as Json};

use crate::helpers::{assert_not_in_schema, TestApp};
use crate::on_both;

/// A client with a TYP case and, optionally, a KTT period at a provider.
pub async fn person(
    app: &TestApp,
    n: usize,
    provider: &str,
    period: Option<(&str, &str)>,
    closed: Option<(&str, &str)>,
) {
    let officer = app.fx.official("TYP_OFFICER").to_owned();
    let worker = app.fx.official("EKSOTE_WORKER").to_owned();
    let t = "2019-01-01 00:00:00";
    app.exec(&format!(
        "INSERT INTO client (id, personal_identity_code, first_name, last_name, municipality, registered_by_agency, version, created_at, updated_at) \
         VALUES ('r{n}', 'R{n:010}', 'F', 'L', 'Imatra', 'TE', 1, '{t}', '{t}')"
    )).await;
    let (ended, outcome, phase) = match closed {
        Some((on, outcome)) => (format!("'{on}'"), format!("'{outcome}'"), "CLOSED"),
        None => ("NULL".to_owned(), "NULL".to_owned(), "IMPLEMENTATION"),
    };
    app.exec(&format!(
        "INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, ended_on, outcome, created_at) \
         VALUES ('rc{n}', 'r{n}', '{phase}', 'JOINT_ASSESSMENT', '{officer}', 'TE', '2018-06-01', '2018-09-01', {ended}, {outcome}, '{t}')"
    )).await;
    if let Some((from, to)) = period {
        app.exec(&format!(
            "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, created_at) \
             VALUES ('rp{n}', 'r{n}', '{provider}', 'R-{n}', '2019-01-01', '{worker}', '{from}', '{to}', 3, 6, 'g', '{t}')"
        )).await;
        // Written past the services: the monthly summaries are rebuilt as a bulk load would.
        typgraph::store::ktt_month::rebuild(&app.db, Some(&format!("r{n}")))
            .await
            .unwrap();
    }
}

const ACTIVITY: &str = "query A($f: ReportFilter) { reports { rehabActivity(from: \"2019-03-01\", to: \"2019-04-30\", filter: $f) { month averageClients averageSuppressed endOfMonthClients { value suppressed } } } }";

fn month<'a>(body: &'a Json, m: &str) -> &'a Json {
    body["data"]["reports"]["rehabActivity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["month"] == m)
        .unwrap()
}

on_both! {
    with crate::rehab::coach_window_over_2020;
    async fn the_rehab_series_matches_counts_made_by_hand(app) {
        let (p1, p2) = (app.fx.p1.clone(), app.fx.p2.clone());
        // March 2019: five whole months at P1, one ending on the 15th at P1, three at P2.
        for n in 0..5 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), None).await;
        }
        person(&app, 5, &p1, Some(("2018-12-16", "2019-03-15")), None).await;
        for n in 6..9 {
            person(&app, n, &p2, Some(("2019-03-01", "2019-04-10")), None).await;
        }
        let analyst = app.token_for("ANALYST");
        let (_, body) = app.gql(&analyst, ACTIVITY, json!({})).await;
        // Person-days in March: 5 x 31 + 15 + 3 x 31 = 263; 263 / 31 = 8.48, published as 10.
        let march = month(&body, "2019-03");
        assert_eq!(march["averageClients"], 10.0, "{body}");
        assert_eq!(march["endOfMonthClients"], json!({ "value": 10, "suppressed": false }), "8, rounded");
        // April: 5 x 30 + 3 x 10 = 180 person-days; 6.0 a day (published 5); 5 at the end.
        let april = month(&body, "2019-04");
        assert_eq!(april["averageClients"], 5.0);
        assert_eq!(april["endOfMonthClients"]["value"], 5);
        // Filtered to P2: three persons, suppressed.
        let (_, p2_only) = app.gql(&analyst, ACTIVITY, json!({ "f": { "providerId": p2 } })).await;
        let m = month(&p2_only, "2019-03");
        assert_eq!(m["averageClients"], Json::Null, "{p2_only}");
        assert_eq!(m["averageSuppressed"], true);
        assert_eq!(m["endOfMonthClients"], json!({ "value": null, "suppressed": true }));
        // A coach counts its own provider only: six persons at P1 in March.
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), ACTIVITY, json!({})).await;
        let m = month(&coach, "2019-03");
        assert_eq!(m["endOfMonthClients"]["value"], 5, "{coach}");
        assert_eq!(m["averageClients"], 5.0, "(5 x 31 + 15) / 31 = 5.48, rounded");
        // By provider kind: P1 is the only county workshop, so the same figures.
        let (_, kind) = app.gql(&analyst, ACTIVITY, json!({ "f": { "providerKind": "COUNTY_WORKSHOP" } })).await;
        let m = month(&kind, "2019-03");
        assert_eq!(m["endOfMonthClients"]["value"], 5, "{kind}");
        assert_eq!(m["averageClients"], 5.0);
    }
}

/// Summary rows whose copy of a client fact differs from the client's row.
async fn stale_summary_facts(app: &TestApp) -> i64 {
    let differs = |c: &str| match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!("k.{c} IS DISTINCT FROM c.{c}"),
        _ => format!("k.{c} IS NOT c.{c}"),
    };
    let mut stale = 0;
    for table in migration::summary_facts::SUMMARIES {
        let conds: Vec<String> = migration::summary_facts::FACTS
            .iter()
            .map(|(c, _)| differs(c))
            .collect();
        stale += app
            .count(&format!(
                "SELECT COUNT(*) FROM {table} k JOIN client c ON c.id = k.client_id WHERE {}",
                conds.join(" OR ")
            ))
            .await;
    }
    stale
}

on_both! {
    async fn monthly_reports_follow_their_clients_facts_as_they_change(app) {
        let p1 = app.fx.p1.clone();
        for n in 0..10 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), None).await;
        }
        assert!(app.count("SELECT COUNT(*) FROM ktt_client_month WHERE client_id = 'r0'").await > 0);
        assert_eq!(stale_summary_facts(&app).await, 0);
        let analyst = app.token_for("ANALYST");
        let at_end = |body: &Json| month(body, "2019-03")["endOfMonthClients"].clone();
        let ask = async |token: &str, f: Json| {
            let (_, body) = app.gql(token, ACTIVITY, json!({ "f": f })).await;
            assert!(body["errors"].is_null(), "{body}");
            at_end(&body)
        };
        let ten = json!({ "value": 10, "suppressed": false });
        let five = json!({ "value": 5, "suppressed": false });
        assert_eq!(ask(&analyst, json!({ "municipality": "Imatra" })).await, ten);
        assert_ne!(ask(&analyst, json!({ "municipality": "Lemi" })).await, five);
        assert_eq!(ask(&analyst, json!({ "responsibleAgency": "TE" })).await, ten);
        let officer = app.token_for("TYP_OFFICER");
        assert_eq!(ask(&officer, json!({})).await, ten);

        // Written past the services, after the summaries were built: the copies follow.
        let half = "('r0', 'r1', 'r2', 'r3', 'r4')";
        app.exec(&format!("UPDATE client SET municipality = 'Lemi' WHERE id IN {half}")).await;
        assert_eq!(ask(&analyst, json!({ "municipality": "Imatra" })).await, five);
        assert_eq!(ask(&analyst, json!({ "municipality": "Lemi" })).await, five);
        app.exec(&format!("UPDATE typ_case SET responsible_agency = 'KELA' WHERE client_id IN {half}")).await;
        assert_eq!(ask(&analyst, json!({ "responsibleAgency": "TE" })).await, five);
        assert_eq!(ask(&analyst, json!({ "responsibleAgency": "KELA" })).await, five);
        assert_eq!(ask(&officer, json!({})).await, ten, "still TYP clients");
        // Out of the employment authority's scope: no longer TYP clients (the agreement
        // withdrawn), registered by Kela, and no case or record of TE's.
        app.exec(&format!("UPDATE client SET registered_by_agency = 'KELA' WHERE id IN {half}")).await;
        app.exec(&format!("UPDATE typ_case SET agreement_withdrawn_on = '2019-01-02' WHERE client_id IN {half}")).await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_client_month WHERE client_id IN {half} AND typ_through IS NOT NULL")).await, 0);
        assert_eq!(ask(&officer, json!({})).await, five);
        // The county's scope keeps them: the periods are its own records.
        assert_eq!(ask(&app.token_for("EKSOTE_WORKER"), json!({})).await, ten);
        // A case deleted (as retention erasure would) drops its agency from the copies.
        app.exec("DELETE FROM typ_case WHERE client_id = 'r0'").await;
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_month WHERE client_id = 'r0' AND responsible_kela").await, 0);
        assert_eq!(stale_summary_facts(&app).await, 0);
        // A rebuild writes the same copies the trigger kept.
        typgraph::store::ktt_month::rebuild(&app.db, None).await.unwrap();
        assert_eq!(stale_summary_facts(&app).await, 0);
        assert_eq!(ask(&analyst, json!({ "municipality": "Lemi" })).await, five);
    }
}

on_both! {
    async fn a_small_outcome_cell_and_the_cell_that_would_reveal_it_are_suppressed(app) {
        let p1 = app.fx.p1.clone();
        let mut n = 0;
        for (outcome, count) in [("STUDIES", 6), ("PENSION", 4), ("MOVED", 9)] {
            for _ in 0..count {
                person(&app, n, &p1, None, Some(("2019-05-15", outcome))).await;
                n += 1;
            }
        }
        let q = "{ reports { caseOutcomes(from: \"2019-01-01\", to: \"2019-12-31\") { closedCases { value } byOutcome { outcome cases { value suppressed } } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let r = &body["data"]["reports"]["caseOutcomes"];
        assert_eq!(r["closedCases"]["value"], 20, "19, rounded: {body}");
        let cell = |o: &str| r["byOutcome"].as_array().unwrap().iter().find(|x| x["outcome"] == o).unwrap()["cases"].clone();
        assert_eq!(cell("PENSION"), json!({ "value": null, "suppressed": true }));
        // 19 - 6 - 9 would give the 4 away: the smallest other cell is hidden too.
        assert_eq!(cell("STUDIES"), json!({ "value": null, "suppressed": true }));
        assert_eq!(cell("MOVED"), json!({ "value": 10, "suppressed": false }), "9, rounded");
        // None is fewer than five too: a zero beside the hidden cells would say where they are.
        assert_eq!(cell("OTHER"), json!({ "value": null, "suppressed": true }));
        let on = "{ reports { typClientsOn(on: \"2019-03-01\") { value suppressed } } }";
        let (_, open) = app.gql(&app.token_for("ANALYST"), on, json!({})).await;
        assert_eq!(open["data"]["reports"]["typClientsOn"]["value"], 20, "19, rounded: {open}");
    }
}

on_both! {
    async fn the_analyst_reaches_no_person_by_any_path(app) {
        let analyst = app.token_for("ANALYST");
        let (_, roots) = app.gql(&analyst, "{ __schema { queryType { fields { name } } types { name } } }", json!({})).await;
        let fields: Vec<&str> = roots["data"]["__schema"]["queryType"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(fields, ["me", "labels", "reports", "providers", "programmes"], "{roots}"); // labels: code names; programmes: names and dates; no person
        let types: Vec<&str> = roots["data"]["__schema"]["types"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        for person_type in ["Client", "CaseView", "TypCase", "WorkAbilityAssessment", "AccessLogEntry"] {
            assert!(!types.contains(&person_type), "{person_type} is visible to ANALYST");
        }
        // Every path to a person is refused before anything runs, and nothing is logged.
        for (q, root) in [("query Q($c: ID!) { client(id: $c) { id } }", "client"), ("query Q($c: ID!) { caseView(clientId: $c) { client { id } } }", "caseView"), ("query Q($c: ID!) { accessLog(clientId: $c) { edges { cursor } } }", "accessLog")] {
            let (status, body) = app.gql(&analyst, q, json!({ "c": app.fx.shared })).await;
            assert_not_in_schema(status, &body, root, "Query");
        }
        let (status, list) = app.gql(&analyst, "{ clients { edges { node { id } } } }", json!({})).await;
        assert_not_in_schema(status, &list, "clients", "Query");
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
        for role in ["AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), "{ reports { typClientsOn(on: \"2019-01-01\") { value } } }", json!({})).await;
            assert_not_in_schema(status, &body, "reports", "Query");
        }
    }
}

on_both! {
    async fn money_meetings_lengths_and_providers_match_the_fixture(app) {
        let (p1, p2) = (app.fx.p1.clone(), app.fx.p2.clone());
        let coach = app.fx.official("PROVIDER_COACH").to_owned();
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        for n in 0..5 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), None).await;
            // Two attended days and one absence in March; the allowance lines they made.
            for (d, present) in [("04", true), ("05", true), ("06", false)] {
                let reason = if present { "NULL" } else { "'sick'" };
                app.exec(&format!("INSERT INTO attendance_day (id, period_id, day, present, absence_reason, recorded_by, recorded_at) VALUES ('ad{n}{d}', 'rp{n}', '2019-03-{d}', {}, {reason}, '{coach}', '2019-03-{d} 12:00:00')", if present { "TRUE" } else { "FALSE" })).await;
            }
            for (kind, payer, cents) in [("EXPENSE_ALLOWANCE", "KELA", 1800), ("TRAVEL", "EKSOTE", 1280)] {
                app.exec(&format!("INSERT INTO allowance_line (id, period_id, month, kind, payer, days, amount_cents, rule_version, created_at) VALUES ('al{n}{kind}', 'rp{n}', '2019-03', '{kind}', '{payer}', 2, {cents}, 'test', '2019-03-31 12:00:00')")).await;
            }
            app.exec(&format!("INSERT INTO network_meeting (id, case_id, client_id, scheduled_at, status, shared_record, held_on, created_by, created_at) VALUES ('nm{n}', 'rc{n}', 'r{n}', '2019-03-10 09:00:00', 'HELD', 'x', '2019-03-10', '{officer}', '2019-03-01 09:00:00')")).await;
        }
        for n in 5..8 {
            person(&app, n, &p2, Some(("2019-03-01", "2019-04-10")), None).await;
        }
        typgraph::store::ktt_month::rebuild(&app.db, None).await.unwrap();
        let analyst = app.token_for("ANALYST");
        let q = "{ reports { \
            allowances(from: \"2019-03-01\", to: \"2019-04-30\") { month allowanceCents { value } travelCents { value } persons { value } } \
            meetings(from: \"2019-03-01\", to: \"2019-03-31\") { meetingsHeld { value suppressed } } \
            periodLengths(from: \"2019-01-01\", to: \"2019-12-31\") { months periods { value suppressed } } \
            providerActivity(from: \"2019-03-01\", to: \"2019-03-31\") { providerId attendedDays { value } recordedDays { value } attendanceRatePermille } \
            rehabActivity(from: \"2019-03-01\", to: \"2019-03-31\") { month attendedDays { value suppressed } } } }";
        let (_, body) = app.gql(&analyst, q, json!({})).await;
        let r = &body["data"]["reports"];
        // 90 and 64 euros, published in whole hundreds of euros.
        assert_eq!(r["allowances"][0], json!({ "month": "2019-03", "allowanceCents": { "value": 10000 }, "travelCents": { "value": 10000 }, "persons": { "value": 5 } }), "{body}");
        // Nobody paid in April: fewer than five persons, so nothing is published.
        assert_eq!(r["allowances"][1], json!({ "month": "2019-04", "allowanceCents": { "value": null }, "travelCents": { "value": null }, "persons": { "value": null } }));
        assert_eq!(r["meetings"]["meetingsHeld"], json!({ "value": 5, "suppressed": false }));
        // Five periods of five months, three of six weeks: the 3 is hidden, and with it the
        // 5 that its total would reveal.
        let lengths = r["periodLengths"].as_array().unwrap();
        assert_eq!(lengths[0], json!({ "months": "0-2", "periods": { "value": null, "suppressed": true } }));
        assert_eq!(lengths[1], json!({ "months": "3-5", "periods": { "value": null, "suppressed": true } }));
        assert_eq!(lengths[2], json!({ "months": "6-8", "periods": { "value": null, "suppressed": true } }), "none is fewer than five");
        let providers = r["providerActivity"].as_array().unwrap();
        let at_p1 = providers.iter().find(|p| p["providerId"] == p1).unwrap();
        assert_eq!(at_p1["attendedDays"]["value"], 10, "{body}");
        assert_eq!(at_p1["recordedDays"]["value"], 15);
        assert_eq!(at_p1["attendanceRatePermille"], 666);
        assert_eq!(r["rehabActivity"][0]["attendedDays"], json!({ "value": 10, "suppressed": false }));
        // The fixture's own two attendance days at P1 fall in another month; P2 has none.
        assert!(providers.iter().all(|p| p["providerId"] != p2));
        // A range that starts inside a month is refused: days are no unit of a report, or
        // two ranges a day apart would tell that day's attendance. Two whole months read the
        // monthly summary: March's days, nothing in April.
        let part = "{ reports { providerActivity(from: \"2019-03-05\", to: \"2019-04-30\") { providerId attendedDays { value } recordedDays { value } } } }";
        let (_, refused) = app.gql(&analyst, part, json!({})).await;
        assert_eq!(refused["errors"][0]["extensions"]["field"], "from", "{refused}");
        let whole = part.replace("2019-03-05", "2019-03-01");
        let (_, body) = app.gql(&analyst, &whole, json!({})).await;
        let at_p1 = body["data"]["reports"]["providerActivity"].as_array().unwrap().iter().find(|p| p["providerId"] == p1).unwrap().clone();
        assert_eq!(at_p1["attendedDays"]["value"], 10, "{body}");
        assert_eq!(at_p1["recordedDays"]["value"], 15);
        // Coaches read no meetings (CASE).
        let (_, coach_body) = app.gql(&app.token_for("PROVIDER_COACH"), "{ reports { meetings(from: \"2019-03-01\", to: \"2019-03-31\") { meetingsHeld { value } } } }", json!({})).await;
        assert_eq!(coach_body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    }
}

on_both! {
    async fn every_report_exports_as_csv_with_the_same_suppression(app) {
        let p1 = app.fx.p1.clone();
        let mut n = 0;
        for (outcome, count) in [("STUDIES", 6), ("PENSION", 4), ("MOVED", 9)] {
            for _ in 0..count {
                person(&app, n, &p1, None, Some(("2019-05-15", outcome))).await;
                n += 1;
            }
        }
        let url = |name: &str| app.endpoint(&format!("/exports/reports/{name}.csv?from=2019-01-01&to=2019-12-31"));
        let analyst = app.token_for("ANALYST");
        let res = app.http.get(url("case-outcomes")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["cache-control"], "no-store");
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "measure,cases,suppressed");
        assert!(lines.contains(&"CLOSED_CASES,20,false"), "{csv}");
        assert!(lines.contains(&"PENSION,,true") && lines.contains(&"STUDIES,,true") && lines.contains(&"MOVED,10,false"), "{csv}");
        for name in ["assessments", "follow-ups", "rehab-activity", "typ-clients-on", "allowances", "meetings", "period-lengths", "provider-activity", "service-interruptions"] {
            let res = app.http.get(url(name)).bearer_auth(&analyst).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{name}");
            let body = res.text().await.unwrap();
            assert!(body.lines().count() >= 1 && !body.contains("Koemäki") && !body.contains("010190-901R"), "{name}: {body}");
        }
        let res = app.http.get(url("case-outcomes")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
        let res = app.http.get(url("case-outcomes")).bearer_auth(app.token_for("AUDITOR")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let res = app.http.get(url("no-such-report")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        let bad = app.http.get(app.endpoint("/exports/reports/meetings.csv?from=2019-01-01&to=nope")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
    }
}

on_both! {
    async fn assessments_avoided_duplicates_and_follow_ups_are_counted(app) {
        let p1 = app.fx.p1.clone();
        let worker = app.fx.official("EKSOTE_WORKER").to_owned();
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        for n in 0..6 {
            person(&app, n, &p1, None, Some(("2019-02-01", "OPEN_LABOUR_MARKET"))).await;
            app.exec(&format!("INSERT INTO work_ability_assessment (id, client_id, assessed_on, assessor_agency, assessor_id, conclusion, created_at) VALUES ('wa{n}', 'r{n}', '2019-03-01', 'EKSOTE', '{worker}', 'ok', '2019-03-01 12:00:00')")).await;
            let status = if n == 0 { "UNEMPLOYED" } else { "EMPLOYED" };
            app.exec(&format!("INSERT INTO case_follow_up (id, case_id, months_after, status, recorded_on, recorded_by) VALUES ('fu{n}', 'rc{n}', 3, '{status}', '2019-05-02', '{officer}')")).await;
        }
        // Each of five persons had a new assessment refused in favour of the existing one.
        for n in 0..5 {
            app.exec(&format!("INSERT INTO assessment_reuse (id, client_id, assessment_id, requested_by_agency, requested_on) VALUES ('ru{n}', 'r{n}', 'wa{n}', 'KELA', '2019-06-01')")).await;
        }
        let q = "{ reports { assessments(from: \"2019-01-01\", to: \"2019-12-31\") { done { value } duplicatesAvoided { value } } \
                 followUps(from: \"2019-01-01\", to: \"2019-12-31\") { monthsAfter byStatus { status persons { value suppressed } } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let r = &body["data"]["reports"];
        assert_eq!(r["assessments"], json!({ "done": { "value": 5 }, "duplicatesAvoided": { "value": 5 } }), "6, rounded: {body}");
        let three = r["followUps"].as_array().unwrap().iter().find(|x| x["monthsAfter"] == 3).unwrap();
        let cell = |s: &str| three["byStatus"].as_array().unwrap().iter().find(|x| x["status"] == s).unwrap()["persons"].clone();
        assert_eq!(cell("UNEMPLOYED"), json!({ "value": null, "suppressed": true }));
        assert_eq!(cell("EMPLOYED"), json!({ "value": null, "suppressed": true }), "5 + 1 = 6 would reveal the 1");
        assert_eq!(cell("STUDYING"), json!({ "value": null, "suppressed": true }), "none is fewer than five");
    }
}

on_both! {
    async fn individual_support_clients_are_those_whose_case_records_the_track(app) {
        for n in 0..9 {
            person(&app, n, &app.fx.p1.clone(), None, None).await;
        }
        // Recorded on the case, not derived from coaching: a client with one-to-one coaching
        // on the multi-sector track is not counted, nor a case with no recorded track.
        for n in 0..6 {
            app.exec(&format!("UPDATE typ_case SET service_track = 'INDIVIDUAL_SUPPORT' WHERE id = 'rc{n}'")).await;
        }
        app.exec("UPDATE typ_case SET service_track = 'MULTI_SECTOR' WHERE id IN ('rc6', 'rc7')").await;
        app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on) VALUES ('jc6', 'r6', '{}', 'INDIVIDUAL', 'TE', 50, '2021-01-01', NULL)", app.fx.p1)).await;
        let q = "query I($f: ReportFilter) { reports { individualSupportClientsOn(on: \"2021-06-01\", filter: $f) { value suppressed } } }";
        let analyst = app.token_for("ANALYST");
        let (_, all) = app.gql(&analyst, q, json!({})).await;
        assert_eq!(all["data"]["reports"]["individualSupportClientsOn"], json!({ "value": 5, "suppressed": false }), "6, rounded: {all}");
        let (_, te) = app.gql(&analyst, q, json!({ "f": { "responsibleAgency": "TE" } })).await;
        assert_eq!(te["data"]["reports"]["individualSupportClientsOn"]["value"], 5);
        let (_, kela) = app.gql(&analyst, q, json!({ "f": { "responsibleAgency": "KELA" } })).await;
        assert_eq!(kela["data"]["reports"]["individualSupportClientsOn"], json!({ "value": null, "suppressed": true }));
        // A provider filter no longer applies: the track is no placement's.
        let (_, by_provider) = app.gql(&analyst, q, json!({ "f": { "providerId": app.fx.p1 } })).await;
        assert_eq!(by_provider["errors"][0]["extensions"]["field"], "providerId", "{by_provider}");
        let csv = app.http.get(app.endpoint("/exports/reports/typ-clients-on.csv?from=2021-06-01&to=2021-06-01")).bearer_auth(&analyst).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().nth(1), Some("2021-06-01,10,false,5,false"), "9 and 6, rounded: {csv}");
    }
}

on_both! {
    async fn agreed_actions_opened_closed_and_overdue_match_the_fixture(app) {
        let p1 = app.fx.p1.clone();
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        for n in 0..7 {
            person(&app, n, &p1, None, None).await;
        }
        let action = |id: &str, n: usize, created: &str, due: &str, done: Option<&str>| {
            let done = done.map_or("NULL".to_owned(), |d| format!("'{d}'"));
            // A day, opened at nine; or a time of day given.
            let at = if created.len() == 10 { format!("{created} 09:00:00") } else { created.to_owned() };
            format!("INSERT INTO agreed_action (id, case_id, owner_agency, description, due_on, completed_on, created_by, created_at) VALUES ('{id}', 'rc{n}', 'TE', 'd', '{due}', {done}, '{officer}', '{at}')")
        };
        // March 2019: six persons get an action due on the 20th; five finish it on the 25th.
        for n in 0..6 {
            let done = (n < 5).then_some("2019-03-25");
            app.exec(&action(&format!("aa{n}"), n, "2019-03-05", "2019-03-20", done)).await;
        }
        // A second action for person 0, not yet due; and one from February closed in March.
        app.exec(&action("aa0b", 0, "2019-03-06", "2019-04-30", None)).await;
        app.exec(&action("aa6", 6, "2019-02-01", "2019-02-28", Some("2019-03-10"))).await;
        let q = "{ reports { meetings(from: \"2019-03-01\", to: \"2019-03-31\") { actionsOpened { value suppressed } actionsClosed { value suppressed } actionsOverdue { value suppressed } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let m = &body["data"]["reports"]["meetings"];
        assert_eq!(m["actionsOpened"], json!({ "value": 5, "suppressed": false }), "7, rounded: {body}");
        assert_eq!(m["actionsClosed"], json!({ "value": 5, "suppressed": false }), "6, rounded");
        // One person's overdue action: hidden.
        assert_eq!(m["actionsOverdue"], json!({ "value": null, "suppressed": true }));

        // Each kind is read by its own part of the statement: the edges of each.
        for n in 1..=4 {
            // Due in March, closed in April: overdue at the end of March.
            app.exec(&action(&format!("ab{n}"), n, "2019-01-10", "2019-03-15", Some("2019-04-10"))).await;
        }
        for n in 1..=3 {
            // Opened late on March's last day.
            app.exec(&action(&format!("ad{n}"), n, "2019-03-31 23:30:00", "2019-06-30", None)).await;
            // Closed before March: in no figure.
            app.exec(&action(&format!("ac{n}"), n, "2019-01-10", "2019-02-01", Some("2019-02-20"))).await;
            // Due on the range's last day, still open: not yet overdue.
            app.exec(&action(&format!("af{n}"), n, "2019-01-10", "2019-03-31", None)).await;
        }
        for n in 4..=6 {
            // Opened late on February's last day: not in March.
            app.exec(&action(&format!("ae{n}"), n, "2019-02-28 23:30:00", "2019-06-30", None)).await;
        }
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let m = &body["data"]["reports"]["meetings"];
        assert_eq!(m["actionsOpened"], json!({ "value": 10, "suppressed": false }), "7 + 3 (not 13, rounded 15): {body}");
        assert_eq!(m["actionsClosed"], json!({ "value": 5, "suppressed": false }), "still 6, rounded");
        assert_eq!(m["actionsOverdue"], json!({ "value": 5, "suppressed": false }), "1 + 4 persons (not 8, rounded 10)");
    }
}

on_both! {
    async fn service_interruptions_in_the_range_explain_the_dip(app) {
        app.exec("INSERT INTO service_interruption (id, starts_on, ends_on, reason) VALUES ('si1', '2020-03-17', '2020-05-31', 'Closed by government order')").await;
        app.exec("INSERT INTO service_interruption (id, starts_on, ends_on, reason) VALUES ('si0', '2018-01-01', '2018-01-31', 'Moved premises')").await;
        let q = "{ reports { serviceInterruptions(from: \"2020-05-01\", to: \"2020-12-31\") { startsOn endsOn reason } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        assert_eq!(body["data"]["reports"]["serviceInterruptions"], json!([{ "startsOn": "2020-03-17", "endsOn": "2020-05-31", "reason": "Closed by government order" }]), "{body}");
    }
}
