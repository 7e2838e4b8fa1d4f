//! Registering a client once, and changing contact data with optimistic concurrency.

use entity::client;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::client::{self as clients, ClientRecord};
use super::write::{self, Written};
use super::{input, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::personal_identity_code;
use crate::error::{AppError, AppResult};

/// Input of `registerClient`.
pub struct Registration {
    pub personal_identity_code: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub municipality: Option<String>,
    pub language: Option<String>,
}

/// A contact field of `updateClientContact`: unchanged, cleared or set.
pub enum Change<T> {
    Keep,
    Clear,
    Set(T),
}

/// A contact field `updateClientContact` changes, with the rule its value follows.
#[derive(Debug, Clone, Copy)]
pub enum ContactField {
    FirstName,
    LastName,
    Phone,
    Email,
    StreetAddress,
    PostalCode,
    Municipality,
    Language,
}

impl ContactField {
    fn column(self) -> client::Column {
        match self {
            ContactField::FirstName => client::Column::FirstName,
            ContactField::LastName => client::Column::LastName,
            ContactField::Phone => client::Column::Phone,
            ContactField::Email => client::Column::Email,
            ContactField::StreetAddress => client::Column::StreetAddress,
            ContactField::PostalCode => client::Column::PostalCode,
            ContactField::Municipality => client::Column::Municipality,
            ContactField::Language => client::Column::Language,
        }
    }

    /// The field's name in the API, named by its errors.
    fn name(self) -> &'static str {
        match self {
            ContactField::FirstName => "firstName",
            ContactField::LastName => "lastName",
            ContactField::Phone => "phone",
            ContactField::Email => "email",
            ContactField::StreetAddress => "streetAddress",
            ContactField::PostalCode => "postalCode",
            ContactField::Municipality => "municipality",
            ContactField::Language => "language",
        }
    }

    /// A client always has a name: it can be changed, never cleared.
    fn required(self) -> bool {
        matches!(self, ContactField::FirstName | ContactField::LastName)
    }

    /// The value as stored, or `BAD_USER_INPUT`.
    fn check(self, value: Option<&str>) -> AppResult<Option<String>> {
        match self {
            ContactField::FirstName | ContactField::LastName | ContactField::Municipality => {
                input::optional_text(self.name(), value, 100)
            }
            ContactField::StreetAddress => input::optional_text(self.name(), value, 200),
            ContactField::Phone => input::phone(value),
            ContactField::Email => input::email(value),
            ContactField::PostalCode => input::postal_code(value),
            ContactField::Language => input::language(value),
        }
    }

    /// The column and value to set for `change`, if any.
    fn apply(self, change: Change<String>) -> AppResult<Option<(client::Column, Option<String>)>> {
        let field = self.name();
        let value = match change {
            Change::Keep => return Ok(None),
            Change::Clear if self.required() => {
                return Err(AppError::bad_input(
                    field,
                    format!("{field} cannot be cleared"),
                ))
            }
            Change::Clear => None,
            Change::Set(v) => {
                let v = self.check(Some(&v))?;
                if self.required() && v.is_none() {
                    return Err(AppError::bad_input(field, format!("{field} is required")));
                }
                v
            }
        };
        Ok(Some((self.column(), value)))
    }
}

/// Input of `updateClientContact`.
pub struct ContactUpdate {
    pub client_id: String,
    pub version: i32,
    /// The fields to change, checked in this order (the first bad one is the error).
    pub changes: Vec<(ContactField, Change<String>)>,
}

