//! Employers, pay-subsidised employment, programmes and the service track: the rules of each
//! write, who may do what, the access log and the registers' log, and the brief's list of
//! subsidies ending.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const CREATE_EMPLOYER: &str = "mutation E($i: CreateEmployerInput!) { createEmployer(input: $i) { id name businessId contactName contactPhone contactEmail } }";
const UPDATE_EMPLOYER: &str =
    "mutation E($i: UpdateEmployerInput!) { updateEmployer(input: $i) { id name contactPhone } }";
const EMPLOYERS: &str = "{ employers(search: \"oy\") { name businessId } }";
const RECORD: &str = "mutation R($i: RecordPaySubsidyInput!) { recordPaySubsidy(input: $i) { id startsOn subsidyEndsOn hoursPerWeek walkAlongsideCoachingId endedOn followedBy employer { name } } }";
const END: &str =
    "mutation X($i: EndPaySubsidyInput!) { endPaySubsidy(input: $i) { id endedOn followedBy } }";
const CREATE_PROGRAMME: &str = "mutation P($i: CreateProgrammeInput!) { createProgramme(input: $i) { id code name validFrom validUntil } }";

const AGENCY_ROLES: [&str; 5] = [
    "TYP_OFFICER",
    "TE_EXPERT",
    "EKSOTE_WORKER",
    "KELA_EXPERT",
    "PROVIDER_COACH",
];
const ALL_ROLES: [&str; 8] = [
    "TYP_OFFICER",
    "TE_EXPERT",
    "EKSOTE_WORKER",
    "KELA_EXPERT",
    "PROVIDER_COACH",
    "ANALYST",
    "AUDITOR",
    "ADMIN",
];

fn code(body: &Json) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

fn field(body: &Json) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("none")
}

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

fn ds(app: &TestApp, offset: i64) -> String {
    day(app, offset).to_string()
}

/// An employer written beside the API (a fixture), its id.
async fn employer(app: &TestApp, id: &str) -> String {
    let te = app.fx.official("TE_EXPERT").to_owned();
    app.exec(&format!(
        "INSERT INTO employer (id, name, business_id, created_by, created_at) VALUES ('{id}', 'Koe {id} Oy', '99000{:02}-0', '{te}', '2026-01-01 00:00:00')",
        app.count("SELECT COUNT(*) FROM employer").await + 10
    ))
    .await;
    id.to_owned()
}

/// Official of another agency holding `role`, its token.
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

