//! The registers that are no client's data: employers (työnantajat) and programmes
//! (hankkeet, pilotit). Every change writes a `register_log` row in its transaction, as
//! administration writes the administration log; no access-log row, since no client's data
//! is read or written. Rights come from the policy's `REGISTER/employers` and
//! `REGISTER/programmes` objects.

use chrono::NaiveDate;
use entity::{employer, programme};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DeriveIden, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use super::context::is_unique_violation;
use super::input::{self, optional_text, required_text};
use super::write::{self, Written};
use super::RequestContext;
use crate::authz::Managed;
use crate::domain::employment::business_id_is_valid;
use crate::error::{AppError, AppResult};

/// The registers' change log (a table without an entity: only appended to and listed).
#[derive(DeriveIden, Clone, Copy)]
enum RegisterLog {
    Table,
    Id,
    At,
    OfficialId,
    Action,
    Target,
    Detail,
}

const ENTRY: [RegisterLog; 5] = [
    RegisterLog::At,
    RegisterLog::OfficialId,
    RegisterLog::Action,
    RegisterLog::Target,
    RegisterLog::Detail,
];

/// One row of the registers' change log (the administration log's shape).
pub use super::administration::AdminLogEntry as RegisterLogEntry;

fn require(rc: &RequestContext, what: Managed, write: bool) -> AppResult<()> {
    if rc.principal().mask.may_manage(what, write) {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// Runs a change of a register on the write path (its right checked first, the change
/// whole or not at all) and logs it.
async fn change<T>(
    rc: &RequestContext,
    what: Managed,
    f: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<T>,
) -> AppResult<T> {
    write::unscoped(rc, what, async |db| f(db).await.map(Written::unlogged)).await
}

async fn log(
    db: &impl ConnectionTrait,
    rc: &RequestContext,
    action: &str,
    target: &str,
    detail: &str,
) -> AppResult<()> {
    super::log_table::append(db, rc, RegisterLog::Table, ENTRY, action, target, detail).await
}

/// The newest rows of the registers' change log, for those who read the administration
/// log (ADMIN, AUDITOR).
pub async fn register_log(rc: &RequestContext, first: u64) -> AppResult<Vec<RegisterLogEntry>> {
    require(rc, Managed::Policy, false)?;
    let select = Query::select()
        .columns(ENTRY)
        .from(RegisterLog::Table)
        .order_by(RegisterLog::Id, Order::Desc)
        .limit(std::cmp::min(first, i64::MAX as u64))
        .to_owned();
    let db = rc.db();
    Ok(
        RegisterLogEntry::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?,
    )
}

// ---------------------------------------------------------------- employers

/// An employer's details as given.
pub struct EmployerInput {
    pub name: Option<String>,
    pub business_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

/// An error of a shared input check named by the employer's own field.
fn renamed(err: AppError, field: &str) -> AppError {
    match err {
        AppError::BadUserInput {
            message, figures, ..
        } => AppError::BadUserInput {
            field: field.to_owned(),
            figures,
            message: message.replacen(
                message.split_whitespace().next().unwrap_or_default(),
                field,
                1,
            ),
        },
        other => other,
    }
}

fn business_id(value: &str) -> AppResult<String> {
    let v = value.trim().to_owned();
    if !business_id_is_valid(&v) {
        return Err(AppError::bad_input(
            "businessId",
            "businessId is a business id (Y-tunnus) NNNNNNN-C with a valid check digit",
        ));
    }
    Ok(v)
}

fn conflict_on_business_id(e: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("an employer with this business id is registered already".into())
    } else {
        e.into()
    }
}

async fn find_employer(db: &impl ConnectionTrait, id: &str) -> AppResult<employer::Model> {
    employer::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Registers an employer.
pub async fn create_employer(rc: &RequestContext, e: EmployerInput) -> AppResult<employer::Model> {
    change(rc, Managed::Employers, async |db| {
        let name = required_text("name", e.name.as_deref().unwrap_or_default(), 200)?;
        let bid = business_id(e.business_id.as_deref().unwrap_or_default())?;
        let contact_name = optional_text("contactName", e.contact_name.as_deref(), 200)?;
        let phone =
            input::phone(e.contact_phone.as_deref()).map_err(|x| renamed(x, "contactPhone"))?;
        let email =
            input::email(e.contact_email.as_deref()).map_err(|x| renamed(x, "contactEmail"))?;
        let id = uuid::Uuid::new_v4().to_string();
        employer::Entity::insert(employer::ActiveModel {
            id: Set(id.clone()),
            name: Set(name),
            business_id: Set(bid.clone()),
            contact_name: Set(contact_name),
            contact_phone: Set(phone),
            contact_email: Set(email),
            created_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
        })
        .exec_without_returning(db)
        .await
        .map_err(conflict_on_business_id)?;
        log(
            db,
            rc,
            "CREATE_EMPLOYER",
            &id,
            &format!("business id {bid}"),
        )
        .await?;
        find_employer(db, &id).await
    })
    .await
}

/// Changes an employer's name, business id or contact person; a field left out stays,
/// a contact field given empty is cleared.
pub async fn update_employer(
    rc: &RequestContext,
    id: &str,
    e: EmployerInput,
) -> AppResult<employer::Model> {
    change(rc, Managed::Employers, async |db| {
        let current = find_employer(db, id).await?;
        let mut update = employer::Entity::update_many().filter(employer::Column::Id.eq(id));
        let mut changed = Vec::new();
        if let Some(name) = e.name {
            let name = required_text("name", &name, 200)?;
            if name != current.name {
                update = update.col_expr(employer::Column::Name, Expr::value(name));
                changed.push("name");
            }
        }
        if let Some(bid) = e.business_id {
            let bid = business_id(&bid)?;
            if bid != current.business_id {
                update = update.col_expr(employer::Column::BusinessId, Expr::value(bid));
                changed.push("businessId");
            }
        }
        if let Some(v) = e.contact_name {
            let v = optional_text("contactName", Some(&v), 200)?;
            if v != current.contact_name {
                update = update.col_expr(employer::Column::ContactName, Expr::value(v));
                changed.push("contactName");
            }
        }
        if let Some(v) = e.contact_phone {
            let v = input::phone(Some(&v)).map_err(|x| renamed(x, "contactPhone"))?;
            if v != current.contact_phone {
                update = update.col_expr(employer::Column::ContactPhone, Expr::value(v));
                changed.push("contactPhone");
            }
        }
        if let Some(v) = e.contact_email {
            let v = input::email(Some(&v)).map_err(|x| renamed(x, "contactEmail"))?;
            if v != current.contact_email {
                update = update.col_expr(employer::Column::ContactEmail, Expr::value(v));
                changed.push("contactEmail");
            }
        }
        if !changed.is_empty() {
            update.exec(db).await.map_err(conflict_on_business_id)?;
            log(db, rc, "UPDATE_EMPLOYER", id, &changed.join(", ")).await?;
        }
        find_employer(db, id).await
    })
    .await
}

/// Employers by name or business id (a part of either), by name, at most `first`.
pub async fn employers(
    rc: &RequestContext,
    search: Option<&str>,
    first: u64,
) -> AppResult<Vec<employer::Model>> {
    require(rc, Managed::Employers, false)?;
    let mut find = employer::Entity::find();
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let escaped = s
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
            .to_lowercase();
        let pattern = format!("%{escaped}%");
        let like = |col: employer::Column| {
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(col)))
                .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\'))
        };
        find = find.filter(like(employer::Column::Name).or(like(employer::Column::BusinessId)));
    }
    Ok(find
        .order_by_asc(employer::Column::Name)
        .order_by_asc(employer::Column::Id)
        .limit(std::cmp::min(first, 100))
        .all(rc.db())
        .await?)
}

