//! The list of every client-data field of the schema and its field group.
//!
//! This table is the one source for three things: the `@fieldGroup` directive on each field
//! in `schema.graphql`, the per-role field masks compiled from the casbin policy, and the
//! introspection visibility of each field. A test checks that the schema and this table agree.

use super::FieldGroup;
use super::FieldGroup::*;

/// How a field's group is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupRule {
    /// The field always belongs to this group.
    Fixed(FieldGroup),
    /// An agency's own record (agency notes, own meeting sections): the authoring agency's
    /// group (SOCIAL for the county, EMPLOYMENT for the employment authority, BENEFIT for
    /// Kela), or CASE when shared with the case team. The schema shows the shared group.
    AgencyOwn,
}

/// Static facts of one client-data field.
#[derive(Debug, Clone, Copy)]
pub struct FieldMeta {
    pub type_name: &'static str,
    pub field_name: &'static str,
    pub rule: GroupRule,
}

impl FieldMeta {
    /// The group written into the schema and used for introspection visibility.
    pub fn declared_group(&self) -> FieldGroup {
        match self.rule {
            GroupRule::Fixed(g) => g,
            GroupRule::AgencyOwn => Case,
        }
    }

    /// The casbin object of this field: `GROUP/Type.field`.
    pub fn object(&self) -> String {
        format!(
            "{}/{}.{}",
            self.declared_group().code(),
            self.type_name,
            self.field_name
        )
    }
}

macro_rules! client_fields {
    ($($id:ident, $vis:ident, $ty:literal, $field:literal, $rule:expr;)*) => {
        /// Every client-data field of the schema.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum FieldId { $($id),* }

        impl FieldId {
            pub const ALL: &'static [FieldId] = &[$(FieldId::$id),*];

            pub fn meta(self) -> FieldMeta {
                match self {
                    $(FieldId::$id => FieldMeta { type_name: $ty, field_name: $field, rule: $rule }),*
                }
            }

            pub fn index(self) -> usize {
                self as usize
            }
        }

        /// Introspection visibility of each field, for `#[graphql(visible = ...)]`.
        #[allow(non_snake_case)]
        pub mod visible {
            use async_graphql::Context;
            $(pub fn $vis(ctx: &Context<'_>) -> bool {
                super::super::may_see(ctx, super::FieldId::$id)
            })*
        }
    };
}

const OWN: GroupRule = GroupRule::AgencyOwn;
const fn f(g: FieldGroup) -> GroupRule {
    GroupRule::Fixed(g)
}

