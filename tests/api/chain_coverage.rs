//! The record chain: the administration log, policy versions, break-glass grants and their
//! reviews and the clients' own access log are sealed, and a change, removal or reordering
//! of any of them is named; its head is published (log line, `/metrics`) and `typgraph
//! audit verify --head` reports a tail cut behind it, of either chain.

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseConnection, Value};
use serde_json::json;
use typgraph::audit::chain;
use typgraph::audit::record_seal::{self, Head};
use typgraph::db::Sql;

use crate::helpers::{Backend, TestApp};
use crate::on_both;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");

/// `typgraph audit verify` with a published head, if any: exit status and what it printed.
fn verify_cli(url: &str, head: Option<&Head>) -> (bool, String) {
    let more: Vec<String> = head
        .map(|h| vec!["--head".to_owned(), h.to_string()])
        .unwrap_or_default();
    crate::audit_chain::verify_cli_with(url, &more)
}

use crate::helpers::insert;

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap();
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    db.query_one_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        sql.to_owned(),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get_by_index::<i64>(0)
    .unwrap()
}

fn text(v: &str) -> Value {
    v.into()
}

/// One record of each class the record chain covers (besides the policy version written at
/// start): two administration-log rows, two rows of the client's own log, a grant whose
/// review is closed and one still open. Returns the closed grant's id.
async fn records_of_each_class(db: &DatabaseConnection, official: &str, client: &str) -> String {
    let now = Utc::now();
    let earlier = now - chrono::Duration::hours(3);
    for (target, detail) in [("o-901", "roles TE_EXPERT"), ("o-902", "roles KELA_EXPERT")] {
        insert(
            db,
            "admin_log",
            &[
                ("at", now.into()),
                ("official_id", text(official)),
                ("action", text("UPDATE_OFFICIAL")),
                ("target", text(target)),
                ("detail", text(detail)),
            ],
        )
        .await;
    }
    for groups in ["CASE", "CASE,CONSENT"] {
        insert(
            db,
            "client_access_log",
            &[
                ("at", now.into()),
                ("client_id", text(client)),
                ("action", text("READ")),
                ("field_groups", text(groups)),
                ("operation", text("myCase")),
                ("reason", text("OwnData")),
            ],
        )
        .await;
    }
    let closed = uuid::Uuid::new_v4().to_string();
    for (id, status) in [
        (closed.clone(), "CLOSED"),
        (uuid::Uuid::new_v4().to_string(), "OPEN"),
    ] {
        let reviewed = status == "CLOSED";
        insert(
            db,
            "break_glass",
            &[
                ("id", text(&id)),
                ("official_id", text(official)),
                ("agency", text("TE")),
                ("roles", text("TE_EXPERT")),
                ("client_id", text(client)),
                ("reason", text("urgent placement decision")),
                ("opened_at", earlier.into()),
                ("expires_at", (earlier + chrono::Duration::hours(2)).into()),
                ("review_status", text(status)),
                ("reviewed_by", reviewed.then(|| official.to_owned()).into()),
                ("reviewed_at", reviewed.then_some(now).into()),
                (
                    "review_note",
                    reviewed.then(|| "justified".to_owned()).into(),
                ),
            ],
        )
        .await;
    }
    closed
}

