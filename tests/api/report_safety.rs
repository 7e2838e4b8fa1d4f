//! Reports reveal no more than the caller may read: each report and filter is refused unless
//! the caller's field mask reads its groups, and published figures withstand differencing
//! (whole months only, every figure rounded, small ones suppressed).

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;
use crate::reports::person;

fn code(body: &Json) -> &Json {
    &body["errors"][0]["extensions"]["code"]
}

async fn refused(app: &TestApp, role: &str, query: &str, variables: Json) {
    let (_, body) = app.gql(&app.token_for(role), query, variables).await;
    assert_eq!(code(&body), "FORBIDDEN", "{role}: {query}: {body}");
    assert_eq!(
        body["data"]["reports"],
        Json::Null,
        "{role}: nothing is answered: {body}"
    );
}

async fn answered(app: &TestApp, role: &str, query: &str, variables: Json) -> Json {
    let (_, body) = app.gql(&app.token_for(role), query, variables).await;
    assert!(body["errors"].is_null(), "{role}: {query}: {body}");
    assert!(body["data"]["reports"].is_object(), "{role}: {body}");
    body
}

async fn csv_status(app: &TestApp, role: &str, name: &str, query: &str) -> u16 {
    app.http
        .get(app.endpoint(&format!("/exports/reports/{name}.csv?{query}")))
        .bearer_auth(app.token_for(role))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

const YEAR: &str = "from=2019-01-01&to=2019-12-31";
const OUTCOMES: &str = "query Q($f: ReportFilter) { reports { caseOutcomes(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { closedCases { value } } } }";
const ALLOWANCES: &str = "query Q($f: ReportFilter) { reports { allowances(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { month allowanceCents { value } } } }";
const ACTIVITY: &str = "query Q($f: ReportFilter) { reports { rehabActivity(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { month endOfMonthClients { value } } } }";
const INDIVIDUAL: &str = "query Q($f: ReportFilter) { reports { individualSupportClientsOn(on: \"2019-03-01\", filter: $f) { value } } }";
const PROGRAMMES: &str = "query Q($f: ReportFilter) { reports { programmeCounts(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { code coachingClients { value } } } }";
const TYP_ON: &str = "query Q($f: ReportFilter) { reports { typClientsOn(on: \"2019-03-01\", filter: $f) { value } } }";
const LENGTHS: &str = "query Q($f: ReportFilter) { reports { periodLengths(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { months } providerActivity(from: \"2019-01-01\", to: \"2019-12-31\", filter: $f) { providerId } } }";

on_both! {
    with crate::rehab::coach_window_over_2020;
    async fn the_coach_gets_no_aggregate_of_case_allowance_or_employment_and_no_municipality_filter(app) {
        let p1 = app.fx.p1.clone();
        for n in 0..6 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), Some(("2019-07-15", "PENSION"))).await;
        }
        let none = json!({});
        refused(&app, "PROVIDER_COACH", OUTCOMES, none.clone()).await;
        refused(&app, "PROVIDER_COACH", TYP_ON, none.clone()).await;
        refused(&app, "PROVIDER_COACH", ALLOWANCES, none.clone()).await;
        refused(&app, "PROVIDER_COACH", INDIVIDUAL, none.clone()).await;
        // CONTACT: the coach reads names and phone, not the municipality, so may not filter by it,
        // nor by the responsible agency (CASE), even on a report it may read.
        refused(&app, "PROVIDER_COACH", ACTIVITY, json!({ "f": { "municipality": "Imatra" } })).await;
        refused(&app, "PROVIDER_COACH", ACTIVITY, json!({ "f": { "responsibleAgency": "TE" } })).await;
        for (name, query) in [("case-outcomes", YEAR), ("allowances", YEAR), ("typ-clients-on", YEAR), ("follow-ups", YEAR)] {
            assert_eq!(csv_status(&app, "PROVIDER_COACH", name, query).await, 403, "{name}");
        }
        assert_eq!(csv_status(&app, "PROVIDER_COACH", "rehab-activity", &format!("{YEAR}&municipality=Imatra")).await, 403);
        // What the coach reads (REHAB, ATTENDANCE of its own placements) it still gets.
        let body = answered(&app, "PROVIDER_COACH", ACTIVITY, json!({ "f": { "providerKind": "COUNTY_WORKSHOP" } })).await;
        let march = body["data"]["reports"]["rehabActivity"].as_array().unwrap().iter().find(|m| m["month"] == "2019-03").unwrap().clone();
        assert_eq!(march["endOfMonthClients"]["value"], 5, "six persons, rounded to five: {body}");
        answered(&app, "PROVIDER_COACH", LENGTHS, json!({})).await;
        assert_eq!(csv_status(&app, "PROVIDER_COACH", "rehab-activity", YEAR).await, 200);
    }
}

