//! Writes and exports that name a row by id read it through the caller's row scope, and
//! what an answer says of a row (or a person) is only what the caller may read.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const DECIDE: &str =
    "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id } }";
const INTERRUPT: &str = "mutation I($i: InterruptRehabPeriodInput!) { interruptRehabPeriod(input: $i) { id goal supportNeeds } }";
const END_EARLY: &str =
    "mutation E($i: EndRehabPeriodEarlyInput!) { endRehabPeriodEarly(input: $i) { id goal } }";
const REGISTER: &str = "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { duplicate client { id firstName } } }";
const NOTES: &str = "query V($id: ID!) { caseView(clientId: $id) { notes { id agency body } } }";

fn day(app: &TestApp, offset: i64) -> NaiveDate {
    if offset >= 0 {
        app.fx
            .today
            .checked_add_days(Days::new(offset as u64))
            .unwrap()
    } else {
        app.fx
            .today
            .checked_sub_days(Days::new((-offset) as u64))
            .unwrap()
    }
}

fn now_sql() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

fn error(body: &Json) -> (&str, &str) {
    (
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or(""),
        body["errors"][0]["message"].as_str().unwrap_or(""),
    )
}

/// A county KTT period of the fixture's client outside TYP (registered by TE, no case),
/// with an allowance line paid by Kela in `month`; returns the period id.
async fn county_period_outside_typ(app: &TestApp, month: &str) -> String {
    let id = "p-county-own-only";
    app.exec(&format!(
        "INSERT INTO rehab_period (id, client_id, case_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, support_needs, travel_distance_km, created_at) \
         VALUES ('{id}', '{client}', NULL, '{p1}', 'KTT-T-9', '{start}', '{by}', '{start}', '{end}', 3, 6, 'County goal', 'County support', NULL, '{now}')",
        client = app.fx.own_only,
        p1 = app.fx.p1,
        start = day(app, -60),
        end = day(app, 120),
        by = app.fx.official("EKSOTE_WORKER"),
        now = now_sql(),
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO allowance_line (id, period_id, month, kind, payer, days, amount_cents, rule_version, created_at) \
         VALUES ('al-county-own-only', '{id}', '{month}', 'EXPENSE_ALLOWANCE', 'KELA', 2, 1800, 'test', '{now}')",
        now = now_sql(),
    ))
    .await;
    id.to_owned()
}

fn overlapping_decision(app: &TestApp) -> Json {
    let start = day(app, 10);
    let end = start.checked_add_months(Months::new(6)).unwrap();
    json!({ "i": { "clientId": app.fx.own_only, "providerId": app.fx.p1, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Routine", "decidedOn": day(app, 0).to_string(), "servedOn": day(app, 0).to_string(), "hearingOn": day(app, 0).to_string() } })
}

on_both! {
    async fn outside_typ_another_agencys_period_cannot_be_interrupted_ended_or_shown(app) {
        let month = day(&app, -30).format("%Y-%m").to_string();
        let period = county_period_outside_typ(&app, &month).await;
        let (start, end) = (day(&app, -60).to_string(), day(&app, 120).to_string());
        // The TE officer sees the client (TE registered it) but not the county's period; nor
        // does the officer decide on KTT (the county does), so the decision stops before
        // the period's rules are weighed.
        let officer = app.token_for("TYP_OFFICER");
        let (_, clash) = app.gql(&officer, DECIDE, overlapping_decision(&app)).await;
        let (code, message) = error(&clash);
        assert_eq!(code, "FORBIDDEN", "{clash}");
        assert!(!message.contains("overlaps"), "{clash}");
        assert!(!message.contains(&start) && !message.contains(&end), "no dates of a period the caller cannot read: {clash}");
        assert!(clash["errors"][0]["extensions"]["existing"].is_null(), "{clash}");
        assert!(!clash.to_string().contains(&start) && !clash.to_string().contains(&period), "{clash}");

        let interrupt = json!({ "i": { "periodId": period, "startsOn": day(&app, -5).to_string(), "reason": "Illness" } });
        let (_, i) = app.gql(&officer, INTERRUPT, interrupt.clone()).await;
        assert_eq!(error(&i).0, "NOT_FOUND", "{i}");
        assert!(!i.to_string().contains("County goal") && !i.to_string().contains("County support"), "{i}");
        // Ending a period is the county's decision: refused before the period is read, the
        // same answer for an id that does not exist.
        let end_early = json!({ "i": { "periodId": period, "endedOn": day(&app, 0).to_string(), "reason": "Moved", "terms": crate::cases::decision_terms(&app, 0) } });
        let (_, e) = app.gql(&officer, END_EARLY, end_early.clone()).await;
        assert_eq!(error(&e).0, "FORBIDDEN", "{e}");
        assert!(!e.to_string().contains("County goal"), "{e}");
        let mut no_such = end_early.clone();
        no_such["i"]["periodId"] = json!("no-such-period");
        let (_, e_missing) = app.gql(&officer, END_EARLY, no_such).await;
        assert_eq!(e_missing["errors"][0]["extensions"], e["errors"][0]["extensions"]);
        assert_eq!(e_missing["errors"][0]["message"], e["errors"][0]["message"]);
        // The same answer as for an id that does not exist.
        let (_, missing) = app.gql(&officer, INTERRUPT, json!({ "i": { "periodId": "no-such-period", "startsOn": day(&app, -5).to_string(), "reason": "Illness" } })).await;
        assert_eq!(missing["errors"][0]["extensions"], i["errors"][0]["extensions"]);
        assert_eq!(missing["errors"][0]["message"], i["errors"][0]["message"]);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_interruption WHERE period_id = '{period}'")).await, 0);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on IS NULL")).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}'", app.fx.own_only)).await, 0, "nothing was read or written");

        // The county, whose record it is, may.
        let worker = app.token_for("EKSOTE_WORKER");
        let (_, ok) = app.gql(&worker, INTERRUPT, interrupt).await;
        assert_eq!(ok["data"]["interruptRehabPeriod"]["goal"], "County goal", "{ok}");
        let (_, ok) = app.gql(&worker, END_EARLY, end_early).await;
        assert_eq!(ok["data"]["endRehabPeriodEarly"]["id"], period.as_str(), "{ok}");
    }
}

