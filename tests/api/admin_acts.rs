//! Acts with effects beyond one client: a service-wide interruption is the organiser's act,
//! bounded, logged and undoable; case dates cannot be backdated to move a client out of
//! scope or towards erasure, and only the responsible agency closes a case; the client's
//! withdrawal of the multi-agency agreement ends the sharing at once and tells the case team.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value as Json};

use crate::helpers::{assert_not_in_schema, test_config, TestApp};
use crate::on_both;

fn code(body: &Json) -> (&str, &str) {
    (
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or(""),
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or(""),
    )
}

use crate::cases::day;

/// A new official of `agency` holding `role`, and a token for it.
async fn official(app: &TestApp, id: &str, agency: &str, role: &str) -> String {
    app.exec(&format!(
        "INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('{id}', 'Test {role} {agency}', '{agency}', NULL, TRUE, '2026-01-01 00:00:00')"
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO official_role (official_id, role) VALUES ('{id}', '{role}')"
    ))
    .await;
    app.token(id, &[role])
}

const RECORD: &str = "mutation S($i: RecordServiceInterruptionInput!) { recordServiceInterruption(input: $i) { id startsOn endsOn providerId reason recordedBy recordedAt cancelledAt } }";
const CORRECT: &str = "mutation C($i: CorrectServiceInterruptionInput!) { correctServiceInterruption(input: $i) { id startsOn endsOn reason } }";
const CANCEL: &str = "mutation X($i: CancelServiceInterruptionInput!) { cancelServiceInterruption(input: $i) { id cancelledAt cancelledBy cancelReason } }";
const ATTEND: &str =
    "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded unchanged } }";
const LOG: &str = "{ serviceInterruptionLog { at officialId action target detail } }";

