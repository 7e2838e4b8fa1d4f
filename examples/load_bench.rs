//! Load benchmark of the case view: run by `scripts/load-bench`, which builds the
//! server twice (with and without the `bench-no-authz` feature) and calls this with both.
//!
//! On a PostgreSQL server it seeds a database of N clients (kept for later runs), starts the
//! real `typgraph` binary against it and measures, every answer checked (a GraphQL error or
//! a non-200 counts as a failure):
//! - `caseView` throughput and p50/p99 at C connections (closed loop), and at half that rate
//!   (open loop, latency measured from each request's scheduled start);
//! - pgbench at C connections running exactly the SQL one case view issues (taken from
//!   PostgreSQL's statement log, with its parameters), access-log insert and commit included,
//!   in turn with typgraph's closed loop (the ratio is the median of adjacent pairs), and
//!   in an open loop at the open loop's rate (its latency, what the database alone gives);
//! - `pgbench -S -M prepared` at C connections (single-row lookups) for reference;
//! - the same case views against the build without authorization, in turn with the build
//!   as shipped: the overhead as the median of adjacent pairs, in throughput and in the
//!   server's CPU time per view, and in the instructions the server executes per view
//!   (callgrind, where valgrind is installed), which do not depend on how the two cores
//!   were shared;
//! - SQL statements per case view and per `clients` page of 10 and 100 with nested cases;
//! - the server's peak RSS.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{json, Value};
use typgraph::config::JwtConfig;

#[path = "load_bench/peer.rs"]
mod peer;

type Error = Box<dyn std::error::Error + Send + Sync>;

const SECRET: &str = "typgraph-load-bench-secret-0123456789abcdef";
/// The token the started server's `/metrics` needs.
const METRICS_TOKEN: &str = "typgraph-load-bench-metrics-token-0123456789";

#[path = "shared/case_view.rs"]
mod case_view;
use case_view::CASE_VIEW;

const PAGE: &str = "query Page($n: Int!) { clients(first: $n) { edges { node { id firstName lastName cases { phase openedOn } } } } }";

#[derive(Parser)]
struct Args {
    /// A PostgreSQL server URL (a database on it is created: typgraph_load_N).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 10_000)]
    clients: usize,
    /// The server binary (default features).
    #[arg(long)]
    server: PathBuf,
    /// The server binary built with `--features bench-no-authz`.
    #[arg(long)]
    server_no_authz: Option<PathBuf>,
    /// Concurrent connections of the closed loop and pgbench.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds per measured run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Pairs of runs next to each other for each comparison (typgraph against pgbench on
    /// the same statements, with against without authorization); the figure is their
    /// median. Odd, so that the median is one pair's.
    #[arg(long, default_value_t = 5, value_parser = odd_count)]
    pairs: usize,
    /// PostgreSQL's server log (Debian's default), read for the statements of one view.
    #[arg(long, default_value = "/var/log/postgresql/postgresql-15-main.log")]
    pg_log: PathBuf,
    /// For profiling: only load a server already running at this address (host:port), in a
    /// closed loop, or in an open loop at `--rate`, and print what it measured.
    #[arg(long)]
    against: Option<String>,
    /// With `--against`: requests per second of an open loop instead of the closed loop.
    #[arg(long)]
    rate: Option<f64>,
    /// With `--against`: the `clients` page of this many clients with their cases instead of
    /// the case view, each answer checked against the first one's rows.
    #[arg(long)]
    page: Option<usize>,
    /// With `--against --rate`: write each request's scheduled start and latency (ms, tab
    /// separated, in start order) to this file, to see when the slow ones happen.
    #[arg(long)]
    latencies: Option<PathBuf>,
    /// The peer comparison (scripts/peer-bench): a PostGraphile server serving the same
    /// database, `NAME,URL[,PID]`, NAME `plain` or `rls` (the PID for its CPU time); once
    /// for each.
    #[arg(long = "peer", value_parser = peer::parse_peer)]
    peers: Vec<peer::Peer>,
    /// The JWT secret of the `rls` peer.
    #[arg(long, default_value = "")]
    peer_secret: String,
    /// Only seed the database (if it is not yet), then exit.
    #[arg(long)]
    seed_only: bool,
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<i64, Error> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Result<Vec<String>, Error> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect())
}

/// The highest access-log id sealed so far.
const HIGHEST_SEALED: &str = "SELECT COALESCE(MAX(access_log_id), 0) FROM access_log_seal";

/// Seals every access-log row above `floor` up to the newest. While the running server's
/// sealer holds the lock, `seal_pending` answers 0 at once: so this waits until no row is
/// left above the highest seal, whoever sealed it.
async fn seal_after(db: &DatabaseConnection, floor: i64) -> Result<(), Error> {
    let newer = format!("SELECT COUNT(*) FROM access_log WHERE id > ({HIGHEST_SEALED})");
    loop {
        typgraph::audit::chain::seal_pending(db, floor).await?;
        if scalar(db, &newer).await? == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A running server process.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(binary: &PathBuf, url: &str) -> Result<Server, Error> {
        Server::start_under(&[], binary, url)
    }

    /// The server run by `wrapper` (a program and its arguments, the server's command line
    /// after them); none runs it directly.
    fn start_under(wrapper: &[&str], binary: &PathBuf, url: &str) -> Result<Server, Error> {
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
            .env("TYPGRAPH_JWT_SECRET", SECRET)
            .env("TYPGRAPH_METRICS_TOKEN", METRICS_TOKEN)
            .env("TYPGRAPH_RATE_REQUESTS_PER_MINUTE", "0")
            .env("TYPGRAPH_RATE_OBJECTS_PER_MINUTE", "0")
            .env("TYPGRAPH_BENCH_NO_AUTHZ", "yes-this-is-a-benchmark")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let addr = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|l| l.strip_prefix("listening on http://").map(str::to_owned))
            .ok_or("the server did not start")?;
        Ok(Server { child, addr })
    }

    /// CPU seconds the server has used (user + system).
    fn cpu_seconds(&self) -> f64 {
        cpu_seconds_of(&self.child.id().to_string())
    }

    /// Peak resident set size (VmHWM) in MiB.
    fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }
}

