//! The database itself refuses bad data: foreign keys, unique and check constraints hold on
//! both backends, and the demo data set covers what the demo must show.

use sea_orm::ConnectionTrait;

use crate::on_both;

async fn refused(app: &crate::helpers::TestApp, sql: &str) -> bool {
    app.db.execute_unprepared(sql).await.is_err()
}

on_both! {
    async fn constraints_are_enforced_by_the_database(app) {
        let now = "2026-01-01 00:00:00";
        let c = &app.fx.shared;
        let p = &app.fx.p1;
        let e = app.fx.official("EKSOTE_WORKER").to_owned();
        let period = |days: i32, hours: i32, start: &str, end: &str, no: &str| format!(
            "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, created_at) \
             VALUES ('x-{no}', '{c}', '{p}', '{no}', '2026-01-01', '{e}', '{start}', '{end}', {days}, {hours}, 'g', '{now}')"
        );
        // Sanity: a valid row is accepted.
        assert!(!refused(&app, &period(4, 8, "2026-01-01", "2026-06-30", "ok-1")).await);
        // 4 days x 8 h = 32 h is the most; 5 x 8 = 40 h is refused, as are 9-hour days and 6 days.
        assert!(refused(&app, &period(5, 8, "2026-01-01", "2026-06-30", "bad-1")).await);
        assert!(refused(&app, &period(3, 9, "2026-01-01", "2026-06-30", "bad-2")).await);
        assert!(refused(&app, &period(6, 4, "2026-01-01", "2026-06-30", "bad-3")).await);
        // Ends before it starts.
        assert!(refused(&app, &period(3, 6, "2026-06-30", "2026-01-01", "bad-4")).await);
        // The same decision number twice.
        assert!(refused(&app, &period(3, 6, "2026-01-01", "2026-06-30", "ok-1")).await);
        // Foreign keys: an unknown client or provider.
        assert!(refused(&app, &period(3, 6, "2026-01-01", "2026-06-30", "bad-5").replace(c.as_str(), "no-such-client")).await);
        // One personal identity code, one client.
        assert!(refused(&app, &format!(
            "INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES ('dup', '010190-901R', 'A', 'B', 'TE', 1, '{now}', '{now}')"
        )).await);
        // A second open TYP case for the same client.
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        assert!(refused(&app, &format!(
            "INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, created_at) VALUES ('case-2', '{c}', 'MAPPING', 'JOINT_ASSESSMENT', '{officer}', 'TE', '2026-01-01', '2026-04-01', '{now}')"
        )).await);
        // An outcome without an end date, and an unknown outcome.
        assert!(refused(&app, &format!(
            "INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, outcome, created_at) VALUES ('case-3', '{}', 'MAPPING', 'JOINT_ASSESSMENT', '{officer}', 'TE', '2026-01-01', '2026-04-01', 'STUDIES', '{now}')", app.fx.own_only
        )).await);
        // A provider official without a provider.
        assert!(refused(&app, &format!("INSERT INTO official (id, name, agency, active, created_at) VALUES ('o-x', 'X', 'PROVIDER', TRUE, '{now}')")).await);
        // A disclosure consent must name its recipient.
        assert!(refused(&app, &format!(
            "INSERT INTO consent (id, client_id, kind, given_on, recorded_by, recorded_by_agency, created_at) VALUES ('k-x', '{c}', 'DISCLOSURE', '2026-01-01', '{e}', 'EKSOTE', '{now}')"
        )).await);
    }
}

