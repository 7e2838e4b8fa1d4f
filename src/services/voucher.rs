//! Service vouchers (palveluseteli, act 569/2009) for KTT or job coaching: the county approves
//! providers for each kind, grants a voucher (value per unit, quantity, validity), records the
//! client's choice of an approved provider, and places a KTT period under it; the chosen
//! provider's coach accepts or declines. A provider sees its own vouchers only, decided in
//! the statement that reads them. Attended KTT days and coaching hours used count against
//! the voucher.

use chrono::NaiveDate;
use entity::{provider, provider_voucher_approval, rehab_period, service_voucher};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, UpdateMany,
};

use super::write::{self, Scoped, Written};
use super::{case, coaching, ClientScope, RequestContext};
use crate::authz::scope::RowScope;
use crate::authz::FieldGroup;
use crate::db::Sql;
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};

/// One voucher with what has been used of it and the client's name.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Voucher {
    pub id: String,
    pub client_id: String,
    pub kind: String,
    pub unit: String,
    pub value_cents: i64,
    pub quantity: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub status: String,
    pub granted_on: NaiveDate,
    pub provider_id: Option<String>,
    pub chosen_on: Option<NaiveDate>,
    pub answered_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
    pub rehab_period_id: Option<String>,
    /// Attended KTT days of its period, or coaching hours used under it, within validity.
    pub used: i64,
    pub first_name: String,
    pub last_name: String,
}

impl Voucher {
    pub fn remaining(&self) -> i64 {
        (i64::from(self.quantity) - self.used).max(0)
    }
}

/// The SQL of a voucher's use: attended (not voided) days of the KTT period placed under it,
/// or coaching hours used under it, within the voucher's validity.
pub const USED_SQL: &str = "CASE WHEN v.kind = 'KTT' THEN (SELECT COUNT(*) FROM attendance_day a \
    WHERE a.period_id = v.rehab_period_id AND a.present = TRUE AND a.voided_at IS NULL \
    AND a.day >= v.valid_from AND a.day <= v.valid_until) \
    ELSE (SELECT COALESCE(SUM(h.hours), 0) FROM job_coaching_hours h JOIN job_coaching j ON j.id = h.coaching_id \
    WHERE j.voucher_id = v.id AND h.worked_on >= v.valid_from AND h.worked_on <= v.valid_until) END";

fn select() -> Sql {
    Sql::new(&format!(
        "SELECT v.id, v.client_id, v.kind, v.unit, v.value_cents, v.quantity, v.valid_from, \
         v.valid_until, v.status, v.granted_on, v.provider_id, v.chosen_on, v.answered_on, \
         v.decline_reason, v.rehab_period_id, CAST(({USED_SQL}) AS BIGINT) AS used, \
         c.first_name, c.last_name FROM service_voucher v JOIN client c ON c.id = v.client_id WHERE "
    ))
}

async fn query(conn: &impl ConnectionTrait, sql: &Sql) -> AppResult<Vec<Voucher>> {
    let stmt = sql.build(conn.get_database_backend());
    Ok(Voucher::find_by_statement(stmt).all(conn).await?)
}

/// Vouchers of a client the caller sees (its scope decided by the caller of this function),
/// newest first.
pub async fn of_client(rc: &RequestContext, scope: &ClientScope) -> AppResult<Vec<Voucher>> {
    let mut sql = select();
    sql.push("v.client_id = ").bind(scope.client_id.clone());
    match &rc.scope {
        // A coach: the client's vouchers chosen for its own provider.
        RowScope::Coach { provider_id, .. } => {
            sql.push(" AND v.provider_id = ").bind(provider_id.clone());
        }
        // Outside TYP an agency sees only its own records: vouchers are the county's.
        RowScope::Agency { agency, .. } if scope.typ || *agency == Agency::Eksote => {}
        _ => return Ok(Vec::new()),
    }
    sql.push(" ORDER BY v.granted_on DESC, v.id");
    query(rc.db(), &sql).await
}

/// The vouchers of the coach's own provider (chosen, accepted or declined by it), newest
/// first, each seen through the row.
pub async fn of_provider(rc: &RequestContext) -> AppResult<Vec<Voucher>> {
    let RowScope::Coach { provider_id, .. } = &rc.scope else {
        return Ok(Vec::new());
    };
    let mut sql = select();
    sql.push("v.provider_id = ")
        .bind(provider_id.clone())
        .push(" ORDER BY v.chosen_on DESC, v.id");
    query(rc.db(), &sql).await
}

