//! `--paths`: every read path that lists or searches, run as the server runs it. The real
//! app is built against the seeded database with SeaORM's statement callback on its pool;
//! each request is sent over HTTP with a token of a role that may make it, and every
//! statement it issued is captured with its values. Each read is then explained
//! (`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`, in a transaction rolled back); writes (the
//! access-log rows) are counted, not run again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Datelike;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde_json::{json, Value};
use typgraph::config::{Config, JwtConfig, Secret};

use super::{median, walk, Error};

const SECRET: &str = "typgraph-scale-bench-secret-0123456789abcdef";

/// Runs of each explained statement; the median is printed.
const RUNS: usize = 5;

/// A table larger than this read whole is what the benchmark looks for.
const LARGE_TABLE: f64 = 5_000.0;

/// How a read path is asked.
enum Ask {
    /// A GraphQL document and its variables, as `subject` under `role` (the client's own
    /// view: a client under `CLIENT`).
    Graphql {
        subject: String,
        role: String,
        query: String,
        vars: Value,
    },
    /// `GET` of a path, as `subject` under `role`.
    Get {
        subject: String,
        role: String,
        path: String,
    },
}

struct Path {
    name: String,
    ask: Ask,
}

/// What one captured statement cost when explained.
struct Explained {
    sql: String,
    exec_ms: f64,
    buffers: i64,
    whole: Vec<String>,
    plan: String,
}

/// What a request issued: its reads explained, its other statements by their first words.
struct Measured {
    reads: Vec<Explained>,
    others: Vec<String>,
}

type Captured = Arc<Mutex<Vec<Statement>>>;

async fn strings(db: &DatabaseConnection, sql: &str) -> Result<Vec<String>, Error> {
    Ok(db
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect())
}

async fn one(db: &DatabaseConnection, sql: &str) -> Result<String, Error> {
    strings(db, sql)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| format!("no row: {sql}").into())
}

/// Whether a statement only reads (a `SELECT` or a `WITH` without a write in it).
fn is_read(sql: &str) -> bool {
    let head = sql.trim_start().to_ascii_uppercase();
    (head.starts_with("SELECT") || head.starts_with("WITH"))
        && !["INSERT ", "UPDATE ", "DELETE ", "FOR UPDATE", "FOR SHARE"]
            .iter()
            .any(|w| head.contains(w))
}

/// Rows PostgreSQL estimates each table to hold.
async fn table_sizes(db: &impl ConnectionTrait) -> Result<HashMap<String, f64>, Error> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.relname::text, c.reltuples::float8 FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r'",
        ))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get_by_index::<String>(0).ok()?,
                r.try_get_by_index::<f64>(1).ok()?,
            ))
        })
        .collect())
}

async fn explain(
    db: &impl ConnectionTrait,
    stmt: &Statement,
    sizes: &HashMap<String, f64>,
) -> Result<Explained, Error> {
    let with = |prefix: &str| Statement {
        sql: format!("{prefix} {}", stmt.sql),
        ..stmt.clone()
    };
    let json = with("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)");
    let mut exec = Vec::new();
    let mut last = Value::Null;
    for _ in 0..RUNS {
        let row = db.query_one_raw(json.clone()).await?.ok_or("no plan")?;
        let top = row.try_get_by_index::<Value>(0)?[0].clone();
        exec.push(top["Execution Time"].as_f64().unwrap_or(f64::NAN));
        last = top;
    }
    let plan = &last["Plan"];
    let mut found = Vec::new();
    walk(plan, &mut found);
    // A sequential scan of a small table (the agencies, the providers) is no concern.
    let whole = found
        .into_iter()
        .filter(|w| match w.strip_prefix("seq scan ") {
            Some(table) => sizes.get(table).copied().unwrap_or(0.0) > LARGE_TABLE,
            None => true,
        })
        .map(|w| match w.strip_prefix("seq scan ") {
            Some(table) => format!(
                "seq scan {table} ({:.0} rows)",
                sizes.get(table).copied().unwrap_or(0.0)
            ),
            None => w,
        })
        .collect();
    let text = db
        .query_all_raw(with("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)"))
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(Explained {
        sql: stmt.sql.clone(),
        exec_ms: median(exec),
        buffers: plan["Shared Hit Blocks"].as_i64().unwrap_or(0)
            + plan["Shared Read Blocks"].as_i64().unwrap_or(0),
        whole,
        plan: text,
    })
}

