//! The answer of `explainAccess`: the service's explanation, as the API shows it.

use async_graphql::Object;

use crate::authz::{FieldGroup, ReadAccess};
use crate::domain::{Agency, Role};
use crate::services::explain::Explanation;

/// The service's explanation of a read.
pub struct AccessExplanation(pub Explanation);

impl From<Explanation> for AccessExplanation {
    fn from(e: Explanation) -> Self {
        AccessExplanation(e)
    }
}

/// Whether a role may read a field of a client now, and why not.
#[Object]
impl AccessExplanation {
    /// A query of this field of this client by the role would answer it now (not FORBIDDEN).
    async fn allowed(&self) -> bool {
        self.0.allowed
    }

    async fn role(&self) -> Role {
        self.0.role
    }

    async fn agency(&self) -> Agency {
        self.0.agency
    }

    /// `Type.field`.
    async fn field(&self) -> String {
        let meta = self.0.field.meta();
        format!("{}.{}", meta.type_name, meta.field_name)
    }

    async fn group(&self) -> FieldGroup {
        self.0.group
    }

    /// What the policy gives the role on the field: READ, CONSENT or NEVER.
    async fn access(&self) -> &str {
        match self.0.access {
            ReadAccess::Read => "READ",
            ReadAccess::Consent => "CONSENT",
            ReadAccess::Never => "NEVER",
        }
    }

    /// The policy line that decides, or that none grants it.
    async fn policy(&self) -> &str {
        &self.0.policy
    }

    /// The row-scope rule that applies to this client.
    async fn scope(&self) -> &str {
        &self.0.scope
    }

    /// The consent the read goes under, or the one that is missing.
    async fn consent(&self) -> Option<&str> {
        self.0.consent.as_deref()
    }

    /// Each condition that is not met: the policy line, the scope rule, the missing consent.
    async fn reasons(&self) -> &[String] {
        &self.0.reasons
    }
}
