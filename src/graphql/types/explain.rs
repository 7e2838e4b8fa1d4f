//! The answer of `explainAccess`.

use async_graphql::SimpleObject;

use crate::authz::{FieldGroup, ReadAccess};
use crate::domain::{Agency, Role};
use crate::services::explain::Explanation;

/// Whether a role may read a field of a client now, and why not.
#[derive(SimpleObject)]
pub struct AccessExplanation {
    /// A query of this field of this client by the role would answer it now (not FORBIDDEN).
    pub allowed: bool,
    pub role: Role,
    pub agency: Agency,
    /// `Type.field`.
    pub field: String,
    pub group: FieldGroup,
    /// What the policy gives the role on the field: READ, CONSENT or NEVER.
    pub access: String,
    /// The policy line that decides, or that none grants it.
    pub policy: String,
    /// The row-scope rule that applies to this client.
    pub scope: String,
    /// The consent the read goes under, or the one that is missing.
    pub consent: Option<String>,
    /// Each condition that is not met: the policy line, the scope rule, the missing consent.
    pub reasons: Vec<String>,
}

impl From<Explanation> for AccessExplanation {
    fn from(e: Explanation) -> Self {
        let meta = e.field.meta();
        AccessExplanation {
            allowed: e.allowed,
            role: e.role,
            agency: e.agency,
            field: format!("{}.{}", meta.type_name, meta.field_name),
            group: e.group,
            access: match e.access {
                ReadAccess::Read => "READ",
                ReadAccess::Consent => "CONSENT",
                ReadAccess::Never => "NEVER",
            }
            .to_owned(),
            policy: e.policy,
            scope: e.scope,
            consent: e.consent,
            reasons: e.reasons,
        }
    }
}