on_both! {
    async fn employers_are_registered_by_business_id_with_its_check_digit(app) {
        let te = app.token_for("TE_EXPERT");
        let input = |bid: &str| json!({ "i": { "name": "Esimerkki Oy", "businessId": bid, "contactName": "Testi Henkilö", "contactPhone": "040 000 0001", "contactEmail": "testi@example.fi" } });
        let (_, wrong) = app.gql(&te, CREATE_EMPLOYER, input("0112038-8")).await;
        assert_eq!((code(&wrong), field(&wrong)), ("BAD_USER_INPUT", "businessId"), "{wrong}");
        let (_, short) = app.gql(&te, CREATE_EMPLOYER, input("112038-9")).await;
        assert_eq!(field(&short), "businessId", "{short}");
        // Remainder 1 of the weighted sum: no business id is issued with it.
        let (_, never) = app.gql(&te, CREATE_EMPLOYER, input("0000006-1")).await;
        assert_eq!(field(&never), "businessId", "{never}");
        let (_, ok) = app.gql(&te, CREATE_EMPLOYER, input("0112038-9")).await;
        assert!(ok["errors"].is_null(), "{ok}");
        let id = ok["data"]["createEmployer"]["id"].as_str().unwrap().to_owned();
        assert_eq!(ok["data"]["createEmployer"]["businessId"], "0112038-9");
        let (_, twice) = app.gql(&te, CREATE_EMPLOYER, input("0112038-9")).await;
        assert_eq!(code(&twice), "CONFLICT", "{twice}");
        let (_, phone) = app.gql(&te, CREATE_EMPLOYER, json!({ "i": { "name": "B Oy", "businessId": "1572860-0", "contactPhone": "soita" } })).await;
        assert_eq!(field(&phone), "contactPhone", "{phone}");
        // The responsible officer keeps the register too.
        let (_, upd) = app.gql(&app.token_for("TYP_OFFICER"), UPDATE_EMPLOYER, json!({ "i": { "id": id, "contactPhone": "040 000 0002" } })).await;
        assert_eq!(upd["data"]["updateEmployer"]["contactPhone"], "040 000 0002", "{upd}");
        // Nobody else writes it, and only the roles that read pay subsidies read it.
        for role in ["EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (_, body) = app.gql(&app.token_for(role), CREATE_EMPLOYER, input("1572860-0")).await;
            assert!(body["data"].is_null() || body["data"]["createEmployer"].is_null(), "{role}: {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM employer").await, 1);
        for role in ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER"] {
            let (_, body) = app.gql(&app.token_for(role), EMPLOYERS, json!({})).await;
            assert_eq!(body["data"]["employers"], json!([{ "name": "Esimerkki Oy", "businessId": "0112038-9" }]), "{role}: {body}");
        }
        for role in ["KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (_, body) = app.gql(&app.token_for(role), EMPLOYERS, json!({})).await;
            assert!(body["data"].is_null() || body["data"]["employers"].is_null(), "{role}: {body}");
        }
        // Changes are in the registers' log, none in the access log (no client's data).
        assert_eq!(app.count("SELECT COUNT(*) FROM register_log WHERE action = 'CREATE_EMPLOYER'").await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM register_log WHERE action = 'UPDATE_EMPLOYER' AND target = '{id}' AND detail = 'contactPhone'")).await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
        let (_, log) = app.gql(&app.token_for("AUDITOR"), "{ registerLog { action target detail } }", json!({})).await;
        assert_eq!(log["data"]["registerLog"][0]["action"], "UPDATE_EMPLOYER", "{log}");
    }
}