/// The ids a run needs, read from the seeded data.
struct Subjects {
    /// The first active official holding each role.
    officials: HashMap<String, String>,
    /// The official with the most upcoming meetings, a role of theirs, one of the meetings.
    meeting_official: (String, String, String),
    /// The client with the most referrals (else the meeting's).
    referred_client: String,
    /// The client with the most access-log rows (else the one with the most referrals).
    logged_client: String,
    /// The provider with the most periods.
    provider: String,
    /// The provider of the first coach.
    coach_provider: String,
    /// The month before the data set's day.
    month: String,
    municipality: String,
}

async fn subjects(db: &DatabaseConnection) -> Result<Subjects, Error> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT DISTINCT ON (r.role) r.role, o.id FROM official o \
             JOIN official_role r ON r.official_id = o.id WHERE o.active ORDER BY r.role, o.id",
        ))
        .await?;
    let officials: HashMap<String, String> = rows
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get_by_index::<String>(0).ok()?,
                r.try_get_by_index::<String>(1).ok()?,
            ))
        })
        .collect();
    let today = chrono::Utc::now().date_naive();
    let official = one(
        db,
        &format!(
            "SELECT p.official_id FROM meeting_participant p \
             JOIN network_meeting m ON m.id = p.meeting_id \
             JOIN official o ON o.id = p.official_id AND o.active \
             WHERE m.status = 'SCHEDULED' AND m.scheduled_at >= '{today}' \
             GROUP BY p.official_id ORDER BY COUNT(*) DESC, p.official_id LIMIT 1"
        ),
    )
    .await?;
    let role = one(
        db,
        &format!(
            "SELECT role FROM official_role WHERE official_id = '{official}' ORDER BY role LIMIT 1"
        ),
    )
    .await?;
    let meeting = one(
        db,
        &format!(
            "SELECT m.id FROM network_meeting m JOIN meeting_participant p ON p.meeting_id = m.id \
             WHERE p.official_id = '{official}' AND m.status = 'SCHEDULED' AND m.scheduled_at >= '{today}' \
             ORDER BY m.scheduled_at, m.id LIMIT 1"
        ),
    )
    .await?;
    // The seeded data set may have no referrals: then the meeting's client.
    let referred_client = match strings(
        db,
        "SELECT client_id FROM referral GROUP BY client_id ORDER BY COUNT(*) DESC, client_id LIMIT 1",
    )
    .await?
    .into_iter()
    .next()
    {
        Some(c) => c,
        None => one(db, &format!("SELECT client_id FROM network_meeting WHERE id = '{meeting}'")).await?,
    };
    let logged_client = strings(
        db,
        "SELECT client_id FROM access_log GROUP BY client_id ORDER BY COUNT(*) DESC, client_id LIMIT 1",
    )
    .await?
    .into_iter()
    .next()
    .unwrap_or_else(|| referred_client.clone());
    let coach: &String = officials
        .get("PROVIDER_COACH")
        .ok_or("no active official holds PROVIDER_COACH")?;
    let coach_provider = one(
        db,
        &format!("SELECT provider_id FROM official WHERE id = '{coach}'"),
    )
    .await?;
    Ok(Subjects {
        referred_client,
        logged_client,
        coach_provider,
        officials,
        meeting_official: (official, role, meeting),
        provider: one(
            db,
            "SELECT provider_id FROM rehab_period GROUP BY provider_id ORDER BY COUNT(*) DESC, provider_id LIMIT 1",
        )
        .await?,
        month: typgraph::demo::anchor()
            .checked_sub_months(chrono::Months::new(1))
            .unwrap_or_default()
            .format("%Y-%m")
            .to_string(),
        municipality: one(
            db,
            "SELECT municipality FROM client WHERE municipality IS NOT NULL GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1",
        )
        .await?,
    })
}

