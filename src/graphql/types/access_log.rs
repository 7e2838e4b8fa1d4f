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

/// On what basis an official processed a client's data (act 703/2023 § 11).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProcessingBasis {
    /// The client is a TYP client: the three authorities share the data TYP law lists (act
    /// 1369/2014 § 9, act 381/2023).
    TypClienthood,
    /// The agency's own records of the client, outside shared TYP clienthood.
    OwnRecord,
    /// A provider's coach, for the client's placement at the provider.
    ProviderPlacement,
    /// An urgent opening outside the official's usual access (break-glass), reviewed by the
    /// data-protection officer.
    BreakGlass,
    /// The data-protection officer's supervision: only the access log itself was read.
    Supervision,
    /// Not recorded: the access was logged before its basis was.
    Unrecorded,
}

impl ProcessingBasis {
    /// The basis of a log row: as recorded, or, on a row logged before it was recorded,
    /// break-glass where the row carries a grant and otherwise not known.
    pub fn of(recorded: Option<&str>, break_glass: bool) -> ProcessingBasis {
        match recorded {
            Some("TYP_CLIENTHOOD") => ProcessingBasis::TypClienthood,
            Some("OWN_RECORD") => ProcessingBasis::OwnRecord,
            Some("PROVIDER_PLACEMENT") => ProcessingBasis::ProviderPlacement,
            Some("BREAK_GLASS") => ProcessingBasis::BreakGlass,
            Some("SUPERVISION") => ProcessingBasis::Supervision,
            _ if break_glass => ProcessingBasis::BreakGlass,
            _ => ProcessingBasis::Unrecorded,
        }
    }
}

/// What a disclosure rested on (act 906/2019 § 17, act 703/2023 § 11).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum DisclosureBasis {
    /// The client's consent naming the recipient agency and the group.
    Consent,
    /// A statute that requires or permits the disclosure (`legalSection`).
    Statutory,
}

/// A disclosure of a client's data: a consent-based group read by another agency, or data
/// an agency handed to another authority or outside body by law.
#[derive(SimpleObject)]
#[graphql(name = "Disclosure")]
pub struct DisclosureNode {
    /// The receiving agency; null when the recipient is an outside body (`recipientName`).
    pub recipient_agency: Option<Agency>,
    /// The receiving outside body (an unemployment fund), when not an agency.
    pub recipient_name: Option<String>,
    /// The agency that disclosed the data; null on consent-based disclosures logged before
    /// the disclosing agency was recorded.
    pub disclosing_agency: Option<Agency>,
    /// The disclosed group.
    pub field_group: Option<FieldGroup>,
    /// CONSENT or STATUTORY.
    pub basis: DisclosureBasis,
    /// The consent a CONSENT disclosure rested on.
    pub consent_id: Option<ID>,
    /// The act and section a STATUTORY disclosure rested on, e.g. "1290/2002 ch. 11 s. 4".
    pub legal_section: Option<String>,
}

impl From<&disclosure_log::Model> for DisclosureNode {
    fn from(d: &disclosure_log::Model) -> Self {
        DisclosureNode {
            recipient_agency: d.recipient_agency.as_deref().and_then(|a| a.parse().ok()),
            recipient_name: d.recipient_name.clone(),
            disclosing_agency: d.disclosing_agency.as_deref().and_then(|a| a.parse().ok()),
            field_group: FieldGroup::from_code(&d.field_group),
            basis: if d.basis == "STATUTORY" {
                DisclosureBasis::Statutory
            } else {
                DisclosureBasis::Consent
            },
            consent_id: d.consent_id.clone().map(ID),
            legal_section: d.legal_section.clone(),
        }
    }
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

    /// Disclosures made by this access, on a consent or a statute.
    #[field(LogDisclosures)]
    fn disclosures(&self) -> Vec<DisclosureNode> {
        self.disclosures.iter().map(DisclosureNode::from).collect()
    }

    /// On what basis the data was processed; UNRECORDED on rows logged before it was.
    #[field(LogBasis = ProcessingBasis::of(self.row.basis.as_deref(), self.break_glass.is_some()))]
    fn basis(&self) -> ProcessingBasis;

    /// The break-glass grant this access was made under (an urgent opening outside the
    /// official's scope), if any.
    #[field(LogBreakGlass = self.break_glass.clone().map(ID))]
    fn break_glass_id(&self) -> Option<ID>;
}
