//! The visibility the database keeps on each client's row (`client.typ_through`,
//! `client.recorded_by_*`) agrees with the rule stated over the tables it derives from,
//! whatever writes those tables: the fixture's bulk inserts, and later inserts, updates,
//! deletes and moves of records; and a page of clients follows it.

use chrono::{Days, Months, NaiveDate};
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both;

/// The agencies' own records, stated here on their own: (table, the column naming the
/// recording agency, or the one agency whose records all its rows are).
const OWN_RECORDS: &[(&str, Result<&str, &str>)] = &[
    ("typ_case", Ok("responsible_agency")),
    ("consent", Ok("recorded_by_agency")),
    ("work_ability_assessment", Ok("assessor_agency")),
    ("benefit_decision", Ok("agency")),
    ("agency_note", Ok("agency")),
    ("job_coaching", Ok("ordered_by_agency")),
    ("rehab_period", Err("EKSOTE")),
    ("employment_item", Err("TE")),
    ("labour_policy_statement", Err("TE")),
    ("pay_subsidy", Err("TE")),
];

/// Clients whose kept columns disagree with the rule over the tables, for a retention
/// cutoff `cutoff`.
async fn disagreements(app: &TestApp, cutoff: NaiveDate) -> i64 {
    let d = cutoff.format("%Y-%m-%d");
    let typ = format!(
        "EXISTS (SELECT 1 FROM typ_case t WHERE t.client_id = c.id \
         AND t.agreement_withdrawn_on IS NULL \
         AND (t.ended_on IS NULL OR t.ended_on >= '{d}' OR t.closure_recorded_on >= '{d}'))"
    );
    let mut differs = vec![format!(
        "(CASE WHEN c.typ_through IS NOT NULL AND c.typ_through >= '{d}' THEN 1 ELSE 0 END) \
         <> (CASE WHEN {typ} THEN 1 ELSE 0 END)"
    )];
    for agency in ["TE", "EKSOTE", "KELA"] {
        let probes: Vec<String> = OWN_RECORDS
            .iter()
            .filter(|(_, owner)| *owner != Err("TE") || agency == "TE")
            .filter(|(_, owner)| *owner != Err("EKSOTE") || agency == "EKSOTE")
            .map(|(table, owner)| match owner {
                Ok(column) => format!(
                    "EXISTS (SELECT 1 FROM {table} x WHERE x.client_id = c.id AND x.{column} = '{agency}')"
                ),
                Err(_) => format!("EXISTS (SELECT 1 FROM {table} x WHERE x.client_id = c.id)"),
            })
            .collect();
        differs.push(format!(
            "(CASE WHEN c.recorded_by_{} THEN 1 ELSE 0 END) <> (CASE WHEN {} THEN 1 ELSE 0 END)",
            agency.to_lowercase(),
            probes.join(" OR ")
        ));
    }
    app.count(&format!(
        "SELECT COUNT(*) FROM client c WHERE {}",
        differs.join(" OR ")
    ))
    .await
}

/// [`disagreements`] over cutoffs around today and far back.
async fn assert_agrees(app: &TestApp, when: &str) {
    let today = app.fx.today;
    let cutoffs = [
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap(),
        today - Months::new(12 * 20),
        today - Months::new(12 * 5),
        today - Days::new(1),
        today,
        today + Days::new(1),
    ];
    for cutoff in cutoffs {
        assert_eq!(
            disagreements(app, cutoff).await,
            0,
            "{when}, cutoff {cutoff}"
        );
    }
}

