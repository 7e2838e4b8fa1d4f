//! A mutation that writes several statements writes all of them or none: each test makes
//! a later statement fail (a SQLite trigger raising an error) and finds nothing of the
//! earlier ones committed, although the request's transaction commits. KTT periods,
//! attendance, service-wide interruptions and administration.

use chrono::{Days, Months};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value as Json};

use crate::helpers::{spawn_app, Backend, TestApp};

/// Runs `query` as `token` while every `event` (INSERT, UPDATE, DELETE) on `table` fails,
/// and checks the mutation failed as an internal error. The trigger is made and dropped
/// on a connection of its own, which holds no older snapshot of the schema.
pub(crate) async fn fails_halfway(
    app: &TestApp,
    table: &str,
    event: &str,
    token: &str,
    query: &str,
    vars: Json,
) {
    let direct = typgraph::db::connect(&app.url, None, Some(1))
        .await
        .unwrap();
    direct
        .execute_unprepared(&format!(
            "CREATE TRIGGER injected_failure BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, 'injected'); END"
        ))
        .await
        .unwrap();
    let (_, body) = app.gql(token, query, vars).await;
    direct
        .execute_unprepared("DROP TRIGGER injected_failure")
        .await
        .unwrap();
    direct.close().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{table}: {body}"
    );
}

/// The one text value `sql` selects.
async fn text(app: &TestApp, sql: &str) -> String {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no row: {sql}"));
    row.try_get_by_index::<String>(0).unwrap()
}

async fn sqlite() -> TestApp {
    spawn_app(Backend::Sqlite)
        .await
        .expect("SQLite is always available")
}

/// The fixture's KTT period of the shared client (at the first provider).
async fn shared_period(app: &TestApp) -> String {
    text(
        app,
        "SELECT id FROM rehab_period WHERE decision_number = 'KTT-T-1'",
    )
    .await
}

async fn writes(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM access_log_entry WHERE action = 'WRITE'")
        .await
}

