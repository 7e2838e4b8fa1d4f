//! Typed configuration: flags and `TYPGRAPH_*` variables, read once (the environment only
//! in [`env`]) and passed down. Secrets never print (`Debug` redacts them).

use std::path::PathBuf;
use std::time::Duration;

mod settings;

use crate::domain::settings::Settings;

mod address;
pub mod env;

pub(crate) use address::canonical;
pub use address::{parse_list, AddressRange};

/// The development signing secret used by `--demo` when no secret is configured.
/// Never accepted without `--demo` data.
pub const DEMO_JWT_SECRET: &str = "typgraph-demo-development-secret-do-not-use-in-production";

pub const DEFAULT_DATABASE_URL: &str = "sqlite://typgraph.db?mode=rwc";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// A secret value that never appears in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The longest token lifetime accepted by default (`TYPGRAPH_JWT_MAX_LIFETIME`): a working day
/// and a half; a stolen token is worth no more than that.
pub const DEFAULT_JWT_MAX_LIFETIME_SECS: i64 = 12 * 3600;

/// How bearer tokens are verified.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// HS256 shared secret (`TYPGRAPH_JWT_SECRET`).
    pub secret: Option<Secret>,
    /// RS256 public key in PEM (`TYPGRAPH_JWT_PUBLIC_KEY`), for a real identity provider.
    pub public_key_pem: Option<String>,
    /// Expected `iss` (`TYPGRAPH_JWT_ISSUER`).
    pub issuer: Option<String>,
    /// Expected `aud` (`TYPGRAPH_JWT_AUDIENCE`): the token's `aud`, or one of its entries.
    pub audience: Option<String>,
    /// The longest lifetime a token may have, in seconds (`TYPGRAPH_JWT_MAX_LIFETIME`, such
    /// as `12h`): `exp - iat`, or `exp - now` without `iat`.
    pub max_lifetime_secs: i64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        JwtConfig {
            secret: None,
            public_key_pem: None,
            issuer: None,
            audience: None,
            max_lifetime_secs: DEFAULT_JWT_MAX_LIFETIME_SECS,
        }
    }
}

impl JwtConfig {
    pub fn has_key(&self) -> bool {
        self.secret.is_some() || self.public_key_pem.is_some()
    }
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: String,
    /// Load the demo data set into an empty database and print tokens.
    pub demo: bool,
    /// Serve the explorer page at `/` (`TYPGRAPH_EXPLORER=1`; on with `--demo`).
    pub explorer: bool,
    /// GraphQL introspection and field suggestions (`TYPGRAPH_INTROSPECTION=1`; on with `--demo`).
    pub introspection: bool,
    pub jwt: JwtConfig,
    /// A directory with `model.conf` and `policy.csv` (`TYPGRAPH_AUTHZ_DIR`); the copies
    /// built from `config/authz/` otherwise.
    pub authz_dir: Option<PathBuf>,
    pub settings: Settings,
    /// Origins a browser may call the API from (`TYPGRAPH_CORS_ORIGINS`, comma-separated);
    /// none by default: the dashboard and explorer are served from the same origin.
    pub cors_origins: Vec<String>,
    pub rate: RateConfig,
    /// Connection deadlines and the per-address connection cap (`http::transport`).
    pub transport: TransportConfig,
    /// Load balancers and proxies whose `X-Forwarded-For` names the client
    /// (`TYPGRAPH_TRUSTED_PROXIES`, comma-separated addresses or networks); none by default.
    pub trusted_proxies: Vec<AddressRange>,
    /// A read replica (PostgreSQL standby) for report queries
    /// (`TYPGRAPH_REPORTS_DATABASE_URL`); the main database when absent.
    pub reports_database_url: Option<String>,
    /// Pooled connections per database (`TYPGRAPH_DATABASE_MAX_CONNECTIONS`); the backend's
    /// default ([`crate::db::DEFAULT_POSTGRES_CONNECTIONS`], or SQLite's) when `None`.
    pub database_max_connections: Option<u32>,
    /// The key connection cursors are sealed with (`TYPGRAPH_CURSOR_KEY`, at least 32
    /// characters, the same on every replica); derived from the HS256 secret when absent.
    pub cursor_key: Option<Secret>,
    /// A bearer token that `/metrics` on the main listener requires
    /// (`TYPGRAPH_METRICS_TOKEN`); without it (and without a metrics listener) the main
    /// listener does not serve metrics.
    pub metrics_token: Option<Secret>,
    /// Only these documents run (`TYPGRAPH_TRUSTED_DOCUMENTS`: a JSON map of SHA-256 to
    /// document, or an Apollo persisted query manifest); any document when unset.
    pub trusted_documents: Option<PathBuf>,
    /// A separate listen address serving only `/metrics`, unauthenticated
    /// (`TYPGRAPH_METRICS_LISTEN`), for a network only the scraper reaches.
    pub metrics_listen: Option<String>,
}