/// An employer by id, for those who read the register.
pub async fn employer(rc: &RequestContext, id: &str) -> AppResult<Option<employer::Model>> {
    require(rc, Managed::Employers, false)?;
    Ok(employer::Entity::find_by_id(id.to_owned())
        .one(rc.db())
        .await?)
}

// ---------------------------------------------------------------- programmes

/// A programme's details as given.
pub struct ProgrammeInput {
    pub code: Option<String>,
    pub name: Option<String>,
    pub valid_from: Option<NaiveDate>,
    /// `Some(None)`: clear the end.
    pub valid_until: Option<Option<NaiveDate>>,
}

fn programme_code(value: &str) -> AppResult<String> {
    let v = required_text("code", value, 40)?.to_ascii_uppercase();
    if !v
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(AppError::bad_input(
            "code",
            "code is letters A-Z, digits, - and _",
        ));
    }
    Ok(v)
}

fn validity(from: NaiveDate, until: Option<NaiveDate>) -> AppResult<()> {
    match until {
        Some(u) if u < from => Err(AppError::bad_input(
            "validUntil",
            "validUntil is before validFrom",
        )),
        _ => Ok(()),
    }
}

fn conflict_on_code(e: sea_orm::DbErr) -> AppError {
    if is_unique_violation(&e) {
        AppError::Conflict("a programme with this code exists already".into())
    } else {
        e.into()
    }
}

