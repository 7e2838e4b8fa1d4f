//! Aggregate reports for role-based dashboards: counts only, never a person.

use crate::graphql::engine::scalars::Date;
use async_graphql::{InputObject, MergedObject, SimpleObject, ID};

use super::enums::ProviderKind;
use crate::domain::Agency;
use crate::services::reports::{self, Cell, Filter};

/// A published figure: counts are rounded to a multiple of five and sums of money to whole
/// hundreds of euros; `null` with `suppressed: true` when it stands for fewer than five
/// persons, none included (or would let such a cell be recovered from a total).
#[derive(SimpleObject)]
pub struct ReportCell {
    pub value: Option<i64>,
    pub suppressed: bool,
}

impl From<Cell> for ReportCell {
    fn from(c: Cell) -> Self {
        ReportCell {
            value: c.value,
            suppressed: c.value.is_none(),
        }
    }
}

/// What a report's service counted, as the API publishes it; a list converts item by item.
pub trait Published<T> {
    fn published(figures: T) -> Self;
}

impl<T, N: Published<T>> Published<Vec<T>> for Vec<N> {
    fn published(figures: Vec<T>) -> Self {
        figures.into_iter().map(N::published).collect()
    }
}

impl Published<Cell> for ReportCell {
    fn published(c: Cell) -> Self {
        c.into()
    }
}

/// Filters of the reports. A filter reads client data too: the caller must read it (the
/// municipality is CONTACT, the responsible agency CASE, a provider the placement), or the
/// report is refused; a filter a report cannot apply is `BAD_USER_INPUT`.
#[derive(InputObject, Default)]
pub struct ReportFilter {
    pub provider_id: Option<ID>,
    pub provider_kind: Option<ProviderKind>,
    pub municipality: Option<String>,
    pub responsible_agency: Option<Agency>,
}

impl From<Option<ReportFilter>> for Filter {
    fn from(f: Option<ReportFilter>) -> Self {
        let f = f.unwrap_or_default();
        Filter {
            provider_id: f.provider_id.map(|i| i.to_string()),
            provider_kind: f.provider_kind.map(|k| k.code().to_owned()),
            municipality: f.municipality,
            responsible_agency: f.responsible_agency.map(|a| a.code().to_owned()),
        }
    }
}

