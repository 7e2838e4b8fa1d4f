//! Why a role may or may not read a field, and the labels to show.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, ID};

use super::request;
use crate::authz::{FieldId, PolicyStore};
use crate::services;

#[derive(Default)]
pub struct ExplainQueries;

#[Object]
impl ExplainQueries {
    /// Whether a role may read a field (`Type.field`) of a client now, and why not: the
    /// policy line, the scope rule, the missing consent. Officials explain their own access
    /// (optionally one of their roles); AUDITOR and ADMIN name the role (and agency) and are
    /// answered from the policy only: nothing of the client, the same for every id.
    #[graphql(visible = "super::explains")]
    async fn explain_access(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        field: String,
        role: Option<crate::domain::Role>,
        agency: Option<crate::domain::Agency>,
        provider_id: Option<ID>,
    ) -> Result<crate::graphql::types::explain::AccessExplanation> {
        if !super::explains(ctx) {
            return Err(crate::error::AppError::Forbidden(None).into());
        }
        let rc = request(ctx, "explainAccess")?;
        let field_id = FieldId::ALL
            .iter()
            .copied()
            .find(|f| {
                let m = f.meta();
                field.split_once('.') == Some((m.type_name, m.field_name))
            })
            .ok_or_else(|| {
                crate::error::AppError::bad_input("field", "not a client-data field (Type.field)")
            })?;
        let store = ctx.data::<Arc<PolicyStore>>()?;
        let policy = store.current();
        let subject =
            services::explain::subject(rc, &policy.policy, role, agency, provider_id.map(|p| p.0))?;
        Ok(
            services::explain::explain(rc, subject, &client_id, field_id)
                .await?
                .into(),
        )
    }

    /// Display labels of enum values and agency names in Finnish, Swedish or English (the
    /// argument, else the request's Accept-Language, else Finnish), from config/labels.json.
    async fn labels(
        &self,
        ctx: &Context<'_>,
        language: Option<crate::labels::Language>,
        kinds: Option<Vec<String>>,
    ) -> Result<crate::graphql::types::labels::LabelSet> {
        Ok(crate::graphql::types::labels::label_set(
            ctx, language, kinds,
        )?)
    }
}
