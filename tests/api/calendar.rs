//! The KTT calendar kept consistent: the weekly schedule and public holidays, exceptions the
//! decision allows, voided days on an early end, an interruption or a service-wide closure
//! (with their allowances recomputed), period outcomes, and closing a case while KTT runs.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const RECORD: &str =
    "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded unchanged } }";
const END: &str = "mutation E($i: EndRehabPeriodEarlyInput!) { endRehabPeriodEarly(input: $i) { endedEarlyOn endReason outcome followedByPeriodId followedByAssessmentId } }";
const INTERRUPT: &str =
    "mutation I($i: InterruptRehabPeriodInput!) { interruptRehabPeriod(input: $i) { id } }";
const SERVICE: &str = "mutation S($i: RecordServiceInterruptionInput!) { recordServiceInterruption(input: $i) { id } }";
const CORRECT: &str = "mutation C($i: CorrectServiceInterruptionInput!) { correctServiceInterruption(input: $i) { id } }";
const CANCEL: &str = "mutation X($i: CancelServiceInterruptionInput!) { cancelServiceInterruption(input: $i) { id } }";
const CLOSE: &str =
    "mutation X($i: CloseTypCaseInput!) { closeTypCase(input: $i) { phase endedOn } }";
const DAYS: &str = "query V($c: ID!) { caseView(clientId: $c) { rehabPeriods { id outcome attendance { date present exceptionReason voidedAt voidReason } } } }";

fn code(body: &Json) -> (String, String) {
    let e = &body["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or("").to_owned(),
        e["field"].as_str().unwrap_or("").to_owned(),
    )
}

fn day(app: &TestApp, offset: i64) -> String {
    let today = app.fx.today;
    let d = if offset >= 0 {
        today.checked_add_days(Days::new(offset as u64))
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs()))
    };
    d.unwrap().to_string()
}

fn present(date: &str) -> Json {
    json!({ "date": date, "present": true })
}

fn with_exception(date: &str, reason: &str) -> Json {
    json!({ "date": date, "present": true, "exceptionReason": reason })
}

fn days(period: &str, days: Vec<Json>) -> Json {
    json!({ "i": { "periodId": period, "days": days } })
}

/// A placement in 2020 of the shared client at the first provider, 3 days a week on
/// Monday, Wednesday and Friday, allowing make-up days; 12.5 km away.
async fn period_2020(app: &TestApp, weekdays: &str, allowed: &str) -> String {
    let e = app.fx.official("EKSOTE_WORKER").to_owned();
    app.exec(&format!(
        "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, travel_distance_km, created_at, weekdays, allowed_exceptions) \
         VALUES ('p2020', '{}', '{}', 'KTT-2020-1', '2019-12-15', '{e}', '2020-01-01', '2020-12-31', 3, 6, 'g', 12.5, '2019-12-15 12:00:00', '{weekdays}', '{allowed}')",
        app.fx.shared, app.fx.p1
    )).await;
    "p2020".to_owned()
}

/// A county official who is the responsible officer of the client's case and holds the
/// power to decide on KTT: the one who may close a case and end its periods in one call.
async fn county_case_officer(app: &TestApp, case_id: &str) -> String {
    app.exec("INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('county-officer-c', 'Test county officer', 'EKSOTE', NULL, TRUE, '2026-01-01 00:00:00')").await;
    app.exec(
        "INSERT INTO official_role (official_id, role) VALUES ('county-officer-c', 'TYP_OFFICER')",
    )
    .await;
    app.exec(&format!(
        "INSERT INTO ktt_decision_maker (official_id, title, granted_by, granted_at) VALUES ('county-officer-c', 'Social worker', '{}', '2026-01-01 00:00:00')",
        app.fx.official("ADMIN")
    ))
    .await;
    let (_, moved) = app
        .gql(
            &app.token_for("TYP_OFFICER"),
            "mutation A($c: ID!, $o: ID!) { assignResponsibleOfficer(caseId: $c, officialId: $o) { id } }",
            json!({ "c": case_id, "o": "county-officer-c" }),
        )
        .await;
    assert_eq!(
        moved["data"]["assignResponsibleOfficer"]["id"],
        json!(case_id),
        "{moved}"
    );
    app.token("county-officer-c", &["TYP_OFFICER"])
}

/// The settings of a test that decides on periods of 2020: the coach reads them still, and
/// a decision may be dated back then.
pub fn decisions_over_2020(url: &str) -> typgraph::config::Config {
    let mut config = crate::rehab::coach_window_over_2020(url);
    config.settings.ktt_decision_back_days = 20 * 366;
    config
}