on_both! {
    async fn allowance_sums_are_refused_to_those_who_do_not_read_allowances(app) {
        let p1 = app.fx.p1.clone();
        for n in 0..6 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), None).await;
        }
        for role in ["TE_EXPERT", "TYP_OFFICER"] {
            refused(&app, role, ALLOWANCES, json!({})).await;
            assert_eq!(csv_status(&app, role, "allowances", YEAR).await, 403, "{role}");
        }
        // Those who read ALLOWANCE get them, in GraphQL and CSV.
        for role in ["EKSOTE_WORKER", "KELA_EXPERT"] {
            let body = answered(&app, role, ALLOWANCES, json!({ "f": { "municipality": "Imatra" } })).await;
            assert_eq!(body["data"]["reports"]["allowances"].as_array().unwrap().len(), 12, "{role}");
            assert_eq!(csv_status(&app, role, "allowances", YEAR).await, 200, "{role}");
        }
        // The officer and the expert still get what they read: cases, and job coaching.
        let body = answered(&app, "TYP_OFFICER", TYP_ON, json!({ "f": { "municipality": "Imatra", "responsibleAgency": "TE" } })).await;
        assert_eq!(body["data"]["reports"]["typClientsOn"]["value"], 5, "six, rounded: {body}");
        answered(&app, "TYP_OFFICER", OUTCOMES, json!({ "f": { "municipality": "Imatra" } })).await;
        answered(&app, "TE_EXPERT", INDIVIDUAL, json!({ "f": { "municipality": "Imatra" } })).await;
        answered(&app, "TE_EXPERT", OUTCOMES, json!({})).await;
    }
}

on_both! {
    async fn job_coaching_counts_are_refused_to_kela(app) {
        let p1 = app.fx.p1.clone();
        app.exec("INSERT INTO programme (id, code, name, valid_from, valid_until, created_at) VALUES ('pg', 'PILOT', 'Pilotti', '2018-01-01', NULL, '2018-01-01 00:00:00')").await;
        for n in 0..5 {
            person(&app, n, &p1, None, None).await;
            app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on, programme_id) VALUES ('jc{n}', 'r{n}', '{p1}', 'INDIVIDUAL', 'TE', 50, '2019-01-01', NULL, 'pg')")).await;
            app.exec(&format!("UPDATE typ_case SET service_track = 'INDIVIDUAL_SUPPORT' WHERE id = 'rc{n}'")).await;
        }
        // Coaching counts per programme are EMPLOYMENT: Kela reads none.
        refused(&app, "KELA_EXPERT", PROGRAMMES, json!({})).await;
        // The individual-support count is recorded on the case (CASE): Kela reads it, and
        // the CSV of clients on a day that carries it.
        let body = answered(&app, "KELA_EXPERT", INDIVIDUAL, json!({})).await;
        assert_eq!(body["data"]["reports"]["individualSupportClientsOn"]["value"], 5, "{body}");
        assert_eq!(csv_status(&app, "KELA_EXPERT", "typ-clients-on", "from=2019-03-01&to=2019-03-31").await, 200);
        answered(&app, "KELA_EXPERT", TYP_ON, json!({})).await;
        answered(&app, "KELA_EXPERT", ALLOWANCES, json!({})).await;
        // The employment authority and the analyst read the coaching count.
        let body = answered(&app, "TE_EXPERT", PROGRAMMES, json!({})).await;
        assert_eq!(body["data"]["reports"]["programmeCounts"][0]["coachingClients"]["value"], 5, "{body}");
        let body = answered(&app, "ANALYST", PROGRAMMES, json!({ "f": { "municipality": "Imatra" } })).await;
        assert_eq!(body["data"]["reports"]["programmeCounts"][0]["coachingClients"]["value"], 5, "{body}");
        // The analyst reads aggregates of every group, with every filter.
        answered(&app, "ANALYST", ALLOWANCES, json!({ "f": { "municipality": "Imatra", "responsibleAgency": "TE" } })).await;
        answered(&app, "ANALYST", OUTCOMES, json!({ "f": { "municipality": "Imatra" } })).await;
        answered(&app, "EKSOTE_WORKER", PROGRAMMES, json!({})).await;
    }
}

