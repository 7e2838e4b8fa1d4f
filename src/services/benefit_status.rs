//! The client's benefit status, effective-dated: Kela records the unemployment benefit
//! (labour market subsidy, basic or earnings-related allowance with its fund, or none), the
//! county records social assistance. The status of each attended day decides who pays its
//! allowance ([`crate::domain::benefit`]); recording or ending a status recomputes the
//! allowance lines of the days it covers, and the next export of a payer corrects any month
//! it had delivered.
//!
//! Rights: Kela's statuses are BENEFIT data, written by a role that writes BENEFIT and
//! belongs to Kela (the employment authority writes BENEFIT for its statements, not Kela's
//! benefits); social assistance is social-welfare data, SOCIAL, written by the county's
//! social workers (the roles that write SOCIAL) and read by others only under consent.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use entity::{attendance_day, benefit_status, rehab_period};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::case::visible_client;
use super::write::{self, Scoped, Written};
use super::{input, ClientScope, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::benefit::{BenefitKind, DayStatus};
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// The statuses of one client, for the status of any day.
pub struct Statuses {
    rows: Vec<benefit_status::Model>,
}

impl Statuses {
    /// Every status recorded for the client.
    pub async fn of_client(conn: &impl ConnectionTrait, client_id: &str) -> AppResult<Statuses> {
        let rows = benefit_status::Entity::find()
            .filter(benefit_status::Column::ClientId.eq(client_id.to_owned()))
            .all(conn)
            .await?;
        Ok(Statuses { rows })
    }

    /// The status in force on `day`.
    pub fn on(&self, day: NaiveDate) -> DayStatus {
        let mut out = DayStatus::default();
        for row in self.rows.iter().filter(|r| in_force(r, day)) {
            match BenefitKind::parse(&row.kind) {
                Some(BenefitKind::SocialAssistance) => out.social_assistance = true,
                Some(kind) => out.unemployment = Some((kind, row.fund_name.clone())),
                None => tracing::warn!(kind = %row.kind, "unknown stored benefit status"),
            }
        }
        out
    }
}

fn in_force(row: &benefit_status::Model, day: NaiveDate) -> bool {
    row.valid_from <= day && row.valid_to.is_none_or(|to| day <= to)
}

/// The client's benefit status on `day`: the one lookup every rule uses.
pub async fn status_on(
    conn: &impl ConnectionTrait,
    client_id: &str,
    day: NaiveDate,
) -> AppResult<DayStatus> {
    Ok(Statuses::of_client(conn, client_id).await?.on(day))
}

/// Whether the client is on social assistance on `day` (recorded by the county).
pub async fn social_assistance_on(
    conn: &impl ConnectionTrait,
    client_id: &str,
    day: NaiveDate,
) -> AppResult<bool> {
    Ok(status_on(conn, client_id, day).await?.social_assistance)
}

/// The client's statuses of one track the caller may list, newest first: all of them for
/// a TYP client, otherwise only those its own agency recorded.
pub async fn list(
    rc: &RequestContext,
    scope: &ClientScope,
    social_assistance: bool,
) -> AppResult<Vec<benefit_status::Model>> {
    let code = BenefitKind::SocialAssistance.code();
    let kind = benefit_status::Column::Kind;
    let mut q = benefit_status::Entity::find()
        .filter(benefit_status::Column::ClientId.eq(scope.client_id.clone()))
        .filter(if social_assistance {
            kind.eq(code)
        } else {
            kind.ne(code)
        });
    if !scope.typ {
        q = q.filter(benefit_status::Column::RecordingAgency.eq(rc.principal().agency.code()));
    }
    Ok(q.order_by_desc(benefit_status::Column::ValidFrom)
        .all(rc.db())
        .await?)
}

/// A status to record.
pub struct NewStatus {
    pub client_id: String,
    pub kind: BenefitKind,
    pub fund_name: Option<String>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// The right a status of `kind` needs, and the agency that records it.
fn right_of(kind: BenefitKind) -> (FieldGroup, Agency) {
    if kind.is_social_assistance() {
        (FieldGroup::Social, Agency::Eksote)
    } else {
        (FieldGroup::Benefit, Agency::Kela)
    }
}

fn require_agency(rc: &RequestContext, agency: Agency) -> AppResult<()> {
    if rc.principal().agency == agency {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// Records a status from `valid_from` (to `valid_to`, or until further notice). An
/// open-ended status of the same track that began earlier ends the day before; any other
/// overlap with the same track is `CONFLICT`.
pub async fn record(
    rc: &RequestContext,
    input: NewStatus,
) -> AppResult<Scoped<benefit_status::Model>> {
    let (group, agency) = right_of(input.kind);
    write::scoped(rc, group, async |sp| {
        require_agency(rc, agency)?;
        record_in(rc, sp, input, group, agency).await
    })
    .await
}

async fn record_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: NewStatus,
    group: FieldGroup,
    agency: Agency,
) -> AppResult<Written<benefit_status::Model>> {
    let client = visible_client(rc, &input.client_id).await?;
    let fund = input::optional_text("fundName", input.fund_name.as_deref(), 200)?;
    match (input.kind, &fund) {
        (BenefitKind::EarningsRelatedAllowance, None) => {
            return Err(AppError::bad_input(
                "fundName",
                "an earnings-related allowance names its unemployment fund",
            ))
        }
        (BenefitKind::EarningsRelatedAllowance, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(AppError::bad_input(
                "fundName",
                "only an earnings-related allowance has a fund",
            ))
        }
    }
    if input.valid_to.is_some_and(|to| to < input.valid_from) {
        return Err(AppError::bad_input(
            "validTo",
            "validTo is before validFrom",
        ));
    }
    let social = input.kind.is_social_assistance();
    let track: Vec<benefit_status::Model> = Statuses::of_client(sp, &client.row.id)
        .await?
        .rows
        .into_iter()
        .filter(|r| (r.kind == BenefitKind::SocialAssistance.code()) == social)
        .collect();
    let end = input.valid_to.unwrap_or(NaiveDate::MAX);
    let mut closes = None;
    for row in &track {
        let row_end = row.valid_to.unwrap_or(NaiveDate::MAX);
        if row.valid_from > end || row_end < input.valid_from {
            continue;
        }
        if row.valid_to.is_none() && row.valid_from < input.valid_from && closes.is_none() {
            closes = Some(row.id.clone());
            continue;
        }
        rc.recorder.read(&client.row.id, group, None);
        return Err(AppError::ConflictWithExisting(
            "the status overlaps another status of the same kind of benefit".into(),
            vec![
                ("id", row.id.clone()),
                ("validFrom", row.valid_from.to_string()),
                (
                    "validTo",
                    row.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                ),
            ],
        ));
    }
    if let Some(id) = closes {
        let day_before = input
            .valid_from
            .pred_opt()
            .ok_or_else(|| AppError::bad_input("validFrom", "date out of range"))?;
        benefit_status::Entity::update_many()
            .col_expr(benefit_status::Column::ValidTo, Expr::value(day_before))
            .filter(benefit_status::Column::Id.eq(id))
            .exec(sp)
            .await?;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let row = benefit_status::ActiveModel {
        id: Set(id.clone()),
        client_id: Set(client.row.id.clone()),
        kind: Set(input.kind.code().to_owned()),
        fund_name: Set(fund),
        valid_from: Set(input.valid_from),
        valid_to: Set(input.valid_to),
        recording_agency: Set(agency.code().to_owned()),
        recorded_by: Set(Some(rc.principal().official_id.clone())),
        recorded_at: Set(rc.now),
    };
    benefit_status::Entity::insert(row)
        .exec_without_returning(sp)
        .await?;
    recompute(rc, sp, &client.row.id, input.valid_from, input.valid_to).await?;
    let row = benefit_status::Entity::find_by_id(id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Written::of(&client, row).also(FieldGroup::Allowance))
}

/// Ends a status on `valid_to` (a status recorded until further notice, or one to end
/// sooner than recorded).
pub async fn end(
    rc: &RequestContext,
    id: &str,
    social_assistance: bool,
    valid_to: NaiveDate,
) -> AppResult<Scoped<benefit_status::Model>> {
    let kind = if social_assistance {
        BenefitKind::SocialAssistance
    } else {
        BenefitKind::LabourMarketSubsidy
    };
    let (group, agency) = right_of(kind);
    write::scoped(rc, group, async |sp| {
        require_agency(rc, agency)?;
        let row = benefit_status::Entity::find_by_id(id.to_owned())
            .one(sp)
            .await?
            .filter(|r| (r.kind == BenefitKind::SocialAssistance.code()) == social_assistance)
            .ok_or(AppError::NotFound)?;
        let client = visible_client(rc, &row.client_id).await?;
        if !client.scope.typ && row.recording_agency != agency.code() {
            return Err(AppError::NotFound);
        }
        if valid_to < row.valid_from {
            return Err(AppError::bad_input(
                "validTo",
                "validTo is before validFrom",
            ));
        }
        if row.valid_to.is_some_and(|to| to <= valid_to) {
            return Err(AppError::Conflict("the status already ends by then".into()));
        }
        benefit_status::Entity::update_many()
            .col_expr(benefit_status::Column::ValidTo, Expr::value(valid_to))
            .filter(benefit_status::Column::Id.eq(row.id.clone()))
            .exec(sp)
            .await?;
        let from = valid_to.succ_opt().unwrap_or(valid_to);
        recompute(rc, sp, &client.row.id, from, row.valid_to).await?;
        let row = benefit_status::Entity::find_by_id(row.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row).also(FieldGroup::Allowance))
    })
    .await
}

/// Recomputes the allowance lines of every month with attendance of the client's periods
/// between `from` and `to` (open: until today).
async fn recompute(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    client_id: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> AppResult<()> {
    let to = to.unwrap_or(rc.today).min(rc.today);
    if to < from {
        return Ok(());
    }
    let periods = rehab_period::Entity::find()
        .filter(rehab_period::Column::ClientId.eq(client_id.to_owned()))
        .all(sp)
        .await?;
    let mut changed = false;
    for period in periods {
        let months: BTreeSet<(i32, u32)> = attendance_day::Entity::find()
            .filter(attendance_day::Column::PeriodId.eq(period.id.clone()))
            .filter(attendance_day::Column::Day.between(from, to))
            .all(sp)
            .await?
            .into_iter()
            .map(|a| (a.day.year(), a.day.month()))
            .collect();
        for (y, m) in months {
            super::attendance::recompute_month(sp, rc, &period, y, m).await?;
            changed = true;
        }
    }
    if changed {
        crate::store::ktt_month::rebuild(sp, Some(client_id)).await?;
    }
    Ok(())
}