on_both! {
    async fn pay_subsidies_keep_their_rules_and_only_the_employment_authority_records_them(app) {
        let te = app.token_for("TE_EXPERT");
        let shared = app.fx.shared.clone();
        let emp = employer(&app, "e1").await;
        let voucher = "group1".to_owned();
        app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on) VALUES ('group1', '{shared}', '{}', 'VOUCHER', 'TE', 40, '{}', NULL)", app.fx.p1, ds(&app, -100))).await;
        app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on) VALUES ('walk1', '{shared}', '{}', 'WALK_ALONGSIDE', 'TE', 40, '{}', NULL)", app.fx.p1, ds(&app, -100))).await;
        let input = |from: i64, to: i64, hours: i32, coaching: Option<&str>| json!({ "i": {
            "clientId": shared, "employerId": emp, "startsOn": ds(&app, from), "subsidyEndsOn": ds(&app, to),
            "hoursPerWeek": hours, "walkAlongsideCoachingId": coaching } });
        let (_, before) = app.gql(&te, RECORD, input(-10, -11, 30, None)).await;
        assert_eq!((code(&before), field(&before)), ("BAD_USER_INPUT", "subsidyEndsOn"), "{before}");
        let (_, hours) = app.gql(&te, RECORD, input(-10, 100, 0, None)).await;
        assert_eq!(field(&hours), "hoursPerWeek", "{hours}");
        let (_, hours) = app.gql(&te, RECORD, input(-10, 100, 41, None)).await;
        assert_eq!(field(&hours), "hoursPerWeek", "{hours}");
        let (_, group) = app.gql(&te, RECORD, input(-10, 100, 30, Some(&voucher))).await;
        assert_eq!(field(&group), "walkAlongsideCoachingId", "a group coaching walks nobody alongside: {group}");
        let (_, nobody) = app.gql(&te, RECORD, json!({ "i": { "clientId": shared, "employerId": "no-such", "startsOn": ds(&app, -10), "subsidyEndsOn": ds(&app, 100), "hoursPerWeek": 30 } })).await;
        assert_eq!(field(&nobody), "employerId", "{nobody}");
        // The edge: a one-day subsidy is allowed.
        let (_, ok) = app.gql(&te, RECORD, input(-10, 100, 30, Some("walk1"))).await;
        assert!(ok["errors"].is_null(), "{ok}");
        let r = &ok["data"]["recordPaySubsidy"];
        assert_eq!(r["walkAlongsideCoachingId"], "walk1");
        assert_eq!(r["employer"]["name"], "Koe e1 Oy");
        assert_eq!(r["endedOn"], Json::Null);
        let id = r["id"].as_str().unwrap().to_owned();
        // Overlapping another at its first or last day: refused; the day after: allowed.
        for (from, to) in [(-20, -10), (100, 120), (0, 10)] {
            let (_, body) = app.gql(&te, RECORD, input(from, to, 20, None)).await;
            assert_eq!(code(&body), "CONFLICT", "{from}..{to}: {body}");
        }
        let (_, next) = app.gql(&te, RECORD, input(101, 101, 20, None)).await;
        assert!(next["errors"].is_null(), "{next}");
        // Ending: not before the start, not after the subsidy's end, not in the future.
        let end = |on: i64, followed: &str| json!({ "i": { "paySubsidyId": id, "endedOn": ds(&app, on), "followedBy": followed } });
        let (_, early) = app.gql(&te, END, end(-11, "STUDIES")).await;
        assert_eq!(field(&early), "endedOn", "{early}");
        let (_, future) = app.gql(&te, END, end(1, "STUDIES")).await;
        assert_eq!(field(&future), "endedOn", "{future}");
        let (_, ended) = app.gql(&te, END, end(-10, "OPEN_LABOUR_MARKET")).await;
        assert_eq!(ended["data"]["endPaySubsidy"]["followedBy"], "OPEN_LABOUR_MARKET", "{ended}");
        let (_, again) = app.gql(&te, END, end(-5, "STUDIES")).await;
        assert_eq!(code(&again), "CONFLICT", "{again}");
        // Ended on its first day, the time after it is free again.
        let (_, after) = app.gql(&te, RECORD, input(-9, 50, 25, None)).await;
        assert!(after["errors"].is_null(), "{after}");
        assert_eq!(app.count("SELECT COUNT(*) FROM pay_subsidy").await, 3);
        // Every write is a WRITE of EMPLOYMENT in the access log.
        let te_id = app.fx.official("TE_EXPERT").to_owned();
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND action = 'WRITE' AND field_groups = 'EMPLOYMENT' AND operation = 'recordPaySubsidy' AND official_id = '{te_id}'")).await, 3);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND action = 'WRITE' AND operation = 'endPaySubsidy'")).await, 1);
        // No other role records or ends one.
        for role in ALL_ROLES.into_iter().filter(|r| *r != "TE_EXPERT") {
            let (_, body) = app.gql(&app.token_for(role), RECORD, input(200, 300, 30, None)).await;
            assert!(!body["errors"].as_array().unwrap().is_empty(), "{role}: {body}");
            let (_, body) = app.gql(&app.token_for(role), END, end(-9, "OTHER")).await;
            assert!(!body["errors"].as_array().unwrap().is_empty(), "{role}: {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM pay_subsidy").await, 3);
        // The case team reads them in the case view; Kela and the coach do not.
        let view = "query V($c: ID!) { caseView(clientId: $c) { paySubsidies { startsOn endedOn followedBy } } }";
        for role in ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER"] {
            let (_, body) = app.gql(&app.token_for(role), view, json!({ "c": shared })).await;
            assert_eq!(body["data"]["caseView"]["paySubsidies"].as_array().map(Vec::len), Some(3), "{role}: {body}");
            let reader = app.fx.official(role).to_owned();
            assert!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND action = 'READ' AND official_id = '{reader}' AND field_groups LIKE '%EMPLOYMENT%'")).await >= 1, "{role}");
        }
        for role in ["KELA_EXPERT", "PROVIDER_COACH"] {
            let (_, body) = app.gql(&app.token_for(role), view, json!({ "c": shared })).await;
            assert!(body["data"].is_null() || body["data"]["caseView"].is_null() || body["data"]["caseView"]["paySubsidies"].is_null(), "{role}: {body}");
        }
    }
}

