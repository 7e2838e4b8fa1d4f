//! Demo and synthetic data sets: the agencies' South Karelia set-up (providers, officials for
//! every role) and deterministic clients with cases, consents, KTT periods, attendance,
//! allowances, assessments, benefits, meetings and notes. Personal identity codes are valid
//! and from the range reserved for testing (individual number 900–999).

mod agency_work;
mod bulk;
mod clients;
mod corrections;
mod ktt_decisions;
mod names;
mod payments;
mod profile;
mod rng;
mod vouchers;
mod work;
mod writer;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, TransactionTrait,
    Value,
};

use crate::domain::{Agency, Role};
pub use profile::{
    Profile, DEMO_SCALE, INDIVIDUAL_SUPPORT_2021_06_01, KTT_PERSONS_2019,
    KTT_PERSONS_2021_RESTRICTED, TYP_CLIENTS_2021_06_01,
};
pub use rng::Rng;
use writer::Batch;

/// Clients the demo adds besides the profile's, to show every payer of KTT allowances.
pub use payments::CLIENTS as DEMO_PAYMENT_CLIENTS;
/// Seed of the `serve --demo` data set.
pub const DEMO_SEED: u64 = 2026;

/// The day the data set is drawn around: cases open until then, meetings follow it.
pub fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 16).unwrap_or(NaiveDate::MIN)
}

/// An official of the data set.
#[derive(Debug, Clone)]
pub struct SeedOfficial {
    pub id: String,
    pub name: String,
    pub agency: Agency,
    pub provider_id: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
}

/// A provider of the data set.
#[derive(Debug, Clone)]
pub struct SeedProvider {
    pub id: String,
    pub name: &'static str,
    pub kind: &'static str,
    pub municipality: &'static str,
}

/// What a load wrote.
#[derive(Debug, Clone)]
pub struct SeedSummary {
    pub officials: Vec<SeedOfficial>,
    pub clients: usize,
    pub attendance_rows: u64,
}

impl SeedSummary {
    /// The first active official holding each role, in contract order.
    pub fn official_per_role(&self) -> Vec<(Role, &SeedOfficial)> {
        Role::ALL
            .iter()
            .filter_map(|role| {
                self.officials
                    .iter()
                    .find(|o| o.active && o.roles.contains(role))
                    .map(|o| (*role, o))
            })
            .collect()
    }
}

/// Whether the database holds no officials and no clients yet.
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let officials = entity::official::Entity::find().count(db).await?;
    let clients = entity::client::Entity::find().count(db).await?;
    Ok(officials == 0 && clients == 0)
}

/// A database `name` on the PostgreSQL server of `base` holding `clients` synthetic clients
/// (for the benchmarks): created, migrated and seeded from `seed` on first use, then
/// analysed so the planner knows its size; reused as it is afterwards. Answers its URL, a
/// connection, and what was seeded now (with how long it took), if anything.
pub async fn benchmark_database(
    base: &str,
    name: &str,
    clients: usize,
    seed: u64,
) -> Result<
    (
        String,
        DatabaseConnection,
        Option<(SeedSummary, std::time::Duration)>,
    ),
    String,
> {
    let admin = sea_orm::Database::connect(base.to_owned())
        .await
        .map_err(|e| format!("cannot connect to {base}: {e}"))?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.into()],
        ))
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .map_err(|e| e.to_string())?;
    }
    let url = crate::db::database_url_in(base, name);
    let db = crate::app::connect_and_migrate(&url, None, None)
        .await
        .map_err(|e| e.to_string())?;
    let mut seeded = None;
    if is_empty(&db).await.map_err(|e| e.to_string())? {
        let started = std::time::Instant::now();
        let summary = load(&db, clients, seed, false)
            .await
            .map_err(|e| e.to_string())?;
        analyze(&db).await.map_err(|e| e.to_string())?;
        seeded = Some((summary, started.elapsed()));
    }
    Ok((url, db, seeded))
}

/// Gathers the planner's statistics of every table after a data set is loaded. Without
/// them PostgreSQL plans the freshly filled tables as if they were empty until autovacuum
/// comes by (a page of clients then read the table whole, a name search every client
/// row), so a benchmark or the first requests right after seeding would meet plans no
/// running register gets.
pub async fn analyze(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.execute_unprepared("ANALYZE").await.map(|_| ())
}

/// Whether the database holds the demo data set (so the development secret may sign).
pub async fn is_demo(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let marker = entity::dataset_marker::Entity::find_by_id("dataset".to_owned())
        .one(db)
        .await?;
    Ok(marker.is_some_and(|m| m.value == "demo"))
}

/// Loads a data set of `clients` clients drawn from `seed`, in one transaction.
pub async fn load(
    db: &DatabaseConnection,
    clients: usize,
    seed: u64,
    demo: bool,
) -> Result<SeedSummary, DbErr> {
    load_clients(db, Clients::Drawn(clients), seed, demo).await
}