async fn find_programme(db: &impl ConnectionTrait, id: &str) -> AppResult<programme::Model> {
    programme::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a programme.
pub async fn create_programme(
    rc: &RequestContext,
    p: ProgrammeInput,
) -> AppResult<programme::Model> {
    change(rc, Managed::Programmes, async |db| {
        let code = programme_code(p.code.as_deref().unwrap_or_default())?;
        let name = required_text("name", p.name.as_deref().unwrap_or_default(), 200)?;
        let from = p
            .valid_from
            .ok_or_else(|| AppError::bad_input("validFrom", "validFrom is required"))?;
        let until = p.valid_until.flatten();
        validity(from, until)?;
        let id = uuid::Uuid::new_v4().to_string();
        programme::Entity::insert(programme::ActiveModel {
            id: Set(id.clone()),
            code: Set(code.clone()),
            name: Set(name),
            valid_from: Set(from),
            valid_until: Set(until),
            created_at: Set(rc.now),
        })
        .exec_without_returning(db)
        .await
        .map_err(conflict_on_code)?;
        log(db, rc, "CREATE_PROGRAMME", &id, &format!("code {code}")).await?;
        find_programme(db, &id).await
    })
    .await
}

/// Renames a programme or changes its validity. The code stays: reports name it.
pub async fn update_programme(
    rc: &RequestContext,
    id: &str,
    p: ProgrammeInput,
) -> AppResult<programme::Model> {
    change(rc, Managed::Programmes, async |db| {
        let current = find_programme(db, id).await?;
        if p.code.is_some() {
            return Err(AppError::bad_input(
                "code",
                "a programme's code does not change",
            ));
        }
        let mut update = programme::Entity::update_many().filter(programme::Column::Id.eq(id));
        let mut changed = Vec::new();
        if let Some(name) = p.name {
            let name = required_text("name", &name, 200)?;
            if name != current.name {
                update = update.col_expr(programme::Column::Name, Expr::value(name));
                changed.push("name");
            }
        }
        let from = p.valid_from.unwrap_or(current.valid_from);
        let until = p.valid_until.unwrap_or(current.valid_until);
        validity(from, until)?;
        if from != current.valid_from {
            update = update.col_expr(programme::Column::ValidFrom, Expr::value(from));
            changed.push("validFrom");
        }
        if until != current.valid_until {
            update = update.col_expr(programme::Column::ValidUntil, Expr::value(until));
            changed.push("validUntil");
        }
        if !changed.is_empty() {
            update.exec(db).await?;
            log(db, rc, "UPDATE_PROGRAMME", id, &changed.join(", ")).await?;
        }
        find_programme(db, id).await
    })
    .await
}

/// Every programme, by code: reference data any signed-in official reads.
pub async fn programmes(rc: &RequestContext) -> AppResult<Vec<programme::Model>> {
    Ok(programme::Entity::find()
        .order_by_asc(programme::Column::Code)
        .all(rc.db())
        .await?)
}

/// A programme that a record running from `starts_on` to `ends_on` (open: `None`) may be
/// tagged with: one whose validity overlaps the record's time. `BAD_USER_INPUT` naming
/// `field` otherwise (a missing programme too: programmes are no secret).
pub async fn taggable(
    rc: &RequestContext,
    field: &str,
    id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
) -> AppResult<programme::Model> {
    let p = programme::Entity::find_by_id(id.to_owned())
        .one(rc.db())
        .await?
        .ok_or_else(|| AppError::bad_input(field, "no programme with this id"))?;
    let before = ends_on.is_some_and(|e| e < p.valid_from);
    let after = p.valid_until.is_some_and(|u| u < starts_on);
    if before || after {
        return Err(AppError::bad_input(
            field,
            "the programme did not run while the record did",
        ));
    }
    Ok(p)
}
