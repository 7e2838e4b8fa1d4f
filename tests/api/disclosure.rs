//! Disclosures on a consent or on a statute: the disclosure log written by the recorder in
//! the request's transaction, its migration from consent-only rows, and the chain over old
//! and new rows.

use std::sync::Arc;

use chrono::Utc;
use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseConnection, TransactionTrait, Value};
use typgraph::audit::{chain, AccessRecorder, Recipient};
use typgraph::authz::{Caller, FieldGroup, FieldMask, Principal};
use typgraph::domain::{Agency, Role};

use crate::helpers::{fresh_database, insert, Backend};

fn s(v: &str) -> Value {
    v.into()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .or_else(|_| row.try_get_by_index::<i32>(0).map(i64::from))
        .unwrap()
}

/// An official of the employment authority, as signed in.
fn te_official() -> Principal {
    Principal {
        official_id: "o-te".into(),
        name: "Testi Virkailija".into(),
        agency: Agency::Te,
        provider_id: None,
        roles: vec![Role::TeExpert],
        mask: Arc::new(FieldMask::empty()),
        emergency: Vec::new(),
    }
}

/// A database migrated up to the change that records a disclosure's basis, holding two
/// consent-based disclosures as they were logged then, sealed; then migrated to the end.
async fn rows_sealed_before_the_basis_was_recorded(db: &DatabaseConnection) {
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let before = names
        .iter()
        .position(|n| n.starts_with("024_"))
        .expect("the disclosure basis migration is listed");
    migration::Migrator::up(db, Some(before as u32))
        .await
        .unwrap();
    // To the microsecond, as both databases keep it.
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    for (id, agency) in [("o-te", "TE"), ("o-kela", "KELA")] {
        insert(
            db,
            "official",
            &[
                ("id", s(id)),
                ("name", s("Testi Virkailija")),
                ("agency", s(agency)),
                ("active", true.into()),
                ("created_at", now.into()),
            ],
        )
        .await;
    }
    insert(
        db,
        "client",
        &[
            ("id", s("c1")),
            ("personal_identity_code", s("010190-900P")),
            ("first_name", s("Testi")),
            ("last_name", s("Henkilö")),
            ("registered_by_agency", s("TE")),
            ("created_at", now.into()),
            ("updated_at", now.into()),
        ],
    )
    .await;
    insert(
        db,
        "consent",
        &[
            ("id", s("k1")),
            ("client_id", s("c1")),
            ("kind", s("DISCLOSURE")),
            ("recipient_agency", s("KELA")),
            ("given_on", now.date_naive().into()),
            ("recorded_by", s("o-te")),
            ("recorded_by_agency", s("TE")),
            ("created_at", now.into()),
        ],
    )
    .await;
    for _ in 0..2 {
        insert(
            db,
            "access_log",
            &[
                ("at", now.into()),
                ("official_id", s("o-kela")),
                ("agency", s("KELA")),
                ("roles", s("KELA_EXPERT")),
                ("client_id", s("c1")),
                ("action", s("READ")),
                ("field_groups", s("HEALTH,WORK_ABILITY")),
                ("operation", s("caseView")),
                ("reason", s("CaseView")),
            ],
        )
        .await;
    }
    let first = count(db, "SELECT MIN(id) FROM access_log").await;
    for (log, group) in [(first, "HEALTH"), (first, "SOCIAL"), (first + 1, "HEALTH")] {
        insert(
            db,
            "disclosure_log",
            &[
                ("access_log_id", log.into()),
                ("client_id", s("c1")),
                ("recipient_agency", s("KELA")),
                ("field_group", s(group)),
                ("consent_id", s("k1")),
            ],
        )
        .await;
    }
    seal_as_then(
        db,
        &[(first, &["HEALTH", "SOCIAL"]), (first + 1, &["HEALTH"])],
        now,
    )
    .await;
    migration::Migrator::up(db, None).await.unwrap();
}

/// Seals the two rows as the sealer did before disclosures recorded their basis: a
/// disclosure hashed as `[recipient agency, group, consent]`, written out here on its own
/// so that a change to how the chain hashes old rows cannot go unnoticed.
async fn seal_as_then(db: &DatabaseConnection, rows: &[(i64, &[&str])], at: chrono::DateTime<Utc>) {
    use sha2::Digest;
    let mut prev = chain::GENESIS.to_owned();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    for (seq, (id, groups)) in rows.iter().enumerate() {
        let disclosures: Vec<[&str; 3]> = groups.iter().map(|g| ["KELA", g, "k1"]).collect();
        let canonical = serde_json::json!([
            prev,
            id,
            at,
            "o-kela",
            "KELA",
            "KELA_EXPERT",
            "c1",
            "READ",
            "HEALTH,WORK_ABILITY",
            "caseView",
            "CaseView",
            disclosures,
        ]);
        let hash = hex::encode(sha2::Sha256::digest(canonical.to_string().as_bytes()));
        insert(
            db,
            "access_log_seal",
            &[
                ("seq", (seq as i64 + 1).into()),
                ("access_log_id", (*id).into()),
                ("hash", s(&hash)),
                ("sealed_at", Utc::now().into()),
            ],
        )
        .await;
        prev = hash;
    }
}

