//! A mutation that writes several statements fails whole: when a later statement fails,
//! nothing of the earlier ones is committed, the request's transaction still commits what
//! else it holds, and no WRITE is logged for the failed change. The failure is injected by
//! a trigger on the table of the later statement.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value as Json};

use crate::cases::{day, register};
use crate::helpers::TestApp;
use crate::on_both;

/// Makes every `event` (INSERT, UPDATE, DELETE) on `table` fail until [`heal`].
pub(crate) async fn break_table(app: &TestApp, event: &str, table: &str) {
    match app.db.get_database_backend() {
        DbBackend::Postgres => {
            app.exec("CREATE OR REPLACE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$").await;
            app.exec(&format!("CREATE TRIGGER injected_{table} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION injected_failure()")).await;
        }
        _ => {
            app.exec(&format!("CREATE TRIGGER injected_{table} BEFORE {event} ON {table} BEGIN SELECT RAISE(ABORT, 'injected'); END")).await;
        }
    }
}

pub(crate) async fn heal(app: &TestApp, table: &str) {
    match app.db.get_database_backend() {
        DbBackend::Postgres => {
            app.exec(&format!("DROP TRIGGER injected_{table} ON {table}"))
                .await
        }
        _ => app.exec(&format!("DROP TRIGGER injected_{table}")).await,
    }
}

/// The first column of the first row of `sql`, as text.
async fn text(app: &TestApp, sql: &str) -> String {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

/// Runs `query` with `table` broken for `event`: the answer is INTERNAL, and the request
/// still gets its 200 (its transaction commits without the failed change).
async fn fails_halfway(
    app: &TestApp,
    token: &str,
    (event, table): (&str, &str),
    query: &str,
    variables: Json,
) {
    break_table(app, event, table).await;
    let (status, body) = app.gql(token, query, variables).await;
    heal(app, table).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTERNAL",
        "{body}"
    );
}

async fn writes_of(app: &TestApp, client: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{client}' AND action = 'WRITE'"
    ))
    .await
}

fn shared_case(app: &TestApp) -> String {
    format!(
        "SELECT id FROM typ_case WHERE client_id = '{}' AND ended_on IS NULL",
        app.fx.shared
    )
}

on_both! {
    async fn a_consent_whose_groups_fail_is_not_recorded(app) {
        let officer = app.token_for("TYP_OFFICER");
        let consents = format!("SELECT COUNT(*) FROM consent WHERE client_id = '{}'", app.fx.shared);
        let before = app.count(&consents).await;
        let record = "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id } }";
        let input = json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "TE", "fieldGroups": ["HEALTH"], "givenOn": day(&app, 0) } });
        fails_halfway(&app, &officer, ("INSERT", "consent_field_group"), record, input.clone()).await;
        assert_eq!(app.count(&consents).await, before, "the consent row went with its groups");
        assert_eq!(writes_of(&app, &app.fx.shared).await, 0);
        let (_, ok) = app.gql(&officer, record, input).await;
        assert!(ok["data"]["recordConsent"]["id"].is_string(), "{ok}");
    }
}

on_both! {
    async fn a_withdrawn_agreement_whose_cases_fail_stays_in_force(app) {
        let officer = app.token_for("TYP_OFFICER");
        let agreement = text(&app, &format!("SELECT id FROM consent WHERE client_id = '{}' AND kind = 'MULTI_AGENCY_SERVICE'", app.fx.shared)).await;
        let withdraw = "mutation W($id: ID!) { withdrawConsent(consentId: $id) { withdrawnOn } }";
        fails_halfway(&app, &officer, ("UPDATE", "typ_case"), withdraw, json!({ "id": agreement })).await;
        let standing = app.count(&format!("SELECT COUNT(*) FROM consent WHERE id = '{agreement}' AND withdrawn_on IS NULL")).await;
        assert_eq!(standing, 1, "the withdrawal went with the end of the sharing");
        assert_eq!(writes_of(&app, &app.fx.shared).await, 0);
    }
}

on_both! {
    async fn a_case_whose_agreement_fails_is_not_opened(app) {
        let officer = app.token_for("TYP_OFFICER");
        let client = register(&app, "150595-9551").await;
        let writes = writes_of(&app, &client).await;
        let open = "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id } }";
        let input = json!({ "i": { "clientId": client, "criterion": "JOINT_ASSESSMENT", "openedOn": day(&app, 0), "clientAgreedOn": day(&app, 0) } });
        fails_halfway(&app, &officer, ("INSERT", "consent"), open, input.clone()).await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE client_id = '{client}'")).await, 0, "the case went with the agreement");
        assert_eq!(writes_of(&app, &client).await, writes);
        let (_, ok) = app.gql(&officer, open, input).await;
        assert!(ok["data"]["openTypCase"]["id"].is_string(), "{ok}");
    }
}

