//! Test harness: the real app on port 0 with a fresh database per test (a SQLite file, or a
//! uniquely named PostgreSQL database when `TEST_DATABASE_URL` is set), and a small fixture.

use std::net::SocketAddr;

use chrono::{Days, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Value};
use serde_json::{json, Value as Json};
use typgraph::app::App;
use typgraph::config::{Config, JwtConfig, Secret};
use typgraph::db::Sql;

pub const TEST_SECRET: &str = "typgraph-test-secret-0123456789-abcdefghij";
/// The bearer token `/metrics` needs in tests.
pub const METRICS_TOKEN: &str = "typgraph-test-metrics-token-0123456789";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body on SQLite, and as a second test on PostgreSQL when configured;
/// `with CONFIG_FN;` first starts the app with another configuration.
#[macro_export]
macro_rules! on_both {
    (with $configure:expr; $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{spawn_app_with, Backend, TestApp};

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(spawn_app_with(Backend::Sqlite, $configure).await.expect("SQLite is always available")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match spawn_app_with(Backend::Postgres, $configure).await {
                    Some(app) => run(app).await,
                    None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run"),
                }
            }
        }
    };
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{spawn_app, Backend, TestApp};

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(spawn_app(Backend::Sqlite).await.expect("SQLite is always available")).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match spawn_app(Backend::Postgres).await {
                    Some(app) => run(app).await,
                    None => eprintln!("TEST_DATABASE_URL not set: PostgreSQL variant not run"),
                }
            }
        }
    };
}

/// Drops the test's database when the test ends.
pub enum DbGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        base: String,
        name: String,
    },
    /// A database whose life the test manages itself.
    Kept,
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { base, name } = self {
            let (base, name) = (base.clone(), name.clone());
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(db) = Database::connect(base).await {
                        let _ = db
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A fresh, migrated, empty database.
pub async fn fresh_database(backend: Backend) -> Option<(String, DbGuard)> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            Some((url, DbGuard::Sqlite(dir)))
        }
        Backend::Postgres => {
            let base = std::env::var("TEST_DATABASE_URL").ok()?;
            let name = format!("typgraph_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(base.clone())
                .await
                .expect("TEST_DATABASE_URL answers");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .unwrap();
            admin.close().await.ok();
            let url = typgraph::db::database_url_in(&base, &name);
            Some((url, DbGuard::Postgres { base, name }))
        }
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    /// The database URL the app serves.
    pub url: String,
    pub db: DatabaseConnection,
    pub http: reqwest::Client,
    pub fx: Fixture,
    _guard: DbGuard,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn test_config(url: &str) -> Config {
    let mut config = Config::for_database(url);
    config.introspection = true;
    // Rate limits have tests of their own; the others may ask as fast as they like.
    config.rate = typgraph::http::ratelimit::RateConfig {
        requests_per_minute: 0,
        objects_per_minute: 0,
    };
    config.jwt = JwtConfig {
        secret: Some(Secret(TEST_SECRET.to_owned())),
        ..JwtConfig::default()
    };
    config.metrics_token = Some(Secret(METRICS_TOKEN.to_owned()));
    config
}

/// Starts the app with the fixture loaded.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, test_config).await
}

pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&str) -> Config,
) -> Option<TestApp> {
    let (url, guard) = fresh_database(backend).await?;
    Some(spawn_on(url, guard, configure).await)
}

/// Starts the app on a database that exists already (a private cluster, say), fixture
/// loaded; `guard` lives as long as the app.
pub async fn spawn_on(
    url: String,
    guard: DbGuard,
    configure: impl FnOnce(&str) -> Config,
) -> TestApp {
    let app = App::build(configure(&url)).await.expect("app builds");
    let addr = app.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.serve(async {
        let _ = rx.await;
    }));
    let db = typgraph::db::connect(&url, None, None).await.unwrap();
    let fx = Fixture::load(&db).await;
    TestApp {
        addr,
        url,
        db,
        http: reqwest::Client::new(),
        fx,
        _guard: guard,
        shutdown: Some(tx),
    }
}