async fn one(conn: &impl ConnectionTrait, id: &str) -> AppResult<Voucher> {
    let mut sql = select();
    sql.push("v.id = ").bind(id.to_owned());
    query(conn, &sql)
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)
}

/// Only the county's worker grants vouchers, records choices and approves providers.
fn county(rc: &RequestContext) -> AppResult<()> {
    let p = rc.principal();
    if p.agency == Agency::Eksote && p.has_role(Role::EksoteWorker) {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// A voucher of a client the county worker sees; otherwise as missing.
async fn county_voucher(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    id: &str,
) -> AppResult<(Voucher, super::client::ClientRecord)> {
    let row = one(sp, id).await?;
    let client = case::visible_client(rc, &row.client_id).await?;
    Ok((row, client))
}

fn kind_code(kind: &str) -> AppResult<&'static str> {
    match kind {
        "KTT" => Ok("KTT"),
        "COACHING" => Ok("COACHING"),
        _ => Err(AppError::bad_input("kind", "kind is KTT or COACHING")),
    }
}

/// The provider is approved for vouchers of `kind` on `day`.
async fn approved(
    conn: &impl ConnectionTrait,
    provider_id: &str,
    kind: &str,
    day: NaiveDate,
) -> AppResult<bool> {
    use provider_voucher_approval::Column as A;
    Ok(provider_voucher_approval::Entity::find()
        .filter(A::ProviderId.eq(provider_id))
        .filter(A::VoucherKind.eq(kind))
        .filter(A::ApprovedOn.lte(day))
        .filter(
            sea_orm::Condition::any()
                .add(A::WithdrawnOn.is_null())
                .add(A::WithdrawnOn.gt(day)),
        )
        .one(conn)
        .await?
        .is_some())
}

/// Approves a provider for vouchers of a kind (act 569/2009 s. 5: the county approves the
/// providers), or renews a withdrawn approval.
pub async fn approve_provider(
    rc: &RequestContext,
    provider_id: &str,
    kind: &str,
) -> AppResult<provider_voucher_approval::Model> {
    write::unscoped(rc, FieldGroup::Coaching, async |sp| {
        county(rc)?;
        let kind = kind_code(kind)?;
        let known = provider::Entity::find_by_id(provider_id.to_owned())
            .filter(provider::Column::Active.eq(true))
            .one(sp)
            .await?;
        if known.is_none() {
            return Err(AppError::bad_input("providerId", "no such active provider"));
        }
        let existing = provider_voucher_approval::Entity::find_by_id((
            provider_id.to_owned(),
            kind.to_owned(),
        ))
        .one(sp)
        .await?;
        let model = provider_voucher_approval::ActiveModel {
            provider_id: Set(provider_id.to_owned()),
            voucher_kind: Set(kind.to_owned()),
            approved_on: Set(rc.today),
            approved_by: Set(rc.principal().official_id.clone()),
            withdrawn_on: Set(None),
            withdrawn_by: Set(None),
        };
        match existing {
            Some(e) if e.withdrawn_on.is_none() => {
                return Err(AppError::Conflict(
                    "the provider is already approved".into(),
                ))
            }
            Some(_) => {
                provider_voucher_approval::Entity::update(model)
                    .exec(sp)
                    .await?;
            }
            None => {
                provider_voucher_approval::Entity::insert(model)
                    .exec_without_returning(sp)
                    .await?;
            }
        }
        let row = provider_voucher_approval::Entity::find_by_id((
            provider_id.to_owned(),
            kind.to_owned(),
        ))
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
        Ok(Written::unlogged(row))
    })
    .await
}

/// Withdraws a provider's approval for a kind from today: no new choice may name it.
pub async fn withdraw_approval(
    rc: &RequestContext,
    provider_id: &str,
    kind: &str,
) -> AppResult<provider_voucher_approval::Model> {
    write::unscoped(rc, FieldGroup::Coaching, async |sp| {
        county(rc)?;
        let kind = kind_code(kind)?;
        use provider_voucher_approval::Column as A;
        let done = provider_voucher_approval::Entity::update_many()
            .col_expr(A::WithdrawnOn, Expr::value(rc.today))
            .col_expr(
                A::WithdrawnBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .filter(A::ProviderId.eq(provider_id))
            .filter(A::VoucherKind.eq(kind))
            .filter(A::WithdrawnOn.is_null())
            .exec(sp)
            .await?;
        if done.rows_affected != 1 {
            return Err(AppError::NotFound);
        }
        let row = provider_voucher_approval::Entity::find_by_id((
            provider_id.to_owned(),
            kind.to_owned(),
        ))
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
        Ok(Written::unlogged(row))
    })
    .await
}

/// The approvals in force today, for a kind or all.
pub async fn approvals(
    rc: &RequestContext,
    kind: Option<&str>,
) -> AppResult<Vec<provider_voucher_approval::Model>> {
    use provider_voucher_approval::Column as A;
    let mut q = provider_voucher_approval::Entity::find()
        .filter(A::ApprovedOn.lte(rc.today))
        .filter(
            sea_orm::Condition::any()
                .add(A::WithdrawnOn.is_null())
                .add(A::WithdrawnOn.gt(rc.today)),
        );
    if let Some(kind) = kind {
        q = q.filter(A::VoucherKind.eq(kind_code(kind)?));
    }
    Ok(sea_orm::QueryOrder::order_by_asc(q, A::ProviderId)
        .all(rc.db())
        .await?)
}

/// What a new voucher says.
pub struct NewVoucher {
    pub client_id: String,
    pub kind: &'static str,
    pub unit: &'static str,
    pub value_cents: i64,
    pub quantity: i32,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
}

/// The county grants a voucher.
pub async fn grant(rc: &RequestContext, input: NewVoucher) -> AppResult<Scoped<Voucher>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        county(rc)?;
        let kind = kind_code(input.kind)?;
        let unit_fits = matches!(
            (kind, input.unit),
            ("KTT", "DAY" | "MONTH") | ("COACHING", "HOUR" | "MONTH")
        );
        if !unit_fits {
            return Err(AppError::bad_input(
                "unit",
                "a KTT voucher is valued per DAY or MONTH, a coaching voucher per HOUR or MONTH",
            ));
        }
        if !(1..=10_000_000).contains(&input.value_cents) {
            return Err(AppError::bad_input("valueCents", "1 to 10000000 cents"));
        }
        if !(1..=1000).contains(&input.quantity) {
            return Err(AppError::bad_input("quantity", "1 to 1000 days or hours"));
        }
        if input.valid_until < input.valid_from {
            return Err(AppError::bad_input(
                "validUntil",
                "the validity ends before it begins",
            ));
        }
        if input.valid_until < rc.today {
            return Err(AppError::bad_input("validUntil", "the validity is over"));
        }
        let client = case::visible_client(rc, &input.client_id).await?;
        let id = uuid::Uuid::new_v4().to_string();
        service_voucher::Entity::insert(service_voucher::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            kind: Set(kind.to_owned()),
            unit: Set(input.unit.to_owned()),
            value_cents: Set(input.value_cents),
            quantity: Set(input.quantity),
            valid_from: Set(input.valid_from),
            valid_until: Set(input.valid_until),
            status: Set("GRANTED".to_owned()),
            granted_by: Set(rc.principal().official_id.clone()),
            granted_on: Set(rc.today),
            ..Default::default()
        })
        .exec_without_returning(sp)
        .await?;
        Ok(Written::of(&client, one(sp, &id).await?))
    })
    .await
}

