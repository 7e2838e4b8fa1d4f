//! Pay-subsidised employment (palkkatuettu työ) of a client: recorded and ended by the
//! employment authority, which grants the pay subsidy (act 916/2012 ch. 7; from 2025 act
//! 380/2023). Group EMPLOYMENT: the case team that reads it sees it (the responsible
//! officer, the county), Kela does not.

use chrono::NaiveDate;
use entity::{employer, pay_subsidy};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::case::{not_future, visible_client};
use super::write::{self, Scoped, Written};
use super::{loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::employment::SubsidyFollowUp;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// The job coaching kind that walks alongside a subsidised employee.
pub const WALK_ALONGSIDE: &str = "WALK_ALONGSIDE";
/// Hours of work per week a subsidised employment may have.
pub const HOURS_PER_WEEK: std::ops::RangeInclusive<i32> = 1..=40;

/// A pay-subsidised employment to record.
pub struct NewPaySubsidy {
    pub client_id: String,
    pub employer_id: String,
    pub starts_on: NaiveDate,
    pub subsidy_ends_on: NaiveDate,
    pub hours_per_week: i32,
    /// A walk-alongside job coaching of the client that supports the employment.
    pub walk_alongside_coaching_id: Option<String>,
}

/// Only the employment authority records pay subsidies: it grants them. Another agency's
/// role that the policy let write EMPLOYMENT still gets `FORBIDDEN`.
fn employment_authority(rc: &RequestContext) -> AppResult<()> {
    if rc.principal().agency == Agency::Te {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// Records a pay-subsidised employment. Refused: an end of subsidy before the start, hours
/// outside 1–40 a week, an unknown employer, a coaching that is not a walk-alongside
/// coaching of the same client (`BAD_USER_INPUT`); a time overlapping another subsidised
/// employment of the client (`CONFLICT`).
pub async fn record_pay_subsidy(
    rc: &RequestContext,
    input: NewPaySubsidy,
) -> AppResult<Scoped<pay_subsidy::Model>> {
    write::scoped(rc, FieldGroup::Employment, async |sp| {
        employment_authority(rc)?;
        let client = visible_client(rc, &input.client_id).await?;
        if input.subsidy_ends_on < input.starts_on {
            return Err(AppError::bad_input(
                "subsidyEndsOn",
                "subsidyEndsOn is before startsOn",
            ));
        }
        if !HOURS_PER_WEEK.contains(&input.hours_per_week) {
            return Err(AppError::bad_input(
                "hoursPerWeek",
                "hoursPerWeek is 1 to 40",
            ));
        }
        employer::Entity::find_by_id(input.employer_id.clone())
            .one(rc.db())
            .await?
            .ok_or_else(|| AppError::bad_input("employerId", "no employer with this id"))?;
        if let Some(id) = &input.walk_alongside_coaching_id {
            let coaching = loads::job_coaching_in_scope(rc.db(), &rc.scope, id).await?;
            let fits =
                coaching.is_some_and(|c| c.client_id == client.row.id && c.kind == WALK_ALONGSIDE);
            if !fits {
                return Err(AppError::bad_input(
                    "walkAlongsideCoachingId",
                    "no walk-alongside job coaching of the client with this id",
                ));
            }
        }
        // Another subsidised employment of the client running at any day of this one.
        let runs_until = Expr::col(pay_subsidy::Column::EndedOn)
            .if_null(Expr::col(pay_subsidy::Column::SubsidyEndsOn));
        let overlapping = pay_subsidy::Entity::find()
            .filter(pay_subsidy::Column::ClientId.eq(client.row.id.clone()))
            .filter(pay_subsidy::Column::StartsOn.lte(input.subsidy_ends_on))
            .filter(runs_until.gte(input.starts_on))
            .one(rc.db())
            .await?;
        if overlapping.is_some() {
            return Err(AppError::Conflict(
                "the client has pay-subsidised employment at that time already".into(),
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        pay_subsidy::Entity::insert(pay_subsidy::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            employer_id: Set(input.employer_id.clone()),
            starts_on: Set(input.starts_on),
            subsidy_ends_on: Set(input.subsidy_ends_on),
            hours_per_week: Set(input.hours_per_week),
            job_coaching_id: Set(input.walk_alongside_coaching_id.clone()),
            ended_on: Set(None),
            followed_by: Set(None),
            recorded_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
        })
        .exec_without_returning(sp)
        .await?;
        let row = pay_subsidy::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// Ends a pay-subsidised employment on `ended_on` (not in the future, not before its start,
/// at the latest the day the subsidy ends: work that goes on without subsidy is the open
/// labour market) with what followed. `CONFLICT` when it has ended already.
pub async fn end_pay_subsidy(
    rc: &RequestContext,
    id: &str,
    ended_on: NaiveDate,
    followed_by: SubsidyFollowUp,
) -> AppResult<Scoped<pay_subsidy::Model>> {
    write::scoped(rc, FieldGroup::Employment, async |sp| {
        employment_authority(rc)?;
        let row = loads::pay_subsidy_in_scope(rc.db(), &rc.scope, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = visible_client(rc, &row.client_id).await?;
        if row.ended_on.is_some() {
            return Err(AppError::Conflict(
                "the pay-subsidised employment has ended already".into(),
            ));
        }
        let ended_on = not_future(rc, "endedOn", ended_on)?;
        if ended_on < row.starts_on {
            return Err(AppError::bad_input(
                "endedOn",
                "endedOn is before the employment started",
            ));
        }
        if ended_on > row.subsidy_ends_on {
            return Err(AppError::bad_input(
                "endedOn",
                "endedOn is after the subsidy ended: work that went on without subsidy is the open labour market, from the subsidy's end",
            ));
        }
        let done = pay_subsidy::Entity::update_many()
            .col_expr(pay_subsidy::Column::EndedOn, Expr::value(ended_on))
            .col_expr(
                pay_subsidy::Column::FollowedBy,
                Expr::value(followed_by.code()),
            )
            .filter(pay_subsidy::Column::Id.eq(row.id.clone()))
            .filter(pay_subsidy::Column::EndedOn.is_null())
            .exec(sp)
            .await?;
        if done.rows_affected == 0 {
            return Err(AppError::Conflict(
                "the pay-subsidised employment has ended already".into(),
            ));
        }
        let row = pay_subsidy::Entity::find_by_id(row.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// The client's pay-subsidised employments whose subsidy ends from `from` to `to` and that
/// have not ended: the team plans the step to the open labour market before the subsidy
/// ends.
pub fn ending_within(
    rows: Vec<pay_subsidy::Model>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<pay_subsidy::Model> {
    rows.into_iter()
        .filter(|p| p.ended_on.is_none() && p.subsidy_ends_on >= from && p.subsidy_ends_on <= to)
        .collect()
}
