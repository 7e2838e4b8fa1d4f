//! A TYP case's employment plan and the actions agreed under it.

use chrono::{Months, NaiveDate};
use entity::{agreed_action, employment_plan, network_meeting, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::case::{not_future, visible_case};
use super::write::{self, Scoped, Written};
use super::{input, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// Plan kinds are date-dependent: from 2026 the activation plan is only for clients on
/// social assistance; benefit clients reach KTT through the multi-sector plan.
pub const ACTIVATION_LIMITED_FROM: (i32, u32, u32) = (2026, 1, 1);

pub struct NewPlan {
    pub case_id: String,
    pub activation: bool,
    pub made_on: NaiveDate,
    pub goals: String,
    pub review_on: Option<NaiveDate>,
}

/// Makes the (next version of the) plan of an open case; the case moves to IMPLEMENTATION.
pub async fn create_plan(
    rc: &RequestContext,
    input: NewPlan,
) -> AppResult<Scoped<employment_plan::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (case, client) = visible_case(rc, &input.case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        let made_on = not_future(rc, "madeOn", input.made_on)?;
        if made_on < case.opened_on {
            return Err(AppError::bad_input(
                "madeOn",
                "the plan cannot predate the case",
            ));
        }
        let goals = input::required_text("goals", &input.goals, 4000)?;
        let (y, m, d) = ACTIVATION_LIMITED_FROM;
        let limited_from = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
        // The county's record of social assistance on the day the plan is made.
        if input.activation
            && made_on >= limited_from
            && !super::benefit_status::social_assistance_on(rc.db(), &client.row.id, made_on)
                .await?
        {
            return Err(AppError::bad_input(
                "kind",
                "from 2026 an activation plan is only for clients on social assistance",
            ));
        }
        let review_on = match input.review_on {
            Some(r) if r <= made_on => {
                return Err(AppError::bad_input(
                    "reviewOn",
                    "reviewOn must follow madeOn",
                ))
            }
            Some(r) => r,
            None => made_on
                .checked_add_months(Months::new(rc.settings.plan_review_months))
                .ok_or_else(|| AppError::bad_input("madeOn", "date out of range"))?,
        };
        let row = employment_plan::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            case_id: Set(case.id.clone()),
            kind: Set(if input.activation {
                "ACTIVATION"
            } else {
                "MULTI_SECTOR"
            }
            .to_owned()),
            made_on: Set(made_on),
            goals: Set(goals),
            review_on: Set(review_on),
            created_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
        }
        .insert(sp)
        .await?;
        typ_case::Entity::update_many()
            .col_expr(typ_case::Column::Phase, Expr::value("IMPLEMENTATION"))
            .filter(typ_case::Column::Id.eq(case.id))
            .exec(sp)
            .await?;
        Ok(Written::of(&client, row))
    })
    .await
}

pub struct NewAction {
    pub plan_id: String,
    pub meeting_id: Option<String>,
    pub owner_agency: Agency,
    pub description: String,
    pub due_on: NaiveDate,
}

/// Adds an agreed action to a plan (optionally agreed in a meeting), owned by one agency.
pub async fn add_action(
    rc: &RequestContext,
    input: NewAction,
) -> AppResult<Scoped<agreed_action::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let plan = loads::plan_in_scope(rc.db(), &rc.scope, &input.plan_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (case, client) = visible_case(rc, &plan.case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        if input.owner_agency == Agency::Provider {
            return Err(AppError::bad_input(
                "ownerAgency",
                "an action is owned by TE, EKSOTE or KELA",
            ));
        }
        let description = input::required_text("description", &input.description, 2000)?;
        if let Some(meeting) = &input.meeting_id {
            let n = network_meeting::Entity::find()
                .filter(network_meeting::Column::Id.eq(meeting.clone()))
                .filter(network_meeting::Column::CaseId.eq(case.id.clone()))
                .count(rc.db())
                .await?;
            if n == 0 {
                return Err(AppError::bad_input(
                    "meetingId",
                    "no such meeting of this case",
                ));
            }
        }
        let row = agreed_action::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            case_id: Set(case.id),
            plan_id: Set(Some(plan.id)),
            meeting_id: Set(input.meeting_id.clone()),
            owner_agency: Set(input.owner_agency.code().to_owned()),
            description: Set(description),
            due_on: Set(input.due_on),
            created_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
            ..Default::default()
        }
        .insert(sp)
        .await?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// Marks an agreed action done today.
pub async fn complete_action(
    rc: &RequestContext,
    id: &str,
) -> AppResult<Scoped<agreed_action::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let action = loads::action_in_scope(sp, &rc.scope, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, client) = visible_case(rc, &action.case_id).await?;
        if action.completed_on.is_some() {
            return Err(AppError::Conflict("the action is already completed".into()));
        }
        agreed_action::Entity::update_many()
            .col_expr(agreed_action::Column::CompletedOn, Expr::value(rc.today))
            .filter(agreed_action::Column::Id.eq(action.id.clone()))
            .filter(agreed_action::Column::CompletedOn.is_null())
            .exec(sp)
            .await?;
        let row = agreed_action::Entity::find_by_id(action.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