/// The fixture's KTT period of the shared client (at the first provider).
async fn shared_period(app: &TestApp) -> String {
    let (_, body) = app
        .gql(
            &app.token_for("EKSOTE_WORKER"),
            "query V($c: ID!) { caseView(clientId: $c) { rehabPeriods { id } } }",
            json!({ "c": app.fx.shared }),
        )
        .await;
    body["data"]["caseView"]["rehabPeriods"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// One day present, recorded as an event (allowed by the fixture's decision) so that it
/// may fall on any weekday or holiday.
fn attend(period: &str, date: &str) -> Json {
    json!({ "i": { "periodId": period, "days": [{ "date": date, "present": true, "exceptionReason": "EVENT" }] } })
}

on_both! {
    async fn no_officer_stops_the_service_and_county_management_stays_within_bounds(app) {
        let closure = |from: &str, to: &str| json!({ "i": { "startsOn": from, "endsOn": to, "reason": "Premises closed" } });
        // Every officer of every agency held REHAB write, and with it the whole service.
        for role in ["TYP_OFFICER", "EKSOTE_WORKER", "KELA_EXPERT", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), RECORD, closure(&day(&app, 1), &day(&app, 5))).await;
            assert_not_in_schema(status, &body, "recordServiceInterruption", "Mutation");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM service_interruption").await, 0);
        let manager = official(&app, "county-manager-1", "EKSOTE", "COUNTY_MANAGER").await;
        let cases = [
            // A closure far in the future (2090-2099 was accepted).
            (closure("2090-01-01", "2099-12-31"), "endsOn"),
            (closure(&day(&app, 31), &day(&app, 400)), "endsOn"),
            // Back at most 30 days.
            (closure(&day(&app, -31), &day(&app, 5)), "startsOn"),
            (closure(&day(&app, 5), &day(&app, 4)), "endsOn"),
            (json!({ "i": { "startsOn": day(&app, 1), "endsOn": day(&app, 2), "reason": " " } }), "reason"),
            (json!({ "i": { "startsOn": day(&app, 1), "endsOn": day(&app, 2), "reason": "x", "providerId": "no-such-provider" } }), "providerId"),
        ];
        for (input, field) in cases {
            let (_, body) = app.gql(&manager, RECORD, input.clone()).await;
            assert_eq!(code(&body), ("BAD_USER_INPUT", field), "{input}: {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM service_interruption").await, 0);
        // At the edges: 30 days back, a year ahead.
        let (_, edge) = app.gql(&manager, RECORD, closure(&day(&app, -30), &day(&app, 20))).await;
        assert!(edge["data"]["recordServiceInterruption"]["id"].is_string(), "{edge}");
        assert_eq!(edge["data"]["recordServiceInterruption"]["recordedBy"], "county-manager-1");
        assert!(edge["data"]["recordServiceInterruption"]["recordedAt"].is_string(), "{edge}");
        // The role is the county's (the organiser) alone.
        let (_, kela) = app.gql(&app.token_for("ADMIN"), "mutation C($i: CreateOfficialInput!) { createOfficial(input: $i) { id } }", json!({ "i": { "name": "Test Kela manager", "agency": "KELA", "roles": ["COUNTY_MANAGER"] } })).await;
        assert_eq!(code(&kela), ("BAD_USER_INPUT", "roles"), "{kela}");
        // County management reads no client.
        let (status, client) = app.gql(&manager, "query C($c: ID!) { client(id: $c) { id } }", json!({ "c": app.fx.shared })).await;
        assert_not_in_schema(status, &client, "client", "Query");
    }
}

on_both! {
    async fn an_interruption_is_logged_corrected_and_cancelled_never_deleted(app) {
        let manager = official(&app, "county-manager-2", "EKSOTE", "COUNTY_MANAGER").await;
        let worker = app.token_for("EKSOTE_WORKER");
        let period = shared_period(&app).await;
        // An interruption of the other provider leaves this period's attendance alone.
        let (_, other) = app.gql(&manager, RECORD, json!({ "i": { "startsOn": day(&app, -25), "endsOn": day(&app, 10), "providerId": app.fx.p2, "reason": "Renovation" } })).await;
        assert_eq!(other["data"]["recordServiceInterruption"]["providerId"], json!(app.fx.p2), "{other}");
        let (_, open) = app.gql(&worker, ATTEND, attend(&period, &day(&app, -20))).await;
        assert_eq!(open["data"]["recordAttendance"]["recorded"], 1, "{open}");
        // One of every provider stops it.
        let (_, all) = app.gql(&manager, RECORD, json!({ "i": { "startsOn": day(&app, -5), "endsOn": day(&app, 5), "reason": "Water damage" } })).await;
        let id = all["data"]["recordServiceInterruption"]["id"].as_str().unwrap_or_else(|| panic!("{all}")).to_owned();
        let (_, refused) = app.gql(&worker, ATTEND, attend(&period, &day(&app, -4))).await;
        assert_eq!(code(&refused), ("BAD_USER_INPUT", "days[0].date"), "{refused}");
        // Corrected: it now starts a day later; the start may stay where it was.
        let (status, officer) = app.gql(&app.token_for("TYP_OFFICER"), CORRECT, json!({ "i": { "id": id, "startsOn": day(&app, -3), "endsOn": day(&app, 5), "reason": "Water damage", "correctionReason": "Opened on Monday after all" } })).await;
        assert_not_in_schema(status, &officer, "correctServiceInterruption", "Mutation");
        let (_, far) = app.gql(&manager, CORRECT, json!({ "i": { "id": id, "startsOn": day(&app, -3), "endsOn": "2099-12-31", "reason": "Water damage", "correctionReason": "x" } })).await;
        assert_eq!(code(&far), ("BAD_USER_INPUT", "endsOn"), "{far}");
        let (_, fixed) = app.gql(&manager, CORRECT, json!({ "i": { "id": id, "startsOn": day(&app, -3), "endsOn": day(&app, 5), "reason": "Water damage", "correctionReason": "Opened on Monday after all" } })).await;
        assert_eq!(fixed["data"]["correctServiceInterruption"]["startsOn"], day(&app, -3), "{fixed}");
        let (_, now_open) = app.gql(&worker, ATTEND, attend(&period, &day(&app, -4))).await;
        assert_eq!(now_open["data"]["recordAttendance"]["recorded"], 1, "{now_open}");
        let (_, still) = app.gql(&worker, ATTEND, attend(&period, &day(&app, -2))).await;
        assert_eq!(code(&still), ("BAD_USER_INPUT", "days[0].date"), "{still}");
        // Cancelled: kept, marked with who and why; attendance is taken again.
        let (_, no_reason) = app.gql(&manager, CANCEL, json!({ "i": { "id": id, "reason": "" } })).await;
        assert_eq!(code(&no_reason), ("BAD_USER_INPUT", "reason"), "{no_reason}");
        let (_, cancelled) = app.gql(&manager, CANCEL, json!({ "i": { "id": id, "reason": "Recorded for the wrong region" } })).await;
        let c = &cancelled["data"]["cancelServiceInterruption"];
        assert!(c["cancelledAt"].is_string(), "{cancelled}");
        assert_eq!(c["cancelledBy"], "county-manager-2");
        assert_eq!(c["cancelReason"], "Recorded for the wrong region");
        let (_, taken) = app.gql(&worker, ATTEND, attend(&period, &day(&app, -2))).await;
        assert_eq!(taken["data"]["recordAttendance"]["recorded"], 1, "{taken}");
        let (_, twice) = app.gql(&manager, CANCEL, json!({ "i": { "id": id, "reason": "again" } })).await;
        assert_eq!(code(&twice).0, "CONFLICT", "{twice}");
        let (_, late) = app.gql(&manager, CORRECT, json!({ "i": { "id": id, "startsOn": day(&app, -3), "endsOn": day(&app, 5), "reason": "x", "correctionReason": "x" } })).await;
        assert_eq!(code(&late).0, "CONFLICT", "{late}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM service_interruption WHERE id = '{id}'")).await, 1);
        // Reports no longer show the cancelled one.
        let (_, report) = app.gql(&app.token_for("ANALYST"), "query R($f: Date!, $t: Date!) { reports { serviceInterruptions(from: $f, to: $t) { reason } } }", json!({ "f": day(&app, -30), "t": day(&app, 30) })).await;
        assert_eq!(report["data"]["reports"]["serviceInterruptions"], json!([{ "reason": "Renovation" }]), "{report}");
        // Every act is in the log, with who and why; the data-protection officer reads it.
        let (_, log) = app.gql(&app.token_for("AUDITOR"), LOG, json!({})).await;
        let rows = log["data"]["serviceInterruptionLog"].as_array().unwrap_or_else(|| panic!("{log}")).clone();
        let actions: Vec<&str> = rows.iter().filter_map(|r| r["action"].as_str()).collect();
        assert_eq!(actions, ["CANCEL_SERVICE_INTERRUPTION", "CORRECT_SERVICE_INTERRUPTION", "RECORD_SERVICE_INTERRUPTION", "RECORD_SERVICE_INTERRUPTION"], "{log}");
        assert!(rows.iter().all(|r| r["officialId"] == "county-manager-2"), "{log}");
        assert_eq!(rows[0]["target"], json!(id));
        assert!(rows[0]["detail"].as_str().unwrap_or("").contains("Recorded for the wrong region"), "{log}");
        assert!(rows[1]["detail"].as_str().unwrap_or("").contains("Opened on Monday after all"), "{log}");
        assert!(rows[2]["detail"].as_str().unwrap_or("").contains("Water damage"), "{log}");
        let (status, officer_log) = app.gql(&app.token_for("TYP_OFFICER"), LOG, json!({})).await;
        assert_not_in_schema(status, &officer_log, "serviceInterruptionLog", "Query");
    }
}