on_both! {
    async fn a_clash_the_caller_may_read_is_named_in_extensions_and_logged_not_in_the_message(app) {
        let month = day(&app, -30).format("%Y-%m").to_string();
        let period = county_period_outside_typ(&app, &month).await;
        let (start, end) = (day(&app, -60).to_string(), day(&app, 120).to_string());
        let (_, clash) = app.gql(&app.token_for("EKSOTE_WORKER"), DECIDE, overlapping_decision(&app)).await;
        let (code, message) = error(&clash);
        assert_eq!(code, "CONFLICT", "{clash}");
        assert!(!message.contains(&start) && !message.contains(&end), "{clash}");
        let existing = &clash["errors"][0]["extensions"]["existing"];
        assert_eq!(existing["id"], period.as_str(), "{clash}");
        assert_eq!(existing["startsOn"], start.as_str(), "{clash}");
        assert_eq!(existing["endsOn"], end.as_str(), "{clash}");
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND field_groups = 'REHAB'", app.fx.own_only)).await;
        assert_eq!(logged, 1, "the period shown in the error is a logged read");
    }
}

on_both! {
    async fn the_allowance_statement_lists_only_periods_within_the_callers_scope(app) {
        let month = day(&app, -30).format("%Y-%m").to_string();
        county_period_outside_typ(&app, &month).await;
        let url = app.endpoint(&format!("/exports/allowance-statement.csv?payer=KELA&month={month}"));
        // Kela sees the client outside TYP by its own records only: not the county's period.
        let csv = app.http.get(&url).bearer_auth(app.token_for("KELA_EXPERT")).send().await.unwrap().text().await.unwrap();
        assert!(csv.contains("010190-901R"), "the TYP client's line is listed: {csv}");
        assert!(!csv.contains("020290-9027") && !csv.contains("KTT-T-9"), "{csv}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}'", app.fx.own_only)).await, 0);
        // The county, whose period it is, lists it.
        let county = app.http.get(&url).bearer_auth(app.token_for("EKSOTE_WORKER")).send().await.unwrap().text().await.unwrap();
        assert!(county.contains("KTT-T-9"), "{county}");
    }
}

on_both! {
    async fn outside_typ_another_agencys_consent_cannot_be_withdrawn(app) {
        app.exec(&format!(
            "INSERT INTO consent (id, client_id, kind, recipient_agency, given_on, valid_until, withdrawn_on, recorded_by, recorded_by_agency, created_at) \
             VALUES ('k-county', '{}', 'DISCLOSURE', 'KELA', '{}', NULL, NULL, '{}', 'EKSOTE', '{}')",
            app.fx.own_only, day(&app, -10), app.fx.official("EKSOTE_WORKER"), now_sql()
        ))
        .await;
        let (_, res) = app.gql(&app.token_for("TYP_OFFICER"), "mutation W($id: ID!) { withdrawConsent(consentId: $id) { id } }", json!({ "id": "k-county" })).await;
        assert_eq!(error(&res).0, "NOT_FOUND", "{res}");
        assert_eq!(app.count("SELECT COUNT(*) FROM consent WHERE id = 'k-county' AND withdrawn_on IS NULL").await, 1);
    }
}

on_both! {
    async fn a_duplicate_code_outside_the_scope_names_no_client(app) {
        app.exec(&format!(
            "INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES ('c-county-only', '050590-905N', 'Oona', 'Mallila', 'EKSOTE', 1, '{0}', '{0}')",
            now_sql()
        )).await;
        let input = |code: &str| json!({ "i": { "personalIdentityCode": code, "firstName": "Probe", "lastName": "Probe" } });
        let (_, hidden) = app.gql(&app.token_for("TE_EXPERT"), REGISTER, input("050590-905N")).await;
        assert_eq!(hidden["data"]["registerClient"]["duplicate"], true, "{hidden}");
        assert!(hidden["data"]["registerClient"]["client"].is_null(), "{hidden}");
        assert!(!hidden.to_string().contains("c-county-only"), "no id of an out-of-scope client: {hidden}");
        assert!(hidden["errors"].is_null(), "{hidden}");
        // A duplicate within the scope is still returned.
        let (_, seen) = app.gql(&app.token_for("TE_EXPERT"), REGISTER, input("010190-901R")).await;
        assert_eq!(seen["data"]["registerClient"]["duplicate"], true, "{seen}");
        assert_eq!(seen["data"]["registerClient"]["client"]["id"], app.fx.shared.as_str(), "{seen}");
        assert_eq!(app.count("SELECT COUNT(*) FROM client").await, 4, "nothing registered");
    }
}