on_both! {
    async fn a_plan_whose_case_fails_to_move_on_is_not_made(app) {
        let officer = app.token_for("TYP_OFFICER");
        let case = text(&app, &shared_case(&app)).await;
        let plans = format!("SELECT COUNT(*) FROM employment_plan WHERE case_id = '{case}'");
        let before = app.count(&plans).await;
        let plan = "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { id } }";
        fails_halfway(&app, &officer, ("UPDATE", "typ_case"), plan, json!({ "i": { "caseId": case, "madeOn": day(&app, 0), "goals": "Work trial" } })).await;
        assert_eq!(app.count(&plans).await, before, "the plan went with the phase");
        assert_eq!(writes_of(&app, &app.fx.shared).await, 0);
    }
}

on_both! {
    async fn a_meeting_whose_agenda_fails_is_not_scheduled(app) {
        let officer = app.token_for("TYP_OFFICER");
        let case = text(&app, &shared_case(&app)).await;
        let meetings = format!("SELECT COUNT(*) FROM network_meeting WHERE case_id = '{case}'");
        let participants = "SELECT COUNT(*) FROM meeting_participant";
        let (before, people) = (app.count(&meetings).await, app.count(participants).await);
        let schedule = "mutation S($i: ScheduleNetworkMeetingInput!) { scheduleNetworkMeeting(input: $i) { id } }";
        let input = json!({ "i": { "caseId": case, "scheduledAt": format!("{}T09:00:00Z", app.fx.today), "participantOfficialIds": [app.fx.official("TE_EXPERT")], "clientAttends": true, "agenda": [{ "agency": "TE", "title": "Job search" }] } });
        fails_halfway(&app, &officer, ("INSERT", "meeting_agenda_item"), schedule, input).await;
        assert_eq!(app.count(&meetings).await, before, "the meeting went with its agenda");
        assert_eq!(app.count(participants).await, people, "and so did its participants");
        assert_eq!(writes_of(&app, &app.fx.shared).await, 0);
    }
}

on_both! {
    async fn minutes_whose_actions_fail_leave_the_meeting_as_it_was(app) {
        let officer = app.token_for("TYP_OFFICER");
        let meeting = app.fx.next_meeting.clone();
        let status = format!("SELECT status FROM network_meeting WHERE id = '{meeting}'");
        let before = text(&app, &status).await;
        let minutes = "mutation M($i: RecordMeetingMinutesInput!) { recordMeetingMinutes(input: $i) { status } }";
        let input = json!({ "i": { "meetingId": meeting, "heldOn": day(&app, 0), "sharedRecord": "Agreed on a work trial", "agreedActions": [{ "ownerAgency": "KELA", "description": "Decide on vocational rehabilitation", "dueOn": day(&app, 7) }] } });
        fails_halfway(&app, &officer, ("INSERT", "agreed_action"), minutes, input).await;
        assert_eq!(text(&app, &status).await, before, "the minutes went with the actions");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM network_meeting WHERE id = '{meeting}' AND shared_record IS NOT NULL")).await, 0);
        assert_eq!(writes_of(&app, &app.fx.shared).await, 0);
    }
}

on_both! {
    async fn a_section_whose_new_text_fails_keeps_the_old_one(app) {
        let kela = app.token_for("KELA_EXPERT");
        let meeting = app.fx.held_meeting.clone();
        let section = "mutation X($m: ID!, $b: String!) { recordMeetingSection(meetingId: $m, body: $b) { id } }";
        let (_, first) = app.gql(&kela, section, json!({ "m": meeting, "b": "Kela's first view" })).await;
        assert!(first["data"]["recordMeetingSection"]["id"].is_string(), "{first}");
        let writes = writes_of(&app, &app.fx.shared).await;
        fails_halfway(&app, &kela, ("INSERT", "meeting_agency_section"), section, json!({ "m": meeting, "b": "Kela's second view" })).await;
        let body = text(&app, &format!("SELECT body FROM meeting_agency_section WHERE meeting_id = '{meeting}' AND agency = 'KELA'")).await;
        assert_eq!(body, "Kela's first view", "the old section was not deleted without the new one");
        assert_eq!(writes_of(&app, &app.fx.shared).await, writes);
    }
}
