//! Rate limits: requests per client address (checked before anything else, so a flood of
//! bad tokens is refused cheaply) and objects returned per official (what a sweep through
//! the register costs). Token buckets refilled continuously; a bucket in debt refuses with
//! `LIMIT_EXCEEDED` (HTTP 429, `Retry-After`).
//!
//! The buckets are shared by every replica on one database, so N replicas behind a balancer
//! give an address or an official the same budget as one. A request is decided in memory
//! (no database round trip on the request path); every [`SYNC_EVERY`], and at once when one
//! subject has spent an eighth of its bucket here, a background task adds what this process
//! spent to the table `rate_limit_bucket` and reads back each such bucket as all replicas
//! left it, along with every bucket more than half spent anywhere. So a replica learns of a
//! heavy user it has never seen within one round, and what the replicas together let
//! through beyond the limit is bounded by what they spend between two rounds.
//!
//! A bucket is kept as the time it is full again (the generic cell rate algorithm): adding
//! spending from several processes is then just adding time, and the table needs no clock
//! but the database's.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use sea_orm::{ConnectionTrait, DbErr};

use crate::app::AppState;
pub use crate::config::RateConfig;

mod buckets;

use crate::error::AppError;
use buckets::{now_ms, read_buckets, Buckets, RateLimitBucket as B};
use sea_orm::sea_query::{Expr, Func, OnConflict, Order, Query};

/// How often a replica shares its spending and learns the others'.
pub const SYNC_EVERY: Duration = Duration::from_millis(250);

/// How often full buckets are deleted from the shared table.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

/// What one bucket holds: a minute of its rate.
const WINDOW_SECS: f64 = 60.0;

/// Buckets spent by more than this (seconds ahead of now, of [`WINDOW_SECS`]) are read by
/// every replica in every round, whether it has seen their subject or not.
const HEAVY_AHEAD_MS: i64 = 30_000;

/// Most heavy buckets read in one round (the most spent first).
const HEAVY_MAX: u64 = 5_000;

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 10_000;

/// The longest subject the shared table holds (its CHECK).
const MAX_SUBJECT: usize = 200;

/// Rows per INSERT of a round (three parameters each).
const ROWS_PER_INSERT: usize = 1_000;

/// The server's rate limits.
pub struct RateLimits {
    addresses: Buckets<IpAddr>,
    officials: Buckets<String>,
    /// Wakes the sharing task early (a subject spent an eighth of its bucket here).
    wake: tokio::sync::Notify,
}

