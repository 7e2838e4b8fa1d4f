//! Growth benchmark: how a case view and a page of clients cost as the register grows. For
//! each size it seeds (once) a PostgreSQL database of that many synthetic clients, then:
//! - asks PostgreSQL to run the very statement the server runs for a `clients` page (built
//!   by `services::client::page_statement`) for every agency's scope and a coach's, pages of
//!   10 and 100, with and without a name search, and prints the median execution time, the
//!   buffers it touched and whether its plan reads any table whole;
//! - starts the real server in this process on that database and sends it, over HTTP, the
//!   employment authority's case view (the load benchmark's query, as TE_EXPERT) and the same
//!   pages as each agency's official and the coach: the median latency of the requests after
//!   a warm-up, every answer checked (no errors, the rows the page's statement returns); and
//!   the PostgreSQL time of the statements one request ran (taken as the server ran them,
//!   with their parameters), each run again under `EXPLAIN ANALYZE`.
//!
//! At the end it prints one growth table: each request's latency and PostgreSQL time per
//! size, and how the PostgreSQL time at the largest size compares with the smallest.
//!
//! ```sh
//! cargo run --profile dist --example scale_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/postgres --clients 10000,50000,200000
//! ```
//! The databases are `typgraph_bench_<N>` (shared with `report_bench`), reused once seeded.
//! `--plans` also prints each page statement's whole plan (for the docs); `--requests N`
//! sets how many measured requests each latency is the median of (21 by default).
//!
//! `--paths` measures instead every other read path that lists or searches (meetings and
//! their brief, referrals, the reports with each filter, the allowance exports and
//! statements, the access log as an auditor and as the client reads it, the work lists),
//! sent to the real app over HTTP, each statement it issued explained (see `paths.rs`);
//! `--database NAME` runs it on another seeded database than `typgraph_bench_<N>`;
//! `--log-rows K` (default 20) is the synthetic access-log history per client the
//! access-log paths are explained over.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{Days, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, QueryTrait, Statement};
use serde_json::{json, Value};
use typgraph::authz::scope::RowScope;
use typgraph::config::{Config, JwtConfig, RateConfig, Secret};
use typgraph::domain::settings::Settings;
use typgraph::domain::Agency;
use typgraph::services::client::{page_statement, ClientOrder, PageAsked};

#[path = "scale_bench/paths.rs"]
mod paths;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs of each statement under `EXPLAIN ANALYZE`; the median is taken.
const RUNS: usize = 15;
/// Requests sent before the measured ones (connections, caches, prepared statements).
const WARM_UP: usize = 5;
/// Case views whose statements are run again under `EXPLAIN ANALYZE` (the median view).
const VIEWS_EXPLAINED: usize = 5;
/// Clients with an open case whose case views are asked in rotation.
const VIEWED_CLIENTS: i64 = 50;

const SECRET: &str = "typgraph-scale-bench-secret-0123456789abcdef";

#[path = "shared/case_view.rs"]
mod case_view;
use case_view::CASE_VIEW;

/// A page of clients as a list shows it: the fields every scope's schema has (a coach's
/// has no cases).
const PAGE: &str = "query Page($n: Int!, $s: String) { clients(first: $n, search: $s) { \
    edges { node { id firstName lastName } } } }";

struct Args {
    base: String,
    sizes: Vec<usize>,
    plans: bool,
    requests: usize,
    paths: bool,
    database: Option<String>,
    log_rows: usize,
}

