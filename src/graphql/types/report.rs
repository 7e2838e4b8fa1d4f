//! Aggregate reports for role-based dashboards: counts only, never a person.

use crate::graphql::engine::scalars::Date;
use async_graphql::{Context, InputObject, MergedObject, Object, Result, SimpleObject, ID};

use super::enums::ProviderKind;
use crate::domain::Agency;
use crate::graphql::request;
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
}

/// Closed cases by outcome.
#[derive(SimpleObject)]
pub struct OutcomeCount {
    /// The outcome code (CaseOutcome).
    pub outcome: String,
    pub cases: ReportCell,
}

/// New and closed TYP cases of a range, and how the closed ones ended.
#[derive(SimpleObject)]
pub struct CaseOutcomeReport {
    pub new_cases: ReportCell,
    pub closed_cases: ReportCell,
    pub by_outcome: Vec<OutcomeCount>,
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

#[Object]
impl SeriesReports {
    /// Monthly average and end-of-month number of clients in rehabilitative work activity.
    async fn rehab_activity(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<Vec<RehabActivityMonth>> {
        let rc = request(ctx, "reports.rehabActivity")?;
        let months = reports::rehab_activity(rc, from.0, to.0, &filter.into()).await?;
        Ok(months
            .into_iter()
            .map(|m| RehabActivityMonth {
                month: m.month,
                average_suppressed: m.average.is_none(),
                average_clients: m.average,
                end_of_month_clients: m.end_of_month.into(),
                attended_days: m.attended_days.into(),
            })
            .collect())
    }

    /// New cases, closed cases and outcomes of closed cases in a range.
    async fn case_outcomes(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<CaseOutcomeReport> {
        let rc = request(ctx, "reports.caseOutcomes")?;
        let r = reports::case_outcomes(rc, from.0, to.0, &filter.into()).await?;
        Ok(CaseOutcomeReport {
            new_cases: r.new_cases.into(),
            closed_cases: r.closed_cases.into(),
            by_outcome: r
                .by_outcome
                .into_iter()
                .map(|(outcome, c)| OutcomeCount {
                    outcome,
                    cases: c.into(),
                })
                .collect(),
        })
    }

    /// TYP clients (a case open) on a day.
    async fn typ_clients_on(
        &self,
        ctx: &Context<'_>,
        on: Date,
        filter: Option<ReportFilter>,
    ) -> Result<ReportCell> {
        let rc = request(ctx, "reports.typClientsOn")?;
        Ok(reports::typ_clients_on(rc, on.0, &filter.into())
            .await?
            .into())
    }

    /// Individual-support clients on a day: job coaching of kind INDIVIDUAL,
    /// NEUROPSYCHIATRIC or WALK_ALONGSIDE in force that day.
    async fn individual_support_clients_on(
        &self,
        ctx: &Context<'_>,
        on: Date,
        filter: Option<ReportFilter>,
    ) -> Result<ReportCell> {
        let rc = request(ctx, "reports.individualSupportClientsOn")?;
        Ok(
            reports::individual_support_clients_on(rc, on.0, &filter.into())
                .await?
                .into(),
        )
    }

    /// Service-wide interruptions overlapping the range (such as the 2020 closure).
    async fn service_interruptions(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
    ) -> Result<Vec<InterruptionRecord>> {
        let rc = request(ctx, "reports.serviceInterruptions")?;
        let rows = reports::interruptions(rc, from.0, to.0, &reports::Filter::default()).await?;
        Ok(rows
            .into_iter()
            .map(|r| InterruptionRecord {
                starts_on: r.starts_on.into(),
                ends_on: r.ends_on.into(),
                provider_id: r.provider_id.map(async_graphql::ID),
                reason: r.reason,
            })
            .collect())
    }
}

/// Allowances and travel compensation paid for one month, in cents.
#[derive(SimpleObject)]
pub struct AllowanceReportMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Expense allowance and toimintaraha.
    pub allowance_cents: ReportCell,
    pub travel_cents: ReportCell,
    /// Persons paid.
    pub persons: ReportCell,
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

/// Periods by length in months.
#[derive(SimpleObject)]
pub struct LengthBucket {
    /// `0-2` (ended early), `3-5`, `6-8`, `9-11`, `12-17` or `18-24` months.
    pub months: String,
    pub periods: ReportCell,
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

/// Work-ability assessments in a range.
#[derive(SimpleObject)]
pub struct AssessmentReport {
    /// Assessments made.
    pub done: ReportCell,
    /// New assessments not made because a recent one was offered for reuse.
    pub duplicates_avoided: ReportCell,
}

/// Persons by follow-up status some months after their case closed.
#[derive(SimpleObject)]
pub struct FollowUpRow {
    /// 3, 6 or 12.
    pub months_after: i32,
    pub by_status: Vec<StatusCount>,
}

/// Persons with one follow-up status.
#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: String,
    pub persons: ReportCell,
}

#[Object]
impl ServiceReports {
    /// Work-ability assessments made, and duplicates avoided by reuse.
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<AssessmentReport> {
        let rc = request(ctx, "reports.assessments")?;
        let a = reports::assessments(rc, from.0, to.0, &filter.into()).await?;
        Ok(AssessmentReport {
            done: a.done.into(),
            duplicates_avoided: a.duplicates_avoided.into(),
        })
    }

    /// Follow-up status 3, 6 and 12 months after closing, for cases closed in the range.
    async fn follow_ups(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<Vec<FollowUpRow>> {
        let rc = request(ctx, "reports.followUps")?;
        Ok(reports::follow_ups(rc, from.0, to.0, &filter.into())
            .await?
            .into_iter()
            .map(|(months_after, cells)| FollowUpRow {
                months_after,
                by_status: cells
                    .into_iter()
                    .map(|(status, c)| StatusCount {
                        status,
                        persons: c.into(),
                    })
                    .collect(),
            })
            .collect())
    }

    /// Allowances and travel compensation per month.
    async fn allowances(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<Vec<AllowanceReportMonth>> {
        let rc = request(ctx, "reports.allowances")?;
        Ok(reports::allowances(rc, from.0, to.0, &filter.into())
            .await?
            .into_iter()
            .map(|m| AllowanceReportMonth {
                month: m.month,
                allowance_cents: m.allowance_cents.into(),
                travel_cents: m.travel_cents.into(),
                persons: m.persons.into(),
            })
            .collect())
    }

    /// Network meetings held and agreed actions opened, closed and overdue.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<MeetingReport> {
        let rc = request(ctx, "reports.meetings")?;
        let m = reports::meetings(rc, from.0, to.0, &filter.into()).await?;
        Ok(MeetingReport {
            meetings_held: m.meetings_held.into(),
            actions_opened: m.actions_opened.into(),
            actions_closed: m.actions_closed.into(),
            actions_overdue: m.actions_overdue.into(),
        })
    }

    /// Distribution of the lengths of periods that started in the range: periods per
    /// length, published only where they belong to five persons at least.
    async fn period_lengths(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<Vec<LengthBucket>> {
        let rc = request(ctx, "reports.periodLengths")?;
        Ok(reports::period_lengths(rc, from.0, to.0, &filter.into())
            .await?
            .into_iter()
            .map(|(months, c)| LengthBucket {
                months,
                periods: c.into(),
            })
            .collect())
    }

    /// Activity days and attendance rate by provider.
    async fn provider_activity(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        filter: Option<ReportFilter>,
    ) -> Result<Vec<ProviderActivity>> {
        let rc = request(ctx, "reports.providerActivity")?;
        Ok(reports::provider_activity(rc, from.0, to.0, &filter.into())
            .await?
            .into_iter()
            .map(|p| ProviderActivity {
                provider_id: ID(p.provider_id),
                provider_name: p.provider_name,
                attended_days: p.attended_days.into(),
                recorded_days: p.recorded_days.into(),
                attendance_rate_permille: p.attendance_rate_permille,
            })
            .collect())
    }
}