on_both! {
    async fn the_demo_data_set_covers_what_the_demo_must_show(app) {
        typgraph::demo::load_demo(&app.db).await.unwrap();
        for outcome in ["STUDIES", "PAY_SUBSIDISED_WORK", "OPEN_LABOUR_MARKET", "WORK_ABILITY_ASSESSMENT", "NEW_REHAB_PERIOD", "PENSION", "MOVED", "OTHER"] {
            assert!(app.count(&format!("SELECT COUNT(*) FROM typ_case WHERE outcome = '{outcome}'")).await > 0, "{outcome}");
        }
        assert!(app.count("SELECT COUNT(*) FROM typ_case WHERE ended_on IS NULL").await > 50);
        // Disclosure consents of HEALTH and SOCIAL: in force, expired and withdrawn.
        for group in ["HEALTH", "SOCIAL"] {
            let base = format!("SELECT COUNT(*) FROM consent c JOIN consent_field_group g ON g.consent_id = c.id WHERE g.field_group = '{group}'");
            assert!(app.count(&format!("{base} AND c.withdrawn_on IS NULL AND c.valid_until IS NULL")).await > 0);
            assert!(app.count(&format!("{base} AND c.valid_until IS NOT NULL")).await > 0);
            assert!(app.count(&format!("{base} AND c.withdrawn_on IS NOT NULL")).await > 0);
        }
        assert!(app.count("SELECT COUNT(*) FROM client c WHERE NOT EXISTS (SELECT 1 FROM consent k WHERE k.client_id = c.id AND k.kind = 'DISCLOSURE')").await > 100);
        assert!(app.count("SELECT COUNT(*) FROM attendance_day").await > 1000);
        assert!(app.count("SELECT COUNT(*) FROM network_meeting WHERE status = 'HELD' AND shared_record IS NOT NULL").await > 20);
        assert!(app.count("SELECT COUNT(*) FROM agreed_action WHERE meeting_id IS NOT NULL").await > 20);
        // The 2020 closure, and a provider's closure recorded after the days it covers.
        assert!(app.count("SELECT COUNT(*) FROM service_interruption").await == 2);
        // Corrections: days voided by an early end and by the closure, kept; periods with
        // their outcomes, a new period named where one followed.
        for cause in ["EARLY_END", "SERVICE_INTERRUPTION"] {
            assert!(app.count(&format!("SELECT COUNT(*) FROM attendance_correction WHERE cause = '{cause}'")).await > 0, "{cause}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM attendance_day WHERE voided_at IS NOT NULL").await, app.count("SELECT COUNT(*) FROM attendance_correction").await);
        assert!(app.count("SELECT COUNT(*) FROM rehab_period WHERE outcome = 'NEW_REHAB_PERIOD' AND followed_by_period_id IS NOT NULL").await > 0);
        assert!(app.count("SELECT COUNT(*) FROM rehab_period WHERE outcome = 'STUDIES' AND ended_early_on IS NOT NULL").await > 0);
        // Providers: the county's workshop and activity centre, two voucher, two third-sector.
        for (kind, n) in [("COUNTY_WORKSHOP", 2), ("COUNTY_ACTIVITY_CENTRE", 1), ("VOUCHER_PROVIDER", 2), ("THIRD_SECTOR", 3)] {
            // The fixture adds a workshop and a third-sector provider of its own.
            assert_eq!(app.count(&format!("SELECT COUNT(*) FROM provider WHERE kind = '{kind}'")).await, n, "{kind}");
        }
        // Every personal identity code is valid and in the test range.
        let rows = app.db.query_all_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "SELECT personal_identity_code FROM client")).await.unwrap();
        for row in rows {
            let code: String = row.try_get("", "personal_identity_code").unwrap();
            typgraph::domain::personal_identity_code::parse(&code).unwrap();
            let n: u32 = code[7..10].parse().unwrap();
            assert!((900..=999).contains(&n), "{code}");
        }
    }
}

on_both! {
    async fn every_migration_goes_down_and_up_again(app) {
        use migration::MigratorTrait;
        migration::Migrator::down(&app.db, None).await.unwrap();
        let leftover = match app.db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE 'seaql_migrations%'",
            _ => "SELECT COUNT(*) FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'seaql_migrations%' AND name NOT LIKE 'sqlite_%'",
        };
        assert_eq!(app.count(leftover).await, 0, "tables or indexes left after down");
        migration::Migrator::up(&app.db, None).await.unwrap();
        assert_eq!(app.count("SELECT COUNT(*) FROM agency").await, 4);
    }
}