/// Loads a profile at `scale` (1.0 the full region, `serve --demo` [`DEMO_SCALE`]) drawn
/// from `seed`, in one transaction, with the agencies' work beside the clients at the same
/// scale.
pub async fn load_profile(
    db: &DatabaseConnection,
    profile: Profile,
    scale: f64,
    seed: u64,
    demo: bool,
) -> Result<SeedSummary, DbErr> {
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(DbErr::Custom(format!(
            "scale {scale} is not a fraction of the region (0 < scale <= 1)"
        )));
    }
    let started = std::time::Instant::now();
    let plans = match profile {
        Profile::SouthKarelia => profile::plan(scale, seed),
    };
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        clients = plans.len(),
        "profile planned"
    );
    load_clients(db, Clients::Planned(&plans), seed, demo).await
}

/// The `serve --demo` data set: the South Karelia profile at [`DEMO_SCALE`] from
/// [`DEMO_SEED`], with the demo's payment clients, corrections and agencies' work.
pub async fn load_demo(db: &DatabaseConnection) -> Result<SeedSummary, DbErr> {
    load_profile(db, Profile::SouthKarelia, DEMO_SCALE, DEMO_SEED, true).await
}

/// Clients the `serve --demo` data set holds, the payment clients included.
pub fn demo_client_count() -> usize {
    profile::plan(DEMO_SCALE, DEMO_SEED).len() + DEMO_PAYMENT_CLIENTS
}

enum Clients<'a> {
    /// Drawn one by one.
    Drawn(usize),
    /// As a profile planned them.
    Planned(&'a [profile::PlannedClient]),
}

async fn load_clients(
    db: &DatabaseConnection,
    clients: Clients<'_>,
    seed: u64,
    demo: bool,
) -> Result<SeedSummary, DbErr> {
    let started = std::time::Instant::now();
    let phase = |name: &str| {
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "data set: {name}"
        )
    };
    let tx = db.begin().await?;
    // SQLite spills the transaction's pages to the log whenever its page cache (2 MB by
    // default) fills: a full profile's indexes of random ids would be written many times
    // over. A larger cache for the load's connection, back to the default before commit.
    let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
    if sqlite {
        tx.execute_unprepared("PRAGMA cache_size = -524288").await?;
    }
    let mut rng = Rng::new(seed);
    let providers = providers(&mut rng);
    let officials = officials(&mut rng, &providers);
    write_setup(&tx, &providers, &officials, demo).await?;
    let deferred = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => Some(bulk::defer(&tx, &clients::tables()).await?),
        _ => None,
    };
    let (count, attendance_rows, extras) = match clients {
        Clients::Drawn(n) => (
            n,
            clients::write(&tx, &mut rng, n, &providers, &officials).await?,
            demo,
        ),
        Clients::Planned(plans) => (
            plans.len(),
            clients::write_planned(&tx, &mut rng, plans, &providers, &officials).await?,
            true,
        ),
    };
    phase("clients written");
    if let Some(deferred) = deferred {
        deferred.restore(&tx).await?;
        phase("indexes, keys and visibility restored");
    }
    ktt_decisions::write(&tx, &mut rng, &officials).await?;
    phase("KTT decisions written");
    if extras {
        // The agencies' work grows with the data set: one share per 800 clients.
        let times = (count / 800).max(1);
        corrections::write(&tx, &officials, &providers).await?;
        payments::write(&tx, &mut rng, &providers, &officials).await?;
        vouchers::write(&tx, &mut rng, &providers, &officials, times).await?;
        work::write(&tx, &mut rng, &officials, times).await?;
        agency_work::write(&tx, &mut rng, &officials, times).await?;
        phase("agencies' work written");
    } else {
        work::record_service_tracks(&tx).await?;
    }
    crate::store::ktt_month::rebuild(&tx, None).await?;
    phase("monthly KTT summaries built");
    if sqlite {
        tx.execute_unprepared("PRAGMA cache_size = -2000").await?;
    }
    tx.commit().await?;
    phase("committed");
    Ok(SeedSummary {
        officials,
        clients: count + if extras { DEMO_PAYMENT_CLIENTS } else { 0 },
        attendance_rows,
    })
}

fn providers(rng: &mut Rng) -> Vec<SeedProvider> {
    [
        (
            "Eksote työpaja Lappeenranta",
            "COUNTY_WORKSHOP",
            "Lappeenranta",
        ),
        (
            "Eksote toimintakeskus Imatra",
            "COUNTY_ACTIVITY_CENTRE",
            "Imatra",
        ),
        ("Esimerkki Valmennus Oy", "VOUCHER_PROVIDER", "Lappeenranta"),
        ("Koepalvelut Oy", "VOUCHER_PROVIDER", "Imatra"),
        ("Kuvitelma ry", "THIRD_SECTOR", "Lappeenranta"),
        ("Testikylän Työkeskus ry", "THIRD_SECTOR", "Parikkala"),
    ]
    .into_iter()
    .map(|(name, kind, municipality)| SeedProvider {
        id: rng.uuid(),
        name,
        kind,
        municipality,
    })
    .collect()
}