const OPEN: &str = "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id openedOn } }";
const CLOSE: &str =
    "mutation X($i: CloseTypCaseInput!) { closeTypCase(input: $i) { phase endedOn } }";

use crate::cases::register as new_client;

fn open_input(client: &str, on: &str) -> Json {
    json!({ "i": { "clientId": client, "criterion": "UNEMPLOYED_12_MONTHS_25_PLUS", "openedOn": on, "clientAgreedOn": on } })
}

on_both! {
    async fn case_dates_are_recorded_at_most_thirty_days_back_and_only_the_responsible_agency_closes(app) {
        let officer = app.token_for("TYP_OFFICER");
        let client = new_client(&app, "150580-945U").await;
        for (on, field) in [(day(&app, -31), "openedOn"), (day(&app, 1), "openedOn"), ("1990-01-01".to_owned(), "openedOn")] {
            let (_, body) = app.gql(&officer, OPEN, open_input(&client, &on)).await;
            assert_eq!(code(&body), ("BAD_USER_INPUT", field), "{on}: {body}");
        }
        let (_, opened) = app.gql(&officer, OPEN, open_input(&client, &day(&app, -30))).await;
        let case = opened["data"]["openTypCase"]["id"].as_str().unwrap_or_else(|| panic!("{opened}")).to_owned();
        // Another agency's responsible officer sees the case but does not close it.
        let kela_officer = official(&app, "kela-officer-1", "KELA", "TYP_OFFICER").await;
        let (_, seen) = app.gql(&kela_officer, "query V($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": client })).await;
        assert_eq!(seen["data"]["caseView"]["typCase"]["id"], json!(case), "{seen}");
        let (_, foreign) = app.gql(&kela_officer, CLOSE, json!({ "i": { "caseId": case, "outcome": "MOVED", "endedOn": day(&app, 0) } })).await;
        assert_eq!(code(&foreign).0, "FORBIDDEN", "{foreign}");
        // The closing date: within 30 days back, and not in the future.
        for on in [day(&app, -31), day(&app, 1)] {
            let (_, body) = app.gql(&officer, CLOSE, json!({ "i": { "caseId": case, "outcome": "MOVED", "endedOn": on } })).await;
            assert_eq!(code(&body), ("BAD_USER_INPUT", "endedOn"), "{on}: {body}");
        }
        let (_, closed) = app.gql(&officer, CLOSE, json!({ "i": { "caseId": case, "outcome": "MOVED", "endedOn": day(&app, -30) } })).await;
        assert_eq!(closed["data"]["closeTypCase"], json!({ "phase": "CLOSED", "endedOn": day(&app, -30) }), "{closed}");
        // When and by whom it was recorded is kept.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE id = '{case}' AND closure_recorded_on = '{}' AND closed_by = '{}'", day(&app, 0), app.fx.official("TYP_OFFICER"))).await, 1);
    }
}