fn args() -> Result<Args, Error> {
    let mut out = Args {
        base: "postgres://postgres@127.0.0.1:5432/postgres".into(),
        sizes: vec![10_000],
        plans: false,
        requests: 21,
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
            "--requests" => out.requests = it.next().ok_or("--requests N")?.parse()?,
            "--paths" => out.paths = true,
            "--database" => out.database = Some(it.next().ok_or("--database NAME")?),
            "--log-rows" => out.log_rows = it.next().ok_or("--log-rows N")?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if out.requests == 0 {
        return Err("--requests must be at least 1".into());
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

async fn strings(db: &DatabaseConnection, sql: &str) -> Result<Vec<String>, Error> {
    let rows = db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect())
}

/// What one statement cost: median execution and planning ms, buffers of the last run, and
/// the tables its plan read whole (sequential scans, hashed subplans).
struct Cost {
    exec_ms: f64,
    plan_ms: f64,
    buffers: i64,
    rows: i64,
    whole: Vec<String>,
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

/// `stmt` under `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, `runs` times, each in a
/// transaction rolled back (so that a write the server made is measured and undone):
/// the median times and the last run's plan.
async fn explain(db: &DatabaseConnection, stmt: &Statement, runs: usize) -> Result<Cost, Error> {
    use sea_orm::TransactionTrait;
    let explained = Statement {
        sql: format!("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {}", stmt.sql),
        ..stmt.clone()
    };
    let (mut exec, mut plan_t) = (Vec::new(), Vec::new());
    let mut last = Value::Null;
    for _ in 0..runs {
        let tx = db.begin().await?;
        let row = tx
            .query_one_raw(explained.clone())
            .await?
            .ok_or("no plan")?;
        tx.rollback().await?;
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
    Ok(Cost {
        exec_ms: median(exec),
        plan_ms: median(plan_t),
        buffers,
        rows: plan["Actual Rows"].as_i64().unwrap_or(0),
        whole,
    })
}

/// A statement's whole plan as text, for the docs.
async fn text_plan(db: &DatabaseConnection, stmt: &Statement) -> Result<String, Error> {
    let t = Statement {
        sql: format!(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) {}",
            stmt.sql
        ),
        ..stmt.clone()
    };
    let rows = db.query_all_raw(t).await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect::<Vec<_>>()
        .join("\n"))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The statements the server runs, recorded while `on`.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Option<Vec<Statement>>>>);

impl Recorder {
    fn start(&self) {
        if let Ok(mut r) = self.0.lock() {
            *r = Some(Vec::new());
        }
    }

    fn stop(&self) -> Vec<Statement> {
        self.0
            .lock()
            .ok()
            .and_then(|mut r| r.take())
            .unwrap_or_default()
    }

    fn record(&self, stmt: &Statement) {
        if let Ok(mut r) = self.0.lock() {
            if let Some(v) = r.as_mut() {
                v.push(stmt.clone());
            }
        }
    }
}

/// The real server on `url` in this process, listening on an ephemeral port, its
/// statements recorded by `recorder`.
struct Server {
    addr: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    async fn start(url: &str, recorder: &Recorder) -> Result<Server, Error> {
        let mut config = Config::for_database(url);
        config.jwt = JwtConfig {
            secret: Some(Secret(SECRET.to_owned())),
            ..JwtConfig::default()
        };
        config.rate = RateConfig {
            requests_per_minute: 0,
            objects_per_minute: 0,
        };
        let mut app = typgraph::app::App::build(config).await.map_err(|e| e.0)?;
        let recorder = recorder.clone();
        Arc::get_mut(&mut app.state)
            .ok_or("the server's state is already shared")?
            .db
            .set_metric_callback(move |info| recorder.record(info.statement));
        let addr = app.local_addr()?.to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(app.serve(async {
            let _ = stopped.await;
        }));
        Ok(Server {
            addr,
            stop: Some(stop),
            task,
        })
    }

    async fn shut_down(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}

/// One kind of request and how its answers are checked.
struct Request {
    name: String,
    token: String,
    /// Request bodies, sent in rotation.
    bodies: Vec<Value>,
    check: Check,
}

enum Check {
    /// A case view of the client asked for.
    CaseView,
    /// A page of clients of this size: as many as the server's page statement returns, up
    /// to the size.
    Page(usize),
}

/// What a request cost: median latency over HTTP, PostgreSQL execution time of its
/// statements (summed; the median over the requests explained) and how many there were.
struct Measured {
    latency_ms: f64,
    pg_ms: f64,
    statements: usize,
}

/// Sends `body` as `request`; `Ok` if answered without errors with the case view asked, or
/// with `rows` clients (any number when `None`).
async fn send(
    http: &reqwest::Client,
    addr: &str,
    request: &Request,
    body: &Value,
    rows: Option<usize>,
) -> Result<(), Error> {
    let res = http
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(&request.token)
        .json(body)
        .send()
        .await?;
    let status = res.status();
    let answer: Value = res.json().await?;
    if status != 200 || !answer["errors"].is_null() {
        return Err(format!("{}: {status} {}", request.name, answer["errors"]).into());
    }
    match request.check {
        Check::CaseView => {
            let id = &answer["data"]["caseView"]["client"]["id"];
            if id.is_null() || id.as_str() != body["variables"]["c"].as_str() {
                return Err(format!("{}: no case view of the client asked", request.name).into());
            }
        }
        Check::Page(_) => {
            let edges = answer["data"]["clients"]["edges"]
                .as_array()
                .ok_or_else(|| format!("{}: no page", request.name))?
                .len();
            if rows.is_some_and(|rows| edges != rows) {
                return Err(format!("{}: {edges} clients, {rows:?} expected", request.name).into());
            }
        }
    }
    Ok(())
}

/// Whether PostgreSQL can explain a recorded statement (transaction control and settings
/// are not measured).
fn explainable(stmt: &Statement) -> bool {
    let head = stmt.sql.trim_start().to_ascii_uppercase();
    ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"]
        .iter()
        .any(|k| head.starts_with(k))
        && !stmt.sql.contains("policy_version")
}

/// The rows a page must hold: what the server's own page statement (recorded from one
/// request) returns, up to the page's size.
async fn page_rows(
    db: &DatabaseConnection,
    recorded: &[Statement],
    size: usize,
) -> Result<usize, Error> {
    let pages: Vec<&Statement> = recorded
        .iter()
        .filter(|s| {
            s.sql.starts_with("SELECT")
                && s.sql.contains(r#"FROM "client""#)
                && s.sql.contains(" LIMIT ")
        })
        .collect();
    let [page] = pages.as_slice() else {
        return Err(format!("{} page statements recorded, one expected", pages.len()).into());
    };
    Ok(db.query_all_raw((*page).clone()).await?.len().min(size))
}

async fn measure(
    db: &DatabaseConnection,
    server: &Server,
    recorder: &Recorder,
    request: &Request,
    count: usize,
) -> Result<Measured, Error> {
    let http = reqwest::Client::new();
    // The statements of a few requests (one when they are all the same), each explained.
    let explained = match request.check {
        Check::CaseView => VIEWS_EXPLAINED.min(request.bodies.len()),
        Check::Page(_) => 1,
    };
    let (mut pg, mut statements, mut rows) = (Vec::new(), 0, None);
    for body in request.bodies.iter().take(explained) {
        recorder.start();
        let sent = send(&http, &server.addr, request, body, None).await;
        let recorded = recorder.stop();
        sent?;
        if let Check::Page(size) = request.check {
            rows = Some(page_rows(db, &recorded, size).await?);
        }
        let recorded: Vec<Statement> = recorded.into_iter().filter(explainable).collect();
        statements = recorded.len();
        let mut total = 0.0;
        for stmt in &recorded {
            total += explain(db, stmt, RUNS / 2).await?.exec_ms;
        }
        pg.push(total);
    }
    // Each page again, now held to the rows its statement returns.
    for i in 0..WARM_UP {
        let body = &request.bodies[i % request.bodies.len()];
        send(&http, &server.addr, request, body, rows).await?;
    }
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let body = &request.bodies[i % request.bodies.len()];
        let started = Instant::now();
        send(&http, &server.addr, request, body, rows).await?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(Measured {
        latency_ms: median(latencies),
        pg_ms: median(pg),
        statements,
    })
}

/// The active official holding `role` (at `provider`, for a coach).
async fn official(
    db: &DatabaseConnection,
    role: &str,
    provider: Option<&str>,
) -> Result<String, Error> {
    let at = provider.map_or(String::new(), |p| format!(" AND o.provider_id = '{p}'"));
    strings(
        db,
        &format!(
            "SELECT o.id FROM official o JOIN official_role r ON r.official_id = o.id \
             WHERE r.role = '{role}' AND o.active{at} ORDER BY o.id LIMIT 1"
        ),
    )
    .await?
    .pop()
    .ok_or_else(|| format!("no active {role}").into())
}

fn token(official: &str, role: &str) -> Result<String, Error> {
    typgraph::http::auth::sign_hs256(
        SECRET,
        official,
        &[role.to_owned()],
        3600,
        &JwtConfig::default(),
    )
    .map_err(|e| format!("cannot sign: {e:?}").into())
}

/// One size's measurements.
struct Size {
    clients: usize,
    seeding: String,
    /// (request, what it cost), in a fixed order.
    requests: Vec<(String, Measured)>,
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
    let mut sizes = Vec::new();
    for &n in &args.sizes {
        let started = Instant::now();
        let (url, db, seeded) =
            typgraph::demo::benchmark_database(&args.base, &format!("typgraph_bench_{n}"), n, 42)
                .await?;
        let seeding = if let Some((summary, took)) = seeded {
            eprintln!(
                "seeded {} clients, {} attendance rows in {:.0} s",
                summary.clients,
                summary.attendance_rows,
                took.as_secs_f64()
            );
            format!("seeded in {:.0} s", took.as_secs_f64())
        } else {
            eprintln!(
                "typgraph_bench_{n} reused ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            "reused".to_owned()
        };
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
                    let cost = explain(&db, &stmt, RUNS).await?;
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
                        plans.push((n, name, search.clone(), text_plan(&db, &stmt).await?));
                    }
                }
            }
        }
        let requests = measure_requests(&url, &db, &provider, &prefix, args.requests).await?;
        sizes.push(Size {
            clients: n,
            seeding,
            requests,
        });
    }
    for (n, name, search, plan) in plans {
        println!(
            "\n{n} clients, {name}, page of 100{}:\n```\n{plan}\n```",
            search.map_or(String::new(), |s| format!(", search `{s}`"))
        );
    }
    growth_table(&sizes, args.requests);
    Ok(())
}

/// The case view and every page, through the real server on `url`.
async fn measure_requests(
    url: &str,
    db: &DatabaseConnection,
    provider: &str,
    prefix: &str,
    count: usize,
) -> Result<Vec<(String, Measured)>, Error> {
    let te_expert = official(db, "TE_EXPERT", None).await?;
    let viewed = strings(
        db,
        &format!(
            "SELECT c.id FROM client c WHERE EXISTS (SELECT 1 FROM typ_case t \
             WHERE t.client_id = c.id AND t.ended_on IS NULL) ORDER BY c.id LIMIT {VIEWED_CLIENTS}"
        ),
    )
    .await?;
    if viewed.is_empty() {
        return Err("no open TYP cases in the data set".into());
    }
    let mut requests = vec![Request {
        name: "case view (TE_EXPERT)".to_owned(),
        token: token(&te_expert, "TE_EXPERT")?,
        bodies: viewed
            .iter()
            .map(|c| json!({ "query": CASE_VIEW, "variables": { "c": c } }))
            .collect(),
        check: Check::CaseView,
    }];
    for (scope, role, provider) in [
        ("TE", "TE_EXPERT", None),
        ("EKSOTE", "EKSOTE_WORKER", None),
        ("KELA", "KELA_EXPERT", None),
        ("coach", "PROVIDER_COACH", Some(provider)),
    ] {
        let who = official(db, role, provider).await?;
        for size in [10usize, 100] {
            for search in [None, Some(prefix)] {
                requests.push(Request {
                    name: format!(
                        "page of {size}, {scope}{}",
                        search.map_or(String::new(), |s| format!(", search `{s}`"))
                    ),
                    token: token(&who, role)?,
                    bodies: vec![json!({ "query": PAGE, "variables": { "n": size, "s": search } })],
                    check: Check::Page(size),
                });
            }
        }
    }
    let recorder = Recorder::default();
    let server = Server::start(url, &recorder).await?;
    let mut out = Vec::new();
    for request in &requests {
        let measured = measure(db, &server, &recorder, request, count).await;
        match measured {
            Ok(m) => out.push((request.name.clone(), m)),
            Err(e) => {
                server.shut_down().await?;
                return Err(e);
            }
        }
    }
    server.shut_down().await?;
    Ok(out)
}

/// Per request, latency and PostgreSQL time at each size, and the PostgreSQL time's growth
/// from the smallest size to the largest.
fn growth_table(sizes: &[Size], count: usize) {
    let (Some(first), Some(last)) = (sizes.first(), sizes.last()) else {
        return;
    };
    println!(
        "\nGrowth: latency (median of {count} requests over HTTP, ms) and PostgreSQL time \
         (execution of the request's statements under EXPLAIN ANALYZE, summed, ms)"
    );
    for s in sizes {
        println!("- {} clients: {}", s.clients, s.seeding);
    }
    let mut header = "| request | statements |".to_owned();
    let mut rule = "|---|---|".to_owned();
    for what in ["latency", "PostgreSQL"] {
        for s in sizes {
            header.push_str(&format!(" {what} {}k |", s.clients / 1000));
            rule.push_str("---|");
        }
    }
    header.push_str(&format!(
        " PostgreSQL {}k / {}k |",
        last.clients / 1000,
        first.clients / 1000
    ));
    rule.push_str("---|");
    println!("\n{header}\n{rule}");
    for (i, (name, m)) in first.requests.iter().enumerate() {
        fn at(s: &Size, i: usize) -> Option<&Measured> {
            s.requests.get(i).map(|(_, m)| m)
        }
        let mut line = format!("| {name} | {} |", m.statements);
        for s in sizes {
            line.push_str(&format!(
                " {:.2} |",
                at(s, i).map_or(f64::NAN, |m| m.latency_ms)
            ));
        }
        for s in sizes {
            line.push_str(&format!(" {:.2} |", at(s, i).map_or(f64::NAN, |m| m.pg_ms)));
        }
        let growth = at(last, i).map_or(f64::NAN, |l| l.pg_ms / m.pg_ms);
        line.push_str(&format!(
            " {:.2}{} |",
            growth,
            if growth > 1.2 { " (over 20 %)" } else { "" }
        ));
        println!("{line}");
    }
}
