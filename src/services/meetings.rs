//! Network meetings and the meeting brief.

use chrono::{Days, NaiveDate};
use entity::network_meeting;
use sea_orm::EntityTrait;

use super::clients::{self, ClientRecord};
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// A meeting with the client it concerns.
pub struct MeetingRecord {
    pub row: network_meeting::Model,
    pub client: ClientRecord,
}

/// The meeting with `id`, if its client is a TYP client within the caller's scope.
/// Out-of-scope and missing meetings are the same `None`.
pub async fn find(rc: &RequestContext, id: &str) -> AppResult<Option<MeetingRecord>> {
    if !matches!(rc.scope, RowScope::Agency { .. }) {
        return Err(AppError::Forbidden(None));
    }
    let mut sql = Sql::new("SELECT m.* FROM network_meeting m WHERE m.id = ");
    sql.bind(id.to_owned()).push(" AND ");
    rc.scope.client_visible(&mut sql, "m.client_id");
    let Some(row) = network_meeting::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(client) = clients::find(rc, &row.client_id).await? else {
        return Ok(None);
    };
    // Meetings are shared records of TYP clients only.
    if !client.scope.typ {
        return Ok(None);
    }
    Ok(Some(MeetingRecord { row, client }))
}

/// The date of the last meeting of the same case held before this one.
pub async fn previous_meeting_on(
    rc: &RequestContext,
    meeting: &network_meeting::Model,
) -> AppResult<Option<NaiveDate>> {
    let mut sql =
        Sql::new("SELECT m.* FROM network_meeting m WHERE m.status = 'HELD' AND m.case_id = ");
    sql.bind(meeting.case_id.clone())
        .push(" AND m.id <> ")
        .bind(meeting.id.clone())
        .push(" AND m.scheduled_at < ")
        .bind(meeting.scheduled_at)
        .push(" ORDER BY m.scheduled_at DESC LIMIT 1");
    let prev = network_meeting::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?;
    Ok(prev.and_then(|m| m.held_on))
}

/// The window of "upcoming" for the brief: from today to the horizon setting.
pub fn horizon(rc: &RequestContext) -> (NaiveDate, NaiveDate) {
    let end = rc
        .today
        .checked_add_days(Days::new(u64::from(rc.settings.brief_horizon_days)))
        .unwrap_or(NaiveDate::MAX);
    (rc.today, end)
}