fn officials(rng: &mut Rng, providers: &[SeedProvider]) -> Vec<SeedOfficial> {
    let mut out = Vec::new();
    let mut add = |rng: &mut Rng,
                   name: &str,
                   agency: Agency,
                   provider: Option<&SeedProvider>,
                   roles: &[Role],
                   active: bool| {
        out.push(SeedOfficial {
            id: rng.uuid(),
            name: name.to_owned(),
            agency,
            provider_id: provider.map(|p| p.id.clone()),
            roles: roles.to_vec(),
            active,
        });
    };
    add(
        rng,
        "Tuula Koelahti",
        Agency::Te,
        None,
        &[Role::TypOfficer],
        true,
    );
    add(
        rng,
        "Eija Mallimäki",
        Agency::Eksote,
        None,
        &[Role::TypOfficer],
        true,
    );
    add(
        rng,
        "Kari Testisalo",
        Agency::Kela,
        None,
        &[Role::TypOfficer],
        true,
    );
    add(
        rng,
        "Teemu Esimerkkinen",
        Agency::Te,
        None,
        &[Role::TeExpert],
        true,
    );
    add(
        rng,
        "Sari Harjoitusniemi",
        Agency::Eksote,
        None,
        &[Role::EksoteWorker],
        true,
    );
    add(
        rng,
        "Kaisa Kaavapelto",
        Agency::Kela,
        None,
        &[Role::KelaExpert],
        true,
    );
    let coaches = [
        "Pekka Aihiola",
        "Leena Otoskoski",
        "Mika Luonnosvaara",
        "Raija Taruharju",
        "Jussi Demojärvi",
        "Marja Leikkilä",
    ];
    for (provider, name) in providers.iter().zip(coaches) {
        add(
            rng,
            name,
            Agency::Provider,
            Some(provider),
            &[Role::ProviderCoach],
            true,
        );
    }
    add(
        rng,
        "Anu Arviola",
        Agency::Eksote,
        None,
        &[Role::Analyst],
        true,
    );
    add(
        rng,
        "Olli Kokeilumäki",
        Agency::Eksote,
        None,
        &[Role::Auditor],
        true,
    );
    add(
        rng,
        "Heikki Haavesalo",
        Agency::Eksote,
        None,
        &[Role::Admin],
        true,
    );
    add(
        rng,
        "Tuula Toimialamäki",
        Agency::Eksote,
        None,
        &[Role::CountyManager],
        true,
    );
    // A social worker who has left: tokens for this official must be refused.
    add(
        rng,
        "Irma Entinen",
        Agency::Eksote,
        None,
        &[Role::EksoteWorker],
        false,
    );
    out
}

async fn write_setup(
    conn: &impl ConnectionTrait,
    providers: &[SeedProvider],
    officials: &[SeedOfficial],
    demo: bool,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let mut batch = Batch::new(
        "provider",
        &["id", "name", "kind", "municipality", "active", "created_at"],
    );
    for p in providers {
        batch.push(vec![
            p.id.clone().into(),
            p.name.into(),
            p.kind.into(),
            p.municipality.into(),
            true.into(),
            now.into(),
        ]);
    }
    batch.flush(conn).await?;
    let mut batch = Batch::new(
        "official",
        &[
            "id",
            "name",
            "agency",
            "provider_id",
            "active",
            "created_at",
        ],
    );
    let mut roles = Batch::new("official_role", &["official_id", "role"]);
    for o in officials {
        batch.push(vec![
            o.id.clone().into(),
            o.name.clone().into(),
            o.agency.code().into(),
            o.provider_id.clone().into(),
            o.active.into(),
            now.into(),
        ]);
        for r in &o.roles {
            roles.push(vec![o.id.clone().into(), r.code().into()]);
        }
    }
    batch.flush(conn).await?;
    roles.flush(conn).await?;
    let mut marker = Batch::new("dataset_marker", &["name", "value"]);
    let value: Value = if demo {
        "demo".into()
    } else {
        "synthetic".into()
    };
    marker.push(vec!["dataset".into(), value]);
    marker.flush(conn).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn no_demo_or_seed_official_combines_an_overseer_role_with_client_data() {
        let policy = crate::authz::Policy::contract().await.unwrap();
        let mut rng = Rng::new(DEMO_SEED);
        let providers = providers(&mut rng);
        let officials = officials(&mut rng, &providers);
        assert!(officials.iter().any(|o| o.roles.contains(&Role::Admin)));
        for o in &officials {
            assert_eq!(policy.combined_duties(&o.roles), Vec::new(), "{}", o.name);
        }
    }
}
