//! The access log's hash chain: sealed rows, and `typgraph audit verify` detecting a changed
//! or removed row.

use std::process::Command;

use serde_json::json;
use typgraph::audit::chain;

use crate::on_both;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");

/// `typgraph audit verify --database-url URL`: exit status and the one line it printed.
fn verify_cli(url: &str) -> (bool, String) {
    verify_cli_with(url, &[])
}

/// `typgraph audit verify --database-url URL` with more arguments: exit status and what it
/// printed.
pub fn verify_cli_with(url: &str, more: &[String]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["audit", "verify", "--database-url", url])
        .args(more)
        .env("RUST_LOG", "error")
        .output()
        .expect("run typgraph audit verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text.trim().to_owned())
}

/// Waits (3 s at most) until the server's sealer has sealed `rows` rows.
async fn sealed(app: &crate::helpers::TestApp, rows: i64) {
    let start = std::time::Instant::now();
    while app.count("SELECT COUNT(*) FROM access_log_seal").await < rows {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(3),
            "not sealed after 3 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

on_both! {
    async fn the_chain_holds_and_verify_names_a_changed_and_a_removed_row(app) {
        let te = app.token_for("TE_EXPERT");
        let kela = app.token_for("KELA_EXPERT");
        let q = "query C($c: ID!) { caseView(clientId: $c) { client { firstName } typCase { phase } } }";
        // Kela's read under the health consent also writes a disclosure row, which is hashed.
        let (_, b) = app.gql(&kela, "query H($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        for _ in 0..3 {
            let (s, b) = app.gql(&te, q, json!({ "c": app.fx.shared })).await;
            assert_eq!(s, 200, "{b}");
        }
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        assert!(rows >= 4);
        assert!(app.count("SELECT COUNT(*) FROM disclosure_log").await >= 1);

        // The server's sealer seals what committed, each row once.
        sealed(&app, rows).await;
        assert_eq!(app.count("SELECT COUNT(DISTINCT access_log_id) FROM access_log_seal").await, rows);
        let v = chain::verify(&app.db).await.unwrap();
        assert_eq!((v.sealed as i64, v.unsealed, v.broken.clone()), (rows, 0, None), "{v:?}");
        let (ok, line) = verify_cli(&app.url);
        assert!(ok, "{line}");
        assert!(line.starts_with(&format!("access log intact: {rows} rows sealed, 0 not yet sealed, head {}", v.head)), "{line}");

        // One field of one row changed by SQL: verify fails at that row.
        let second = app.count("SELECT access_log_id FROM access_log_seal WHERE seq = 2").await;
        app.exec(&format!("UPDATE access_log SET field_groups = 'CONTACT' WHERE id = {second}")).await;
        let v = chain::verify(&app.db).await.unwrap();
        let broken = v.broken.expect("a changed row breaks the chain");
        assert_eq!((broken.seq, broken.access_log_id), (2, Some(second)));
        assert_eq!(v.sealed, 1, "only the links before it hold");
        let (ok, line) = verify_cli(&app.url);
        assert!(!ok, "verify must fail: {line}");
        assert!(line.contains(&format!("broken at seal 2 (access-log row {second})")), "{line}");
        assert!(line.contains("changed"), "{line}");

        // Changed back, the chain holds again: the hash is over the content, nothing else.
        app.exec(&format!("UPDATE access_log SET field_groups = 'CONTACT,CASE' WHERE id = {second}")).await;
        assert_eq!(chain::verify(&app.db).await.unwrap().broken, None);

        // A disclosure row removed: the row it belongs to no longer matches its seal.
        let disclosed = app.count("SELECT MIN(access_log_id) FROM disclosure_log").await;
        let seq = app.count(&format!("SELECT seq FROM access_log_seal WHERE access_log_id = {disclosed}")).await;
        app.exec(&format!("DELETE FROM disclosure_log WHERE access_log_id = {disclosed}")).await;
        let broken = chain::verify(&app.db).await.unwrap().broken.expect("a removed disclosure breaks the chain");
        assert_eq!((broken.seq, broken.access_log_id), (seq, Some(disclosed)));

        // A whole row removed (its disclosures are already gone).
        app.exec(&format!("DELETE FROM access_log WHERE id = {disclosed}")).await;
        let broken = chain::verify(&app.db).await.unwrap().broken.unwrap();
        assert_eq!((broken.seq, broken.access_log_id), (seq, Some(disclosed)));
        assert!(broken.problem.contains("removed"), "{broken:?}");

        // The row and its seal removed together: the gap in the seals shows. (A cut-off
        // tail of this chain alone does not: the record chain's checkpoints and its
        // published head show that, see chain_coverage.)
        app.exec(&format!("DELETE FROM access_log_seal WHERE seq = {seq}")).await;
        let broken = chain::verify(&app.db).await.unwrap().broken.unwrap();
        assert_eq!(broken.seq, seq, "{broken:?}");
        let (ok, line) = verify_cli(&app.url);
        assert!(!ok && line.contains(&format!("seal {seq} is missing")), "{line}");
    }
}

on_both! {
    async fn rows_committed_while_serving_are_sealed_within_a_second(app) {
        one_case_view(&app).await;
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        sealed(&app, rows).await;
        let v = chain::verify(&app.db).await.unwrap();
        assert_eq!((v.sealed as i64, v.broken), (rows, None));
    }
}

/// One case view read as TE_EXPERT: the log then holds a row to copy.
async fn one_case_view(app: &crate::helpers::TestApp) {
    let te = app.token_for("TE_EXPERT");
    let (_, b) = app
        .gql(
            &te,
            "query C($c: ID!) { caseView(clientId: $c) { client { firstName } } }",
            json!({ "c": app.fx.shared }),
        )
        .await;
    assert!(b.get("errors").is_none(), "{b}");
}

/// An INSERT of `n` copies of the first access-log row (its `columns` only).
fn copies_of_first_row(columns: &str, n: i64) -> String {
    format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         INSERT INTO access_log ({columns}) SELECT {columns} FROM n CROSS JOIN \
         (SELECT {columns} FROM access_log ORDER BY id LIMIT 1) f"
    )
}

/// The lines of PostgreSQL's EXPLAIN ANALYZE of `sql` with its `values`.
async fn plan_of(
    conn: &impl sea_orm::ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Vec<String> {
    let explain = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        format!("EXPLAIN (ANALYZE, TIMING OFF) {sql}"),
        values,
    );
    conn.query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// Rows (times loops) that the plan's scans of `table` read, from EXPLAIN ANALYZE's text:
/// those they returned and those they read and dropped (`Rows Removed by ...`).
fn rows_read(plan: &[String], table: &str) -> f64 {
    let figure = |line: &str, key: &str| -> f64 {
        let actual = line.split("(actual").nth(1).unwrap_or("");
        actual
            .split(key)
            .nth(1)
            .and_then(|v| v.split(|c: char| !c.is_ascii_digit() && c != '.').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let mut read = 0.0;
    // The scan node the detail lines below belong to, and its loops.
    let mut node: Option<f64> = None;
    for line in plan {
        if line.contains("(actual") {
            node = line
                .contains(&format!(" on {table} "))
                .then(|| figure(line, "loops="));
            read += node.map_or(0.0, |loops| figure(line, "rows=") * loops);
        } else if let (Some(loops), Some(removed)) = (node, line.split("Rows Removed by").nth(1)) {
            let removed: f64 = removed
                .split(':')
                .nth(1)
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0);
            read += removed * loops;
        }
    }
    read
}

on_both! {
    async fn a_sealing_round_reads_only_the_log_above_its_floor(app) {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        one_case_view(&app).await;
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        sealed(&app, rows).await;
        // A long-running service: 30,000 sealed rows (copies of the first, with their seals,
        // in one transaction so that the server's sealer never sees them unsealed).
        let top = app.count("SELECT MAX(id) FROM access_log").await;
        let columns = "at, official_id, agency, roles, client_id, action, field_groups, operation, reason";
        let copies = |n: i64| copies_of_first_row(columns, n);
        let tx = app.db.begin().await.unwrap();
        tx.execute_unprepared(&copies(30_000)).await.unwrap();
        tx.execute_unprepared(&format!(
            "INSERT INTO access_log_seal (seq, access_log_id, hash, sealed_at) \
             SELECT 1000000 + a.id, a.id, 'test', a.at FROM access_log a WHERE a.id > {top}"
        ))
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let sealed_top = app.count("SELECT MAX(id) FROM access_log").await;
        // Three rows the sealer has not reached yet: the server's sealer is stopped from
        // taking them by holding them in an open transaction while the round is read.
        let tx = app.db.begin().await.unwrap();
        tx.execute_unprepared(&copies(3)).await.unwrap();
        let floor = sealed_top - 5;
        let ids = |statement: sea_orm::Statement| {
            let tx = &tx;
            async move {
                tx.query_all_raw(statement)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<i64>("", "id").unwrap())
                    .collect::<Vec<i64>>()
            }
        };
        let round = chain::unsealed_above(floor, None).build_for(&tx);
        assert_eq!(ids(round.clone()).await, vec![sealed_top + 1, sealed_top + 2, sealed_top + 3]);
        // A slice of the pass over older ids reads its range only.
        let slice = chain::unsealed_above(floor, Some(sealed_top + 2)).build_for(&tx);
        assert_eq!(ids(slice).await, vec![sealed_top + 1, sealed_top + 2]);
        let slice = chain::unsealed_above(0, Some(sealed_top)).build_for(&tx);
        assert_eq!(ids(slice).await, Vec::<i64>::new(), "everything below is sealed");
        if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
            tx.execute_unprepared("ANALYZE access_log, access_log_seal").await.unwrap();
            // The sealer's statement is prepared and run thousands of times: PostgreSQL may
            // then plan it once for any floor (a generic plan), where `id > $1` is guessed to
            // match a third of the log. Both plans must stay within the floor.
            let sql = round.sql.replacen("$1", "$1::bigint", 1);
            // Every parameter of the round is the floor.
            let binds = round.values.as_ref().map_or(0, |v| v.0.len());
            let args = vec![floor.to_string(); binds].join(", ");
            tx.execute_unprepared(&format!("PREPARE sealing_round AS {sql}")).await.unwrap();
            for mode in ["force_custom_plan", "force_generic_plan"] {
                tx.execute_unprepared(&format!("SET LOCAL plan_cache_mode = {mode}")).await.unwrap();
                let plan = plan_of(&tx, &format!("EXECUTE sealing_round({args})"), Vec::new()).await;
                let read = rows_read(&plan, "access_log_seal");
                assert!(plan.iter().any(|l| l.contains(" on access_log_seal ")), "{plan:#?}");
                assert!(read <= 10.0, "{mode}: a round read {read} seals to find 3 rows: {plan:#?}");
            }
            tx.execute_unprepared("DEALLOCATE sealing_round").await.unwrap();
        }
        tx.rollback().await.unwrap();
    }
}

on_both! {
    async fn a_sealing_round_reads_what_is_attached_to_its_rows_by_their_range(app) {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        one_case_view(&app).await;
        let top = app.count("SELECT MAX(id) FROM access_log").await;
        // 20,000 listing rows of ten clients each, held in a transaction the server's
        // sealer cannot see; the listed clients' table has no statistics of them.
        let columns = "at, official_id, agency, roles, client_id, action, field_groups, operation, reason";
        let tx = app.db.begin().await.unwrap();
        tx.execute_unprepared(&copies_of_first_row(columns, 20_000)).await.unwrap();
        let ten = (0..10).map(|k| format!("SELECT 'c{k}' AS c")).collect::<Vec<_>>().join(" UNION ALL ");
        tx.execute_unprepared(&format!(
            "INSERT INTO access_log_client (access_log_id, client_id) \
             SELECT a.id, k.c FROM access_log a CROSS JOIN ({ten}) k WHERE a.id > {top}"
        ))
        .await
        .unwrap();
        // A round's rows: every other one of the newest 400 (rows of a round need not be
        // next to each other).
        let newest = top + 20_000;
        let ids: Vec<i64> = (newest - 399..=newest).step_by(2).collect();
        let reads = chain::attached_reads(&ids).expect("ids given");
        let listed = tx.get_database_backend().build(&reads.listed);
        let rows = tx.query_all_raw(listed.clone()).await.unwrap();
        assert_eq!(rows.len(), 2_000, "ten clients of each of the 200 rows");
        assert!(rows.iter().all(|r| ids.contains(&r.try_get::<i64>("", "access_log_id").unwrap())));
        assert!(chain::attached_reads(&[]).is_none());
        if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
            let values = listed.values.clone().map(|v| v.0).unwrap_or_default();
            let plan = plan_of(&tx, &listed.sql, values).await;
            let read = rows_read(&plan, "access_log_client");
            assert!(plan.iter().any(|l| l.contains(" on access_log_client ")), "{plan:#?}");
            assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{plan:#?}");
            assert!(read <= 2_000.0, "a round read {read} listed clients to find 2,000: {plan:#?}");
        }
        tx.rollback().await.unwrap();
    }
}

/// A catch-up of several pages (rows left unsealed by a stopped service, or written by
/// another program): every row is sealed once and in order, and each page reads on from
/// where the one before ended instead of from the floor again. No server runs here, so no
/// other sealer takes part.
async fn a_catch_up_reads_the_log_once(backend: crate::helpers::Backend) {
    use sea_orm::{ConnectionTrait, Statement};
    let Some((url, _guard)) = crate::helpers::fresh_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    let db = typgraph::db::connect(&url, None, None).await.unwrap();
    typgraph::db::migrate(&db).await.unwrap();
    let backend = db.get_database_backend();
    let now = chrono::Utc::now();
    db.execute_raw(
        typgraph::db::Sql::new("INSERT INTO official (id, name, agency, active, created_at) VALUES ('o-900', 'Testi Virkailija', 'TE', TRUE, ")
            .bind(now)
            .push(")")
            .build_for(&db),
    )
    .await
    .unwrap();
    let columns = "at, official_id, agency, roles, action, field_groups, operation, reason";
    db.execute_raw(
        typgraph::db::Sql::new(&format!("INSERT INTO access_log ({columns}) VALUES ("))
            .bind(now)
            .push(", 'o-900', 'TE', 'TE_EXPERT', 'READ', 'CASE', 'caseView', 'CaseView')")
            .build_for(&db),
    )
    .await
    .unwrap();
    db.execute_unprepared(&copies_of_first_row(columns, 4499))
        .await
        .unwrap();
    let ids: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT id FROM access_log ORDER BY id",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<i64>("", "id").unwrap())
        .collect();
    assert_eq!(ids.len(), 4500);

    let pages = chain::seal_pending_by_page(&db, 0).await.unwrap();
    assert_eq!(pages, vec![(0, 2000), (ids[1999], 2000), (ids[3999], 500)]);
    let v = chain::verify(&db).await.unwrap();
    assert_eq!((v.sealed, v.unsealed, v.broken), (4500, 0, None));
    // In order: seal n is the n-th row.
    let out_of_order = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n FROM access_log_seal s WHERE s.seq <> (SELECT COUNT(*) FROM access_log a WHERE a.id <= s.access_log_id)",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(out_of_order, 0);
    assert_eq!(
        chain::seal_pending_by_page(&db, 0).await.unwrap(),
        vec![],
        "nothing is sealed twice"
    );
    db.close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_reads_the_log_once_sqlite() {
    a_catch_up_reads_the_log_once(crate::helpers::Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_reads_the_log_once_postgres() {
    a_catch_up_reads_the_log_once(crate::helpers::Backend::Postgres).await
}
