//! The signed-in official.

use async_graphql::{ComplexObject, Context, Result, SimpleObject, ID};

use super::meeting::MeetingNode;
use crate::authz::{FieldId, Principal, ReadAccess};
use crate::domain::{Agency, Role};
use crate::graphql::{request, request_loader};
use crate::services;
use crate::services::loads::Prefetched;

/// The signed-in official, as the server knows them (agency from the official's row).
#[derive(SimpleObject)]
#[graphql(name = "Viewer", complex)]
pub struct Viewer {
    /// The official's id.
    pub official_id: ID,
    /// The official's name.
    pub name: String,
    /// The official's agency.
    pub agency: Agency,
    /// Effective roles: those in the token that the official's row also grants.
    pub roles: Vec<Role>,
    /// The provider of a provider official.
    pub provider_id: Option<ID>,
}

fn reads_meetings(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(FieldId::MeetingStatus) != ReadAccess::Never)
}

#[ComplexObject]
impl Viewer {
    /// The official's own scheduled network meetings (verkostopalaverit) from today on,
    /// soonest first, at most 50: those they take part in, of clients within their scope.
    /// Open one with `meetingBrief(meetingId:)` to prepare it.
    #[graphql(visible = "reads_meetings")]
    async fn upcoming_meetings(&self, ctx: &Context<'_>) -> Result<Vec<MeetingNode>> {
        let rc = request(ctx, "me")?;
        let found = services::meeting::upcoming(rc).await?;
        // The meetings' clients were read at once; each meeting's `client` field takes its
        // record from here rather than reading it again.
        let clients = found
            .iter()
            .map(|m| (m.client.row.id.clone(), m.client.clone()))
            .collect();
        request_loader(ctx)?.loader().prefetch(Prefetched {
            clients,
            ..Prefetched::default()
        });
        Ok(found
            .into_iter()
            .map(|m| {
                rc.recorder.touch(&m.client.row.id);
                MeetingNode {
                    row: m.row,
                    scope: m.client.scope,
                    today: rc.today,
                }
            })
            .collect())
    }
}