client_fields! {
    ClientPersonalIdentityCode, client_personal_identity_code, "Client", "personalIdentityCode", f(Identity);
    ClientFirstName, client_first_name, "Client", "firstName", f(Contact);
    ClientLastName, client_last_name, "Client", "lastName", f(Contact);
    ClientPhone, client_phone, "Client", "phone", f(Contact);
    ClientEmail, client_email, "Client", "email", f(Contact);
    ClientStreetAddress, client_street_address, "Client", "streetAddress", f(Contact);
    ClientPostalCode, client_postal_code, "Client", "postalCode", f(Contact);
    ClientMunicipality, client_municipality, "Client", "municipality", f(Contact);
    ClientLanguage, client_language, "Client", "language", f(Contact);
    ClientVersion, client_version, "Client", "version", f(Contact);
    ClientCases, client_cases, "Client", "cases", f(Case);

    TypCasePhase, typ_case_phase, "TypCase", "phase", f(Case);
    TypCaseCriterion, typ_case_criterion, "TypCase", "criterion", f(Case);
    TypCaseOpenedOn, typ_case_opened_on, "TypCase", "openedOn", f(Case);
    TypCaseMappingDeadline, typ_case_mapping_deadline, "TypCase", "mappingDeadline", f(Case);
    TypCaseEndedOn, typ_case_ended_on, "TypCase", "endedOn", f(Case);
    TypCaseOutcome, typ_case_outcome, "TypCase", "outcome", f(Case);
    TypCaseAgreementWithdrawnOn, typ_case_agreement_withdrawn_on, "TypCase", "agreementWithdrawnOn", f(Case);
    TypCaseResponsibleAgency, typ_case_responsible_agency, "TypCase", "responsibleAgency", f(Case);
    TypCaseResponsibleOfficer, typ_case_responsible_officer, "TypCase", "responsibleOfficer", f(Case);
    TypCaseSpecialArrangements, typ_case_special_arrangements, "TypCase", "specialArrangements", f(Case);
    TypCaseEducationHistory, typ_case_education_history, "TypCase", "educationHistory", f(Case);
    TypCaseWorkHistory, typ_case_work_history, "TypCase", "workHistory", f(Case);
    TypCaseFollowUps, typ_case_follow_ups, "TypCase", "followUps", f(Case);

    FollowUpMonthsAfter, follow_up_months_after, "CaseFollowUp", "monthsAfter", f(Case);
    FollowUpStatus, follow_up_status, "CaseFollowUp", "status", f(Case);
    FollowUpRecordedOn, follow_up_recorded_on, "CaseFollowUp", "recordedOn", f(Case);

    ConsentKind, consent_kind, "Consent", "kind", f(Case);
    ConsentRecipientAgency, consent_recipient_agency, "Consent", "recipientAgency", f(Case);
    ConsentFieldGroups, consent_field_groups, "Consent", "fieldGroups", f(Case);
    ConsentGivenOn, consent_given_on, "Consent", "givenOn", f(Case);
    ConsentValidUntil, consent_valid_until, "Consent", "validUntil", f(Case);
    ConsentWithdrawnOn, consent_withdrawn_on, "Consent", "withdrawnOn", f(Case);
    ConsentInForce, consent_in_force, "Consent", "inForce", f(Case);

    PlanKind, plan_kind, "EmploymentPlan", "kind", f(Case);
    PlanMadeOn, plan_made_on, "EmploymentPlan", "madeOn", f(Case);
    PlanGoals, plan_goals, "EmploymentPlan", "goals", f(Case);
    PlanReviewOn, plan_review_on, "EmploymentPlan", "reviewOn", f(Case);
    PlanReviewOverdue, plan_review_overdue, "EmploymentPlan", "reviewOverdue", f(Case);
    PlanActions, plan_actions, "EmploymentPlan", "agreedActions", f(Case);

    ActionOwnerAgency, action_owner_agency, "AgreedAction", "ownerAgency", f(Case);
    ActionDescription, action_description, "AgreedAction", "description", f(Case);
    ActionDueOn, action_due_on, "AgreedAction", "dueOn", f(Case);
    ActionCompletedOn, action_completed_on, "AgreedAction", "completedOn", f(Case);
    ActionOverdue, action_overdue, "AgreedAction", "overdue", f(Case);

    RehabProvider, rehab_provider, "RehabPeriod", "provider", f(Rehab);
    RehabDecisionNumber, rehab_decision_number, "RehabPeriod", "decisionNumber", f(Rehab);
    RehabDecidedOn, rehab_decided_on, "RehabPeriod", "decidedOn", f(Rehab);
    RehabStartsOn, rehab_starts_on, "RehabPeriod", "startsOn", f(Rehab);
    RehabEndsOn, rehab_ends_on, "RehabPeriod", "endsOn", f(Rehab);
    RehabDaysPerWeek, rehab_days_per_week, "RehabPeriod", "daysPerWeek", f(Rehab);
    RehabHoursPerDay, rehab_hours_per_day, "RehabPeriod", "hoursPerDay", f(Rehab);
    RehabGoal, rehab_goal, "RehabPeriod", "goal", f(Rehab);
    RehabSupportNeeds, rehab_support_needs, "RehabPeriod", "supportNeeds", f(Rehab);
    RehabTravelDistanceKm, rehab_travel_distance_km, "RehabPeriod", "travelDistanceKm", f(Rehab);
    RehabEndedEarlyOn, rehab_ended_early_on, "RehabPeriod", "endedEarlyOn", f(Rehab);
    RehabEndReason, rehab_end_reason, "RehabPeriod", "endReason", f(Rehab);
    RehabInterruptions, rehab_interruptions, "RehabPeriod", "interruptions", f(Rehab);
    RehabAttendance, rehab_attendance, "RehabPeriod", "attendance", f(Attendance);

    InterruptionStartsOn, interruption_starts_on, "RehabInterruption", "startsOn", f(Rehab);
    InterruptionEndsOn, interruption_ends_on, "RehabInterruption", "endsOn", f(Rehab);
    InterruptionReason, interruption_reason, "RehabInterruption", "reason", f(Rehab);
    RehabAllowance, rehab_allowance, "RehabPeriod", "allowance", f(Allowance);

    AttendanceDate, attendance_date, "AttendanceDay", "date", f(Attendance);
    AttendancePresent, attendance_present, "AttendanceDay", "present", f(Attendance);
    AttendanceAbsenceReason, attendance_absence_reason, "AttendanceDay", "absenceReason", f(Attendance);

    AllowanceParticipationDays, allowance_participation_days, "AllowanceSummary", "participationDays", f(Allowance);
    AllowanceExpenseCents, allowance_expense_cents, "AllowanceSummary", "expenseAllowanceCents", f(Allowance);
    AllowanceTravelCents, allowance_travel_cents, "AllowanceSummary", "travelCompensationCents", f(Allowance);

    AssessmentAssessedOn, assessment_assessed_on, "WorkAbilityAssessment", "assessedOn", f(WorkAbility);
    AssessmentAssessorAgency, assessment_assessor_agency, "WorkAbilityAssessment", "assessorAgency", f(WorkAbility);
    AssessmentConclusion, assessment_conclusion, "WorkAbilityAssessment", "conclusion", f(WorkAbility);
    AssessmentRestrictions, assessment_restrictions, "WorkAbilityAssessment", "restrictions", f(WorkAbility);
    AssessmentDetails, assessment_details, "WorkAbilityAssessment", "details", f(Health);

    BenefitAgency, benefit_agency, "BenefitDecision", "agency", f(Benefit);
    BenefitKind, benefit_kind, "BenefitDecision", "benefitKind", f(Benefit);
    BenefitStatus, benefit_status, "BenefitDecision", "status", f(Benefit);
    BenefitDecidedOn, benefit_decided_on, "BenefitDecision", "decidedOn", f(Benefit);
    BenefitValidFrom, benefit_valid_from, "BenefitDecision", "validFrom", f(Benefit);
    BenefitValidUntil, benefit_valid_until, "BenefitDecision", "validUntil", f(Benefit);

    StatementIssuedOn, statement_issued_on, "LabourPolicyStatement", "issuedOn", f(Benefit);
    StatementKind, statement_kind, "LabourPolicyStatement", "kind", f(Benefit);
    StatementContent, statement_content, "LabourPolicyStatement", "content", f(Benefit);

    EmploymentItemKind, employment_item_kind, "EmploymentItem", "kind", f(Employment);
    EmploymentItemDescription, employment_item_description, "EmploymentItem", "description", f(Employment);
    EmploymentItemDueOn, employment_item_due_on, "EmploymentItem", "dueOn", f(Employment);

    CoachingKind, coaching_kind, "JobCoaching", "kind", f(Employment);
    CoachingHours, coaching_hours, "JobCoaching", "hours", f(Employment);
    CoachingStartsOn, coaching_starts_on, "JobCoaching", "startsOn", f(Employment);
    CoachingEndsOn, coaching_ends_on, "JobCoaching", "endsOn", f(Employment);

    MeetingScheduledAt, meeting_scheduled_at, "NetworkMeeting", "scheduledAt", f(Case);
    MeetingStatus, meeting_status, "NetworkMeeting", "status", f(Case);
    MeetingLocation, meeting_location, "NetworkMeeting", "location", f(Case);
    MeetingHeldOn, meeting_held_on, "NetworkMeeting", "heldOn", f(Case);
    MeetingSharedRecord, meeting_shared_record, "NetworkMeeting", "sharedRecord", f(Case);
    MeetingParticipants, meeting_participants, "NetworkMeeting", "participants", f(Case);
    MeetingAgenda, meeting_agenda, "NetworkMeeting", "agenda", f(Case);
    MeetingActions, meeting_actions, "NetworkMeeting", "agreedActions", f(Case);
    AgendaAgency, agenda_agency, "AgendaItem", "agency", f(Case);
    AgendaPosition, agenda_position, "AgendaItem", "position", f(Case);
    AgendaTitle, agenda_title, "AgendaItem", "title", f(Case);
    MeetingOwnSections, meeting_own_sections, "NetworkMeeting", "agencySections", OWN;

    SectionAgency, section_agency, "MeetingAgencySection", "agency", OWN;
    SectionBody, section_body, "MeetingAgencySection", "body", OWN;

    NoteAgency, note_agency, "AgencyNote", "agency", OWN;
    NoteShared, note_shared, "AgencyNote", "sharedWithCaseTeam", OWN;
    NoteBody, note_body, "AgencyNote", "body", OWN;
    NoteCreatedAt, note_created_at, "AgencyNote", "createdAt", OWN;

    CaseViewTypCase, case_view_typ_case, "CaseView", "typCase", f(Case);
    CaseViewConsents, case_view_consents, "CaseView", "consents", f(Case);
    CaseViewPlan, case_view_plan, "CaseView", "plan", f(Case);
    CaseViewRehabPeriods, case_view_rehab_periods, "CaseView", "rehabPeriods", f(Rehab);
    CaseViewAssessments, case_view_assessments, "CaseView", "workAbilityAssessments", f(WorkAbility);
    CaseViewBenefits, case_view_benefits, "CaseView", "benefits", f(Benefit);
    CaseViewStatements, case_view_statements, "CaseView", "labourPolicyStatements", f(Benefit);
    CaseViewEmploymentItems, case_view_employment_items, "CaseView", "employmentItems", f(Employment);
    CaseViewJobCoachings, case_view_job_coachings, "CaseView", "jobCoachings", f(Employment);
    CaseViewMeetings, case_view_meetings, "CaseView", "meetings", f(Case);
    CaseViewNotes, case_view_notes, "CaseView", "notes", OWN;
    CaseViewReferrals, case_view_referrals, "CaseView", "referrals", f(Case);
    BriefOpenReferrals, brief_open_referrals, "MeetingBrief", "openReferrals", f(Case);

    ReferralFromAgency, referral_from_agency, "Referral", "fromAgency", f(Case);
    ReferralToAgency, referral_to_agency, "Referral", "toAgency", f(Case);
    ReferralService, referral_service, "Referral", "service", f(Case);
    ReferralReason, referral_reason, "Referral", "reason", f(Case);
    ReferralStatus, referral_status, "Referral", "status", f(Case);
    ReferralSentOn, referral_sent_on, "Referral", "sentOn", f(Case);
    ReferralAnsweredOn, referral_answered_on, "Referral", "answeredOn", f(Case);
    ReferralDueOn, referral_due_on, "Referral", "dueOn", f(Case);
    ReferralOverdue, referral_overdue, "Referral", "overdue", f(Case);
    ReferralDeclineReason, referral_decline_reason, "Referral", "declineReason", f(Case);
    ReferralOutcome, referral_outcome, "Referral", "outcome", f(Case);
    ReferralDoneOn, referral_done_on, "Referral", "doneOn", f(Case);

    BriefPreviousMeetingOn, brief_previous_meeting_on, "MeetingBrief", "previousMeetingOn", f(Case);
    BriefOpenActions, brief_open_actions, "AgencyBrief", "openActions", f(Case);
    BriefOverdueActions, brief_overdue_actions, "AgencyBrief", "overdueActions", f(Case);
    BriefCompletedActions, brief_completed_actions, "AgencyBrief", "actionsCompletedSinceLastMeeting", f(Case);
    BriefNewAssessments, brief_new_assessments, "AgencyBrief", "assessmentsSinceLastMeeting", f(WorkAbility);
    BriefNewBenefits, brief_new_benefits, "AgencyBrief", "benefitDecisionsSinceLastMeeting", f(Benefit);
    BriefUpcomingPeriodEnds, brief_upcoming_period_ends, "AgencyBrief", "upcomingPeriodEnds", f(Rehab);
    BriefUpcomingReviews, brief_upcoming_reviews, "AgencyBrief", "upcomingPlanReviews", f(Case);

    LogAt, log_at, "AccessLogEntry", "at", f(Audit);
    LogOfficialId, log_official_id, "AccessLogEntry", "officialId", f(Audit);
    LogAgency, log_agency, "AccessLogEntry", "agency", f(Audit);
    LogRoles, log_roles, "AccessLogEntry", "roles", f(Audit);
    LogAction, log_action, "AccessLogEntry", "action", f(Audit);
    LogFields, log_fields, "AccessLogEntry", "fields", f(Audit);
    LogOperation, log_operation, "AccessLogEntry", "operation", f(Audit);
    LogDisclosures, log_disclosures, "AccessLogEntry", "disclosures", f(Audit);
    LogBreakGlass, log_break_glass, "AccessLogEntry", "breakGlassId", f(Audit);
}
