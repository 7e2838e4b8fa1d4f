//! The one place the process environment is read: `TYPGRAPH_*` variables (and `RUST_LOG`)
//! into the typed configuration. A malformed value is an error naming the variable; the
//! command line reports it as one line and stops.

use std::path::PathBuf;
use std::time::Duration;

use super::{
    parse_list, parse_ttl, Config, JwtConfig, Logging, RateConfig, Secret, TransportConfig,
    DEFAULT_JWT_MAX_LIFETIME_SECS,
};
use crate::domain::settings::Settings;

/// A variable's value, `None` when unset or blank.
fn set(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A boolean variable (`1`, `true`, `yes`).
fn flag(name: &str) -> bool {
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

/// A whole number of at least `least` from the variable `name`; `None` when it is unset or
/// empty; anything else is an error naming the variable.
fn whole_number(name: &str, least: u32) -> Result<Option<u32>, String> {
    match number_from::<u32>(&|n| std::env::var(n).ok(), name) {
        Ok(None) => Ok(None),
        Ok(Some(n)) if n >= least => Ok(Some(n)),
        _ => Err(format!("{name} must be a whole number from {least} up")),
    }
}

/// Logging from `TYPGRAPH_LOG_FORMAT`, `RUST_LOG` and `TYPGRAPH_OTLP_ENDPOINT`.
pub fn logging() -> Result<Logging, String> {
    Ok(Logging {
        format: std::env::var("TYPGRAPH_LOG_FORMAT")
            .unwrap_or_default()
            .parse()?,
        filter: std::env::var("RUST_LOG").ok(),
        otlp_endpoint: set("TYPGRAPH_OTLP_ENDPOINT"),
    })
}

/// How bearer tokens are verified, from `TYPGRAPH_JWT_*`.
pub fn jwt() -> Result<JwtConfig, String> {
    let max_lifetime_secs = match set("TYPGRAPH_JWT_MAX_LIFETIME") {
        None => DEFAULT_JWT_MAX_LIFETIME_SECS,
        Some(v) => parse_ttl(&v).ok_or_else(|| {
            format!("TYPGRAPH_JWT_MAX_LIFETIME is a number with s, m, h or d (such as 12h): {v}")
        })?,
    };
    Ok(JwtConfig {
        secret: set("TYPGRAPH_JWT_SECRET").map(Secret),
        public_key_pem: set("TYPGRAPH_JWT_PUBLIC_KEY"),
        issuer: set("TYPGRAPH_JWT_ISSUER"),
        audience: set("TYPGRAPH_JWT_AUDIENCE"),
        max_lifetime_secs,
    })
}

/// The domain settings: their defaults, overridden by `TYPGRAPH_*` variables (see
/// docs/operations.md).
pub fn settings() -> Result<Settings, String> {
    Settings::from_lookup(|name| std::env::var(name).ok())
}

/// The key erased identities are pseudonymised with (`TYPGRAPH_PSEUDONYM_KEY`), empty when
/// unset.
pub fn pseudonym_key() -> String {
    std::env::var("TYPGRAPH_PSEUDONYM_KEY").unwrap_or_default()
}

/// Whether a build without authorization was started for a benchmark on purpose
/// (`TYPGRAPH_BENCH_NO_AUTHZ=yes-this-is-a-benchmark`).
pub fn benchmark_without_authz_confirmed() -> bool {
    std::env::var("TYPGRAPH_BENCH_NO_AUTHZ").as_deref() == Ok("yes-this-is-a-benchmark")
}

/// Rate limits from `TYPGRAPH_RATE_*` (0 turns one off).
fn rate() -> Result<RateConfig, String> {
    let d = RateConfig::default();
    let read = |name: &str, default: u32| whole_number(name, 0).map(|n| n.unwrap_or(default));
    Ok(RateConfig {
        requests_per_minute: read("TYPGRAPH_RATE_REQUESTS_PER_MINUTE", d.requests_per_minute)?,
        objects_per_minute: read("TYPGRAPH_RATE_OBJECTS_PER_MINUTE", d.objects_per_minute)?,
    })
}

/// Connection deadlines and the per-address cap from `TYPGRAPH_*` (seconds; 0 connections
/// per address turns the cap off).
fn transport() -> Result<TransportConfig, String> {
    let d = TransportConfig::default();
    let secs = |name: &str, default: Duration| {
        whole_number(name, 1).map(|n| n.map_or(default, |n| Duration::from_secs(u64::from(n))))
    };
    Ok(TransportConfig {
        header_timeout: secs("TYPGRAPH_HEADER_TIMEOUT_SECS", d.header_timeout)?,
        body_timeout: secs("TYPGRAPH_BODY_TIMEOUT_SECS", d.body_timeout)?,
        connections_per_address: whole_number("TYPGRAPH_CONNECTIONS_PER_ADDRESS", 0)?
            .unwrap_or(d.connections_per_address),
    })
}

/// Everything `serve` needs: the flags given, the rest from the environment.
pub fn serve(listen: String, database_url: String, demo: bool) -> Result<Config, String> {
    Ok(Config {
        database_url,
        listen,
        demo,
        explorer: flag("TYPGRAPH_EXPLORER"),
        introspection: flag("TYPGRAPH_INTROSPECTION"),
        jwt: jwt()?,
        authz_dir: std::env::var_os("TYPGRAPH_AUTHZ_DIR").map(PathBuf::from),
        settings: settings()?,
        cors_origins: std::env::var("TYPGRAPH_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        rate: rate()?,
        transport: transport()?,
        trusted_proxies: parse_list(&std::env::var("TYPGRAPH_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|e| format!("TYPGRAPH_TRUSTED_PROXIES: {e}"))?,
        reports_database_url: set("TYPGRAPH_REPORTS_DATABASE_URL"),
        database_max_connections: whole_number("TYPGRAPH_DATABASE_MAX_CONNECTIONS", 1)?,
        cursor_key: set("TYPGRAPH_CURSOR_KEY").map(Secret),
        metrics_token: set("TYPGRAPH_METRICS_TOKEN").map(Secret),
        trusted_documents: set("TYPGRAPH_TRUSTED_DOCUMENTS").map(PathBuf::from),
        metrics_listen: set("TYPGRAPH_METRICS_LISTEN"),
    })
}