impl RateLimits {
    pub fn new(config: RateConfig) -> Self {
        RateLimits {
            addresses: Buckets::new("ADDRESS", config.requests_per_minute),
            officials: Buckets::new("OFFICIAL", config.objects_per_minute),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// Whether any limit is on (otherwise nothing is shared).
    pub fn any_on(&self) -> bool {
        self.addresses.on() || self.officials.on()
    }

    fn early(&self, asked: bool) {
        if asked {
            self.wake.notify_one();
        }
    }

    /// Counts one request from `address` (in its [`address_bucket`]).
    pub fn request(&self, address: IpAddr) -> Result<(), Duration> {
        let (decided, early) = self.addresses.take(&address_bucket(address), 1.0);
        self.early(early);
        decided
    }

    /// Whether `official` may make a request now (their object budget is not in debt).
    pub fn official_may_ask(&self, official: &str) -> Result<(), Duration> {
        self.officials.take(official, 0.0).0
    }

    /// Charges `official` for the objects a response returned.
    pub fn charge_objects(&self, official: &str, objects: usize) {
        let early = self.officials.charge(official, objects.max(1) as f64);
        self.early(early);
    }

    /// One round of sharing: adds this process's spending to the shared buckets and learns
    /// them back, with every heavily spent bucket. Spending that could not be sent is kept
    /// for the next round.
    pub async fn share(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let addresses = self.addresses.to_send();
        let officials = self.officials.to_send();
        let sent = self.send_and_learn(db, &addresses, &officials).await;
        if sent.is_err() {
            self.addresses.unsent(addresses);
            self.officials.unsent(officials);
        }
        sent
    }

    async fn send_and_learn(
        &self,
        db: &impl ConnectionTrait,
        addresses: &[(IpAddr, f64)],
        officials: &[(String, f64)],
    ) -> Result<(), DbErr> {
        use sea_orm::sea_query::ExprTrait;
        let now_ms = now_ms(db.get_database_backend());
        let mut rows: Vec<(&str, String, i64)> = self
            .addresses
            .rows(addresses)
            .chain(self.officials.rows(officials))
            .collect();
        // The table takes subjects of up to 200 characters (official ids are far shorter); a
        // longer one stays this process's alone rather than failing every round.
        rows.retain(|(_, subject, _)| (1..=MAX_SUBJECT).contains(&subject.len()));
        let mut learned: Vec<(String, String, i64)> = Vec::new();
        let ahead = || Expr::col(B::FullAtMs).sub(now_ms.clone());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut insert = Query::insert()
                .into_table(B::Table)
                .columns([B::Kind, B::Subject, B::FullAtMs])
                .to_owned();
            for (kind, subject, spent_ms) in chunk {
                insert.values_panic([
                    (*kind).into(),
                    subject.as_str().into(),
                    now_ms.clone().add(*spent_ms),
                ]);
            }
            // A full bucket's time is now: spending is added from there.
            let full_at = Func::greatest([Expr::col((B::Table, B::FullAtMs)), now_ms.clone()]);
            insert
                .on_conflict(
                    OnConflict::columns([B::Kind, B::Subject])
                        .value(
                            B::FullAtMs,
                            Expr::from(full_at)
                                .add(Expr::col(("excluded", B::FullAtMs)).sub(now_ms.clone())),
                        )
                        .to_owned(),
                )
                .returning(Query::returning().exprs([
                    Expr::col(B::Kind),
                    Expr::col(B::Subject),
                    ahead(),
                ]));
            learned.extend(read_buckets(db, &insert).await?);
        }
        let heavy = Query::select()
            .columns([B::Kind, B::Subject])
            .expr_as(ahead(), "ahead_ms")
            .from(B::Table)
            .and_where(Expr::col(B::FullAtMs).gt(now_ms.clone().add(HEAVY_AHEAD_MS)))
            .order_by(B::FullAtMs, Order::Desc)
            .limit(HEAVY_MAX)
            .to_owned();
        learned.extend(read_buckets(db, &heavy).await?);
        let now = Instant::now();
        for (kind, subject, ahead_ms) in learned {
            if kind == self.addresses.kind && self.addresses.on() {
                self.addresses.learn(&subject, ahead_ms, now);
            } else if kind == self.officials.kind && self.officials.on() {
                self.officials.learn(&subject, ahead_ms, now);
            }
        }
        self.addresses.forget_full(now);
        self.officials.forget_full(now);
        Ok(())
    }

    /// Deletes the shared buckets that are full again (a missing row is a full bucket).
    pub async fn sweep(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
        use sea_orm::sea_query::ExprTrait;
        let now_ms = now_ms(db.get_database_backend());
        let sweep = Query::delete()
            .from_table(B::Table)
            .and_where(Expr::col(B::FullAtMs).lte(now_ms))
            .to_owned();
        Ok(db.execute(&sweep).await?.rows_affected())
    }
}

/// What an address is counted as: an IPv4 address (also one mapped into IPv6, as a
/// dual-stack listener reports it) alone, an IPv6 address by its /64. A subscriber or host
/// gets a whole /64 and picks addresses in it at will (privacy addresses, RFC 8981), so
/// counting single IPv6 addresses would give one caller 2^64 budgets.
pub fn address_bucket(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !u128::from(u64::MAX),
            )),
        },
    }
}

