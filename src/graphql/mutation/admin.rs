//! Administration: officials, providers, policy versions (ADMIN; `MANAGE/...` objects of
//! the policy). Each change writes an administration-log row in the request's transaction.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::request;
use crate::authz::PolicyStore;
use crate::domain::{Agency, Role};
use crate::graphql::types::admin::{OfficialNode, PolicyVersionNode};
use crate::graphql::types::enums::ProviderKind;
use crate::graphql::types::provider::ProviderNode;
use crate::services::administration::{self as admin, NewOfficial, NewPolicy};

#[derive(Default)]
pub struct AdminMutations;

/// Input of `createOfficial`.
#[derive(InputObject)]
pub struct CreateOfficialInput {
    /// The `sub` of the official's tokens (1-64 of `A-Z a-z 0-9 . _ -`); a UUID when absent.
    pub id: Option<ID>,
    pub name: String,
    pub agency: Agency,
    /// Required for, and only for, the agency PROVIDER.
    pub provider_id: Option<ID>,
    /// At least one; each must be a role the agency may hold.
    pub roles: Vec<Role>,
}

/// Input of `updateOfficial`: omitted fields stay.
#[derive(InputObject)]
pub struct UpdateOfficialInput {
    pub id: ID,
    pub name: Option<String>,
    /// The complete new set of roles.
    pub roles: Option<Vec<Role>>,
}

/// Input of `createProvider`.
#[derive(InputObject)]
pub struct CreateProviderInput {
    pub name: String,
    pub kind: ProviderKind,
    pub municipality: String,
}

/// Input of `updateProvider`: omitted fields stay.
#[derive(InputObject)]
pub struct UpdateProviderInput {
    pub id: ID,
    pub name: Option<String>,
    pub municipality: Option<String>,
}

/// Input of `loadPolicyVersion`.
#[derive(InputObject)]
pub struct LoadPolicyVersionInput {
    /// The casbin model (`model.conf`); the model in force when omitted.
    pub model: Option<String>,
    /// The policy lines (`policy.csv`).
    pub policy: String,
    /// Why: kept with the version and in the administration log.
    pub comment: String,
    /// Load even though some role gains more than the policy shipped with the build grants (recorded as such).
    #[graphql(default = false)]
    pub allow_beyond_contract: bool,
}

#[Object]
impl AdminMutations {
    /// Creates an official who can sign in with the given roles (ADMIN or AUDITOR with an
    /// agency role only where the policy allows it, `DUTIES/combine`).
    #[graphql(visible = "super::visible::officials")]
    async fn create_official(
        &self,
        ctx: &Context<'_>,
        input: CreateOfficialInput,
    ) -> Result<OfficialNode> {
        let rc = request(ctx, "createOfficial")?;
        let policies = ctx.data::<Arc<PolicyStore>>()?;
        let record = admin::create_official(
            rc,
            policies,
            NewOfficial {
                id: input.id.map(|i| i.0),
                name: input.name,
                agency: input.agency,
                provider_id: input.provider_id.map(|i| i.0),
                roles: input.roles,
            },
        )
        .await?;
        Ok(OfficialNode(record))
    }

    /// Changes an official's name or roles. Nobody changes their own roles (FORBIDDEN); an
    /// official holding ADMIN or AUDITOR holds no agency role unless the policy allows it
    /// (`DUTIES/combine`; each such grant is written to the administration log).
    #[graphql(visible = "super::visible::officials")]
    async fn update_official(
        &self,
        ctx: &Context<'_>,
        input: UpdateOfficialInput,
    ) -> Result<OfficialNode> {
        let rc = request(ctx, "updateOfficial")?;
        let policies = ctx.data::<Arc<PolicyStore>>()?;
        let record =
            admin::update_official(rc, policies, &input.id, input.name, input.roles).await?;
        Ok(OfficialNode(record))
    }

    /// Deactivates an official: every replica refuses their tokens from the next request.
    #[graphql(visible = "super::visible::officials")]
    async fn deactivate_official(&self, ctx: &Context<'_>, id: ID) -> Result<OfficialNode> {
        let rc = request(ctx, "deactivateOfficial")?;
        let policies = ctx.data::<Arc<PolicyStore>>()?;
        Ok(OfficialNode(
            admin::deactivate_official(rc, policies, &id).await?,
        ))
    }

    /// Adds a KTT or coaching provider.
    #[graphql(visible = "super::visible::providers")]
    async fn create_provider(
        &self,
        ctx: &Context<'_>,
        input: CreateProviderInput,
    ) -> Result<ProviderNode> {
        let rc = request(ctx, "createProvider")?;
        let row = admin::create_provider(rc, &input.name, input.kind, &input.municipality).await?;
        Ok(ProviderNode { row })
    }

    /// Renames a provider or changes its municipality.
    #[graphql(visible = "super::visible::providers")]
    async fn update_provider(
        &self,
        ctx: &Context<'_>,
        input: UpdateProviderInput,
    ) -> Result<ProviderNode> {
        let rc = request(ctx, "updateProvider")?;
        let row = admin::update_provider(rc, &input.id, input.name, input.municipality).await?;
        Ok(ProviderNode { row })
    }

    /// Deactivates a provider (no new KTT periods); refused while it has active officials.
    #[graphql(visible = "super::visible::providers")]
    async fn deactivate_provider(&self, ctx: &Context<'_>, id: ID) -> Result<ProviderNode> {
        let rc = request(ctx, "deactivateProvider")?;
        Ok(ProviderNode {
            row: admin::deactivate_provider(rc, &id).await?,
        })
    }

    /// Validates and stores a new version of the authorization policy. It must compile,
    /// name every field group, leave some role able to change the policy, and grant no role
    /// more than the policy shipped with the build unless `allowBeyondContract`. In force on every replica within
    /// two seconds of the answer (here at once).
    #[graphql(visible = "super::visible::policy")]
    async fn load_policy_version(
        &self,
        ctx: &Context<'_>,
        input: LoadPolicyVersionInput,
    ) -> Result<PolicyVersionNode> {
        let rc = request(ctx, "loadPolicyVersion")?;
        let store = ctx.data::<Arc<PolicyStore>>()?;
        let in_force = store.current();
        let version = admin::load_policy(
            rc,
            &in_force.model,
            NewPolicy {
                model: input.model,
                policy: input.policy,
                comment: input.comment,
                allow_beyond_contract: input.allow_beyond_contract,
            },
        )
        .await?;
        let number = version.version;
        Ok(PolicyVersionNode::new(version, number))
    }
}
