//! Growth benchmark: how a page of clients costs as the register grows. For each size it
//! seeds (once) a PostgreSQL database of that many synthetic clients, then asks PostgreSQL to
//! run the very statement the server runs for a `clients` page (built by
//! `services::client::page_statement`) for every agency's scope and a coach's, pages of 10
//! and 100, with and without a name search, and prints the median execution time, the
//! buffers it touched and whether its plan reads any table whole.
//!
//! ```sh
//! cargo run --profile dist --example scale_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/postgres --clients 10000,50000,200000
//! ```
//! The databases are `typgraph_bench_<N>` (shared with `report_bench`), reused once seeded.
//! `--plans` also prints each statement's whole plan (for the docs).
//!
//! `--paths` measures instead every other read path that lists or searches (meetings and
//! their brief, referrals, the reports with each filter, the allowance exports and
//! statements, the access log as an auditor and as the client reads it, the work lists),
//! sent to the real app over HTTP, each statement it issued explained (see `paths.rs`);
//! `--database NAME` runs it on another seeded database than `typgraph_bench_<N>`;
//! `--log-rows K` (default 20) is the synthetic access-log history per client the
//! access-log paths are explained over.

use std::time::Instant;

use chrono::{Days, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryTrait, Statement};
use serde_json::Value;
use typgraph::authz::scope::RowScope;
use typgraph::domain::settings::Settings;
use typgraph::domain::Agency;
use typgraph::services::client::{page_statement, ClientOrder, PageAsked};

#[path = "scale_bench/paths.rs"]
mod paths;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs of each statement; the median is printed.
const RUNS: usize = 15;

struct Args {
    base: String,
    sizes: Vec<usize>,
    plans: bool,
    paths: bool,
    database: Option<String>,
    log_rows: usize,
}