async fn county_manager(app: &TestApp) -> String {
    app.exec("INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('county-manager-c', 'Test county manager', 'EKSOTE', NULL, TRUE, '2026-01-01 00:00:00')").await;
    app.exec("INSERT INTO official_role (official_id, role) VALUES ('county-manager-c', 'COUNTY_MANAGER')").await;
    app.token("county-manager-c", &["COUNTY_MANAGER"])
}

/// The ids of the fixture's two periods: the shared client's at the first provider and the
/// other client's at the second.
async fn fixture_periods(app: &TestApp) -> (String, String) {
    let read = |no: &'static str| async move {
        let (_, body) = app.gql(&app.token_for("EKSOTE_WORKER"), "query V($c: ID!) { caseView(clientId: $c) { rehabPeriods { id decisionNumber } } }", json!({ "c": if no == "KTT-T-1" { app.fx.shared.clone() } else { app.fx.other_placement.clone() } })).await;
        body["data"]["caseView"]["rehabPeriods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["decisionNumber"] == no)
            .unwrap_or_else(|| panic!("{body}"))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    (read("KTT-T-1").await, read("KTT-T-2").await)
}

fn attendance_of(body: &Json, period: &str) -> Vec<Json> {
    body["data"]["caseView"]["rehabPeriods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == period)
        .unwrap_or_else(|| panic!("{body}"))["attendance"]
        .as_array()
        .unwrap()
        .clone()
}

async fn allowance_cents(app: &TestApp, period: &str, month: &str) -> i64 {
    app.count(&format!("SELECT COALESCE(CAST(SUM(amount_cents) AS BIGINT), 0) FROM allowance_line WHERE period_id = '{period}' AND month = '{month}' AND kind = 'EXPENSE_ALLOWANCE'")).await
}

on_both! {
    with crate::rehab::coach_window_over_2020;
    async fn attendance_keeps_to_the_schedule_and_the_holidays_unless_the_decision_allows_an_exception(app) {
        let period = period_2020(&app, "MON,WED,FRI", "MAKE_UP_DAY").await;
        let coach = app.token_for("PROVIDER_COACH");
        // Tuesday is no day of the schedule; Wednesday is.
        let (_, tuesday) = app.gql(&coach, RECORD, days(&period, vec![present("2020-02-05"), present("2020-02-04")])).await;
        assert_eq!(code(&tuesday), ("BAD_USER_INPUT".into(), "days[1].date".into()), "{tuesday}");
        assert!(tuesday["errors"][0]["message"].as_str().unwrap().contains("weekdays"), "{tuesday}");
        let (_, wednesday) = app.gql(&coach, RECORD, days(&period, vec![present("2020-02-05")])).await;
        assert_eq!(wednesday["data"]["recordAttendance"]["recorded"], 1, "{wednesday}");
        // Good Friday and Easter Monday 2020 (10 and 13 April) fall on the schedule's days
        // and are refused; the Wednesday between is not.
        for date in ["2020-04-10", "2020-04-13"] {
            let (_, holiday) = app.gql(&coach, RECORD, days(&period, vec![present(date)])).await;
            assert_eq!(code(&holiday), ("BAD_USER_INPUT".into(), "days[0].date".into()), "{date}: {holiday}");
            assert!(holiday["errors"][0]["message"].as_str().unwrap().contains("day off"), "{holiday}");
        }
        // An exception the decision does not allow is refused; one it allows is recorded.
        let (_, event) = app.gql(&coach, RECORD, days(&period, vec![with_exception("2020-04-13", "EVENT")])).await;
        assert_eq!(code(&event), ("BAD_USER_INPUT".into(), "days[0].exceptionReason".into()), "{event}");
        let (_, make_up) = app.gql(&coach, RECORD, days(&period, vec![with_exception("2020-04-14", "MAKE_UP_DAY"), present("2020-04-15"), present("2020-04-17")])).await;
        assert_eq!(make_up["data"]["recordAttendance"]["recorded"], 3, "{make_up}");
        // The week of Easter Monday now has its three days: a fourth, even allowed, is not.
        let (_, fourth) = app.gql(&coach, RECORD, days(&period, vec![with_exception("2020-04-16", "MAKE_UP_DAY")])).await;
        assert_eq!(code(&fourth), ("BAD_USER_INPUT".into(), "days[0].date".into()), "{fourth}");
        // Midsummer Eve (Friday 19 June 2020) is a day off; the Friday after is not.
        let (_, eve) = app.gql(&coach, RECORD, days(&period, vec![present("2020-06-19")])).await;
        assert_eq!(code(&eve).1, "days[0].date", "{eve}");
        let (_, after) = app.gql(&coach, RECORD, days(&period, vec![present("2020-06-26")])).await;
        assert_eq!(after["data"]["recordAttendance"]["recorded"], 1, "{after}");
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020'").await, 5);
        let (_, view) = app.gql(&app.token_for("EKSOTE_WORKER"), DAYS, json!({ "c": app.fx.shared })).await;
        let listed = attendance_of(&view, &period);
        assert!(listed.contains(&json!({ "date": "2020-04-14", "present": true, "exceptionReason": "MAKE_UP_DAY", "voidedAt": null, "voidReason": null })), "{view}");
    }
}

fn closure_days(url: &str) -> typgraph::config::Config {
    let mut config = crate::rehab::coach_window_over_2020(url);
    config.settings.extra_closure_days = vec![NaiveDate::from_ymd_opt(2020, 12, 30).unwrap()];
    config
}

on_both! {
    with closure_days;
    async fn the_extra_closure_days_of_the_settings_are_days_off(app) {
        let period = period_2020(&app, "MON,WED,FRI", "EVENT").await;
        let coach = app.token_for("PROVIDER_COACH");
        let (_, closed) = app.gql(&coach, RECORD, days(&period, vec![present("2020-12-30")])).await;
        assert_eq!(code(&closed), ("BAD_USER_INPUT".into(), "days[0].date".into()), "{closed}");
        let (_, monday) = app.gql(&coach, RECORD, days(&period, vec![present("2020-12-28")])).await;
        assert_eq!(monday["data"]["recordAttendance"]["recorded"], 1, "{monday}");
        let (_, event) = app.gql(&coach, RECORD, days(&period, vec![with_exception("2020-12-30", "EVENT")])).await;
        assert_eq!(event["data"]["recordAttendance"]["recorded"], 1, "{event}");
    }
}

on_both! {
    async fn a_decision_holds_its_weekdays_and_the_exceptions_it_allows(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let decide = "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id daysPerWeek weekdays allowedExceptions outcome } }";
        let input = |weekdays: Json, allowed: Json| {
            json!({ "i": { "clientId": app.fx.shared, "providerId": app.fx.p1, "startsOn": day(&app, 40), "endsOn": day(&app, 200), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Daily rhythm", "weekdays": weekdays, "allowedExceptions": allowed, "decidedOn": app.fx.today.to_string(), "servedOn": app.fx.today.to_string(), "hearingOn": app.fx.today.to_string() } })
        };
        for weekdays in [json!(["MONDAY", "MONDAY", "TUESDAY"]), json!(["MONDAY", "TUESDAY"]), json!(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"])] {
            let (_, bad) = app.gql(&worker, decide, input(weekdays.clone(), json!([]))).await;
            assert_eq!(code(&bad), ("BAD_USER_INPUT".into(), "weekdays".into()), "{weekdays}: {bad}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE client_id = '{}' AND starts_on = '{}'", app.fx.shared, day(&app, 40))).await, 0);
        let (_, ok) = app.gql(&worker, decide, input(json!(["FRIDAY", "TUESDAY", "THURSDAY"]), json!(["EVENT"]))).await;
        let decided = &ok["data"]["decideRehabPeriod"];
        assert_eq!(decided["weekdays"], json!(["TUESDAY", "THURSDAY", "FRIDAY"]), "{ok}");
        assert_eq!(decided["allowedExceptions"], json!(["EVENT"]));
        assert_eq!(decided["outcome"], Json::Null);
        // Omitted: the first days from Monday, no exceptions (read by the placement's coach).
        let mut plain = input(Json::Null, Json::Null);
        plain["i"]["startsOn"] = json!(day(&app, 300));
        plain["i"]["endsOn"] = json!(day(&app, 500));
        plain["i"]["daysPerWeek"] = json!(2);
        let (_, default) = app.gql(&worker, decide, plain).await;
        assert_eq!(default["data"]["decideRehabPeriod"]["weekdays"], json!(["MONDAY", "TUESDAY"]), "{default}");
        assert_eq!(default["data"]["decideRehabPeriod"]["allowedExceptions"], json!([]));
    }
}

on_both! {
    with crate::calendar::decisions_over_2020;
    async fn ending_a_period_early_voids_the_later_days_and_recomputes_their_month(app) {
        let period = period_2020(&app, "MON,WED,FRI", "").await;
        let coach = app.token_for("PROVIDER_COACH");
        // March 2020: 2, 4, 6, 9, 11 and 13 attended; the 16th absent.
        let march = ["2020-03-02", "2020-03-04", "2020-03-06", "2020-03-09", "2020-03-11", "2020-03-13"];
        let mut list: Vec<Json> = march.iter().map(|d| present(d)).collect();
        list.push(json!({ "date": "2020-03-16", "present": false, "absenceReason": "sick" }));
        let (_, rec) = app.gql(&coach, RECORD, days(&period, list)).await;
        assert_eq!(rec["data"]["recordAttendance"]["recorded"], 7, "{rec}");
        assert_eq!(allowance_cents(&app, &period, "2020-03").await, 6 * 900);
        // The early end is the county's terminating decision, decided the day the period ends.
        let officer = app.token_for("TYP_OFFICER");
        let terms = json!({ "decidedOn": "2020-03-06", "servedOn": "2020-03-06", "hearingOmittedReason": "The client asked for it" });
        let (_, not_decider) = app.gql(&officer, END, json!({ "i": { "periodId": period, "endedOn": "2020-03-06", "reason": "Started studies", "outcome": "STUDIES", "terms": terms } })).await;
        assert_eq!(code(&not_decider).0, "FORBIDDEN", "{not_decider}");
        let officer = app.token_for("EKSOTE_WORKER");
        let (_, backwards) = app.gql(&officer, END, json!({ "i": { "periodId": period, "endedOn": "2020-03-05", "reason": "Started studies", "outcome": "STUDIES", "terms": terms } })).await;
        assert_eq!(code(&backwards), ("BAD_USER_INPUT".into(), "endedOn".into()), "not before the decision: {backwards}");
        // What followed must be named with an outcome, and be the client's later period.
        let (_, bare) = app.gql(&officer, END, json!({ "i": { "periodId": period, "endedOn": "2020-03-06", "reason": "Started studies", "followedByAssessmentId": "x", "terms": terms } })).await;
        assert_eq!(code(&bare), ("BAD_USER_INPUT".into(), "outcome".into()), "{bare}");
        let (_, unknown) = app.gql(&officer, END, json!({ "i": { "periodId": period, "endedOn": "2020-03-06", "reason": "Started studies", "outcome": "NEW_REHAB_PERIOD", "followedByPeriodId": "no-such-period", "terms": terms } })).await;
        assert_eq!(code(&unknown), ("BAD_USER_INPUT".into(), "followedByPeriodId".into()), "{unknown}");
        assert_eq!(app.count("SELECT COUNT(*) FROM rehab_period WHERE id = 'p2020' AND ended_early_on IS NULL").await, 1, "nothing of the refused end stays");
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_decision WHERE period_id = 'p2020'").await, 0, "nor its decision");
        // Ended on Friday the 6th: the days after it are voided, never deleted.
        let (_, ended) = app.gql(&officer, END, json!({ "i": { "periodId": period, "endedOn": "2020-03-06", "reason": "Started studies", "outcome": "STUDIES", "terms": terms } })).await;
        assert_eq!(ended["data"]["endRehabPeriodEarly"]["outcome"], "STUDIES", "{ended}");
        assert_eq!(ended["data"]["endRehabPeriodEarly"]["endedEarlyOn"], "2020-03-06");
        // It left the terminating decision, with the reason as its reasons, and a notice to
        // the employment authority of the period's end.
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_decision WHERE period_id = 'p2020' AND kind = 'TERMINATE' AND terminated_on = '2020-03-06' AND reasoning = 'Started studies'").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_start_notice WHERE period_id = 'p2020' AND kind = 'TERMINATE' AND ends_on = '2020-03-06' AND handled_at IS NULL").await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020'").await, 7);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020' AND voided_at IS NOT NULL").await, 4);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020' AND voided_at IS NOT NULL AND day <= '2020-03-06'").await, 0, "the last day stays");
        let corrections = format!("SELECT COUNT(*) FROM attendance_correction WHERE period_id = 'p2020' AND cause = 'EARLY_END' AND corrected_by = '{}' AND reason LIKE '%Started studies%'", app.fx.official("EKSOTE_WORKER"));
        assert_eq!(app.count(&corrections).await, 4);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_correction WHERE period_id = 'p2020' AND NOT was_present AND was_absence_reason = 'sick'").await, 1, "what the day said is kept");
        // The month's allowance lines, and the summaries the reports read, count 3 days.
        assert_eq!(allowance_cents(&app, &period, "2020-03").await, 3 * 900);
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_line_attendance l JOIN allowance_line a ON a.id = l.allowance_line_id WHERE a.period_id = 'p2020' AND a.kind = 'EXPENSE_ALLOWANCE'").await, 3);
        let summary = |col: &str| format!("SELECT CAST({col} AS BIGINT) FROM ktt_month WHERE provider_id = '{}' AND month = '2020-03' AND client_id = '{}'", app.fx.p1, app.fx.shared);
        assert_eq!(app.count(&summary("attended_days")).await, 3);
        assert_eq!(app.count(&summary("recorded_days")).await, 3);
        assert_eq!(app.count(&summary("allowance_cents")).await, 2700);
        // The case view shows the voided days as voided.
        let (_, view) = app.gql(&app.token_for("KELA_EXPERT"), DAYS, json!({ "c": app.fx.shared })).await;
        let listed = attendance_of(&view, &period);
        let voided: Vec<&Json> = listed.iter().filter(|d| d["voidedAt"].is_string()).collect();
        assert_eq!(voided.len(), 4, "{view}");
        assert!(voided.iter().all(|d| d["voidReason"].as_str().unwrap().contains("ended early on 2020-03-06")), "{view}");
        // The write is logged for the client with the attendance and allowances it changed.
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'endRehabPeriodEarly' AND field_groups LIKE '%REHAB%' AND field_groups LIKE '%ATTENDANCE%' AND field_groups LIKE '%ALLOWANCE%'", app.fx.shared)).await;
        assert_eq!(logged, 1);
        // A day after the end is refused; once ended, the outcome may be corrected.
        let (_, late) = app.gql(&coach, RECORD, days(&period, vec![present("2020-03-09")])).await;
        assert_eq!(code(&late).1, "days[0].date", "{late}");
        let (_, corrected) = app.gql(&officer, "mutation O($i: RecordRehabPeriodOutcomeInput!) { recordRehabPeriodOutcome(input: $i) { outcome } }", json!({ "i": { "periodId": period, "outcome": "OTHER" } })).await;
        assert_eq!(corrected["data"]["recordRehabPeriodOutcome"]["outcome"], "OTHER", "{corrected}");
    }
}

on_both! {
    async fn a_running_period_gets_its_outcome_when_it_ends_and_names_what_followed(app) {
        let officer = app.token_for("TYP_OFFICER");
        let (shared_period, _) = fixture_periods(&app).await;
        let outcome = "mutation O($i: RecordRehabPeriodOutcomeInput!) { recordRehabPeriodOutcome(input: $i) { outcome followedByAssessmentId } }";
        let (_, running) = app.gql(&officer, outcome, json!({ "i": { "periodId": shared_period, "outcome": "STUDIES" } })).await;
        assert_eq!(code(&running).0, "CONFLICT", "{running}");
        // Ended with a work-ability assessment of the client following it.
        let (_, view) = app.gql(&officer, "query V($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { id } } }", json!({ "c": app.fx.shared })).await;
        let assessment = view["data"]["caseView"]["workAbilityAssessments"][0]["id"].as_str().unwrap_or_else(|| panic!("{view}")).to_owned();
        let worker = app.token_for("EKSOTE_WORKER");
        let terms = crate::cases::decision_terms(&app, 0);
        let (_, foreign) = app.gql(&worker, END, json!({ "i": { "periodId": shared_period, "endedOn": day(&app, 0), "reason": "Assessment", "outcome": "WORK_ABILITY_ASSESSMENT", "followedByAssessmentId": "not-the-clients", "terms": terms } })).await;
        assert_eq!(code(&foreign), ("BAD_USER_INPUT".into(), "followedByAssessmentId".into()), "{foreign}");
        let (_, ended) = app.gql(&worker, END, json!({ "i": { "periodId": shared_period, "endedOn": day(&app, 0), "reason": "Assessment", "outcome": "WORK_ABILITY_ASSESSMENT", "followedByAssessmentId": assessment, "terms": terms } })).await;
        assert_eq!(ended["data"]["endRehabPeriodEarly"]["followedByAssessmentId"], json!(assessment), "{ended}");
        assert_eq!(ended["data"]["endRehabPeriodEarly"]["outcome"], "WORK_ABILITY_ASSESSMENT");
        // Roles without REHAB write do not record outcomes.
        let (status, kela) = app.gql(&app.token_for("KELA_EXPERT"), outcome, json!({ "i": { "periodId": shared_period, "outcome": "OTHER" } })).await;
        crate::helpers::assert_mutation_not_in_schema("KELA_EXPERT", status, &kela, "recordRehabPeriodOutcome");
    }
}

on_both! {
    with crate::rehab::coach_window_over_2020;
    async fn an_interruption_voids_the_days_already_recorded_within_it(app) {
        let period = period_2020(&app, "MON,WED,FRI", "").await;
        let coach = app.token_for("PROVIDER_COACH");
        let feb = ["2020-02-03", "2020-02-05", "2020-02-07", "2020-02-10", "2020-02-12"];
        let (_, rec) = app.gql(&coach, RECORD, days(&period, feb.iter().map(|d| present(d)).collect())).await;
        assert_eq!(rec["data"]["recordAttendance"]["recorded"], 5, "{rec}");
        let worker = app.token_for("EKSOTE_WORKER");
        let (_, done) = app.gql(&worker, INTERRUPT, json!({ "i": { "periodId": period, "startsOn": "2020-02-05", "endsOn": "2020-02-07", "reason": "Illness" } })).await;
        assert!(done["data"]["interruptRehabPeriod"]["id"].is_string(), "{done}");
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020' AND voided_at IS NOT NULL").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_correction WHERE period_id = 'p2020' AND cause = 'INTERRUPTION' AND cause_id IS NOT NULL").await, 2);
        assert_eq!(allowance_cents(&app, &period, "2020-02").await, 3 * 900);
        // An open-ended one voids every later day.
        let (_, open) = app.gql(&worker, INTERRUPT, json!({ "i": { "periodId": period, "startsOn": "2020-02-11", "reason": "Work trial" } })).await;
        assert!(open["data"]["interruptRehabPeriod"]["id"].is_string(), "{open}");
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'p2020' AND voided_at IS NOT NULL").await, 3);
        assert_eq!(allowance_cents(&app, &period, "2020-02").await, 2 * 900);
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'interruptRehabPeriod' AND field_groups LIKE '%ATTENDANCE%' AND field_groups LIKE '%ALLOWANCE%'", app.fx.shared)).await;
        assert_eq!(logged, 2);
    }
}

on_both! {
    async fn a_closure_recorded_after_the_days_voids_them_for_every_period_it_covers(app) {
        let manager = county_manager(&app).await;
        let coach = app.token_for("EKSOTE_WORKER");
        let (p1_period, p2_period) = fixture_periods(&app).await;
        // Events (allowed by the fixture's decisions), so any weekday or holiday will do.
        for period in [&p1_period, &p2_period] {
            let (_, rec) = app.gql(&coach, RECORD, days(period, vec![with_exception(&day(&app, -14), "EVENT"), with_exception(&day(&app, -3), "EVENT")])).await;
            assert_eq!(rec["data"]["recordAttendance"]["recorded"], 2, "{rec}");
        }
        let since = day(&app, -20);
        let standing = |period: &str| format!("SELECT COUNT(*) FROM attendance_day WHERE period_id = '{period}' AND voided_at IS NULL AND day > '{since}'");
        // The second provider's closure over the third day back voids that provider's day.
        let (_, p2) = app.gql(&manager, SERVICE, json!({ "i": { "startsOn": day(&app, -4), "endsOn": day(&app, -2), "providerId": app.fx.p2, "reason": "Water damage" } })).await;
        assert!(p2["data"]["recordServiceInterruption"]["id"].is_string(), "{p2}");
        assert_eq!(app.count(&standing(&p1_period)).await, 2);
        assert_eq!(app.count(&standing(&p2_period)).await, 1);
        // Every provider's closure over the fourteenth day back voids it in both periods.
        let (_, all) = app.gql(&manager, SERVICE, json!({ "i": { "startsOn": day(&app, -16), "endsOn": day(&app, -15), "reason": "Premises closed" } })).await;
        let all_id = all["data"]["recordServiceInterruption"]["id"].as_str().unwrap_or_else(|| panic!("{all}")).to_owned();
        assert_eq!(app.count(&standing(&p1_period)).await, 2, "not yet covered");
        let (_, widened) = app.gql(&manager, CORRECT, json!({ "i": { "id": all_id, "startsOn": day(&app, -16), "endsOn": day(&app, -13), "reason": "Premises closed", "correctionReason": "Closed for longer" } })).await;
        assert!(widened["data"]["correctServiceInterruption"]["id"].is_string(), "{widened}");
        assert_eq!(app.count(&standing(&p1_period)).await, 1);
        assert_eq!(app.count(&standing(&p2_period)).await, 0);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM attendance_correction WHERE cause = 'SERVICE_INTERRUPTION' AND cause_id = '{all_id}' AND corrected_by = 'county-manager-c'")).await, 2);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM attendance_day WHERE period_id IN ('{p1_period}', '{p2_period}')")).await, 2 + 2 + 2, "nothing deleted (the fixture's two days included)");
        // Each client whose days were voided gets the write in the access log.
        for client in [&app.fx.shared, &app.fx.other_placement] {
            let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{client}' AND action = 'WRITE' AND official_id = 'county-manager-c' AND field_groups LIKE '%ATTENDANCE%' AND field_groups LIKE '%ALLOWANCE%'")).await;
            assert!(logged >= 1, "{client}");
        }
        // Cancelled: the closure no longer stands, and the voided day may be recorded again;
        // its voiding stays on record.
        let (_, cancelled) = app.gql(&manager, CANCEL, json!({ "i": { "id": all_id, "reason": "Recorded for the wrong week" } })).await;
        assert!(cancelled["data"]["cancelServiceInterruption"]["id"].is_string(), "{cancelled}");
        let (_, again) = app.gql(&coach, RECORD, days(&p1_period, vec![with_exception(&day(&app, -14), "EVENT")])).await;
        assert_eq!(again["data"]["recordAttendance"], json!({ "recorded": 1, "unchanged": 0 }), "{again}");
        assert_eq!(app.count(&standing(&p1_period)).await, 2);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM attendance_correction WHERE period_id = '{p1_period}'")).await, 1);
        let (_, view) = app.gql(&app.token_for("EKSOTE_WORKER"), DAYS, json!({ "c": app.fx.shared })).await;
        assert!(attendance_of(&view, &p1_period).iter().all(|d| d["voidedAt"].is_null()), "{view}");
    }
}

