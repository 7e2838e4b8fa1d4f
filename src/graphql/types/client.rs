//! Clients and their TYP cases.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use async_graphql::{Context, Object, Result, ID};
use std::sync::Arc;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::services::ClientScope;
use entity::typ_case;

use super::case::TypCaseNode;
use crate::graphql::loader::CasesOf;
use crate::graphql::request_loader;
use crate::services::clients::ClientRecord;

/// A client as the caller may see it.
pub struct ClientNode {
    pub row: entity::client::Model,
    pub scope: Arc<ClientScope>,
}

impl ClientNode {
    /// Wraps a loaded client and notes the read for the access log.
    pub fn new(ctx: &Context<'_>, record: ClientRecord) -> ClientNode {
        if let Ok(rc) = ctx.data::<crate::services::RequestContext>() {
            rc.recorder.touch(&record.row.id);
        }
        ClientNode {
            row: record.row,
            scope: record.scope,
        }
    }
}

/// A person served by TYP (asiakas). Fields the caller may not read resolve to null with a FORBIDDEN error.
#[Object(name = "Client")]
impl ClientNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// Personal identity code (henkilötunnus), as given.
    #[graphql(visible = "visible::client_personal_identity_code", directive = fieldGroup::apply(group_of(FieldId::ClientPersonalIdentityCode)))]
    async fn personal_identity_code(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientPersonalIdentityCode,
            Some(self.row.personal_identity_code.as_str()),
        )
    }
    /// First name.
    #[graphql(visible = "visible::client_first_name", directive = fieldGroup::apply(group_of(FieldId::ClientFirstName)))]
    async fn first_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientFirstName,
            Some(self.row.first_name.as_str()),
        )
    }
    /// Last name.
    #[graphql(visible = "visible::client_last_name", directive = fieldGroup::apply(group_of(FieldId::ClientLastName)))]
    async fn last_name(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientLastName,
            Some(self.row.last_name.as_str()),
        )
    }
    /// Phone number.
    #[graphql(visible = "visible::client_phone", directive = fieldGroup::apply(group_of(FieldId::ClientPhone)))]
    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientPhone,
            self.row.phone.as_deref(),
        )
    }
    /// Email address.
    #[graphql(visible = "visible::client_email", directive = fieldGroup::apply(group_of(FieldId::ClientEmail)))]
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientEmail,
            self.row.email.as_deref(),
        )
    }
    /// Street address.
    #[graphql(visible = "visible::client_street_address", directive = fieldGroup::apply(group_of(FieldId::ClientStreetAddress)))]
    async fn street_address(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientStreetAddress,
            self.row.street_address.as_deref(),
        )
    }
    /// Postal code.
    #[graphql(visible = "visible::client_postal_code", directive = fieldGroup::apply(group_of(FieldId::ClientPostalCode)))]
    async fn postal_code(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientPostalCode,
            self.row.postal_code.as_deref(),
        )
    }
    /// Municipality of residence.
    #[graphql(visible = "visible::client_municipality", directive = fieldGroup::apply(group_of(FieldId::ClientMunicipality)))]
    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientMunicipality,
            self.row.municipality.as_deref(),
        )
    }
    /// Language of service (ISO 639-1 code, or `other`).
    #[graphql(visible = "visible::client_language", directive = fieldGroup::apply(group_of(FieldId::ClientLanguage)))]
    async fn language(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientLanguage,
            self.row.language.as_deref(),
        )
    }
    /// Version of the contact data: pass it to `updateClientContact`; a stale one is refused.
    #[graphql(visible = "visible::client_version", directive = fieldGroup::apply(group_of(FieldId::ClientVersion)))]
    async fn version(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ClientVersion,
            Some(self.row.version),
        )
    }

    /// The client's TYP cases (asiakkuudet), newest first.
    #[graphql(visible = "visible::client_cases", directive = fieldGroup::apply(group_of(FieldId::ClientCases)))]
    async fn cases(&self, ctx: &Context<'_>) -> Result<Option<Vec<TypCaseNode>>> {
        guard::read_shared(ctx, &self.scope, FieldId::ClientCases, || ())?;
        let rows: Vec<typ_case::Model> = request_loader(ctx)?
            .load_one(CasesOf(self.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(TypCaseNode::wrap(rows, &self.scope)))
    }
}
