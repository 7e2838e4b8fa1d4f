//! The TYP path: consents, cases, plans, agreed actions, closing and follow-up.

use crate::graphql::engine::scalars::Date;
use async_graphql::{Enum, InputObject, ID};
use chrono::NaiveDate;

use super::ktt_decision::KttDecisionTermsInput;
use crate::authz::FieldGroup;
use crate::domain::calendar::RehabPeriodOutcome;
use crate::domain::employment::ServiceTrack;
use crate::domain::Agency;
use crate::graphql::types::case::{ActionNode, ConsentNode, PlanNode, TypCaseNode};
use crate::graphql::types::enums::CaseOutcome;
use crate::services::case::{self, Criterion, EndWithCase, NewCase};
use crate::services::consent::{self, NewConsent};
use crate::services::plan::{self, NewAction, NewPlan};
use crate::services::rehab::PeriodOutcome;

#[derive(Default)]
pub struct CaseMutations;

/// Why the client became a TYP client (1369/2014; a setting under 381/2023).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TypCriterion {
    /// Labour market subsidy received for 300 days.
    LabourMarketSubsidy300Days,
    /// 25 or over and continuously unemployed for 12 months.
    Unemployed12Months25Plus,
    /// Under 25 and unemployed for 6 months.
    Unemployed6MonthsUnder25,
    /// The authorities' joint assessment of the need.
    JointAssessment,
}

impl From<TypCriterion> for Criterion {
    fn from(c: TypCriterion) -> Self {
        match c {
            TypCriterion::LabourMarketSubsidy300Days => Criterion::LabourMarketSubsidy300Days,
            TypCriterion::Unemployed12Months25Plus => Criterion::Unemployed12Months25Plus,
            TypCriterion::Unemployed6MonthsUnder25 => Criterion::Unemployed6MonthsUnder25,
            TypCriterion::JointAssessment => Criterion::JointAssessment,
        }
    }
}

/// Plan kinds (date-dependent: from 2026 activation plans only for social assistance).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PlanKind {
    /// Multi-sector employment plan (monialainen työllistymissuunnitelma).
    MultiSector,
    /// Activation plan (aktivointisuunnitelma).
    Activation,
}

pub use crate::domain::outcome::FollowUpStatus;

/// Input of `recordConsent`: a disclosure consent.
#[derive(InputObject)]
pub struct RecordConsentInput {
    pub client_id: ID,
    /// The agency the data may be disclosed to.
    pub recipient_agency: Agency,
    /// The field groups the client allows to be disclosed.
    pub field_groups: Vec<FieldGroup>,
    pub given_on: Date,
    /// Last day of validity; open-ended when omitted.
    pub valid_until: Option<Date>,
}

/// Input of `openTypCase`.
#[derive(InputObject)]
pub struct OpenTypCaseInput {
    pub client_id: ID,
    pub criterion: TypCriterion,
    pub opened_on: Date,
    /// The day the client agreed to multi-agency work (recorded as a consent).
    pub client_agreed_on: Date,
    /// The responsible officer (vastuuvirkailija); the caller when omitted.
    pub responsible_official_id: Option<ID>,
    /// The service track the client is served on: the multi-sector service, or
    /// individual support (yksilöllinen tuki). Recorded on the case and counted by the
    /// reports; MULTI_SECTOR when omitted.
    #[graphql(default_with = "ServiceTrack::MultiSector")]
    pub service_track: ServiceTrack,
    /// A programme (a pilot or project) to tag the case with; it must run on `openedOn`
    /// or later.
    pub programme_id: Option<ID>,
}

/// Input of `createEmploymentPlan`.
#[derive(InputObject)]
pub struct CreateEmploymentPlanInput {
    pub case_id: ID,
    #[graphql(default_with = "PlanKind::MultiSector")]
    pub kind: PlanKind,
    pub made_on: Date,
    pub goals: String,
    /// Review date; `madeOn` plus the review interval (a setting, 6 months) when omitted.
    pub review_on: Option<Date>,
}

/// Input of `addAgreedAction`.
#[derive(InputObject)]
pub struct AddAgreedActionInput {
    pub plan_id: ID,
    /// The network meeting where the action was agreed, if any.
    pub meeting_id: Option<ID>,
    pub owner_agency: Agency,
    pub description: String,
    pub due_on: Date,
}

/// Input of `closeTypCase`. A KTT period of the client that runs after `endedOn` (or is
/// decided to start later) stops the closure with `CONFLICT` (listing, in
/// `extensions.periods`, the periods the caller reads: `id`, `startsOn`, `endsOn`) unless
/// it is named in `endRehabPeriods`.
#[derive(InputObject)]
pub struct CloseTypCaseInput {
    pub case_id: ID,
    pub outcome: CaseOutcome,
    pub ended_on: Date,
    /// The client's running or later KTT periods, ended by the same call on `endedOn` (a
    /// period not yet started: on its first day), each by its terminating decision and
    /// with its outcome (REHAB write and the power to decide on KTT).
    pub end_rehab_periods: Option<Vec<EndRehabPeriodWithCaseInput>>,
}

/// A KTT period ended with the case.
#[derive(InputObject)]
pub struct EndRehabPeriodWithCaseInput {
    pub period_id: ID,
    pub outcome: RehabPeriodOutcome,
    /// Why it ends: the decision's reasons unless `terms.reasoning` gives them; "the TYP
    /// case was closed" when both are omitted.
    pub reason: Option<String>,
    /// The terminating decision (a county decision maker's: FORBIDDEN otherwise).
    pub terms: KttDecisionTermsInput,
    /// A later KTT period of the client that follows this one.
    pub followed_by_period_id: Option<ID>,
    /// A work-ability assessment of the client that follows this period.
    pub followed_by_assessment_id: Option<ID>,
}