/// Waits (5 s at most) until both chains have sealed everything and the record chain's
/// last checkpoint is the access-log chain's head; returns the verification.
async fn all_sealed(db: &DatabaseConnection) -> chain::Verification {
    let start = Instant::now();
    loop {
        let v = chain::verify(db).await.unwrap();
        let access_head = count(db, "SELECT COALESCE(MAX(seq), 0) FROM access_log_seal").await;
        let checkpoint = count(
            db,
            "SELECT COALESCE(MAX(row_id), 0) FROM record_seal WHERE kind = 'ACCESS_CHAIN'",
        )
        .await;
        if v.unsealed == 0 && v.records.unsealed == 0 && checkpoint == access_head {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "not sealed after 5 s: {v:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The record chain's first broken link: (seq, kind, key).
async fn broken_at(db: &DatabaseConnection) -> (i64, Option<(String, String)>, String) {
    let v = chain::verify(db).await.unwrap();
    let b = v.records.broken.expect("the record chain breaks");
    (b.seq, b.record, b.problem)
}

/// The seq of the seal of a record.
async fn seal_of(db: &DatabaseConnection, kind: &str, key: &str) -> i64 {
    let column = if kind.starts_with("BREAK_GLASS") {
        format!("row_key = '{key}'")
    } else {
        format!("row_id = {key}")
    };
    count(
        db,
        &format!("SELECT seq FROM record_seal WHERE kind = '{kind}' AND {column}"),
    )
    .await
}

on_both! {
    async fn each_covered_record_class_is_sealed_and_tampering_is_named(app) {
        let db = &app.db;
        let admin = app.fx.official("ADMIN").to_owned();
        let grant = records_of_each_class(db, &admin, &app.fx.shared).await;
        // A read by an official too, so that the access-log chain has a head to checkpoint.
        let te = app.token_for("TE_EXPERT");
        let (_, b) = app.gql(&te, "query C($c: ID!) { caseView(clientId: $c) { client { firstName } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let v = all_sealed(db).await;
        assert!(v.intact(), "{v:?}");
        for kind in ["ADMIN_LOG", "POLICY_VERSION", "CLIENT_ACCESS_LOG", "BREAK_GLASS", "BREAK_GLASS_REVIEW", "ACCESS_CHAIN"] {
            assert!(
                count(db, &format!("SELECT COUNT(*) FROM record_seal WHERE kind = '{kind}'")).await >= 1,
                "{kind} is sealed"
            );
        }
        assert_eq!(count(db, "SELECT COUNT(*) FROM record_seal WHERE kind = 'BREAK_GLASS'").await, 2);
        assert_eq!(count(db, "SELECT COUNT(*) FROM record_seal WHERE kind = 'BREAK_GLASS_REVIEW'").await, 1, "only a closed review");
        let (ok, line) = verify_cli(&app.url, None);
        assert!(ok, "{line}");
        assert!(line.contains(&format!("records intact: {} seals, 0 records not yet sealed", v.records.sealed)), "{line}");

        let admin_row = count(db, "SELECT MIN(id) FROM admin_log WHERE target = 'o-901'").await;
        let version = count(db, "SELECT MIN(version) FROM policy_version").await;
        let own_row = count(db, "SELECT MIN(id) FROM client_access_log").await;
        // Each class: one column changed by SQL is named at its seal; changed back, the
        // chain holds again (the hash is over the content).
        let cases: [(&str, String, String, String); 5] = [
            ("ADMIN_LOG", admin_row.to_string(),
             format!("UPDATE admin_log SET detail = 'roles ADMIN' WHERE id = {admin_row}"),
             format!("UPDATE admin_log SET detail = 'roles TE_EXPERT' WHERE id = {admin_row}")),
            ("POLICY_VERSION", version.to_string(),
             format!("UPDATE policy_version SET policy = policy || 'p, CLIENT, READ, HEALTH' WHERE version = {version}"),
             format!("UPDATE policy_version SET policy = substr(policy, 1, length(policy) - 23) WHERE version = {version}")),
            ("CLIENT_ACCESS_LOG", own_row.to_string(),
             format!("UPDATE client_access_log SET field_groups = 'CONSENT' WHERE id = {own_row}"),
             format!("UPDATE client_access_log SET field_groups = 'CASE' WHERE id = {own_row}")),
            ("BREAK_GLASS", grant.clone(),
             format!("UPDATE break_glass SET reason = 'an innocent looking reason' WHERE id = '{grant}'"),
             format!("UPDATE break_glass SET reason = 'urgent placement decision' WHERE id = '{grant}'")),
            ("BREAK_GLASS_REVIEW", grant.clone(),
             format!("UPDATE break_glass SET review_note = 'ok' WHERE id = '{grant}'"),
             format!("UPDATE break_glass SET review_note = 'justified' WHERE id = '{grant}'")),
        ];
        for (kind, key, change, undo) in &cases {
            let seq = seal_of(db, kind, key).await;
            exec(db, change).await;
            let (at, record, problem) = broken_at(db).await;
            assert_eq!((at, record), (seq, Some((kind.to_string(), key.clone()))), "{kind}: {problem}");
            assert!(problem.contains("changed"), "{problem}");
            exec(db, undo).await;
            let v = chain::verify(db).await.unwrap();
            assert!(v.intact(), "{kind} changed back: {v:?}");
        }
        // The closed review reopened (its review columns emptied) is a change too; put back
        // as it was, the chain holds.
        let seq = seal_of(db, "BREAK_GLASS_REVIEW", &grant).await;
        let mut sql = Sql::new("SELECT reviewed_at FROM break_glass WHERE id = ");
        sql.bind(grant.clone());
        let reviewed_at: chrono::DateTime<Utc> = db
            .query_one_raw(sql.build_for(db))
            .await
            .unwrap()
            .unwrap()
            .try_get("", "reviewed_at")
            .unwrap();
        exec(db, &format!("UPDATE break_glass SET review_status = 'OPEN', reviewed_by = NULL, reviewed_at = NULL, review_note = NULL WHERE id = '{grant}'")).await;
        assert_eq!(broken_at(db).await.0, seq);
        let (ok, line) = verify_cli(&app.url, None);
        assert!(!ok, "{line}");
        assert!(line.contains(&format!("record chain broken at seal {seq} (BREAK_GLASS_REVIEW {grant})")), "{line}");
        let mut sql = Sql::new("UPDATE break_glass SET review_status = 'CLOSED', reviewed_by = ");
        sql.bind(admin.clone())
            .push(", reviewed_at = ")
            .bind(reviewed_at)
            .push(", review_note = 'justified' WHERE id = ")
            .bind(grant.clone());
        db.execute_raw(sql.build_for(db)).await.unwrap();
        assert!(chain::verify(db).await.unwrap().intact());

        // Two administration-log rows' contents swapped (reordered): named at the first.
        let (a, b) = (admin_row, count(db, "SELECT MIN(id) FROM admin_log WHERE target = 'o-902'").await);
        let (first, second) = (seal_of(db, "ADMIN_LOG", &a.to_string()).await, seal_of(db, "ADMIN_LOG", &b.to_string()).await);
        assert!(first < second, "sealed in id order");
        let swap = |x: i64, y: i64| format!("UPDATE admin_log SET target = CASE id WHEN {x} THEN 'o-902' ELSE 'o-901' END, detail = CASE id WHEN {x} THEN 'roles KELA_EXPERT' ELSE 'roles TE_EXPERT' END WHERE id IN ({x}, {y})");
        exec(db, &swap(a, b)).await;
        let (at, record, _) = broken_at(db).await;
        assert_eq!((at, record), (first, Some(("ADMIN_LOG".to_owned(), a.to_string()))));
        exec(db, &swap(b, a)).await;
        assert!(chain::verify(db).await.unwrap().intact());
        // Their seals swapped instead (in one transaction, as the server seals meanwhile):
        // the records no longer follow the hashes.
        let exchange = |x: i64, y: i64| async move {
            use sea_orm::TransactionTrait;
            let tx = db.begin().await.unwrap();
            for sql in [
                format!("UPDATE record_seal SET row_id = -1 WHERE seq = {first}"),
                format!("UPDATE record_seal SET row_id = {x} WHERE seq = {second}"),
                format!("UPDATE record_seal SET row_id = {y} WHERE seq = {first}"),
            ] {
                tx.execute_unprepared(&sql).await.unwrap();
            }
            tx.commit().await.unwrap();
        };
        exchange(a, b).await;
        let (at, _, problem) = broken_at(db).await;
        assert_eq!(at, first, "{problem}");
        exchange(b, a).await;
        assert!(chain::verify(db).await.unwrap().intact());

        // A record of each class removed, the latest sealed first: each is named, as removed.
        let sql = Sql::new("SELECT id FROM break_glass WHERE review_status = 'OPEN'");
        let open_grant: String = db.query_one_raw(sql.build_for(db)).await.unwrap().unwrap().try_get("", "id").unwrap();
        let mut removals = vec![
            ("ADMIN_LOG", b.to_string(), format!("DELETE FROM admin_log WHERE id = {b}")),
            ("POLICY_VERSION", version.to_string(), format!("DELETE FROM policy_version WHERE version = {version}")),
            ("CLIENT_ACCESS_LOG", own_row.to_string(), format!("DELETE FROM client_access_log WHERE id = {own_row}")),
            ("BREAK_GLASS", open_grant.clone(), format!("DELETE FROM break_glass WHERE id = '{open_grant}'")),
        ];
        let mut seqs = Vec::new();
        for (kind, key, _) in &removals {
            seqs.push(seal_of(db, kind, key).await);
        }
        let mut order: Vec<usize> = (0..removals.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(seqs[i]));
        for i in order {
            let (kind, key, delete) = std::mem::take(&mut removals[i]);
            exec(db, &delete).await;
            let (at, record, problem) = broken_at(db).await;
            assert_eq!((at, record), (seqs[i], Some((kind.to_owned(), key))), "{problem}");
            assert!(problem.contains("removed"), "{problem}");
        }
        let _ = app;
    }
}

/// The record chain's head in `/metrics`: the sealed seq gauge and the info metric's labels.
async fn head_in_metrics(app: &TestApp) -> Option<Head> {
    let text = app
        .http
        .get(app.endpoint("/metrics"))
        .bearer_auth(crate::helpers::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    head_in_exposition(&text)
}

/// The head in a Prometheus text exposition, if published (and both metrics agree).
fn head_in_exposition(text: &str) -> Option<Head> {
    let seq: i64 = text
        .lines()
        .find_map(|l| l.strip_prefix("typgraph_audit_sealed_seq "))?
        .trim()
        .parse()
        .ok()?;
    let labels = text
        .lines()
        .find_map(|l| l.strip_prefix("typgraph_audit_head{"))?;
    let label = |name: &str| {
        labels
            .split(&format!("{name}=\""))
            .nth(1)
            .and_then(|v| v.split('"').next())
            .map(str::to_owned)
    };
    assert_eq!(label("seq")?, seq.to_string(), "{text}");
    assert!(labels.ends_with("} 1"), "{labels}");
    Some(Head {
        seq,
        hash: label("hash")?,
    })
}

on_both! {
    async fn the_head_is_published_in_metrics_and_verify_checks_against_it(app) {
        let db = &app.db;
        let admin = app.fx.official("ADMIN").to_owned();
        records_of_each_class(db, &admin, &app.fx.shared).await;
        let te = app.token_for("TE_EXPERT");
        let (_, b) = app.gql(&te, "query C($c: ID!) { caseView(clientId: $c) { client { firstName } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let v = all_sealed(db).await;
        // Published within a round (a second) of sealing.
        let start = Instant::now();
        let published = loop {
            if let Some(head) = head_in_metrics(&app).await {
                if head == v.records.head {
                    break head;
                }
            }
            assert!(start.elapsed() < Duration::from_secs(3), "{v:?} not published");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(published.seq >= 6, "{published:?}");
        let checked = chain::verify_against(db, Some(&published)).await.unwrap();
        assert!(checked.intact(), "{checked:?}");
        let (ok, line) = verify_cli(&app.url, Some(&published));
        assert!(ok, "{line}");
        assert!(line.contains(&format!("passes through the published head {published}")), "{line}");
        // A head this chain never had: refused.
        let other = Head { seq: published.seq, hash: "f".repeat(64) };
        let (ok, line) = verify_cli(&app.url, Some(&other));
        assert!(!ok && line.contains("is not the published head"), "{line}");
        let (ok, line) = verify_cli(&app.url, Some(&Head { seq: published.seq + 100, hash: published.hash.clone() }));
        assert!(!ok && line.contains("its tail was cut"), "{line}");
    }
}

/// A database migrated, with one official, one client and `reads` access-log rows by SQL.
async fn bare_database(
    backend: Backend,
) -> Option<(String, crate::helpers::DbGuard, DatabaseConnection)> {
    let (url, guard) = crate::helpers::fresh_database(backend).await?;
    let db = typgraph::db::connect(&url, None, None).await.unwrap();
    typgraph::db::migrate(&db).await.unwrap();
    let now = Utc::now();
    insert(
        &db,
        "official",
        &[
            ("id", text("o-900")),
            ("name", text("Testi Virkailija")),
            ("agency", text("TE")),
            ("active", true.into()),
            ("created_at", now.into()),
        ],
    )
    .await;
    Some((url, guard, db))
}

async fn access_reads(db: &DatabaseConnection, n: usize) {
    for _ in 0..n {
        insert(
            db,
            "access_log",
            &[
                ("at", Utc::now().into()),
                ("official_id", text("o-900")),
                ("agency", text("TE")),
                ("roles", text("TE_EXPERT")),
                ("action", text("READ")),
                ("field_groups", text("CASE")),
                ("operation", text("caseView")),
                ("reason", text("CaseView")),
            ],
        )
        .await;
    }
}

async fn admin_rows(db: &DatabaseConnection, n: usize) {
    for i in 0..n {
        insert(
            db,
            "admin_log",
            &[
                ("at", Utc::now().into()),
                ("official_id", text("o-900")),
                ("action", text("CREATE_PROVIDER")),
                ("target", text(&format!("p-{i}"))),
                ("detail", text("created")),
            ],
        )
        .await;
    }
}

/// Both chains sealed by hand (no server runs here, so nothing seals behind the test).
async fn seal_both(db: &DatabaseConnection) {
    chain::seal_pending(db, 0).await.unwrap();
    record_seal::seal_all(db).await.unwrap();
}

/// A tail cut from either chain, the records with their seals, leaves a chain that verifies
/// on its own; only the head published before the cut shows it.
async fn a_cut_tail_is_detected_against_the_published_head(backend: Backend) {
    let Some((url, _guard, db)) = bare_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    access_reads(&db, 3).await;
    admin_rows(&db, 2).await;
    seal_both(&db).await;
    let published = record_seal::head(&db).await.unwrap();
    let v = chain::verify_against(&db, Some(&published)).await.unwrap();
    assert!(v.intact(), "{v:?}");
    assert_eq!(
        (v.sealed, v.records.sealed),
        (3, 3),
        "three reads; two rows and a checkpoint"
    );

    // The record chain's tail cut: the last administration-log row and everything sealed
    // from it on removed. The rest still verifies on its own.
    let last_admin = count(&db, "SELECT MAX(id) FROM admin_log").await;
    let from = count(
        &db,
        &format!("SELECT seq FROM record_seal WHERE kind = 'ADMIN_LOG' AND row_id = {last_admin}"),
    )
    .await;
    exec(&db, &format!("DELETE FROM record_seal WHERE seq >= {from}")).await;
    exec(
        &db,
        &format!("DELETE FROM admin_log WHERE id = {last_admin}"),
    )
    .await;
    let v = chain::verify(&db).await.unwrap();
    assert!(v.intact(), "without a head the cut does not show: {v:?}");
    let v = chain::verify_against(&db, Some(&published)).await.unwrap();
    let broken = v
        .records
        .broken
        .clone()
        .expect("the published head shows the cut");
    assert_eq!(broken.seq, published.seq, "{broken:?}");
    assert!(
        broken
            .problem
            .contains(&format!("ends at seal {}", from - 1)),
        "{broken:?}"
    );
    let (ok, line) = verify_cli(&url, Some(&published));
    assert!(!ok, "{line}");
    assert!(line.contains("its tail was cut"), "{line}");
    // Sealed again from there on (a new checkpoint of the same access head): the chain
    // reaches the published seq, but not through the published head.
    seal_both(&db).await;
    assert!(record_seal::head(&db).await.unwrap().seq >= published.seq - 1);
    admin_rows(&db, 1).await;
    seal_both(&db).await;
    let v = chain::verify_against(&db, Some(&published)).await.unwrap();
    let broken = v.records.broken.expect("a rewritten tail");
    assert!(
        broken.problem.contains("is not the published head"),
        "{broken:?}"
    );

    // The access log's tail cut, rows and seals: its own chain verifies, but the record
    // chain's checkpoint of it names the missing seal.
    let published = record_seal::head(&db).await.unwrap();
    assert!(chain::verify_against(&db, Some(&published))
        .await
        .unwrap()
        .intact());
    let last = count(&db, "SELECT MAX(seq) FROM access_log_seal").await;
    let row = count(
        &db,
        &format!("SELECT access_log_id FROM access_log_seal WHERE seq = {last}"),
    )
    .await;
    exec(
        &db,
        &format!("DELETE FROM access_log_seal WHERE seq = {last}"),
    )
    .await;
    exec(&db, &format!("DELETE FROM access_log WHERE id = {row}")).await;
    let v = chain::verify(&db).await.unwrap();
    assert_eq!(v.broken, None, "the access chain alone cannot tell: {v:?}");
    let broken = v.records.broken.expect("the checkpoint names the cut");
    assert!(
        broken
            .problem
            .contains(&format!("access-log seal {last} is missing")),
        "{broken:?}"
    );
    assert_eq!(
        broken.record,
        Some(("ACCESS_CHAIN".to_owned(), last.to_string()))
    );
    let (ok, line) = verify_cli(&url, None);
    assert!(
        !ok && line.contains(&format!("access-log seal {last} is missing")),
        "{line}"
    );
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_tail_is_detected_against_the_published_head_sqlite() {
    a_cut_tail_is_detected_against_the_published_head(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_tail_is_detected_against_the_published_head_postgres() {
    a_cut_tail_is_detected_against_the_published_head(Backend::Postgres).await
}

/// The server logs each head it publishes, and puts it in `/metrics`; the logged head,
/// kept, shows a cut made after the server stopped.
async fn the_server_logs_the_head_it_publishes(backend: Backend) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let Some((url, _guard, db)) = bare_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    admin_rows(&db, 2).await;
    let mut child = crate::helpers::ChildGuard(
        Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
            .env("TYPGRAPH_JWT_SECRET", crate::helpers::TEST_SECRET)
            .env("TYPGRAPH_METRICS_TOKEN", crate::helpers::METRICS_TOKEN)
            .env_remove("TYPGRAPH_AUTHZ_DIR")
            .env("RUST_LOG", "info")
            .env("TYPGRAPH_LOG_FORMAT", "json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = child.stdout.take().unwrap();
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on http://").map(str::to_owned))
        .expect("the server starts");
    let stderr = child.stderr.take().unwrap();
    let (lines, logged) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    // Two administration-log rows and what the server wrote at start (its policy version):
    // once sealed, the head is logged.
    let logged_head = loop {
        let line = logged
            .recv_timeout(Duration::from_secs(5))
            .expect("the head is logged within 5 s");
        let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if event["message"] != "audit chain head" {
            continue;
        }
        let head = Head {
            seq: event["seq"].as_i64().unwrap_or_else(|| panic!("{event}")),
            hash: event["hash"]
                .as_str()
                .unwrap_or_else(|| panic!("{event}"))
                .to_owned(),
        };
        let v = chain::verify(&db).await.unwrap();
        if v.records.unsealed == 0 && head == v.records.head {
            break head;
        }
    };
    assert!(logged_head.seq >= 3, "{logged_head:?}");
    let text = reqwest::Client::new()
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(crate::helpers::METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        head_in_exposition(&text),
        Some(logged_head.clone()),
        "{text}"
    );
    let _ = child.kill();
    let _ = child.wait();

    // After it stopped, the tail cut (the last row with its seal): the logged head shows it.
    let last = count(&db, "SELECT MAX(seq) FROM record_seal").await;
    assert_eq!(last, logged_head.seq, "nothing sealed since");
    let row = count(
        &db,
        &format!("SELECT row_id FROM record_seal WHERE seq = {last}"),
    )
    .await;
    let admin = count(
        &db,
        &format!("SELECT COUNT(*) FROM record_seal WHERE seq = {last} AND kind = 'ADMIN_LOG'"),
    )
    .await;
    exec(&db, &format!("DELETE FROM record_seal WHERE seq = {last}")).await;
    if admin == 1 {
        exec(&db, &format!("DELETE FROM admin_log WHERE id = {row}")).await;
    } else {
        exec(
            &db,
            &format!("DELETE FROM policy_version WHERE version = {row}"),
        )
        .await;
    }
    let (ok, line) = verify_cli(&url, None);
    assert!(ok, "{line}");
    let (ok, line) = verify_cli(&url, Some(&logged_head));
    assert!(!ok && line.contains("its tail was cut"), "{line}");
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_the_head_it_publishes_sqlite() {
    the_server_logs_the_head_it_publishes(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_logs_the_head_it_publishes_postgres() {
    the_server_logs_the_head_it_publishes(Backend::Postgres).await
}
