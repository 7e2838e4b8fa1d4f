//! The employment authority's own plan items and job-search obligations, and their
//! follow-up: its record (group EMPLOYMENT), written by the employment authority only.

use chrono::{Days, NaiveDate};
use entity::employment_item;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::case::{recent, visible_client};
use super::write::{self, Scoped, Written};
use super::{client, input, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::agency_work::{EmploymentItemKind, FollowUpOutcome};
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// The longest description or note.
const MAX_TEXT: usize = 2000;

/// What a new item says.
pub struct NewItem {
    pub client_id: String,
    pub kind: EmploymentItemKind,
    pub description: String,
    pub due_on: Option<NaiveDate>,
}

/// A follow-up of an item.
pub struct FollowUp {
    pub item_id: String,
    pub outcome: FollowUpOutcome,
    pub followed_up_on: NaiveDate,
    pub note: Option<String>,
    pub new_due_on: Option<NaiveDate>,
    /// Replaces a follow-up recorded before (otherwise one is `CONFLICT`).
    pub correction: bool,
}

/// Only the employment authority writes its own items (EMPLOYMENT write is the right; the
/// agency is the owner of the records).
fn employment_authority(rc: &RequestContext) -> AppResult<()> {
    if rc.principal().agency != Agency::Te {
        return Err(AppError::Forbidden(None));
    }
    Ok(())
}

/// The earliest due date allowed: an item is not recorded for a deadline long gone
/// (`TYPGRAPH_MAX_BACKDATE_DAYS` back at most).
fn earliest_due(rc: &RequestContext) -> NaiveDate {
    rc.today
        .checked_sub_days(Days::new(u64::from(rc.settings.max_backdate_days)))
        .unwrap_or(NaiveDate::MIN)
}

/// Adds a plan item or obligation for a client within the caller's scope.
pub async fn add(rc: &RequestContext, input: NewItem) -> AppResult<Scoped<employment_item::Model>> {
    write::scoped(rc, FieldGroup::Employment, async |sp| {
        employment_authority(rc)?;
        let client = visible_client(rc, &input.client_id).await?;
        let description = input::required_text("description", &input.description, MAX_TEXT)?;
        if let Some(due) = input.due_on {
            if due < earliest_due(rc) {
                return Err(AppError::bad_input(
                    "dueOn",
                    format!(
                        "dueOn is at most {} days back",
                        rc.settings.max_backdate_days
                    ),
                ));
            }
        }
        let id = uuid::Uuid::new_v4().to_string();
        employment_item::Entity::insert(employment_item::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            kind: Set(input.kind.code().to_owned()),
            description: Set(description),
            due_on: Set(input.due_on),
            recorded_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
            follow_up_status: Set(None),
            followed_up_on: Set(None),
            follow_up_note: Set(None),
            new_due_on: Set(None),
            followed_up_by: Set(None),
            follow_up_corrected: Set(false),
        })
        .exec_without_returning(sp)
        .await?;
        let row = employment_item::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// Records how an item stood at its follow-up: once, then only as a correction.
pub async fn follow_up(
    rc: &RequestContext,
    input: FollowUp,
) -> AppResult<Scoped<employment_item::Model>> {
    write::scoped(rc, FieldGroup::Employment, async |sp| {
        employment_authority(rc)?;
        let item = loads::employment_item_in_scope(sp, &rc.scope, &input.item_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = client::find(rc, &item.client_id)
            .await?
            .ok_or(AppError::NotFound)?;
        match (&item.follow_up_status, input.correction) {
            (Some(status), false) => {
                return Err(AppError::Conflict(format!(
                    "the item was already followed up ({status}): give correction to replace it"
                )))
            }
            (None, true) => {
                return Err(AppError::bad_input(
                    "correction",
                    "there is no follow-up to correct",
                ))
            }
            _ => {}
        }
        let on = recent(rc, "followedUpOn", input.followed_up_on)?;
        if on < item.created_at.date_naive() {
            return Err(AppError::bad_input(
                "followedUpOn",
                "followedUpOn is before the item was recorded",
            ));
        }
        let note = input::optional_text("note", input.note.as_deref(), MAX_TEXT)?;
        let new_due = match (input.outcome, input.new_due_on) {
            (FollowUpOutcome::Postponed, Some(due)) => {
                let current = item.due_on.unwrap_or(on);
                if due <= current || due < rc.today {
                    return Err(AppError::bad_input(
                        "newDueOn",
                        "a postponed item's new due date is after its due date and not in the past",
                    ));
                }
                Some(due)
            }
            (FollowUpOutcome::Postponed, None) => {
                return Err(AppError::bad_input(
                    "newDueOn",
                    "a postponed item needs its new due date",
                ))
            }
            (_, Some(_)) => {
                return Err(AppError::bad_input(
                    "newDueOn",
                    "only a postponed item gets a new due date",
                ))
            }
            (_, None) => None,
        };
        let update = employment_item::Entity::update_many()
            .col_expr(
                employment_item::Column::FollowUpStatus,
                Expr::value(input.outcome.code()),
            )
            .col_expr(employment_item::Column::FollowedUpOn, Expr::value(on))
            .col_expr(employment_item::Column::FollowUpNote, Expr::value(note))
            .col_expr(employment_item::Column::NewDueOn, Expr::value(new_due))
            .col_expr(
                employment_item::Column::FollowedUpBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .col_expr(
                employment_item::Column::FollowUpCorrected,
                Expr::value(input.correction),
            )
            .filter(employment_item::Column::Id.eq(item.id.clone()));
        // The follow-up read above in the WHERE: of two concurrent first follow-ups, one wins.
        let update = match &item.follow_up_status {
            None => update.filter(employment_item::Column::FollowUpStatus.is_null()),
            Some(_) => update.filter(employment_item::Column::FollowedUpOn.eq(item.followed_up_on)),
        };
        if update.exec(sp).await?.rows_affected != 1 {
            return Err(AppError::Conflict("the item changed meanwhile".into()));
        }
        let row = employment_item::Entity::find_by_id(item.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