impl TestApp {
    pub fn endpoint(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A valid token for an official with the given roles.
    pub fn token(&self, official: &str, roles: &[&str]) -> String {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        typgraph::http::auth::sign_hs256(TEST_SECRET, official, &roles, 3600, &JwtConfig::default())
            .unwrap()
    }

    /// A token for the fixture official of a role.
    pub fn token_for(&self, role: &str) -> String {
        self.token(self.fx.official(role), &[role])
    }

    /// Posts a GraphQL request; returns status and body.
    pub async fn gql(&self, token: &str, query: &str, variables: Json) -> (u16, Json) {
        let res = self
            .http
            .post(self.endpoint("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap())
    }

    /// Runs SQL against the test database.
    pub async fn exec(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.unwrap();
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }

    /// The current value of a counter in `/metrics`.
    pub async fn metric(&self, name: &str) -> f64 {
        metric_at(&self.http, &self.addr.to_string(), name).await
    }
}

/// Asserts that `body` (answered with `status` under `application/graphql-response+json`)
/// refuses the document before anything ran because the caller's schema has no `field` on
/// `on_type`: 400, no data, only validation errors, one of them naming the field at a
/// location in the document.
pub fn assert_not_in_schema(status: u16, body: &Json, field: &str, on_type: &str) {
    assert_eq!(status, 400, "{field} on {on_type}: {body}");
    assert_not_in_schema_body(body, field, on_type);
}

/// [`assert_not_in_schema`] for an answer whose status depends on the media type asked for
/// (400 under the GraphQL media type, 200 under `application/json`).
pub fn assert_not_in_schema_body(body: &Json, field: &str, on_type: &str) {
    assert!(
        body.get("data").is_none(),
        "no data entry before execution: {body}"
    );
    let errors = body["errors"].as_array().expect("errors");
    assert!(!errors.is_empty(), "{body}");
    for e in errors {
        assert_eq!(
            e["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{body}"
        );
        assert!(
            e.get("path").is_none(),
            "a validation error has no path: {body}"
        );
    }
    let message = format!("Cannot query field \"{field}\" on type \"{on_type}\".");
    let named = errors
        .iter()
        .find(|e| e["message"] == message.as_str())
        .unwrap_or_else(|| panic!("no error says {message}: {body}"));
    let at = &named["locations"][0];
    assert!(
        at["line"].as_u64().unwrap_or(0) >= 1 && at["column"].as_u64().unwrap_or(0) >= 1,
        "{message} has a location: {body}"
    );
}

/// [`assert_not_in_schema`] for a mutation: a role whose schema has no mutation root
/// (ANALYST) is told so instead of being told about the field.
pub fn assert_mutation_not_in_schema(role: &str, status: u16, body: &Json, field: &str) {
    if role == "ANALYST" {
        assert_eq!(status, 400, "{role} {field}: {body}");
        assert!(body["data"].is_null(), "{role} {field}: {body}");
        assert_eq!(
            body["errors"],
            json!([{
                "message": "Schema is not configured to execute mutation operation.",
                "locations": body["errors"][0]["locations"],
                "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
            }]),
            "{role} {field}: {body}"
        );
        assert!(body["errors"][0]["locations"][0]["line"].is_u64(), "{body}");
    } else {
        assert_not_in_schema(status, body, field, "Mutation");
    }
}

/// What a role's schema shows it: each visible type's fields, with the named type each
/// returns (read by introspection with the role's token).
pub type VisibleTypes =
    std::collections::HashMap<String, std::collections::HashMap<String, String>>;

impl TestApp {
    pub async fn visible_types(&self, token: &str) -> VisibleTypes {
        let q = "{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name } } } } } } } }";
        let (_, body) = self.gql(token, q, json!({})).await;
        let types = body["data"]["__schema"]["types"]
            .as_array()
            .unwrap_or_else(|| panic!("introspection answers: {body}"));
        fn named(t: &Json) -> String {
            match t["name"].as_str() {
                Some(n) => n.to_owned(),
                None => named(&t["ofType"]),
            }
        }
        types
            .iter()
            .map(|t| {
                let fields = t["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| (f["name"].as_str().unwrap().to_owned(), named(&f["type"])))
                    .collect();
                (t["name"].as_str().unwrap().to_owned(), fields)
            })
            .collect()
    }
}

/// The current value of a counter in the `/metrics` of the server at `addr`.
pub async fn metric_at(http: &reqwest::Client, addr: &str, name: &str) -> f64 {
    let text = http
        .get(format!("http://{addr}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| l.starts_with(name) && !l.starts_with('#'))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

/// A small data set with one client visible to all agencies and a few edge cases.
pub struct Fixture {
    pub officials: Vec<(&'static str, String)>,
    pub inactive: String,
    pub coach_p2: String,
    pub p1: String,
    pub p2: String,
    /// A TYP client with every kind of record; KELA holds a HEALTH consent.
    pub shared: String,
    pub kela_health_consent: String,
    pub held_meeting: String,
    pub next_meeting: String,
    /// A client without a TYP case: registered by TE; Kela and the county have records.
    pub own_only: String,
    /// A TYP client placed at the second provider only.
    pub other_placement: String,
    pub today: NaiveDate,
}

fn id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Inserts one row of `cols` into `table` (fixtures written beside the API).
pub async fn insert(db: &DatabaseConnection, table: &str, cols: &[(&str, Value)]) {
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let mut sql = Sql::new(&format!(
        "INSERT INTO {table} ({}) VALUES (",
        names.join(", ")
    ));
    for (i, (_, v)) in cols.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(v.clone());
    }
    sql.push(")");
    db.execute_raw(sql.build_for(db))
        .await
        .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
}

fn s(v: &str) -> Value {
    v.into()
}

fn none() -> Value {
    Option::<String>::None.into()
}

impl Fixture {
    pub fn official(&self, role: &str) -> &str {
        self.officials
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, id)| id.as_str())
            .unwrap_or_else(|| panic!("no fixture official for {role}"))
    }

    pub async fn load(db: &DatabaseConnection) -> Fixture {
        let now = Utc::now();
        let today = now.date_naive();
        let d = |days: i64| -> Value {
            if days >= 0 {
                today
                    .checked_add_days(Days::new(days as u64))
                    .unwrap()
                    .into()
            } else {
                today
                    .checked_sub_days(Days::new((-days) as u64))
                    .unwrap()
                    .into()
            }
        };
        let (p1, p2) = (id(), id());
        for (p, name, kind) in [
            (&p1, "Koe työpaja", "COUNTY_WORKSHOP"),
            (&p2, "Malli ry", "THIRD_SECTOR"),
        ] {
            insert(
                db,
                "provider",
                &[
                    ("id", s(p)),
                    ("name", s(name)),
                    ("kind", s(kind)),
                    ("municipality", s("Lappeenranta")),
                    ("active", true.into()),
                    ("created_at", now.into()),
                ],
            )
            .await;
        }
        let mut officials = Vec::new();
        let roles: [(&'static str, &str, Option<&String>); 9] = [
            ("TYP_OFFICER", "TE", None),
            ("TE_EXPERT", "TE", None),
            ("EKSOTE_WORKER", "EKSOTE", None),
            ("KELA_EXPERT", "KELA", None),
            ("PROVIDER_COACH", "PROVIDER", Some(&p1)),
            ("ANALYST", "EKSOTE", None),
            ("AUDITOR", "EKSOTE", None),
            ("ADMIN", "EKSOTE", None),
            ("PROVIDER_COACH_P2", "PROVIDER", Some(&p2)),
        ];
        for (role, agency, provider) in roles {
            let oid = id();
            insert(
                db,
                "official",
                &[
                    ("id", s(&oid)),
                    ("name", s(&format!("Test {role}"))),
                    ("agency", s(agency)),
                    ("provider_id", provider.cloned().into()),
                    ("active", true.into()),
                    ("created_at", now.into()),
                ],
            )
            .await;
            let granted = if role == "PROVIDER_COACH_P2" {
                "PROVIDER_COACH"
            } else {
                role
            };
            insert(
                db,
                "official_role",
                &[("official_id", s(&oid)), ("role", s(granted))],
            )
            .await;
            officials.push((role, oid));
        }
        let inactive = id();
        insert(
            db,
            "official",
            &[
                ("id", s(&inactive)),
                ("name", s("Test Left")),
                ("agency", s("EKSOTE")),
                ("provider_id", none()),
                ("active", false.into()),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "official_role",
            &[("official_id", s(&inactive)), ("role", s("EKSOTE_WORKER"))],
        )
        .await;
        let off = |role: &str| {
            officials
                .iter()
                .find(|(r, _)| *r == role)
                .map(|(_, i)| i.clone())
                .unwrap()
        };
        let coach_p2 = off("PROVIDER_COACH_P2");

        let client = |code: &str, first: &str, agency: &str| {
            vec![
                ("personal_identity_code", s(code)),
                ("first_name", s(first)),
                ("last_name", s("Koemäki")),
                ("phone", s("+358 50 000 0001")),
                ("email", s("koe@esimerkki.invalid")),
                ("street_address", s("Koetie 1")),
                ("postal_code", s("53100")),
                ("municipality", s("Lappeenranta")),
                ("language", s("fi")),
                ("registered_by_agency", s(agency)),
                ("version", 1.into()),
                ("created_at", now.into()),
                ("updated_at", now.into()),
            ]
        };
        let (shared, own_only, other_placement) = (id(), id(), id());
        for (cid, code, first, agency) in [
            (&shared, "010190-901R", "Aino", "TE"),
            (&own_only, "020290-9027", "Eero", "TE"),
            (&other_placement, "030390-903P", "Iida", "TE"),
        ] {
            let mut cols = vec![("id", s(cid))];
            cols.extend(client(code, first, agency));
            insert(db, "client", &cols).await;
        }
        // TYP cases of the shared client and the other placement.
        let case = id();
        let officer = off("TYP_OFFICER");
        for (cid, case_id) in [(&shared, case.clone()), (&other_placement, id())] {
            insert(
                db,
                "typ_case",
                &[
                    ("id", s(&case_id)),
                    ("client_id", s(cid)),
                    ("phase", s("IMPLEMENTATION")),
                    ("criterion", s("UNEMPLOYED_12_MONTHS_25_PLUS")),
                    ("responsible_official_id", s(&officer)),
                    ("responsible_agency", s("TE")),
                    ("opened_on", d(-200)),
                    ("mapping_deadline", d(-110)),
                    ("special_arrangements", s("Interpreter")),
                    ("education_history", s("Vocational")),
                    ("work_history", s("Warehouse")),
                    ("ended_on", Option::<NaiveDate>::None.into()),
                    ("outcome", none()),
                    ("created_at", now.into()),
                ],
            )
            .await;
        }
        // An earlier, closed case of the shared client, with a 3-month follow-up.
        let old_case = id();
        insert(
            db,
            "typ_case",
            &[
                ("id", s(&old_case)),
                ("client_id", s(&shared)),
                ("phase", s("CLOSED")),
                ("criterion", s("JOINT_ASSESSMENT")),
                ("responsible_official_id", s(&officer)),
                ("responsible_agency", s("TE")),
                ("opened_on", d(-900)),
                ("mapping_deadline", d(-810)),
                ("special_arrangements", none()),
                ("education_history", none()),
                ("work_history", none()),
                ("ended_on", d(-500)),
                ("outcome", s("MOVED")),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "case_follow_up",
            &[
                ("id", s(&id())),
                ("case_id", s(&old_case)),
                ("months_after", 3.into()),
                ("status", s("UNEMPLOYED")),
                ("recorded_on", d(-400)),
                ("recorded_by", s(&officer)),
            ],
        )
        .await;
        // Consents: agreement to multi-agency service; HEALTH disclosed to Kela.
        let eksote = off("EKSOTE_WORKER");
        // The county worker decides on KTT (delegated by administration).
        insert(
            db,
            "ktt_decision_maker",
            &[
                ("official_id", s(&eksote)),
                ("title", s("Sosiaalityöntekijä")),
                ("granted_by", s(&off("ADMIN"))),
                ("granted_at", now.into()),
            ],
        )
        .await;
        let kela_health_consent = id();
        insert(
            db,
            "consent",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("kind", s("MULTI_AGENCY_SERVICE")),
                ("recipient_agency", none()),
                ("given_on", d(-200)),
                ("valid_until", Option::<NaiveDate>::None.into()),
                ("withdrawn_on", Option::<NaiveDate>::None.into()),
                ("recorded_by", s(&officer)),
                ("recorded_by_agency", s("TE")),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "consent",
            &[
                ("id", s(&kela_health_consent)),
                ("client_id", s(&shared)),
                ("kind", s("DISCLOSURE")),
                ("recipient_agency", s("KELA")),
                ("given_on", d(-100)),
                ("valid_until", Option::<NaiveDate>::None.into()),
                ("withdrawn_on", Option::<NaiveDate>::None.into()),
                ("recorded_by", s(&eksote)),
                ("recorded_by_agency", s("EKSOTE")),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "consent_field_group",
            &[
                ("consent_id", s(&kela_health_consent)),
                ("field_group", s("HEALTH")),
            ],
        )
        .await;
        // Plan and agreed actions (one overdue).
        let plan = id();
        insert(
            db,
            "employment_plan",
            &[
                ("id", s(&plan)),
                ("case_id", s(&case)),
                ("kind", s("MULTI_SECTOR")),
                ("made_on", d(-150)),
                ("goals", s("Work trial")),
                ("review_on", d(20)),
                ("created_by", s(&officer)),
                ("created_at", now.into()),
            ],
        )
        .await;
        // The plan's KTT item: KTT periods are granted on it.
        let ktt_item = id();
        insert(
            db,
            "plan_ktt_item",
            &[
                ("id", s(&ktt_item)),
                ("plan_id", s(&plan)),
                ("case_id", s(&case)),
                ("goal", s("Daily rhythm")),
                ("support", s("Guidance at the workshop")),
                ("agreed_on", d(-150)),
                ("created_by", s(&officer)),
                ("created_at", now.into()),
            ],
        )
        .await;
        for (owner, due, done) in [("TE", -10i64, None), ("EKSOTE", -40, Some(-45i64))] {
            insert(
                db,
                "agreed_action",
                &[
                    ("id", s(&id())),
                    ("case_id", s(&case)),
                    ("plan_id", s(&plan)),
                    ("meeting_id", none()),
                    ("owner_agency", s(owner)),
                    ("description", s("Do it")),
                    ("due_on", d(due)),
                    (
                        "completed_on",
                        done.map(|x| today.checked_sub_days(Days::new((-x) as u64)).unwrap())
                            .into(),
                    ),
                    ("created_by", s(&officer)),
                    ("created_at", now.into()),
                ],
            )
            .await;
        }
        // A referral of the shared client from TE to Kela, accepted.
        insert(
            db,
            "referral",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("case_id", s(&case)),
                ("from_agency", s("TE")),
                ("to_agency", s("KELA")),
                ("service", s("Kela vocational rehabilitation")),
                ("reason", s("Work ability unclear")),
                ("status", s("ACCEPTED")),
                ("sent_by", s(&officer)),
                ("sent_on", d(-20)),
                ("answered_by", s(&off("KELA_EXPERT"))),
                ("answered_on", d(-18)),
                ("due_on", d(10)),
                ("created_at", now.into()),
            ],
        )
        .await;
        // KTT periods: the shared client at P1, the other client at P2.
        let period = id();
        for (pid, cid, prov, no) in [
            (&period, &shared, &p1, "KTT-T-1"),
            (&id(), &other_placement, &p2, "KTT-T-2"),
        ] {
            insert(
                db,
                "rehab_period",
                &[
                    ("id", s(pid)),
                    ("client_id", s(cid)),
                    ("case_id", none()),
                    ("provider_id", s(prov)),
                    ("decision_number", s(no)),
                    ("decided_on", d(-60)),
                    ("decided_by", s(&eksote)),
                    ("starts_on", d(-60)),
                    ("ends_on", d(30)),
                    ("days_per_week", 3.into()),
                    ("hours_per_day", 6.into()),
                    ("goal", s("Daily rhythm")),
                    ("support_needs", s("Guidance")),
                    ("travel_distance_km", Some(5.5f64).into()),
                    ("created_at", now.into()),
                    // Days relative to today may fall on any weekday or holiday: tests
                    // that record them record events, which these decisions allow.
                    ("allowed_exceptions", s("EVENT")),
                ],
            )
            .await;
        }
        // The grant decision of the shared client's period, and its start notice waiting in
        // the employment authority's work list.
        let grant = id();
        insert(
            db,
            "ktt_decision",
            &[
                ("id", s(&grant)),
                ("decision_number", s("KTT-T-1")),
                ("kind", s("GRANT")),
                ("client_id", s(&shared)),
                ("case_id", s(&case)),
                ("period_id", s(&period)),
                ("plan_id", s(&plan)),
                ("plan_item_id", s(&ktt_item)),
                ("legal_basis", s("189/2001 4–5 §")),
                ("decided_by", s(&eksote)),
                ("decider_name", s("Test EKSOTE_WORKER")),
                ("decider_title", s("Sosiaalityöntekijä")),
                ("hearing_on", d(-62)),
                ("hearing_omitted_reason", none()),
                ("provider_id", s(&p1)),
                ("starts_on", d(-60)),
                ("ends_on", d(30)),
                ("days_per_week", 3.into()),
                ("hours_per_day", 6.into()),
                ("terminated_on", Option::<NaiveDate>::None.into()),
                ("toimintaraha_cents_per_day", 0i64.into()),
                ("travel_cents_per_day", 640i64.into()),
                ("language", s("fi")),
                ("decided_on", d(-60)),
                ("served_on", d(-60)),
                ("reasoning", none()),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "ktt_start_notice",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("decision_id", s(&grant)),
                ("kind", s("GRANT")),
                ("period_id", s(&period)),
                ("starts_on", d(-60)),
                ("ends_on", d(30)),
                ("created_at", now.into()),
                ("handled_at", Option::<chrono::DateTime<Utc>>::None.into()),
                ("handled_by", none()),
                ("statement_id", none()),
            ],
        )
        .await;
        insert(
            db,
            "rehab_interruption",
            &[
                ("id", s(&id())),
                ("period_id", s(&period)),
                ("starts_on", d(-10)),
                ("ends_on", d(-8)),
                ("reason", s("Illness")),
            ],
        )
        .await;
        let coach = off("PROVIDER_COACH");
        let month_day = today.checked_sub_days(Days::new(30)).unwrap();
        let month = month_day.format("%Y-%m").to_string();
        let line = id();
        insert(
            db,
            "allowance_line",
            &[
                ("id", s(&line)),
                ("period_id", s(&period)),
                ("month", s(&month)),
                ("kind", s("EXPENSE_ALLOWANCE")),
                ("payer", s("KELA")),
                ("days", 1.into()),
                ("amount_cents", 900i64.into()),
                ("rule_version", s("test")),
                ("created_at", now.into()),
            ],
        )
        .await;
        for (day, present) in [
            (month_day, true),
            (month_day.checked_add_days(Days::new(1)).unwrap(), false),
        ] {
            let aid = id();
            insert(
                db,
                "attendance_day",
                &[
                    ("id", s(&aid)),
                    ("period_id", s(&period)),
                    ("day", day.into()),
                    ("present", present.into()),
                    (
                        "absence_reason",
                        (if present { None } else { Some("sick") }).into(),
                    ),
                    ("recorded_by", s(&coach)),
                    ("recorded_at", now.into()),
                ],
            )
            .await;
            if present {
                insert(
                    db,
                    "allowance_line_attendance",
                    &[
                        ("allowance_line_id", s(&line)),
                        ("attendance_day_id", s(&aid)),
                    ],
                )
                .await;
            }
        }
        // Assessments (county), benefits (Kela), statements and items (TE), coaching.
        for cid in [&shared, &own_only] {
            insert(
                db,
                "work_ability_assessment",
                &[
                    ("id", s(&id())),
                    ("client_id", s(cid)),
                    ("assessed_on", d(-90)),
                    ("assessor_agency", s("EKSOTE")),
                    ("assessor_id", s(&eksote)),
                    ("conclusion", s("Part-time")),
                    ("restrictions", s("No lifting")),
                    ("details", s("Back strain")),
                    ("created_at", now.into()),
                ],
            )
            .await;
            insert(
                db,
                "benefit_decision",
                &[
                    ("id", s(&id())),
                    ("client_id", s(cid)),
                    ("agency", s("KELA")),
                    ("benefit_kind", s("LABOUR_MARKET_SUBSIDY")),
                    ("status", s("GRANTED")),
                    ("decided_on", d(-120)),
                    ("valid_from", d(-120)),
                    ("valid_until", Option::<NaiveDate>::None.into()),
                    ("decided_by", s(&off("KELA_EXPERT"))),
                ],
            )
            .await;
        }
        // Benefit statuses of the shared client in 2000 (Kela's and the county's), long
        // before any period: every status field has a value to read.
        let y2000 =
            |m: u32, d: u32| -> Value { NaiveDate::from_ymd_opt(2000, m, d).unwrap().into() };
        for (kind, agency, by) in [
            ("LABOUR_MARKET_SUBSIDY", "KELA", "KELA_EXPERT"),
            ("SOCIAL_ASSISTANCE", "EKSOTE", "EKSOTE_WORKER"),
        ] {
            insert(
                db,
                "benefit_status",
                &[
                    ("id", s(&id())),
                    ("client_id", s(&shared)),
                    ("kind", s(kind)),
                    ("valid_from", y2000(1, 1)),
                    ("valid_to", y2000(12, 31)),
                    ("recording_agency", s(agency)),
                    ("recorded_by", s(&off(by))),
                    ("recorded_at", now.into()),
                ],
            )
            .await;
        }
        let te = off("TE_EXPERT");
        insert(
            db,
            "labour_policy_statement",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("issued_on", d(-60)),
                ("issued_by", s(&te)),
                ("statement_kind", s("KTT_START")),
                ("content", s("Conditions met")),
            ],
        )
        .await;
        insert(
            db,
            "employment_item",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("kind", s("JOB_SEARCH_OBLIGATION")),
                ("description", s("Three applications a month")),
                ("due_on", d(30)),
                ("recorded_by", s(&te)),
                ("created_at", now.into()),
            ],
        )
        .await;
        // Competence recognised from the shared client's period at P1, by P1's coach.
        insert(
            db,
            "competence_record",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("period_id", s(&period)),
                ("provider_id", s(&p1)),
                ("qualification", s("Vocational qualification in logistics")),
                ("qualification_unit", s("Warehouse operations")),
                ("competence_areas", s("Receiving goods")),
                ("education_provider", s("Koe-opisto")),
                ("certified_on", d(-10)),
                ("recorded_by", s(&off("PROVIDER_COACH"))),
                ("created_at", now.into()),
            ],
        )
        .await;
        insert(
            db,
            "job_coaching",
            &[
                ("id", s(&id())),
                ("client_id", s(&shared)),
                ("provider_id", s(&p1)),
                ("kind", s("VOUCHER")),
                ("ordered_by_agency", s("TE")),
                ("hours", 50.into()),
                ("starts_on", d(-30)),
                ("ends_on", Option::<NaiveDate>::None.into()),
            ],
        )
        .await;
        // Meetings: one held with minutes, one upcoming.
        let (held_meeting, next_meeting) = (id(), id());
        for (mid, days, held) in [(&held_meeting, -20i64, true), (&next_meeting, 10, false)] {
            let at = today
                .checked_add_signed(chrono::Duration::days(days))
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap()
                .and_utc();
            insert(
                db,
                "network_meeting",
                &[
                    ("id", s(mid)),
                    ("case_id", s(&case)),
                    ("client_id", s(&shared)),
                    ("scheduled_at", at.into()),
                    ("location", s("TYP")),
                    ("status", s(if held { "HELD" } else { "SCHEDULED" })),
                    (
                        "shared_record",
                        (if held {
                            Some("Agreed next steps")
                        } else {
                            None
                        })
                        .into(),
                    ),
                    (
                        "held_on",
                        (if held { Some(at.date_naive()) } else { None }).into(),
                    ),
                    ("created_by", s(&officer)),
                    ("created_at", now.into()),
                ],
            )
            .await;
            for (o, agency) in [
                (&officer, "TE"),
                (&eksote, "EKSOTE"),
                (&off("KELA_EXPERT"), "KELA"),
            ] {
                insert(
                    db,
                    "meeting_participant",
                    &[
                        ("id", s(&id())),
                        ("meeting_id", s(mid)),
                        ("kind", s("OFFICIAL")),
                        ("official_id", s(o)),
                        ("agency", s(agency)),
                        ("consent_id", none()),
                    ],
                )
                .await;
            }
            insert(
                db,
                "meeting_participant",
                &[
                    ("id", s(&id())),
                    ("meeting_id", s(mid)),
                    ("kind", s("CLIENT")),
                    ("official_id", none()),
                    ("agency", none()),
                    ("consent_id", none()),
                ],
            )
            .await;
            insert(
                db,
                "meeting_agenda_item",
                &[
                    ("id", s(&id())),
                    ("meeting_id", s(mid)),
                    ("agency", s("TE")),
                    ("position", 1.into()),
                    ("title", s("Plan")),
                ],
            )
            .await;
            if held {
                for (agency, author) in [
                    ("TE", &te),
                    ("EKSOTE", &eksote),
                    ("KELA", &off("KELA_EXPERT")),
                ] {
                    insert(
                        db,
                        "meeting_agency_section",
                        &[
                            ("id", s(&id())),
                            ("meeting_id", s(mid)),
                            ("agency", s(agency)),
                            ("body", s(&format!("{agency} own section"))),
                            ("author_id", s(author)),
                        ],
                    )
                    .await;
                }
                insert(
                    db,
                    "agreed_action",
                    &[
                        ("id", s(&id())),
                        ("case_id", s(&case)),
                        ("plan_id", s(&plan)),
                        ("meeting_id", s(mid)),
                        ("owner_agency", s("KELA")),
                        ("description", s("Check rehabilitation")),
                        ("due_on", d(15)),
                        ("completed_on", Option::<NaiveDate>::None.into()),
                        ("created_by", s(&officer)),
                        ("created_at", now.into()),
                    ],
                )
                .await;
            }
        }
        // Notes: a shared TE note; unshared county and Kela notes.
        for (agency, author, shared_flag) in [
            ("TE", &te, true),
            ("EKSOTE", &eksote, false),
            ("KELA", &off("KELA_EXPERT"), false),
        ] {
            insert(
                db,
                "agency_note",
                &[
                    ("id", s(&id())),
                    ("client_id", s(&shared)),
                    ("agency", s(agency)),
                    ("author_id", s(author)),
                    ("body", s(&format!("{agency} note"))),
                    ("shared_with_case_team", shared_flag.into()),
                    ("created_at", now.into()),
                ],
            )
            .await;
        }
        insert(
            db,
            "agency_note",
            &[
                ("id", s(&id())),
                ("client_id", s(&own_only)),
                ("agency", s("KELA")),
                ("author_id", s(&off("KELA_EXPERT"))),
                ("body", s("Kela's own note")),
                ("shared_with_case_team", false.into()),
                ("created_at", now.into()),
            ],
        )
        .await;
        // A bulk load, like the seed: the monthly attendance summary is built from the days.
        typgraph::store::ktt_month::rebuild(db, None).await.unwrap();
        Fixture {
            officials,
            inactive,
            coach_p2,
            p1,
            p2,
            shared,
            kela_health_consent,
            held_meeting,
            next_meeting,
            own_only,
            other_placement,
            today,
        }
    }
}

/// A second typgraph process on the same database (killed when dropped).
pub struct Replica {
    child: std::process::Child,
    pub addr: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on `url` with the test secret and `[requests, objects]` per minute as
/// its rate limits (0 turns one off).
pub fn start_replica(url: &str, rates: [u32; 2]) -> Replica {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_typgraph"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .env("TYPGRAPH_JWT_SECRET", TEST_SECRET)
        .env("TYPGRAPH_METRICS_TOKEN", METRICS_TOKEN)
        .env("TYPGRAPH_RATE_REQUESTS_PER_MINUTE", rates[0].to_string())
        .env("TYPGRAPH_RATE_OBJECTS_PER_MINUTE", rates[1].to_string())
        .env_remove("TYPGRAPH_AUTHZ_DIR")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let addr = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("listening on http://").map(str::to_owned))
        .expect("the replica starts");
    Replica { child, addr }
}

/// Posts a GraphQL request to a replica; returns status and body.
pub async fn ask(
    http: &reqwest::Client,
    addr: &str,
    token: &str,
    query: &str,
    vars: Json,
) -> (u16, Json) {
    let res = http
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": vars }))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A server process the test started: killed when the test ends, panicking or not, so no
/// process outlives its test (and holds its database or the test run's files open).
pub struct ChildGuard(pub std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for ChildGuard {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ChildGuard {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
