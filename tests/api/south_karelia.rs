//! The South Karelia profile at full scale: the reports, asked through the API as the
//! ANALYST, show the region's published figures (Eksote's TYP and KTT figures) within 10 %,
//! and the data tells the region's story (docs/demo-data.md).

use sea_orm::ConnectionTrait;
use serde_json::{json, Value as Json};
use typgraph::demo;

use crate::on_both;

/// Whether `shown` is within 10 % of `published` at `scale` of the region.
fn near(shown: &Json, published: u32, scale: f64) -> bool {
    let Some(v) = shown.as_f64() else {
        return false;
    };
    let want = f64::from(published) * scale;
    (v - want).abs() <= want * 0.10
}

const FIGURES: &str = "query { reports { \
    y2019: rehabActivity(from: \"2019-01-01\", to: \"2019-12-31\") { month averageClients attendingClients { value } attendedDays { value } } \
    closure: rehabActivity(from: \"2020-03-01\", to: \"2020-06-30\") { month averageClients attendingClients { value suppressed } attendedDays { value suppressed } } \
    y2021: rehabActivity(from: \"2021-01-01\", to: \"2021-04-30\") { month averageClients attendingClients { value } } \
    typ: typClientsOn(on: \"2021-06-01\") { value suppressed } \
    individual: individualSupportClientsOn(on: \"2021-06-01\") { value suppressed } \
    interruptions: serviceInterruptions(from: \"2020-03-01\", to: \"2020-05-31\") { startsOn endsOn providerId } } }";

const STORY: &str = "query { reports { \
    outcomes: caseOutcomes(from: \"2017-01-01\", to: \"2026-11-30\") { closedCases { value } byOutcome { outcome cases { value } } } \
    lengths: periodLengths(from: \"2018-01-01\", to: \"2021-12-31\") { months periods { value } } \
    coaching: coachingHours(from: \"2017-01-01\", to: \"2026-11-30\") { orderer persons { value } hoursBought { value } } \
    assessments: assessments(from: \"2017-01-01\", to: \"2026-11-30\") { done { value } duplicatesAvoided { value } } \
    vouchers: voucherUse(from: \"2017-01-01\", to: \"2026-11-30\") { kind persons { value } } \
    competence: competence(from: \"2017-01-01\", to: \"2026-11-30\") { persons { value } } \
    subsidies: paySubsidyTransitions(from: \"2025-01-01\", to: \"2026-11-30\") { month started { value } } } }";