async fn statutory_disclosures_are_logged_and_sealed_beside_old_consent_rows(backend: Backend) {
    let Some((url, _guard)) = fresh_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    let db = typgraph::db::connect(&url, None, None).await.unwrap();
    rows_sealed_before_the_basis_was_recorded(&db).await;

    // The old rows came over as consent-based, to an agency, the discloser unrecorded, in
    // their order; the chain sealed over them still holds.
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM disclosure_log WHERE basis = 'CONSENT' AND consent_id = 'k1' AND recipient_agency = 'KELA' AND recipient_name IS NULL AND disclosing_agency IS NULL AND legal_section IS NULL").await,
        3
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM disclosure_log a JOIN disclosure_log b ON a.access_log_id = b.access_log_id AND a.id < b.id WHERE a.field_group = 'HEALTH' AND b.field_group = 'SOCIAL'").await,
        1,
        "a row's disclosures keep their order"
    );
    let v = chain::verify(&db).await.unwrap();
    assert_eq!(
        (v.sealed, v.unsealed, v.broken.clone()),
        (2, 0, None),
        "{v:?}"
    );

    // A statutory disclosure to a named fund and one to Kela, in one request's transaction.
    let recorder = AccessRecorder::default();
    recorder.operation("recordLabourPolicyStatement");
    recorder.disclose_statutory(
        "c1",
        Recipient::Body("Testialan työttömyyskassa".into()),
        FieldGroup::Benefit,
        "1290/2002 ch. 11 s. 4",
    );
    recorder.disclose_statutory(
        "c1",
        Recipient::Agency(Agency::Kela),
        FieldGroup::Rehab,
        "1290/2002 ch. 13 s. 1",
    );
    let tx = db.begin().await.unwrap();
    let rows = recorder
        .flush(
            &tx,
            &Caller::Official(te_official()),
            "Statement",
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(rows, 1, "one access-log row for the client");
    tx.commit().await.unwrap();

    let log = count(&db, "SELECT MAX(id) FROM access_log").await;
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM access_log WHERE id = {log} AND official_id = 'o-te' AND agency = 'TE' AND action = 'READ' AND field_groups = 'REHAB,BENEFIT' AND operation = 'recordLabourPolicyStatement'")).await,
        1
    );
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM disclosure_log WHERE access_log_id = {log} AND basis = 'STATUTORY' AND recipient_agency IS NULL AND recipient_name = 'Testialan työttömyyskassa' AND disclosing_agency = 'TE' AND field_group = 'BENEFIT' AND consent_id IS NULL AND legal_section = '1290/2002 ch. 11 s. 4'")).await,
        1
    );
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM disclosure_log WHERE access_log_id = {log} AND basis = 'STATUTORY' AND recipient_agency = 'KELA' AND recipient_name IS NULL AND disclosing_agency = 'TE' AND field_group = 'REHAB' AND legal_section = '1290/2002 ch. 13 s. 1'")).await,
        1
    );

    // Old and new rows sealed in one chain, which verifies.
    assert_eq!(chain::seal_pending(&db, 0).await.unwrap(), 1);
    let v = chain::verify(&db).await.unwrap();
    assert_eq!(
        (v.sealed, v.unsealed, v.broken.clone()),
        (3, 0, None),
        "{v:?}"
    );

    // Each new column is sealed: a section, a recipient or a discloser changed afterwards
    // breaks the link of that row, and changed back it holds again.
    for (column, changed, original) in [
        (
            "legal_section",
            "'1290/2002 ch. 11 s. 5'",
            "'1290/2002 ch. 11 s. 4'",
        ),
        (
            "recipient_name",
            "'Toinen kassa'",
            "'Testialan työttömyyskassa'",
        ),
        ("disclosing_agency", "'EKSOTE'", "'TE'"),
    ] {
        let set = |v: &str| {
            format!("UPDATE disclosure_log SET {column} = {v} WHERE access_log_id = {log} AND field_group = 'BENEFIT'")
        };
        db.execute_unprepared(&set(changed)).await.unwrap();
        let broken = chain::verify(&db)
            .await
            .unwrap()
            .broken
            .unwrap_or_else(|| panic!("{column} changed must break the chain"));
        assert_eq!(
            (broken.seq, broken.access_log_id),
            (3, Some(log)),
            "{column}"
        );
        db.execute_unprepared(&set(original)).await.unwrap();
        assert_eq!(chain::verify(&db).await.unwrap().broken, None, "{column}");
    }
    // An old row given a basis it never had breaks its link too.
    db.execute_unprepared("UPDATE disclosure_log SET disclosing_agency = 'EKSOTE' WHERE consent_id = 'k1' AND field_group = 'SOCIAL'").await.unwrap();
    let broken = chain::verify(&db)
        .await
        .unwrap()
        .broken
        .expect("an old row changed breaks the chain");
    assert_eq!(broken.seq, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statutory_disclosures_sqlite() {
    statutory_disclosures_are_logged_and_sealed_beside_old_consent_rows(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statutory_disclosures_postgres() {
    statutory_disclosures_are_logged_and_sealed_beside_old_consent_rows(Backend::Postgres).await;
}

/// The database refuses a disclosure row without its basis: a consent row without its
/// consent, a statutory row without its section or discloser, a recipient both or neither.
async fn the_log_refuses_a_disclosure_without_its_basis(backend: Backend) {
    let Some((url, _guard)) = fresh_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run");
        return;
    };
    let db = typgraph::db::connect(&url, None, None).await.unwrap();
    rows_sealed_before_the_basis_was_recorded(&db).await;
    let log = count(&db, "SELECT MIN(id) FROM access_log").await;
    let row = |cols: &str, values: &str| {
        format!("INSERT INTO disclosure_log (access_log_id, client_id, field_group, {cols}) VALUES ({log}, 'c1', 'BENEFIT', {values})")
    };
    let refused = [
        row("basis, recipient_agency", "'CONSENT', 'KELA'"),
        row(
            "basis, recipient_agency, disclosing_agency",
            "'STATUTORY', 'KELA', 'TE'",
        ),
        row(
            "basis, recipient_agency, legal_section",
            "'STATUTORY', 'KELA', '1290/2002 ch. 11 s. 4'",
        ),
        row(
            "basis, recipient_agency, recipient_name, disclosing_agency, legal_section",
            "'STATUTORY', 'KELA', 'Kassa', 'TE', '1290/2002 ch. 11 s. 4'",
        ),
        row(
            "basis, disclosing_agency, legal_section",
            "'STATUTORY', 'TE', '1290/2002 ch. 11 s. 4'",
        ),
        row(
            "basis, recipient_agency, consent_id, disclosing_agency, legal_section",
            "'STATUTORY', 'KELA', 'k1', 'TE', '1290/2002 ch. 11 s. 4'",
        ),
        row(
            "basis, recipient_agency, consent_id",
            "'OTHER', 'KELA', 'k1'",
        ),
    ];
    for sql in refused {
        assert!(
            db.execute_unprepared(&sql).await.is_err(),
            "accepted: {sql}"
        );
    }
    let accepted = row(
        "basis, recipient_name, disclosing_agency, legal_section",
        "'STATUTORY', 'Kassa', 'TE', '1290/2002 ch. 11 s. 4'",
    );
    db.execute_unprepared(&accepted).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disclosure_basis_required_sqlite() {
    the_log_refuses_a_disclosure_without_its_basis(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disclosure_basis_required_postgres() {
    the_log_refuses_a_disclosure_without_its_basis(Backend::Postgres).await;
}

crate::on_both! {
    async fn a_consent_read_names_its_basis_and_the_agency_that_disclosed_it(app) {
        // Kela reads the county's health details under the client's consent.
        let kela = app.token_for("KELA_EXPERT");
        let (_, b) = app.gql(&kela, "query H($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { details } } }", serde_json::json!({ "c": app.fx.shared })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let (_, log) = app
            .gql(&app.token_for("AUDITOR"), "query L($c: ID!) { accessLog(clientId: $c) { edges { node { agency disclosures { basis recipientAgency recipientName disclosingAgency fieldGroup consentId legalSection } } } } }", serde_json::json!({ "c": app.fx.shared }))
            .await;
        let disclosed: Vec<&serde_json::Value> = log["data"]["accessLog"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["node"]["disclosures"].as_array().unwrap())
            .collect();
        assert_eq!(
            disclosed,
            vec![&serde_json::json!({
                "basis": "CONSENT",
                "recipientAgency": "KELA",
                "recipientName": null,
                "disclosingAgency": "EKSOTE",
                "fieldGroup": "HEALTH",
                "consentId": app.fx.kela_health_consent,
                "legalSection": null,
            })],
            "{log}"
        );
    }
}
