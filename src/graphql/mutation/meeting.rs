//! Work-ability assessments, network meetings and agency notes.

use crate::graphql::engine::scalars::Date;
use async_graphql::{InputObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::Agency;
use crate::graphql::types::agency_records::AssessmentNode;
use crate::graphql::types::meeting::{MeetingNode, NoteNode};
use crate::services::assessment::{self, NewAssessment};
use crate::services::meeting::{self, AgendaItem, NewAction, NewMeeting};

#[derive(Default)]
pub struct MeetingMutations;

/// Input of `recordWorkAbilityAssessment`.
#[derive(InputObject)]
pub struct RecordWorkAbilityAssessmentInput {
    pub client_id: ID,
    pub assessed_on: Date,
    /// Employment-relevant conclusion (WORK_ABILITY).
    pub conclusion: String,
    pub restrictions: Option<String>,
    /// Health details (HEALTH): only roles that may write HEALTH.
    pub details: Option<String>,
    /// Why a new assessment is needed although a recent one exists.
    pub override_reason: Option<String>,
    /// The outside expert or provider who made an assessment the employment authority
    /// bought (asiantuntija-arviointi, 1–200 characters): required when the employment
    /// authority records one, refused otherwise.
    pub expert_name: Option<String>,
}

/// An agenda item of a meeting to be scheduled.
#[derive(InputObject)]
pub struct AgendaItemInput {
    pub agency: Agency,
    pub title: String,
}

/// A provider coach taking part, with the client's consent.
#[derive(InputObject)]
pub struct CoachParticipantInput {
    pub official_id: ID,
    /// The client's consent naming PROVIDER and the CASE group.
    pub consent_id: ID,
}

/// Input of `scheduleNetworkMeeting`.
#[derive(InputObject)]
pub struct ScheduleNetworkMeetingInput {
    pub case_id: ID,
    pub scheduled_at: DateTime<Utc>,
    pub location: Option<String>,
    /// Officials of TE, EKSOTE and Kela taking part.
    pub participant_official_ids: Vec<ID>,
    pub client_attends: bool,
    pub coach: Option<CoachParticipantInput>,
    #[graphql(default)]
    pub agenda: Vec<AgendaItemInput>,
}

/// An action agreed in a meeting.
#[derive(InputObject)]
pub struct MeetingActionInput {
    pub owner_agency: Agency,
    pub description: String,
    pub due_on: Date,
}

/// Input of `recordMeetingMinutes`.
#[derive(InputObject)]
pub struct RecordMeetingMinutesInput {
    pub meeting_id: ID,
    pub held_on: Date,
    /// The shared record (CASE).
    pub shared_record: String,
    /// Actions agreed, linked to the case's plan.
    #[graphql(default)]
    pub agreed_actions: Vec<MeetingActionInput>,
}

/// Input of `addNote`.
#[derive(InputObject)]
pub struct AddNoteInput {
    pub client_id: ID,
    pub body: String,
    /// Shared with the case team (CASE); the agency's own record otherwise.
    #[graphql(default)]
    pub shared_with_case_team: bool,
}

impl From<RecordWorkAbilityAssessmentInput> for NewAssessment {
    fn from(input: RecordWorkAbilityAssessmentInput) -> Self {
        NewAssessment {
            client_id: input.client_id.to_string(),
            assessed_on: NaiveDate::from(input.assessed_on),
            conclusion: input.conclusion,
            restrictions: input.restrictions,
            details: input.details,
            override_reason: input.override_reason,
            expert_name: input.expert_name,
        }
    }
}

impl From<ScheduleNetworkMeetingInput> for NewMeeting {
    fn from(input: ScheduleNetworkMeetingInput) -> Self {
        NewMeeting {
            case_id: input.case_id.to_string(),
            scheduled_at: input.scheduled_at,
            location: input.location,
            officials: input
                .participant_official_ids
                .into_iter()
                .map(|i| i.to_string())
                .collect(),
            client_attends: input.client_attends,
            coach: input
                .coach
                .map(|c| (c.official_id.to_string(), c.consent_id.to_string())),
            agenda: input
                .agenda
                .into_iter()
                .map(|a| AgendaItem {
                    agency: a.agency,
                    title: a.title,
                })
                .collect(),
        }
    }
}

impl From<MeetingActionInput> for NewAction {
    fn from(a: MeetingActionInput) -> Self {
        NewAction {
            owner_agency: a.owner_agency,
            description: a.description,
            due_on: NaiveDate::from(a.due_on),
        }
    }
}

written_mutations! {
    MeetingMutations;

    /// Records a work-ability assessment (WORK_ABILITY write): the county's or Kela's own, or
    /// one the employment authority bought (naming `expertName`, without health details).
    /// A recent one (12 months, a setting) is a
    /// `CONFLICT` whose `extensions.existing` summarises it for reuse, unless
    /// `overrideReason` is given.
    #[graphql(visible = "super::visible::work_ability")]
    record_work_ability_assessment(input: RecordWorkAbilityAssessmentInput) -> AssessmentNode =
        "recordWorkAbilityAssessment", |rc| assessment::record_assessment(rc, input.into());

    /// Schedules a network meeting (verkostopalaveri) with participants and agenda.
    #[graphql(visible = "super::visible::case")]
    schedule_network_meeting(input: ScheduleNetworkMeetingInput) -> MeetingNode =
        "scheduleNetworkMeeting", |rc| meeting::schedule(rc, input.into());

    /// Records the shared record of a held meeting and the actions agreed.
    #[graphql(visible = "super::visible::case")]
    record_meeting_minutes(input: RecordMeetingMinutesInput) -> MeetingNode =
        "recordMeetingMinutes", |rc| {
            let actions = input.agreed_actions.into_iter().map(NewAction::from).collect();
            let (id, held_on) = (&input.meeting_id, input.held_on.0);
            meeting::record_minutes(rc, id, held_on, &input.shared_record, actions)
        };

    /// Writes the caller agency's own section of a meeting record (readable by that agency only).
    #[graphql(visible = "super::visible::own_group")]
    record_meeting_section(meeting_id: ID, body: String) -> MeetingNode =
        "recordMeetingSection", |rc| meeting::record_section(rc, &meeting_id, &body);

    /// Adds an agency note: own-agency by default, or shared with the case team.
    #[graphql(visible = "super::visible::own_group")]
    add_note(input: AddNoteInput) -> NoteNode = "addNote", |rc| {
        let shared = input.shared_with_case_team;
        assessment::add_note(rc, &input.client_id, &input.body, shared)
    };
}