on_both! {
    async fn the_access_log_refuses_an_unknown_agency_or_official_without_locking_what_it_names(app) {
        use sea_orm::ConnectionTrait;
        let te = app.fx.official("TE_EXPERT").to_owned();
        let values = |official: &str, agency: &str| {
            format!(
                "(CURRENT_TIMESTAMP, '{official}', '{agency}', 'TE_EXPERT', '{}', 'READ', 'CONTACT', 'caseView', 'test')",
                app.fx.shared
            )
        };
        let insert = |rows: &[String]| {
            format!(
                "INSERT INTO access_log (at, official_id, agency, roles, client_id, action, field_groups, operation, reason) VALUES {}",
                rows.join(", ")
            )
        };
        let before = app.count("SELECT COUNT(*) FROM access_log").await;
        assert!(app.db.execute_unprepared(&insert(&[values(&te, "NOPE")])).await.is_err(), "an agency not among the codes");
        assert!(app.db.execute_unprepared(&insert(&[values("no-such-official", "TE")])).await.is_err(), "an official not on record");
        // One unknown official among known ones refuses the whole statement.
        let mixed = [values(&te, "TE"), values("no-such-official", "TE"), values(&te, "TE")];
        assert!(app.db.execute_unprepared(&insert(&mixed)).await.is_err(), "an unknown official among known ones");
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, before);
        app.exec(&insert(&[values(&te, "TE"), values(&te, "TE")])).await;
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log").await, before + 2);
        // A logged row cannot be made to name someone not on record either.
        let rename = format!("UPDATE access_log SET official_id = 'no-such-official' WHERE official_id = '{te}'");
        assert!(app.db.execute_unprepared(&rename).await.is_err(), "a log row renamed to an unknown official");
        let named = format!("SELECT COUNT(*) FROM access_log WHERE official_id = '{te}'");
        assert!(app.count(&named).await >= 2);
        // What the log names stays on record: officials are deactivated, never deleted nor
        // renumbered, whether or not the log names them yet.
        // (A new official, named by nothing else that could refuse the delete.)
        let unlogged = "kept-official".to_owned();
        app.exec("INSERT INTO official (id, name, agency, active, created_at) VALUES ('kept-official', 'Kept Official', 'TE', TRUE, CURRENT_TIMESTAMP)").await;
        for official in [&te, &unlogged] {
            let delete = format!("DELETE FROM official WHERE id = '{official}'");
            assert!(app.db.execute_unprepared(&delete).await.is_err(), "deleting {official}");
            let renumber = format!("UPDATE official SET id = 'other-{official}' WHERE id = '{official}'");
            assert!(app.db.execute_unprepared(&renumber).await.is_err(), "renumbering {official}");
            assert_eq!(app.count(&format!("SELECT COUNT(*) FROM official WHERE id = '{official}'")).await, 1);
        }
        app.exec(&format!("UPDATE official SET active = FALSE WHERE id = '{unlogged}'")).await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM official WHERE id = '{unlogged}' AND NOT active")).await, 1);
        if app.db.get_database_backend() == sea_orm::DbBackend::Postgres {
            // A key checks each row apart, and locks the row it names (FOR KEY SHARE): the
            // log has none left, and checks its officials once per statement.
            let keys = "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'access_log'::regclass AND contype = 'f'";
            assert_eq!(app.count(keys).await, 0);
            let per_statement = "SELECT COUNT(*) FROM pg_trigger WHERE tgrelid = 'access_log'::regclass \
                 AND tgname LIKE 'access_log_officials_%' AND tgtype & 1 = 0";
            assert_eq!(app.count(per_statement).await, 2);
        }
    }
}
