//! Token buckets per subject, kept in memory and shared through the table
//! `rate_limit_bucket`: what this process spent is added there, and what all replicas left
//! is read back.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, DeriveIden, StatementBuilder};

use super::{MAX_BUCKETS, WINDOW_SECS};

/// The shared buckets (a table without an entity: only the rate limiter uses it).
#[derive(DeriveIden, Clone, Copy)]
pub(super) enum RateLimitBucket {
    Table,
    Kind,
    Subject,
    FullAtMs,
}

pub(super) struct Bucket {
    /// When the bucket is full again; full when not after now.
    full_at: Instant,
    /// Spent here and not yet added to the shared table (tokens).
    unsynced: f64,
}

impl Bucket {
    pub(super) fn full(now: Instant) -> Bucket {
        Bucket {
            full_at: now,
            unsynced: 0.0,
        }
    }
}

pub(super) struct Buckets<K> {
    /// The kind of subject in the shared table.
    pub(super) kind: &'static str,
    pub(super) per_minute: u32,
    pub(super) map: Mutex<HashMap<K, Bucket>>,
}

/// A subject as written to and read from the shared table.
pub(super) trait Subject: Hash + Eq + Clone + Display + FromStr {}
impl<T: Hash + Eq + Clone + Display + FromStr> Subject for T {}

impl<K: Subject> Buckets<K> {
    pub(super) fn new(kind: &'static str, per_minute: u32) -> Self {
        Buckets {
            kind,
            per_minute,
            map: Mutex::new(HashMap::new()),
        }
    }

    pub(super) fn on(&self) -> bool {
        self.per_minute > 0
    }

    pub(super) fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }

    /// Seconds of refill one token is worth.
    pub(super) fn per_token(&self) -> f64 {
        WINDOW_SECS / self.capacity()
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Bucket>> {
        // A poisoned lock only means another request panicked; the buckets are still valid.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The subject's bucket, made full if there is none (dropping full, idle buckets first
    /// when there are many). Looked up by reference: a known subject allocates nothing.
    pub(super) fn bucket<'m, Q>(
        map: &'m mut HashMap<K, Bucket>,
        key: &Q,
        now: Instant,
    ) -> Option<&'m mut Bucket>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !map.contains_key(key) {
            if map.len() >= MAX_BUCKETS {
                map.retain(|_, b| b.full_at > now || b.unsynced > 0.0);
            }
            map.insert(key.to_owned(), Bucket::full(now));
        }
        map.get_mut(key)
    }

    /// Spends `cost` tokens at `now`; true when this process has spent enough of the
    /// subject's bucket since the last round that the others should hear of it now.
    pub(super) fn spend(&self, b: &mut Bucket, cost: f64, now: Instant) -> bool {
        b.full_at = b.full_at.max(now) + Duration::from_secs_f64(cost * self.per_token());
        b.unsynced += cost;
        b.unsynced >= self.capacity() / 8.0
    }

    /// Takes `cost` tokens; refuses (with the wait until they are there) when the bucket
    /// holds fewer. Objects are charged after the answer ([`Self::charge`]) and may
    /// overdraw it. The returned flag asks for an early round.
    pub(super) fn take<Q>(&self, key: &Q, cost: f64) -> (Result<(), Duration>, bool)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !self.on() {
            return (Ok(()), false);
        }
        let now = Instant::now();
        let mut map = self.lock();
        let Some(b) = Self::bucket(&mut map, key, now) else {
            return (Ok(()), false);
        };
        // A request needs its cost in the bucket; an object check (cost 0) needs the bucket
        // out of debt.
        let ahead = b.full_at.saturating_duration_since(now).as_secs_f64();
        let over = ahead + cost.max(f64::MIN_POSITIVE) * self.per_token() - WINDOW_SECS;
        if over > 0.0 {
            return (Err(Duration::from_secs_f64(over.max(1.0))), false);
        }
        (Ok(()), self.spend(b, cost, now))
    }

    /// Takes `cost` tokens without refusing (the answer has been computed already).
    pub(super) fn charge<Q>(&self, key: &Q, cost: f64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if !self.on() {
            return false;
        }
        let now = Instant::now();
        let mut map = self.lock();
        Self::bucket(&mut map, key, now).is_some_and(|b| self.spend(b, cost, now))
    }

    /// This process's spending since the last round, in tokens per subject; taken out of
    /// the buckets (put back by [`Self::unsent`] if the round fails).
    pub(super) fn to_send(&self) -> Vec<(K, f64)> {
        let mut map = self.lock();
        map.iter_mut()
            .filter(|(_, b)| b.unsynced > 0.0)
            .map(|(k, b)| (k.clone(), std::mem::take(&mut b.unsynced)))
            .collect()
    }

    /// Rows of a round for `spent`: kind, subject, milliseconds of refill spent.
    pub(super) fn rows<'s>(
        &'s self,
        spent: &'s [(K, f64)],
    ) -> impl Iterator<Item = (&'static str, String, i64)> + 's {
        spent
            .iter()
            .map(|(key, cost)| (self.kind, key.to_string(), millis(cost * self.per_token())))
    }

    pub(super) fn unsent(&self, spent: Vec<(K, f64)>) {
        let mut map = self.lock();
        for (key, cost) in spent {
            if let Some(b) = map.get_mut(&key) {
                b.unsynced += cost;
            }
        }
    }

    /// A bucket as all replicas left it, `ahead_ms` after now when read: this process's
    /// spending since then is added on top.
    pub(super) fn learn(&self, subject: &str, ahead_ms: i64, now: Instant) {
        let Ok(key) = subject.parse::<K>() else {
            return;
        };
        let ahead = Duration::from_millis(u64::try_from(ahead_ms).unwrap_or(0));
        let mut map = self.lock();
        let b = map.entry(key).or_insert(Bucket::full(now));
        b.full_at = now + ahead + Duration::from_secs_f64(b.unsynced * self.per_token());
    }

    /// Drops buckets that are full and have nothing to send (a missing bucket is full).
    pub(super) fn forget_full(&self, now: Instant) {
        self.lock()
            .retain(|_, b| b.full_at > now || b.unsynced > 0.0);
    }
}

/// The database's clock in milliseconds since 1970 (one value per statement).
pub(super) fn now_ms(backend: DbBackend) -> Expr {
    // The database's clock in milliseconds: each backend names it its own way.
    Expr::cust(match backend {
        DbBackend::Postgres => "CAST(EXTRACT(EPOCH FROM statement_timestamp()) * 1000 AS BIGINT)",
        _ => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    })
}

fn millis(secs: f64) -> i64 {
    (secs * 1000.0).ceil() as i64
}

/// Runs a statement answering (kind, subject, milliseconds ahead of now), in that order.
pub(super) async fn read_buckets(
    db: &impl ConnectionTrait,
    statement: &impl StatementBuilder,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    db.query_all(statement)
        .await?
        .into_iter()
        .map(|row| {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ))
        })
        .collect()
}
