//! The TYP path through the mutations: open, plan, agreed actions, consents, close.

use chrono::{Days, Months};
use serde_json::{json, Value as Json};

use crate::helpers::{assert_mutation_not_in_schema, TestApp};
use crate::on_both;

/// Registers a client as the TYP officer; its id.
pub async fn register(app: &TestApp, code: &str) -> String {
    let (_, body) = app
        .gql(
            &app.token_for("TYP_OFFICER"),
            "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { client { id } } }",
            json!({ "i": { "personalIdentityCode": code, "firstName": "Veera", "lastName": "Kaavala" } }),
        )
        .await;
    body["data"]["registerClient"]["client"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A KTT decision's terms: decided `decided` days from today, served the same day, the
/// client heard that day.
pub fn decision_terms(app: &TestApp, decided: i64) -> Json {
    json!({ "decidedOn": day(app, decided), "servedOn": day(app, decided), "hearingOn": day(app, decided) })
}

/// The fixture's today moved by `offset` days, as an ISO date.
pub fn day(app: &TestApp, offset: i64) -> String {
    let d = if offset >= 0 {
        app.fx
            .today
            .checked_add_days(Days::new(offset as u64))
            .unwrap()
    } else {
        app.fx
            .today
            .checked_sub_days(Days::new((-offset) as u64))
            .unwrap()
    };
    d.format("%Y-%m-%d").to_string()
}

const OPEN: &str = "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id phase openedOn mappingDeadline responsibleOfficer } }";

fn field(body: &Json) -> (&str, &str) {
    (
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or(""),
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or(""),
    )
}

on_both! {
    async fn a_case_runs_from_opening_to_closing(app) {
        let officer = app.token_for("TYP_OFFICER");
        let client = register(&app, "150595-9551").await;
        let open = |criterion: &str| json!({ "i": { "clientId": client, "criterion": criterion, "openedOn": day(&app, -10), "clientAgreedOn": day(&app, -10) } });
        // The 6-month criterion is for those under 25; this client is over 30.
        let (_, young) = app.gql(&officer, OPEN, open("UNEMPLOYED_6_MONTHS_UNDER_25")).await;
        assert_eq!(field(&young), ("BAD_USER_INPUT", "criterion"), "{young}");
        let (_, opened) = app.gql(&officer, OPEN, open("UNEMPLOYED_12_MONTHS_25_PLUS")).await;
        let case = &opened["data"]["openTypCase"];
        assert_eq!(case["phase"], "MAPPING", "{opened}");
        let deadline = app.fx.today.checked_sub_days(Days::new(10)).unwrap().checked_add_months(Months::new(3)).unwrap();
        assert_eq!(case["mappingDeadline"], deadline.format("%Y-%m-%d").to_string());
        assert_eq!(case["responsibleOfficer"], "Test TYP_OFFICER");
        let case_id = case["id"].as_str().unwrap().to_owned();
        let (_, again) = app.gql(&officer, OPEN, open("JOINT_ASSESSMENT")).await;
        assert_eq!(field(&again).0, "CONFLICT", "{again}");
        let agreements = app.count(&format!("SELECT COUNT(*) FROM consent WHERE client_id = '{client}' AND kind = 'MULTI_AGENCY_SERVICE'")).await;
        assert_eq!(agreements, 1, "the client's agreement is recorded once");

        // Plans: an activation plan from 2026 only for social-assistance clients.
        let plan_q = "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { id kind reviewOn reviewOverdue } }";
        let (_, activation) = app.gql(&officer, plan_q, json!({ "i": { "caseId": case_id, "kind": "ACTIVATION", "madeOn": day(&app, -5), "goals": "Work trial" } })).await;
        assert_eq!(field(&activation), ("BAD_USER_INPUT", "kind"), "{activation}");
        let (_, plan) = app.gql(&officer, plan_q, json!({ "i": { "caseId": case_id, "madeOn": day(&app, -5), "goals": "Work trial" } })).await;
        let made = app.fx.today.checked_sub_days(Days::new(5)).unwrap();
        assert_eq!(plan["data"]["createEmploymentPlan"]["reviewOn"], made.checked_add_months(Months::new(6)).unwrap().format("%Y-%m-%d").to_string(), "{plan}");
        assert_eq!(plan["data"]["createEmploymentPlan"]["kind"], "MULTI_SECTOR");
        let plan_id = plan["data"]["createEmploymentPlan"]["id"].as_str().unwrap().to_owned();

        // Agreed actions: overdue ones show in the case view.
        let add = "mutation A($i: AddAgreedActionInput!) { addAgreedAction(input: $i) { id overdue ownerAgency } }";
        let (_, action) = app.gql(&officer, add, json!({ "i": { "planId": plan_id, "ownerAgency": "KELA", "description": "Check the rehabilitation allowance", "dueOn": day(&app, -1) } })).await;
        assert_eq!(action["data"]["addAgreedAction"]["overdue"], true, "{action}");
        let action_id = action["data"]["addAgreedAction"]["id"].as_str().unwrap().to_owned();
        let (_, provider) = app.gql(&officer, add, json!({ "i": { "planId": plan_id, "ownerAgency": "PROVIDER", "description": "x", "dueOn": day(&app, 3) } })).await;
        assert_eq!(field(&provider), ("BAD_USER_INPUT", "ownerAgency"));
        let (_, view) = app.gql(&app.token_for("KELA_EXPERT"), "query V($c: ID!) { caseView(clientId: $c) { typCase { phase } plan { agreedActions { overdue } } } }", json!({ "c": client })).await;
        assert_eq!(view["data"]["caseView"]["typCase"]["phase"], "IMPLEMENTATION", "{view}");
        assert_eq!(view["data"]["caseView"]["plan"]["agreedActions"], json!([{ "overdue": true }]));
        let complete = "mutation C($id: ID!) { completeAgreedAction(id: $id) { completedOn overdue } }";
        let (_, done) = app.gql(&officer, complete, json!({ "id": action_id })).await;
        assert_eq!(done["data"]["completeAgreedAction"], json!({ "completedOn": day(&app, 0), "overdue": false }), "{done}");
        let (_, twice) = app.gql(&officer, complete, json!({ "id": action_id })).await;
        assert_eq!(field(&twice).0, "CONFLICT");

        // Closing, then follow-up no earlier than it is due.
        let close = "mutation X($i: CloseTypCaseInput!) { closeTypCase(input: $i) { phase endedOn outcome } }";
        let (_, early) = app.gql(&officer, close, json!({ "i": { "caseId": case_id, "outcome": "STUDIES", "endedOn": day(&app, -20) } })).await;
        assert_eq!(field(&early), ("BAD_USER_INPUT", "endedOn"), "{early}");
        let (_, closed) = app.gql(&officer, close, json!({ "i": { "caseId": case_id, "outcome": "STUDIES", "endedOn": day(&app, 0) } })).await;
        assert_eq!(closed["data"]["closeTypCase"], json!({ "phase": "CLOSED", "endedOn": day(&app, 0), "outcome": "STUDIES" }), "{closed}");
        let (_, reclosed) = app.gql(&officer, close, json!({ "i": { "caseId": case_id, "outcome": "OTHER", "endedOn": day(&app, 0) } })).await;
        assert_eq!(field(&reclosed).0, "CONFLICT");
        let (_, follow) = app.gql(&officer, "mutation F($i: RecordCaseFollowUpInput!) { recordCaseFollowUp(input: $i) { id } }", json!({ "i": { "caseId": case_id, "monthsAfter": 3, "status": "STUDYING", "recordedOn": day(&app, 0) } })).await;
        assert_eq!(field(&follow), ("BAD_USER_INPUT", "recordedOn"), "{follow}");
        let writes = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{client}' AND action = 'WRITE' AND field_groups = 'CASE'")).await;
        assert_eq!(writes, 5, "open, plan, action, complete and close; nothing for the refused ones");
    }
}

on_both! {
    async fn a_recorded_consent_discloses_and_its_withdrawal_takes_effect_on_the_next_read(app) {
        let officer = app.token_for("TYP_OFFICER");
        let details = "query D($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }";
        let (_, before) = app.gql(&officer, details, json!({ "c": app.fx.shared })).await;
        assert_eq!(before["errors"][0]["extensions"]["reason"], "NO_CONSENT");
        let record = "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id kind recipientAgency fieldGroups inForce } }";
        let (_, bad) = app.gql(&officer, record, json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "TE", "fieldGroups": [], "givenOn": day(&app, 0) } })).await;
        assert_eq!(field(&bad), ("BAD_USER_INPUT", "fieldGroups"));
        let (_, future) = app.gql(&officer, record, json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "TE", "fieldGroups": ["HEALTH"], "givenOn": day(&app, 1) } })).await;
        assert_eq!(field(&future), ("BAD_USER_INPUT", "givenOn"));
        let (_, consent) = app.gql(&officer, record, json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "TE", "fieldGroups": ["HEALTH"], "givenOn": day(&app, 0) } })).await;
        assert_eq!(consent["data"]["recordConsent"]["fieldGroups"], json!(["HEALTH"]), "{consent}");
        assert_eq!(consent["data"]["recordConsent"]["inForce"], true);
        let consent_id = consent["data"]["recordConsent"]["id"].as_str().unwrap().to_owned();
        let (_, during) = app.gql(&officer, details, json!({ "c": app.fx.shared })).await;
        assert_eq!(during["data"]["caseView"]["workAbilityAssessments"][0]["details"], "Back strain", "{during}");
        let (_, withdrawn) = app.gql(&officer, "mutation W($id: ID!) { withdrawConsent(consentId: $id) { withdrawnOn inForce } }", json!({ "id": consent_id })).await;
        assert_eq!(withdrawn["data"]["withdrawConsent"], json!({ "withdrawnOn": day(&app, 0), "inForce": false }), "{withdrawn}");
        let (_, after) = app.gql(&officer, details, json!({ "c": app.fx.shared })).await;
        assert_eq!(after["errors"][0]["extensions"]["reason"], "NO_CONSENT", "{after}");
        let disclosed = app.count(&format!("SELECT COUNT(*) FROM disclosure_log WHERE consent_id = '{consent_id}'")).await;
        assert_eq!(disclosed, 1);
    }
}

