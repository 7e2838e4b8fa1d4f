//! Network meetings (verkostopalaverit) and agency notes.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, NaiveDate, Utc};
use std::sync::Arc;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::services::ClientScope;
use entity::{
    agency_note, meeting_agency_section, meeting_agenda_item, meeting_participant, network_meeting,
};

use super::case::ActionNode;
use crate::domain::Agency;
use crate::graphql::loader::{
    ActionsOfMeeting, AgendaOf, OfficialById, OwnSectionsOf, ParticipantsOf,
};
use crate::graphql::request_loader;

/// A network meeting.
pub struct MeetingNode {
    pub row: network_meeting::Model,
    pub scope: Arc<ClientScope>,
    pub today: NaiveDate,
}

impl MeetingNode {
    pub fn wrap(
        rows: Vec<network_meeting::Model>,
        scope: &Arc<ClientScope>,
        today: NaiveDate,
    ) -> Vec<MeetingNode> {
        rows.into_iter()
            .map(|row| MeetingNode {
                row,
                scope: scope.clone(),
                today,
            })
            .collect()
    }
}

/// A network meeting (verkostopalaveri) of the agencies and the client: agenda, participants, a shared record, each agency's own section and agreed actions.
#[Object(name = "NetworkMeeting")]
impl MeetingNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// When the meeting is or was held.
    #[graphql(visible = "visible::meeting_scheduled_at", directive = fieldGroup::apply(group_of(FieldId::MeetingScheduledAt)))]
    async fn scheduled_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::MeetingScheduledAt,
            Some(self.row.scheduled_at),
        )
    }
    /// SCHEDULED, HELD or CANCELLED.
    #[graphql(visible = "visible::meeting_status", directive = fieldGroup::apply(group_of(FieldId::MeetingStatus)))]
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::MeetingStatus,
            Some(self.row.status.as_str()),
        )
    }
    /// Where the meeting is held.
    #[graphql(visible = "visible::meeting_location", directive = fieldGroup::apply(group_of(FieldId::MeetingLocation)))]
    async fn location(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::MeetingLocation,
            self.row.location.as_deref(),
        )
    }
    /// Date the meeting was held.
    #[graphql(visible = "visible::meeting_held_on", directive = fieldGroup::apply(group_of(FieldId::MeetingHeldOn)))]
    async fn held_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(ctx, &self.scope, FieldId::MeetingHeldOn, self.row.held_on).map(|d| d.map(Date))
    }
    /// The shared record (minutes) of the meeting.
    #[graphql(visible = "visible::meeting_shared_record", directive = fieldGroup::apply(group_of(FieldId::MeetingSharedRecord)))]
    async fn shared_record(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::MeetingSharedRecord,
            self.row.shared_record.as_deref(),
        )
    }
    /// Who takes part: officials of the agencies, the client, a provider coach.
    #[graphql(visible = "visible::meeting_participants", directive = fieldGroup::apply(group_of(FieldId::MeetingParticipants)))]
    async fn participants(&self, ctx: &Context<'_>) -> Result<Option<Vec<ParticipantNode>>> {
        guard::read(ctx, &self.scope, FieldId::MeetingParticipants, ())?;
        let rows = request_loader(ctx)?
            .load_one(ParticipantsOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| ParticipantNode { row })
                .collect(),
        ))
    }

    /// Agenda items, in order.
    #[graphql(visible = "visible::meeting_agenda", directive = fieldGroup::apply(group_of(FieldId::MeetingAgenda)))]
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Option<Vec<AgendaItemNode>>> {
        guard::read(ctx, &self.scope, FieldId::MeetingAgenda, ())?;
        let rows = request_loader(ctx)?
            .load_one(AgendaOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| AgendaItemNode {
                    row,
                    scope: self.scope.clone(),
                })
                .collect(),
        ))
    }

    /// Actions agreed in the meeting.
    #[graphql(visible = "visible::meeting_actions", directive = fieldGroup::apply(group_of(FieldId::MeetingActions)))]
    async fn agreed_actions(&self, ctx: &Context<'_>) -> Result<Option<Vec<ActionNode>>> {
        guard::read(ctx, &self.scope, FieldId::MeetingActions, ())?;
        let rows = request_loader(ctx)?
            .load_one(ActionsOfMeeting(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(ActionNode::wrap(rows, &self.scope, self.today)))
    }

    /// The caller agency's own section of the record; other agencies' sections are never shown.
    #[graphql(visible = "visible::meeting_own_sections", directive = fieldGroup::apply(group_of(FieldId::MeetingOwnSections)))]
    async fn agency_sections(&self, ctx: &Context<'_>) -> Result<Option<Vec<SectionNode>>> {
        let rc = ctx.data::<crate::services::RequestContext>()?;
        guard::read_own(ctx, &self.scope, rc.principal().agency, false, ())?;
        let rows = request_loader(ctx)?
            .load_one(OwnSectionsOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| SectionNode {
                    row,
                    scope: self.scope.clone(),
                })
                .collect(),
        ))
    }
}

