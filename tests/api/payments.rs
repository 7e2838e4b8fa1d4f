//! Who pays what for a KTT day: the client's benefit status (Kela's and the county's
//! records), the payer of each attended day, the county's travel compensation at the
//! cheapest means, the recorded exports to Kela, a fund and the county with their correction
//! lines, and the allowance report split by payer.

use serde_json::{json, Value as Json};

use crate::helpers::{assert_mutation_not_in_schema, TestApp};
use crate::on_both;

const RECORD_STATUS: &str = "mutation B($i: RecordBenefitStatusInput!) { recordBenefitStatus(input: $i) { id kind fundName validFrom validTo } }";
const END_STATUS: &str =
    "mutation E($i: EndBenefitStatusInput!) { endBenefitStatus(input: $i) { id validTo } }";
const RECORD_SA: &str = "mutation S($i: RecordSocialAssistanceInput!) { recordSocialAssistance(input: $i) { id validFrom validTo } }";
const END_SA: &str =
    "mutation E($i: EndBenefitStatusInput!) { endSocialAssistance(input: $i) { id validTo } }";
const ATTEND: &str =
    "mutation A($i: RecordAttendanceInput!) { recordAttendance(input: $i) { recorded unchanged } }";

fn code(body: &Json) -> (String, String) {
    let e = &body["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or("").to_owned(),
        e["field"].as_str().unwrap_or("").to_owned(),
    )
}

fn status(app: &TestApp, kind: &str, fund: Option<&str>, from: &str, to: Option<&str>) -> Json {
    json!({ "i": { "clientId": app.fx.shared, "kind": kind, "fundName": fund, "validFrom": from, "validTo": to } })
}

fn social(app: &TestApp, from: &str, to: Option<&str>) -> Json {
    json!({ "i": { "clientId": app.fx.shared, "validFrom": from, "validTo": to } })
}

fn day(date: &str, present: bool) -> Json {
    if present {
        json!({ "date": date, "present": true })
    } else {
        json!({ "date": date, "present": false, "absenceReason": "sick" })
    }
}

/// A period of the shared client in 2020, 12.5 km away, with the given fare and ticket.
async fn period(app: &TestApp, id: &str, fare: Option<i64>, ticket: Option<i64>) -> String {
    let e = app.fx.official("EKSOTE_WORKER").to_owned();
    let opt = |v: Option<i64>| v.map_or("NULL".to_owned(), |c| c.to_string());
    app.exec(&format!(
        "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, travel_distance_km, created_at, travel_fare_cents, travel_ticket_cents_month) \
         VALUES ('{id}', '{}', '{}', 'KTT-{id}', '2019-12-15', '{e}', '2020-01-01', '2020-12-31', 4, 6, 'g', 12.5, '2019-12-15 12:00:00', {}, {})",
        app.fx.shared, app.fx.p1, opt(fare), opt(ticket)
    ))
    .await;
    id.to_owned()
}

/// Records days as the county's worker (the period of 2020 is long past the coach's window).
async fn attend(app: &TestApp, period: &str, days: Vec<Json>) {
    let (_, done) = app
        .gql(
            &app.token_for("EKSOTE_WORKER"),
            ATTEND,
            json!({ "i": { "periodId": period, "days": days } }),
        )
        .await;
    assert!(
        done["data"]["recordAttendance"]["recorded"]
            .as_i64()
            .unwrap()
            > 0,
        "{done}"
    );
}