/// Writes a reports object whose fields each run the report service of the same name on
/// the request's context and publish what it counted ([`Published`]). An entry is the field's
/// doc comment, its arguments (a range of whole months `from, to`, or a day `on`, with the
/// `filter` where the report takes one), its type and the operation named in the access log;
/// `via` names the service where it is not the field's name.
macro_rules! reports_object {
    ($object:ident; $($entries:tt)*) => {
        reports_object!(@next $object [] $($entries)*);
    };
    (@next $object:ident [$($done:tt)*]) => {
        #[async_graphql::Object]
        impl $object {
            $($done)*
        }
    };
    (@next $object:ident $done:tt
        $(#[$meta:meta])* $name:ident(from, to, filter) -> $ty:ty = $operation:literal;
        $($rest:tt)*
    ) => {
        reports_object!(@field $object $done [$(#[$meta])*] $name
            (from: Date, to: Date, filter: Option<ReportFilter>) -> $ty = $operation,
            |rc| reports::$name(rc, from.0, to.0, &filter.into()); $($rest)*);
    };
    (@next $object:ident $done:tt
        $(#[$meta:meta])* $name:ident(on, filter) -> $ty:ty = $operation:literal;
        $($rest:tt)*
    ) => {
        reports_object!(@field $object $done [$(#[$meta])*] $name
            (on: Date, filter: Option<ReportFilter>) -> $ty = $operation,
            |rc| reports::$name(rc, on.0, &filter.into()); $($rest)*);
    };
    (@next $object:ident $done:tt
        $(#[$meta:meta])* $name:ident(from, to) -> $ty:ty = $operation:literal via $service:path;
        $($rest:tt)*
    ) => {
        reports_object!(@field $object $done [$(#[$meta])*] $name
            (from: Date, to: Date) -> $ty = $operation,
            |rc| $service(rc, from.0, to.0, &Filter::default()); $($rest)*);
    };
    (@field $object:ident [$($done:tt)*] [$($attr:tt)*] $name:ident
        ($($arg:ident: $arg_ty:ty),*) -> $ty:ty = $operation:literal,
        |$rc:ident| $count:expr; $($rest:tt)*
    ) => {
        reports_object!(@next $object [$($done)*
            $($attr)*
            async fn $name(
                &self,
                ctx: &async_graphql::Context<'_>,
                $($arg: $arg_ty),*
            ) -> async_graphql::Result<$ty> {
                let $rc = $crate::graphql::request(ctx, $operation)?;
                Ok(Published::published($count.await?))
            }
        ] $($rest)*);
    };
}

/// One month of the rehabilitative work activity series.
#[derive(SimpleObject)]
pub struct RehabActivityMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Average clients in KTT per day (a period in force that day), rounded to a multiple of
    /// five like every count; null when suppressed.
    pub average_clients: Option<f64>,
    pub average_suppressed: bool,
    /// Clients with a period in force on the last day of the month.
    pub end_of_month_clients: ReportCell,
    /// Activity days attended.
    pub attended_days: ReportCell,
    /// Clients who attended at least one activity day in the month, beside the average of
    /// those with a period in force (`averageClients`).
    pub attending_clients: ReportCell,
}

impl Published<reports::RehabMonth> for RehabActivityMonth {
    fn published(m: reports::RehabMonth) -> Self {
        RehabActivityMonth {
            month: m.month,
            average_suppressed: m.average.is_none(),
            average_clients: m.average,
            end_of_month_clients: m.end_of_month.into(),
            attended_days: m.attended_days.into(),
            attending_clients: m.attending.into(),
        }
    }
}

/// Closed cases by outcome.
#[derive(SimpleObject)]
pub struct OutcomeCount {
    /// The outcome code (CaseOutcome).
    pub outcome: String,
    pub cases: ReportCell,
}

impl Published<(String, Cell)> for OutcomeCount {
    fn published((outcome, c): (String, Cell)) -> Self {
        OutcomeCount {
            outcome,
            cases: c.into(),
        }
    }
}

/// New and closed TYP cases of a range, and how the closed ones ended.
#[derive(SimpleObject)]
pub struct CaseOutcomeReport {
    pub new_cases: ReportCell,
    pub closed_cases: ReportCell,
    pub by_outcome: Vec<OutcomeCount>,
}

impl Published<reports::Outcomes> for CaseOutcomeReport {
    fn published(r: reports::Outcomes) -> Self {
        CaseOutcomeReport {
            new_cases: r.new_cases.into(),
            closed_cases: r.closed_cases.into(),
            by_outcome: Published::published(r.by_outcome),
        }
    }
}

/// Persons whose subsidised employment ended, by what followed.
#[derive(SimpleObject)]
pub struct SubsidyEndCount {
    /// The SubsidyFollowUp code.
    pub followed_by: String,
    pub persons: ReportCell,
}

impl Published<(String, Cell)> for SubsidyEndCount {
    fn published((followed_by, c): (String, Cell)) -> Self {
        SubsidyEndCount {
            followed_by,
            persons: c.into(),
        }
    }
}

/// One month of transitions through pay-subsidised work.
#[derive(SimpleObject)]
pub struct SubsidyTransitionMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Persons whose pay-subsidised employment started in the month.
    pub started: ReportCell,
    /// Persons whose pay-subsidised employment ended in the month, by what followed.
    pub ended_by: Vec<SubsidyEndCount>,
}

impl Published<reports::SubsidyMonth> for SubsidyTransitionMonth {
    fn published(m: reports::SubsidyMonth) -> Self {
        SubsidyTransitionMonth {
            month: m.month,
            started: m.started.into(),
            ended_by: Published::published(m.ended_by),
        }
    }
}

/// What one programme's tagged records count.
#[derive(SimpleObject)]
pub struct ProgrammeCount {
    pub code: String,
    pub name: String,
    /// Persons with a tagged TYP case open on some day of the range.
    pub case_clients: ReportCell,
    /// Persons with a tagged job coaching running on some day of the range.
    pub coaching_clients: ReportCell,
}

impl Published<reports::ProgrammeFigures> for ProgrammeCount {
    fn published(p: reports::ProgrammeFigures) -> Self {
        ProgrammeCount {
            code: p.code,
            name: p.name,
            case_clients: p.case_clients.into(),
            coaching_clients: p.coaching_clients.into(),
        }
    }
}

/// A service-wide interruption, shown with the series it explains.
#[derive(SimpleObject)]
pub struct InterruptionRecord {
    pub starts_on: Date,
    pub ends_on: Date,
    /// The provider whose service is interrupted; null for every provider's.
    pub provider_id: Option<async_graphql::ID>,
    pub reason: String,
}

impl Published<entity::service_interruption::Model> for InterruptionRecord {
    fn published(r: entity::service_interruption::Model) -> Self {
        InterruptionRecord {
            starts_on: r.starts_on.into(),
            ends_on: r.ends_on.into(),
            provider_id: r.provider_id.map(async_graphql::ID),
            reason: r.reason,
        }
    }
}

/// Reports (raportit). ANALYST reads all clients' aggregates; agency roles and coaches only
/// those of the field groups they read, in their row scope. Ranges are whole calendar months
/// (`from` a month's first day, `to` a month's last), "on" days a month's first day. No
/// report returns an identifier, a name or a date of birth.
#[derive(MergedObject, Default)]
pub struct Reports(SeriesReports, ServiceReports);

/// Series of clients and cases.
#[derive(Default)]
pub struct SeriesReports;

/// Money, meetings and providers.
#[derive(Default)]
pub struct ServiceReports;

reports_object! {
    SeriesReports;

    /// Monthly average and end-of-month number of clients in rehabilitative work activity.
    rehab_activity(from, to, filter) -> Vec<RehabActivityMonth> = "reports.rehabActivity";

    /// New cases, closed cases and outcomes of closed cases in a range.
    case_outcomes(from, to, filter) -> CaseOutcomeReport = "reports.caseOutcomes";

    /// TYP clients (a case open) on a day.
    typ_clients_on(on, filter) -> ReportCell = "reports.typClientsOn";

    /// Individual-support clients on a day: a TYP case open that day on the recorded
    /// service track INDIVIDUAL_SUPPORT (CASE).
    individual_support_clients_on(on, filter) -> ReportCell =
        "reports.individualSupportClientsOn";

    /// Transitions through pay-subsidised work per month: persons who started it, and
    /// persons whose subsidised employment ended by what followed (OPEN_LABOUR_MARKET,
    /// STUDIES, UNEMPLOYMENT, OTHER). EMPLOYMENT.
    pay_subsidy_transitions(from, to, filter) -> Vec<SubsidyTransitionMonth> =
        "reports.paySubsidyTransitions";

    /// Persons per programme in a range: with a tagged TYP case open, and with a tagged job
    /// coaching running, on some day of it. CASE and EMPLOYMENT.
    programme_counts(from, to, filter) -> Vec<ProgrammeCount> = "reports.programmeCounts";

    /// Service-wide interruptions overlapping the range (such as the 2020 closure).
    service_interruptions(from, to) -> Vec<InterruptionRecord> = "reports.serviceInterruptions"
        via reports::interruptions;
}

/// Allowances and travel compensation paid for one month, in cents.
#[derive(SimpleObject)]
pub struct AllowanceReportMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Expense allowance and toimintaraha.
    pub allowance_cents: ReportCell,
    /// Travel compensation (paid by the county).
    pub travel_cents: ReportCell,
    /// Persons paid.
    pub persons: ReportCell,
    /// Expense allowance (kulukorvaus) confirmed to Kela, with its benefits.
    pub kela_expense_cents: ReportCell,
    /// Expense allowance confirmed to the unemployment funds, with the earnings-related
    /// allowance.
    pub fund_expense_cents: ReportCell,
    /// Toimintaraha paid by the county to clients on social assistance.
    pub toimintaraha_cents: ReportCell,
}

impl Published<reports::AllowanceMonth> for AllowanceReportMonth {
    fn published(m: reports::AllowanceMonth) -> Self {
        AllowanceReportMonth {
            month: m.month,
            allowance_cents: m.allowance_cents.into(),
            travel_cents: m.travel_cents.into(),
            persons: m.persons.into(),
            kela_expense_cents: m.kela_expense_cents.into(),
            fund_expense_cents: m.fund_expense_cents.into(),
            toimintaraha_cents: m.toimintaraha_cents.into(),
        }
    }
}

/// Network meetings held and agreed actions in a range.
#[derive(SimpleObject)]
pub struct MeetingReport {
    pub meetings_held: ReportCell,
    pub actions_opened: ReportCell,
    pub actions_closed: ReportCell,
    /// Open at the end of the range and past their due date.
    pub actions_overdue: ReportCell,
}

impl Published<reports::MeetingFigures> for MeetingReport {
    fn published(m: reports::MeetingFigures) -> Self {
        MeetingReport {
            meetings_held: m.meetings_held.into(),
            actions_opened: m.actions_opened.into(),
            actions_closed: m.actions_closed.into(),
            actions_overdue: m.actions_overdue.into(),
        }
    }
}

/// Periods by length in months.
#[derive(SimpleObject)]
pub struct LengthBucket {
    /// `0-2` (ended early), `3-5`, `6-8`, `9-11`, `12-17` or `18-24` months.
    pub months: String,
    pub periods: ReportCell,
}

impl Published<(String, Cell)> for LengthBucket {
    fn published((months, c): (String, Cell)) -> Self {
        LengthBucket {
            months,
            periods: c.into(),
        }
    }
}

/// Activity at one provider.
#[derive(SimpleObject)]
pub struct ProviderActivity {
    pub provider_id: ID,
    pub provider_name: String,
    pub attended_days: ReportCell,
    pub recorded_days: ReportCell,
    /// Attended days per thousand recorded; null when suppressed.
    pub attendance_rate_permille: Option<i64>,
}

impl Published<reports::ProviderFigures> for ProviderActivity {
    fn published(p: reports::ProviderFigures) -> Self {
        ProviderActivity {
            provider_id: ID(p.provider_id),
            provider_name: p.provider_name,
            attended_days: p.attended_days.into(),
            recorded_days: p.recorded_days.into(),
            attendance_rate_permille: p.attendance_rate_permille,
        }
    }
}

/// Work-ability assessments in a range.
#[derive(SimpleObject)]
pub struct AssessmentReport {
    /// Assessments made.
    pub done: ReportCell,
    /// New assessments not made because a recent one was offered for reuse.
    pub duplicates_avoided: ReportCell,
}

impl Published<reports::AssessmentFigures> for AssessmentReport {
    fn published(a: reports::AssessmentFigures) -> Self {
        AssessmentReport {
            done: a.done.into(),
            duplicates_avoided: a.duplicates_avoided.into(),
        }
    }
}

/// Persons by follow-up status some months after their case closed.
#[derive(SimpleObject)]
pub struct FollowUpRow {
    /// 3, 6 or 12.
    pub months_after: i32,
    pub by_status: Vec<StatusCount>,
}

impl Published<(i32, Vec<(String, Cell)>)> for FollowUpRow {
    fn published((months_after, cells): (i32, Vec<(String, Cell)>)) -> Self {
        FollowUpRow {
            months_after,
            by_status: Published::published(cells),
        }
    }
}

/// Persons with one follow-up status.
#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: String,
    pub persons: ReportCell,
}

impl Published<(String, Cell)> for StatusCount {
    fn published((status, c): (String, Cell)) -> Self {
        StatusCount {
            status,
            persons: c.into(),
        }
    }
}

/// Persons with competence recognised (opinnollistaminen) in a range.
#[derive(SimpleObject)]
pub struct CompetenceReport {
    /// Persons with a certificate dated in the range.
    pub persons: ReportCell,
    /// Persons by qualification; qualifications of fewer than five persons are not named
    /// but counted together as `OTHER`.
    pub by_qualification: Vec<QualificationCount>,
}

/// Persons with competence recognised against one qualification.
#[derive(SimpleObject)]
pub struct QualificationCount {
    pub qualification: String,
    pub persons: ReportCell,
}

impl Published<reports::CompetenceFigures> for CompetenceReport {
    fn published(c: reports::CompetenceFigures) -> Self {
        CompetenceReport {
            persons: c.persons.into(),
            by_qualification: c
                .by_qualification
                .into_iter()
                .map(|(qualification, cell)| QualificationCount {
                    qualification,
                    persons: cell.into(),
                })
                .collect(),
        }
    }
}

/// Job coaching of one orderer at one provider.
#[derive(SimpleObject)]
pub struct CoachingHoursRow {
    /// TE (the employment authority's purchase), EKSOTE (the county's own) or VOUCHER (the
    /// county's order under a service voucher).
    pub orderer: String,
    pub provider_id: Option<ID>,
    pub provider_name: Option<String>,
    pub persons: ReportCell,
    pub hours_bought: ReportCell,
    pub hours_used: ReportCell,
}

impl Published<reports::CoachingFigures> for CoachingHoursRow {
    fn published(c: reports::CoachingFigures) -> Self {
        CoachingHoursRow {
            orderer: c.orderer,
            provider_id: c.provider_id.map(ID),
            provider_name: c.provider_name,
            persons: c.persons.into(),
            hours_bought: c.hours_bought.into(),
            hours_used: c.hours_used.into(),
        }
    }
}

/// Persons referred in a range, by kind of referral, and where their referrals stand.
#[derive(SimpleObject)]
pub struct ReferralKindReport {
    pub kind: crate::domain::agency_work::ReferralKind,
    /// Persons referred.
    pub sent: ReportCell,
    /// Of them, persons whose referral was accepted (done or not).
    pub accepted: ReportCell,
    /// Persons whose referral was declined.
    pub declined: ReportCell,
    /// Persons whose referral is done, the outcome returned.
    pub done: ReportCell,
}

impl Published<reports::ReferralFigures> for ReferralKindReport {
    fn published(r: reports::ReferralFigures) -> Self {
        ReferralKindReport {
            kind: r.kind,
            sent: r.sent.into(),
            accepted: r.accepted.into(),
            declined: r.declined.into(),
            done: r.done.into(),
        }
    }
}

/// Service-voucher use at one provider, for one kind of voucher.
#[derive(SimpleObject)]
pub struct VoucherUseRow {
    pub provider_id: ID,
    pub provider_name: String,
    /// KTT or COACHING.
    pub kind: String,
    pub persons: ReportCell,
    /// Attended KTT days or coaching hours used under the vouchers in the range.
    pub used: ReportCell,
}

impl Published<reports::VoucherFigures> for VoucherUseRow {
    fn published(v: reports::VoucherFigures) -> Self {
        VoucherUseRow {
            provider_id: ID(v.provider_id),
            provider_name: v.provider_name,
            kind: v.kind,
            persons: v.persons.into(),
            used: v.used.into(),
        }
    }
}

reports_object! {
    ServiceReports;

    /// Competence recognised from KTT (opinnollistaminen) by qualification, for
    /// certificates dated in the range.
    competence(from, to, filter) -> CompetenceReport = "reports.competence";

    /// Referrals sent in the range by kind (Kela's vocational rehabilitation and others).
    referrals(from, to, filter) -> Vec<ReferralKindReport> = "reports.referrals";

    /// Job coaching started in the range: hours bought and used per orderer and provider.
    coaching_hours(from, to, filter) -> Vec<CoachingHoursRow> = "reports.coachingHours";

    /// Service-voucher use per provider and kind of voucher.
    voucher_use(from, to, filter) -> Vec<VoucherUseRow> = "reports.voucherUse";

    /// Work-ability assessments made, and duplicates avoided by reuse.
    assessments(from, to, filter) -> AssessmentReport = "reports.assessments";

    /// Follow-up status 3, 6 and 12 months after closing, for cases closed in the range.
    follow_ups(from, to, filter) -> Vec<FollowUpRow> = "reports.followUps";

    /// Allowances and travel compensation per month.
    allowances(from, to, filter) -> Vec<AllowanceReportMonth> = "reports.allowances";

    /// Network meetings held and agreed actions opened, closed and overdue.
    meetings(from, to, filter) -> MeetingReport = "reports.meetings";

    /// Distribution of the lengths of periods that started in the range: periods per
    /// length, published only where they belong to five persons at least.
    period_lengths(from, to, filter) -> Vec<LengthBucket> = "reports.periodLengths";

    /// Activity days and attendance rate by provider.
    provider_activity(from, to, filter) -> Vec<ProviderActivity> = "reports.providerActivity";
}