/// The ids on KELA_EXPERT's first page of clients.
async fn kela_page(app: &TestApp) -> Vec<String> {
    let (_, body) = app
        .gql(
            &app.token_for("KELA_EXPERT"),
            "{ clients(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    body["data"]["clients"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

on_both! {
    async fn the_kept_visibility_follows_every_write_of_the_records(app) {
        assert_agrees(&app, "after the fixture").await;
        let held = app.count("SELECT COUNT(*) FROM client WHERE typ_through IS NOT NULL").await;
        assert!(held >= 2, "the fixture's TYP clients have a day: {held}");
        let placed = app.fx.other_placement.clone();
        assert!(kela_page(&app).await.contains(&placed), "a TYP client is Kela's to see");

        // Its case closed twenty years ago: no longer a TYP client, and Kela recorded nothing.
        let long_ago = (app.fx.today - Months::new(12 * 20)).format("%Y-%m-%d");
        app.exec(&format!(
            "UPDATE typ_case SET opened_on = '{long_ago}', mapping_deadline = '{long_ago}', \
             ended_on = '{long_ago}', closure_recorded_on = '{long_ago}', phase = 'CLOSED', \
             outcome = 'OTHER' WHERE client_id = '{placed}'"
        ))
        .await;
        assert_agrees(&app, "after a case was closed").await;
        assert!(!kela_page(&app).await.contains(&placed), "out of TYP, none of Kela's");

        // Kela writes a note of its own: the client is Kela's to see again.
        let note = uuid::Uuid::new_v4().to_string();
        let kela = app.fx.official("KELA_EXPERT").to_owned();
        app.exec(&format!(
            "INSERT INTO agency_note (id, client_id, agency, author_id, body, shared_with_case_team, created_at) \
             VALUES ('{note}', '{placed}', 'KELA', '{kela}', 'Oma merkintä', FALSE, CURRENT_TIMESTAMP)"
        ))
        .await;
        assert_agrees(&app, "after Kela's note").await;
        assert!(kela_page(&app).await.contains(&placed), "Kela's own record");

        // The note moved to another client (as a merge moves records): both rows follow.
        let shared = app.fx.shared.clone();
        app.exec(&format!("UPDATE agency_note SET client_id = '{shared}' WHERE id = '{note}'"))
            .await;
        assert_agrees(&app, "after the note moved").await;
        assert!(!kela_page(&app).await.contains(&placed), "the note went with the move");

        // Deleted: nothing of Kela's is left of it.
        app.exec(&format!("UPDATE agency_note SET client_id = '{placed}' WHERE id = '{note}'"))
            .await;
        assert!(kela_page(&app).await.contains(&placed));
        app.exec(&format!("DELETE FROM agency_note WHERE id = '{note}'")).await;
        assert_agrees(&app, "after the note was deleted").await;
        assert!(!kela_page(&app).await.contains(&placed), "a deleted record opens nothing");

        // The shared client withdraws the agreement its case rests on.
        app.exec(&format!(
            "UPDATE typ_case SET agreement_withdrawn_on = '{}' WHERE client_id = '{shared}'",
            app.fx.today.format("%Y-%m-%d")
        ))
        .await;
        assert_agrees(&app, "after a withdrawal").await;
        let through = app
            .count(&format!("SELECT COUNT(*) FROM client WHERE id = '{shared}' AND typ_through IS NULL"))
            .await;
        assert_eq!(through, 1, "no case whose agreement stands");
    }
}

/// PostgreSQL: every index and constraint of the tables a data set load fills, as the
/// catalog defines them.
async fn definitions(app: &TestApp) -> Vec<String> {
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index \
             UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || \
             pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid <> 0 \
             UNION ALL SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text \
             FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

on_both! {
    async fn a_bulk_load_keeps_the_visibility_rule_and_the_schema(app) {
        // On PostgreSQL the load drops the largest tables' indexes and keys and stops the
        // visibility triggers while it inserts, then restores them and refreshes every client.
        let postgres = app.db.get_database_backend() == sea_orm::DbBackend::Postgres;
        let before = if postgres { definitions(&app).await } else { Vec::new() };
        typgraph::demo::load(&app.db, 60, 11, false).await.unwrap();
        assert_agrees(&app, "after a load of 60 clients").await;
        let held = app.count("SELECT COUNT(*) FROM client WHERE typ_through IS NOT NULL").await;
        assert!(held > 40, "the loaded clients' cases: {held}");
        let days = app.count("SELECT COUNT(*) FROM attendance_day").await;
        assert!(days > 1000, "attendance loaded: {days}");
        if postgres {
            assert_eq!(definitions(&app).await, before, "indexes, constraints and triggers");
        }
        // A later write is followed by the triggers again.
        let placed = app.fx.other_placement.clone();
        let kela = app.fx.official("KELA_EXPERT").to_owned();
        app.exec(&format!(
            "INSERT INTO agency_note (id, client_id, agency, author_id, body, shared_with_case_team, created_at) \
             VALUES ('{}', '{placed}', 'KELA', '{kela}', 'Oma merkintä', FALSE, CURRENT_TIMESTAMP)",
            uuid::Uuid::new_v4()
        ))
        .await;
        assert_agrees(&app, "after a note written after the load").await;
    }
}
