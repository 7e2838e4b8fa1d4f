//! Rate limits: requests per client address (checked before anything else, so a flood of
//! bad tokens is refused cheaply) and objects returned per official (what a sweep through
//! the register costs). Token buckets refilled continuously; a bucket in debt refuses with
//! `LIMIT_EXCEEDED` (HTTP 429, `Retry-After`). The buckets are per process: with N replicas
//! behind a balancer an official's budget is at most N times the configured one.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;

use crate::app::AppState;
use crate::error::AppError;

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

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct Buckets<K> {
    per_minute: u32,
    map: Mutex<HashMap<K, Bucket>>,
}

impl<K: Hash + Eq> Buckets<K> {
    fn new(per_minute: u32) -> Self {
        Buckets {
            per_minute,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }

    fn refill(&self, b: &mut Bucket, now: Instant) {
        let per_second = self.capacity() / 60.0;
        let gained = now.duration_since(b.at).as_secs_f64() * per_second;
        b.tokens = (b.tokens + gained).min(self.capacity());
        b.at = now;
    }

    /// Takes `cost` tokens; refuses (with the wait until they are there) when the bucket
    /// holds fewer. Objects are charged after the answer ([`Self::charge`]) and may
    /// overdraw it.
    fn take<Q>(&self, key: &Q, cost: f64) -> Result<(), Duration>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_BUCKETS && !map.contains_key(key) {
            let cap = self.capacity();
            map.retain(|_, b| {
                let idle = now.duration_since(b.at).as_secs_f64() * cap / 60.0;
                b.tokens + idle < cap
            });
        }
        if !map.contains_key(key) {
            map.insert(
                key.to_owned(),
                Bucket {
                    tokens: self.capacity(),
                    at: now,
                },
            );
        }
        let Some(b) = map.get_mut(key) else {
            return Ok(());
        };
        self.refill(b, now);
        // A request needs its cost in the bucket; an object check (cost 0) needs the bucket
        // out of debt.
        let need = cost.max(f64::MIN_POSITIVE);
        if b.tokens < need {
            let wait = (need - b.tokens) * 60.0 / self.capacity();
            return Err(Duration::from_secs_f64(wait.max(1.0)));
        }
        b.tokens -= cost;
        Ok(())
    }

    /// Takes `cost` tokens without refusing (the answer has been computed already).
    fn charge<Q>(&self, key: &Q, cost: f64)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if self.per_minute == 0 {
            return;
        }
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(b) = map.get_mut(key) {
            self.refill(b, now);
            b.tokens -= cost;
        }
    }
}

/// The server's rate limits.
pub struct RateLimits {
    addresses: Buckets<IpAddr>,
    officials: Buckets<String>,
}

impl RateLimits {
    pub fn new(config: RateConfig) -> Self {
        RateLimits {
            addresses: Buckets::new(config.requests_per_minute),
            officials: Buckets::new(config.objects_per_minute),
        }
    }

    /// Counts one request from `address`.
    pub fn request(&self, address: IpAddr) -> Result<(), Duration> {
        self.addresses.take(&address, 1.0)
    }

    /// Whether `official` may make a request now (their object budget is not in debt).
    pub fn official_may_ask(&self, official: &str) -> Result<(), Duration> {
        self.officials.take(official, 0.0)
    }

    /// Charges `official` for the objects a response returned.
    pub fn charge_objects(&self, official: &str, objects: usize) {
        self.officials.charge(official, objects.max(1) as f64);
    }
}

/// The refusal to send when `official`'s object budget is in debt; `None` lets them ask.
pub fn refusal_for_official(app: &AppState, official: &str) -> Option<Response> {
    app.rate
        .official_may_ask(official)
        .err()
        .map(|wait| refused(app, wait))
}

/// The answer to a request over a limit: 429, `LIMIT_EXCEEDED`, and when to try again.
pub fn refused(app: &AppState, wait: Duration) -> Response {
    app.metrics.rate_limited.inc();
    let mut res = super::error_response(AppError::LimitExceeded(
        "rate limit reached; try again later".into(),
    ));
    *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// Objects (JSON objects) in a GraphQL response's data: what a caller received.
pub fn count_objects(value: &async_graphql::Value) -> usize {
    match value {
        async_graphql::Value::Object(map) => 1 + map.values().map(count_objects).sum::<usize>(),
        async_graphql::Value::List(items) => items.iter().map(count_objects).sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refuses_once_in_debt_and_refills_with_time() {
        let limits = RateLimits::new(RateConfig {
            requests_per_minute: 3,
            objects_per_minute: 100,
        });
        let ip: IpAddr = [127, 0, 0, 1].into();
        for _ in 0..3 {
            assert!(limits.request(ip).is_ok());
        }
        let wait = limits.request(ip).unwrap_err();
        assert!(wait >= Duration::from_secs(1), "{wait:?}");
        let other: IpAddr = [127, 0, 0, 2].into();
        assert!(limits.request(other).is_ok(), "addresses are counted apart");

        assert!(limits.official_may_ask("o1").is_ok());
        limits.charge_objects("o1", 150);
        assert!(
            limits.official_may_ask("o1").is_err(),
            "150 objects of 100 a minute"
        );
        assert!(limits.official_may_ask("o2").is_ok());
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let limits = RateLimits::new(RateConfig {
            requests_per_minute: 0,
            objects_per_minute: 0,
        });
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..10_000 {
            assert!(limits.request(ip).is_ok());
        }
        limits.charge_objects("o", 1_000_000);
        assert!(limits.official_may_ask("o").is_ok());
    }

    #[test]
    fn objects_are_counted_through_lists() {
        let v = async_graphql::Value::from_json(serde_json::json!({
            "clients": { "edges": [ { "node": { "id": "a" } }, { "node": { "id": "b" } } ] }
        }))
        .unwrap();
        // data, clients, 2 edges, 2 nodes
        assert_eq!(count_objects(&v), 6);
    }
}
