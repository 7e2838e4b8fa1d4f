//! Administration (not client data): officials, policy versions and the administration log.

use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::domain::{Agency, Role};
use crate::services::administration::{AdminLogEntry, OfficialRecord, PolicyVersion};

/// An official who signs in, as administration sees them.
pub struct OfficialNode(pub OfficialRecord);

/// An official: who signs in, in which agency, with which roles.
#[Object(name = "Official")]
impl OfficialNode {
    /// The official's id: the `sub` of their tokens.
    async fn id(&self) -> ID {
        ID(self.0.row.id.clone())
    }

    async fn name(&self) -> &str {
        &self.0.row.name
    }

    async fn agency(&self) -> Option<Agency> {
        self.0.row.agency.parse().ok()
    }

    /// The provider of a provider official.
    async fn provider_id(&self) -> Option<ID> {
        self.0.row.provider_id.clone().map(ID)
    }

    /// Roles granted; a token may use any subset.
    async fn roles(&self) -> &[Role] {
        &self.0.roles
    }

    /// False once deactivated: the official's tokens are refused.
    async fn active(&self) -> bool {
        self.0.row.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.row.created_at
    }
}

/// A stored version of the authorization policy; the newest is in force.
#[derive(SimpleObject)]
#[graphql(name = "PolicyVersion")]
pub struct PolicyVersionNode {
    pub version: i64,
    /// FILES (read at a start-up) or ADMIN (loaded through the API).
    pub source: String,
    pub comment: String,
    /// Loaded with `allowBeyondContract`: some role gains more than the policy shipped with the build grants.
    pub beyond_contract: bool,
    /// The administrator who loaded it.
    pub created_by: Option<ID>,
    pub created_at: DateTime<Utc>,
    /// Whether this version is the one in force on this replica now.
    pub in_force: bool,
}

impl PolicyVersionNode {
    pub fn new(v: PolicyVersion, in_force: i64) -> Self {
        PolicyVersionNode {
            in_force: v.version == in_force,
            version: v.version,
            source: v.source,
            comment: v.comment,
            beyond_contract: v.beyond_contract,
            created_by: v.created_by.map(ID),
            created_at: v.created_at,
        }
    }
}

/// One administrative change.
#[derive(SimpleObject)]
#[graphql(name = "AdminLogEntry")]
pub struct AdminLogNode {
    pub at: DateTime<Utc>,
    /// The administrator who made the change.
    pub official_id: Option<ID>,
    /// CREATE_OFFICIAL, UPDATE_OFFICIAL, DEACTIVATE_OFFICIAL, CREATE_PROVIDER,
    /// UPDATE_PROVIDER, DEACTIVATE_PROVIDER or LOAD_POLICY.
    pub action: String,
    /// The official's or provider's id, or the policy version.
    pub target: String,
    /// What changed (field names, roles, codes; never a person's name).
    pub detail: String,
}

impl From<AdminLogEntry> for AdminLogNode {
    fn from(e: AdminLogEntry) -> Self {
        AdminLogNode {
            at: e.at,
            official_id: e.official_id.map(ID),
            action: e.action,
            target: e.target,
            detail: e.detail,
        }
    }
}