on_both! {
    async fn a_filter_a_report_cannot_apply_is_refused_by_name(app) {
        // Case outcomes are not counted per placement: a provider filter used to be ignored
        // silently, so the unfiltered figure passed for a filtered one.
        let (_, body) = app.gql(&app.token_for("ANALYST"), OUTCOMES, json!({ "f": { "providerId": app.fx.p1 } })).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "providerId", "{body}");
    }
}

/// Eleven PENSION closures: ten in February in Imatra, and one, the target, on 15 March in
/// Lappeenranta; twelve more cases stay open. Today's code gave the target away three ways.
async fn target_seed(app: &TestApp) {
    let p1 = app.fx.p1.clone();
    for n in 0..10 {
        person(app, n, &p1, None, Some(("2019-02-10", "PENSION"))).await;
    }
    person(app, 10, &p1, None, Some(("2019-03-15", "PENSION"))).await;
    app.exec("UPDATE client SET municipality = 'Lappeenranta' WHERE id = 'r10'")
        .await;
    for n in 11..22 {
        person(app, n, &p1, None, None).await;
    }
}

const CLOSED: &str = "query Q($from: Date!, $to: Date!, $f: ReportFilter) { reports { caseOutcomes(from: $from, to: $to, filter: $f) { closedCases { value suppressed } byOutcome { outcome cases { value suppressed } } } } }";