impl Config {
    /// A configuration for tests and tools: the given database, no listener preference.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            listen: "127.0.0.1:0".to_owned(),
            demo: false,
            explorer: false,
            introspection: false,
            jwt: JwtConfig::default(),
            authz_dir: None,
            settings: Settings::default(),
            cors_origins: Vec::new(),
            rate: RateConfig::default(),
            transport: TransportConfig::default(),
            trusted_proxies: Vec::new(),
            reports_database_url: None,
            database_max_connections: None,
            cursor_key: None,
            metrics_token: None,
            trusted_documents: None,
            metrics_listen: None,
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (the default).
    Text,
    /// One JSON object per line, with the request's span (its `request_id`) flattened in:
    /// for a log collector.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            _ => Err("TYPGRAPH_LOG_FORMAT must be text or json".to_owned()),
        }
    }
}

/// Logging: the format, the filter (`RUST_LOG`, `info` when unset or malformed) and the
/// OTLP endpoint traces are exported to (`TYPGRAPH_OTLP_ENDPOINT`), if any.
#[derive(Debug, Clone)]
pub struct Logging {
    /// `TYPGRAPH_LOG_FORMAT`.
    pub format: LogFormat,
    pub filter: Option<String>,
    pub otlp_endpoint: Option<String>,
}

/// Rates per minute; a bucket holds one minute's worth. Zero turns a limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    /// Requests per client address (`TYPGRAPH_RATE_REQUESTS_PER_MINUTE`).
    pub requests_per_minute: u32,
    /// Objects in responses per official (`TYPGRAPH_RATE_OBJECTS_PER_MINUTE`).
    pub objects_per_minute: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            requests_per_minute: 1_200,
            objects_per_minute: 30_000,
        }
    }
}

/// Connection deadlines and caps. Zero connections per address turns the cap off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// A request's head, from the connection's opening or its previous response
    /// (`TYPGRAPH_HEADER_TIMEOUT_SECS`); also how long a kept-alive connection may idle.
    pub header_timeout: Duration,
    /// A request's whole body, from its head (`TYPGRAPH_BODY_TIMEOUT_SECS`).
    pub body_timeout: Duration,
    /// Connections open at once per client address (`TYPGRAPH_CONNECTIONS_PER_ADDRESS`).
    pub connections_per_address: u32,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            connections_per_address: 128,
        }
    }
}

/// Parses a duration like `8h`, `30m`, `3600s` or `2d` into seconds.
pub fn parse_ttl(text: &str) -> Option<i64> {
    let text = text.trim();
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|s| *s > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_units_parse() {
        assert_eq!(parse_ttl("8h"), Some(28800));
        assert_eq!(parse_ttl("15m"), Some(900));
        assert_eq!(parse_ttl("0s"), None);
        assert_eq!(parse_ttl("8"), None);
        assert_eq!(parse_ttl("h"), None);
    }
}