impl From<EndRehabPeriodWithCaseInput> for EndWithCase {
    fn from(input: EndRehabPeriodWithCaseInput) -> Self {
        EndWithCase {
            period_id: input.period_id.0,
            reason: input.reason,
            decided: input.terms.into(),
            outcome: PeriodOutcome {
                outcome: input.outcome,
                followed_by_period_id: input.followed_by_period_id.map(|i| i.0),
                followed_by_assessment_id: input.followed_by_assessment_id.map(|i| i.0),
            },
        }
    }
}

/// Input of `recordCaseFollowUp`.
#[derive(InputObject)]
pub struct RecordCaseFollowUpInput {
    pub case_id: ID,
    /// 3, 6 or 12.
    pub months_after: i32,
    pub status: FollowUpStatus,
    pub recorded_on: Date,
}

impl From<RecordConsentInput> for NewConsent {
    fn from(input: RecordConsentInput) -> Self {
        NewConsent {
            client_id: input.client_id.to_string(),
            recipient_agency: input.recipient_agency,
            field_groups: input.field_groups,
            given_on: NaiveDate::from(input.given_on),
            valid_until: input.valid_until.map(NaiveDate::from),
        }
    }
}

impl From<OpenTypCaseInput> for NewCase {
    fn from(input: OpenTypCaseInput) -> Self {
        NewCase {
            client_id: input.client_id.to_string(),
            criterion: input.criterion.into(),
            opened_on: NaiveDate::from(input.opened_on),
            client_agreed_on: NaiveDate::from(input.client_agreed_on),
            responsible_official_id: input.responsible_official_id.map(|i| i.to_string()),
            service_track: input.service_track,
            programme_id: input.programme_id.map(|i| i.to_string()),
        }
    }
}

impl From<CreateEmploymentPlanInput> for NewPlan {
    fn from(input: CreateEmploymentPlanInput) -> Self {
        NewPlan {
            case_id: input.case_id.to_string(),
            activation: input.kind == PlanKind::Activation,
            made_on: NaiveDate::from(input.made_on),
            goals: input.goals,
            review_on: input.review_on.map(NaiveDate::from),
        }
    }
}

impl From<AddAgreedActionInput> for NewAction {
    fn from(input: AddAgreedActionInput) -> Self {
        NewAction {
            plan_id: input.plan_id.to_string(),
            meeting_id: input.meeting_id.map(|m| m.to_string()),
            owner_agency: input.owner_agency,
            description: input.description,
            due_on: NaiveDate::from(input.due_on),
        }
    }
}

written_mutations! {
    CaseMutations;

    /// Records a consent to disclose the named field groups to an agency (CASE write).
    #[graphql(visible = "super::visible::case")]
    record_consent(input: RecordConsentInput) -> ConsentNode = "recordConsent",
        |rc| consent::record_consent(rc, input.into());

    /// Withdraws a consent from today: it no longer discloses anything on the next read.
    #[graphql(visible = "super::visible::case")]
    withdraw_consent(consent_id: ID) -> ConsentNode = "withdrawConsent",
        |rc| consent::withdraw_consent(rc, &consent_id);

    /// Opens a TYP case; the mapping period (kartoitusjakso) starts.
    #[graphql(visible = "super::visible::case")]
    open_typ_case(input: OpenTypCaseInput) -> TypCaseNode = "openTypCase",
        |rc| case::open_case(rc, input.into());

    /// Changes the responsible officer of an open case.
    #[graphql(visible = "super::visible::case")]
    assign_responsible_officer(case_id: ID, official_id: ID) -> TypCaseNode =
        "assignResponsibleOfficer", |rc| case::assign_officer(rc, &case_id, &official_id);

    /// Makes the case's plan (a new version replaces the current one as the case's plan).
    #[graphql(visible = "super::visible::case")]
    create_employment_plan(input: CreateEmploymentPlanInput) -> PlanNode =
        "createEmploymentPlan", |rc| plan::create_plan(rc, input.into());

    /// Adds an agreed action to a plan, owned by one agency.
    #[graphql(visible = "super::visible::case")]
    add_agreed_action(input: AddAgreedActionInput) -> ActionNode = "addAgreedAction",
        |rc| plan::add_action(rc, input.into());

    /// Marks an agreed action done today.
    #[graphql(visible = "super::visible::case")]
    complete_agreed_action(id: ID) -> ActionNode = "completeAgreedAction",
        |rc| plan::complete_action(rc, &id);

    /// Closes a case with its outcome and end date. `CONFLICT` while a KTT period of the
    /// client runs after the end date, unless the same call ends it (`endRehabPeriods`).
    #[graphql(visible = "super::visible::case")]
    close_typ_case(input: CloseTypCaseInput) -> TypCaseNode = "closeTypCase", |rc| {
            let ends = input.end_rehab_periods.unwrap_or_default();
            let ends = ends.into_iter().map(EndWithCase::from).collect();
            case::close_case(rc, &input.case_id, input.outcome, input.ended_on.0, ends)
        };

    /// Records labour-market status 3, 6 or 12 months after closing; returns the case.
    #[graphql(visible = "super::visible::case")]
    record_case_follow_up(input: RecordCaseFollowUpInput) -> TypCaseNode =
        "recordCaseFollowUp", |rc| {
            let (months, at) = (input.months_after, input.recorded_on.0);
            case::record_follow_up(rc, &input.case_id, months, input.status, at)
        };
}
