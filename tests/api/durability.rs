//! Outages and durability: the database stopped under load, killed around a burst of
//! writes, SQLite under concurrent writers, and the shutdown drain (in `cli`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

use crate::cluster::Cluster;
use crate::helpers::{spawn_on, test_config, DbGuard, TestApp};
use crate::on_both;

const CASE_VIEW: &str =
    "query Q($c: ID!) { caseView(clientId: $c) { client { id } notes { body } } }";
const ADD_NOTE: &str = "($i: AddNoteInput!) { addNote(input: $i) { body } }";

/// How one request ended.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Data,
    Unavailable,
    Other(String),
}

/// Sends a GraphQL request and classifies the answer; a transport failure is `Other`.
async fn ask(app: &TestApp, token: &str, query: &str, variables: Json) -> Outcome {
    let res = app
        .http
        .post(app.endpoint("/graphql"))
        .header("content-type", "application/json")
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await;
    let res = match res {
        Ok(r) => r,
        Err(e) => return Outcome::Other(format!("transport: {e}")),
    };
    let status = res.status().as_u16();
    let body: Json = match res.json().await {
        Ok(b) => b,
        Err(e) => return Outcome::Other(format!("{status}: body {e}")),
    };
    match body["errors"][0]["extensions"]["code"].as_str() {
        None if body["data"].is_object() => Outcome::Data,
        Some("UNAVAILABLE") if status == 503 || status == 200 => Outcome::Unavailable,
        _ => Outcome::Other(format!("{status}: {body}")),
    }
}

async fn readyz(app: &TestApp) -> u16 {
    match app.http.get(app.endpoint("/readyz")).send().await {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    }
}