/// The allowance lines of a period's month, as (kind, payer, fund, days, cents).
async fn lines(
    app: &TestApp,
    period: &str,
    month: &str,
) -> Vec<(String, String, Option<String>, i64, i64)> {
    let q = format!("query M($c: ID!) {{ caseView(clientId: $c) {{ rehabPeriods {{ id allowance(month: \"{month}\") {{ lines {{ kind payer fundName days amountCents }} }} }} }} }}");
    let (_, body) = app
        .gql(
            &app.token_for("EKSOTE_WORKER"),
            &q,
            json!({ "c": app.fx.shared }),
        )
        .await;
    let periods = body["data"]["caseView"]["rehabPeriods"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"));
    let p = periods.iter().find(|p| p["id"] == period).unwrap();
    let mut out: Vec<_> = p["allowance"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["kind"].as_str().unwrap().to_owned(),
                l["payer"].as_str().unwrap().to_owned(),
                l["fundName"].as_str().map(str::to_owned),
                l["days"].as_i64().unwrap(),
                l["amountCents"].as_i64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn line(
    kind: &str,
    payer: &str,
    fund: Option<&str>,
    days: i64,
    cents: i64,
) -> (String, String, Option<String>, i64, i64) {
    (
        kind.into(),
        payer.into(),
        fund.map(str::to_owned),
        days,
        cents,
    )
}

on_both! {
    async fn kela_records_the_benefit_and_the_county_social_assistance_each_in_its_own_right(app) {
        let kela = app.token_for("KELA_EXPERT");
        let county = app.token_for("EKSOTE_WORKER");
        let (_, first) = app.gql(&kela, RECORD_STATUS, status(&app, "LABOUR_MARKET_SUBSIDY", None, "2020-01-01", None)).await;
        assert_eq!(first["data"]["recordBenefitStatus"]["kind"], "LABOUR_MARKET_SUBSIDY", "{first}");
        let first_id = first["data"]["recordBenefitStatus"]["id"].clone();
        // A later status ends the open one the day before.
        let (_, basic) = app.gql(&kela, RECORD_STATUS, status(&app, "BASIC_UNEMPLOYMENT_ALLOWANCE", None, "2020-03-01", None)).await;
        assert_eq!(basic["data"]["recordBenefitStatus"]["validTo"], Json::Null, "{basic}");
        // Any other overlap of the same track is a conflict, with the status it meets.
        let (_, overlap) = app.gql(&kela, RECORD_STATUS, status(&app, "NONE", None, "2020-02-10", Some("2020-02-20"))).await;
        assert_eq!(code(&overlap).0, "CONFLICT", "{overlap}");
        assert_eq!(overlap["errors"][0]["extensions"]["existing"]["id"], first_id, "{overlap}");
        let (_, earlier) = app.gql(&kela, RECORD_STATUS, status(&app, "NONE", None, "2019-12-01", None)).await;
        assert_eq!(code(&earlier).0, "CONFLICT", "an open status before a later one: {earlier}");
        // The fund belongs to the earnings-related allowance, and only to it.
        let (_, no_fund) = app.gql(&kela, RECORD_STATUS, status(&app, "EARNINGS_RELATED_ALLOWANCE", None, "2021-01-01", None)).await;
        assert_eq!(code(&no_fund), ("BAD_USER_INPUT".into(), "fundName".into()));
        let (_, stray_fund) = app.gql(&kela, RECORD_STATUS, status(&app, "NONE", Some("Fund X"), "2019-01-01", Some("2019-01-31"))).await;
        assert_eq!(code(&stray_fund), ("BAD_USER_INPUT".into(), "fundName".into()));
        let (_, backwards) = app.gql(&kela, RECORD_STATUS, status(&app, "NONE", None, "2019-01-31", Some("2019-01-01"))).await;
        assert_eq!(code(&backwards), ("BAD_USER_INPUT".into(), "validTo".into()));
        // Social assistance is the county's own track: it overlaps Kela's freely.
        let (_, sa) = app.gql(&county, RECORD_SA, social(&app, "2020-02-01", None)).await;
        let sa_id = sa["data"]["recordSocialAssistance"]["id"].clone();
        assert!(sa_id.is_string(), "{sa}");
        let (_, ended) = app.gql(&county, END_SA, json!({ "i": { "id": sa_id, "validTo": "2020-06-30" } })).await;
        assert_eq!(ended["data"]["endSocialAssistance"]["validTo"], "2020-06-30", "{ended}");
        let (_, later) = app.gql(&county, END_SA, json!({ "i": { "id": sa_id, "validTo": "2020-07-31" } })).await;
        assert_eq!(code(&later).0, "CONFLICT", "an end only comes sooner: {later}");
        // Kela cannot end the county's record, nor the county Kela's.
        let (_, cross) = app.gql(&kela, END_STATUS, json!({ "i": { "id": sa_id, "validTo": "2020-05-31" } })).await;
        assert_eq!(code(&cross).0, "NOT_FOUND", "{cross}");
        for role in ["TE_EXPERT", "EKSOTE_WORKER", "TYP_OFFICER", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (st, body) = app.gql(&app.token_for(role), RECORD_STATUS, status(&app, "NONE", None, "2018-01-01", Some("2018-01-31"))).await;
            assert_mutation_not_in_schema(role, st, &body, "recordBenefitStatus");
        }
        for role in ["KELA_EXPERT", "TE_EXPERT", "TYP_OFFICER", "PROVIDER_COACH", "ANALYST"] {
            let (st, body) = app.gql(&app.token_for(role), RECORD_SA, social(&app, "2018-01-01", Some("2018-01-31"))).await;
            assert_mutation_not_in_schema(role, st, &body, "recordSocialAssistance");
        }
        // Three statuses stand: the two of Kela (the first ended by the second) and the
        // county's (besides the fixture's two of 2000).
        let stored = app.count(&format!("SELECT COUNT(*) FROM benefit_status WHERE client_id = '{}' AND valid_from > '2001-01-01'", app.fx.shared)).await;
        assert_eq!(stored, 3);
        // Reading: Kela's record is BENEFIT, the county's SOCIAL (others read it under consent).
        let view = "query V($c: ID!) { caseView(clientId: $c) { benefitStatuses { kind validFrom validTo } socialAssistance { validFrom validTo } } }";
        let (_, by_kela) = app.gql(&kela, "query V($c: ID!) { caseView(clientId: $c) { benefitStatuses { kind validFrom validTo } } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(by_kela["data"]["caseView"]["benefitStatuses"], json!([
            { "kind": "BASIC_UNEMPLOYMENT_ALLOWANCE", "validFrom": "2020-03-01", "validTo": null },
            { "kind": "LABOUR_MARKET_SUBSIDY", "validFrom": "2020-01-01", "validTo": "2020-02-29" },
            { "kind": "LABOUR_MARKET_SUBSIDY", "validFrom": "2000-01-01", "validTo": "2000-12-31" },
        ]), "{by_kela}");
        let (_, kela_sa) = app.gql(&kela, view, json!({ "c": app.fx.shared })).await;
        assert!(kela_sa["errors"].is_array(), "Kela does not read social assistance: {kela_sa}");
        let (_, by_county) = app.gql(&county, "query V($c: ID!) { caseView(clientId: $c) { socialAssistance { validFrom validTo } } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(by_county["data"]["caseView"]["socialAssistance"], json!([{ "validFrom": "2020-02-01", "validTo": "2020-06-30" }, { "validFrom": "2000-01-01", "validTo": "2000-12-31" }]), "{by_county}");
        let (_, officer) = app.gql(&app.token_for("TYP_OFFICER"), view, json!({ "c": app.fx.shared })).await;
        assert_eq!(officer["data"]["caseView"]["socialAssistance"], Json::Null, "{officer}");
        assert_eq!(officer["errors"][0]["extensions"]["reason"], "NO_CONSENT", "{officer}");
        assert_eq!(officer["data"]["caseView"]["benefitStatuses"].as_array().map(Vec::len), Some(3), "{officer}");
        // Every write is logged with its group.
        let writes = |group: &str, op: &str| format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = '{op}' AND field_groups LIKE '%{group}%'", app.fx.shared);
        assert_eq!(app.count(&writes("BENEFIT", "recordBenefitStatus")).await, 2);
        assert_eq!(app.count(&writes("SOCIAL", "recordSocialAssistance")).await, 1);
    }
}

on_both! {
    async fn each_attended_day_is_paid_by_the_status_of_its_own_day(app) {
        let p = period(&app, "pay1", None, None).await;
        // February 2020, Monday to Thursday, three weeks and the Monday of a fourth.
        let feb = ["2020-02-03", "2020-02-04", "2020-02-05", "2020-02-06", "2020-02-10", "2020-02-11", "2020-02-12", "2020-02-13", "2020-02-17", "2020-02-18", "2020-02-19", "2020-02-20"];
        attend(&app, &p, feb.iter().map(|d| day(d, true)).collect()).await;
        // With nothing recorded, Kela's kulukorvaus; the county's travel for every day.
        assert_eq!(lines(&app, &p, "2020-02").await, vec![
            line("EXPENSE_ALLOWANCE", "KELA", None, 12, 10800),
            line("TRAVEL", "EKSOTE", None, 12, 12 * 640),
        ]);
        let kela = app.token_for("KELA_EXPERT");
        for (kind, fund, from, to) in [
            ("BASIC_UNEMPLOYMENT_ALLOWANCE", None, "2020-01-01", Some("2020-02-05")),
            ("EARNINGS_RELATED_ALLOWANCE", Some("Fund X"), "2020-02-06", Some("2020-02-12")),
            ("NONE", None, "2020-02-13", None),
        ] {
            let (_, done) = app.gql(&kela, RECORD_STATUS, status(&app, kind, fund, from, to)).await;
            assert!(done["data"]["recordBenefitStatus"]["id"].is_string(), "{done}");
        }
        // No benefit and no social assistance: travel only, no daily allowance.
        assert_eq!(lines(&app, &p, "2020-02").await, vec![
            line("EXPENSE_ALLOWANCE", "FUND", Some("Fund X"), 4, 3600),
            line("EXPENSE_ALLOWANCE", "KELA", None, 3, 2700),
            line("TRAVEL", "EKSOTE", None, 12, 12 * 640),
        ]);
        // Social assistance over the whole month: toimintaraha on the days without a
        // benefit, never on a day the kulukorvaus is paid.
        let (_, sa) = app.gql(&app.token_for("EKSOTE_WORKER"), RECORD_SA, social(&app, "2020-02-01", None)).await;
        assert!(sa["data"]["recordSocialAssistance"]["id"].is_string(), "{sa}");
        assert_eq!(lines(&app, &p, "2020-02").await, vec![
            line("EXPENSE_ALLOWANCE", "FUND", Some("Fund X"), 4, 3600),
            line("EXPENSE_ALLOWANCE", "KELA", None, 3, 2700),
            line("TOIMINTARAHA", "EKSOTE", None, 5, 4500),
            line("TRAVEL", "EKSOTE", None, 12, 12 * 640),
        ]);
        // Ending the social assistance on the 17th moves the 18th to 20th out again.
        let sa_id = sa["data"]["recordSocialAssistance"]["id"].clone();
        let (_, ended) = app.gql(&app.token_for("EKSOTE_WORKER"), END_SA, json!({ "i": { "id": sa_id, "validTo": "2020-02-17" } })).await;
        assert_eq!(ended["data"]["endSocialAssistance"]["validTo"], "2020-02-17", "{ended}");
        assert!(lines(&app, &p, "2020-02").await.contains(&line("TOIMINTARAHA", "EKSOTE", None, 2, 1800)));
        // The summaries the reports read split the same way.
        let sum = |col: &str| format!("SELECT CAST({col} AS BIGINT) FROM ktt_client_month WHERE client_id = '{}' AND month = '2020-02'", app.fx.shared);
        assert_eq!(app.count(&sum("kela_cents")).await, 2700);
        assert_eq!(app.count(&sum("fund_cents")).await, 3600);
        assert_eq!(app.count(&sum("toimintaraha_cents")).await, 1800);
        assert_eq!(app.count(&sum("travel_cents")).await, 12 * 640);
        // The periods' payer as decided still reads the status of the first day.
        let (_, none_left) = app.gql(&kela, END_STATUS, json!({ "i": { "id": "no-such-status", "validTo": "2020-02-17" } })).await;
        assert_eq!(code(&none_left).0, "NOT_FOUND");
    }
}

on_both! {
    async fn travel_is_compensated_at_the_cheapest_means_beyond_the_threshold(app) {
        // A 5.00 € fare a day, or an 18.00 € monthly ticket.
        let p = period(&app, "pay2", Some(500), Some(1800)).await;
        attend(&app, &p, ["2020-02-03", "2020-02-04", "2020-02-05"].iter().map(|d| day(d, true)).collect()).await;
        attend(&app, &p, ["2020-03-02", "2020-03-03", "2020-03-04", "2020-03-05"].iter().map(|d| day(d, true)).collect()).await;
        let travel = |ls: Vec<(String, String, Option<String>, i64, i64)>| ls.into_iter().find(|l| l.0 == "TRAVEL").map(|l| (l.1, l.4));
        // Three fares (15.00 €) are cheaper than the ticket; four (20.00 €) are not.
        assert_eq!(travel(lines(&app, &p, "2020-02").await), Some(("EKSOTE".into(), 1500)));
        assert_eq!(travel(lines(&app, &p, "2020-03").await), Some(("EKSOTE".into(), 1800)));
        // At the threshold (3 km) no travel is compensated.
        app.exec("UPDATE rehab_period SET travel_distance_km = 3.0 WHERE id = 'pay2'").await;
        attend(&app, &p, vec![day("2020-03-05", false)]).await;
        assert_eq!(travel(lines(&app, &p, "2020-03").await), None);
        // The fare and the ticket are decided with the period, and read back.
        let worker = app.token_for("EKSOTE_WORKER");
        let start = app.fx.today.checked_add_days(chrono::Days::new(400)).unwrap();
        let end = start.checked_add_months(chrono::Months::new(3)).unwrap();
        let decide = "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { travelFareCents travelTicketCentsMonth } }";
        let input = |fare: i64| json!({ "i": { "clientId": app.fx.shared, "providerId": app.fx.p1, "startsOn": start.to_string(), "endsOn": end.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "g", "travelDistanceKm": 8.0, "travelFareCents": fare, "travelTicketCentsMonth": 5500, "decidedOn": app.fx.today.to_string(), "servedOn": app.fx.today.to_string(), "hearingOn": app.fx.today.to_string() } });
        let (_, bad) = app.gql(&worker, decide, input(-1)).await;
        assert_eq!(code(&bad), ("BAD_USER_INPUT".into(), "travelFareCents".into()), "{bad}");
        let (_, ok) = app.gql(&worker, decide, input(420)).await;
        assert_eq!(ok["data"]["decideRehabPeriod"], json!({ "travelFareCents": 420, "travelTicketCentsMonth": 5500 }), "{ok}");
    }
}

/// Exports `month` to `recipient` as the official of `role`: (status, CSV rows without the
/// header).
async fn export(
    app: &TestApp,
    role: &str,
    recipient: &str,
    fund: Option<&str>,
    month: &str,
) -> (u16, Vec<Vec<String>>) {
    let mut url = format!("/exports/allowance-export.csv?recipient={recipient}&month={month}");
    if let Some(f) = fund {
        url.push_str(&format!("&fund={}", f.replace(' ', "%20")));
    }
    let res = app
        .http
        .post(app.endpoint(&url))
        .bearer_auth(app.token_for(role))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let rows = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    (status, rows)
}

on_both! {
    async fn exports_confirm_days_to_kela_and_the_fund_pay_the_county_and_correct_what_changed(app) {
        let p = period(&app, "pay3", None, None).await;
        let kela = app.token_for("KELA_EXPERT");
        for (kind, fund, from, to) in [
            ("LABOUR_MARKET_SUBSIDY", None, "2020-01-01", Some("2020-03-03")),
            ("EARNINGS_RELATED_ALLOWANCE", Some("Fund X"), "2020-03-04", None),
        ] {
            let (_, done) = app.gql(&kela, RECORD_STATUS, status(&app, kind, fund, from, to)).await;
            assert!(done["data"]["recordBenefitStatus"]["id"].is_string(), "{done}");
        }
        attend(&app, &p, ["2020-03-02", "2020-03-03", "2020-03-04", "2020-03-05"].iter().map(|d| day(d, true)).collect()).await;
        // Kela: its days, no amounts.
        let (st, rows) = export(&app, "EKSOTE_WORKER", "KELA", None, "2020-03").await;
        assert_eq!(st, 200);
        assert_eq!(rows.len(), 1, "{rows:?}");
        let kela_export = rows[0][0].clone();
        assert_eq!(rows[0][1..], ["KELA", "", "2020-03", "MONTH", "", "KTT-pay3", "010190-901R", "Koemäki", "Aino", "2020-01-01", "2020-12-31", "2"].map(String::from), "{rows:?}");
        // The fund: its own days only.
        let (_, fund) = export(&app, "EKSOTE_WORKER", "FUND", Some("Fund X"), "2020-03").await;
        assert_eq!(fund.len(), 1);
        assert_eq!((fund[0][1].as_str(), fund[0][2].as_str(), fund[0][12].as_str()), ("FUND", "Fund X", "2"), "{fund:?}");
        let (_, other_fund) = export(&app, "EKSOTE_WORKER", "FUND", Some("Fund Y"), "2020-03").await;
        assert!(other_fund.is_empty(), "{other_fund:?}");
        // The county: travel of all four days, with amounts.
        let (_, county) = export(&app, "EKSOTE_WORKER", "EKSOTE", None, "2020-03").await;
        assert_eq!(county.len(), 1, "{county:?}");
        let county_export = county[0][0].clone();
        assert_eq!(county[0][1..], ["2020-03", "MONTH", "", "KTT-pay3", "010190-901R", "Koemäki", "Aino", "TRAVEL", "4", "2560", "25.60"].map(String::from));
        // Exported again unchanged: nothing is sent twice.
        let (_, again) = export(&app, "EKSOTE_WORKER", "KELA", None, "2020-03").await;
        assert!(again.is_empty(), "{again:?}");
        // An absence recorded over a present day of the exported month...
        attend(&app, &p, vec![day("2020-03-03", false)]).await;
        // ...corrects March in the next export of each recipient it touches.
        attend(&app, &p, vec![day("2020-04-06", true)]).await;
        let (_, april) = export(&app, "KELA_EXPERT", "KELA", None, "2020-04").await;
        assert_eq!(april.len(), 1, "April is the fund's; March's correction is Kela's: {april:?}");
        assert_eq!(april[0][3..6], ["2020-03", "CORRECTION", &kela_export].map(String::from), "{april:?}");
        assert_eq!(april[0][12], "-1");
        let (_, county_april) = export(&app, "EKSOTE_WORKER", "EKSOTE", None, "2020-04").await;
        assert_eq!(county_april.len(), 2, "{county_april:?}");
        assert_eq!(county_april[0][1..4], ["2020-04", "MONTH", ""].map(String::from));
        assert_eq!(county_april[1][1..4], ["2020-03", "CORRECTION", &county_export].map(String::from));
        assert_eq!(county_april[1][9..12], ["-1", "-640", "-6.40"].map(String::from));
        let (_, fund_april) = export(&app, "EKSOTE_WORKER", "FUND", Some("Fund X"), "2020-04").await;
        assert_eq!(fund_april.len(), 1, "the fund's March stands: {fund_april:?}");
        assert_eq!(fund_april[0][3..5], ["2020-04", "MONTH"].map(String::from));
        // Each export is recorded with what it carried.
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_export").await, 8);
        assert_eq!(app.count("SELECT CAST(SUM(days) AS BIGINT) FROM allowance_export_line l JOIN allowance_export x ON x.id = l.export_id WHERE x.recipient = 'KELA'").await, 1);
        // Every client listed is logged per export.
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND operation = 'allowanceExport' AND field_groups = 'IDENTITY,CONTACT,ALLOWANCE'", app.fx.shared)).await;
        assert_eq!(logged, 6);
        // Kela's and the fund's confirmations are statutory disclosures, a row per group;
        // the county's own list is no disclosure.
        let disclosed = |recipient: &str| format!("SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}' AND basis = 'STATUTORY' AND legal_section = '1290/2002 ch. 13 s. 1' AND disclosing_agency = 'EKSOTE' AND {recipient}", app.fx.shared);
        assert_eq!(app.count(&disclosed("recipient_name = 'Fund X'")).await, 6);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}' AND basis = 'STATUTORY' AND recipient_agency = 'KELA'", app.fx.shared)).await, 6);
        assert_eq!(app.count(&disclosed("recipient_agency = 'EKSOTE'")).await, 0);
        // Who exports: the county every list, Kela its own confirmation only.
        for (role, recipient, fund, expected) in [
            ("KELA_EXPERT", "EKSOTE", None, 403),
            ("KELA_EXPERT", "FUND", Some("Fund X"), 403),
            ("TE_EXPERT", "KELA", None, 403),
            ("TYP_OFFICER", "KELA", None, 403),
            ("PROVIDER_COACH", "EKSOTE", None, 403),
            ("ANALYST", "KELA", None, 403),
            ("EKSOTE_WORKER", "FUND", None, 400),
            ("EKSOTE_WORKER", "OTHER", None, 400),
        ] {
            let (st, _) = export(&app, role, recipient, fund, "2020-05").await;
            assert_eq!(st, expected, "{role} {recipient}");
        }
        let (future, _) = export(&app, "EKSOTE_WORKER", "KELA", None, "2999-01").await;
        assert_eq!(future, 400);
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_export").await, 8, "refusals record nothing");
        let get = app.http.get(app.endpoint("/exports/allowance-export.csv?recipient=KELA&month=2020-03")).bearer_auth(kela).send().await.unwrap();
        assert_eq!(get.status().as_u16(), 405, "an export records: never a GET");
        // The exports made so far, newest first, with what each carried: the county lists
        // every recipient's, Kela its own; no one else sees the list.
        let list = "query L($r: AllowanceExportRecipient, $f: String) { allowanceExports(recipient: $r, fundName: $f) { id recipient fundName month exportedBy lines corrections days amountCents } }";
        let (_, all) = app.gql(&app.token_for("EKSOTE_WORKER"), list, json!({})).await;
        let all = all["data"]["allowanceExports"].as_array().unwrap_or_else(|| panic!("{all}")).clone();
        assert_eq!(all.len(), 8, "{all:?}");
        let of = |id: &str| all.iter().find(|x| x["id"] == id).unwrap_or_else(|| panic!("{id}: {all:?}")).clone();
        assert_eq!(of(&kela_export), json!({ "id": kela_export, "recipient": "KELA", "fundName": null, "month": "2020-03", "exportedBy": app.fx.official("EKSOTE_WORKER"), "lines": 1, "corrections": 0, "days": 2, "amountCents": null }));
        let county_id = &county_april[0][0];
        assert_eq!(of(county_id)["lines"], 2);
        assert_eq!(of(county_id)["corrections"], 1);
        assert_eq!(of(county_id)["amountCents"], json!(county_april.iter().map(|r| r[10].parse::<i64>().unwrap()).sum::<i64>()));
        let (_, funds) = app.gql(&app.token_for("EKSOTE_WORKER"), list, json!({ "r": "FUND", "f": "Fund X" })).await;
        let funds = funds["data"]["allowanceExports"].as_array().unwrap_or_else(|| panic!("{funds}")).clone();
        assert_eq!(funds.len(), 2, "{funds:?}");
        assert!(funds.iter().all(|x| x["fundName"] == "Fund X"), "{funds:?}");
        assert!(funds[0]["month"] == "2020-04" && funds[1]["month"] == "2020-03", "newest first: {funds:?}");
        let (_, kela_list) = app.gql(&app.token_for("KELA_EXPERT"), list, json!({})).await;
        let kela_list = kela_list["data"]["allowanceExports"].as_array().unwrap_or_else(|| panic!("{kela_list}")).clone();
        assert_eq!(kela_list.len(), 3, "{kela_list:?}");
        assert!(kela_list.iter().all(|x| x["recipient"] == "KELA"), "{kela_list:?}");
        let (_, kela_county) = app.gql(&app.token_for("KELA_EXPERT"), list, json!({ "r": "EKSOTE" })).await;
        assert_eq!(kela_county["data"]["allowanceExports"], json!([]), "{kela_county}");
        let (_, unnamed) = app.gql(&app.token_for("EKSOTE_WORKER"), list, json!({ "r": "FUND" })).await;
        assert_eq!(unnamed["errors"][0]["extensions"]["field"], "fundName", "{unnamed}");
        for role in ["TE_EXPERT", "TYP_OFFICER", "PROVIDER_COACH", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), list, json!({})).await;
            crate::helpers::assert_not_in_schema(status, &body, "allowanceExports", "Query");
        }
    }
}

