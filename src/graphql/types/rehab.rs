//! Rehabilitative work activity (KTT) periods, attendance and allowances.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use chrono::NaiveDate;
use std::sync::Arc;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::services::ClientScope;
use entity::{attendance_day, rehab_period};

use super::provider::ProviderNode;
use crate::error::AppError;
use crate::graphql::loader::{AllowanceOf, AttendanceOf, InterruptionsOf, ProviderById};
use crate::graphql::request_loader;

/// A KTT period.
pub struct RehabPeriodNode {
    pub row: rehab_period::Model,
    pub scope: Arc<ClientScope>,
}

impl RehabPeriodNode {
    pub fn wrap(rows: Vec<rehab_period::Model>, scope: &Arc<ClientScope>) -> Vec<RehabPeriodNode> {
        rows.into_iter()
            .map(|row| RehabPeriodNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// A rehabilitative work activity period (kuntouttavan työtoiminnan jakso): the decision, placement and schedule.
#[Object(name = "RehabPeriod")]
impl RehabPeriodNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The provider where the client is placed.
    #[graphql(visible = "visible::rehab_provider", directive = fieldGroup::apply(group_of(FieldId::RehabProvider)))]
    async fn provider(&self, ctx: &Context<'_>) -> Result<ProviderNode> {
        guard::read(ctx, &self.scope, FieldId::RehabProvider, ())?;
        let row = request_loader(ctx)?
            .load_one(ProviderById(self.row.provider_id.clone()))
            .await?
            .ok_or_else(|| AppError::internal("period without provider"))?;
        Ok(ProviderNode { row })
    }
    /// Number of the decision on the period.
    #[graphql(visible = "visible::rehab_decision_number", directive = fieldGroup::apply(group_of(FieldId::RehabDecisionNumber)))]
    async fn decision_number(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabDecisionNumber,
            Some(self.row.decision_number.as_str()),
        )
    }
    /// Date of the decision.
    #[graphql(visible = "visible::rehab_decided_on", directive = fieldGroup::apply(group_of(FieldId::RehabDecidedOn)))]
    async fn decided_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabDecidedOn,
            Some(self.row.decided_on),
        )
        .map(|d| d.map(Date))
    }
    /// First day of the period.
    #[graphql(visible = "visible::rehab_starts_on", directive = fieldGroup::apply(group_of(FieldId::RehabStartsOn)))]
    async fn starts_on(&self, ctx: &Context<'_>) -> Result<Date> {
        guard::read(ctx, &self.scope, FieldId::RehabStartsOn, self.row.starts_on).map(Date)
    }
    /// Last day of the period as decided.
    #[graphql(visible = "visible::rehab_ends_on", directive = fieldGroup::apply(group_of(FieldId::RehabEndsOn)))]
    async fn ends_on(&self, ctx: &Context<'_>) -> Result<Date> {
        guard::read(ctx, &self.scope, FieldId::RehabEndsOn, self.row.ends_on).map(Date)
    }
    /// Activity days a week (1–4; 1–5 before 1 July 2015).
    #[graphql(visible = "visible::rehab_days_per_week", directive = fieldGroup::apply(group_of(FieldId::RehabDaysPerWeek)))]
    async fn days_per_week(&self, ctx: &Context<'_>) -> Result<i32> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabDaysPerWeek,
            self.row.days_per_week,
        )
    }
    /// Hours a day (4–8, at most 32 a week).
    #[graphql(visible = "visible::rehab_hours_per_day", directive = fieldGroup::apply(group_of(FieldId::RehabHoursPerDay)))]
    async fn hours_per_day(&self, ctx: &Context<'_>) -> Result<i32> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabHoursPerDay,
            self.row.hours_per_day,
        )
    }
    /// The goal of the period, as recorded in the plan.
    #[graphql(visible = "visible::rehab_goal", directive = fieldGroup::apply(group_of(FieldId::RehabGoal)))]
    async fn goal(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabGoal,
            Some(self.row.goal.as_str()),
        )
    }
    /// The support and guidance the person needs.
    #[graphql(visible = "visible::rehab_support_needs", directive = fieldGroup::apply(group_of(FieldId::RehabSupportNeeds)))]
    async fn support_needs(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabSupportNeeds,
            self.row.support_needs.as_deref(),
        )
    }
    /// Distance from home to the placement, for travel compensation.
    #[graphql(visible = "visible::rehab_travel_distance_km", directive = fieldGroup::apply(group_of(FieldId::RehabTravelDistanceKm)))]
    async fn travel_distance_km(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabTravelDistanceKm,
            self.row.travel_distance_km,
        )
    }
    /// Date the period ended early, if it did.
    #[graphql(visible = "visible::rehab_ended_early_on", directive = fieldGroup::apply(group_of(FieldId::RehabEndedEarlyOn)))]
    async fn ended_early_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabEndedEarlyOn,
            self.row.ended_early_on,
        )
        .map(|d| d.map(Date))
    }
    /// Why the period ended early.
    #[graphql(visible = "visible::rehab_end_reason", directive = fieldGroup::apply(group_of(FieldId::RehabEndReason)))]
    async fn end_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::RehabEndReason,
            self.row.end_reason.as_deref(),
        )
    }
    /// Interruptions of the period (attendance is refused during them).
    #[graphql(visible = "visible::rehab_interruptions", directive = fieldGroup::apply(group_of(FieldId::RehabInterruptions)))]
    async fn interruptions(&self, ctx: &Context<'_>) -> Result<Option<Vec<InterruptionNode>>> {
        guard::read(ctx, &self.scope, FieldId::RehabInterruptions, ())?;
        let rows = request_loader(ctx)?
            .load_one(InterruptionsOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| InterruptionNode {
                    row,
                    scope: self.scope.clone(),
                })
                .collect(),
        ))
    }

    /// Activity days of the period, by date (päiväkirjaus).
    #[graphql(visible = "visible::rehab_attendance", directive = fieldGroup::apply(group_of(FieldId::RehabAttendance)))]
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Option<Vec<AttendanceDayNode>>> {
        guard::read(ctx, &self.scope, FieldId::RehabAttendance, ())?;
        let rows = request_loader(ctx)?
            .load_one(AttendanceOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(AttendanceDayNode::wrap(rows, &self.scope)))
    }

    /// Allowances of a month (`YYYY-MM`): expense allowance or toimintaraha, and travel.
    #[graphql(visible = "visible::rehab_allowance", directive = fieldGroup::apply(group_of(FieldId::RehabAllowance)))]
    async fn allowance(
        &self,
        ctx: &Context<'_>,
        month: String,
    ) -> Result<Option<AllowanceSummaryNode>> {
        if !valid_month(&month) {
            return Err(AppError::bad_input("month", "month is YYYY-MM").into());
        }
        guard::read(ctx, &self.scope, FieldId::RehabAllowance, ())?;
        let lines = request_loader(ctx)?
            .load_one(AllowanceOf(self.row.id.clone(), month))
            .await?
            .unwrap_or_default();
        let mut summary = AllowanceSummaryNode {
            participation_days: 0,
            expense_cents: 0,
            travel_cents: 0,
            scope: self.scope.clone(),
        };
        for line in lines {
            if line.kind == "TRAVEL" {
                summary.travel_cents += line.amount_cents;
            } else {
                summary.participation_days += line.days;
                summary.expense_cents += line.amount_cents;
            }
        }
        Ok(Some(summary))
    }
}

