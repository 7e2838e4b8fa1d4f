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
    ($($id:ident, $ty:literal, $field:literal, $rule:expr;)*) => {
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

        /// Introspection visibility of each field, named as the field: the `visible` option
        /// of the resolvers `#[guarded]` generates.
        #[allow(non_snake_case)]
        pub mod visible {
            use async_graphql::Context;
            $(pub fn $id(ctx: &Context<'_>) -> bool {
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
    ClientPersonalIdentityCode, "Client", "personalIdentityCode", f(Identity);
    ClientFirstName, "Client", "firstName", f(Contact);
    ClientLastName, "Client", "lastName", f(Contact);
    ClientPhone, "Client", "phone", f(Contact);
    ClientEmail, "Client", "email", f(Contact);
    ClientStreetAddress, "Client", "streetAddress", f(Contact);
    ClientPostalCode, "Client", "postalCode", f(Contact);
    ClientMunicipality, "Client", "municipality", f(Contact);
    ClientLanguage, "Client", "language", f(Contact);
    ClientVersion, "Client", "version", f(Contact);
    ClientTemporaryIdentity, "Client", "temporaryIdentity", f(Identity);
    ClientCases, "Client", "cases", f(Case);

    TypCasePhase, "TypCase", "phase", f(Case);
    TypCaseCriterion, "TypCase", "criterion", f(Case);
    TypCaseOpenedOn, "TypCase", "openedOn", f(Case);
    TypCaseMappingDeadline, "TypCase", "mappingDeadline", f(Case);
    TypCaseEndedOn, "TypCase", "endedOn", f(Case);
    TypCaseOutcome, "TypCase", "outcome", f(Case);
    TypCaseAgreementWithdrawnOn, "TypCase", "agreementWithdrawnOn", f(Case);
    TypCaseResponsibleAgency, "TypCase", "responsibleAgency", f(Case);
    TypCaseResponsibleOfficer, "TypCase", "responsibleOfficer", f(Case);
    TypCaseSpecialArrangements, "TypCase", "specialArrangements", f(Case);
    TypCaseEducationHistory, "TypCase", "educationHistory", f(Case);
    TypCaseWorkHistory, "TypCase", "workHistory", f(Case);
    TypCaseFollowUps, "TypCase", "followUps", f(Case);
    TypCaseServiceTrack, "TypCase", "serviceTrack", f(Case);
    TypCaseProgramme, "TypCase", "programme", f(Case);

    FollowUpMonthsAfter, "CaseFollowUp", "monthsAfter", f(Case);
    FollowUpStatus, "CaseFollowUp", "status", f(Case);
    FollowUpRecordedOn, "CaseFollowUp", "recordedOn", f(Case);

    ConsentKind, "Consent", "kind", f(Case);
    ConsentRecipientAgency, "Consent", "recipientAgency", f(Case);
    ConsentFieldGroups, "Consent", "fieldGroups", f(Case);
    ConsentGivenOn, "Consent", "givenOn", f(Case);
    ConsentValidUntil, "Consent", "validUntil", f(Case);
    ConsentWithdrawnOn, "Consent", "withdrawnOn", f(Case);
    ConsentInForce, "Consent", "inForce", f(Case);

    PlanKind, "EmploymentPlan", "kind", f(Case);
    PlanMadeOn, "EmploymentPlan", "madeOn", f(Case);
    PlanGoals, "EmploymentPlan", "goals", f(Case);
    PlanReviewOn, "EmploymentPlan", "reviewOn", f(Case);
    PlanReviewOverdue, "EmploymentPlan", "reviewOverdue", f(Case);
    PlanActions, "EmploymentPlan", "agreedActions", f(Case);

    ActionOwnerAgency, "AgreedAction", "ownerAgency", f(Case);
    ActionDescription, "AgreedAction", "description", f(Case);
    ActionDueOn, "AgreedAction", "dueOn", f(Case);
    ActionCompletedOn, "AgreedAction", "completedOn", f(Case);
    ActionOverdue, "AgreedAction", "overdue", f(Case);

    RehabProvider, "RehabPeriod", "provider", f(Rehab);
    RehabDecisionNumber, "RehabPeriod", "decisionNumber", f(Rehab);
    RehabDecidedOn, "RehabPeriod", "decidedOn", f(Rehab);
    RehabStartsOn, "RehabPeriod", "startsOn", f(Rehab);
    RehabEndsOn, "RehabPeriod", "endsOn", f(Rehab);
    RehabDaysPerWeek, "RehabPeriod", "daysPerWeek", f(Rehab);
    RehabHoursPerDay, "RehabPeriod", "hoursPerDay", f(Rehab);
    RehabGoal, "RehabPeriod", "goal", f(Rehab);
    RehabSupportNeeds, "RehabPeriod", "supportNeeds", f(Rehab);
    RehabTravelDistanceKm, "RehabPeriod", "travelDistanceKm", f(Rehab);
    RehabTravelFareCents, "RehabPeriod", "travelFareCents", f(Rehab);
    RehabTravelTicketCentsMonth, "RehabPeriod", "travelTicketCentsMonth", f(Rehab);
    RehabEndedEarlyOn, "RehabPeriod", "endedEarlyOn", f(Rehab);
    RehabEndReason, "RehabPeriod", "endReason", f(Rehab);
    RehabWeekdays, "RehabPeriod", "weekdays", f(Rehab);
    RehabAllowedExceptions, "RehabPeriod", "allowedExceptions", f(Rehab);
    RehabOutcome, "RehabPeriod", "outcome", f(Rehab);
    RehabFollowedByPeriodId, "RehabPeriod", "followedByPeriodId", f(Rehab);
    RehabFollowedByAssessmentId, "RehabPeriod", "followedByAssessmentId", f(Rehab);
    RehabInterruptions, "RehabPeriod", "interruptions", f(Rehab);
    RehabAttendance, "RehabPeriod", "attendance", f(Attendance);

    InterruptionStartsOn, "RehabInterruption", "startsOn", f(Rehab);
    InterruptionEndsOn, "RehabInterruption", "endsOn", f(Rehab);
    InterruptionReason, "RehabInterruption", "reason", f(Rehab);
    RehabAllowance, "RehabPeriod", "allowance", f(Allowance);

    AttendanceDate, "AttendanceDay", "date", f(Attendance);
    AttendancePresent, "AttendanceDay", "present", f(Attendance);
    AttendanceAbsenceReason, "AttendanceDay", "absenceReason", f(Attendance);
    AttendanceExceptionReason, "AttendanceDay", "exceptionReason", f(Attendance);
    AttendanceVoidedAt, "AttendanceDay", "voidedAt", f(Attendance);
    AttendanceVoidReason, "AttendanceDay", "voidReason", f(Attendance);

    AllowanceParticipationDays, "AllowanceSummary", "participationDays", f(Allowance);
    AllowanceExpenseCents, "AllowanceSummary", "expenseAllowanceCents", f(Allowance);
    AllowanceTravelCents, "AllowanceSummary", "travelCompensationCents", f(Allowance);
    AllowanceLines, "AllowanceSummary", "lines", f(Allowance);
    AllowanceLineKind, "AllowanceLine", "kind", f(Allowance);
    AllowanceLinePayer, "AllowanceLine", "payer", f(Allowance);
    AllowanceLineFundName, "AllowanceLine", "fundName", f(Allowance);
    AllowanceLineDays, "AllowanceLine", "days", f(Allowance);
    AllowanceLineAmountCents, "AllowanceLine", "amountCents", f(Allowance);

    AssessmentAssessedOn, "WorkAbilityAssessment", "assessedOn", f(WorkAbility);
    AssessmentAssessorAgency, "WorkAbilityAssessment", "assessorAgency", f(WorkAbility);
    AssessmentConclusion, "WorkAbilityAssessment", "conclusion", f(WorkAbility);
    AssessmentRestrictions, "WorkAbilityAssessment", "restrictions", f(WorkAbility);
    AssessmentDetails, "WorkAbilityAssessment", "details", f(Health);
    AssessmentExpertName, "WorkAbilityAssessment", "expertName", f(WorkAbility);

    BenefitAgency, "BenefitDecision", "agency", f(Benefit);
    BenefitKind, "BenefitDecision", "benefitKind", f(Benefit);
    BenefitStatus, "BenefitDecision", "status", f(Benefit);
    BenefitDecidedOn, "BenefitDecision", "decidedOn", f(Benefit);
    BenefitValidFrom, "BenefitDecision", "validFrom", f(Benefit);
    BenefitValidUntil, "BenefitDecision", "validUntil", f(Benefit);
    BenefitStatusChangedOn, "BenefitDecision", "statusChangedOn", f(Benefit);

    BenefitStatusKind, "BenefitStatus", "kind", f(Benefit);
    BenefitStatusFundName, "BenefitStatus", "fundName", f(Benefit);
    BenefitStatusValidFrom, "BenefitStatus", "validFrom", f(Benefit);
    BenefitStatusValidTo, "BenefitStatus", "validTo", f(Benefit);
    SocialAssistanceValidFrom, "SocialAssistanceStatus", "validFrom", f(Social);
    SocialAssistanceValidTo, "SocialAssistanceStatus", "validTo", f(Social);

    StatementIssuedOn, "LabourPolicyStatement", "issuedOn", f(Benefit);
    StatementKind, "LabourPolicyStatement", "kind", f(Benefit);
    StatementContent, "LabourPolicyStatement", "content", f(Benefit);
    StatementRecipient, "LabourPolicyStatement", "recipient", f(Benefit);
    StatementFundName, "LabourPolicyStatement", "fundName", f(Benefit);

    EmploymentItemKind, "EmploymentItem", "kind", f(Employment);
    EmploymentItemDescription, "EmploymentItem", "description", f(Employment);
    EmploymentItemDueOn, "EmploymentItem", "dueOn", f(Employment);
    EmploymentItemFollowUpStatus, "EmploymentItem", "followUpStatus", f(Employment);
    EmploymentItemFollowedUpOn, "EmploymentItem", "followedUpOn", f(Employment);
    EmploymentItemFollowUpNote, "EmploymentItem", "followUpNote", f(Employment);
    EmploymentItemNewDueOn, "EmploymentItem", "newDueOn", f(Employment);
    EmploymentItemFollowUpCorrected, "EmploymentItem", "followUpCorrected", f(Employment);

    CoachingKind, "JobCoaching", "kind", f(Coaching);
    CoachingHours, "JobCoaching", "hours", f(Coaching);
    CoachingHoursUsed, "JobCoaching", "hoursUsed", f(Coaching);
    CoachingStartsOn, "JobCoaching", "startsOn", f(Coaching);
    CoachingEndsOn, "JobCoaching", "endsOn", f(Coaching);
    CoachingOrderedBy, "JobCoaching", "orderedBy", f(Coaching);
    CoachingProvider, "JobCoaching", "providerId", f(Coaching);
    CoachingVoucherId, "JobCoaching", "voucherId", f(Coaching);

    CoachingCapHours, "TeCoachingHours", "capHours", f(Coaching);
    CoachingCapBought, "TeCoachingHours", "boughtHours", f(Coaching);
    CoachingCapUsed, "TeCoachingHours", "usedHours", f(Coaching);
    CoachingCapLeft, "TeCoachingHours", "hoursLeft", f(Coaching);

    VoucherKind, "ServiceVoucher", "kind", f(Coaching);
    VoucherUnit, "ServiceVoucher", "unit", f(Coaching);
    VoucherValueCents, "ServiceVoucher", "valueCents", f(Coaching);
    VoucherQuantity, "ServiceVoucher", "quantity", f(Coaching);
    VoucherValidFrom, "ServiceVoucher", "validFrom", f(Coaching);
    VoucherValidUntil, "ServiceVoucher", "validUntil", f(Coaching);
    VoucherStatus, "ServiceVoucher", "status", f(Coaching);
    VoucherGrantedOn, "ServiceVoucher", "grantedOn", f(Coaching);
    VoucherProvider, "ServiceVoucher", "providerId", f(Coaching);
    VoucherChosenOn, "ServiceVoucher", "chosenOn", f(Coaching);
    VoucherAnsweredOn, "ServiceVoucher", "answeredOn", f(Coaching);
    VoucherDeclineReason, "ServiceVoucher", "declineReason", f(Coaching);
    VoucherPeriodId, "ServiceVoucher", "periodId", f(Coaching);
    VoucherUsed, "ServiceVoucher", "used", f(Coaching);
    VoucherRemaining, "ServiceVoucher", "remaining", f(Coaching);
    VoucherClientName, "ServiceVoucher", "clientName", f(Contact);

    CompetencePeriodId, "CompetenceRecord", "periodId", f(Competence);
    CompetenceQualification, "CompetenceRecord", "qualification", f(Competence);
    CompetenceQualificationUnit, "CompetenceRecord", "qualificationUnit", f(Competence);
    CompetenceAreas, "CompetenceRecord", "competenceAreas", f(Competence);
    CompetenceEducationProvider, "CompetenceRecord", "educationProvider", f(Competence);
    CompetenceCertifiedOn, "CompetenceRecord", "certifiedOn", f(Competence);
    RehabCompetenceRecords, "RehabPeriod", "competenceRecords", f(Competence);
    CaseViewCompetenceRecords, "CaseView", "competenceRecords", f(Competence);
    BriefCompetenceRecords, "MeetingBrief", "competenceRecords", f(Competence);
    CoachingProgramme, "JobCoaching", "programme", f(Coaching);

    PaySubsidyEmployer, "PaySubsidy", "employer", f(Employment);
    PaySubsidyStartsOn, "PaySubsidy", "startsOn", f(Employment);
    PaySubsidyEndsOn, "PaySubsidy", "subsidyEndsOn", f(Employment);
    PaySubsidyHoursPerWeek, "PaySubsidy", "hoursPerWeek", f(Employment);
    PaySubsidyCoaching, "PaySubsidy", "walkAlongsideCoachingId", f(Employment);
    PaySubsidyEndedOn, "PaySubsidy", "endedOn", f(Employment);
    PaySubsidyFollowedBy, "PaySubsidy", "followedBy", f(Employment);

    MeetingScheduledAt, "NetworkMeeting", "scheduledAt", f(Case);
    MeetingStatus, "NetworkMeeting", "status", f(Case);
    MeetingLocation, "NetworkMeeting", "location", f(Case);
    MeetingHeldOn, "NetworkMeeting", "heldOn", f(Case);
    MeetingSharedRecord, "NetworkMeeting", "sharedRecord", f(Case);
    MeetingParticipants, "NetworkMeeting", "participants", f(Case);
    MeetingAgenda, "NetworkMeeting", "agenda", f(Case);
    MeetingActions, "NetworkMeeting", "agreedActions", f(Case);
    AgendaAgency, "AgendaItem", "agency", f(Case);
    AgendaPosition, "AgendaItem", "position", f(Case);
    AgendaTitle, "AgendaItem", "title", f(Case);
    MeetingOwnSections, "NetworkMeeting", "agencySections", OWN;

    SectionAgency, "MeetingAgencySection", "agency", OWN;
    SectionBody, "MeetingAgencySection", "body", OWN;

    NoteAgency, "AgencyNote", "agency", OWN;
    NoteShared, "AgencyNote", "sharedWithCaseTeam", OWN;
    NoteBody, "AgencyNote", "body", OWN;
    NoteCreatedAt, "AgencyNote", "createdAt", OWN;

    CaseViewTypCase, "CaseView", "typCase", f(Case);
    CaseViewConsents, "CaseView", "consents", f(Case);
    CaseViewPlan, "CaseView", "plan", f(Case);
    CaseViewRehabPeriods, "CaseView", "rehabPeriods", f(Rehab);
    CaseViewAssessments, "CaseView", "workAbilityAssessments", f(WorkAbility);
    CaseViewBenefits, "CaseView", "benefits", f(Benefit);
    CaseViewStatements, "CaseView", "labourPolicyStatements", f(Benefit);
    CaseViewBenefitStatuses, "CaseView", "benefitStatuses", f(Benefit);
    CaseViewSocialAssistance, "CaseView", "socialAssistance", f(Social);
    CaseViewEmploymentItems, "CaseView", "employmentItems", f(Employment);
    CaseViewJobCoachings, "CaseView", "jobCoachings", f(Coaching);
    CaseViewTeCoachingHours, "CaseView", "teCoachingHours", f(Coaching);
    CaseViewVouchers, "CaseView", "serviceVouchers", f(Coaching);
    CaseViewPaySubsidies, "CaseView", "paySubsidies", f(Employment);
    CaseViewMeetings, "CaseView", "meetings", f(Case);
    CaseViewNotes, "CaseView", "notes", OWN;
    CaseViewReferrals, "CaseView", "referrals", f(Case);
    BriefOpenReferrals, "MeetingBrief", "openReferrals", f(Case);

    ReferralFromAgency, "Referral", "fromAgency", f(Case);
    ReferralToAgency, "Referral", "toAgency", f(Case);
    ReferralKind, "Referral", "kind", f(Case);
    ReferralService, "Referral", "service", f(Case);
    ReferralReason, "Referral", "reason", f(Case);
    ReferralStatus, "Referral", "status", f(Case);
    ReferralSentOn, "Referral", "sentOn", f(Case);
    ReferralAnsweredOn, "Referral", "answeredOn", f(Case);
    ReferralDueOn, "Referral", "dueOn", f(Case);
    ReferralOverdue, "Referral", "overdue", f(Case);
    ReferralDeclineReason, "Referral", "declineReason", f(Case);
    ReferralOutcome, "Referral", "outcome", f(Case);
    ReferralDoneOn, "Referral", "doneOn", f(Case);

    BriefPreviousMeetingOn, "MeetingBrief", "previousMeetingOn", f(Case);
    BriefOpenActions, "AgencyBrief", "openActions", f(Case);
    BriefOverdueActions, "AgencyBrief", "overdueActions", f(Case);
    BriefCompletedActions, "AgencyBrief", "actionsCompletedSinceLastMeeting", f(Case);
    BriefNewAssessments, "AgencyBrief", "assessmentsSinceLastMeeting", f(WorkAbility);
    BriefNewBenefits, "AgencyBrief", "benefitDecisionsSinceLastMeeting", f(Benefit);
    BriefUpcomingPeriodEnds, "AgencyBrief", "upcomingPeriodEnds", f(Rehab);
    BriefUpcomingReviews, "AgencyBrief", "upcomingPlanReviews", f(Case);
    BriefSubsidiesEnding, "AgencyBrief", "paySubsidiesEnding", f(Employment);

    KttDecisionNumber, "KttDecision", "decisionNumber", f(Rehab);
    KttDecisionKind, "KttDecision", "kind", f(Rehab);
    KttDecisionPeriodId, "KttDecision", "periodId", f(Rehab);
    KttDecisionLegalBasis, "KttDecision", "legalBasis", f(Rehab);
    KttDecisionDeciderName, "KttDecision", "deciderName", f(Rehab);
    KttDecisionDeciderTitle, "KttDecision", "deciderTitle", f(Rehab);
    KttDecisionHearingOn, "KttDecision", "hearingOn", f(Rehab);
    KttDecisionHearingOmittedReason, "KttDecision", "hearingOmittedReason", f(Rehab);
    KttDecisionProvider, "KttDecision", "provider", f(Rehab);
    KttDecisionStartsOn, "KttDecision", "startsOn", f(Rehab);
    KttDecisionEndsOn, "KttDecision", "endsOn", f(Rehab);
    KttDecisionDaysPerWeek, "KttDecision", "daysPerWeek", f(Rehab);
    KttDecisionHoursPerDay, "KttDecision", "hoursPerDay", f(Rehab);
    KttDecisionTerminatedOn, "KttDecision", "terminatedOn", f(Rehab);
    KttDecisionToimintaraha, "KttDecision", "toimintarahaCentsPerDay", f(Rehab);
    KttDecisionTravel, "KttDecision", "travelCentsPerDay", f(Rehab);
    KttDecisionLanguage, "KttDecision", "language", f(Rehab);
    KttDecisionDecidedOn, "KttDecision", "decidedOn", f(Rehab);
    KttDecisionServedOn, "KttDecision", "servedOn", f(Rehab);
    KttDecisionReasoning, "KttDecision", "reasoning", f(Rehab);
    RehabDecisions, "RehabPeriod", "decisions", f(Rehab);
    CaseViewRehabDecisions, "CaseView", "rehabDecisions", f(Rehab);

    KttItemGoal, "KttPlanItem", "goal", f(Case);
    KttItemSupport, "KttPlanItem", "support", f(Case);
    KttItemAgreedOn, "KttPlanItem", "agreedOn", f(Case);
    PlanKttItems, "EmploymentPlan", "kttItems", f(Case);

    NoticeDecisionNumber, "KttStartNotice", "decisionNumber", f(Rehab);
    NoticeKind, "KttStartNotice", "kind", f(Rehab);
    NoticeStartsOn, "KttStartNotice", "startsOn", f(Rehab);
    NoticeEndsOn, "KttStartNotice", "endsOn", f(Rehab);
    NoticeCreatedAt, "KttStartNotice", "createdAt", f(Rehab);
    NoticeHandledAt, "KttStartNotice", "handledAt", f(Benefit);
    NoticeStatementId, "KttStartNotice", "statementId", f(Benefit);

    LogAt, "AccessLogEntry", "at", f(Audit);
    LogOfficialId, "AccessLogEntry", "officialId", f(Audit);
    LogAgency, "AccessLogEntry", "agency", f(Audit);
    LogRoles, "AccessLogEntry", "roles", f(Audit);
    LogAction, "AccessLogEntry", "action", f(Audit);
    LogFields, "AccessLogEntry", "fields", f(Audit);
    LogOperation, "AccessLogEntry", "operation", f(Audit);
    LogDisclosures, "AccessLogEntry", "disclosures", f(Audit);
    LogBasis, "AccessLogEntry", "basis", f(Audit);
    LogBreakGlass, "AccessLogEntry", "breakGlassId", f(Audit);
}

/// The fields read as shared TYP records (`#[field(.., shared)]`): absent for a client who is
/// not (or no longer) a TYP client even where the mask allows the group.
pub fn shared_only(field: FieldId) -> bool {
    matches!(
        field,
        FieldId::CaseViewTypCase
            | FieldId::CaseViewPlan
            | FieldId::CaseViewMeetings
            | FieldId::ClientCases
            | FieldId::CaseViewReferrals
            | FieldId::BriefOpenReferrals
    )
}
