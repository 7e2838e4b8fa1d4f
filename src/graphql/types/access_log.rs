//! The access log as the AUDITOR reads it.

use std::sync::Arc;

use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{access_log, disclosure_log};

use crate::authz::FieldGroup;
use crate::domain::{Agency, Role};
use crate::services::ClientScope;
use typgraph_macros::guarded;

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
#[guarded]
#[Object(name = "AccessLogEntry")]
impl AccessLogEntryNode {
    /// When (UTC).
    #[field(LogAt = self.row.at)]
    fn at(&self) -> DateTime<Utc>;

    /// The official.
    #[field(LogOfficialId = ID(self.row.official_id.clone()))]
    fn official_id(&self) -> ID;

    /// The official's agency.
    #[field(LogAgency = self.row.agency.parse().unwrap_or(Agency::Provider))]
    fn agency(&self) -> Agency;

    /// The official's effective roles at the time.
    #[field(LogRoles = self.row.roles.split(',').filter_map(|r| r.parse().ok()).collect())]
    fn roles(&self) -> Vec<Role>;

    /// READ or WRITE.
    #[field(LogAction = &self.row.action)]
    fn action(&self) -> &str;

    /// The field groups returned or written.
    #[field(LogFields)]
    fn fields(&self) -> Vec<String> {
        self.row
            .field_groups
            .split(',')
            .filter(|g| !g.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The API operations (root fields) and, in `reason`, the client's operation name.
    #[field(LogOperation = format!("{} ({})", self.row.operation, self.row.reason))]
    fn operation(&self) -> String;

    /// Consent-based disclosures made by this access.
    #[field(LogDisclosures)]
    fn disclosures(&self) -> Vec<DisclosureNode> {
        self.disclosures
            .iter()
            .map(|d| DisclosureNode {
                recipient_agency: d.recipient_agency.parse().ok(),
                field_group: FieldGroup::from_code(&d.field_group),
                consent_id: ID(d.consent_id.clone()),
            })
            .collect()
    }

    /// The break-glass grant this access was made under (an urgent opening outside the
    /// official's scope), if any.
    #[field(LogBreakGlass = self.break_glass.clone().map(ID))]
    fn break_glass_id(&self) -> Option<ID>;
}
