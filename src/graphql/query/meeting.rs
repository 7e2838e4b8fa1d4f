//! Network meetings, and the brief each agency reads before one.

use async_graphql::{Context, Object, Result, ID};

use super::request;
use crate::graphql::types::brief::BriefNode;
use crate::graphql::types::meeting::MeetingNode;
use crate::services;

#[derive(Default)]
pub struct MeetingQueries;

#[Object]
impl MeetingQueries {
    /// A network meeting (null when missing or out of scope).
    #[graphql(visible = "super::reads_meetings")]
    async fn network_meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MeetingNode>> {
        let rc = request(ctx, "networkMeeting")?;
        let found = services::meeting::find(rc, &id).await?;
        Ok(found.map(|m| {
            rc.recorder.touch(&m.client.row.id);
            MeetingNode {
                row: m.row,
                scope: m.client.scope,
                today: rc.today,
            }
        }))
    }

    /// What each participating agency needs before a network meeting.
    #[graphql(visible = "super::reads_meetings")]
    async fn meeting_brief(&self, ctx: &Context<'_>, meeting_id: ID) -> Result<Option<BriefNode>> {
        let rc = request(ctx, "meetingBrief")?;
        let Some(m) = services::meeting::find(rc, &meeting_id).await? else {
            return Ok(None);
        };
        rc.recorder.touch(&m.client.row.id);
        let previous = services::meeting::previous_meeting_on(rc, &m.row).await?;
        Ok(Some(BriefNode {
            meeting: MeetingNode {
                row: m.row,
                scope: m.client.scope,
                today: rc.today,
            },
            previous_meeting_on: previous,
            horizon: services::meeting::horizon(rc),
            subsidy_horizon: services::meeting::subsidy_horizon(rc),
        }))
    }
}
