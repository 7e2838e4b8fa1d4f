//! Break-glass grants and their review items.

use async_graphql::{SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::services::break_glass::Grant;

/// A break-glass grant: an urgent, time-limited opening of one client outside the caller's
/// scope. Every read under it is flagged in the access log; an AUDITOR reviews it.
#[derive(SimpleObject)]
pub struct BreakGlassGrant {
    pub id: ID,
    pub client_id: ID,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    /// After this the client is out of scope again.
    pub expires_at: DateTime<Utc>,
}

/// A break-glass grant as the data-protection officer reviews it.
#[derive(SimpleObject)]
pub struct BreakGlassReview {
    pub id: ID,
    pub official_id: ID,
    pub official_name: String,
    pub agency: String,
    pub roles: Vec<String>,
    pub client_id: ID,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// Whether the grant still runs.
    pub active: bool,
    /// Access-log rows made under the grant.
    pub rows_logged: i64,
    /// OPEN until an AUDITOR closes it, then CLOSED.
    pub status: String,
    pub reviewed_by: Option<ID>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
}

impl BreakGlassGrant {
    pub fn from_grant(g: Grant) -> Self {
        BreakGlassGrant {
            id: ID(g.id),
            client_id: ID(g.client_id),
            reason: g.reason,
            opened_at: g.opened_at,
            expires_at: g.expires_at,
        }
    }
}

impl BreakGlassReview {
    pub fn from_grant(g: Grant, now: DateTime<Utc>) -> Self {
        BreakGlassReview {
            id: ID(g.id),
            official_id: ID(g.official_id),
            official_name: g.official_name,
            agency: g.agency,
            roles: g
                .roles
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
            client_id: ID(g.client_id),
            reason: g.reason,
            opened_at: g.opened_at,
            active: g.expires_at > now,
            expires_at: g.expires_at,
            rows_logged: g.rows_logged,
            status: g.review_status,
            reviewed_by: g.reviewed_by.map(ID),
            reviewed_at: g.reviewed_at,
            review_note: g.review_note,
        }
    }
}