/// A participant of a meeting.
pub struct ParticipantNode {
    pub row: meeting_participant::Model,
}

/// A participant of a network meeting (officials are not client data).
#[Object(name = "MeetingParticipant")]
impl ParticipantNode {
    /// OFFICIAL, CLIENT or PROVIDER_COACH.
    async fn kind(&self) -> &str {
        &self.row.kind
    }

    /// The participant's agency (none for the client).
    async fn agency(&self) -> Option<Agency> {
        self.row.agency.as_deref().and_then(|a| a.parse().ok())
    }

    /// The official's name (none for the client).
    async fn official_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(id) = &self.row.official_id else {
            return Ok(None);
        };
        let official = request_loader(ctx)?
            .load_one(OfficialById(id.clone()))
            .await?;
        Ok(official.map(|o| o.name))
    }
}

/// An agenda item.
pub struct AgendaItemNode {
    pub row: meeting_agenda_item::Model,
    pub scope: Arc<ClientScope>,
}

/// An agenda item of a network meeting, brought by an agency.
#[Object(name = "AgendaItem")]
impl AgendaItemNode {
    /// The agency that brings the item.
    #[graphql(visible = "visible::agenda_agency", directive = fieldGroup::apply(group_of(FieldId::AgendaAgency)))]
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AgendaAgency,
            self.row.agency.parse().ok(),
        )
    }

    /// Position on the agenda, from 1.
    #[graphql(visible = "visible::agenda_position", directive = fieldGroup::apply(group_of(FieldId::AgendaPosition)))]
    async fn position(&self, ctx: &Context<'_>) -> Result<i32> {
        guard::read(ctx, &self.scope, FieldId::AgendaPosition, self.row.position)
    }
    /// The item.
    #[graphql(visible = "visible::agenda_title", directive = fieldGroup::apply(group_of(FieldId::AgendaTitle)))]
    async fn title(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AgendaTitle,
            Some(self.row.title.as_str()),
        )
    }
}

/// One agency's own section of a meeting record.
pub struct SectionNode {
    pub row: meeting_agency_section::Model,
    pub scope: Arc<ClientScope>,
}

impl SectionNode {
    fn author(&self) -> Agency {
        self.row.agency.parse().unwrap_or(Agency::Provider)
    }
    fn shared(&self) -> bool {
        false
    }
}

/// An agency's own section of a network meeting record, readable by that agency only.
#[Object(name = "MeetingAgencySection")]
impl SectionNode {
    /// The agency whose section this is.
    #[graphql(visible = "visible::section_agency", directive = fieldGroup::apply(group_of(FieldId::SectionAgency)))]
    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            self.author(),
        )
    }
    /// The agency's own record of the meeting.
    #[graphql(visible = "visible::section_body", directive = fieldGroup::apply(group_of(FieldId::SectionBody)))]
    async fn body(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            Some(self.row.body.as_str()),
        )
    }
}

/// An agency note.
pub struct NoteNode {
    pub row: agency_note::Model,
    pub scope: Arc<ClientScope>,
}

impl NoteNode {
    pub fn wrap(rows: Vec<agency_note::Model>, scope: &Arc<ClientScope>) -> Vec<NoteNode> {
        rows.into_iter()
            .map(|row| NoteNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

impl NoteNode {
    fn author(&self) -> Agency {
        self.row.agency.parse().unwrap_or(Agency::Provider)
    }
    fn shared(&self) -> bool {
        self.row.shared_with_case_team
    }
}

/// A note an agency keeps of the client: readable by that agency only (SOCIAL for the county, EMPLOYMENT for the employment authority, BENEFIT for Kela), or by the case team (CASE) when the author shares it.
#[Object(name = "AgencyNote")]
impl NoteNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The authoring agency.
    #[graphql(visible = "visible::note_agency", directive = fieldGroup::apply(group_of(FieldId::NoteAgency)))]
    async fn agency(&self, ctx: &Context<'_>) -> Result<Agency> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            self.author(),
        )
    }
    /// Whether the author shared the note with the case team.
    #[graphql(visible = "visible::note_shared", directive = fieldGroup::apply(group_of(FieldId::NoteShared)))]
    async fn shared_with_case_team(&self, ctx: &Context<'_>) -> Result<bool> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            self.row.shared_with_case_team,
        )
    }
    /// The note.
    #[graphql(visible = "visible::note_body", directive = fieldGroup::apply(group_of(FieldId::NoteBody)))]
    async fn body(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            Some(self.row.body.as_str()),
        )
    }
    /// When the note was written.
    #[graphql(visible = "visible::note_created_at", directive = fieldGroup::apply(group_of(FieldId::NoteCreatedAt)))]
    async fn created_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        guard::read_own(
            ctx,
            &self.scope,
            self.author(),
            self.shared(),
            Some(self.row.created_at),
        )
    }
}