async fn social_consent(app: &TestApp, id: &str, client: &str, recipient: &str) {
    app.exec(&format!(
        "INSERT INTO consent (id, client_id, kind, recipient_agency, given_on, valid_until, withdrawn_on, recorded_by, recorded_by_agency, created_at) \
         VALUES ('{id}', '{client}', 'DISCLOSURE', '{recipient}', '{}', NULL, NULL, '{}', 'EKSOTE', '{}')",
        day(app, -10), app.fx.official("EKSOTE_WORKER"), now_sql()
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO consent_field_group (consent_id, field_group) VALUES ('{id}', 'SOCIAL')"
    ))
    .await;
}

fn note_agencies(body: &Json) -> Vec<String> {
    body["data"]["caseView"]["notes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|n| {
            // The agency field may be withheld; the body tells whose note it is.
            n["body"]
                .as_str()
                .map(|b| b.split(' ').next().unwrap_or("").to_owned())
                .unwrap_or_else(|| format!("hidden:{}", n["id"]))
        })
        .collect()
}

on_both! {
    async fn a_consent_for_a_group_the_role_never_reads_lists_nothing_of_it(app) {
        // KELA's mask never reads SOCIAL: a SOCIAL consent naming KELA discloses nothing,
        // not even the ids or the number of the county's unshared notes.
        social_consent(&app, "k-social-kela", &app.fx.shared, "KELA").await;
        let county_note = app.count(&format!("SELECT COUNT(*) FROM agency_note WHERE client_id = '{}' AND agency = 'EKSOTE'", app.fx.shared)).await;
        assert_eq!(county_note, 1);
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), NOTES, json!({ "id": app.fx.shared })).await;
        let notes = note_agencies(&kela);
        assert_eq!(notes.len(), 2, "Kela's own note and TE's shared one only: {kela}");
        assert!(notes.iter().all(|n| !n.starts_with("hidden") && n != "EKSOTE"), "{kela}");
        assert!(kela["errors"].is_null(), "no row the caller may not read is listed: {kela}");
        assert_eq!(app.count("SELECT COUNT(*) FROM disclosure_log WHERE field_group = 'SOCIAL'").await, 0);
        // The TE officer, whose mask reads SOCIAL under consent, is disclosed the note.
        social_consent(&app, "k-social-te", &app.fx.shared, "TE").await;
        let (_, te) = app.gql(&app.token_for("TYP_OFFICER"), NOTES, json!({ "id": app.fx.shared })).await;
        assert!(note_agencies(&te).contains(&"EKSOTE".to_owned()), "{te}");
    }
}

on_both! {
    async fn outside_typ_a_consent_discloses_no_other_agencys_notes(app) {
        app.exec(&format!(
            "INSERT INTO agency_note (id, client_id, agency, author_id, body, shared_with_case_team, created_at) VALUES ('n-county-own-only', '{}', 'EKSOTE', '{}', 'EKSOTE private', FALSE, '{}')",
            app.fx.own_only, app.fx.official("EKSOTE_WORKER"), now_sql()
        )).await;
        social_consent(&app, "k-social-te-own", &app.fx.own_only, "TE").await;
        let (_, te) = app.gql(&app.token_for("TYP_OFFICER"), NOTES, json!({ "id": app.fx.own_only })).await;
        assert!(!te.to_string().contains("n-county-own-only") && !te.to_string().contains("EKSOTE private"), "{te}");
    }
}

/// Whole years from `born` to `on`.
fn age(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years
}

on_both! {
    async fn a_refused_criterion_does_not_tell_the_clients_age(app) {
        let opened = app.fx.today;
        let body = json!({ "i": { "clientId": app.fx.own_only, "criterion": "UNEMPLOYED_6_MONTHS_UNDER_25", "openedOn": opened.to_string(), "clientAgreedOn": opened.to_string(), "responsibleOfficialId": app.fx.official("TYP_OFFICER") } });
        let (_, res) = app.gql(&app.token_for("TYP_OFFICER"), "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id } }", body).await;
        assert_eq!(res["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{res}");
        assert_eq!(res["errors"][0]["extensions"]["field"], "criterion", "{res}");
        // The fixture's client 020290-9027 was born on 2 February 1990.
        let years = age(NaiveDate::from_ymd_opt(1990, 2, 2).unwrap(), opened).to_string();
        let message = res["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains(&years), "the age is personal data: {message}");
    }
}