on_both! {
    /// A consent given for a later day (as the client's own schema allows, or from a
    /// replica whose day has already turned) is withdrawn from that day: the table
    /// requires `withdrawn_on >= given_on`, so withdrawing it "from today" failed as an
    /// INTERNAL error. Both withdrawals share one rule; a second one is a CONFLICT.
    async fn a_consent_given_for_a_later_day_is_withdrawn_from_that_day(app) {
        let officer = app.token_for("TYP_OFFICER");
        let record = "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id } }";
        let (_, consent) = app.gql(&officer, record, json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "TE", "fieldGroups": ["HEALTH"], "givenOn": day(&app, 0) } })).await;
        let consent_id = consent["data"]["recordConsent"]["id"].as_str().unwrap().to_owned();
        app.exec(&format!("UPDATE consent SET given_on = '{}' WHERE id = '{consent_id}'", day(&app, 2))).await;
        let withdraw = "mutation W($id: ID!) { withdrawConsent(consentId: $id) { givenOn withdrawnOn inForce } }";
        let (status, withdrawn) = app.gql(&officer, withdraw, json!({ "id": consent_id })).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["data"]["withdrawConsent"], json!({ "givenOn": day(&app, 2), "withdrawnOn": day(&app, 2), "inForce": false }), "{withdrawn}");
        let (_, again) = app.gql(&officer, withdraw, json!({ "id": consent_id })).await;
        assert_eq!(field(&again).0, "CONFLICT", "{again}");
        let writes = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE'", app.fx.shared)).await;
        assert_eq!(writes, 2, "the consent and its withdrawal; nothing for the refused one");
    }
}

on_both! {
    async fn roles_without_case_write_cannot_change_the_case(app) {
        let body = json!({ "i": { "clientId": app.fx.own_only, "criterion": "JOINT_ASSESSMENT", "openedOn": day(&app, 0), "clientAgreedOn": day(&app, 0), "responsibleOfficialId": app.fx.official("TYP_OFFICER") } });
        for role in ["TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            // Neither mutation is in their schema: refused before anything runs.
            let (status, res) = app.gql(&app.token_for(role), OPEN, body.clone()).await;
            assert_mutation_not_in_schema(role, status, &res, "openTypCase");
            let (status, consent) = app.gql(&app.token_for(role), "mutation K($i: RecordConsentInput!) { recordConsent(input: $i) { id } }", json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "KELA", "fieldGroups": ["SOCIAL"], "givenOn": day(&app, 0) } })).await;
            assert_mutation_not_in_schema(role, status, &consent, "recordConsent");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE client_id = '{}'", app.fx.own_only)).await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry WHERE action = 'WRITE'").await, 0);
        let (_, ok) = app.gql(&app.token_for("TYP_OFFICER"), OPEN, body).await;
        assert!(ok["data"]["openTypCase"]["id"].is_string(), "{ok}");
    }
}