fn pension(body: &Json) -> Json {
    let r = &body["data"]["reports"]["caseOutcomes"];
    let cell = r["byOutcome"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .find(|x| x["outcome"] == "PENSION")
        .unwrap()["cases"]
        .clone();
    json!({ "closed": r["closedCases"], "pension": cell })
}

on_both! {
    async fn differencing_ranges_and_filters_recovers_no_single_closure(app) {
        target_seed(&app).await;
        let analyst = app.token_for("ANALYST");
        let outcomes = |from: &'static str, to: &'static str, f: Json| {
            let analyst = analyst.clone();
            let app = &app;
            async move { app.gql(&analyst, CLOSED, json!({ "from": from, "to": to, "f": f })).await.1 }
        };
        // The attack of the assessment: cumulative ranges one day apart. Days are no unit any
        // more: a range ends on a month's last day and starts on its first, or it is refused.
        let day_before = outcomes("2019-01-01", "2019-03-14", json!({})).await;
        assert_eq!(code(&day_before), "BAD_USER_INPUT", "{day_before}");
        assert_eq!(day_before["errors"][0]["extensions"]["field"], "to");
        let mid_start = outcomes("2019-03-16", "2019-03-31", json!({})).await;
        assert_eq!(mid_start["errors"][0]["extensions"]["field"], "from", "{mid_start}");
        // Adjacent cumulative months: January–February against January–March.
        let to_feb = pension(&outcomes("2019-01-01", "2019-02-28", json!({})).await);
        let to_mar = pension(&outcomes("2019-01-01", "2019-03-31", json!({})).await);
        assert_eq!(to_feb, to_mar, "one more March closure must not show");
        assert_eq!(to_mar["pension"], json!({ "value": 10, "suppressed": false }));
        // Overlapping ranges: February–April against January–March, and March alone.
        let feb_apr = pension(&outcomes("2019-02-01", "2019-04-30", json!({})).await);
        assert_eq!(feb_apr, to_mar);
        let march = pension(&outcomes("2019-03-01", "2019-03-31", json!({})).await);
        assert_eq!(march["closed"], json!({ "value": null, "suppressed": true }), "{march}");
        assert_eq!(march["pension"]["suppressed"], true);
        // With and without a municipality filter: the target is the only one outside Imatra.
        let imatra = pension(&outcomes("2019-01-01", "2019-03-31", json!({ "municipality": "Imatra" })).await);
        assert_eq!(imatra, to_mar, "the filter's complement is one person");
        let lappeenranta = pension(&outcomes("2019-01-01", "2019-03-31", json!({ "municipality": "Lappeenranta" })).await);
        assert_eq!(lappeenranta["pension"]["value"], Json::Null, "{lappeenranta}");
        // The CSV gives the same figures, through the same rule.
        let csv = |q: &'static str| {
            let analyst = analyst.clone();
            let app = &app;
            async move {
                let res = app.http.get(app.endpoint(&format!("/exports/reports/case-outcomes.csv?{q}"))).bearer_auth(&analyst).send().await.unwrap();
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        let (status, _) = csv("from=2019-01-01&to=2019-03-14").await;
        assert_eq!(status, 400);
        let (_, feb) = csv("from=2019-01-01&to=2019-02-28").await;
        let (_, mar) = csv("from=2019-01-01&to=2019-03-31").await;
        let (_, mar_imatra) = csv("from=2019-01-01&to=2019-03-31&municipality=Imatra").await;
        assert!(mar.lines().any(|l| l == "PENSION,10,false"), "{mar}");
        assert_eq!(feb, mar);
        assert_eq!(mar, mar_imatra);
    }
}

on_both! {
    async fn differencing_on_date_figures_recovers_no_single_closure(app) {
        target_seed(&app).await;
        let analyst = app.token_for("ANALYST");
        let on = |day: &'static str, f: Json| {
            let analyst = analyst.clone();
            let app = &app;
            async move { app.gql(&analyst, TYP_ON_DAY, json!({ "on": day, "f": f })).await.1 }
        };
        // Open on 15 March and not on the 16th gave the target's closing day away.
        let day = on("2019-03-15", json!({})).await;
        assert_eq!(code(&day), "BAD_USER_INPUT", "{day}");
        assert_eq!(day["errors"][0]["extensions"]["field"], "on");
        // On the first days of March and April: twelve and eleven open, both published as ten.
        let value = |b: &Json| b["data"]["reports"]["typClientsOn"].clone();
        let march = value(&on("2019-03-01", json!({})).await);
        let april = value(&on("2019-04-01", json!({})).await);
        assert_eq!(march, json!({ "value": 10, "suppressed": false }));
        assert_eq!(march, april, "the closure in March must not show");
        let march_imatra = value(&on("2019-03-01", json!({ "municipality": "Imatra" })).await);
        assert_eq!(march, march_imatra, "the filter's complement is one person");
        // The CSV's "on" figures come on the first day of each month, rounded alike.
        let res = app.http.get(app.endpoint("/exports/reports/typ-clients-on.csv?from=2019-03-01&to=2019-04-30")).bearer_auth(&analyst).send().await.unwrap();
        let csv = res.text().await.unwrap();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        // Nobody has job coaching: none is fewer than five, suppressed too.
        assert_eq!(rows, ["2019-03-01,10,false,,true", "2019-04-01,10,false,,true"], "{csv}");
        let bad = app.http.get(app.endpoint("/exports/reports/typ-clients-on.csv?from=2019-03-15&to=2019-03-31")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);
    }
}

const TYP_ON_DAY: &str = "query Q($on: Date!, $f: ReportFilter) { reports { typClientsOn(on: $on, filter: $f) { value suppressed } } }";

on_both! {
    async fn one_persons_several_periods_do_not_fill_a_length_to_the_threshold(app) {
        // Four persons with one period of four months each, and one of them with four more
        // of the same length: eight periods, but four persons, so nothing is published.
        let worker = app.fx.official("EKSOTE_WORKER").to_owned();
        let p1 = app.fx.p1.clone();
        for n in 0..4 {
            person(&app, n, &p1, Some(("2019-01-01", "2019-04-30")), None).await;
        }
        for (k, (from, to)) in [("2019-05-01", "2019-08-31"), ("2019-09-01", "2019-12-31"), ("2019-01-15", "2019-05-14"), ("2019-06-01", "2019-09-30")].into_iter().enumerate() {
            let provider = if k % 2 == 0 { p1.clone() } else { app.fx.p2.clone() };
            app.exec(&format!(
                "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, created_at) \
                 VALUES ('rx{k}', 'r0', '{provider}', 'RX-{k}', '2019-01-01', '{worker}', '{from}', '{to}', 3, 6, 'g', '2019-01-01 00:00:00')"
            )).await;
        }
        let q = "{ reports { periodLengths(from: \"2019-01-01\", to: \"2019-12-31\") { months periods { value suppressed } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let lengths = body["data"]["reports"]["periodLengths"].as_array().unwrap_or_else(|| panic!("{body}"));
        let three_to_five = lengths.iter().find(|l| l["months"] == "3-5").unwrap();
        assert_eq!(three_to_five["periods"], json!({ "value": null, "suppressed": true }), "{body}");
        // A fifth person lets the eight periods and the new one out, rounded.
        person(&app, 4, &p1, Some(("2019-02-01", "2019-05-31")), None).await;
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let lengths = body["data"]["reports"]["periodLengths"].as_array().unwrap();
        let three_to_five = lengths.iter().find(|l| l["months"] == "3-5").unwrap();
        assert_eq!(three_to_five["periods"], json!({ "value": 10, "suppressed": false }), "{body}");
    }
}

on_both! {
    async fn the_interruptions_export_refuses_a_filter_and_names_the_provider(app) {
        app.exec(&format!(
            "INSERT INTO service_interruption (id, starts_on, ends_on, reason, provider_id) VALUES ('si-p1', '2019-03-04', '2019-03-08', 'Inventory', '{}')",
            app.fx.p1
        )).await;
        // A filter it cannot apply is refused, not silently dropped.
        assert_eq!(csv_status(&app, "ANALYST", "service-interruptions", &format!("{YEAR}&municipality=Imatra")).await, 400);
        let res = app.http.get(app.endpoint(&format!("/exports/reports/service-interruptions.csv?{YEAR}"))).bearer_auth(app.token_for("ANALYST")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let text = res.text().await.unwrap();
        assert!(text.contains("starts_on,ends_on,provider_id,reason"), "{text}");
        assert!(text.contains(&format!("2019-03-04,2019-03-08,{},Inventory", app.fx.p1)), "{text}");
        let (_, body) = app.gql(&app.token_for("ANALYST"), "{ reports { serviceInterruptions(from: \"2019-01-01\", to: \"2019-12-31\") { startsOn providerId } } }", json!({})).await;
        assert_eq!(body["data"]["reports"]["serviceInterruptions"], json!([{ "startsOn": "2019-03-04", "providerId": app.fx.p1 }]), "{body}");
    }
}

on_both! {
    async fn a_provider_with_few_persons_is_not_listed_with_empty_figures(app) {
        let coach = app.fx.official("PROVIDER_COACH").to_owned();
        let p2 = app.fx.p2.clone();
        // Two persons attend at P2 in March: too few to publish, so P2 is not listed at all.
        for n in 0..2 {
            person(&app, n, &p2, Some(("2019-02-01", "2019-06-30")), None).await;
            app.exec(&format!("INSERT INTO attendance_day (id, period_id, day, present, absence_reason, recorded_by, recorded_at) VALUES ('ad{n}', 'rp{n}', '2019-03-04', TRUE, NULL, '{coach}', '2019-03-04 12:00:00')")).await;
        }
        typgraph::store::ktt_month::rebuild(&app.db, None).await.unwrap();
        let q = "{ reports { providerActivity(from: \"2019-03-01\", to: \"2019-03-31\") { providerId attendedDays { value } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let rows = body["data"]["reports"]["providerActivity"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert!(rows.iter().all(|r| r["providerId"] != json!(p2)), "{body}");
    }
}
