//! Client registration and contact data.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::request;
use crate::graphql::types::client::ClientNode;
use crate::services::client_merge::{self, Merge};
use crate::services::client_registration::{
    self, Change, ContactField, ContactUpdate, Registration,
};

/// Input of `mergeTemporaryIdentity`.
#[derive(InputObject)]
pub struct MergeTemporaryIdentityInput {
    /// The client registered with a temporary identity code (individual number 900–999).
    pub temporary_client_id: ID,
    /// The same person's client registered with the permanent code.
    pub permanent_client_id: ID,
    /// Why (10–2000 characters): kept with the merge.
    pub reason: String,
}

/// Result of `mergeTemporaryIdentity`.
#[derive(SimpleObject)]
pub struct MergeTemporaryIdentityPayload {
    /// The permanent client, which now holds every record of the temporary one.
    pub client: ClientNode,
    /// How many records moved from the temporary client.
    pub records_moved: i32,
}

#[derive(Default)]
pub struct ClientMutations;

fn change<T>(v: MaybeUndefined<T>) -> Change<T> {
    match v {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(v) => Change::Set(v),
    }
}

/// Input of `registerClient`.
#[derive(InputObject)]
pub struct RegisterClientInput {
    /// Personal identity code (henkilötunnus), `DDMMYYCZZZQ`; checked and stored as given.
    pub personal_identity_code: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub municipality: Option<String>,
    /// ISO 639-1 code (fi, sv, en, ru, et, ar, uk) or `other`.
    pub language: Option<String>,
}

/// Result of `registerClient`.
#[derive(SimpleObject)]
pub struct RegisterClientPayload {
    /// The client: new, or the one already registered with the code. `null` for a
    /// duplicate outside the caller's scope: that the code is registered is all it learns.
    pub client: Option<ClientNode>,
    /// True when the code was already registered; nothing was changed.
    pub duplicate: bool,
}

/// Input of `updateClientContact`: omitted fields stay, `null` clears an optional one.
#[derive(InputObject)]
pub struct UpdateClientContactInput {
    pub client_id: ID,
    /// The `version` read with the client; a stale one is `CONFLICT`.
    pub version: i32,
    pub first_name: MaybeUndefined<String>,
    pub last_name: MaybeUndefined<String>,
    pub phone: MaybeUndefined<String>,
    pub email: MaybeUndefined<String>,
    pub street_address: MaybeUndefined<String>,
    pub postal_code: MaybeUndefined<String>,
    pub municipality: MaybeUndefined<String>,
    pub language: MaybeUndefined<String>,
}

impl From<RegisterClientInput> for Registration {
    fn from(input: RegisterClientInput) -> Self {
        Registration {
            personal_identity_code: input.personal_identity_code,
            first_name: input.first_name,
            last_name: input.last_name,
            phone: input.phone,
            email: input.email,
            municipality: input.municipality,
            language: input.language,
        }
    }
}

impl From<UpdateClientContactInput> for ContactUpdate {
    fn from(input: UpdateClientContactInput) -> Self {
        ContactUpdate {
            client_id: input.client_id.to_string(),
            version: input.version,
            changes: vec![
                (ContactField::FirstName, change(input.first_name)),
                (ContactField::LastName, change(input.last_name)),
                (ContactField::Phone, change(input.phone)),
                (ContactField::Email, change(input.email)),
                (ContactField::StreetAddress, change(input.street_address)),
                (ContactField::PostalCode, change(input.postal_code)),
                (ContactField::Municipality, change(input.municipality)),
                (ContactField::Language, change(input.language)),
            ],
        }
    }
}

#[Object]
impl ClientMutations {
    /// Registers a client once. A personal identity code already registered returns the
    /// existing client with `duplicate: true` and changes nothing.
    #[graphql(visible = "super::visible::contact")]
    async fn register_client(
        &self,
        ctx: &Context<'_>,
        input: RegisterClientInput,
    ) -> Result<RegisterClientPayload> {
        let rc = request(ctx, "registerClient")?;
        let (record, duplicate) = client_registration::register(rc, input.into()).await?;
        Ok(RegisterClientPayload {
            client: record.map(|r| ClientNode::new(ctx, r)),
            duplicate,
        })
    }

    /// Merges a client registered with a temporary identity code into the same person's
    /// client registered with the permanent code: every record moves to the permanent
    /// client, the access log of the temporary one is read under the permanent one, and the
    /// temporary client answers as one that does not exist. Refused into itself or into a
    /// temporary identity (`BAD_USER_INPUT`), and when both have an open TYP case
    /// (`CONFLICT`).
    #[graphql(visible = "super::visible::case")]
    async fn merge_temporary_identity(
        &self,
        ctx: &Context<'_>,
        input: MergeTemporaryIdentityInput,
    ) -> Result<MergeTemporaryIdentityPayload> {
        let rc = request(ctx, "mergeTemporaryIdentity")?;
        let merge = Merge {
            temporary_client_id: input.temporary_client_id.to_string(),
            permanent_client_id: input.permanent_client_id.to_string(),
            reason: input.reason,
        };
        let (record, moved) = client_merge::record(client_merge::merge(rc, merge).await?);
        Ok(MergeTemporaryIdentityPayload {
            client: ClientNode::new(ctx, record),
            records_moved: i32::try_from(moved).unwrap_or(i32::MAX),
        })
    }

    /// Changes a client's contact data (optimistic concurrency on `version`).
    #[graphql(visible = "super::visible::contact")]
    async fn update_client_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateClientContactInput,
    ) -> Result<ClientNode> {
        let rc = request(ctx, "updateClientContact")?;
        let record = client_registration::update_contact(rc, input.into()).await?;
        Ok(ClientNode::new(ctx, record))
    }
}
