//! Logging (`RUST_LOG`, default `info`) and Prometheus metrics.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tracing_subscriber::EnvFilter;

use crate::config::{LogFormat, Logging};

/// Flushes exported traces when dropped (at the end of `main`).
pub struct TelemetryGuard(Option<opentelemetry_sdk::trace::SdkTracerProvider>);

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.0.take() {
            if let Err(e) = provider.shutdown() {
                eprintln!("typgraph: traces not flushed: {e}");
            }
        }
    }
}

/// An OTLP/HTTP (JSON) span exporter to `endpoint` (the full URL, `…/v1/traces`), batched
/// on the SDK's own thread.
fn tracer_provider(endpoint: &str) -> Result<opentelemetry_sdk::trace::SdkTracerProvider, String> {
    use opentelemetry_otlp::WithExportConfig;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(opentelemetry_otlp::Protocol::HttpJson)
        .with_endpoint(endpoint)
        .build()
        .map_err(|e| format!("TYPGRAPH_OTLP_ENDPOINT: {e}"))?;
    let resource = opentelemetry_sdk::Resource::builder_empty()
        .with_service_name("typgraph")
        .build();
    Ok(opentelemetry_sdk::trace::SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Initialises logging once (`RUST_LOG`, default `info`, to stderr) and, with an OTLP
/// endpoint, trace export of the same spans (each request's span with its id, route
/// pattern and status; never a query, variable or value). Later calls are no-ops. Values
/// that could be personal never reach a log line or span: events carry codes, ids of
/// officials and counts, and database errors are summarised (`error::db_error_summary`).
pub fn init_logging(logging: &Logging) -> Result<TelemetryGuard, String> {
    use opentelemetry::trace::TracerProvider as _;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let filter = logging
        .filter
        .as_deref()
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_writer(std::io::stderr);
    let fmt = match logging.format {
        LogFormat::Text => fmt.boxed(),
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(true)
            .boxed(),
    };
    let provider = logging
        .otlp_endpoint
        .as_deref()
        .map(tracer_provider)
        .transpose()?;
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("typgraph")));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init();
    Ok(TelemetryGuard(provider))
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ErrorLabels {
    pub code: String,
}

/// The published head of the record chain, as labels of an info metric.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AuditHeadLabels {
    pub seq: String,
    pub hash: String,
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Histogram,
    pub sql_statements: Counter<u64, AtomicU64>,
    pub sql_failures: Counter<u64, AtomicU64>,
    pub sql_duration: Histogram,
    pub access_log_failures: Counter<u64, AtomicU64>,
    pub rate_limited: Counter<u64, AtomicU64>,
    pub rate_limit_rounds: Counter<u64, AtomicU64>,
    pub rate_limit_round_failures: Counter<u64, AtomicU64>,
    pub graphql_errors: Family<ErrorLabels, Counter>,
    pub access_log_rows: Counter<u64, AtomicU64>,
    pub graphql_prevalidated: Counter<u64, AtomicU64>,
    pub graphql_reshaped: Counter<u64, AtomicU64>,
    pub db_pool_connections: Gauge,
    pub db_pool_idle: Gauge,
    pub db_pool_max: Gauge,
    pub audit_sealed_seq: Gauge,
    pub audit_head: Family<AuditHeadLabels, Gauge>,
    pub connections_open: Gauge,
    pub connections_refused: Counter<u64, AtomicU64>,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("typgraph");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration = Histogram::new(exponential_buckets(0.0005, 2.0, 16));
        let sql_statements = Counter::default();
        let sql_failures = Counter::default();
        let sql_duration = Histogram::new(exponential_buckets(0.0001, 2.0, 16));
        let access_log_failures = Counter::default();
        let rate_limited = Counter::default();
        let rate_limit_rounds = Counter::default();
        let rate_limit_round_failures = Counter::default();
        let graphql_errors = Family::<ErrorLabels, Counter>::default();
        let access_log_rows = Counter::default();
        let graphql_prevalidated = Counter::default();
        let graphql_reshaped = Counter::default();
        let db_pool_connections = Gauge::default();
        let db_pool_idle = Gauge::default();
        let db_pool_max = Gauge::default();
        let audit_sealed_seq = Gauge::default();
        let audit_head = Family::<AuditHeadLabels, Gauge>::default();
        registry.register(
            "audit_sealed_seq",
            "The record chain's head seal as last published by this process (its seq)",
            audit_sealed_seq.clone(),
        );
        registry.register(
            "audit_head",
            "The record chain's head as last published by this process: seq and hash as labels, value 1",
            audit_head.clone(),
        );
        let connections_open = Gauge::default();
        let connections_refused = Counter::default();
        registry.register(
            "http_connections_open",
            "HTTP connections open",
            connections_open.clone(),
        );
        registry.register(
            "http_connections_refused",
            "Connections closed at once: their address held TYPGRAPH_CONNECTIONS_PER_ADDRESS already",
            connections_refused.clone(),
        );
        registry.register(
            "access_log_rows",
            "Access-log rows committed with the requests they record",
            access_log_rows.clone(),
        );
        registry.register(
            "graphql_prevalidated_requests",
            "Requests executed without full validation: their document passed it before",
            graphql_prevalidated.clone(),
        );
        registry.register(
            "graphql_reshaped_queries",
            "Queries run a second time, with field errors shaped as the specification says, \
             because a field failed in the first run",
            graphql_reshaped.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Database connections open (in use and idle)",
            db_pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Database connections open and idle",
            db_pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "The pool's connection limit",
            db_pool_max.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors answered, by extensions.code",
            graphql_errors.clone(),
        );
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit (address or official)",
            rate_limited.clone(),
        );
        registry.register(
            "rate_limit_rounds",
            "Rounds in which this process shared its rate-limit buckets with the other replicas",
            rate_limit_rounds.clone(),
        );
        registry.register(
            "rate_limit_round_failures",
            "Rounds of rate-limit sharing that failed (the spending is kept for the next)",
            rate_limit_round_failures.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request duration",
            http_duration.clone(),
        );
        registry.register(
            "sql_statements",
            "SQL statements executed",
            sql_statements.clone(),
        );
        registry.register(
            "sql_statement_failures",
            "SQL statements that failed",
            sql_failures.clone(),
        );
        registry.register(
            "sql_statement_duration_seconds",
            "SQL statement duration",
            sql_duration.clone(),
        );
        registry.register(
            "access_log_failures",
            "Responses withheld because their access-log rows could not be committed",
            access_log_failures.clone(),
        );
        Arc::new(Metrics {
            registry,
            http_requests,
            http_duration,
            sql_statements,
            sql_failures,
            sql_duration,
            access_log_failures,
            rate_limited,
            rate_limit_rounds,
            rate_limit_round_failures,
            graphql_errors,
            access_log_rows,
            graphql_prevalidated,
            graphql_reshaped,
            db_pool_connections,
            db_pool_idle,
            db_pool_max,
            audit_sealed_seq,
            audit_head,
            connections_open,
            connections_refused,
        })
    }

    /// Counts one SQL statement (the database connection's metric callback).
    pub fn observe_statement(&self, elapsed: Duration, failed: bool) {
        self.sql_statements.inc();
        if failed {
            self.sql_failures.inc();
        }
        self.sql_duration.observe(elapsed.as_secs_f64());
    }

    /// Counts one error answered with `code` (GRAPHQL_VALIDATION for async-graphql's own
    /// parse and validation errors, which carry no code).
    pub fn error(&self, code: &str) {
        self.graphql_errors
            .get_or_create(&ErrorLabels {
                code: code.to_owned(),
            })
            .inc();
    }

    /// Reads the pool's current figures into the gauges (before each scrape).
    pub fn observe_pool(&self, db: &sea_orm::DatabaseConnection) {
        let (size, idle, max) = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => {
                let p = db.get_postgres_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            sea_orm::DbBackend::Sqlite => {
                let p = db.get_sqlite_connection_pool();
                (p.size(), p.num_idle(), p.options().get_max_connections())
            }
            _ => return,
        };
        self.db_pool_connections.set(i64::from(size));
        self.db_pool_idle
            .set(i64::try_from(idle).unwrap_or(i64::MAX));
        self.db_pool_max.set(i64::from(max));
    }

    /// Publishes the record chain's head: the sealed seq, and the head as the only series
    /// of the info metric.
    pub fn publish_audit_head(&self, seq: i64, hash: &str) {
        self.audit_sealed_seq.set(seq);
        self.audit_head.clear();
        self.audit_head
            .get_or_create(&AuditHeadLabels {
                seq: seq.to_string(),
                hash: hash.to_owned(),
            })
            .set(1);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("metrics could not be encoded");
        }
        out
    }
}