/// Applies `update` to the voucher if it is still in one of the statuses `from`.
async fn changed(
    sp: &DatabaseTransaction,
    id: &str,
    update: UpdateMany<service_voucher::Entity>,
    from: &[&str],
) -> AppResult<Voucher> {
    let done = update
        .filter(service_voucher::Column::Id.eq(id))
        .filter(service_voucher::Column::Status.is_in(from.iter().copied()))
        .exec(sp)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict("the voucher changed meanwhile".into()));
    }
    one(sp, id).await
}

/// The county records the client's choice among the providers approved for the voucher's
/// kind (a granted voucher, or one the previous choice declined), within its validity.
pub async fn choose(
    rc: &RequestContext,
    voucher_id: &str,
    provider_id: &str,
) -> AppResult<Scoped<Voucher>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        county(rc)?;
        let (row, client) = county_voucher(rc, sp, voucher_id).await?;
        if !matches!(row.status.as_str(), "GRANTED" | "DECLINED") {
            return Err(AppError::Conflict(format!(
                "the voucher's provider is already chosen ({})",
                row.status
            )));
        }
        if row.valid_until < rc.today {
            return Err(AppError::bad_input(
                "voucherId",
                "the voucher is no longer valid",
            ));
        }
        if !approved(sp, provider_id, &row.kind, rc.today).await? {
            return Err(AppError::bad_input(
                "providerId",
                "the provider is not approved for this kind of voucher",
            ));
        }
        use service_voucher::Column as V;
        let update = service_voucher::Entity::update_many()
            .col_expr(V::Status, Expr::value("CHOSEN"))
            .col_expr(V::ProviderId, Expr::value(provider_id.to_owned()))
            .col_expr(V::ChosenOn, Expr::value(rc.today))
            .col_expr(V::AnsweredBy, Expr::value(Option::<String>::None))
            .col_expr(V::AnsweredOn, Expr::value(Option::<NaiveDate>::None))
            .col_expr(V::DeclineReason, Expr::value(Option::<String>::None));
        let row = changed(sp, &row.id, update, &["GRANTED", "DECLINED"]).await?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// The chosen provider's coach accepts or declines (with a reason) a voucher chosen for it.