on_both! {
    async fn the_activation_plan_rule_reads_the_countys_social_assistance_record(app) {
        let officer = app.token_for("TYP_OFFICER");
        let (_, case) = app.gql(&officer, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].clone();
        let made = |days: u64| app.fx.today.checked_sub_days(chrono::Days::new(days)).unwrap().to_string();
        let (_, sa) = app.gql(&app.token_for("EKSOTE_WORKER"), RECORD_SA, social(&app, &made(5), None)).await;
        assert!(sa["data"]["recordSocialAssistance"]["id"].is_string(), "{sa}");
        let plan = "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { kind } }";
        let input = |on: String| json!({ "i": { "caseId": case_id, "kind": "ACTIVATION", "madeOn": on, "goals": "Work trial" } });
        let (_, before) = app.gql(&officer, plan, input(made(6))).await;
        assert_eq!(code(&before), ("BAD_USER_INPUT".into(), "kind".into()), "the day before social assistance: {before}");
        let (_, on) = app.gql(&officer, plan, input(made(5))).await;
        assert_eq!(on["data"]["createEmploymentPlan"]["kind"], "ACTIVATION", "{on}");
    }
}

on_both! {
    async fn the_allowance_report_splits_by_payer_and_kind(app) {
        // March 2019: five clients with Kela's kulukorvaus, five with a fund's, four with the
        // county's toimintaraha; all fourteen with the county's travel.
        for n in 0..14 {
            crate::reports::person(&app, n, &app.fx.p1, Some(("2019-02-01", "2019-06-30")), None).await;
            let (kind, payer, fund, cents) = match n {
                0..=4 => ("EXPENSE_ALLOWANCE", "KELA", "NULL", 1800),
                5..=9 => ("EXPENSE_ALLOWANCE", "FUND", "'Fund X'", 3600),
                _ => ("TOIMINTARAHA", "EKSOTE", "NULL", 900),
            };
            for (id, kind, payer, fund, cents) in [("d", kind, payer, fund, cents), ("t", "TRAVEL", "EKSOTE", "NULL", 1280)] {
                app.exec(&format!("INSERT INTO allowance_line (id, period_id, month, kind, payer, fund_name, days, amount_cents, rule_version, created_at) VALUES ('al{n}{id}', 'rp{n}', '2019-03', '{kind}', '{payer}', {fund}, 2, {cents}, 'test', '2019-03-31 12:00:00')")).await;
            }
        }
        typgraph::store::ktt_month::rebuild(&app.db, None).await.unwrap();
        let q = "{ reports { allowances(from: \"2019-03-01\", to: \"2019-03-31\") { month allowanceCents { value } kelaExpenseCents { value } fundExpenseCents { value } toimintarahaCents { value } travelCents { value } persons { value } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        // 90, 180 and 179.20 euros in whole hundreds; the four toimintaraha clients are
        // fewer than five: suppressed.
        assert_eq!(body["data"]["reports"]["allowances"][0], json!({
            "month": "2019-03",
            "allowanceCents": { "value": 30000 },
            "kelaExpenseCents": { "value": 10000 },
            "fundExpenseCents": { "value": 20000 },
            "toimintarahaCents": { "value": null },
            "travelCents": { "value": 20000 },
            "persons": { "value": 15 },
        }), "{body}");
        let csv = app.http.get(app.endpoint("/exports/reports/allowances.csv?from=2019-03-01&to=2019-03-31")).bearer_auth(app.token_for("ANALYST")).send().await.unwrap().text().await.unwrap();
        let mut rows = csv.lines();
        assert!(rows.next().unwrap().ends_with("kela_expense_cents,kela_expense_suppressed,fund_expense_cents,fund_expense_suppressed,toimintaraha_cents,toimintaraha_suppressed"), "{csv}");
        assert!(rows.next().unwrap().ends_with(",10000,false,20000,false,,true"), "{csv}");
    }
}