/// Registers a client; a code already registered returns `duplicate = true` and changes
/// nothing, with the existing client if it is within the caller's scope. A duplicate
/// outside the scope is not named at all (no id): an identity code must not turn into the
/// id of a client the caller may not see.
pub async fn register(
    rc: &RequestContext,
    input: Registration,
) -> AppResult<(Option<ClientRecord>, bool)> {
    write::unscoped(rc, FieldGroup::Contact, async |sp| {
        let (code, _born) =
            personal_identity_code::parse_on(&input.personal_identity_code, rc.today)
                .map_err(|e| AppError::bad_input("personalIdentityCode", e.message()))?;
        let first_name = input::required_text("firstName", &input.first_name, 100)?;
        let last_name = input::required_text("lastName", &input.last_name, 100)?;
        let phone = input::phone(input.phone.as_deref())?;
        let email = input::email(input.email.as_deref())?;
        let municipality =
            input::optional_text("municipality", input.municipality.as_deref(), 100)?;
        let language = input::language(input.language.as_deref())?;

        if let Some(existing) = find_by_code(rc, &code).await? {
            // A temporary code merged into a permanent client names that client.
            let id = super::client_merge::redirect(&existing).unwrap_or(&existing.id);
            return Ok(Written::unlogged((clients::find(rc, id).await?, true)));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let inserted = client::Entity::insert(client::ActiveModel {
            id: Set(id.clone()),
            personal_identity_code: Set(code.clone()),
            // Individual number 900–999: a temporary identity, to be merged into the
            // permanent one when the population register assigns it.
            temporary_identity: Set(personal_identity_code::is_temporary(&code)),
            first_name: Set(first_name),
            last_name: Set(last_name),
            phone: Set(phone),
            email: Set(email),
            municipality: Set(municipality),
            language: Set(language),
            registered_by_agency: Set(rc.principal().agency.code().to_owned()),
            version: Set(1),
            created_at: Set(rc.now),
            updated_at: Set(rc.now),
            ..Default::default()
        })
        // Registered concurrently by someone else: nothing is inserted (and no statement
        // fails), and the answer is as for any duplicate.
        .on_conflict(
            OnConflict::column(client::Column::PersonalIdentityCode)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(sp)
        .await?;
        if inserted == 0 {
            let existing = find_by_code(rc, &code)
                .await?
                .ok_or_else(|| AppError::internal("duplicate code vanished"))?;
            return Ok(Written::unlogged((
                clients::find(rc, &existing.id).await?,
                true,
            )));
        }
        let record = clients::find(rc, &id)
            .await?
            .ok_or_else(|| AppError::internal("registered client not visible to its registrar"))?;
        rc.recorder.admitted(&id, record.scope.typ);
        Ok(Written::for_client_id(&id, (Some(record), false)).also(FieldGroup::Identity))
    })
    .await
}

async fn find_by_code(rc: &RequestContext, code: &str) -> AppResult<Option<client::Model>> {
    Ok(client::Entity::find()
        .filter(client::Column::PersonalIdentityCode.eq(code))
        .one(rc.db())
        .await?)
}

/// Changes contact data; a stale `version` is `CONFLICT`, never a silent overwrite.
pub async fn update_contact(rc: &RequestContext, input: ContactUpdate) -> AppResult<ClientRecord> {
    let written = write::scoped(rc, FieldGroup::Contact, async |sp| {
        let Some(current) = clients::find(rc, &input.client_id).await? else {
            return Err(AppError::NotFound);
        };
        let mut sets = Vec::new();
        for (field, change) in input.changes {
            sets.extend(field.apply(change)?);
        }
        if input.version != current.row.version {
            return Err(AppError::Conflict(format!(
                "the client was changed meanwhile: version {} is current, {} was given",
                current.row.version, input.version
            )));
        }
        // The version in the WHERE: of two concurrent changes, one wins and one is a conflict.
        let mut update = client::Entity::update_many()
            .col_expr(
                client::Column::Version,
                Expr::col(client::Column::Version).add(1),
            )
            .col_expr(client::Column::UpdatedAt, Expr::value(rc.now));
        for (col, value) in sets {
            update = update.col_expr(col, Expr::value(value));
        }
        let done = update
            .filter(client::Column::Id.eq(input.client_id.clone()))
            .filter(client::Column::Version.eq(input.version))
            .exec(sp)
            .await?;
        if done.rows_affected != 1 {
            return Err(AppError::Conflict(
                "the client was changed meanwhile".into(),
            ));
        }
        let row = client::Entity::find_by_id(input.client_id.clone())
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&current, row))
    })
    .await?;
    Ok(ClientRecord {
        row: written.row,
        scope: written.scope,
    })
}
