//! Retention: `typgraph retention --dry-run` lists what is due and changes nothing;
//! `--apply` erases it (keyed pseudonyms for identities), records it, and leaves the access
//! log's hash chain verifiable.

use std::process::Command;

use sea_orm::ConnectionTrait;
use typgraph::db::Sql;

use crate::helpers::TestApp;
use crate::on_both;

const BIN: &str = env!("CARGO_BIN_EXE_typgraph");
const KEY: &str = "retention-test-key-0123456789abcdef0123";

fn cli(app: &TestApp, args: &[&str], key: Option<&str>) -> (bool, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .args(["--database-url", &app.url])
        .env("RUST_LOG", "error")
        .env_remove("TYPGRAPH_PSEUDONYM_KEY");
    if let Some(k) = key {
        cmd.env("TYPGRAPH_PSEUDONYM_KEY", k);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

async fn text(app: &TestApp, sql: &str) -> Option<String> {
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()?;
    row.try_get_by_index::<Option<String>>(0).unwrap()
}

on_both! {
    async fn retention_lists_then_erases_what_is_due_and_the_log_chain_still_verifies(app) {
        let today = chrono::Utc::now().date_naive();
        let years = |n: u32| today.checked_sub_months(chrono::Months::new(n * 12)).unwrap();
        // Officials read the clients first: the log has rows for them.
        let te = app.token_for("TE_EXPERT");
        for c in [&app.fx.shared, &app.fx.other_placement, &app.fx.own_only] {
            let (_, b) = app.gql(&te, "query V($c: ID!) { caseView(clientId: $c) { client { firstName } } }", serde_json::json!({ "c": c })).await;
            assert!(b.get("errors").is_none(), "{b}");
        }
        // The other placement's only case closed 11 years ago; the own-only client died 3
        // years ago; one allowance line of the shared client is 13 years old.
        let mut sql = Sql::new("UPDATE typ_case SET phase = 'CLOSED', outcome = 'STUDIES', opened_on = ");
        sql.bind(years(12)).push(", mapping_deadline = ").bind(years(12)).push(", ended_on = ").bind(years(11)).push(" WHERE client_id = ").bind(app.fx.other_placement.clone());
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        let mut sql = Sql::new("UPDATE client SET date_of_death = ");
        sql.bind(years(3)).push(" WHERE id = ").bind(app.fx.own_only.clone());
        app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        let period = text(&app, &format!("SELECT id FROM rehab_period WHERE client_id = '{}'", app.fx.shared)).await.unwrap();
        for month in [years(13).format("%Y-%m").to_string(), today.format("%Y-%m").to_string()] {
            let mut sql = Sql::new("INSERT INTO allowance_line (id, period_id, month, kind, payer, days, amount_cents, rule_version, created_at) VALUES (");
            sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(period.clone()).push(", ").bind(month).push(", 'EXPENSE_ALLOWANCE', 'KELA', 3, 2700, 'test', ").bind(chrono::Utc::now()).push(")");
            app.db.execute_raw(sql.build_for(&app.db)).await.unwrap();
        }
        let lines = app.count(&format!("SELECT COUNT(*) FROM allowance_line l JOIN rehab_period p ON p.id = l.period_id WHERE p.client_id = '{}'", app.fx.shared)).await;
        typgraph::audit::chain::seal_pending(&app.db, 0).await.unwrap();

        let goal = format!("SELECT goal FROM rehab_period WHERE client_id = '{}'", app.fx.other_placement);
        let goal_before = text(&app, &goal).await;
        // A voided day of the erased client, with its correction: the texts go too.
        let other_period = text(&app, &format!("SELECT id FROM rehab_period WHERE client_id = '{}'", app.fx.other_placement)).await.unwrap();
        let coach = app.fx.official("PROVIDER_COACH").to_owned();
        app.exec(&format!("UPDATE rehab_period SET ended_early_on = starts_on, end_reason = 'Moved to Kotka' WHERE id = '{other_period}'")).await;
        app.exec(&format!("INSERT INTO attendance_day (id, period_id, day, present, absence_reason, recorded_by, recorded_at, voided_at, voided_by, void_reason) VALUES ('voided-day', '{other_period}', '{}', FALSE, 'sick', '{coach}', '2026-01-01 00:00:00', '2026-01-02 00:00:00', '{coach}', 'the period ended early: Moved to Kotka')", years(11))).await;
        app.exec(&format!("INSERT INTO attendance_correction (id, attendance_day_id, period_id, day, cause, was_present, was_absence_reason, reason, corrected_by, corrected_at) VALUES ('c1', 'voided-day', '{other_period}', '{}', 'EARLY_END', FALSE, 'sick', 'the period ended early: Moved to Kotka', '{coach}', '2026-01-02 00:00:00')", years(11))).await;
        let code = |id: &str| format!("SELECT personal_identity_code FROM client WHERE id = '{id}'");

        // Dry run: lists the three, changes nothing.
        let (ok, out) = cli(&app, &["retention", "--dry-run"], None);
        assert!(ok, "{out}");
        assert!(out.contains(&format!("due SOCIAL_SERVICES client {}", app.fx.other_placement)), "{out}");
        assert!(out.contains(&format!("due BASIC_DATA client {}", app.fx.own_only)), "{out}");
        assert!(out.contains(&format!("due FEE_DECISIONS client {}", app.fx.shared)), "{out}");
        assert!(out.contains("3 due (dry run: nothing changed)"), "{out}");
        assert!(!out.contains("Eero") && !out.contains("020290-9027"), "no personal data in the listing: {out}");
        assert_eq!(text(&app, &goal).await, goal_before);
        assert_eq!(text(&app, &code(&app.fx.own_only)).await.as_deref(), Some("020290-9027"));

        // Apply without a key: refused, nothing changed.
        let (ok, out) = cli(&app, &["retention", "--apply"], None);
        assert!(!ok && out.contains("TYPGRAPH_PSEUDONYM_KEY"), "{out}");
        assert_eq!(app.count("SELECT COUNT(*) FROM retention_erasure").await, 0);

        let (ok, out) = cli(&app, &["retention", "--apply"], Some(KEY));
        assert!(ok, "{out}");
        assert!(out.contains("3 due, erased"), "{out}");
        // Social services text erased, the facts kept.
        assert_eq!(text(&app, &goal).await.as_deref(), Some(typgraph::services::retention::ERASED));
        for column in ["end_reason FROM rehab_period WHERE id = 'x'", "void_reason FROM attendance_day WHERE id = 'voided-day'", "reason FROM attendance_correction WHERE id = 'c1'", "was_absence_reason FROM attendance_correction WHERE id = 'c1'"] {
            let column = column.replace("'x'", &format!("'{other_period}'"));
            assert_eq!(text(&app, &format!("SELECT {column}")).await.as_deref(), Some(typgraph::services::retention::ERASED), "{column}");
        }
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE client_id = '{}'", app.fx.other_placement)).await, 1);
        // Basic data: a keyed pseudonym for the code, names pseudonymised, contacts gone.
        let expected = format!("#{}", &typgraph::services::retention::pseudonym(KEY, "020290-9027").unwrap()[..10].to_uppercase());
        assert_eq!(text(&app, &code(&app.fx.own_only)).await, Some(expected));
        assert!(text(&app, &format!("SELECT first_name FROM client WHERE id = '{}'", app.fx.own_only)).await.unwrap().starts_with("Pseudonym "));
        assert_eq!(text(&app, &format!("SELECT phone FROM client WHERE id = '{}'", app.fx.own_only)).await, None);
        // Fee decisions: the old line gone, the others kept.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM allowance_line l JOIN rehab_period p ON p.id = l.period_id WHERE p.client_id = '{}'", app.fx.shared)).await, lines - 1);
        // Nobody else touched.
        assert_eq!(text(&app, &code(&app.fx.shared)).await.as_deref(), Some("010190-901R"));
        assert_eq!(app.count("SELECT COUNT(*) FROM retention_erasure").await, 3);

        // Nothing is due twice, and the log chain verifies over the erased clients.
        let (ok, out) = cli(&app, &["retention", "--dry-run"], None);
        assert!(ok && out.contains("0 due"), "{out}");
        let (ok, out) = cli(&app, &["audit", "verify"], None);
        assert!(ok && out.contains("access log intact"), "{out}");
    }
}