/// Runs `pg_ctl` off the async threads.
async fn blocking(f: impl FnOnce() + Send + 'static) {
    tokio::task::spawn_blocking(f).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_fails_fast_and_service_returns_without_a_restart() {
    let Some(cluster) = Cluster::start() else {
        eprintln!("TEST_DATABASE_URL not set: outage test not run");
        return;
    };
    let cluster = Arc::new(cluster);
    let app = Arc::new(spawn_on(cluster.url(), DbGuard::Kept, test_config).await);
    let token = app.token_for("TE_EXPERT");
    let vars = json!({ "c": app.fx.shared });
    assert_eq!(
        ask(&app, &token, CASE_VIEW, vars.clone()).await,
        Outcome::Data
    );

    // Four connections asking case views in a loop, each answer timed.
    let running = Arc::new(AtomicBool::new(true));
    let log: Arc<Mutex<Vec<(Instant, Duration, Outcome)>>> = Arc::default();
    let mut load = Vec::new();
    for _ in 0..4 {
        let (app, token, vars) = (app.clone(), token.clone(), vars.clone());
        let (running, log) = (running.clone(), log.clone());
        load.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let started = Instant::now();
                let outcome = ask(&app, &token, CASE_VIEW, vars.clone()).await;
                log.lock()
                    .unwrap()
                    .push((started, started.elapsed(), outcome));
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let c = cluster.clone();
    blocking(move || c.stop("fast")).await;
    let down = Instant::now();
    while readyz(&app).await != 503 {
        assert!(
            down.elapsed() < Duration::from_secs(5),
            "/readyz never turned 503"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let readyz_turned = down.elapsed();
    // Longer than the acquire timeout, so requests waiting for a connection must give up.
    let outage = typgraph::db::ACQUIRE_TIMEOUT + Duration::from_secs(1);
    tokio::time::sleep(outage.saturating_sub(down.elapsed())).await;

    let c = cluster.clone();
    blocking(move || c.start_again()).await;
    let up = Instant::now();
    while ask(&app, &token, CASE_VIEW, vars.clone()).await != Outcome::Data {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "service never returned"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let served_again = up.elapsed();
    while readyz(&app).await != 200 {
        assert!(
            up.elapsed() < Duration::from_secs(10),
            "/readyz never turned 200"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ready_again = up.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }

    let log = log.lock().unwrap();
    let slowest = log.iter().map(|(_, d, _)| *d).max().unwrap();
    let failed = log
        .iter()
        .filter(|(_, _, o)| *o == Outcome::Unavailable)
        .count();
    eprintln!(
        "outage: {} requests, {failed} UNAVAILABLE, slowest {slowest:?}; /readyz 503 after {readyz_turned:?}; served again {served_again:?} and ready {ready_again:?} after the database returned",
        log.len()
    );
    let others: Vec<&Outcome> = log
        .iter()
        .map(|(_, _, o)| o)
        .filter(|o| matches!(o, Outcome::Other(_)))
        .collect();
    assert!(others.is_empty(), "only data or UNAVAILABLE: {others:?}");
    assert!(failed > 0, "the outage was seen");
    assert!(
        slowest <= typgraph::db::ACQUIRE_TIMEOUT + Duration::from_millis(750),
        "no request hangs past the acquire timeout: {slowest:?}"
    );
    assert!(readyz_turned <= Duration::from_secs(1), "{readyz_turned:?}");
    assert!(served_again <= Duration::from_secs(2), "{served_again:?}");
    assert!(ready_again <= Duration::from_secs(2), "{ready_again:?}");
    let settled = up + Duration::from_secs(2);
    assert!(
        log.iter()
            .filter(|(at, _, _)| *at > settled)
            .all(|(_, _, o)| *o == Outcome::Data),
        "every request after recovery is answered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_acknowledged_write_is_lost_when_the_database_crashes() {
    let Some(cluster) = Cluster::start() else {
        eprintln!("TEST_DATABASE_URL not set: crash test not run");
        return;
    };
    let cluster = Arc::new(cluster);
    let app = Arc::new(spawn_on(cluster.url(), DbGuard::Kept, test_config).await);
    let token = app.token_for("TE_EXPERT");

    // Eight writers add notes, each request named so its log row can be found.
    let running = Arc::new(AtomicBool::new(true));
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut writers = Vec::new();
    for w in 0..8 {
        let (app, token) = (app.clone(), token.clone());
        let (running, acknowledged) = (running.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("Burst_{w}_{n}");
                let query = format!("mutation {name}{ADD_NOTE}");
                let vars = json!({ "i": { "clientId": app.fx.shared, "body": name } });
                if ask(&app, &token, &query, vars).await == Outcome::Data {
                    acknowledged.lock().unwrap().push(name);
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let before_crash = acknowledged.lock().unwrap().len();
    let c = cluster.clone();
    blocking(move || c.stop("immediate")).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let c = cluster.clone();
    blocking(move || c.start_again()).await;

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        before_crash >= 8,
        "the burst wrote before the crash: {before_crash}"
    );
    let mut missing = Vec::new();
    for name in &acknowledged {
        let notes = app
            .count(&format!(
                "SELECT COUNT(*) FROM agency_note WHERE body = '{name}'"
            ))
            .await;
        let rows = app
            .count(&format!(
                "SELECT COUNT(*) FROM access_log_entry WHERE reason = '{name}' AND action = 'WRITE' AND client_id = '{}'",
                app.fx.shared
            ))
            .await;
        if notes != 1 || rows != 1 {
            missing.push(format!("{name}: {notes} notes, {rows} log rows"));
        }
    }
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    // Nothing committed without its log row either (unacknowledged writes may or may not
    // have landed, but never half).
    let notes = app
        .count("SELECT COUNT(*) FROM agency_note WHERE body LIKE 'Burst%'")
        .await;
    let rows = app
        .count(
            "SELECT COUNT(*) FROM access_log_entry WHERE reason LIKE 'Burst%' AND action = 'WRITE'",
        )
        .await;
    assert_eq!(notes, rows, "each note has its access-log row");
    eprintln!(
        "crash: {} writes acknowledged ({before_crash} before the immediate stop), {notes} in the database, none lost",
        acknowledged.len()
    );
}

on_both! {
    async fn concurrent_writers_and_readers_all_succeed(app) {
        // SQLite has one writer at a time: requests queue for the lock (IMMEDIATE
        // transactions and a busy timeout) instead of failing with `database is locked`.
        let app = Arc::new(app);
        let token = app.token_for("TE_EXPERT");
        let mut tasks = Vec::new();
        for w in 0..24 {
            let (app, token) = (app.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for n in 0..4 {
                    let name = format!("Parallel_{w}_{n}");
                    let query = format!("mutation {name}{ADD_NOTE}");
                    let vars = json!({ "i": { "clientId": app.fx.shared, "body": name } });
                    outcomes.push(ask(&app, &token, &query, vars).await);
                    outcomes.push(ask(&app, &token, CASE_VIEW, json!({ "c": app.fx.shared })).await);
                }
                outcomes
            }));
        }
        let mut outcomes = Vec::new();
        for t in tasks {
            outcomes.extend(t.await.unwrap());
        }
        let failures: Vec<&Outcome> = outcomes.iter().filter(|o| **o != Outcome::Data).collect();
        assert!(failures.is_empty(), "{} of {}: {failures:?}", failures.len(), outcomes.len());
        assert_eq!(app.count("SELECT COUNT(*) FROM agency_note WHERE body LIKE 'Parallel%'").await, 96);
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry WHERE reason LIKE 'Parallel%' AND action = 'WRITE'").await, 96);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reports_are_read_from_the_standby_when_one_is_configured() {
    let Some(primary) = Cluster::start() else {
        eprintln!("TEST_DATABASE_URL not set: read-replica test not run");
        return;
    };
    let standby = Cluster::standby_of(&primary);
    let standby_url = standby.url();
    let app = spawn_on(primary.url(), DbGuard::Kept, move |url| {
        let mut config = test_config(url);
        config.reports_database_url = Some(standby_url);
        config
    })
    .await;
    let replica = sea_orm::Database::connect(standby.url()).await.unwrap();
    let on_standby = |sql: &'static str| {
        let replica = replica.clone();
        async move {
            use sea_orm::ConnectionTrait;
            let row = replica
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    sql,
                ))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    // Waits until the standby has replayed everything the primary has committed.
    let caught_up = || async {
        let started = Instant::now();
        loop {
            let primary_cases = app.count("SELECT COUNT(*) FROM typ_case").await;
            if on_standby("SELECT COUNT(*) FROM typ_case").await == primary_cases {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "standby never caught up"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let p1 = app.fx.p1.clone();
    for n in 0..10 {
        crate::reports::person(&app, n, &p1, None, None).await;
    }
    caught_up().await;
    let analyst = app.token_for("ANALYST");
    let q = "{ reports { typClientsOn(on: \"2019-03-01\") { value } } }";
    let value = |body: Json| body["data"]["reports"]["typClientsOn"]["value"].as_i64();
    let (_, before) = app.gql(&analyst, q, json!({})).await;
    let before = value(before).expect("a count");
    assert!(before >= 10);

    // With replay paused, the primary's new cases are not in the answer: it came from the
    // standby. Once replay resumes they are.
    on_standby("SELECT 0::bigint FROM (SELECT pg_wal_replay_pause()) p").await;
    for n in 10..20 {
        crate::reports::person(&app, n, &p1, None, None).await;
    }
    let (_, paused) = app.gql(&analyst, q, json!({})).await;
    assert_eq!(value(paused.clone()), Some(before), "{paused}");
    let csv = app
        .http
        .get(app.endpoint("/exports/reports/typ-clients-on.csv?from=2019-03-01&to=2019-03-01"))
        .bearer_auth(&analyst)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let csv = csv.text().await.unwrap();
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with(&format!("2019-03-01,{before},")),
        "{csv}"
    );
    on_standby("SELECT 0::bigint FROM (SELECT pg_wal_replay_resume()) p").await;
    caught_up().await;
    let (_, resumed) = app.gql(&analyst, q, json!({})).await;
    assert_eq!(value(resumed.clone()), Some(before + 10), "{resumed}");
    // Person-level reads still go to the primary.
    let (_, client) = app
        .gql(
            &app.token_for("TE_EXPERT"),
            CASE_VIEW,
            json!({ "c": app.fx.shared }),
        )
        .await;
    assert!(
        client["data"]["caseView"]["client"]["id"].is_string(),
        "{client}"
    );
}