on_both! {
    async fn the_brief_lists_subsidies_ending_up_to_the_settings_last_day(app) {
        let shared = app.fx.shared.clone();
        let emp = employer(&app, "e2").await;
        let te_id = app.fx.official("TE_EXPERT").to_owned();
        // Written beside the API, as a bulk load would: one row per edge.
        for (id, start, end, ended) in [
            ("today", -300, 0, None),
            ("edge", -300, 90, None),
            ("beyond", -300, 91, None),
            ("over", -300, -1, None),
            ("done", -300, 30, Some(-5)),
        ] {
            let (ended_on, followed) = match ended {
                Some(d) => (format!("'{}'", ds(&app, d)), "'OPEN_LABOUR_MARKET'".to_owned()),
                None => ("NULL".to_owned(), "NULL".to_owned()),
            };
            app.exec(&format!("INSERT INTO pay_subsidy (id, client_id, employer_id, starts_on, subsidy_ends_on, hours_per_week, ended_on, followed_by, recorded_by, created_at) VALUES ('{id}', '{shared}', '{emp}', '{}', '{}', 30, {ended_on}, {followed}, '{te_id}', '2026-01-01 00:00:00')", ds(&app, start), ds(&app, end))).await;
        }
        let q = "query B($m: ID!) { meetingBrief(meetingId: $m) { agencies { agency paySubsidiesEnding { subsidyEndsOn } } } }";
        for role in ["TE_EXPERT", "TYP_OFFICER", "EKSOTE_WORKER"] {
            let (_, body) = app.gql(&app.token_for(role), q, json!({ "m": app.fx.next_meeting })).await;
            assert!(body["errors"].is_null(), "{role}: {body}");
            let agencies = body["data"]["meetingBrief"]["agencies"].as_array().unwrap();
            let te = agencies.iter().find(|a| a["agency"] == "TE").unwrap();
            let mut ends: Vec<String> = te["paySubsidiesEnding"].as_array().unwrap().iter().map(|p| p["subsidyEndsOn"].as_str().unwrap().to_owned()).collect();
            ends.sort();
            assert_eq!(ends, vec![ds(&app, 0), ds(&app, 90)], "{role}: today and the 90th day, not the 91st: {body}");
            for other in agencies.iter().filter(|a| a["agency"] != "TE") {
                assert_eq!(other["paySubsidiesEnding"], json!([]), "{role}: {body}");
            }
        }
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({ "m": app.fx.next_meeting })).await;
        assert!(!kela["errors"].as_array().unwrap().is_empty(), "Kela reads no EMPLOYMENT: {kela}");
        let te_reader = app.fx.official("TE_EXPERT").to_owned();
        assert!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND official_id = '{te_reader}' AND operation = 'meetingBrief' AND field_groups LIKE '%EMPLOYMENT%'")).await >= 1);
    }
}

