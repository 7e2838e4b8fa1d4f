//! Report benchmark: seeds a synthetic data set into a fresh PostgreSQL database and prints
//! how long each report takes (median of several runs) as ANALYST over the full range.
//!
//! ```sh
//! cargo run --profile dist --example report_bench -- postgres://postgres@127.0.0.1:5432/postgres 50000
//! ```
//! The database `typgraph_bench_<N>` is created (or reused when already seeded).

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, TransactionTrait};
use typgraph::authz::{Policy, Principal};
use typgraph::domain::settings::Settings;
use typgraph::domain::{Agency, Role};
use typgraph::services::reports::{self, Filter};
use typgraph::services::RequestContext;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let base = args
        .next()
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let clients: usize = args
        .next()
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50_000);
    let (_, db, seeded) = typgraph::demo::benchmark_database(
        &base,
        &format!("typgraph_bench_{clients}"),
        clients,
        42,
    )
    .await?;
    if let Some((summary, took)) = seeded {
        println!(
            "seeded {} clients, {} attendance rows in {:.1} s",
            summary.clients,
            summary.attendance_rows,
            took.as_secs_f64()
        );
    }
    let count = |table: &str| {
        let db = db.clone();
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        async move {
            let row = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    sql,
                ))
                .await?;
            Ok::<i64, sea_orm::DbErr>(row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0))
        }
    };
    println!(
        "data set: {} clients, {} KTT periods, {} attendance rows, {} allowance lines, {} agreed actions",
        count("client").await?,
        count("rehab_period").await?,
        count("attendance_day").await?,
        count("allowance_line").await?,
        count("agreed_action").await?
    );
    println!("each report as ANALYST over 2019-01-01..2021-12-31, 5 runs:");
    let policy = Policy::load(None).await?;
    let principal = Principal {
        official_id: "bench".into(),
        name: "bench".into(),
        agency: Agency::Eksote,
        provider_id: None,
        roles: vec![Role::Analyst],
        mask: policy.mask(Role::Analyst),
        emergency: Vec::new(),
    };
    let settings = Arc::new(Settings::default());
    let from = NaiveDate::from_ymd_opt(2019, 1, 1).ok_or("date")?;
    let to = NaiveDate::from_ymd_opt(2021, 12, 31).ok_or("date")?;
    // "On" figures fall on a month's first day.
    let on = NaiveDate::from_ymd_opt(2021, 12, 1).ok_or("date")?;
    let f = Filter::default();
    macro_rules! bench {
        ($name:literal, $call:expr) => {{
            let mut times = Vec::new();
            for _ in 0..5 {
                let tx = Arc::new(db.begin().await?);
                let rc = RequestContext::new(
                    principal.clone(),
                    settings.clone(),
                    tx.clone(),
                    chrono::Utc::now(),
                );
                let started = Instant::now();
                let _ = $call(&rc).await.map_err(|e| e.message())?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                drop(rc);
                if let Ok(tx) = Arc::try_unwrap(tx) {
                    tx.rollback().await?;
                }
            }
            times.sort_by(|a, b| a.total_cmp(b));
            let verdict = if times[2] <= 200.0 { "ok" } else { "MISSED" };
            println!(
                "{:<28} median {:>8.1} ms  max {:>8.1} ms  target 200 ms {verdict}",
                $name, times[2], times[4]
            );
        }};
    }
    bench!("rehabActivity", |rc| reports::rehab_activity(
        rc, from, to, &f
    ));
    bench!("caseOutcomes", |rc| reports::case_outcomes(
        rc, from, to, &f
    ));
    bench!("typClientsOn", |rc| reports::typ_clients_on(rc, on, &f));
    bench!("individualSupportClientsOn", |rc| {
        reports::individual_support_clients_on(rc, on, &f)
    });
    bench!("serviceInterruptions", |rc| reports::interruptions(
        rc, from, to, &f
    ));
    bench!("allowances", |rc| reports::allowances(rc, from, to, &f));
    bench!("meetings", |rc| reports::meetings(rc, from, to, &f));
    bench!("periodLengths", |rc| reports::period_lengths(
        rc, from, to, &f
    ));
    bench!("providerActivity", |rc| reports::provider_activity(
        rc, from, to, &f
    ));
    bench!("assessments", |rc| reports::assessments(rc, from, to, &f));
    bench!("followUps", |rc| reports::follow_ups(rc, from, to, &f));
    Ok(())
}
