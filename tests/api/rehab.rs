//! KTT period decisions, attendance and the allowances it produces.

use chrono::{Days, Months};
use serde_json::{json, Value as Json};

use crate::helpers::{assert_mutation_not_in_schema, assert_not_in_schema, TestApp};
use crate::on_both;

const DECIDE: &str = "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id startsOn endsOn daysPerWeek hoursPerDay decisionNumber provider { id } } }";
const RECORD: &str =
    "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded unchanged } }";

fn err(body: &Json) -> (String, String) {
    (
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

fn period_input(
    app: &TestApp,
    client: &str,
    start_offset: u64,
    months: u32,
    days: i32,
    hours: i32,
) -> Json {
    let start = app
        .fx
        .today
        .checked_add_days(Days::new(start_offset))
        .unwrap();
    let end = start
        .checked_add_months(Months::new(months))
        .unwrap()
        .checked_sub_days(Days::new(1))
        .unwrap();
    let today = app.fx.today.to_string();
    json!({ "i": { "clientId": client, "providerId": app.fx.p1, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": days, "hoursPerDay": hours, "goal": "Daily rhythm", "decidedOn": today, "servedOn": today, "hearingOn": today } })
}

on_both! {
    async fn a_period_decision_follows_the_rules_of_the_act(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        // The shared client's plan holds a KTT item; its period ends 30 days ahead.
        let client = app.fx.shared.clone();
        // Three months is the least: a day less is refused.
        let mut short = period_input(&app, &client, 40, 3, 3, 6);
        let end = short["i"]["endsOn"].as_str().unwrap().parse::<chrono::NaiveDate>().unwrap().checked_sub_days(Days::new(1)).unwrap();
        short["i"]["endsOn"] = json!(end.to_string());
        assert_eq!(err(&app.gql(&worker, DECIDE, short).await.1), ("BAD_USER_INPUT".into(), "endsOn".into()));
        assert_eq!(err(&app.gql(&worker, DECIDE, period_input(&app, &client, 40, 3, 5, 6)).await.1).1, "daysPerWeek");
        assert_eq!(err(&app.gql(&worker, DECIDE, period_input(&app, &client, 40, 3, 3, 3)).await.1).1, "hoursPerDay");
        assert_eq!(err(&app.gql(&worker, DECIDE, period_input(&app, &client, 40, 3, 3, 9)).await.1).1, "hoursPerDay");
        assert_eq!(err(&app.gql(&worker, DECIDE, period_input(&app, &client, 40, 25, 3, 6)).await.1).1, "endsOn");
        let mut unknown = period_input(&app, &client, 40, 3, 3, 6);
        unknown["i"]["providerId"] = json!("no-such-provider");
        assert_eq!(err(&app.gql(&worker, DECIDE, unknown).await.1).1, "providerId");
        // 4 days of 8 hours (32 h) for exactly 3 months is accepted.
        let (_, ok) = app.gql(&worker, DECIDE, period_input(&app, &client, 40, 3, 4, 8)).await;
        let decided = &ok["data"]["decideRehabPeriod"];
        assert_eq!(decided["daysPerWeek"], 4, "{ok}");
        assert!(decided["decisionNumber"].as_str().unwrap().starts_with("KTT-"));
        let decided_by = app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE decision_number = {} AND decided_by = '{}'", decided["decisionNumber"].to_string().replace('"', "'"), app.fx.official("EKSOTE_WORKER"))).await;
        assert_eq!(decided_by, 1);
        // An overlapping period is a conflict.
        assert_eq!(err(&app.gql(&worker, DECIDE, period_input(&app, &client, 60, 3, 3, 6)).await.1).0, "CONFLICT");
        // Roles without REHAB write.
        // Roles without REHAB write: not in their schema.
        let periods = format!("SELECT COUNT(*) FROM rehab_period WHERE client_id = '{client}'");
        let before = app.count(&periods).await;
        for role in ["TE_EXPERT", "KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), DECIDE, period_input(&app, &client, 200, 3, 3, 6)).await;
            assert_mutation_not_in_schema(role, status, &body, "decideRehabPeriod");
        }
        assert_eq!(app.count(&periods).await, before, "nothing written");
    }
}

on_both! {
    async fn more_than_twenty_four_months_in_a_row_needs_a_reviewed_plan(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        // The shared client is in KTT from 60 days ago to 30 days ahead; a period right after
        // it for 23 months makes the run longer than 24 months.
        let next = period_input(&app, &app.fx.shared, 31, 23, 3, 6);
        let (_, refused) = app.gql(&worker, DECIDE, next.clone()).await;
        assert_eq!(err(&refused), ("BAD_USER_INPUT".into(), "startsOn".into()), "{refused}");
        let (_, case) = app.gql(&worker, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].clone();
        let (_, plan) = app.gql(&app.token_for("TYP_OFFICER"), "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { id } }", json!({ "i": { "caseId": case_id, "madeOn": app.fx.today.to_string(), "goals": "Reviewed after two years" } })).await;
        assert!(plan["data"]["createEmploymentPlan"]["id"].is_string(), "{plan}");
        // The reviewed plan is the plan in force: the period rests on its own KTT item.
        let (_, none) = app.gql(&worker, DECIDE, next.clone()).await;
        assert_eq!(err(&none), ("BAD_USER_INPUT".into(), "planItem".into()), "{none}");
        let item = json!({ "i": { "planId": plan["data"]["createEmploymentPlan"]["id"], "goal": "Towards studies", "support": "Weekly guidance", "agreedOn": app.fx.today.to_string() } });
        let (_, added) = app.gql(&app.token_for("TYP_OFFICER"), "mutation K($i: AddKttPlanItemInput!) { addKttPlanItem(input: $i) { id goal support agreedOn } }", item).await;
        assert_eq!(added["data"]["addKttPlanItem"]["support"], "Weekly guidance", "{added}");
        let (_, ok) = app.gql(&worker, DECIDE, next).await;
        assert!(ok["data"]["decideRehabPeriod"]["id"].is_string(), "{ok}");
    }
}

/// The app with a coach's window after a period's end long enough to reach the 2020
/// placement below (the window itself is tested in `coach_window`).
pub fn coach_window_over_2020(url: &str) -> typgraph::config::Config {
    let mut config = crate::helpers::test_config(url);
    config.settings.coach_access_days_after_end = 20 * 366;
    config
}

/// A far placement in 2020, around the closure by government order from 17 March.
async fn period_2020(app: &TestApp) -> String {
    let e = app.fx.official("EKSOTE_WORKER").to_owned();
    app.exec(&format!(
        "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, travel_distance_km, created_at) \
         VALUES ('p2020', '{}', '{}', 'KTT-2020-1', '2019-12-15', '{e}', '2020-01-01', '2020-12-31', 4, 6, 'g', 12.5, '2019-12-15 12:00:00')",
        app.fx.shared, app.fx.p1
    )).await;
    app.exec("INSERT INTO service_interruption (id, starts_on, ends_on, reason) VALUES ('covid', '2020-03-17', '2020-05-31', 'Closed by government order')").await;
    "p2020".to_owned()
}

fn day(date: &str, present: bool) -> Json {
    if present {
        json!({ "date": date, "present": true })
    } else {
        json!({ "date": date, "present": false, "absenceReason": "sick" })
    }
}

on_both! {
    with coach_window_over_2020;
    async fn allowances_match_hand_computed_figures_to_the_cent(app) {
        let period = period_2020(&app).await;
        let coach = app.token_for("PROVIDER_COACH");
        // March 2020, Monday to Thursday: the 10th absent; the 17th onwards closed.
        let march = vec![
            day("2020-03-02", true), day("2020-03-03", true), day("2020-03-04", true), day("2020-03-05", true),
            day("2020-03-09", true), day("2020-03-10", false), day("2020-03-11", true), day("2020-03-12", true),
            day("2020-03-16", true),
        ];
        let (_, first) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": march } })).await;
        assert_eq!(first["data"]["recordAttendance"], json!({ "recorded": 9, "unchanged": 0 }), "{first}");
        let (_, again) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": march } })).await;
        assert_eq!(again["data"]["recordAttendance"], json!({ "recorded": 0, "unchanged": 9 }), "idempotent: {again}");
        let (_, closed) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-03-17", true)] } })).await;
        assert_eq!(err(&closed), ("BAD_USER_INPUT".into(), "days[0].date".into()), "{closed}");
        let q = "query M($c: ID!) { caseView(clientId: $c) { rehabPeriods { id allowance(month: \"2020-03\") { participationDays expenseAllowanceCents travelCompensationCents } } } }";
        let allowance = |body: &Json| body["data"]["caseView"]["rehabPeriods"].as_array().unwrap().iter().find(|p| p["id"] == "p2020").unwrap()["allowance"].clone();
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({ "c": app.fx.shared })).await;
        // 8 attended days x 9.00 € = 72.00 €; 12.5 km > 3 km: 8 x 6.40 € = 51.20 €.
        assert_eq!(allowance(&kela), json!({ "participationDays": 8, "expenseAllowanceCents": 7200, "travelCompensationCents": 5120 }), "{kela}");
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_line_attendance l JOIN allowance_line a ON a.id = l.allowance_line_id WHERE a.period_id = 'p2020' AND a.kind = 'EXPENSE_ALLOWANCE'").await, 8);
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_line WHERE period_id = 'p2020' AND rule_version LIKE 'allowance 900c%'").await, 2);
        assert_eq!(app.count("SELECT CAST(attended_days AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 8);
        assert_eq!(app.count("SELECT CAST(allowance_cents AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 7200);
        assert_eq!(app.count("SELECT CAST(travel_cents AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 5120);
        assert_eq!(app.count("SELECT CAST(days_in_force AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 31);
        // A correction: the 10th attended after all.
        let (_, fix) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-03-10", true)] } })).await;
        assert_eq!(fix["data"]["recordAttendance"], json!({ "recorded": 1, "unchanged": 0 }));
        // The monthly summary the reports read moves in the same transaction.
        assert_eq!(app.count("SELECT CAST(attended_days AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 9);
        assert_eq!(app.count("SELECT CAST(recorded_days AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 9);
        assert_eq!(app.count("SELECT CAST(allowance_cents AS BIGINT) FROM ktt_client_month WHERE client_id = (SELECT client_id FROM rehab_period WHERE id = 'p2020') AND month = '2020-03'").await, 8100);
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({ "c": app.fx.shared })).await;
        assert_eq!(allowance(&kela), json!({ "participationDays": 9, "expenseAllowanceCents": 8100, "travelCompensationCents": 5760 }));
    }
}

on_both! {
    with coach_window_over_2020;
    async fn attendance_is_refused_outside_the_schedule_and_to_others(app) {
        let period = period_2020(&app).await;
        let coach = app.token_for("PROVIDER_COACH");
        let (_, fifth) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-02-03", true), day("2020-02-04", true), day("2020-02-05", true), day("2020-02-06", true), day("2020-02-07", true)] } })).await;
        // The period names no weekdays: its schedule is the first four days from Monday.
        assert_eq!(err(&fifth).1, "days[4].date", "a Friday in a Monday-to-Thursday week: {fifth}");
        let (_, outside) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": [day("2019-12-31", true)] } })).await;
        assert_eq!(err(&outside).1, "days[0].date");
        let (_, reasonless) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": [{ "date": "2020-02-03", "present": false }] } })).await;
        assert_eq!(err(&reasonless).1, "days[0].absenceReason");
        let (_, other) = app.gql(&app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]), RECORD, json!({ "i": { "periodId": period, "days": [day("2020-02-03", true)] } })).await;
        assert_eq!(err(&other).0, "NOT_FOUND", "another provider's placement: {other}");
        for role in ["TYP_OFFICER", "TE_EXPERT", "KELA_EXPERT", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), RECORD, json!({ "i": { "periodId": period, "days": [day("2020-02-03", true)] } })).await;
            assert_mutation_not_in_schema(role, status, &body, "recordAttendance");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020'").await, 0, "nothing half-written");
        let (_, county) = app.gql(&app.token_for("EKSOTE_WORKER"), RECORD, json!({ "i": { "periodId": period, "days": [day("2020-02-03", true)] } })).await;
        assert_eq!(county["data"]["recordAttendance"]["recorded"], 1, "{county}");
    }
}

on_both! {
    with coach_window_over_2020;
    async fn the_monthly_statement_per_payer_exports_as_csv(app) {
        let period = period_2020(&app).await;
        let coach = app.token_for("PROVIDER_COACH");
        let march = vec![day("2020-03-02", true), day("2020-03-03", true), day("2020-03-04", false)];
        let (_, rec) = app.gql(&coach, RECORD, json!({ "i": { "periodId": period, "days": march } })).await;
        assert_eq!(rec["data"]["recordAttendance"]["recorded"], 3, "{rec}");
        let url = |payer: &str, month: &str| app.endpoint(&format!("/exports/allowance-statement.csv?payer={payer}&month={month}"));
        let res = app.http.get(url("KELA", "2020-03")).bearer_auth(app.token_for("KELA_EXPERT")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        assert_eq!(res.headers()["cache-control"], "no-store");
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "payer,month,decision_number,personal_identity_code,last_name,first_name,kind,days,amount_cents,amount_eur,rule_version");
        assert_eq!(lines.len(), 2, "travel is the county's, not Kela's: {csv}");
        assert!(lines[1].starts_with("KELA,2020-03,KTT-2020-1,010190-901R,Koemäki,Aino,EXPENSE_ALLOWANCE,2,1800,18.00,"), "{csv}");
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND operation = 'allowanceStatement' AND field_groups = 'IDENTITY,CONTACT,ALLOWANCE'", app.fx.shared)).await;
        assert_eq!(logged, 1);
        let county = app.http.get(url("EKSOTE", "2020-03")).bearer_auth(app.token_for("EKSOTE_WORKER")).send().await.unwrap().text().await.unwrap();
        assert_eq!(county.lines().count(), 2, "the county's travel: {county}");
        assert!(county.lines().nth(1).unwrap().starts_with("EKSOTE,2020-03,KTT-2020-1,010190-901R,Koemäki,Aino,TRAVEL,2,1280,12.80,"), "{county}");
        for (token, status) in [(app.token_for("PROVIDER_COACH"), 403), (app.token_for("TE_EXPERT"), 403), ("bad".to_owned(), 401)] {
            let res = app.http.get(url("KELA", "2020-03")).bearer_auth(token).send().await.unwrap();
            assert_eq!(res.status().as_u16(), status);
        }
        let bad = app.http.get(url("KELA", "2020-13")).bearer_auth(app.token_for("KELA_EXPERT")).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
    }
}

on_both! {
    async fn no_attendance_is_taken_during_an_interruption(app) {
        let period = period_2020(&app).await;
        let worker = app.token_for("EKSOTE_WORKER");
        let interrupt = "mutation I($i: InterruptRehabPeriodInput!) { interruptRehabPeriod(input: $i) { interruptions { startsOn endsOn reason } } }";
        let (_, done) = app.gql(&worker, interrupt, json!({ "i": { "periodId": period, "startsOn": "2020-02-10", "endsOn": "2020-02-14", "reason": "Work trial" } })).await;
        let list = done["data"]["interruptRehabPeriod"]["interruptions"].as_array().unwrap().clone();
        assert!(list.contains(&json!({ "startsOn": "2020-02-10", "endsOn": "2020-02-14", "reason": "Work trial" })), "{done}");
        let (_, overlap) = app.gql(&worker, interrupt, json!({ "i": { "periodId": period, "startsOn": "2020-02-12", "reason": "x" } })).await;
        assert_eq!(err(&overlap).0, "CONFLICT");
        let (_, refused) = app.gql(&worker, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-02-11", true)] } })).await;
        assert_eq!(err(&refused).1, "days[0].date", "{refused}");
        let service = "mutation S($i: RecordServiceInterruptionInput!) { recordServiceInterruption(input: $i) { id } }";
        let (status, coach) = app.gql(&app.token_for("PROVIDER_COACH"), service, json!({ "i": { "startsOn": "2020-12-21", "endsOn": "2020-12-31", "reason": "Holiday closure" } })).await;
        assert_not_in_schema(status, &coach, "recordServiceInterruption", "Mutation");
        // A service-wide interruption is the organiser's act (county management), not a
        // worker's; this past one is on record as data.
        let interruptions = app.count("SELECT COUNT(*) FROM service_interruption").await;
        let (status, holiday) = app.gql(&worker, service, json!({ "i": { "startsOn": "2020-12-21", "endsOn": "2020-12-31", "reason": "Holiday closure" } })).await;
        assert_not_in_schema(status, &holiday, "recordServiceInterruption", "Mutation");
        assert_eq!(app.count("SELECT COUNT(*) FROM service_interruption").await, interruptions, "nothing written");
        app.exec("INSERT INTO service_interruption (id, starts_on, ends_on, reason) VALUES ('holiday', '2020-12-21', '2020-12-31', 'Holiday closure')").await;
        let (_, closed) = app.gql(&worker, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-12-22", true)] } })).await;
        assert_eq!(err(&closed).1, "days[0].date", "{closed}");
        let (_, open) = app.gql(&worker, RECORD, json!({ "i": { "periodId": period, "days": [day("2020-12-17", true)] } })).await;
        assert_eq!(open["data"]["recordAttendance"]["recorded"], 1, "{open}");
    }
}
