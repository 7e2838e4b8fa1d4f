//! Registering a client once, and changing contact data with optimistic concurrency.

use entity::client;
use sea_orm::{ConnectionTrait, EntityTrait, TransactionTrait};

use super::clients::{self, ClientRecord};
use super::context::is_unique_violation;
use super::{input, RequestContext};
use crate::authz::FieldGroup;
use crate::db::Sql;
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

/// Input of `updateClientContact`.
pub struct ContactUpdate {
    pub client_id: String,
    pub version: i32,
    pub first_name: Change<String>,
    pub last_name: Change<String>,
    pub phone: Change<String>,
    pub email: Change<String>,
    pub street_address: Change<String>,
    pub postal_code: Change<String>,
    pub municipality: Change<String>,
    pub language: Change<String>,
}

fn require_contact_write(rc: &RequestContext) -> AppResult<()> {
    if rc.principal().mask.may_write(FieldGroup::Contact) {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// Registers a client; a code already registered returns `duplicate = true` and changes
/// nothing, with the existing client if it is within the caller's scope. A duplicate
/// outside the scope is not named at all (no id): an identity code must not turn into the
/// id of a client the caller may not see.
pub async fn register(
    rc: &RequestContext,
    input: Registration,
) -> AppResult<(Option<ClientRecord>, bool)> {
    require_contact_write(rc)?;
    let (code, _born) = personal_identity_code::parse(&input.personal_identity_code)
        .map_err(|e| AppError::bad_input("personalIdentityCode", e.message()))?;
    let first_name = input::required_text("firstName", &input.first_name, 100)?;
    let last_name = input::required_text("lastName", &input.last_name, 100)?;
    let phone = input::phone(input.phone.as_deref())?;
    let email = input::email(input.email.as_deref())?;
    let municipality = input::optional_text("municipality", input.municipality.as_deref(), 100)?;
    let language = input::language(input.language.as_deref())?;

    if let Some(existing) = find_by_code(rc, &code).await? {
        return Ok((clients::find(rc, &existing.id).await?, true));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let savepoint = rc.db().begin().await?;
    let mut sql = Sql::new(
        "INSERT INTO client (id, personal_identity_code, first_name, last_name, phone, email, municipality, language, on_social_assistance, registered_by_agency, version, created_at, updated_at) VALUES (",
    );
    sql.bind(id.clone())
        .push(", ")
        .bind(code)
        .push(", ")
        .bind(first_name)
        .push(", ")
        .bind(last_name)
        .push(", ")
        .bind(phone)
        .push(", ")
        .bind(email)
        .push(", ")
        .bind(municipality)
        .push(", ")
        .bind(language)
        .push(", FALSE, ")
        .bind(rc.principal().agency.code())
        .push(", 1, ")
        .bind(rc.now)
        .push(", ")
        .bind(rc.now)
        .push(")");
    match savepoint.execute_raw(sql.build_for(&savepoint)).await {
        Ok(_) => savepoint.commit().await?,
        Err(e) if is_unique_violation(&e) => {
            // Registered concurrently by someone else: answer as for any duplicate.
            savepoint.rollback().await?;
            return register_existing(rc, &input.personal_identity_code).await;
        }
        Err(e) => {
            savepoint.rollback().await?;
            return Err(e.into());
        }
    }
    rc.recorder.write(&id, FieldGroup::Identity);
    rc.recorder.write(&id, FieldGroup::Contact);
    let record = clients::find(rc, &id)
        .await?
        .ok_or_else(|| AppError::internal("registered client not visible to its registrar"))?;
    Ok((Some(record), false))
}

async fn register_existing(
    rc: &RequestContext,
    code: &str,
) -> AppResult<(Option<ClientRecord>, bool)> {
    let (code, _) = personal_identity_code::parse(code)
        .map_err(|e| AppError::bad_input("personalIdentityCode", e.message()))?;
    let existing = find_by_code(rc, &code)
        .await?
        .ok_or_else(|| AppError::internal("duplicate code vanished"))?;
    Ok((clients::find(rc, &existing.id).await?, true))
}

async fn find_by_code(rc: &RequestContext, code: &str) -> AppResult<Option<client::Model>> {
    let mut sql = Sql::new("SELECT c.* FROM client c WHERE c.personal_identity_code = ");
    sql.bind(code.to_owned());
    Ok(client::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?)
}

/// Changes contact data; a stale `version` is `CONFLICT`, never a silent overwrite.
pub async fn update_contact(rc: &RequestContext, input: ContactUpdate) -> AppResult<ClientRecord> {
    require_contact_write(rc)?;
    let Some(current) = clients::find(rc, &input.client_id).await? else {
        return Err(AppError::NotFound);
    };
    let mut sets: Vec<(&str, Option<String>)> = Vec::new();
    let mut text = |col: &'static str,
                    field: &str,
                    change: Change<String>,
                    check: &dyn Fn(Option<&str>) -> AppResult<Option<String>>,
                    required: bool|
     -> AppResult<()> {
        match change {
            Change::Keep => {}
            Change::Clear if required => {
                return Err(AppError::bad_input(
                    field,
                    format!("{field} cannot be cleared"),
                ))
            }
            Change::Clear => sets.push((col, None)),
            Change::Set(v) => {
                let v = check(Some(&v))?;
                if required && v.is_none() {
                    return Err(AppError::bad_input(field, format!("{field} is required")));
                }
                sets.push((col, v));
            }
        }
        Ok(())
    };
    text(
        "first_name",
        "firstName",
        input.first_name,
        &|v| input::optional_text("firstName", v, 100),
        true,
    )?;
    text(
        "last_name",
        "lastName",
        input.last_name,
        &|v| input::optional_text("lastName", v, 100),
        true,
    )?;
    text("phone", "phone", input.phone, &input::phone, false)?;
    text("email", "email", input.email, &input::email, false)?;
    text(
        "street_address",
        "streetAddress",
        input.street_address,
        &|v| input::optional_text("streetAddress", v, 200),
        false,
    )?;
    text(
        "postal_code",
        "postalCode",
        input.postal_code,
        &input::postal_code,
        false,
    )?;
    text(
        "municipality",
        "municipality",
        input.municipality,
        &|v| input::optional_text("municipality", v, 100),
        false,
    )?;
    text(
        "language",
        "language",
        input.language,
        &input::language,
        false,
    )?;
    if input.version != current.row.version {
        return Err(AppError::Conflict(format!(
            "the client was changed meanwhile: version {} is current, {} was given",
            current.row.version, input.version
        )));
    }
    let mut sql = Sql::new("UPDATE client SET version = version + 1, updated_at = ");
    sql.bind(rc.now);
    for (col, value) in sets {
        sql.push(&format!(", {col} = ")).bind(value);
    }
    sql.push(" WHERE id = ")
        .bind(input.client_id.clone())
        .push(" AND version = ")
        .bind(input.version);
    let done = rc.db().execute_raw(sql.build_for(rc.db())).await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(
            "the client was changed meanwhile".into(),
        ));
    }
    rc.recorder.write(&input.client_id, FieldGroup::Contact);
    clients::find(rc, &input.client_id)
        .await?
        .ok_or(AppError::NotFound)
}