on_both! {
    async fn closing_a_case_while_ktt_runs_is_a_conflict_unless_the_same_call_ends_the_periods(app) {
        let officer = app.token_for("TYP_OFFICER");
        let (period, _) = fixture_periods(&app).await;
        let (_, case) = app.gql(&officer, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].as_str().unwrap_or_else(|| panic!("{case}")).to_owned();
        // A period decided ahead, from 40 days on.
        let (_, ahead) = app.gql(&app.token_for("EKSOTE_WORKER"), "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id } }", json!({ "i": { "clientId": app.fx.shared, "providerId": app.fx.p1, "startsOn": day(&app, 40), "endsOn": day(&app, 200), "daysPerWeek": 2, "hoursPerDay": 6, "goal": "Next steps", "decidedOn": app.fx.today.to_string(), "servedOn": app.fx.today.to_string(), "hearingOn": app.fx.today.to_string() } })).await;
        let ahead = ahead["data"]["decideRehabPeriod"]["id"].as_str().unwrap_or_else(|| panic!("{ahead}")).to_owned();
        let close = |ends: Json| json!({ "i": { "caseId": case_id, "outcome": "STUDIES", "endedOn": day(&app, 0), "endRehabPeriods": ends } });
        let terms = crate::cases::decision_terms(&app, 0);
        // Ending the periods is the county's decision: the employment authority's officer,
        // responsible for the case, cannot end them with it.
        let (_, te) = app.gql(&officer, CLOSE, close(json!([{ "periodId": period, "outcome": "STUDIES", "terms": terms }, { "periodId": ahead, "outcome": "OTHER", "terms": terms }]))).await;
        assert_eq!(code(&te).0, "FORBIDDEN", "{te}");
        let officer = county_case_officer(&app, &case_id).await;
        let (_, refused) = app.gql(&officer, CLOSE, close(json!([]))).await;
        assert_eq!(code(&refused).0, "CONFLICT", "{refused}");
        let listed = refused["errors"][0]["extensions"]["periods"].as_array().unwrap_or_else(|| panic!("{refused}")).clone();
        assert_eq!(listed.len(), 2, "{refused}");
        assert!(listed.contains(&json!({ "id": period, "startsOn": day(&app, -60), "endsOn": day(&app, 30) })), "{refused}");
        assert!(listed.iter().any(|p| p["id"] == json!(ahead)), "{refused}");
        // Naming one of them is not enough; an unknown one is bad input.
        let (_, half) = app.gql(&officer, CLOSE, close(json!([{ "periodId": period, "outcome": "STUDIES", "terms": terms }]))).await;
        assert_eq!(code(&half).0, "CONFLICT", "{half}");
        let (_, unknown) = app.gql(&officer, CLOSE, close(json!([{ "periodId": "nope", "outcome": "STUDIES", "terms": terms }]))).await;
        assert_eq!(code(&unknown), ("BAD_USER_INPUT".into(), "endRehabPeriods[0].periodId".into()), "{unknown}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE id = '{case_id}' AND ended_on IS NULL")).await, 1, "still open");
        // Both in the same call: the running one ends today, the one ahead on its first day.
        let (_, closed) = app.gql(&officer, CLOSE, close(json!([
            { "periodId": period, "outcome": "STUDIES", "terms": terms },
            { "periodId": ahead, "outcome": "OTHER", "reason": "Not started: the client starts studies", "terms": terms }
        ]))).await;
        assert_eq!(closed["data"]["closeTypCase"]["phase"], "CLOSED", "{closed}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on = '{}' AND outcome = 'STUDIES' AND end_reason = 'the TYP case was closed'", day(&app, 0))).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{ahead}' AND ended_early_on = starts_on AND outcome = 'OTHER'")).await, 1);
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'closeTypCase' AND field_groups LIKE '%CASE%' AND field_groups LIKE '%REHAB%'", app.fx.shared)).await;
        assert_eq!(logged, 1);
        // Each period ended by its own terminating decision, each with a notice.
        let decided = format!("SELECT COUNT(*) FROM ktt_decision WHERE kind = 'TERMINATE' AND decided_by = 'county-officer-c' AND period_id IN ('{period}', '{ahead}')");
        assert_eq!(app.count(&decided).await, 2);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_start_notice WHERE kind = 'TERMINATE' AND period_id IN ('{period}', '{ahead}')")).await, 2);
    }
}

