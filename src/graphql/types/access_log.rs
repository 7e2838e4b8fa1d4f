//! The access log as the AUDITOR reads it.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{access_log, disclosure_log};

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::{FieldGroup, FieldId};
use crate::domain::{Agency, Role};
use crate::services::ClientScope;

/// One row of the access log.
pub struct AccessLogEntryNode {
    pub row: access_log::Model,
    pub disclosures: Vec<disclosure_log::Model>,
    /// The break-glass grant the access was made under, if any.
    pub break_glass: Option<String>,
    pub scope: Arc<ClientScope>,
}

/// A disclosure of a consent-based group to another agency.
#[derive(SimpleObject)]
#[graphql(name = "Disclosure")]
pub struct DisclosureNode {
    /// The receiving agency.
    pub recipient_agency: Option<Agency>,
    /// The disclosed group.
    pub field_group: Option<FieldGroup>,
    /// The consent the disclosure rested on.
    pub consent_id: ID,
}

/// Who read or wrote which of a client's data, when, and why (act 906/2019 § 17).
#[Object(name = "AccessLogEntry")]
impl AccessLogEntryNode {
    /// When (UTC).
    #[graphql(visible = "visible::log_at", directive = fieldGroup::apply(group_of(FieldId::LogAt)))]
    async fn at(&self, ctx: &Context<'_>) -> Result<DateTime<Utc>> {
        guard::read(ctx, &self.scope, FieldId::LogAt, self.row.at)
    }

    /// The official.
    #[graphql(visible = "visible::log_official_id", directive = fieldGroup::apply(group_of(FieldId::LogOfficialId)))]
    async fn official_id(&self, ctx: &Context<'_>) -> Result<ID> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::LogOfficialId,
            ID(self.row.official_id.clone()),
        )
    }

    /// The official's agency.
    #[graphql(visible = "visible::log_agency", directive = fieldGroup::apply(group_of(FieldId::LogAgency)))]
    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        let agency = self.row.agency.parse().unwrap_or(Agency::Provider);
        guard::read(ctx, &self.scope, FieldId::LogAgency, agency)
    }

    /// The official's effective roles at the time.
    #[graphql(visible = "visible::log_roles", directive = fieldGroup::apply(group_of(FieldId::LogRoles)))]
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        let roles = self
            .row
            .roles
            .split(',')
            .filter_map(|r| r.parse().ok())
            .collect();
        guard::read(ctx, &self.scope, FieldId::LogRoles, roles)
    }

    /// READ or WRITE.
    #[graphql(visible = "visible::log_action", directive = fieldGroup::apply(group_of(FieldId::LogAction)))]
    async fn action(&self, ctx: &Context<'_>) -> Result<&str> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::LogAction,
            self.row.action.as_str(),
        )
    }

    /// The field groups returned or written.
    #[graphql(visible = "visible::log_fields", directive = fieldGroup::apply(group_of(FieldId::LogFields)))]
    async fn fields(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let groups = self
            .row
            .field_groups
            .split(',')
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect();
        guard::read(ctx, &self.scope, FieldId::LogFields, groups)
    }

    /// The API operations (root fields) and, in `reason`, the client's operation name.
    #[graphql(visible = "visible::log_operation", directive = fieldGroup::apply(group_of(FieldId::LogOperation)))]
    async fn operation(&self, ctx: &Context<'_>) -> Result<String> {
        let text = format!("{} ({})", self.row.operation, self.row.reason);
        guard::read(ctx, &self.scope, FieldId::LogOperation, text)
    }

    /// Consent-based disclosures made by this access.
    #[graphql(visible = "visible::log_disclosures", directive = fieldGroup::apply(group_of(FieldId::LogDisclosures)))]
    async fn disclosures(&self, ctx: &Context<'_>) -> Result<Vec<DisclosureNode>> {
        let list = self
            .disclosures
            .iter()
            .map(|d| DisclosureNode {
                recipient_agency: d.recipient_agency.parse().ok(),
                field_group: FieldGroup::from_code(&d.field_group),
                consent_id: ID(d.consent_id.clone()),
            })
            .collect();
        guard::read(ctx, &self.scope, FieldId::LogDisclosures, list)
    }

    /// The break-glass grant this access was made under (an urgent opening outside the
    /// official's scope), if any.
    #[graphql(visible = "visible::log_break_glass", directive = fieldGroup::apply(group_of(FieldId::LogBreakGlass)))]
    async fn break_glass_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::LogBreakGlass,
            self.break_glass.clone().map(ID),
        )
    }
}