/// Backdating allowed far, and one year of retention: the edge where a backdated closure
/// would have ended everyone's access at once.
fn far_backdating(url: &str) -> typgraph::config::Config {
    let mut config = test_config(url);
    config.settings.max_backdate_days = 4000;
    config.settings.typ_case_retention_years = 1;
    config
}

on_both! {
    with far_backdating;
    async fn retention_counts_from_the_day_a_closure_was_recorded_when_that_is_later(app) {
        let officer = app.token_for("TYP_OFFICER");
        let client = new_client(&app, "160580-9311").await;
        let (_, opened) = app.gql(&officer, OPEN, open_input(&client, &day(&app, -500))).await;
        let case = opened["data"]["openTypCase"]["id"].as_str().unwrap_or_else(|| panic!("{opened}")).to_owned();
        // Closed today with a date 400 days back: by the date alone, a year of retention is over.
        let (_, closed) = app.gql(&officer, CLOSE, json!({ "i": { "caseId": case, "outcome": "OTHER", "endedOn": day(&app, -400) } })).await;
        assert_eq!(closed["data"]["closeTypCase"]["endedOn"], day(&app, -400), "{closed}");
        // The county still sees the client as a TYP client: retention runs from today.
        let (_, county) = app.gql(&app.token_for("EKSOTE_WORKER"), "query V($c: ID!) { caseView(clientId: $c) { typCase { id endedOn } } }", json!({ "c": client })).await;
        assert_eq!(county["data"]["caseView"]["typCase"]["id"], json!(case), "{county}");
        // Nor is anything due for erasure.
        let settings = far_backdating(&app.url).settings;
        let today: NaiveDate = app.fx.today;
        let due = typgraph::services::retention::due(&app.db, &settings, today).await.unwrap();
        assert!(!due.iter().any(|d| d.client_id == client), "{:?}", due.iter().map(|d| &d.client_id).collect::<Vec<_>>());
        // A year on, it is.
        let later = today.checked_add_days(Days::new(370)).unwrap();
        let due = typgraph::services::retention::due(&app.db, &settings, later).await.unwrap();
        assert!(due.iter().any(|d| d.client_id == client));
    }
}

const VIEW: &str = "query V($c: ID!) { caseView(clientId: $c) { typCase { id phase agreementWithdrawnOn } plan { goals } meetings { id } } }";

