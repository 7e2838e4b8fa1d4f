//! Kela's benefit decisions: recorded (pending, granted or rejected) and then moved on
//! (pending -> granted or rejected, granted -> ended). Kela's own record (group BENEFIT),
//! written by Kela only.

use chrono::NaiveDate;
use entity::benefit_decision;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::case::{not_future, visible_client};
use super::write::{self, Scoped, Written};
use super::{client, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::agency_work::{BenefitDecisionKind, BenefitDecisionStatus};
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// What a new decision says.
pub struct NewDecision {
    pub client_id: String,
    pub kind: BenefitDecisionKind,
    pub status: BenefitDecisionStatus,
    pub decided_on: NaiveDate,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

/// A change of status.
pub struct StatusChange {
    pub decision_id: String,
    pub status: BenefitDecisionStatus,
    /// The day of the change (the decision on a pending one, the end of a granted one).
    pub changed_on: NaiveDate,
    /// First day in force, when a pending decision is granted (unless recorded already).
    pub valid_from: Option<NaiveDate>,
    /// Last day in force: when granting for a fixed period, and always when ending.
    pub valid_until: Option<NaiveDate>,
}

fn kela(rc: &RequestContext) -> AppResult<()> {
    if rc.principal().agency != Agency::Kela {
        return Err(AppError::Forbidden(None));
    }
    Ok(())
}

/// The period in force: `validUntil` not before `validFrom`, and a period only for a
/// granted (or ended) benefit.
fn period(
    status: BenefitDecisionStatus,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> AppResult<()> {
    use BenefitDecisionStatus::*;
    match status {
        Granted | Ended if from.is_none() => Err(AppError::bad_input(
            "validFrom",
            "a granted benefit has its first day in force",
        )),
        Pending | Rejected if from.is_some() => Err(AppError::bad_input(
            "validFrom",
            "only a granted benefit has a period in force",
        )),
        Pending | Rejected if until.is_some() => Err(AppError::bad_input(
            "validUntil",
            "only a granted benefit has a period in force",
        )),
        Ended if until.is_none() => Err(AppError::bad_input(
            "validUntil",
            "an ended benefit has its last day in force",
        )),
        _ => match (from, until) {
            (Some(f), Some(u)) if u < f => Err(AppError::bad_input(
                "validUntil",
                "validUntil is before validFrom",
            )),
            _ => Ok(()),
        },
    }
}

/// Records a benefit decision of Kela's for a client within the caller's scope. A decision
/// is recorded pending, granted or rejected; it ends by a change of status.
pub async fn record(
    rc: &RequestContext,
    input: NewDecision,
) -> AppResult<Scoped<benefit_decision::Model>> {
    write::scoped(rc, FieldGroup::Benefit, async |sp| {
        kela(rc)?;
        let client = visible_client(rc, &input.client_id).await?;
        if input.status == BenefitDecisionStatus::Ended {
            return Err(AppError::bad_input(
                "status",
                "a decision is recorded pending, granted or rejected; a granted one ends later",
            ));
        }
        let decided_on = not_future(rc, "decidedOn", input.decided_on)?;
        period(input.status, input.valid_from, input.valid_until)?;
        let id = uuid::Uuid::new_v4().to_string();
        benefit_decision::Entity::insert(benefit_decision::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            agency: Set(Agency::Kela.code().to_owned()),
            benefit_kind: Set(input.kind.code().to_owned()),
            status: Set(input.status.code().to_owned()),
            decided_on: Set(decided_on),
            valid_from: Set(input.valid_from),
            valid_until: Set(input.valid_until),
            decided_by: Set(rc.principal().official_id.clone()),
            status_changed_on: Set(None),
            status_changed_by: Set(None),
        })
        .exec_without_returning(sp)
        .await?;
        let row = benefit_decision::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// Moves a decision on: a pending one is granted or rejected, a granted one ends. Any other
/// change is `CONFLICT`; a decision of another agency, or outside the scope, is `NOT_FOUND`.
pub async fn change_status(
    rc: &RequestContext,
    input: StatusChange,
) -> AppResult<Scoped<benefit_decision::Model>> {
    write::scoped(rc, FieldGroup::Benefit, async |sp| {
        kela(rc)?;
        let row = loads::benefit_in_scope(sp, &rc.scope, &input.decision_id)
            .await?
            .filter(|d| d.agency == Agency::Kela.code())
            .ok_or(AppError::NotFound)?;
        let client = client::find(rc, &row.client_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let current = BenefitDecisionStatus::parse(&row.status)
            .ok_or_else(|| AppError::internal("unknown benefit decision status"))?;
        if !current.may_become(input.status) {
            return Err(AppError::Conflict(format!(
                "a {} decision cannot become {}",
                current.code(),
                input.status.code()
            )));
        }
        let changed_on = not_future(rc, "changedOn", input.changed_on)?;
        if changed_on < row.decided_on {
            return Err(AppError::bad_input(
                "changedOn",
                "changedOn is before the decision was recorded",
            ));
        }
        if input.status == BenefitDecisionStatus::Ended && input.valid_from.is_some() {
            return Err(AppError::bad_input(
                "validFrom",
                "an ending keeps the first day in force",
            ));
        }
        let from = input.valid_from.or(row.valid_from);
        let until = input.valid_until.or(match input.status {
            BenefitDecisionStatus::Ended => None,
            _ => row.valid_until,
        });
        period(input.status, from, until)?;
        if input.status == BenefitDecisionStatus::Ended
            && row
                .valid_until
                .is_some_and(|u| until.is_some_and(|e| e > u))
        {
            return Err(AppError::bad_input(
                "validUntil",
                "an ending does not extend the period granted",
            ));
        }
        let done = benefit_decision::Entity::update_many()
            .col_expr(
                benefit_decision::Column::Status,
                Expr::value(input.status.code()),
            )
            .col_expr(benefit_decision::Column::ValidFrom, Expr::value(from))
            .col_expr(benefit_decision::Column::ValidUntil, Expr::value(until))
            .col_expr(
                benefit_decision::Column::StatusChangedOn,
                Expr::value(changed_on),
            )
            .col_expr(
                benefit_decision::Column::StatusChangedBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .filter(benefit_decision::Column::Id.eq(row.id.clone()))
            // The status read above: of two concurrent changes, one wins.
            .filter(benefit_decision::Column::Status.eq(row.status.clone()))
            .exec(sp)
            .await?;
        if done.rows_affected != 1 {
            return Err(AppError::Conflict("the decision changed meanwhile".into()));
        }
        let row = benefit_decision::Entity::find_by_id(row.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