/// The reports and the fields asked of each (`(from, to)` or `on`).
const REPORTS: &[(&str, bool, &str)] = &[
    ("rehabActivity", true, "month averageClients averageSuppressed endOfMonthClients { value } attendedDays { value } attendingClients { value }"),
    ("caseOutcomes", true, "newCases { value } closedCases { value } byOutcome { outcome cases { value } }"),
    ("typClientsOn", false, "value suppressed"),
    ("individualSupportClientsOn", false, "value suppressed"),
    ("paySubsidyTransitions", true, "month started { value } endedBy { followedBy persons { value } }"),
    ("programmeCounts", true, "code name caseClients { value } coachingClients { value }"),
    ("competence", true, "persons { value } byQualification { qualification persons { value } }"),
    ("referrals", true, "kind sent { value } accepted { value } declined { value } done { value }"),
    ("coachingHours", true, "orderer providerId persons { value } hoursBought { value } hoursUsed { value }"),
    ("voucherUse", true, "providerId kind persons { value } used { value }"),
    ("assessments", true, "done { value } duplicatesAvoided { value }"),
    ("followUps", true, "monthsAfter byStatus { status persons { value } }"),
    ("allowances", true, "month allowanceCents { value } travelCents { value } persons { value }"),
    ("meetings", true, "meetingsHeld { value } actionsOpened { value } actionsClosed { value } actionsOverdue { value }"),
    ("periodLengths", true, "months periods { value }"),
    ("providerActivity", true, "providerId attendedDays { value } recordedDays { value } attendanceRatePermille"),
];

const BRIEF: &str = "query B($m: ID!) { meetingBrief(meetingId: $m) { \
    meeting { id scheduledAt status participants { kind agency officialName } agenda { title } client { id firstName lastName } } \
    previousMeetingOn openReferrals { id kind status dueOn } competenceRecords { qualification certifiedOn } \
    agencies { agency openActions { description dueOn } overdueActions { description } \
    actionsCompletedSinceLastMeeting { description } assessmentsSinceLastMeeting { assessedOn } \
    benefitDecisionsSinceLastMeeting { benefitKind } upcomingPeriodEnds { endsOn } upcomingPlanReviews { reviewOn } } } }";