/// CPU milliseconds per answered request of a run.
fn ms_per_view(cpu_seconds: f64, run: &Run) -> f64 {
    cpu_seconds * 1000.0 / run.requests.max(1) as f64
}

/// CPU seconds (user + system) of a process, from /proc (`self` for this one).
fn cpu_seconds_of(pid: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may contain spaces) start at state, field 3.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| f.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// The endpoint of the server at `addr` (parsed once, not per request).
fn endpoint(addr: &str) -> Result<reqwest::Url, Error> {
    Ok(reqwest::Url::parse(&format!("http://{addr}/graphql"))?)
}

/// What a case view's answer must hold: its data not null, and no errors. The fields are
/// skipped, not built into a tree: the load generator shares the cores with the server.
#[derive(serde::Deserialize)]
struct Answer {
    data: Option<AnswerData>,
    errors: Option<Value>,
}

#[derive(serde::Deserialize)]
struct AnswerData {
    #[serde(rename = "caseView")]
    case_view: Option<serde::de::IgnoredAny>,
}

/// What a load loop sends and how it checks each answer: one request body per item in
/// rotation (a client, or the one page), sent with the token if there is one.
#[derive(Clone)]
struct Target {
    url: reqwest::Url,
    token: Option<String>,
    bodies: Arc<Vec<String>>,
    check: Check,
}

#[derive(Clone)]
enum Check {
    /// typgraph's case view: data, and no errors (the fields skipped, not built into a tree:
    /// the load generator shares the cores with the server).
    CaseView,
    /// The rows of each answer (ids, as `peer::Shape` reads them) are those expected for its
    /// item: the peer comparison's check.
    Rows(peer::Shape, Arc<Vec<peer::Rows>>),
}

impl Target {
    /// typgraph's case views of `clients` at `addr`, as `token`.
    fn case_views(addr: &str, token: &str, clients: &[String]) -> Result<Target, Error> {
        Ok(Target {
            url: endpoint(addr)?,
            token: Some(token.to_owned()),
            bodies: Arc::new(
                clients
                    .iter()
                    .map(|c| json!({ "query": CASE_VIEW, "variables": { "c": c } }).to_string())
                    .collect(),
            ),
            check: Check::CaseView,
        })
    }

    /// The same requests to the server at `addr`.
    fn at(&self, addr: &str) -> Result<Target, Error> {
        Ok(Target {
            url: endpoint(addr)?,
            ..self.clone()
        })
    }

    /// Sends the request of item `i` (in rotation); `Ok` if it answered in full and as
    /// expected, else why not.
    async fn send(&self, http: &reqwest::Client, i: usize) -> Result<(), String> {
        let mut request = http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(self.bodies[i % self.bodies.len()].clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let res = request.send().await.map_err(|e| e.to_string())?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        match &self.check {
            Check::CaseView => {
                let answer: Answer =
                    serde_json::from_slice(&body).map_err(|e| format!("{status}: {e}"))?;
                let answered = answer.data.is_some_and(|d| d.case_view.is_some());
                if status != 200 || answer.errors.is_some() || !answered {
                    // The errors only: the data would be personal.
                    return Err(format!(
                        "{status}: {}",
                        answer.errors.unwrap_or(Value::String("no caseView".into()))
                    ));
                }
            }
            Check::Rows(shape, expected) => {
                if status != 200 {
                    return Err(format!("{status}: {}", String::from_utf8_lossy(&body)));
                }
                let rows = shape.read(&body).map_err(|e| format!("{status}: {e}"))?;
                let expected = &expected[i % expected.len()];
                if !peer::same(expected, &rows) {
                    return Err(peer::difference(expected, &rows));
                }
            }
        }
        Ok(())
    }
}

struct Run {
    requests: usize,
    failures: usize,
    first_failure: Option<String>,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// Open loop: each answered request's scheduled start (from the run's start), in the
    /// order of `latencies`.
    starts: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut l = self.latencies.clone();
        l.sort();
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    fn ms(d: Duration) -> f64 {
        d.as_secs_f64() * 1000.0
    }
}

fn merge(parts: Vec<(usize, Option<String>, Vec<Duration>)>, elapsed: Duration) -> Run {
    let mut run = Run {
        requests: 0,
        failures: 0,
        first_failure: None,
        elapsed,
        latencies: Vec::new(),
        starts: Vec::new(),
    };
    for (failures, first, latencies) in parts {
        run.failures += failures;
        run.first_failure = run.first_failure.or(first);
        run.requests += latencies.len();
        run.latencies.extend(latencies);
    }
    run
}

/// `connections` workers, each sending its next request when the last is answered.
async fn closed_loop(target: &Target, connections: usize, length: Duration) -> Result<Run, Error> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..connections {
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let (mut failures, mut first, mut latencies) = (0, None, Vec::new());
            let mut i = w * 7919;
            while started.elapsed() < length {
                let item = i;
                i += 1;
                let t = Instant::now();
                match target.send(&http, item).await {
                    Ok(()) => latencies.push(t.elapsed()),
                    Err(e) => {
                        failures += 1;
                        first.get_or_insert(e);
                    }
                }
            }
            (failures, first, latencies)
        }));
    }
    let mut parts = Vec::new();
    for t in tasks {
        parts.push(t.await?);
    }
    Ok(merge(parts, started.elapsed()))
}