fn valid_month(month: &str) -> bool {
    NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok() && month.len() == 7
}

/// An activity day.
pub struct AttendanceDayNode {
    pub row: attendance_day::Model,
    pub scope: Arc<ClientScope>,
}

impl AttendanceDayNode {
    pub fn wrap(
        rows: Vec<attendance_day::Model>,
        scope: &Arc<ClientScope>,
    ) -> Vec<AttendanceDayNode> {
        rows.into_iter()
            .map(|row| AttendanceDayNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// One activity day of a KTT period: present, or absent with a reason.
#[Object(name = "AttendanceDay")]
impl AttendanceDayNode {
    /// The day.
    #[graphql(visible = "visible::attendance_date", directive = fieldGroup::apply(group_of(FieldId::AttendanceDate)))]
    async fn date(&self, ctx: &Context<'_>) -> Result<Date> {
        guard::read(ctx, &self.scope, FieldId::AttendanceDate, self.row.day).map(Date)
    }
    /// Whether the client attended.
    #[graphql(visible = "visible::attendance_present", directive = fieldGroup::apply(group_of(FieldId::AttendancePresent)))]
    async fn present(&self, ctx: &Context<'_>) -> Result<bool> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AttendancePresent,
            self.row.present,
        )
    }
    /// Reason of an absence.
    #[graphql(visible = "visible::attendance_absence_reason", directive = fieldGroup::apply(group_of(FieldId::AttendanceAbsenceReason)))]
    async fn absence_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AttendanceAbsenceReason,
            self.row.absence_reason.as_deref(),
        )
    }
}

