//! Typed configuration, read once in `main` from flags and `TYPGRAPH_*` variables and
//! passed down. Secrets never print (`Debug` redacts them).

use std::path::PathBuf;

mod settings;

use crate::domain::settings::Settings;

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
    /// From `TYPGRAPH_JWT_*`; an error names a variable that does not parse.
    pub fn from_env() -> Result<JwtConfig, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let max_lifetime_secs = match var("TYPGRAPH_JWT_MAX_LIFETIME") {
            None => DEFAULT_JWT_MAX_LIFETIME_SECS,
            Some(v) => crate::http::auth::parse_ttl(&v).ok_or_else(|| {
                format!(
                    "TYPGRAPH_JWT_MAX_LIFETIME is a number with s, m, h or d (such as 12h): {v}"
                )
            })?,
        };
        Ok(JwtConfig {
            secret: var("TYPGRAPH_JWT_SECRET").map(Secret),
            public_key_pem: var("TYPGRAPH_JWT_PUBLIC_KEY"),
            issuer: var("TYPGRAPH_JWT_ISSUER"),
            audience: var("TYPGRAPH_JWT_AUDIENCE"),
            max_lifetime_secs,
        })
    }

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
    pub rate: crate::http::ratelimit::RateConfig,
    /// Connection deadlines and the per-address connection cap (`http::transport`).
    pub transport: crate::http::transport::TransportConfig,
    /// Load balancers and proxies whose `X-Forwarded-For` names the client
    /// (`TYPGRAPH_TRUSTED_PROXIES`, comma-separated addresses or networks); none by default.
    pub trusted_proxies: Vec<crate::http::proxies::AddressRange>,
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
            rate: crate::http::ratelimit::RateConfig::default(),
            transport: crate::http::transport::TransportConfig::default(),
            trusted_proxies: Vec::new(),
            reports_database_url: None,
            database_max_connections: None,
            cursor_key: None,
            metrics_token: None,
            metrics_listen: None,
        }
    }
}

/// Reads a boolean environment variable (`1`, `true`, `yes`).
pub fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false)
}

/// A number from a configuration lookup (the environment, or a test's map): `None` when
/// unset or blank; an error naming the variable and the value when it does not parse.
pub fn number_from<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<T>, String> {
    match get(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} is not a valid number: {v}")),
    }
}