on_both! {
    async fn programmes_tags_and_the_service_track_are_recorded_by_those_who_own_them(app) {
        let admin = app.token_for("ADMIN");
        let input = |code: &str, from: &str, until: Option<&str>| json!({ "i": { "code": code, "name": "Koe-pilotti", "validFrom": from, "validUntil": until } });
        let (_, bad) = app.gql(&admin, CREATE_PROGRAMME, input("PILOT", "2025-01-01", Some("2024-12-31"))).await;
        assert_eq!((code(&bad), field(&bad)), ("BAD_USER_INPUT", "validUntil"), "{bad}");
        let (_, pilot) = app.gql(&admin, CREATE_PROGRAMME, input("pilot", "2020-01-01", None)).await;
        assert_eq!(pilot["data"]["createProgramme"]["code"], "PILOT", "{pilot}");
        let pilot = pilot["data"]["createProgramme"]["id"].as_str().unwrap().to_owned();
        let (_, twice) = app.gql(&admin, CREATE_PROGRAMME, input("PILOT", "2020-01-01", None)).await;
        assert_eq!(code(&twice), "CONFLICT", "{twice}");
        let manager = official(&app, "county-manager-p", "EKSOTE", "COUNTY_MANAGER").await;
        let (_, old) = app.gql(&manager, CREATE_PROGRAMME, input("OLD", "2000-01-01", Some("2000-12-31"))).await;
        let old = old["data"]["createProgramme"]["id"].as_str().unwrap().to_owned();
        for role in ALL_ROLES.into_iter().filter(|r| *r != "ADMIN") {
            let (_, body) = app.gql(&app.token_for(role), CREATE_PROGRAMME, input("X", "2020-01-01", None)).await;
            assert!(body["data"].is_null() || body["data"]["createProgramme"].is_null(), "{role}: {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM programme").await, 2);
        assert_eq!(app.count("SELECT COUNT(*) FROM register_log WHERE action = 'CREATE_PROGRAMME'").await, 2);
        // Any official reads the list.
        for role in ALL_ROLES {
            let (_, body) = app.gql(&app.token_for(role), "{ programmes { code } }", json!({})).await;
            assert_eq!(body["data"]["programmes"], json!([{ "code": "OLD" }, { "code": "PILOT" }]), "{role}: {body}");
        }
        // Opening a case records its track and programme.
        let officer = app.token_for("TYP_OFFICER");
        let open = "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id serviceTrack programme { code } } }";
        let client = app.fx.own_only.clone();
        let opening = |programme: &str| json!({ "i": { "clientId": client, "criterion": "JOINT_ASSESSMENT", "openedOn": ds(&app, -1), "clientAgreedOn": ds(&app, -2), "serviceTrack": "INDIVIDUAL_SUPPORT", "programmeId": programme } });
        let (_, stale) = app.gql(&officer, open, opening(&old)).await;
        assert_eq!(field(&stale), "programmeId", "the programme ended before the case: {stale}");
        let (_, opened) = app.gql(&officer, open, opening(&pilot)).await;
        assert_eq!(opened["data"]["openTypCase"]["serviceTrack"], "INDIVIDUAL_SUPPORT", "{opened}");
        assert_eq!(opened["data"]["openTypCase"]["programme"]["code"], "PILOT", "{opened}");
        let case_id = opened["data"]["openTypCase"]["id"].as_str().unwrap().to_owned();
        // The responsible agency changes the track; a responsible officer of another agency may not.
        let track = "mutation T($c: ID!, $t: ServiceTrack!) { setCaseServiceTrack(caseId: $c, serviceTrack: $t) { serviceTrack } }";
        let (_, changed) = app.gql(&officer, track, json!({ "c": case_id, "t": "MULTI_SECTOR" })).await;
        assert_eq!(changed["data"]["setCaseServiceTrack"]["serviceTrack"], "MULTI_SECTOR", "{changed}");
        let county_officer = official(&app, "county-officer", "EKSOTE", "TYP_OFFICER").await;
        let (_, other) = app.gql(&county_officer, track, json!({ "c": case_id, "t": "INDIVIDUAL_SUPPORT" })).await;
        assert_eq!(code(&other), "FORBIDDEN", "{other}");
        for role in AGENCY_ROLES.into_iter().filter(|r| *r != "TYP_OFFICER") {
            let (_, body) = app.gql(&app.token_for(role), track, json!({ "c": case_id, "t": "INDIVIDUAL_SUPPORT" })).await;
            assert!(body["data"].is_null(), "{role}: {body}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE id = '{case_id}' AND service_track = 'MULTI_SECTOR'")).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{client}' AND action = 'WRITE' AND field_groups = 'CASE' AND operation = 'setCaseServiceTrack'")).await, 1);
        let tag = "mutation T($c: ID!, $p: ID) { setCaseProgramme(caseId: $c, programmeId: $p) { programme { code } } }";
        let (_, cleared) = app.gql(&officer, tag, json!({ "c": case_id, "p": null })).await;
        assert_eq!(cleared["data"]["setCaseProgramme"]["programme"], Json::Null, "{cleared}");
        // Job coaching is tagged by those who order it (COACHING write), within their scope.
        let coaching = "walk2";
        app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on) VALUES ('{coaching}', '{}', NULL, 'INDIVIDUAL', 'TE', 40, '{}', NULL)", app.fx.shared, ds(&app, -30))).await;
        let tag_coaching = "mutation T($c: ID!, $p: ID) { tagJobCoaching(coachingId: $c, programmeId: $p) { programme { code } } }";
        let (_, stale) = app.gql(&app.token_for("TE_EXPERT"), tag_coaching, json!({ "c": coaching, "p": old })).await;
        assert_eq!(field(&stale), "programmeId", "{stale}");
        let (_, tagged) = app.gql(&app.token_for("TE_EXPERT"), tag_coaching, json!({ "c": coaching, "p": pilot })).await;
        assert_eq!(tagged["data"]["tagJobCoaching"]["programme"]["code"], "PILOT", "{tagged}");
        for role in ALL_ROLES.into_iter().filter(|r| !["TE_EXPERT", "EKSOTE_WORKER"].contains(r)) {
            let (_, body) = app.gql(&app.token_for(role), tag_coaching, json!({ "c": coaching, "p": null })).await;
            assert!(body["data"].is_null(), "{role}: {body}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM job_coaching WHERE id = '{coaching}' AND programme_id IS NOT NULL")).await, 1, "no refused role cleared it");
        // The county orders coaching too, and may clear the tag.
        let (_, cleared) = app.gql(&app.token_for("EKSOTE_WORKER"), tag_coaching, json!({ "c": coaching, "p": null })).await;
        assert!(cleared["data"]["tagJobCoaching"]["programme"].is_null() && cleared["errors"].is_null(), "{cleared}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND field_groups = 'COACHING' AND operation = 'tagJobCoaching'", app.fx.shared)).await, 2);
    }
}