fn paths(s: &Subjects) -> Result<Vec<Path>, Error> {
    let official = |role: &str| -> Result<String, Error> {
        s.officials
            .get(role)
            .cloned()
            .ok_or_else(|| format!("no active official holds {role}").into())
    };
    let mut out = Vec::new();
    let mut ask = |name: &str, subject: &str, role: &str, query: &str, vars: Value| {
        out.push(Path {
            name: name.to_owned(),
            ask: Ask::Graphql {
                subject: subject.to_owned(),
                role: role.to_owned(),
                query: query.to_owned(),
                vars,
            },
        })
    };
    let (participant, role, meeting) = &s.meeting_official;
    ask(
        "upcoming meetings (`me`)",
        participant,
        role,
        "{ me { upcomingMeetings { id scheduledAt client { id lastName } } } }",
        json!({}),
    );
    ask(
        "meeting",
        participant,
        role,
        "query M($m: ID!) { networkMeeting(id: $m) { id scheduledAt participants { kind agency } agenda { title } client { id } } }",
        json!({ "m": meeting }),
    );
    ask(
        "meeting brief",
        participant,
        role,
        BRIEF,
        json!({ "m": meeting }),
    );
    ask(
        "referrals of a client (case view)",
        &official("TYP_OFFICER")?,
        "TYP_OFFICER",
        "query V($c: ID!) { caseView(clientId: $c) { referrals { id kind status sentOn dueOn outcome } } }",
        json!({ "c": s.referred_client }),
    );
    let te_expert = official("TE_EXPERT")?;
    ask(
        "KTT start notices, open",
        &te_expert,
        "TE_EXPERT",
        "{ kttStartNotices(open: true, first: 50) { edges { node { id client { id } decisionNumber kind startsOn endsOn handledAt } } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    );
    ask(
        "KTT start notices, all",
        &te_expert,
        "TE_EXPERT",
        "{ kttStartNotices(first: 50) { edges { node { id client { id } decisionNumber kind startsOn handledAt } } pageInfo { hasNextPage endCursor } } }",
        json!({}),
    );
    let county = official("EKSOTE_WORKER")?;
    ask(
        "allowance exports list",
        &county,
        "EKSOTE_WORKER",
        "{ allowanceExports { id recipient fundName month exportedAt lines corrections days amountCents } }",
        json!({}),
    );
    let auditor = official("AUDITOR")?;
    ask(
        "official's read of a client's access log",
        &auditor,
        "AUDITOR",
        "query L($c: ID!) { accessLog(clientId: $c, first: 50) { edges { node { at officialId action operation disclosures { fieldGroup } breakGlassId } } pageInfo { hasNextPage } } }",
        json!({ "c": s.logged_client }),
    );
    ask(
        "register log",
        &auditor,
        "AUDITOR",
        "{ registerLog(first: 50) { at officialId action target } }",
        json!({}),
    );
    ask(
        "break-glass reviews",
        &auditor,
        "AUDITOR",
        "{ breakGlassReviews(openOnly: false) { id clientId rowsLogged status } }",
        json!({}),
    );
    ask(
        "admin log",
        &official("ADMIN")?,
        "ADMIN",
        "{ adminLog(first: 50) { at officialId action target } }",
        json!({}),
    );
    ask(
        "employers search",
        &te_expert,
        "TE_EXPERT",
        "{ employers(search: \"oy\", first: 50) { id name businessId } }",
        json!({}),
    );
    let coach = official("PROVIDER_COACH")?;
    ask(
        "provider's vouchers",
        &coach,
        "PROVIDER_COACH",
        "{ providerVouchers { id } }",
        json!({}),
    );
    ask(
        "provider's job coachings",
        &coach,
        "PROVIDER_COACH",
        "{ providerJobCoachings { id } }",
        json!({}),
    );
    ask(
        "client's own access log",
        &s.logged_client,
        "CLIENT",
        "{ myAccessLog(first: 50) { entries { at agency official action dataGroups disclosures { dataGroup } } hasNextPage } }",
        json!({}),
    );
    ask(
        "client's own case (its lists)",
        &s.logged_client,
        "CLIENT",
        "{ myCase { typCase { phase plan { agreedActions { what dueOn } } } rehabPeriods { place days(last: 5) { day present } } allowances { month amountCents } upcomingMeetings { scheduledAt } consents { id } } }",
        json!({}),
    );
    // Each report over a month, as the analyst without and with each filter, and as an
    // agency worker within the county's scope.
    let month_start = format!("{}-01", s.month);
    let month_end = typgraph::demo::anchor()
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
        .to_string();
    let filters: Vec<(&str, Value)> = vec![
        ("–", Value::Null),
        ("providerId", json!({ "providerId": s.provider })),
        ("providerKind", json!({ "providerKind": "COUNTY_WORKSHOP" })),
        ("municipality", json!({ "municipality": s.municipality })),
        ("responsibleAgency", json!({ "responsibleAgency": "TE" })),
    ];
    let analyst = official("ANALYST")?;
    for &(report, range, fields) in REPORTS {
        let (params, args) = if range {
            ("$from: Date!, $to: Date!", "from: $from, to: $to")
        } else {
            ("$on: Date!", "on: $on")
        };
        let query = format!(
            "query R({params}, $f: ReportFilter) {{ reports {{ {report}({args}, filter: $f) {{ {fields} }} }} }}"
        );
        let vars = |f: &Value| {
            if range {
                json!({ "from": month_start, "to": month_end, "f": f })
            } else {
                json!({ "on": month_start, "f": f })
            }
        };
        for (filter, value) in &filters {
            ask(
                &format!("report {report}, filter {filter}"),
                &analyst,
                "ANALYST",
                &query,
                vars(value),
            );
        }
        ask(
            &format!("report {report}, county worker"),
            &county,
            "EKSOTE_WORKER",
            &query,
            vars(&Value::Null),
        );
    }
    for payer in ["KELA", "EKSOTE"] {
        out.push(Path {
            name: format!("allowance statement CSV, {payer}"),
            ask: Ask::Get {
                subject: county.clone(),
                role: "EKSOTE_WORKER".into(),
                path: format!(
                    "/exports/allowance-statement.csv?payer={payer}&month={}",
                    s.month
                ),
            },
        });
    }
    out.push(Path {
        name: "voucher statement CSV".into(),
        ask: Ask::Get {
            subject: coach.clone(),
            role: "PROVIDER_COACH".into(),
            path: format!(
                "/exports/voucher-statement.csv?providerId={}&month={}",
                s.coach_provider, s.month
            ),
        },
    });
    Ok(out)
}

/// Sends one request and returns whether it was answered without an error.
async fn send(http: &reqwest::Client, addr: &str, ask: &Ask) -> Result<Result<(), String>, Error> {
    let (subject, role, req) = match ask {
        Ask::Graphql {
            subject,
            role,
            query,
            vars,
        } => (
            subject,
            role,
            http.post(format!("http://{addr}/graphql"))
                .json(&json!({ "query": query, "variables": vars })),
        ),
        Ask::Get {
            subject,
            role,
            path,
        } => (subject, role, http.get(format!("http://{addr}{path}"))),
    };
    let token = typgraph::http::auth::sign_hs256(
        SECRET,
        subject,
        std::slice::from_ref(role),
        3600,
        &JwtConfig::default(),
    )
    .map_err(|e| format!("cannot sign a token: {e:?}"))?;
    let res = req.bearer_auth(token).send().await?;
    let status = res.status().as_u16();
    let body = res.text().await?;
    if status != 200 {
        return Ok(Err(format!(
            "{status}: {}",
            body.chars().take(300).collect::<String>()
        )));
    }
    if matches!(ask, Ask::Get { .. }) {
        return Ok(Ok(()));
    }
    let json: Value = serde_json::from_str(&body)?;
    match json.get("errors") {
        Some(e) => Ok(Err(e.to_string().chars().take(300).collect())),
        None => Ok(Ok(())),
    }
}

/// Synthetic access-log history for the access-log paths, added in the transaction their
/// statements are explained in (and rolled back with it): `per_client` rows for each
/// client over the last two years, every tenth with a disclosure, and as many list pages
/// of 100 clients each (one row listing its clients in `access_log_client`), so that every
/// client is listed `per_client` times. The seeded data set has no log of its own, and a
/// log is the register's largest table in service.
fn log_history(per_client: usize) -> Vec<String> {
    // Clients in blocks of 100 by id; list page `n` lists block `n % blocks`. The pages are
    // known by their reason among any the database already logged.
    let blocks = "(SELECT (COUNT(*) + 99) / 100 FROM client)";
    vec![
        format!(
            "INSERT INTO access_log (at, official_id, agency, roles, client_id, action, field_groups, operation, reason, basis) \
             SELECT now() - make_interval(days => CAST((g * 13) % 700 AS INTEGER)), o.id, 'TE', 'TE_EXPERT', NULL, 'READ', 'CONTACT', 'clients', 'synthetic list', 'TYP_CLIENTHOOD' \
             FROM generate_series(1, {per_client} * {blocks}) g \
             CROSS JOIN (SELECT o.id FROM official o JOIN official_role r ON r.official_id = o.id \
                         WHERE r.role = 'TE_EXPERT' ORDER BY o.id LIMIT 1) o"
        ),
        format!(
            "INSERT INTO access_log_client (access_log_id, client_id) \
             SELECT l.id, c.id \
             FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM access_log WHERE client_id IS NULL AND reason = 'synthetic list') l \
             JOIN (SELECT id, (ROW_NUMBER() OVER (ORDER BY id) - 1) / 100 AS block FROM client) c \
               ON c.block = l.n % {blocks}"
        ),
        "ANALYZE access_log_client".to_owned(),
        format!(
            "INSERT INTO access_log (at, official_id, agency, roles, client_id, action, field_groups, operation, reason) \
             SELECT now() - make_interval(days => (g * 37 + length(c.id)) % 700), o.id, 'EKSOTE', 'EKSOTE_WORKER', c.id, 'READ', 'CASE', 'caseView', '' \
             FROM client c CROSS JOIN generate_series(1, {per_client}) g \
             CROSS JOIN (SELECT o.id FROM official o JOIN official_role r ON r.official_id = o.id \
                         WHERE r.role = 'EKSOTE_WORKER' ORDER BY o.id LIMIT 1) o"
        ),
        "INSERT INTO disclosure_log (access_log_id, client_id, recipient_agency, field_group, consent_id, basis) \
         SELECT l.id, l.client_id, 'EKSOTE', 'CASE', k.id, 'CONSENT' FROM access_log l \
         CROSS JOIN (SELECT id FROM consent ORDER BY id LIMIT 1) k WHERE l.id % 10 = 0 AND l.client_id IS NOT NULL"
            .to_owned(),
        "ANALYZE access_log".to_owned(),
        "ANALYZE disclosure_log".to_owned(),
    ]
}

async fn measure(
    db: &DatabaseConnection,
    statements: Vec<Statement>,
    sizes: &HashMap<String, f64>,
    setup: &[String],
) -> Result<Measured, Error> {
    let mut out = Measured {
        reads: Vec::new(),
        others: Vec::new(),
    };
    let tx = db.begin().await?;
    for sql in setup {
        tx.execute_unprepared(sql).await?;
    }
    let sizes = if setup.is_empty() {
        sizes.clone()
    } else {
        let mut after = sizes.clone();
        for (table, rows) in table_sizes(&tx).await? {
            after.insert(table, rows);
        }
        after
    };
    for stmt in statements {
        if is_read(&stmt.sql) {
            out.reads.push(explain(&tx, &stmt, &sizes).await?);
        } else {
            out.others.push(
                stmt.sql
                    .split_whitespace()
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    tx.rollback().await?;
    Ok(out)
}

/// Runs every read path against `typgraph_bench_<n>` (or `name`) and prints a table.
pub async fn run(
    base: &str,
    name: &str,
    n: usize,
    plans: bool,
    log_rows: usize,
) -> Result<(), Error> {
    let (url, db, seeded) = typgraph::demo::benchmark_database(base, name, n, 42).await?;
    if let Some((summary, took)) = seeded {
        eprintln!(
            "seeded {} clients in {:.0} s",
            summary.clients,
            took.as_secs_f64()
        );
    }
    db.execute_unprepared("ANALYZE").await?;
    let sizes = table_sizes(&db).await?;
    let s = subjects(&db).await?;

    let mut config = Config::for_database(&url);
    config.jwt = JwtConfig {
        secret: Some(Secret(SECRET.to_owned())),
        ..JwtConfig::default()
    };
    config.rate = typgraph::http::ratelimit::RateConfig {
        requests_per_minute: 0,
        objects_per_minute: 0,
    };
    let mut app = typgraph::app::App::build(config).await?;
    let captured: Captured = Arc::default();
    {
        let sink = captured.clone();
        Arc::get_mut(&mut app.state)
            .ok_or("the app's state is shared before it serves")?
            .db
            .set_metric_callback(move |info| {
                if let Ok(mut v) = sink.lock() {
                    v.push(info.statement.clone());
                }
            });
    }
    let addr = app.local_addr()?.to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();

    println!("| clients | read path | statements (reads + writes) | PG ms (sum of medians of {RUNS}) | buffers | reads a table whole |");
    println!("|---|---|---|---|---|---|");
    let mut shown = Vec::new();
    for path in paths(&s)? {
        // Once to warm the caches and the app's own, then the captured run.
        let _ = send(&http, &addr, &path.ask).await?;
        captured.lock().map_err(|_| "poisoned")?.clear();
        let answered = send(&http, &addr, &path.ask).await?;
        let statements = std::mem::take(&mut *captured.lock().map_err(|_| "poisoned")?);
        // `SHOW_SQL=part of a path's name` prints what that path issued.
        if std::env::var("SHOW_SQL").is_ok_and(|p| path.name.contains(&p)) {
            for stmt in &statements {
                eprintln!("{}: {}", path.name, stmt.sql);
            }
        }
        if let Err(e) = answered {
            // A filter the report does not offer is refused before any statement.
            if !e.contains("cannot be filtered by") {
                println!("| {n} | {} | refused: {e} | | | |", path.name);
            }
            continue;
        }
        let setup = if path.name.contains("access log") {
            log_history(log_rows)
        } else {
            Vec::new()
        };
        let m = measure(&db, statements, &sizes, &setup).await?;
        let whole: Vec<String> = m
            .reads
            .iter()
            .flat_map(|r| r.whole.iter().cloned())
            .collect();
        println!(
            "| {n} | {} | {} + {} | {:.2} | {} | {} |",
            path.name,
            m.reads.len(),
            m.others.len(),
            m.reads.iter().map(|r| r.exec_ms).sum::<f64>(),
            m.reads.iter().map(|r| r.buffers).sum::<i64>(),
            if whole.is_empty() {
                "no".to_owned()
            } else {
                whole.join(", ")
            }
        );
        for r in m.reads {
            if plans || !r.whole.is_empty() {
                shown.push((path.name.clone(), r));
            }
        }
    }
    for (name, r) in shown {
        println!(
            "\n{n} clients, {name} ({:.2} ms, {} buffers):\n```\n{}\n\n{}\n```",
            r.exec_ms, r.buffers, r.sql, r.plan
        );
    }
    let _ = stop.send(());
    let _ = server.await;
    Ok(())
}