const DECIDE: &str =
    "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_period_decision_is_written_whole_or_not_at_all() {
    let app = sqlite().await;
    let worker = app.token_for("EKSOTE_WORKER");
    let start = app.fx.today.checked_add_days(Days::new(40)).unwrap();
    let end = start
        .checked_add_months(Months::new(3))
        .unwrap()
        .pred_opt()
        .unwrap();
    let today = app.fx.today.to_string();
    let vars = json!({ "i": { "clientId": app.fx.shared, "providerId": app.fx.p1, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Daily rhythm", "decidedOn": today, "servedOn": today, "hearingOn": today } });
    let periods = format!(
        "SELECT COUNT(*) FROM rehab_period WHERE client_id = '{}'",
        app.fx.shared
    );
    let (before, logged) = (app.count(&periods).await, writes(&app).await);
    // The period's row is written before the monthly figures are rebuilt.
    fails_halfway(&app, "ktt_month", "INSERT", &worker, DECIDE, vars.clone()).await;
    assert_eq!(app.count(&periods).await, before);
    assert_eq!(writes(&app).await, logged);
    let (_, ok) = app.gql(&worker, DECIDE, vars).await;
    assert!(ok["data"]["decideRehabPeriod"]["id"].is_string(), "{ok}");
    assert_eq!(app.count(&periods).await, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_early_end_is_written_whole_or_not_at_all() {
    let app = sqlite().await;
    let period = shared_period(&app).await;
    let query =
        "mutation E($i: EndRehabPeriodEarlyInput!) { endRehabPeriodEarly(input: $i) { id } }";
    let vars = json!({ "i": { "periodId": period, "endedOn": app.fx.today.to_string(), "reason": "Moved away", "terms": crate::cases::decision_terms(&app, 0) } });
    let logged = writes(&app).await;
    fails_halfway(
        &app,
        "ktt_month",
        "INSERT",
        &app.token_for("EKSOTE_WORKER"),
        query,
        vars,
    )
    .await;
    let ended = format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on IS NULL AND end_reason IS NULL");
    assert_eq!(app.count(&ended).await, 1);
    assert_eq!(writes(&app).await, logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_interruption_of_a_period_is_not_logged_as_written() {
    let app = sqlite().await;
    let period = shared_period(&app).await;
    let query =
        "mutation I($i: InterruptRehabPeriodInput!) { interruptRehabPeriod(input: $i) { id } }";
    let vars = json!({ "i": { "periodId": period, "startsOn": app.fx.today.to_string(), "reason": "Illness" } });
    let interruptions =
        format!("SELECT COUNT(*) FROM rehab_interruption WHERE period_id = '{period}'");
    let (before, logged) = (app.count(&interruptions).await, writes(&app).await);
    fails_halfway(
        &app,
        "rehab_interruption",
        "INSERT",
        &app.token_for("EKSOTE_WORKER"),
        query,
        vars,
    )
    .await;
    assert_eq!(app.count(&interruptions).await, before);
    assert_eq!(writes(&app).await, logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_is_written_with_its_allowances_or_not_at_all() {
    let app = sqlite().await;
    let period = shared_period(&app).await;
    let query =
        "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded } }";
    let yesterday = app.fx.today.pred_opt().unwrap().to_string();
    let vars = json!({ "i": { "periodId": period, "days": [{ "date": yesterday, "present": true, "exceptionReason": "EVENT" }] } });
    let days = format!("SELECT COUNT(*) FROM attendance_day WHERE period_id = '{period}'");
    let (before, logged) = (app.count(&days).await, writes(&app).await);
    // The day is written before its month's allowance lines.
    fails_halfway(
        &app,
        "allowance_line",
        "INSERT",
        &app.token_for("PROVIDER_COACH"),
        query,
        vars,
    )
    .await;
    assert_eq!(app.count(&days).await, before);
    assert_eq!(writes(&app).await, logged);
}

const RECORD_CLOSURE: &str = "mutation S($i: RecordServiceInterruptionInput!) { recordServiceInterruption(input: $i) { id } }";

/// A county manager (who may record service-wide interruptions), and a token for it.
async fn county_manager(app: &TestApp) -> String {
    app.exec("INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('manager-sp', 'Test manager', 'EKSOTE', NULL, TRUE, '2026-01-01 00:00:00')").await;
    app.exec(
        "INSERT INTO official_role (official_id, role) VALUES ('manager-sp', 'COUNTY_MANAGER')",
    )
    .await;
    app.token("manager-sp", &["COUNTY_MANAGER"])
}

fn closure(app: &TestApp, reason: &str) -> Json {
    let from = app.fx.today.checked_add_days(Days::new(1)).unwrap();
    let to = app.fx.today.checked_add_days(Days::new(5)).unwrap();
    json!({ "startsOn": from.to_string(), "endsOn": to.to_string(), "reason": reason })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_interruption_is_recorded_corrected_and_cancelled_with_its_log_or_not_at_all() {
    let app = sqlite().await;
    let manager = county_manager(&app).await;
    let log = "SELECT COUNT(*) FROM service_interruption_log";
    fails_halfway(
        &app,
        "service_interruption_log",
        "INSERT",
        &manager,
        RECORD_CLOSURE,
        json!({ "i": closure(&app, "Premises closed") }),
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM service_interruption").await,
        0
    );

    let (_, recorded) = app
        .gql(
            &manager,
            RECORD_CLOSURE,
            json!({ "i": closure(&app, "Premises closed") }),
        )
        .await;
    let id = recorded["data"]["recordServiceInterruption"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{recorded}"))
        .to_owned();
    let logged = app.count(log).await;
    let mut corrected = closure(&app, "Water damage");
    corrected["id"] = json!(id);
    corrected["correctionReason"] = json!("Wrong reason");
    let correct = "mutation C($i: CorrectServiceInterruptionInput!) { correctServiceInterruption(input: $i) { id } }";
    fails_halfway(
        &app,
        "service_interruption_log",
        "INSERT",
        &manager,
        correct,
        json!({ "i": corrected }),
    )
    .await;
    assert_eq!(
        text(
            &app,
            &format!("SELECT reason FROM service_interruption WHERE id = '{id}'")
        )
        .await,
        "Premises closed"
    );

    let cancel = "mutation X($i: CancelServiceInterruptionInput!) { cancelServiceInterruption(input: $i) { id } }";
    fails_halfway(
        &app,
        "service_interruption_log",
        "INSERT",
        &manager,
        cancel,
        json!({ "i": { "id": id, "reason": "Reopened" } }),
    )
    .await;
    let standing = format!("SELECT COUNT(*) FROM service_interruption WHERE id = '{id}' AND cancelled_at IS NULL AND cancel_reason IS NULL");
    assert_eq!(app.count(&standing).await, 1);
    assert_eq!(app.count(log).await, logged);
}

const CREATE_OFFICIAL: &str =
    "mutation C($i: CreateOfficialInput!) { createOfficial(input: $i) { id } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_is_created_with_roles_and_log_or_not_at_all() {
    let app = sqlite().await;
    let vars = json!({ "i": { "id": "te-sp-1", "name": "Uusi Virkailija", "agency": "TE", "roles": ["TE_EXPERT"] } });
    // The official's row and roles are written before the administration-log row.
    fails_halfway(
        &app,
        "admin_log",
        "INSERT",
        &app.token_for("ADMIN"),
        CREATE_OFFICIAL,
        vars,
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM official WHERE id = 'te-sp-1'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM official_role WHERE official_id = 'te-sp-1'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_is_changed_and_deactivated_with_the_log_or_not_at_all() {
    let app = sqlite().await;
    let admin = app.token_for("ADMIN");
    let expert = app.fx.official("TE_EXPERT").to_owned();
    let update = "mutation U($i: UpdateOfficialInput!) { updateOfficial(input: $i) { id } }";
    let vars =
        json!({ "i": { "id": expert, "name": "Renamed", "roles": ["TE_EXPERT", "TYP_OFFICER"] } });
    fails_halfway(&app, "admin_log", "INSERT", &admin, update, vars).await;
    assert_eq!(
        text(
            &app,
            &format!("SELECT name FROM official WHERE id = '{expert}'")
        )
        .await,
        "Test TE_EXPERT"
    );
    let roles = format!("SELECT COUNT(*) FROM official_role WHERE official_id = '{expert}'");
    assert_eq!(app.count(&roles).await, 1);
    assert_eq!(
        text(
            &app,
            &format!("SELECT role FROM official_role WHERE official_id = '{expert}'")
        )
        .await,
        "TE_EXPERT"
    );

    let deactivate = "mutation D($id: ID!) { deactivateOfficial(id: $id) { active } }";
    fails_halfway(
        &app,
        "admin_log",
        "INSERT",
        &admin,
        deactivate,
        json!({ "id": expert }),
    )
    .await;
    let active = format!("SELECT COUNT(*) FROM official WHERE id = '{expert}' AND active");
    assert_eq!(app.count(&active).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_log").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_is_created_changed_and_deactivated_with_the_log_or_not_at_all() {
    let app = sqlite().await;
    let admin = app.token_for("ADMIN");
    let create = "mutation P($i: CreateProviderInput!) { createProvider(input: $i) { id } }";
    let new =
        json!({ "i": { "name": "Uusi Paja", "kind": "THIRD_SECTOR", "municipality": "Imatra" } });
    fails_halfway(&app, "admin_log", "INSERT", &admin, create, new.clone()).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM provider WHERE name = 'Uusi Paja'")
            .await,
        0
    );

    let (_, created) = app.gql(&admin, create, new).await;
    let id = created["data"]["createProvider"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let logged = app.count("SELECT COUNT(*) FROM admin_log").await;
    let update = "mutation U($i: UpdateProviderInput!) { updateProvider(input: $i) { id } }";
    let vars = json!({ "i": { "id": id, "name": "Toinen Paja", "municipality": "Lappeenranta" } });
    fails_halfway(&app, "admin_log", "INSERT", &admin, update, vars).await;
    let unchanged = format!("SELECT COUNT(*) FROM provider WHERE id = '{id}' AND name = 'Uusi Paja' AND municipality = 'Imatra' AND active");
    assert_eq!(app.count(&unchanged).await, 1);

    let deactivate = "mutation D($id: ID!) { deactivateProvider(id: $id) { active } }";
    fails_halfway(
        &app,
        "admin_log",
        "INSERT",
        &admin,
        deactivate,
        json!({ "id": id }),
    )
    .await;
    assert_eq!(app.count(&unchanged).await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM admin_log").await, logged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_version_is_stored_with_its_log_or_not_at_all() {
    let app = sqlite().await;
    let load =
        "mutation L($i: LoadPolicyVersionInput!) { loadPolicyVersion(input: $i) { version } }";
    let vars = json!({ "i": { "policy": typgraph::authz::policy::DEFAULT_POLICY, "comment": "Same again" } });
    let versions = "SELECT COUNT(*) FROM policy_version";
    let before = app.count(versions).await;
    fails_halfway(
        &app,
        "admin_log",
        "INSERT",
        &app.token_for("ADMIN"),
        load,
        vars,
    )
    .await;
    assert_eq!(app.count(versions).await, before);
}