on_both! {
    async fn withdrawing_the_multi_agency_agreement_ends_the_sharing_and_tells_the_case_team(app) {
        let period = shared_period(&app).await;
        let me = app.token(&app.fx.shared, &["CLIENT"]);
        let (_, mine) = app.gql(&me, "{ myCase { consents { id kind } } }", json!({})).await;
        let agreement = mine["data"]["myCase"]["consents"].as_array().unwrap_or_else(|| panic!("{mine}"))
            .iter().find(|c| c["kind"] == "MULTI_AGENCY_SERVICE").unwrap_or_else(|| panic!("{mine}"))["id"].clone();
        // Before: Kela and the county see the shared case and its plan.
        for role in ["KELA_EXPERT", "EKSOTE_WORKER"] {
            let (_, before) = app.gql(&app.token_for(role), VIEW, json!({ "c": app.fx.shared })).await;
            assert!(before["data"]["caseView"]["typCase"]["id"].is_string(), "{role}: {before}");
            assert!(before["data"]["caseView"]["plan"]["goals"].is_string(), "{role}: {before}");
        }
        let (_, done) = app.gql(&me, "mutation W($k: ID!) { withdrawMyConsent(consentId: $k) { inForce } }", json!({ "k": agreement })).await;
        assert_eq!(done["data"]["withdrawMyConsent"]["inForce"], false, "{done}");
        // At once: the other agencies see only their own records of the client.
        for role in ["KELA_EXPERT", "EKSOTE_WORKER"] {
            let (_, after) = app.gql(&app.token_for(role), VIEW, json!({ "c": app.fx.shared })).await;
            let view = &after["data"]["caseView"];
            assert!(view.is_null() || (view["typCase"].is_null() && view["plan"].is_null()), "{role}: {after}");
            if !view.is_null() {
                assert!(view["meetings"].as_array().is_none_or(|m| m.is_empty()), "{role}: {after}");
            }
        }
        let (_, listed) = app.gql(&app.token_for("KELA_EXPERT"), "query C($c: ID!) { client(id: $c) { cases { id } } }", json!({ "c": app.fx.shared })).await;
        let cases = &listed["data"]["client"]["cases"];
        assert!(cases.is_null() || cases.as_array().is_some_and(|c| c.is_empty()), "{listed}");
        // The responsible officer's case shows the withdrawal.
        let (_, own) = app.gql(&app.token_for("TYP_OFFICER"), VIEW, json!({ "c": app.fx.shared })).await;
        assert_eq!(own["data"]["caseView"]["typCase"]["agreementWithdrawnOn"], app.fx.today.to_string(), "{own}");
        // And the responsible agency can still close it, once the county's KTT period
        // (which it no longer reads, and which is not named to it) has ended.
        let case = own["data"]["caseView"]["typCase"]["id"].clone();
        let (_, running) = app.gql(&app.token_for("TYP_OFFICER"), CLOSE, json!({ "i": { "caseId": case, "outcome": "OTHER", "endedOn": day(&app, 0) } })).await;
        assert_eq!(code(&running).0, "CONFLICT", "{running}");
        assert!(running["errors"][0]["extensions"]["periods"].is_null(), "no ids: {running}");
        let end = "mutation E($i: EndRehabPeriodEarlyInput!) { endRehabPeriodEarly(input: $i) { endedEarlyOn } }";
        let (_, ended) = app.gql(&app.token_for("EKSOTE_WORKER"), end, json!({ "i": { "periodId": period, "endedOn": day(&app, 0), "reason": "The client withdrew", "outcome": "ENDED_BY_CLIENT", "terms": crate::cases::decision_terms(&app, 0) } })).await;
        assert_eq!(ended["data"]["endRehabPeriodEarly"]["endedEarlyOn"], day(&app, 0), "{ended}");
        let (_, closed) = app.gql(&app.token_for("TYP_OFFICER"), CLOSE, json!({ "i": { "caseId": case, "outcome": "OTHER", "endedOn": day(&app, 0) } })).await;
        assert_eq!(closed["data"]["closeTypCase"]["phase"], "CLOSED", "{closed}");
    }
}

on_both! {
    async fn a_correction_adds_no_day_or_provider_beyond_the_look_back(app) {
        let manager = official(&app, "county-manager-3", "EKSOTE", "COUNTY_MANAGER").await;
        // A short closure of one provider two months ago, recorded when it was allowed.
        app.exec(&format!(
            "INSERT INTO service_interruption (id, starts_on, ends_on, reason, provider_id) VALUES ('si-old', '{}', '{}', 'Inventory', '{}')",
            day(&app, -60), day(&app, -58), app.fx.p1
        )).await;
        let correct = |starts: String, ends: String, provider: Option<String>| json!({ "i": { "id": "si-old", "startsOn": starts, "endsOn": ends, "providerId": provider, "reason": "Inventory", "correctionReason": "x" } });
        let p1 = Some(app.fx.p1.clone());
        // Stretched to the present: its end adds past days beyond the 30-day look-back.
        let (_, longer) = app.gql(&manager, CORRECT, correct(day(&app, -60), day(&app, -10), p1.clone())).await;
        assert_eq!(code(&longer), ("BAD_USER_INPUT", "endsOn"), "{longer}");
        // Made every provider's, or another provider's: refused for those past days too.
        let (_, all) = app.gql(&manager, CORRECT, correct(day(&app, -60), day(&app, -58), None)).await;
        assert_eq!(code(&all), ("BAD_USER_INPUT", "startsOn"), "{all}");
        let (_, other) = app.gql(&manager, CORRECT, correct(day(&app, -60), day(&app, -58), Some(app.fx.p2.clone()))).await;
        assert_eq!(code(&other), ("BAD_USER_INPUT", "startsOn"), "{other}");
        // Shrunk: allowed.
        let (_, shorter) = app.gql(&manager, CORRECT, correct(day(&app, -59), day(&app, -58), p1)).await;
        assert_eq!(shorter["data"]["correctServiceInterruption"]["startsOn"], day(&app, -59), "{shorter}");
    }
}
