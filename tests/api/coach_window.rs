//! A provider's coach sees a placed client from the placement's decision until
//! `coach_access_days_after_end` days (90 by default) after the period ends, and then no
//! longer: the client, the period and its attendance, for reads and attendance writes alike.

use chrono::{Days, NaiveDate};
use serde_json::json;

use crate::helpers::{test_config, TestApp};
use crate::on_both;

const VIEW: &str = "query P($c: ID!) { client(id: $c) { firstName } caseView(clientId: $c) { rehabPeriods { id } } }";

/// The day `n` days from the fixture's today (negative: before).
fn day(app: &TestApp, n: i64) -> NaiveDate {
    if n >= 0 {
        app.fx.today.checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        app.fx
            .today
            .checked_sub_days(Days::new((-n) as u64))
            .unwrap()
    }
}

/// Sets the shared client's period at P1: decided `decided` days from today, planned to end
/// `ends` days from today, ended early `early` days from today (if at all).
async fn place(app: &TestApp, decided: i64, ends: i64, early: Option<i64>) {
    let early = early.map_or("NULL".to_owned(), |e| format!("'{}'", day(app, e)));
    app.exec(&format!(
        "UPDATE rehab_period SET decided_on = '{}', starts_on = '{}', ends_on = '{}', ended_early_on = {early}, end_reason = 'OTHER' WHERE client_id = '{}'",
        day(app, decided),
        day(app, decided.min(ends) - 1),
        day(app, ends),
        app.fx.shared
    ))
    .await;
}

/// Whether the coach at P1 sees the shared client, and how many of its periods.
async fn coach_sees(app: &TestApp) -> (bool, usize) {
    let (_, body) = app
        .gql(
            &app.token_for("PROVIDER_COACH"),
            VIEW,
            json!({ "c": app.fx.shared }),
        )
        .await;
    let seen = !body["data"]["client"].is_null();
    assert_eq!(seen, !body["data"]["caseView"].is_null(), "{body}");
    // The coach's page of clients (read from the placements first on PostgreSQL) agrees.
    let (_, page) = app
        .gql(
            &app.token_for("PROVIDER_COACH"),
            "{ clients(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let listed = page["data"]["clients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .any(|e| e["node"]["id"] == app.fx.shared.as_str());
    assert_eq!(seen, listed, "{page}");
    let periods = body["data"]["caseView"]["rehabPeriods"]
        .as_array()
        .map_or(0, Vec::len);
    (seen, periods)
}

on_both! {
    async fn a_coach_sees_a_placement_from_its_decision_to_ninety_days_after_its_end(app) {
        // Decided tomorrow: not yet the coach's; decided today: the coach's.
        place(&app, 1, 60, None).await;
        assert_eq!(coach_sees(&app).await, (false, 0), "before the decision");
        place(&app, 0, 60, None).await;
        assert_eq!(coach_sees(&app).await, (true, 1), "on the day of the decision");

        // Ended 90 days ago: the last day; 91 days ago: gone.
        place(&app, -300, -90, None).await;
        assert_eq!(coach_sees(&app).await, (true, 1), "the last day of the window");
        place(&app, -300, -91, None).await;
        assert_eq!(coach_sees(&app).await, (false, 0), "the day after the window");

        // An early end counts, not the planned one.
        place(&app, -300, 30, Some(-91)).await;
        assert_eq!(coach_sees(&app).await, (false, 0), "ended early 91 days ago");
        place(&app, -300, 30, Some(-90)).await;
        assert_eq!(coach_sees(&app).await, (true, 1), "ended early 90 days ago");

        // The county's worker is not bound by the coach's window.
        place(&app, -300, -400, None).await;
        let (_, county) = app.gql(&app.token_for("EKSOTE_WORKER"), VIEW, json!({ "c": app.fx.shared })).await;
        assert_eq!(county["data"]["caseView"]["rehabPeriods"].as_array().unwrap().len(), 1, "{county}");
    }
}

on_both! {
    async fn a_coach_gets_only_the_periods_within_their_window_and_writes_no_attendance_after_it(app) {
        // A second placement at P1 that ended long ago stays out of the coach's view while
        // the current one is in it.
        place(&app, -60, 30, None).await;
        app.exec(&format!(
            "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, created_at) \
             SELECT 'old-period', client_id, provider_id, 'KTT-T-OLD', '{}', decided_by, '{}', '{}', days_per_week, hours_per_day, goal, created_at FROM rehab_period WHERE client_id = '{}'",
            day(&app, -500), day(&app, -500), day(&app, -200), app.fx.shared
        ))
        .await;
        let (_, body) = app.gql(&app.token_for("PROVIDER_COACH"), VIEW, json!({ "c": app.fx.shared })).await;
        let ids: Vec<&str> = body["data"]["caseView"]["rehabPeriods"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 1, "{body}");
        assert!(!ids.contains(&"old-period"), "{body}");

        // Attendance of the old period: refused as not found, like a period that does not exist.
        let record = "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded } }";
        let days = json!([{ "date": day(&app, -210).to_string(), "present": true }]);
        let (_, old) = app.gql(&app.token_for("PROVIDER_COACH"), record, json!({ "i": { "periodId": "old-period", "days": days } })).await;
        let (_, missing) = app.gql(&app.token_for("PROVIDER_COACH"), record, json!({ "i": { "periodId": "no-such-period", "days": days } })).await;
        assert_eq!(old["errors"][0]["extensions"]["code"], "NOT_FOUND", "{old}");
        assert_eq!(old["errors"][0]["extensions"], missing["errors"][0]["extensions"]);
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE period_id = 'old-period'").await, 0);
    }
}

fn ten_days_after_end(url: &str) -> typgraph::config::Config {
    let mut config = test_config(url);
    config.settings.coach_access_days_after_end = 10;
    config
}

on_both! {
    with ten_days_after_end;
    async fn the_coachs_window_after_the_end_is_a_setting(app) {
        place(&app, -300, -10, None).await;
        assert_eq!(coach_sees(&app).await, (true, 1), "the tenth day after the end");
        place(&app, -300, -11, None).await;
        assert_eq!(coach_sees(&app).await, (false, 0), "the eleventh day after the end");
    }
}