on_both! {
    async fn a_status_or_an_export_that_fails_halfway_leaves_nothing_behind(app) {
        use crate::savepoints::{break_table, heal};
        let p = period(&app, "pay5", None, None).await;
        attend(&app, &p, vec![day("2020-02-03", true)]).await;
        let kela = app.token_for("KELA_EXPERT");
        let (_, first) = app.gql(&kela, RECORD_STATUS, status(&app, "LABOUR_MARKET_SUBSIDY", None, "2020-01-01", None)).await;
        assert!(first["data"]["recordBenefitStatus"]["id"].is_string(), "{first}");
        // The new status ends the open one and recomputes February; the lines fail.
        break_table(&app, "INSERT", "allowance_line").await;
        let (_, failed) = app.gql(&kela, RECORD_STATUS, status(&app, "EARNINGS_RELATED_ALLOWANCE", Some("Fund X"), "2020-02-01", None)).await;
        heal(&app, "allowance_line").await;
        assert_eq!(code(&failed).0, "INTERNAL", "{failed}");
        let statuses = format!("SELECT COUNT(*) FROM benefit_status WHERE client_id = '{}' AND valid_to IS NULL", app.fx.shared);
        // (The fixture's statuses of 2000 are closed.)
        assert_eq!(app.count(&statuses).await, 1, "the first status is still open, the second not recorded");
        assert_eq!(lines(&app, &p, "2020-02").await, vec![
            line("EXPENSE_ALLOWANCE", "KELA", None, 1, 900),
            line("TRAVEL", "EKSOTE", None, 1, 640),
        ]);
        let writes = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'recordBenefitStatus'", app.fx.shared);
        assert_eq!(app.count(&writes).await, 1);
        // An export whose lines fail records no export and logs no read.
        break_table(&app, "INSERT", "allowance_export_line").await;
        let (st, _) = export(&app, "EKSOTE_WORKER", "KELA", None, "2020-02").await;
        heal(&app, "allowance_export_line").await;
        assert_eq!(st, 500);
        assert_eq!(app.count("SELECT COUNT(*) FROM allowance_export").await, 0);
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry WHERE operation = 'allowanceExport'").await, 0);
        let (st, rows) = export(&app, "EKSOTE_WORKER", "KELA", None, "2020-02").await;
        assert_eq!((st, rows.len()), (200, 1), "the month is still to be delivered");
    }
}