on_both! {
    async fn work_reports_count_persons_suppressed_and_only_for_those_who_read_the_data(app) {
        let p1 = app.fx.p1.clone();
        for n in 0..9 {
            crate::reports::person(&app, n, &p1, None, None).await;
        }
        let emp = employer(&app, "e3").await;
        let te_id = app.fx.official("TE_EXPERT").to_owned();
        // Six start in March 2021; in September six end to the open market, one to studies, two to unemployment.
        for n in 0..9 {
            let (ended, followed) = match n {
                0..=5 => ("'2021-09-15'", "'OPEN_LABOUR_MARKET'"),
                6 => ("'2021-09-30'", "'STUDIES'"),
                _ => ("'2021-09-01'", "'UNEMPLOYMENT'"),
            };
            let start = if n < 6 { "2021-03-01" } else { "2021-04-01" };
            app.exec(&format!("INSERT INTO pay_subsidy (id, client_id, employer_id, starts_on, subsidy_ends_on, hours_per_week, ended_on, followed_by, recorded_by, created_at) VALUES ('ps{n}', 'r{n}', '{emp}', '{start}', '2021-12-31', 30, {ended}, {followed}, '{te_id}', '2021-01-01 00:00:00')")).await;
        }
        let q = "{ reports { paySubsidyTransitions(from: \"2021-03-01\", to: \"2021-09-30\") { month started { value suppressed } endedBy { followedBy persons { value suppressed } } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let months = body["data"]["reports"]["paySubsidyTransitions"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(months.len(), 7);
        assert_eq!(months[0]["started"], json!({ "value": 5, "suppressed": false }), "six, rounded: {body}");
        assert_eq!(months[1]["started"], json!({ "value": null, "suppressed": true }), "three: {body}");
        let sept = &months[6]["endedBy"];
        let cell = |c: &str| sept.as_array().unwrap().iter().find(|x| x["followedBy"] == c).unwrap()["persons"].clone();
        assert_eq!(cell("OPEN_LABOUR_MARKET"), json!({ "value": 5, "suppressed": false }), "{body}");
        assert_eq!(cell("STUDIES"), json!({ "value": null, "suppressed": true }));
        assert_eq!(cell("UNEMPLOYMENT"), json!({ "value": null, "suppressed": true }));
        // Only those who read EMPLOYMENT get it; ranges are whole months.
        for role in ["KELA_EXPERT", "PROVIDER_COACH"] {
            let (_, body) = app.gql(&app.token_for(role), q, json!({})).await;
            assert_eq!(code(&body), "FORBIDDEN", "{role}: {body}");
        }
        for role in ["TE_EXPERT", "TYP_OFFICER", "EKSOTE_WORKER"] {
            let (_, body) = app.gql(&app.token_for(role), q, json!({})).await;
            assert!(body["errors"].is_null(), "{role}: {body}");
        }
        let (_, partial) = app.gql(&app.token_for("ANALYST"), "{ reports { paySubsidyTransitions(from: \"2021-03-02\", to: \"2021-09-30\") { month } } }", json!({})).await;
        assert_eq!(code(&partial), "BAD_USER_INPUT", "{partial}");
        // Individual-support clients are those whose case records the track.
        for n in 0..6 {
            app.exec(&format!("UPDATE typ_case SET service_track = 'INDIVIDUAL_SUPPORT' WHERE id = 'rc{n}'")).await;
        }
        app.exec("UPDATE typ_case SET service_track = 'MULTI_SECTOR' WHERE id IN ('rc6', 'rc7')").await;
        let on = "{ reports { individualSupportClientsOn(on: \"2021-06-01\") { value suppressed } } }";
        let (_, six) = app.gql(&app.token_for("ANALYST"), on, json!({})).await;
        assert_eq!(six["data"]["reports"]["individualSupportClientsOn"], json!({ "value": 5, "suppressed": false }), "{six}");
        app.exec("UPDATE typ_case SET service_track = 'MULTI_SECTOR' WHERE id IN ('rc0', 'rc1')").await;
        let (_, four) = app.gql(&app.token_for("KELA_EXPERT"), on, json!({})).await;
        assert_eq!(four["data"]["reports"]["individualSupportClientsOn"], json!({ "value": null, "suppressed": true }), "Kela reads cases: {four}");
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), on, json!({})).await;
        assert_eq!(code(&coach), "FORBIDDEN", "{coach}");
        // Persons per programme: cases and coaching tagged with it.
        app.exec("INSERT INTO programme (id, code, name, valid_from, valid_until, created_at) VALUES ('pg', 'PILOT', 'Pilotti', '2020-01-01', NULL, '2020-01-01 00:00:00')").await;
        app.exec("UPDATE typ_case SET programme_id = 'pg'").await;
        let per = "{ reports { programmeCounts(from: \"2021-01-01\", to: \"2021-12-31\") { code caseClients { value suppressed } coachingClients { value suppressed } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), per, json!({})).await;
        assert_eq!(body["data"]["reports"]["programmeCounts"], json!([{ "code": "PILOT", "caseClients": { "value": 10, "suppressed": false }, "coachingClients": { "value": null, "suppressed": true } }]), "{body}");
        for role in ["KELA_EXPERT", "PROVIDER_COACH"] {
            let (_, body) = app.gql(&app.token_for(role), per, json!({})).await;
            assert_eq!(code(&body), "FORBIDDEN", "{role}: {body}");
        }
        // Reports write no access-log row: no person is read.
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
    }
}

on_both! {
    async fn a_data_set_drawn_without_the_profile_records_each_cases_service_track(app) {
        typgraph::demo::load(&app.db, 80, 5, false).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM typ_case WHERE service_track IS NULL").await, 0);
        let individual = app.count("SELECT COUNT(*) FROM typ_case WHERE service_track = 'INDIVIDUAL_SUPPORT'").await;
        let coached = app.count("SELECT COUNT(*) FROM typ_case t WHERE EXISTS (SELECT 1 FROM job_coaching j WHERE j.client_id = t.client_id AND j.kind IN ('INDIVIDUAL', 'NEUROPSYCHIATRIC', 'WALK_ALONGSIDE'))").await;
        assert!(individual > 0, "one-to-one coaching in the drawn set");
        assert_eq!(individual, coached, "individual support is the one-to-one coached clients' track");
        let multi = app.count("SELECT COUNT(*) FROM typ_case WHERE service_track = 'MULTI_SECTOR'").await;
        assert!(multi > individual, "{multi} multi-sector, {individual} individual support");
    }
}