/// Allowances of one period and month.
pub struct AllowanceSummaryNode {
    pub participation_days: i32,
    pub expense_cents: i64,
    pub travel_cents: i64,
    pub scope: Arc<ClientScope>,
}

/// Allowances of a KTT period for one month, in integer cents.
#[Object(name = "AllowanceSummary")]
impl AllowanceSummaryNode {
    /// Attended days that were paid (at most 5 a week).
    #[graphql(visible = "visible::allowance_participation_days", directive = fieldGroup::apply(group_of(FieldId::AllowanceParticipationDays)))]
    async fn participation_days(&self, ctx: &Context<'_>) -> Result<i32> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AllowanceParticipationDays,
            self.participation_days,
        )
    }
    /// Expense allowance (kulukorvaus) or toimintaraha, in cents.
    #[graphql(visible = "visible::allowance_expense_cents", directive = fieldGroup::apply(group_of(FieldId::AllowanceExpenseCents)))]
    async fn expense_allowance_cents(&self, ctx: &Context<'_>) -> Result<i64> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AllowanceExpenseCents,
            self.expense_cents,
        )
    }
    /// Travel compensation, in cents.
    #[graphql(visible = "visible::allowance_travel_cents", directive = fieldGroup::apply(group_of(FieldId::AllowanceTravelCents)))]
    async fn travel_compensation_cents(&self, ctx: &Context<'_>) -> Result<i64> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AllowanceTravelCents,
            self.travel_cents,
        )
    }
}

/// An interruption of a period.
pub struct InterruptionNode {
    pub row: entity::rehab_interruption::Model,
    pub scope: Arc<ClientScope>,
}

/// An interruption of a KTT period (illness, a work trial): no attendance meanwhile.
#[Object(name = "RehabInterruption")]
impl InterruptionNode {
    /// First day of the interruption.
    #[graphql(visible = "visible::interruption_starts_on", directive = fieldGroup::apply(group_of(FieldId::InterruptionStartsOn)))]
    async fn starts_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::InterruptionStartsOn,
            Some(self.row.starts_on),
        )
        .map(|d| d.map(Date))
    }

    /// Last day, if known.
    #[graphql(visible = "visible::interruption_ends_on", directive = fieldGroup::apply(group_of(FieldId::InterruptionEndsOn)))]
    async fn ends_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::InterruptionEndsOn,
            self.row.ends_on,
        )
        .map(|d| d.map(Date))
    }

    /// Why.
    #[graphql(visible = "visible::interruption_reason", directive = fieldGroup::apply(group_of(FieldId::InterruptionReason)))]
    async fn reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::InterruptionReason,
            Some(self.row.reason.as_str()),
        )
    }
}