fn args() -> Result<Args, Error> {
    let mut out = Args {
        base: "postgres://postgres@127.0.0.1:5432/postgres".into(),
        sizes: vec![10_000],
        plans: false,
        paths: false,
        database: None,
        log_rows: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--database-url" => out.base = it.next().ok_or("--database-url URL")?,
            "--clients" => {
                out.sizes = it
                    .next()
                    .ok_or("--clients N[,N…]")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--plans" => out.plans = true,
            "--paths" => out.paths = true,
            "--database" => out.database = Some(it.next().ok_or("--database NAME")?),
            "--log-rows" => out.log_rows = it.next().ok_or("--log-rows N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(out)
}

/// The scopes a page is asked in, as the server computes them with the default settings,
/// the day the data set is drawn around standing for today.
fn scopes(db_provider: &str) -> Vec<(&'static str, RowScope)> {
    let settings = Settings::default();
    let today = typgraph::demo::anchor();
    let cutoff = today
        .checked_sub_months(Months::new(settings.typ_case_retention_years * 12))
        .unwrap_or(NaiveDate::MIN);
    let coach_cutoff = today
        .checked_sub_days(Days::new(settings.coach_access_days_after_end.into()))
        .unwrap_or(today);
    let agency = |agency| RowScope::Agency {
        agency,
        retention_cutoff: cutoff,
        emergency: Vec::new(),
    };
    vec![
        ("TE", agency(Agency::Te)),
        ("EKSOTE", agency(Agency::Eksote)),
        ("KELA", agency(Agency::Kela)),
        (
            "coach",
            RowScope::Coach {
                provider_id: db_provider.to_owned(),
                today,
                access_cutoff: coach_cutoff,
            },
        ),
    ]
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<String, Error> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .ok_or("no row")?;
    Ok(row.try_get_by_index::<String>(0)?)
}

/// What one statement cost: median execution and planning ms, buffers of the last run, and
/// the tables its plan read whole (sequential scans, hashed subplans).
struct Cost {
    exec_ms: f64,
    plan_ms: f64,
    buffers: i64,
    rows: i64,
    whole: Vec<String>,
    plan: String,
}

fn walk(node: &Value, whole: &mut Vec<String>) {
    if node["Node Type"] == "Seq Scan" {
        whole.push(format!(
            "seq scan {}",
            node["Relation Name"].as_str().unwrap_or("?")
        ));
    }
    if node["Subplan Name"]
        .as_str()
        .is_some_and(|s| s.starts_with("hashed"))
    {
        whole.push("hashed subplan".into());
    }
    if let Some(children) = node["Plans"].as_array() {
        for child in children {
            walk(child, whole);
        }
    }
}

async fn explain(db: &DatabaseConnection, stmt: &Statement) -> Result<Cost, Error> {
    let explained = Statement {
        sql: format!("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {}", stmt.sql),
        ..stmt.clone()
    };
    let (mut exec, mut plan_t) = (Vec::new(), Vec::new());
    let mut last = Value::Null;
    for _ in 0..RUNS {
        let row = db
            .query_one_raw(explained.clone())
            .await?
            .ok_or("no plan")?;
        let text: Value = row.try_get_by_index::<serde_json::Value>(0)?;
        let top = text[0].clone();
        exec.push(top["Execution Time"].as_f64().unwrap_or(f64::NAN));
        plan_t.push(top["Planning Time"].as_f64().unwrap_or(f64::NAN));
        last = top;
    }
    let plan = &last["Plan"];
    let mut whole = Vec::new();
    walk(plan, &mut whole);
    let buffers = plan["Shared Hit Blocks"].as_i64().unwrap_or(0)
        + plan["Shared Read Blocks"].as_i64().unwrap_or(0);
    let text_plan = {
        let t = Statement {
            sql: format!(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {}",
                stmt.sql
            ),
            ..stmt.clone()
        };
        let rows = db.query_all_raw(t).await?;
        rows.iter()
            .filter_map(|r| r.try_get_by_index::<String>(0).ok())
            .collect::<Vec<_>>()
            .join("\n")
    };
    Ok(Cost {
        exec_ms: median(exec),
        plan_ms: median(plan_t),
        buffers,
        rows: plan["Actual Rows"].as_i64().unwrap_or(0),
        whole,
        plan: text_plan,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args = args()?;
    if args.paths {
        for &n in &args.sizes {
            let name = args
                .database
                .clone()
                .unwrap_or_else(|| format!("typgraph_bench_{n}"));
            paths::run(&args.base, &name, n, args.plans, args.log_rows).await?;
        }
        return Ok(());
    }
    println!("| clients | scope | page | search | ms (median of {RUNS}) | planning ms | buffers | rows | reads whole |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut plans = Vec::new();
    for &n in &args.sizes {
        let started = Instant::now();
        let (_, db, seeded) =
            typgraph::demo::benchmark_database(&args.base, &format!("typgraph_bench_{n}"), n, 42)
                .await?;
        if let Some((summary, took)) = seeded {
            eprintln!(
                "seeded {} clients, {} attendance rows in {:.0} s",
                summary.clients,
                summary.attendance_rows,
                took.as_secs_f64()
            );
        } else {
            eprintln!(
                "typgraph_bench_{n} reused ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
        }
        // The provider with the most periods: the coach with the most clients.
        let provider = scalar(
            &db,
            "SELECT provider_id FROM rehab_period GROUP BY provider_id ORDER BY COUNT(*) DESC LIMIT 1",
        )
        .await?;
        // A search as a user types it: the first two letters of the commonest last name.
        let prefix = scalar(
            &db,
            "SELECT lower(substr(last_name, 1, 2)) FROM client GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
        )
        .await?;
        for (name, scope) in scopes(&provider) {
            for size in [10u64, 100] {
                for search in [None, Some(prefix.clone())] {
                    let terms: Vec<String> = search.iter().cloned().collect();
                    let select = page_statement(
                        DbBackend::Postgres,
                        &scope,
                        &PageAsked {
                            order: ClientOrder::Name,
                            terms: &terms,
                            after: None,
                            before: None,
                            backward: false,
                            size,
                        },
                    );
                    let stmt = select.build(DbBackend::Postgres);
                    if std::env::var("SHOW_SQL").is_ok() {
                        eprintln!("{}", stmt.sql);
                    }
                    let cost = explain(&db, &stmt).await?;
                    println!(
                        "| {n} | {name} | {size} | {} | {:.2} | {:.2} | {} | {} | {} |",
                        search
                            .as_deref()
                            .map_or("–".to_owned(), |s| format!("`{s}`")),
                        cost.exec_ms,
                        cost.plan_ms,
                        cost.buffers,
                        cost.rows,
                        if cost.whole.is_empty() {
                            "no".to_owned()
                        } else {
                            cost.whole.join(", ")
                        }
                    );
                    if args.plans && size == 100 {
                        plans.push((n, name, search.clone(), cost.plan));
                    }
                }
            }
        }
    }
    for (n, name, search, plan) in plans {
        println!(
            "\n{n} clients, {name}, page of 100{}:\n```\n{plan}\n```",
            search.map_or(String::new(), |s| format!(", search `{s}`"))
        );
    }
    Ok(())
}
