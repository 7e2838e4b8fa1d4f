//! Client registration and contact data.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::request;
use crate::graphql::types::client::ClientNode;
use crate::services::client_registration::{
    self, Change, ContactField, ContactUpdate, Registration,
};

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
