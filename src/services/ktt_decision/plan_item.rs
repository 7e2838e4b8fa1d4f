//! The KTT item of a plan: the goal of the activity and the support and guidance the person
//! needs, agreed with the client (act 189/2001 ss. 4-5: KTT is arranged on the plan, which
//! records its goal). A grant rests on such an item.

use chrono::NaiveDate;
use entity::plan_ktt_item;
use sea_orm::{ActiveValue::Set, EntityTrait};

use crate::authz::FieldGroup;
use crate::error::{AppError, AppResult};
use crate::services::case::{not_future, visible_case};
use crate::services::write::{self, Scoped, Written};
use crate::services::{input, loads, RequestContext};

pub struct NewPlanItem {
    pub plan_id: String,
    pub goal: String,
    pub support: String,
    pub agreed_on: NaiveDate,
}

/// Adds a KTT item to a plan of an open case (CASE write, like the plan's other actions);
/// agreed on or after the plan was made, never ahead.
pub async fn add_plan_item(
    rc: &RequestContext,
    input: NewPlanItem,
) -> AppResult<Scoped<plan_ktt_item::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let plan = loads::plan_in_scope(rc.db(), &rc.scope, &input.plan_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (case, client) = visible_case(rc, &plan.case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        let agreed_on = not_future(rc, "agreedOn", input.agreed_on)?;
        if agreed_on < plan.made_on {
            return Err(AppError::bad_input(
                "agreedOn",
                "a plan's item is agreed on or after the plan was made",
            ));
        }
        let goal = input::required_text("goal", &input.goal, 2000)?;
        let support = input::required_text("support", &input.support, 2000)?;
        let id = uuid::Uuid::new_v4().to_string();
        let row = plan_ktt_item::ActiveModel {
            id: Set(id.clone()),
            plan_id: Set(plan.id),
            case_id: Set(case.id),
            goal: Set(goal),
            support: Set(support),
            agreed_on: Set(agreed_on),
            created_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
        };
        plan_ktt_item::Entity::insert(row)
            .exec_without_returning(sp)
            .await?;
        let row = plan_ktt_item::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