on_both! {
    async fn the_periods_a_closing_officer_is_shown_are_logged_as_read(app) {
        let (_, period) = fixture_periods(&app).await;
        let officer = app.token_for("TYP_OFFICER");
        let (_, case) = app.gql(&officer, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.other_placement })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].as_str().unwrap_or_else(|| panic!("{case}")).to_owned();
        let read = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND operation = 'closeTypCase' AND field_groups LIKE '%REHAB%'", app.fx.other_placement);
        assert_eq!(app.count(&read).await, 0);
        let (_, refused) = app.gql(&officer, CLOSE, json!({ "i": { "caseId": case_id, "outcome": "OTHER", "endedOn": day(&app, 0) } })).await;
        assert_eq!(code(&refused).0, "CONFLICT", "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["periods"][0]["id"], json!(period), "{refused}");
        assert_eq!(app.count(&read).await, 1, "the listed periods are logged as read");
    }
}

/// SQLite only: the failure is injected by a trigger.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_that_fails_halfway_leaves_the_days_the_period_and_the_case_as_they_were() {
    use crate::savepoints_b::fails_halfway;
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let (period, _) = fixture_periods(&app).await;
    let worker = app.token_for("EKSOTE_WORKER");
    let (_, rec) = app
        .gql(
            &worker,
            RECORD,
            days(
                &period,
                vec![
                    with_exception(&day(&app, -14), "EVENT"),
                    with_exception(&day(&app, -3), "EVENT"),
                ],
            ),
        )
        .await;
    assert_eq!(rec["data"]["recordAttendance"]["recorded"], 2, "{rec}");
    let voided = format!("SELECT COUNT(*) FROM attendance_day WHERE period_id = '{period}' AND voided_at IS NOT NULL");
    let corrections = "SELECT COUNT(*) FROM attendance_correction";
    let ended = format!(
        "SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on IS NOT NULL"
    );
    // The monthly summaries are the last thing a voiding rewrites.
    let end = json!({ "i": { "periodId": period, "endedOn": day(&app, -7), "reason": "Moved away", "outcome": "OTHER", "terms": crate::cases::decision_terms(&app, -7) } });
    fails_halfway(&app, "ktt_client_month", "INSERT", &worker, END, end).await;
    let manager = county_manager(&app).await;
    let closure = json!({ "i": { "startsOn": day(&app, -15), "endsOn": day(&app, -13), "reason": "Premises closed" } });
    fails_halfway(
        &app,
        "ktt_client_month",
        "INSERT",
        &manager,
        SERVICE,
        closure,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM service_interruption").await,
        0
    );
    // Closing the case with its period: the case is updated after the period ended.
    let (_, case) = app
        .gql(
            &app.token_for("TYP_OFFICER"),
            "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }",
            json!({ "c": app.fx.shared }),
        )
        .await;
    let case_id = case["data"]["caseView"]["typCase"]["id"].clone();
    let officer = county_case_officer(&app, case_id.as_str().unwrap()).await;
    let close = json!({ "i": { "caseId": case_id, "outcome": "OTHER", "endedOn": day(&app, -7), "endRehabPeriods": [{ "periodId": period, "outcome": "OTHER", "terms": crate::cases::decision_terms(&app, -7) }] } });
    fails_halfway(&app, "typ_case", "UPDATE", &officer, CLOSE, close).await;
    assert_eq!(app.count(&voided).await, 0);
    assert_eq!(app.count(corrections).await, 0);
    assert_eq!(app.count(&ended).await, 0);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM typ_case WHERE id = '{}' AND ended_on IS NULL",
            case_id.as_str().unwrap()
        ))
        .await,
        1
    );
}
