//! Job coaching (työhönvalmennus) as each orderer's own work: the employment authority buys
//! it as a purchased service (at most `TYPGRAPH_TE_COACHING_HOURS_CAP` hours per client), the
//! county orders it from its supported-employment services or under a coaching voucher, and
//! the hours used are recorded by the provider's coach or the orderer, never beyond the hours
//! bought. Group COACHING: the policy's write decides who may change it at all; the role and
//! agency decide which change (docs/work-county.md, docs/work-provider.md).

use chrono::NaiveDate;
use entity::{job_coaching, job_coaching_hours, provider, service_voucher};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::write::{self, Scoped, Written};
use super::{case, ClientScope, RequestContext};
use crate::authz::scope::RowScope;
use crate::authz::FieldGroup;
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};

/// The kinds of coaching ordered now (COUNTY and VOUCHER remain on older rows only).
pub const KINDS: [&str; 4] = ["INDIVIDUAL", "NEUROPSYCHIATRIC", "WALK_ALONGSIDE", "GROUP"];

/// Who orders: the employment authority's expert or the county's worker.
fn orderer(rc: &RequestContext) -> AppResult<Agency> {
    let p = rc.principal();
    match p.agency {
        Agency::Te if p.has_role(Role::TeExpert) => Ok(Agency::Te),
        Agency::Eksote if p.has_role(Role::EksoteWorker) => Ok(Agency::Eksote),
        _ => Err(AppError::Forbidden(None)),
    }
}

/// What a new order says.
pub struct NewCoaching {
    pub client_id: String,
    pub kind: &'static str,
    pub provider_id: Option<String>,
    pub hours: i32,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub voucher_id: Option<String>,
}

/// The employment authority's purchased coaching of a client: the cap, hours bought and
/// used, and what is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeHours {
    pub cap: i64,
    pub bought: i64,
    pub used: i64,
}

impl TeHours {
    pub fn left(&self) -> i64 {
        (self.cap - self.bought).max(0)
    }
}

/// The hours the employment authority has bought and used for the client.
pub async fn te_hours(
    conn: &impl ConnectionTrait,
    rc: &RequestContext,
    client_id: &str,
) -> AppResult<TeHours> {
    let (bought, used) = job_coaching::Entity::find()
        .select_only()
        .expr(Expr::cust("COALESCE(SUM(hours), 0)"))
        .expr(Expr::cust("COALESCE(SUM(hours_used), 0)"))
        .filter(job_coaching::Column::ClientId.eq(client_id))
        .filter(job_coaching::Column::OrderedByAgency.eq(Agency::Te.code()))
        .into_tuple::<(i64, i64)>()
        .one(conn)
        .await?
        .unwrap_or((0, 0));
    Ok(TeHours {
        cap: rc.settings.te_coaching_hours_cap.into(),
        bought,
        used,
    })
}

/// Hours of coaching already bought under a voucher.
async fn bought_under(conn: &impl ConnectionTrait, voucher_id: &str) -> AppResult<i64> {
    Ok(job_coaching::Entity::find()
        .select_only()
        .expr(Expr::cust("COALESCE(SUM(hours), 0)"))
        .filter(job_coaching::Column::VoucherId.eq(voucher_id))
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .unwrap_or(0))
}