/// Another provider's voucher is as missing.
pub async fn answer(
    rc: &RequestContext,
    voucher_id: &str,
    accept: bool,
    decline_reason: Option<&str>,
) -> AppResult<Scoped<Voucher>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        let RowScope::Coach { provider_id, .. } = &rc.scope else {
            return Err(AppError::Forbidden(None));
        };
        let row = one(sp, voucher_id).await?;
        if row.provider_id.as_deref() != Some(provider_id.as_str()) {
            return Err(AppError::NotFound);
        }
        if row.status != "CHOSEN" {
            return Err(AppError::Conflict(format!(
                "the voucher was already answered ({})",
                row.status
            )));
        }
        if row.valid_until < rc.today {
            return Err(AppError::bad_input(
                "voucherId",
                "the voucher is no longer valid",
            ));
        }
        use service_voucher::Column as V;
        let update = service_voucher::Entity::update_many()
            .col_expr(
                V::AnsweredBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .col_expr(V::AnsweredOn, Expr::value(rc.today));
        let update = if accept {
            if decline_reason.is_some() {
                return Err(AppError::bad_input(
                    "declineReason",
                    "an accepted voucher has no decline reason",
                ));
            }
            update.col_expr(V::Status, Expr::value("ACCEPTED"))
        } else {
            let why = decline_reason.map(str::trim).unwrap_or_default();
            if why.is_empty() || why.chars().count() > 2000 {
                return Err(AppError::bad_input("declineReason", "1 to 2000 characters"));
            }
            update
                .col_expr(V::Status, Expr::value("DECLINED"))
                .col_expr(V::DeclineReason, Expr::value(why.to_owned()))
        };
        let row = changed(sp, &row.id, update, &["CHOSEN"]).await?;
        let client_id = row.client_id.clone();
        Ok(Written::through_row(&client_id, row))
    })
    .await
}

/// The county places a KTT period under an accepted KTT voucher: a period of the same client
/// at the provider the client chose. Its attended days then count against the voucher.
pub async fn place_period(
    rc: &RequestContext,
    voucher_id: &str,
    period_id: &str,
) -> AppResult<Scoped<Voucher>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        county(rc)?;
        let (row, client) = county_voucher(rc, sp, voucher_id).await?;
        if row.kind != "KTT" || row.status != "ACCEPTED" {
            return Err(AppError::bad_input(
                "voucherId",
                "a KTT period is placed under an accepted KTT voucher",
            ));
        }
        if row.rehab_period_id.is_some() {
            return Err(AppError::Conflict(
                "a period is already placed under the voucher".into(),
            ));
        }
        let period = rehab_period::Entity::find_by_id(period_id.to_owned())
            .filter(rehab_period::Column::ClientId.eq(row.client_id.clone()))
            .one(sp)
            .await?
            .ok_or_else(|| AppError::bad_input("periodId", "no such KTT period of the client"))?;
        if Some(&period.provider_id) != row.provider_id.as_ref() {
            return Err(AppError::bad_input(
                "periodId",
                "the period is at another provider than the one the client chose",
            ));
        }
        let taken = service_voucher::Entity::find()
            .filter(service_voucher::Column::RehabPeriodId.eq(period_id))
            .one(sp)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict(
                "the period is already under another voucher".into(),
            ));
        }
        let update = service_voucher::Entity::update_many().col_expr(
            service_voucher::Column::RehabPeriodId,
            Expr::value(period_id.to_owned()),
        );
        let row = changed(sp, &row.id, update, &["ACCEPTED"]).await?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// The scope a coach sees a voucher's client through.
pub fn row_scope(v: &Voucher) -> std::sync::Arc<ClientScope> {
    coaching::row_scope(&v.client_id)
}
