//! Application state and start-up: connect, migrate, load the policy, build the router.

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::authz::PolicyStore;
use crate::config::{Config, Secret, DEMO_JWT_SECRET};
use crate::domain::settings::Settings;
use crate::graphql::OfficialSchemas;
use crate::http::auth::TokenVerifier;
use crate::telemetry::Metrics;

/// Shared, read-only state of a running server.
pub struct AppState {
    pub db: DatabaseConnection,
    /// The read replica report queries run on, when configured (never migrated or written).
    pub reports_db: Option<DatabaseConnection>,
    /// The officials' schema, also without async-graphql's full validation, for documents
    /// that passed it before and variables that cannot change its verdict
    /// (`graphql::engine::documents`), and without the field-error extension, for a
    /// query's first run (`graphql::FieldErrors`).
    pub schemas: OfficialSchemas,
    /// The schema a client's own token is served from (`CLIENT` role).
    pub client_schema: crate::graphql::self_service::ClientSchema,
    /// The policy in force (the newest stored version), followed across replicas.
    pub policy: Arc<PolicyStore>,
    pub verifier: TokenVerifier,
    pub metrics: Arc<Metrics>,
    pub settings: Arc<Settings>,
    pub explorer: bool,
    pub rate: crate::http::ratelimit::RateLimits,
    /// Connection deadlines and caps (`http::transport`).
    pub transport: crate::config::TransportConfig,
    pub cors_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` names the client (`http::proxies`).
    pub trusted_proxies: Vec<crate::config::AddressRange>,
    /// Demo sign-ins for the dashboard, set under `--demo` only.
    pub demo_logins: std::sync::OnceLock<Vec<crate::http::dashboard::DemoLogin>>,
    /// Parsed documents that passed the query limits, by query text.
    pub documents: crate::graphql::engine::documents::DocumentCache,
    /// Persisted operations: automatic, or only the trusted documents.
    pub persisted: crate::graphql::engine::persisted::Persisted,
    /// What each caller's roles see: documents are validated against it.
    pub role_schemas: crate::graphql::engine::role_schema::RoleSchemas,
    /// Woken after each commit that wrote access-log rows, to seal them into the chain.
    pub sealer: Arc<tokio::sync::Notify>,
    /// The background tasks' own connection pool (the access-log sealer and the rate-limit
    /// sharing): they never take a request's connection, and their statements are not
    /// counted as requests' (`typgraph_db_statements_total`).
    pub background_db: DatabaseConnection,
    /// The key connection cursors are sealed with, the same on every replica.
    pub cursors: Arc<crate::services::cursor::CursorKey>,
    /// The bearer token `/metrics` on the main listener requires; without it the main
    /// listener does not serve metrics.
    pub metrics_token: Option<Secret>,
}

/// A start-up failure, reported as one line by `main`.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A built application, ready to serve.
pub struct App {
    pub state: Arc<AppState>,
    pub listener: TcpListener,
    /// The listener serving only `/metrics`, when one is configured.
    pub metrics_listener: Option<TcpListener>,
}

impl App {
    /// Connects and migrates the database, compiles the policy, and binds the listener.
    /// Under `--demo` without a configured key the development secret is used.
    pub async fn build(mut config: Config) -> Result<App, StartError> {
        if config.demo && !config.jwt.has_key() {
            config.jwt.secret = Some(Secret(DEMO_JWT_SECRET.to_owned()));
        }
        let verifier = TokenVerifier::new(&config.jwt).map_err(|e| StartError(e.0))?;
        let cursors =
            crate::services::cursor::CursorKey::from_config(&config).map_err(StartError)?;
        crate::labels::labels().map_err(StartError)?;
        let metrics = Metrics::new();
        let db = connect_and_migrate(
            &config.database_url,
            Some(metrics.clone()),
            config.database_max_connections,
        )
        .await?;
        if config.demo {
            demo_database_only(&db).await?;
        }
        let reports_db = match &config.reports_database_url {
            None => None,
            Some(url) => Some(
                crate::db::connect(url, None, config.database_max_connections)
                    .await
                    .map_err(|e| {
                        StartError(format!(
                            "cannot connect to the reports database: {}",
                            one_line(&e)
                        ))
                    })?,
            ),
        };
        // The sealer and the rate-limit sharing each run one round at a time.
        let background_db = crate::db::connect(&config.database_url, None, Some(2))
            .await
            .map_err(|e| {
                StartError(format!(
                    "cannot connect the background tasks: {}",
                    one_line(&e)
                ))
            })?;
        let policy = PolicyStore::open(&db, config.authz_dir.as_deref())
            .await
            .map_err(|e| StartError(e.to_string()))?;
        let listener = TcpListener::bind(&config.listen)
            .await
            .map_err(|e| StartError(format!("cannot listen on {}: {e}", config.listen)))?;
        let metrics_listener =
            match &config.metrics_listen {
                None => None,
                Some(addr) => Some(TcpListener::bind(addr).await.map_err(|e| {
                    StartError(format!("cannot listen for metrics on {addr}: {e}"))
                })?),
            };
        if let Some(token) = &config.metrics_token {
            if token.0.chars().count() < 32 {
                return Err(StartError(
                    "TYPGRAPH_METRICS_TOKEN must be at least 32 characters".into(),
                ));
            }
        }
        let introspection = config.introspection || config.demo;
        let persisted = match &config.trusted_documents {
            None => Default::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    StartError(format!(
                        "TYPGRAPH_TRUSTED_DOCUMENTS {}: {e}",
                        path.display()
                    ))
                })?;
                crate::graphql::engine::persisted::Persisted::trusted(&text).map_err(|e| {
                    StartError(format!(
                        "TYPGRAPH_TRUSTED_DOCUMENTS {}: {e}",
                        path.display()
                    ))
                })?
            }
        };
        let state = Arc::new(AppState {
            db,
            reports_db,
            schemas: OfficialSchemas::build(introspection),
            client_schema: crate::graphql::self_service::build_client_schema(introspection),
            policy: Arc::new(policy),
            verifier,
            metrics,
            settings: Arc::new(config.settings.clone()),
            explorer: config.explorer || config.demo,
            rate: crate::http::ratelimit::RateLimits::new(config.rate),
            transport: config.transport,
            cors_origins: config.cors_origins.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
            demo_logins: std::sync::OnceLock::new(),
            documents: Default::default(),
            role_schemas: Default::default(),
            persisted,
            sealer: Arc::new(tokio::sync::Notify::new()),
            background_db,
            cursors: Arc::new(cursors),
            metrics_token: config.metrics_token.clone(),
        });
        Ok(App {
            state,
            listener,
            metrics_listener,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The address of the metrics listener, when one is configured.
    pub fn metrics_addr(&self) -> Option<std::net::SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|l| l.local_addr().ok())
    }

    /// Serves until `shutdown` resolves; in-flight requests finish first.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let watcher = self.state.policy.clone().watch(self.state.db.clone());
        let sealer = crate::audit::chain::spawn_sealer(
            self.state.background_db.clone(),
            self.state.sealer.clone(),
            self.state.metrics.clone(),
        );
        let sharing = crate::http::ratelimit::spawn_sharing(self.state.clone());
        let db = self.state.background_db.clone();
        let transport = self.state.transport;
        let trusted = self.state.trusted_proxies.clone();
        let metrics = self.state.metrics.clone();
        // The scraper's listener gets the same timeouts and per-address cap as the main one;
        // it is stopped (aborted) when the main listener has drained.
        let metrics_task = self.metrics_listener.map(|listener| {
            let router = crate::http::metrics_router(self.state.clone());
            let served = crate::http::transport::serve(
                listener,
                router,
                transport,
                trusted.clone(),
                metrics.clone(),
                std::future::pending(),
            );
            tokio::spawn(async move {
                if let Err(e) = served.await {
                    tracing::warn!(cause = %e, "the metrics listener stopped");
                }
            })
        });
        let router = crate::http::router(self.state);
        let served = crate::http::transport::serve(
            self.listener,
            router,
            transport,
            trusted,
            metrics.clone(),
            shutdown,
        )
        .await;
        watcher.abort();
        sealer.abort();
        if let Some(metrics_task) = metrics_task {
            metrics_task.abort();
        }
        if let Some(sharing) = sharing {
            sharing.abort();
        }
        // The last requests' rows are sealed before the process goes.
        if let Err(e) = crate::audit::chain::seal_recent(&db).await {
            tracing::warn!(cause = %crate::error::db_error_summary(&e), "sealing the access log on shutdown failed");
        }
        match crate::audit::record_seal::seal_recent(&db).await {
            Ok(_) => {
                if let Ok(head) = crate::audit::record_seal::head(&db).await {
                    if head.seq > 0 {
                        crate::audit::chain::publish(&metrics, &head);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(cause = %crate::error::db_error_summary(&e), "sealing the audit records on shutdown failed");
            }
        }
        served
    }
}

/// `--demo` accepts the public development secret and publishes a token per role (ADMIN
/// among them) at `/dashboard/demo-logins`: only over an empty database (the demo data is
/// loaded into it) or one that holds the demo data set (its dataset marker), as `token`
/// signs with that secret only there. Any other database is refused before anything is
/// served.
async fn demo_database_only(db: &sea_orm::DatabaseConnection) -> Result<(), StartError> {
    let read = |e: sea_orm::DbErr| {
        StartError(format!(
            "--demo: cannot read the database: {}",
            one_line(&e)
        ))
    };
    if crate::demo::is_empty(db).await.map_err(read)?
        || crate::demo::is_demo(db).await.map_err(read)?
    {
        return Ok(());
    }
    Err(StartError(
        "--demo serves only an empty database or the demo data set, and this database holds other data: serve it without --demo, with a configured signing key".into(),
    ))
}

/// Connects (creating a SQLite file if needed) and applies pending migrations.
pub async fn connect_and_migrate(
    url: &str,
    metrics: Option<Arc<Metrics>>,
    max_connections: Option<u32>,
) -> Result<DatabaseConnection, StartError> {
    let observer = metrics.map(|m| {
        Arc::new(move |elapsed, failed| m.observe_statement(elapsed, failed))
            as crate::db::StatementObserver
    });
    let db = crate::db::connect(url, observer, max_connections)
        .await
        .map_err(|e| StartError(format!("cannot connect to the database: {}", one_line(&e))))?;
    crate::db::migrate(&db)
        .await
        .map_err(|e| StartError(format!("migration failed: {}", one_line(&e))))?;
    Ok(db)
}

pub fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string().replace('\n', " ")
}

impl std::error::Error for StartError {}