/// Orders job coaching for a client: the employment authority as a purchased service within
/// its cap, the county from its own services or under an accepted coaching voucher.
pub async fn order(
    rc: &RequestContext,
    input: NewCoaching,
) -> AppResult<Scoped<job_coaching::Model>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        let agency = orderer(rc)?;
        if !KINDS.contains(&input.kind) {
            return Err(AppError::bad_input("kind", "an unknown kind of coaching"));
        }
        if !(1..=500).contains(&input.hours) {
            return Err(AppError::bad_input("hours", "1 to 500 hours"));
        }
        if input.ends_on.is_some_and(|e| e < input.starts_on) {
            return Err(AppError::bad_input("endsOn", "the end is before the start"));
        }
        let client = case::visible_client(rc, &input.client_id).await?;
        let mut provider_id = input.provider_id.clone();
        if let Some(voucher_id) = &input.voucher_id {
            if agency != Agency::Eksote {
                return Err(AppError::bad_input(
                    "voucherId",
                    "coaching under a voucher is the county's order",
                ));
            }
            let voucher = service_voucher::Entity::find_by_id(voucher_id.clone())
                .filter(service_voucher::Column::ClientId.eq(client.row.id.clone()))
                .one(sp)
                .await?
                .ok_or_else(|| AppError::bad_input("voucherId", "no such voucher of the client"))?;
            if voucher.kind != "COACHING" || voucher.status != "ACCEPTED" {
                return Err(AppError::bad_input(
                    "voucherId",
                    "an accepted coaching voucher is needed",
                ));
            }
            let ends = input.ends_on.unwrap_or(voucher.valid_until);
            if input.starts_on < voucher.valid_from || ends > voucher.valid_until {
                return Err(AppError::bad_input(
                    "startsOn",
                    "the coaching is outside the voucher's validity",
                ));
            }
            if provider_id.is_some() && provider_id != voucher.provider_id {
                return Err(AppError::bad_input(
                    "providerId",
                    "coaching under a voucher is given by the provider the client chose",
                ));
            }
            provider_id = voucher.provider_id.clone();
            let left = i64::from(voucher.quantity) - bought_under(sp, voucher_id).await?;
            if i64::from(input.hours) > left {
                return Err(AppError::bad_input_with(
                    "hours",
                    format!("the voucher has {left} hours left"),
                    vec![("hoursLeft", left.max(0))],
                ));
            }
        }
        if agency == Agency::Te {
            if provider_id.is_none() {
                return Err(AppError::bad_input(
                    "providerId",
                    "a purchased service names its provider",
                ));
            }
            // Two orders for one client at once would each count the hours left before
            // the other's: on PostgreSQL the client's row is locked for the rest of the
            // transaction, so the second counts the first (on SQLite the request holds the
            // write lock from its start).
            if sp.get_database_backend() == sea_orm::DbBackend::Postgres {
                entity::client::Entity::find_by_id(client.row.id.clone())
                    .lock_exclusive()
                    .one(sp)
                    .await?;
            }
            let hours = te_hours(sp, rc, &client.row.id).await?;
            if i64::from(input.hours) > hours.left() {
                return Err(AppError::bad_input_with(
                    "hours",
                    format!(
                        "the employment authority buys at most {} hours of job coaching per client: {} left",
                        hours.cap,
                        hours.left()
                    ),
                    vec![("hoursLeft", hours.left()), ("capHours", hours.cap)],
                ));
            }
        }
        if let Some(p) = &provider_id {
            let active = provider::Entity::find_by_id(p.clone())
                .filter(provider::Column::Active.eq(true))
                .one(sp)
                .await?;
            if active.is_none() {
                return Err(AppError::bad_input("providerId", "no such active provider"));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        job_coaching::Entity::insert(job_coaching::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            provider_id: Set(provider_id),
            kind: Set(input.kind.to_owned()),
            ordered_by_agency: Set(agency.code().to_owned()),
            hours: Set(input.hours),
            starts_on: Set(input.starts_on),
            ends_on: Set(input.ends_on),
            ordered_by: Set(Some(rc.principal().official_id.clone())),
            voucher_id: Set(input.voucher_id.clone()),
            hours_used: Set(0),
            programme_id: Set(None),
        })
        .exec_without_returning(sp)
        .await?;
        let row = job_coaching::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// A coaching the caller may record hours on, read within its scope in one statement: at
/// the coach's own provider, or ordered by the caller's agency (of a client it sees).
/// Anything else is as missing.
async fn recordable(
    rc: &RequestContext,
    id: &str,
) -> AppResult<(job_coaching::Model, Option<super::client::ClientRecord>)> {
    let find = job_coaching::Entity::find_by_id(id.to_owned());
    match &rc.scope {
        RowScope::Coach { provider_id, .. } => {
            let row = find
                .filter(job_coaching::Column::ProviderId.eq(provider_id.clone()))
                .one(rc.db())
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((row, None))
        }
        RowScope::Agency { agency, .. } => {
            orderer(rc).map_err(|_| AppError::Forbidden(None))?;
            let row = find
                .filter(job_coaching::Column::OrderedByAgency.eq(agency.code()))
                .one(rc.db())
                .await?
                .ok_or(AppError::NotFound)?;
            let client = case::visible_client(rc, &row.client_id).await?;
            Ok((row, Some(client)))
        }
        RowScope::Nothing => Err(AppError::NotFound),
    }
}

/// Records coaching hours used on a day: by the provider's coach (its own provider only) or
/// by the orderer; never beyond the hours bought, and under a voucher within its validity.
pub async fn record_hours(
    rc: &RequestContext,
    coaching_id: &str,
    worked_on: NaiveDate,
    hours: i32,
) -> AppResult<Scoped<job_coaching::Model>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        if rc.principal().agency == Agency::Provider
            && !rc.principal().has_role(Role::ProviderCoach)
        {
            return Err(AppError::Forbidden(None));
        }
        let (row, client) = recordable(rc, coaching_id).await?;
        if !(1..=24).contains(&hours) {
            return Err(AppError::bad_input("hours", "1 to 24 hours a day"));
        }
        case::not_future(rc, "workedOn", worked_on)?;
        if worked_on < row.starts_on || row.ends_on.is_some_and(|e| worked_on > e) {
            return Err(AppError::bad_input(
                "workedOn",
                "the day is outside the coaching's period",
            ));
        }
        if let Some(voucher_id) = &row.voucher_id {
            let voucher = service_voucher::Entity::find_by_id(voucher_id.clone())
                .one(sp)
                .await?
                .ok_or(AppError::NotFound)?;
            if worked_on < voucher.valid_from || worked_on > voucher.valid_until {
                return Err(AppError::bad_input(
                    "workedOn",
                    "the day is outside the voucher's validity",
                ));
            }
        }
        // The limit in the WHERE: of two recordings at once, the second finds the hours gone.
        let done = job_coaching::Entity::update_many()
            .col_expr(
                job_coaching::Column::HoursUsed,
                sea_orm::sea_query::ExprTrait::add(
                    Expr::col(job_coaching::Column::HoursUsed),
                    hours,
                ),
            )
            .filter(job_coaching::Column::Id.eq(row.id.clone()))
            .filter(sea_orm::sea_query::ExprTrait::lte(
                sea_orm::sea_query::ExprTrait::add(
                    Expr::col(job_coaching::Column::HoursUsed),
                    hours,
                ),
                Expr::col(job_coaching::Column::Hours),
            ))
            .exec(sp)
            .await?;
        if done.rows_affected != 1 {
            let now = job_coaching::Entity::find_by_id(row.id.clone())
                .one(sp)
                .await?
                .ok_or(AppError::NotFound)?;
            let left = i64::from(now.hours - now.hours_used);
            return Err(AppError::bad_input_with(
                "hours",
                format!("{left} of the hours bought are left"),
                vec![("hoursLeft", left)],
            ));
        }
        job_coaching_hours::Entity::insert(job_coaching_hours::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            coaching_id: Set(row.id.clone()),
            client_id: Set(row.client_id.clone()),
            worked_on: Set(worked_on),
            hours: Set(hours),
            recorded_by: Set(rc.principal().official_id.clone()),
            recorded_by_agency: Set(rc.principal().agency.code().to_owned()),
            recorded_at: Set(rc.now),
        })
        .exec_without_returning(sp)
        .await?;
        let updated = job_coaching::Entity::find_by_id(row.id.clone())
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(match client {
            Some(client) => Written::of(&client, updated),
            None => Written::through_row(&row.client_id, updated),
        })
    })
    .await
}

/// The job coaching at the coach's own provider, newest first, each with the scope it is
/// seen through (the row, not the client).
pub async fn of_provider(
    rc: &RequestContext,
) -> AppResult<Vec<(job_coaching::Model, std::sync::Arc<ClientScope>)>> {
    let RowScope::Coach { provider_id, .. } = &rc.scope else {
        return Ok(Vec::new());
    };
    let rows = job_coaching::Entity::find()
        .filter(job_coaching::Column::ProviderId.eq(provider_id.clone()))
        .order_by_desc(job_coaching::Column::StartsOn)
        .order_by_asc(job_coaching::Column::Id)
        .all(rc.db())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let scope = row_scope(&r.client_id);
            (r, scope)
        })
        .collect())
}

/// The scope of a client seen only through a row the caller's scope admitted.
pub fn row_scope(client_id: &str) -> std::sync::Arc<ClientScope> {
    std::sync::Arc::new(ClientScope {
        client_id: client_id.to_owned(),
        visible: true,
        typ: false,
        consents: Vec::new(),
    })
}
