//! The access log's hash chain: sealed rows, and `typgraph audit verify` detecting a changed
//! or removed row.

use std::process::Command;

use serde_json::json;
use typgraph::audit::chain;

use crate::on_both;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");

/// `typgraph audit verify --database-url URL`: exit status and the one line it printed.
fn verify_cli(url: &str) -> (bool, String) {
    let out = Command::new(BIN)
        .args(["audit", "verify", "--database-url", url])
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
        // tail does not: keep the printed head elsewhere to detect that.)
        app.exec(&format!("DELETE FROM access_log_seal WHERE seq = {seq}")).await;
        let broken = chain::verify(&app.db).await.unwrap().broken.unwrap();
        assert_eq!(broken.seq, seq, "{broken:?}");
        let (ok, line) = verify_cli(&app.url);
        assert!(!ok && line.contains(&format!("seal {seq} is missing")), "{line}");
    }
}

on_both! {
    async fn rows_committed_while_serving_are_sealed_within_a_second(app) {
        let te = app.token_for("TE_EXPERT");
        let (_, b) = app.gql(&te, "query C($c: ID!) { caseView(clientId: $c) { client { firstName } } }", json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let rows = app.count("SELECT COUNT(*) FROM access_log").await;
        sealed(&app, rows).await;
        let v = chain::verify(&app.db).await.unwrap();
        assert_eq!((v.sealed as i64, v.broken), (rows, None));
    }
}