/// Shares the buckets with the other replicas every [`SYNC_EVERY`] (sooner when asked) and
/// deletes full ones every [`SWEEP_EVERY`]; nothing runs when every limit is off. A round
/// that fails (the database is away) keeps its spending for the next and is logged once
/// per outage; meanwhile each replica goes on deciding alone.
pub fn spawn_sharing(app: std::sync::Arc<AppState>) -> Option<tokio::task::JoinHandle<()>> {
    if !app.rate.any_on() {
        return None;
    }
    Some(tokio::spawn(async move {
        let db = &app.background_db;
        let mut swept = Instant::now();
        let mut failing = false;
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SYNC_EVERY) => {}
                _ = app.rate.wake.notified() => {}
            }
            let mut round = app.rate.share(db).await;
            if round.is_ok() && swept.elapsed() >= SWEEP_EVERY {
                round = RateLimits::sweep(db).await.map(|_| ());
                swept = Instant::now();
            }
            match round {
                Ok(()) => {
                    app.metrics.rate_limit_rounds.inc();
                    if failing {
                        tracing::info!("rate-limit buckets shared again");
                    }
                    failing = false;
                }
                Err(e) => {
                    app.metrics.rate_limit_round_failures.inc();
                    if !failing {
                        tracing::warn!(cause = %crate::error::db_error_summary(&e), "rate-limit buckets not shared; each replica limits alone until the database answers");
                    }
                    failing = true;
                }
            }
        }
    }))
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
    fn a_bucket_learned_from_the_replicas_adds_what_was_spent_here_since() {
        let limits = RateLimits::new(RateConfig {
            requests_per_minute: 6,
            objects_per_minute: 0,
        });
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert!(limits.request(ip).is_ok());
        let round = limits.addresses.to_send();
        assert_eq!(round, vec![(ip, 1.0)]);
        assert!(limits.addresses.to_send().is_empty(), "sent once");
        // A round that fails keeps its spending for the next.
        limits.addresses.unsent(round);
        assert_eq!(limits.addresses.to_send(), vec![(ip, 1.0)]);
        assert!(limits.request(ip).is_ok(), "after the round was taken");
        // The shared bucket came back with four spent in all (ours and three elsewhere):
        // with the one since, five of six are gone.
        limits.addresses.learn("127.0.0.1", 40_000, Instant::now());
        assert!(limits.request(ip).is_ok());
        assert!(limits.request(ip).is_err());
        // A subject never seen here is refused once the others have spent its bucket.
        limits.addresses.learn("10.0.0.9", 60_000, Instant::now());
        assert!(limits.request([10, 0, 0, 9].into()).is_err());
        // Nonsense from the table is ignored.
        limits
            .addresses
            .learn("not an address", 60_000, Instant::now());
    }

    #[test]
    fn full_buckets_with_nothing_to_send_are_forgotten() {
        let limits = RateLimits::new(RateConfig {
            requests_per_minute: 0,
            objects_per_minute: 100,
        });
        limits.charge_objects("o1", 1);
        let now = Instant::now();
        limits.officials.forget_full(now);
        assert_eq!(limits.officials.lock().len(), 1, "spending not yet sent");
        let _ = limits.officials.to_send();
        limits.officials.forget_full(now + Duration::from_secs(1));
        assert_eq!(limits.officials.lock().len(), 0, "full again and sent");
    }

    #[test]
    fn ipv6_addresses_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            address_bucket(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            ip("2001:db8:1:2::")
        );
        assert_eq!(
            address_bucket(ip("::ffff:198.51.100.7")),
            ip("198.51.100.7")
        );
        assert_eq!(address_bucket(ip("198.51.100.7")), ip("198.51.100.7"));
        let limits = RateLimits::new(RateConfig {
            requests_per_minute: 2,
            objects_per_minute: 0,
        });
        assert!(limits.request(ip("2001:db8:1:2::1")).is_ok());
        assert!(limits.request(ip("2001:db8:1:2::ffff:1")).is_ok());
        assert!(
            limits.request(ip("2001:db8:1:2:9::9")).is_err(),
            "another address of the same /64"
        );
        assert!(
            limits.request(ip("2001:db8:1:3::1")).is_ok(),
            "the next /64"
        );
        assert!(limits.request(ip("::ffff:192.0.2.1")).is_ok());
        assert!(limits.request(ip("192.0.2.1")).is_ok());
        assert!(
            limits.request(ip("192.0.2.1")).is_err(),
            "mapped and plain IPv4 share a bucket"
        );
        // The bucket's subject in the shared table parses back to the same bucket.
        let sent = limits.addresses.to_send();
        assert!(sent.iter().any(|(k, _)| k.to_string() == "2001:db8:1:2::"));
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