/// Two seconds of closed loop before a measured run (connections, caches, prepared
/// statements).
async fn warm_up(target: &Target, connections: usize) -> Result<(), Error> {
    closed_loop(target, connections, Duration::from_secs(2)).await?;
    Ok(())
}

/// The instructions the server executes per case view, counted by callgrind: the same for
/// the same binary and requests whatever else the machine is doing, so two builds compare
/// to a fraction of a per cent where timings on these two shared cores differ by several.
/// Warmed up first; the counters are zeroed before and dumped after a closed loop at four
/// connections (the sealer's work for those views included).
async fn instructions_per_view(
    binary: &PathBuf,
    url: &str,
    target: &Target,
    length: Duration,
) -> Result<(f64, usize), Error> {
    let out = std::env::temp_dir().join(format!("typgraph-callgrind-{}", std::process::id()));
    let dumped = PathBuf::from(format!("{}.1", out.display()));
    let _ = std::fs::remove_file(&dumped);
    let out_arg = format!("--callgrind-out-file={}", out.display());
    let server = Server::start_under(&["valgrind", "--tool=callgrind", &out_arg], binary, url)?;
    let control = |what: &str| -> Result<(), Error> {
        let pid = server.child.id().to_string();
        let ok = Command::new("callgrind_control")
            .args([what, &pid])
            .stdout(Stdio::null())
            .status()?
            .success();
        if ok {
            Ok(())
        } else {
            Err(format!("callgrind_control {what} failed").into())
        }
    };
    let target = target.at(&server.addr)?;
    warm_up(&target, 4).await?;
    control("-z")?;
    let run = closed_loop(&target, 4, length).await?;
    control("-d")?;
    if run.failures > 0 {
        return Err(format!(
            "{} case views failed under callgrind: {}",
            run.failures,
            run.first_failure.unwrap_or_default()
        )
        .into());
    }
    let dump = std::fs::read_to_string(&dumped)?;
    let total: f64 = dump
        .lines()
        .find_map(|l| l.strip_prefix("summary:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no summary in the callgrind dump")?;
    drop(server);
    let _ = std::fs::remove_file(&dumped);
    let _ = std::fs::remove_file(&out);
    Ok((total / run.requests.max(1) as f64, run.requests))
}

/// Requests started at a fixed rate whatever the answers do; each latency counts from the
/// request's scheduled start (no coordinated omission).
async fn open_loop(target: &Target, rate: f64, length: Duration) -> Result<Run, Error> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let mut tasks = Vec::new();
    let mut n = 0u32;
    loop {
        let due = started + interval * n;
        if due.duration_since(started) >= length {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        let (http, target, item) = (http.clone(), target.clone(), n as usize);
        tasks.push(tokio::spawn(async move {
            let r = target.send(&http, item).await;
            (r, due - started, due.elapsed())
        }));
        n += 1;
    }
    let (mut failures, mut first, mut latencies, mut starts) = (0, None, Vec::new(), Vec::new());
    for t in tasks {
        match t.await? {
            (Ok(()), start, l) => {
                latencies.push(l);
                starts.push(start);
            }
            (Err(e), _, _) => {
                failures += 1;
                first.get_or_insert(e);
            }
        }
    }
    let mut run = merge(vec![(failures, first, latencies)], length);
    run.starts = starts;
    Ok(run)
}

async fn statements_total(http: &reqwest::Client, addr: &str) -> Result<f64, Error> {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await?
        .text()
        .await?;
    Ok(text
        .lines()
        .find(|l| l.starts_with("typgraph_sql_statements_total"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0))
}

/// SQL statements one request issues, from the server's own counter: the fewest of three
/// requests, since the counter also counts the server's background work (its policy
/// watcher reads the newest version once it listens, just after start-up), which can only
/// add to a request's count.
async fn statements_of(
    http: &reqwest::Client,
    addr: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Result<f64, Error> {
    let mut fewest = f64::INFINITY;
    for _ in 0..3 {
        let before = statements_total(http, addr).await?;
        let body: Value = http
            .post(format!("http://{addr}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await?
            .json()
            .await?;
        // Fields withheld for some rows (FORBIDDEN at a path) are part of a normal answer.
        if body["data"].is_null() {
            return Err(format!("no data: {}", body["errors"][0]["message"]).into());
        }
        fewest = fewest.min(statements_total(http, addr).await? - before);
    }
    Ok(fewest)
}

/// Parses `$1 = 'a', $2 = NULL, …` of a DETAIL line.
fn parameters(detail: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = detail;
    while let Some(start) = rest.find('$') {
        rest = &rest[start..];
        let Some(eq) = rest.find(" = ") else { break };
        let name = rest[..eq].to_owned();
        rest = &rest[eq + 3..];
        if let Some(r) = rest.strip_prefix("NULL") {
            out.insert(name, "NULL".to_owned());
            rest = r;
            continue;
        }
        let Some(body) = rest.strip_prefix('\'') else {
            break;
        };
        let mut value = String::from("'");
        let mut chars = body.char_indices().peekable();
        let mut end = body.len();
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, c)| *c) == Some('\'') {
                    value.push_str("''");
                    chars.next();
                    continue;
                }
                end = i + 1;
                break;
            }
            value.push(c);
        }
        value.push('\'');
        out.insert(name, value);
        rest = &body[end.min(body.len())..];
    }
    out
}

/// The statements the server ran for one request, from PostgreSQL's statement log, with
/// their parameters put in: a pgbench script.
fn script_from_log(log: &str, database: &str) -> Vec<String> {
    let tag = format!("@{database} ");
    // (statement, its parameters, the backend that ran it)
    type Logged = (String, Option<HashMap<String, String>>, String);
    let mut statements: Vec<Logged> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in log.lines() {
        if let Some(cont) = line.strip_prefix('\t') {
            if let Some((c, _)) = current.as_mut() {
                c.push('\n');
                c.push_str(cont);
            }
            continue;
        }
        if let Some((sql, pid)) = current.take() {
            statements.push((sql, None, pid));
        }
        if !line.contains(&tag) {
            continue;
        }
        let pid = backend_of(line).to_owned();
        if let Some(i) = line.find("LOG:  execute ") {
            let rest = &line[i + "LOG:  execute ".len()..];
            if let Some(colon) = rest.find(": ") {
                current = Some((rest[colon + 2..].to_owned(), pid));
            }
        } else if let Some(i) = line.find("LOG:  statement: ") {
            current = Some((line[i + "LOG:  statement: ".len()..].to_owned(), pid));
        } else if let Some(i) = line.find("DETAIL:  parameters: ") {
            if let Some(last) = statements.iter_mut().rev().find(|s| s.2 == pid) {
                last.1 = Some(parameters(&line[i + "DETAIL:  parameters: ".len()..]));
            }
        }
    }
    if let Some((sql, pid)) = current.take() {
        statements.push((sql, None, pid));
    }
    // The request's own transaction only: the statements of the backend that inserted the
    // access-log row (the log interleaves every connection's, and a background task's
    // COMMIT landed inside the view's once), from the BEGIN before the insert to the COMMIT
    // after it. The access-log sealer's transactions (after the commit, in the background,
    // for many rows at once) and the policy watcher's reads are the server's cost but not
    // this view's script; the sign-in's own read of the newest policy version is.
    // (Written by hand or by sea-query, which quotes the name; a row listing a page's
    // clients inserts them in the same statement, its insert then in a `WITH r AS (...)`.)
    let is_insert = |sql: &str| {
        let sql = sql.strip_prefix("WITH r AS (").unwrap_or(sql);
        sql.starts_with("INSERT INTO access_log ") || sql.starts_with("INSERT INTO \"access_log\" ")
    };
    let backend = statements
        .iter()
        .find(|(sql, _, _)| is_insert(sql))
        .map(|(_, _, pid)| pid.clone());
    let statements: Vec<(String, Option<HashMap<String, String>>)> = statements
        .into_iter()
        .filter(|(_, _, pid)| backend.as_ref().is_none_or(|b| b == pid))
        .map(|(sql, params, _)| (sql, params))
        .collect();
    let statements = match statements.iter().position(|(sql, _)| is_insert(sql)) {
        Some(at) => {
            let begin = statements[..at]
                .iter()
                .rposition(|(sql, _)| sql.trim() == "BEGIN")
                .unwrap_or(0);
            let commit = statements[at..]
                .iter()
                .position(|(sql, _)| sql.trim() == "COMMIT")
                .map_or(statements.len(), |c| at + c + 1);
            statements[begin..commit].to_vec()
        }
        None => statements,
    };
    statements
        .into_iter()
        .filter(|(sql, _)| !sql.starts_with("LISTEN"))
        .map(|(mut sql, params)| {
            if let Some(params) = params {
                // $10 before $1.
                let mut names: Vec<&String> = params.keys().collect();
                names.sort_by_key(|n| std::cmp::Reverse(n.len()));
                for name in names {
                    sql = sql.replace(name.as_str(), &params[name]);
                }
            }
            sql
        })
        .collect()
}

/// The backend process of a server log line (`log_line_prefix` `%m [%p] ...`, Debian's
/// default); empty when the line has none.
fn backend_of(line: &str) -> &str {
    line.split_once(" [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map_or("", |(pid, _)| pid)
}

/// Runs pgbench; returns transactions per second.
fn pgbench(args: &[&str]) -> Result<f64, Error> {
    let out = Command::new("pgbench").args(args).output()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        return Err(format!(
            "pgbench {args:?}: {}{}",
            text,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    text.lines()
        .find(|l| l.starts_with("tps = "))
        .and_then(|l| l["tps = ".len()..].split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no tps in: {text}").into())
}

/// pgbench's transactions in an open loop (`-R`): the latency of each, from its scheduled
/// start (as the open loop here measures it), in its per-transaction log. The first
/// `warm_up` of the run is left out: each of pgbench's connections plans its prepared
/// statements and fills its caches on its first transactions (p99 ~120 ms with them in).
fn pgbench_latencies(args: &[&str], warm_up: Duration) -> Result<Vec<Duration>, Error> {
    let dir = std::env::temp_dir().join(format!("typgraph-pgbench-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let prefix = format!("--log-prefix={}", dir.join("open").display());
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-l", &prefix]);
    pgbench(&all)?;
    // client transaction latency_us script epoch_s epoch_us [lag_us], one file per thread;
    // the epoch is the transaction's end.
    let mut ends = Vec::new();
    for file in std::fs::read_dir(&dir)? {
        for line in std::fs::read_to_string(file?.path())?.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            let number = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
            let (Some(latency), Some(s), Some(us)) = (number(2), number(4), number(5)) else {
                return Err(format!("pgbench log line not understood: {line}").into());
            };
            ends.push((s * 1_000_000 + us, Duration::from_micros(latency)));
        }
    }
    std::fs::remove_dir_all(&dir)?;
    let first = ends.iter().map(|(end, _)| *end).min().unwrap_or(0);
    let from = first + warm_up.as_micros() as u64;
    Ok(ends
        .into_iter()
        .filter(|(end, _)| *end >= from)
        .map(|(_, latency)| latency)
        .collect())
}

/// The `&str`s of owned arguments.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// An odd count from 1 up (`--pairs`).
fn odd_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n % 2 == 1 => Ok(n),
        _ => Err("an odd whole number from 1 up".into()),
    }
}

/// Which of two takes each turn of `pairs` pairs, A B B A A B B A …: each pair is two runs
/// next to each other, and each side goes first in every other pair, so that a drift in
/// the machine's speed weighs on both alike.
fn in_turn(pairs: usize) -> Vec<usize> {
    (0..2 * pairs).map(|k: usize| k.div_ceil(2) % 2).collect()
}

/// The turns as letters, for the table (`in_turn(3)` with "T", "P": T P P T T P).
fn turn_letters(pairs: usize, a: &str, b: &str) -> String {
    in_turn(pairs)
        .iter()
        .map(|&t| if t == 0 { a } else { b })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The middle one of an odd number of figures.
/// One figure per pair of runs next to each other (listed), and their median, so that one
/// run caught by a stall (autovacuum, a checkpoint) does not decide it.
fn pairwise(
    a: &[f64],
    b: &[f64],
    figure: impl Fn(f64, f64) -> f64,
    decimals: usize,
) -> (String, f64) {
    let figures: Vec<f64> = a.iter().zip(b).map(|(a, b)| figure(*a, *b)).collect();
    (listed(figures.iter().copied(), decimals), median(figures))
}

fn median(mut figures: Vec<f64>) -> f64 {
    figures.sort_by(f64::total_cmp);
    figures[figures.len() / 2]
}

/// Figures joined for a table cell, with `decimals` digits after the point.
fn listed(values: impl Iterator<Item = f64>, decimals: usize) -> String {
    values
        .map(|v| format!("{v:.decimals$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn host_port_user(url: &str) -> (String, String, String) {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let (auth, hostpart) = rest.split_once('@').unwrap_or(("postgres", rest));
    let user = auth.split(':').next().unwrap_or("postgres").to_owned();
    let hostport = hostpart.split('/').next().unwrap_or("127.0.0.1:5432");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    (host.to_owned(), port.to_owned(), user)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "ok"
    } else {
        "MISSED"
    }
}

/// `--against`: load a running server (for a profiler attached to it) and print the run.
async fn profile_load(
    addr: &str,
    token: &str,
    clients: &Arc<Vec<String>>,
    args: &Args,
) -> Result<(), Error> {
    let length = Duration::from_secs(args.seconds);
    let target = match args.page {
        Some(n) => peer::page_target(addr, token, n).await?,
        None => Target::case_views(addr, token, clients)?,
    };
    warm_up(&target, args.connections).await?;
    let own_cpu = cpu_seconds_of("self");
    let (what, run) = match args.rate {
        Some(rate) => (
            format!("open loop at {rate:.0}/s"),
            open_loop(&target, rate, length).await?,
        ),
        None => (
            format!("closed loop, {} connections", args.connections),
            closed_loop(&target, args.connections, length).await?,
        ),
    };
    println!(
        "{what}: {:.0}/s, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, {} failed, load generator CPU {:.2} ms per request",
        run.rate(),
        Run::ms(run.percentile(0.5)),
        Run::ms(run.percentile(0.9)),
        Run::ms(run.percentile(0.99)),
        run.failures,
        ms_per_view(cpu_seconds_of("self") - own_cpu, &run)
    );
    if let Some(f) = &run.first_failure {
        println!("first failure: {f}");
    }
    if let Some(path) = &args.latencies {
        let lines: String = run
            .starts
            .iter()
            .zip(&run.latencies)
            .map(|(s, l)| format!("{:.3}\t{:.3}\n", Run::ms(*s), Run::ms(*l)))
            .collect();
        std::fs::write(path, lines)?;
    }
    Ok(())
}

// One thread: the load generator shares two cores with the server and PostgreSQL, and a
// second worker only added wake-ups between threads (a third of its CPU in open loop).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let args = Args::parse();
    let length = Duration::from_secs(args.seconds);
    let name = format!("typgraph_load_{}", args.clients);
    let (url, db, seeded) =
        typgraph::demo::benchmark_database(&args.database_url, &name, args.clients, 1).await?;
    if let Some((s, took)) = seeded {
        eprintln!(
            "seeded {} clients, {} attendance rows in {:.0} s",
            s.clients,
            s.attendance_rows,
            took.as_secs_f64()
        );
    }
    // Earlier runs' access-log rows are sealed now, so that no server below spends its
    // measured time catching up on them (each seals only what its own requests log).
    let caught_up = typgraph::audit::chain::seal_pending(&db, 0).await?;
    if caught_up > 0 {
        eprintln!("sealed {caught_up} access-log rows of earlier runs");
    }
    if args.seed_only {
        return Ok(());
    }
    let admin = Database::connect(args.database_url.clone()).await?;
    let official = strings(&db, "SELECT o.id FROM official o JOIN official_role r ON r.official_id = o.id WHERE r.role = 'TE_EXPERT' AND o.active ORDER BY o.id LIMIT 1").await?
        .pop()
        .ok_or("no TE_EXPERT official")?;
    let clients = Arc::new(strings(&db, "SELECT c.id FROM client c WHERE EXISTS (SELECT 1 FROM typ_case t WHERE t.client_id = c.id AND t.ended_on IS NULL) ORDER BY c.id LIMIT 2000").await?);
    if clients.is_empty() {
        return Err("no open TYP cases in the data set".into());
    }
    let token = typgraph::http::auth::sign_hs256(
        SECRET,
        &official,
        &["TE_EXPERT".to_owned()],
        3600,
        &JwtConfig::default(),
    )
    .map_err(|e| format!("cannot sign: {e:?}"))?;
    if let Some(addr) = &args.against {
        return profile_load(addr, &token, &clients, &args).await;
    }
    let total_clients = scalar(&db, "SELECT COUNT(*) FROM client").await?;
    let (host, port, user) = host_port_user(&args.database_url);
    println!(
        "load benchmark, {}: {} clients ({} with an open case used in rotation), {} connections, {} s per run",
        chrono::Utc::now().format("%Y-%m-%d"),
        total_clients,
        clients.len(),
        args.connections,
        args.seconds
    );
    let http = reqwest::Client::new();

    // 1. Statements of one case view, from PostgreSQL's log, for the pgbench script.
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" SET log_statement = 'all'"
        ))
        .await?;
    let script = {
        let server = Server::start(&args.server, &url)?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut log = std::fs::File::open(&args.pg_log)?;
        let offset = log.seek(SeekFrom::End(0))?;
        Target::case_views(&server.addr, &token, &clients)?
            .send(&http, 0)
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut text = String::new();
        log.seek(SeekFrom::Start(offset))?;
        log.read_to_string(&mut text)?;
        script_from_log(&text, &name)
    };
    admin
        .execute_unprepared(&format!("ALTER DATABASE \"{name}\" RESET log_statement"))
        .await?;
    let script_path = std::env::temp_dir().join("typgraph-case-view.sql");
    std::fs::write(
        &script_path,
        script.iter().map(|s| format!("{s};\n")).collect::<String>(),
    )?;

    // 2. typgraph, authorization on.
    let server = Server::start(&args.server, &url)?;
    let per_view = statements_of(
        &http,
        &server.addr,
        &token,
        CASE_VIEW,
        json!({ "c": clients[0] }),
    )
    .await?;
    let page10 = statements_of(&http, &server.addr, &token, PAGE, json!({ "n": 10 })).await?;
    let page100 = statements_of(&http, &server.addr, &token, PAGE, json!({ "n": 100 })).await?;
    let views = Target::case_views(&server.addr, &token, &clients)?;
    warm_up(&views, args.connections).await?;
    let (server_cpu, own_cpu) = (server.cpu_seconds(), cpu_seconds_of("self"));
    let closed = closed_loop(&views, args.connections, length).await?;
    let server_ms = ms_per_view(server.cpu_seconds() - server_cpu, &closed);
    let client_ms = ms_per_view(cpu_seconds_of("self") - own_cpu, &closed);
    let open = open_loop(&views, closed.rate() / 2.0, length).await?;

    // 3. The same statements straight to PostgreSQL, in turn with typgraph (T P P T T P …,
    // the first T being the closed loop above) so that the machine's drift weighs on both
    // alike: the ratio is the median of the `--pairs` adjacent pairs.
    let (c, j) = (args.connections.to_string(), "2".to_owned());
    let t = args.seconds.to_string();
    let script_arg = script_path.display().to_string();
    // pgbench on the script at C connections for `seconds`, with `extra` options.
    let on_script = |seconds: &str, extra: &[&str]| -> Vec<String> {
        let mut all: Vec<String> = [
            "-h",
            &host,
            "-p",
            &port,
            "-U",
            &user,
            "-n",
            "-M",
            "prepared",
            "-c",
            &c,
            "-j",
            &j,
            "-T",
            seconds,
            "-f",
            &script_arg,
        ]
        .iter()
        .chain(extra)
        .map(|a| a.to_string())
        .collect();
        all.push(name.clone());
        all
    };
    let same_statements = || pgbench(&strs(&on_script(&t, &[])));
    let mut typgraph_rates = vec![closed.rate()];
    let mut typgraph_failed = closed.failures;
    let mut same = Vec::new();
    // The first T is the closed loop above.
    for turn in in_turn(args.pairs).into_iter().skip(1) {
        if turn == 1 {
            let sealed_top = scalar(&db, HIGHEST_SEALED).await?;
            same.push(same_statements()?);
            // The script logs a row per view, unsealed: sealed here, or the server would
            // spend its next measured run sealing them.
            seal_after(&db, sealed_top).await?;
        } else {
            let run = closed_loop(&views, args.connections, length).await?;
            typgraph_rates.push(run.rate());
            typgraph_failed += run.failures;
        }
    }
    let (each_ratio, ratio) = pairwise(&typgraph_rates, &same, |t, p| t / p, 2);
    // The same statements in an open loop at the same rate: the latency the database alone
    // gives them on this machine, against which the open loop's p99 is read.
    let warm = Duration::from_secs(2);
    let sealed_top = scalar(&db, HIGHEST_SEALED).await?;
    let half_rate = format!("{:.0}", closed.rate() / 2.0);
    let longer = (args.seconds + warm.as_secs()).to_string();
    let latencies = pgbench_latencies(&strs(&on_script(&longer, &["-R", &half_rate])), warm)?;
    let same_open = Run {
        requests: latencies.len(),
        failures: 0,
        first_failure: None,
        elapsed: length,
        latencies,
        starts: Vec::new(),
    };
    seal_after(&db, sealed_top).await?;
    let rss = server.peak_rss_mib();
    drop(server);

    let pgb = "typgraph_load_pgbench";
    if scalar(
        &admin,
        &format!("SELECT COUNT(*) FROM pg_database WHERE datname = '{pgb}'"),
    )
    .await?
        == 0
    {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{pgb}\""))
            .await?;
        let ok = Command::new("pgbench")
            .args([
                "-h", &host, "-p", &port, "-U", &user, "-i", "-q", "-s", "10", pgb,
            ])
            .output()?
            .status
            .success();
        if !ok {
            return Err("pgbench -i failed".into());
        }
    }
    let select_only = pgbench(&[
        "-h", &host, "-p", &port, "-U", &user, "-n", "-S", "-M", "prepared", "-c", &c, "-j", &j,
        "-T", &t, pgb,
    ])?;

    // 4. Authorization compiled out. Both builds run side by side and take the load in
    // turn, A B B A A B …, so that a drift in the machine's speed (seen here from one minute
    // to the next) weighs on both alike.
    let no_authz = match &args.server_no_authz {
        Some(binary) => {
            let with = Server::start(&args.server, &url)?;
            let without = Server::start(binary, &url)?;
            let mut runs: [Vec<Run>; 2] = [Vec::new(), Vec::new()];
            // The server's CPU per view in each run (ms): what authorization costs, free of
            // how the two cores were shared with PostgreSQL and the load in that run.
            let mut cpu: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
            for turn in in_turn(args.pairs) {
                let server = if turn == 0 { &with } else { &without };
                let views = views.at(&server.addr)?;
                warm_up(&views, args.connections).await?;
                let before = server.cpu_seconds();
                let run = closed_loop(&views, args.connections, length).await?;
                cpu[turn].push(ms_per_view(server.cpu_seconds() - before, &run));
                runs[turn].push(run);
            }
            drop((with, without));
            // And in instructions, where valgrind is installed (it is on this machine).
            let counted = if Command::new("valgrind").arg("--version").output().is_ok() {
                Some((
                    instructions_per_view(&args.server, &url, &views, length).await?,
                    instructions_per_view(binary, &url, &views, length).await?,
                ))
            } else {
                None
            };
            Some((runs, cpu, counted))
        }
        None => None,
    };

    // Figures.
    println!();
    println!("| measure | figure | target | |");
    println!("|---|---|---|---|");
    println!(
        "| caseView, closed loop, {} connections | {:.0}/s, p50 {:.1} ms, p99 {:.1} ms, {} failed | | |",
        args.connections,
        closed.rate(),
        Run::ms(closed.percentile(0.5)),
        Run::ms(closed.percentile(0.99)),
        closed.failures
    );
    println!(
        "| caseView, open loop at {:.0}/s | p50 {:.1} ms, p99 {:.1} ms, {} failed | p99 ≤ 10 ms | {} |",
        closed.rate() / 2.0,
        Run::ms(open.percentile(0.5)),
        Run::ms(open.percentile(0.99)),
        open.failures,
        verdict(open.percentile(0.99) <= Duration::from_millis(10) && open.failures == 0)
    );
    println!(
        "| the same {} statements in pgbench, open loop at {:.0}/s, {} connections (after {} s of warm-up) | p50 {:.1} ms, p99 {:.1} ms | | |",
        script.len(),
        closed.rate() / 2.0,
        args.connections,
        warm.as_secs(),
        Run::ms(same_open.percentile(0.5)),
        Run::ms(same_open.percentile(0.99)),
    );
    println!(
        "| typgraph / pgbench on the {} statements of one case view, in turn ({}) | {} / {} per s, {typgraph_failed} failed | | |",
        script.len(),
        turn_letters(args.pairs, "T", "P"),
        listed(typgraph_rates.iter().copied(), 0),
        listed(same.iter().copied(), 0)
    );
    println!(
        "| typgraph ÷ same-statements pgbench, median of the {} pairs ({each_ratio}) | {ratio:.2} | ≥ 0.6 | {} |",
        args.pairs,
        verdict(ratio >= 0.6 && typgraph_failed == 0)
    );
    println!("| pgbench -S -M prepared | {select_only:.0}/s | | |");
    match &no_authz {
        Some(([with, without], [cpu_with, cpu_without], counted)) => {
            let failed: usize = with.iter().chain(without).map(|r| r.failures).sum();
            let rates = |runs: &[Run]| runs.iter().map(Run::rate).collect::<Vec<f64>>();
            let (each, overhead) =
                pairwise(&rates(with), &rates(without), |a, b| (b - a) / b * 100.0, 1);
            let (cpu_each, cpu_overhead) =
                pairwise(cpu_with, cpu_without, |a, b| (a - b) / b * 100.0, 1);
            println!(
                "| caseView with / without authorization, in turn ({}) | {} / {} per s, {failed} failed | | |",
                turn_letters(args.pairs, "A", "B"),
                listed(with.iter().map(Run::rate), 0),
                listed(without.iter().map(Run::rate), 0)
            );
            println!(
                "| authorization overhead in throughput, median of the {} pairs ({each} %) | {overhead:.1} % | ≤ 3 % | {} |",
                args.pairs,
                verdict(overhead <= 3.0 && failed == 0)
            );
            println!(
                "| server CPU per view with / without authorization, same runs | {} / {} ms | | |",
                listed(cpu_with.iter().copied(), 3),
                listed(cpu_without.iter().copied(), 3)
            );
            println!(
                "| authorization overhead in server CPU per view, median of the {} pairs ({cpu_each} %) | {cpu_overhead:.1} % | ≤ 3 % | {} |",
                args.pairs,
                verdict(cpu_overhead <= 3.0 && failed == 0)
            );
            match counted {
                Some(((with, with_views), (without, without_views))) => {
                    let overhead = (with - without) / without * 100.0;
                    println!(
                        "| server instructions per case view with / without authorization (callgrind, 4 connections, {with_views} / {without_views} views) | {:.0} / {:.0} thousand | | |",
                        with / 1000.0,
                        without / 1000.0
                    );
                    println!(
                        "| authorization overhead in server instructions per view | {overhead:.1} % | ≤ 3 % | {} |",
                        verdict(overhead <= 3.0)
                    );
                }
                None => println!(
                    "| authorization overhead in server instructions per view | not measured (no valgrind) | ≤ 3 % | |"
                ),
            }
        }
        None => {
            println!("| authorization overhead | not measured (no --server-no-authz) | ≤ 3 % | |")
        }
    }
    println!(
        "| SQL statements per case view (sea-orm's count: BEGIN and COMMIT left out) | {per_view:.0} | | |"
    );
    println!(
        "| CPU per case view (closed loop): typgraph / this load generator | {server_ms:.2} ms / {client_ms:.2} ms | | |"
    );
    println!(
        "| SQL statements per clients page of 10 / 100 with cases | {page10:.0} / {page100:.0} | constant | {} |",
        verdict(page10 == page100)
    );
    match rss {
        Some(mib) => println!(
            "| server peak RSS | {mib:.0} MiB | ≤ 150 MB | {} |",
            verdict(mib * 1.048_576 <= 150.0)
        ),
        None => println!("| server peak RSS | unknown | ≤ 150 MB | |"),
    }
    for (what, run) in [("closed", &closed), ("open", &open)] {
        if let Some(f) = &run.first_failure {
            println!("first failure ({what} loop): {f}");
        }
    }
    println!("pgbench script: {}", script_path.display());
    if !args.peers.is_empty() {
        let bench = peer::Bench {
            server: &args.server,
            url: &url,
            name: &name,
            db: &db,
            admin: &admin,
            pg_log: &args.pg_log,
            token: &token,
            official: &official,
            clients: &clients,
            connections: args.connections,
            length,
            same_statements_ratio: ratio,
            select_only,
        };
        peer::compare(&bench, &args.peers, &args.peer_secret).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_the_inserting_backends_transaction_alone() {
        let log = "\
2026-11-30 14:00:43.400 UTC [7] postgres@db LOG:  statement: BEGIN
2026-11-30 14:00:43.401 UTC [7] postgres@db LOG:  execute s1: SELECT o.id, (SELECT MAX(version) FROM policy_version) FROM official o WHERE o.id = $1
2026-11-30 14:00:43.401 UTC [7] postgres@db DETAIL:  parameters: $1 = 'o-1'
2026-11-30 14:00:43.402 UTC [9] postgres@db LOG:  execute s9: SELECT (SELECT MAX(version) FROM policy_version) AS v
2026-11-30 14:00:43.402 UTC [9] postgres@db LOG:  statement: COMMIT
2026-11-30 14:00:43.403 UTC [7] postgres@db LOG:  execute s2: WITH b AS (SELECT 1)
\tSELECT $1
2026-11-30 14:00:43.403 UTC [7] postgres@db DETAIL:  parameters: $1 = 'c-1'
2026-11-30 14:00:43.404 UTC [7] postgres@db LOG:  execute s3: INSERT INTO \"access_log\" (id) VALUES ($1)
2026-11-30 14:00:43.404 UTC [7] postgres@db DETAIL:  parameters: $1 = 'x'
2026-11-30 14:00:43.405 UTC [9] postgres@other LOG:  statement: SELECT 2
2026-11-30 14:00:43.405 UTC [7] postgres@db LOG:  statement: COMMIT
2026-11-30 14:00:43.406 UTC [9] postgres@db LOG:  statement: BEGIN
";
        assert_eq!(
            script_from_log(log, "db"),
            vec![
                "BEGIN",
                "SELECT o.id, (SELECT MAX(version) FROM policy_version) FROM official o WHERE o.id = 'o-1'",
                "WITH b AS (SELECT 1)\nSELECT 'c-1'",
                "INSERT INTO \"access_log\" (id) VALUES ('x')",
                "COMMIT",
            ]
        );
        // A row listing a page's clients: its insert opens a `WITH`.
        let listing = log.replace(
            "execute s3: INSERT INTO \"access_log\" (id) VALUES ($1)",
            "execute s3: WITH r AS (INSERT INTO \"access_log\" (id) VALUES ($1) RETURNING id) SELECT id FROM r",
        );
        let script = script_from_log(&listing, "db");
        assert_eq!(script.len(), 5, "{script:?}");
        assert_eq!(script[3], "WITH r AS (INSERT INTO \"access_log\" (id) VALUES ('x') RETURNING id) SELECT id FROM r");
    }
}