on_both! {
    /// The full region on SQLite. On PostgreSQL (when TEST_DATABASE_URL is set) a quarter of
    /// it, each figure a quarter of the published one within the same 10 %: the full load
    /// takes minutes in a debug build there (docs/demo-data.md gives the times).
    async fn the_south_karelia_profile_shows_the_published_figures(app) {
        let scale = match app.db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => 1.0,
            _ => 0.25,
        };
        // A story's count at the full region, at this scale.
        let at = |n: i64| (n as f64 * scale) as i64;
        let started = std::time::Instant::now();
        let summary = demo::load_profile(&app.db, demo::Profile::SouthKarelia, scale, demo::DEMO_SEED, false).await.unwrap();
        eprintln!(
            "{:?}: profile at {scale} loaded in {:.1} s: {} clients, {} attendance rows",
            app.db.get_database_backend(),
            started.elapsed().as_secs_f64(),
            summary.clients,
            summary.attendance_rows
        );
        let analyst = app.token_for("ANALYST");
        let (status, body) = app.gql(&analyst, FIGURES, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
        let r = &body["data"]["reports"];
        eprintln!("{}", serde_json::to_string_pretty(r).unwrap());

        // Persons in KTT a month (those who attended in the month), every month of 2019.
        let y2019 = r["y2019"].as_array().unwrap();
        assert_eq!(y2019.len(), 12);
        for m in y2019 {
            assert!(near(&m["attendingClients"]["value"], demo::KTT_PERSONS_2019, scale), "2019: {m}");
            assert!(near(&m["averageClients"], demo::KTT_PERSONS_2019, scale), "2019: {m}");
        }
        // Closed by government order 17.3.–31.5.2020: nobody attends April or May, March
        // and June have attendance on their open days.
        let closure = r["closure"].as_array().unwrap();
        // (A count under five is published only as suppressed: none is, by the rows.)
        for m in &closure[1..3] {
            for cell in [&m["attendedDays"], &m["attendingClients"]] {
                assert!(cell["value"] == json!(0) || cell["suppressed"] == json!(true), "closure: {m}");
            }
        }
        assert!(closure[0]["attendedDays"]["value"].as_i64().unwrap() > 0);
        assert!(closure[3]["attendedDays"]["value"].as_i64().unwrap() > 0);
        assert_eq!(
            app.count("SELECT COUNT(*) FROM attendance_day WHERE day >= '2020-03-17' AND day <= '2020-05-31' AND voided_at IS NULL").await,
            0
        );
        assert!(
            r["interruptions"].as_array().unwrap().iter().any(|i| i["startsOn"] == "2020-03-17" && i["endsOn"] == "2020-05-31" && i["providerId"].is_null()),
            "{}", r["interruptions"]
        );
        // Under restrictions, January–April 2021.
        let y2021 = r["y2021"].as_array().unwrap();
        assert_eq!(y2021.len(), 4);
        for m in y2021 {
            assert!(near(&m["attendingClients"]["value"], demo::KTT_PERSONS_2021_RESTRICTED, scale), "2021: {m}");
            assert!(near(&m["averageClients"], demo::KTT_PERSONS_2021_RESTRICTED, scale), "2021: {m}");
        }
        // TYP and individual-support clients on 1 June 2021.
        assert!(near(&r["typ"]["value"], demo::TYP_CLIENTS_2021_06_01, scale), "{}", r["typ"]);
        assert!(near(&r["individual"]["value"], demo::INDIVIDUAL_SUPPORT_2021_06_01, scale), "{}", r["individual"]);

        // The story.
        let (status, body) = app.gql(&analyst, STORY, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["errors"].is_null(), "{body}");
        let r = &body["data"]["reports"];
        eprintln!("{}", serde_json::to_string_pretty(r).unwrap());
        // Outcomes: studies, pay-subsidised work and the open labour market lead, together
        // more than half of the closed cases.
        let mut outcomes: Vec<(String, i64)> = r["outcomes"]["byOutcome"].as_array().unwrap().iter()
            .map(|o| (o["outcome"].as_str().unwrap().to_owned(), o["cases"]["value"].as_i64().unwrap_or(0)))
            .collect();
        outcomes.sort_by_key(|o| -o.1);
        let top: Vec<&str> = outcomes[..3].iter().map(|o| o.0.as_str()).collect();
        for o in ["STUDIES", "PAY_SUBSIDISED_WORK", "OPEN_LABOUR_MARKET"] {
            assert!(top.contains(&o), "{outcomes:?}");
        }
        let closed = r["outcomes"]["closedCases"]["value"].as_i64().unwrap();
        assert!(outcomes[..3].iter().map(|o| o.1).sum::<i64>() * 2 > closed, "{outcomes:?} of {closed}");
        // KTT periods that end early, and periods of 18–24 months.
        let lengths = r["lengths"].as_array().unwrap();
        let bucket = |b: &str| lengths.iter().find(|l| l["months"] == b).and_then(|l| l["periods"]["value"].as_i64()).unwrap_or(0);
        assert!(bucket("18-24") > at(50), "{lengths:?}");
        assert!(bucket("0-2") > at(20), "{lengths:?}");
        let early = app.count("SELECT COUNT(*) FROM rehab_period WHERE ended_early_on IS NOT NULL AND end_reason IS NOT NULL AND outcome IS NOT NULL").await;
        let periods = app.count("SELECT COUNT(*) FROM rehab_period").await;
        assert!(early * 20 > periods && early * 4 < periods, "{early} of {periods} ended early");
        // Old cases close: cases opened in TYP's first years closed years later.
        assert!(app.count("SELECT COUNT(*) FROM typ_case WHERE opened_on < '2017-01-01' AND ended_on >= '2020-01-01'").await > at(100));
        assert!(app.count("SELECT COUNT(*) FROM typ_case WHERE opened_on < '2017-01-01' AND ended_on IS NULL").await > 0);
        // No attendance on a weekend or a public holiday (the fixture's own periods,
        // KTT-T-*, record days relative to today).
        let days = app.db.query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT DISTINCT a.day FROM attendance_day a JOIN rehab_period p ON p.id = a.period_id WHERE p.decision_number NOT LIKE 'KTT-T-%'",
        )).await.unwrap();
        assert!(days.len() > 1500);
        for row in days {
            let day: chrono::NaiveDate = row.try_get("", "day").unwrap();
            use chrono::Datelike;
            assert!(day.weekday().num_days_from_monday() < 5, "{day} is a weekend day");
            assert!(typgraph::domain::calendar::public_holiday(day).is_none(), "{day} is a public holiday");
        }
        // Job coaching ordered by each orderer: the employment authority, the county and
        // the county under service vouchers.
        let coaching = r["coaching"].as_array().unwrap();
        for orderer in ["TE", "EKSOTE", "VOUCHER"] {
            let persons: i64 = coaching.iter().filter(|c| c["orderer"] == orderer).filter_map(|c| c["persons"]["value"].as_i64()).sum();
            assert!(persons >= 5, "{orderer}: {coaching:?}");
        }
        // Duplicate assessments avoided (a recent one reused) and overridden with a reason.
        assert!(r["assessments"]["duplicatesAvoided"]["value"].as_i64().unwrap() >= at(50), "{}", r["assessments"]);
        assert!(app.count("SELECT COUNT(*) FROM work_ability_assessment WHERE override_reason IS NOT NULL").await >= at(20));
        // Service vouchers of both kinds, competence recognised, subsidised jobs.
        for kind in ["KTT", "COACHING"] {
            assert!(r["vouchers"].as_array().unwrap().iter().any(|v| v["kind"] == kind && v["persons"]["value"].as_i64().unwrap_or(0) >= 5), "{kind}: {}", r["vouchers"]);
        }
        assert!(r["competence"]["persons"]["value"].as_i64().unwrap_or(0) >= at(100), "{}", r["competence"]);
        let started_subsidies: i64 = r["subsidies"].as_array().unwrap().iter().filter_map(|m| m["started"]["value"].as_i64()).sum();
        assert!(started_subsidies >= at(100), "{}", r["subsidies"]);
        assert!(app.count("SELECT COUNT(*) FROM pay_subsidy").await >= at(500));
        // Every case has its service track: recorded when the case opened.
        assert_eq!(app.count("SELECT COUNT(*) FROM typ_case WHERE service_track IS NULL").await, 0);
    }
}
