//! KTT periods and attendance.

use crate::graphql::scalars::Date;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::NaiveDate;

use super::request;
use crate::graphql::types::rehab::RehabPeriodNode;
use crate::services::attendance::{self, Day};
use crate::services::cases::visible_client;
use crate::services::rehab::{self, NewPeriod};
use crate::services::RequestContext;

#[derive(Default)]
pub struct RehabMutations;

/// Input of `decideRehabPeriod` (act 189/2001: 3–24 months, 1–4 days a week, 4–8 hours a
/// day, at most 32 hours a week).
#[derive(InputObject)]
pub struct DecideRehabPeriodInput {
    pub client_id: ID,
    pub provider_id: ID,
    pub starts_on: Date,
    pub ends_on: Date,
    pub days_per_week: i32,
    pub hours_per_day: i32,
    /// The goal recorded in the plan.
    pub goal: String,
    /// The support and guidance the person needs.
    pub support_needs: Option<String>,
    /// Distance from home to the placement, for travel compensation.
    pub travel_distance_km: Option<f64>,
}

/// Input of `endRehabPeriodEarly`.
#[derive(InputObject)]
pub struct EndRehabPeriodEarlyInput {
    pub period_id: ID,
    pub ended_on: Date,
    pub reason: String,
}

/// Input of `interruptRehabPeriod`.
#[derive(InputObject)]
pub struct InterruptRehabPeriodInput {
    pub period_id: ID,
    pub starts_on: Date,
    /// Open-ended when omitted.
    pub ends_on: Option<Date>,
    pub reason: String,
}

/// Input of `recordServiceInterruption`.
#[derive(InputObject)]
pub struct RecordServiceInterruptionInput {
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
}

/// A service-wide interruption of KTT.
#[derive(SimpleObject)]
pub struct ServiceInterruption {
    pub id: ID,
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
}

/// One activity day.
#[derive(InputObject)]
pub struct AttendanceDayInput {
    pub date: Date,
    pub present: bool,
    /// Required for an absence.
    pub absence_reason: Option<String>,
}

/// Input of `recordAttendance`.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    pub period_id: ID,
    /// At most 100 days per call.
    pub days: Vec<AttendanceDayInput>,
}

/// Result of `recordAttendance`: idempotent per (period, date).
#[derive(SimpleObject)]
pub struct RecordAttendancePayload {
    /// Days written (new or changed).
    pub recorded: i32,
    /// Days already recorded exactly so.
    pub unchanged: i32,
}

async fn period_node(
    rc: &RequestContext,
    row: entity::rehab_period::Model,
) -> Result<RehabPeriodNode> {
    let client = visible_client(rc, &row.client_id).await?;
    Ok(RehabPeriodNode {
        row,
        scope: client.scope,
    })
}

#[Object]
impl RehabMutations {
    /// Decides a rehabilitative work activity period (REHAB write).
    #[graphql(visible = "super::visible::rehab")]
    async fn decide_rehab_period(
        &self,
        ctx: &Context<'_>,
        input: DecideRehabPeriodInput,
    ) -> Result<RehabPeriodNode> {
        let rc = request(ctx, "decideRehabPeriod")?;
        let row = rehab::decide(
            rc,
            NewPeriod {
                client_id: input.client_id.to_string(),
                provider_id: input.provider_id.to_string(),
                starts_on: NaiveDate::from(input.starts_on),
                ends_on: input.ends_on.into(),
                days_per_week: input.days_per_week,
                hours_per_day: input.hours_per_day,
                goal: input.goal,
                support_needs: input.support_needs,
                travel_distance_km: input.travel_distance_km,
            },
        )
        .await?;
        period_node(rc, row).await
    }

    /// Ends a period early with a reason.
    #[graphql(visible = "super::visible::rehab")]
    async fn end_rehab_period_early(
        &self,
        ctx: &Context<'_>,
        input: EndRehabPeriodEarlyInput,
    ) -> Result<RehabPeriodNode> {
        let rc = request(ctx, "endRehabPeriodEarly")?;
        let row = rehab::end_early(
            rc,
            &input.period_id,
            NaiveDate::from(input.ended_on),
            &input.reason,
        )
        .await?;
        period_node(rc, row).await
    }

    /// Interrupts a period for a while; attendance is refused during the interruption.
    #[graphql(visible = "super::visible::rehab")]
    async fn interrupt_rehab_period(
        &self,
        ctx: &Context<'_>,
        input: InterruptRehabPeriodInput,
    ) -> Result<RehabPeriodNode> {
        let rc = request(ctx, "interruptRehabPeriod")?;
        let row = rehab::interrupt(
            rc,
            &input.period_id,
            NaiveDate::from(input.starts_on),
            input.ends_on.map(NaiveDate::from),
            &input.reason,
        )
        .await?;
        period_node(rc, row).await
    }

    /// Records a service-wide interruption (such as the 2020 closure): attendance of every
    /// period is refused during it.
    #[graphql(visible = "super::visible::rehab")]
    async fn record_service_interruption(
        &self,
        ctx: &Context<'_>,
        input: RecordServiceInterruptionInput,
    ) -> Result<ServiceInterruption> {
        let rc = request(ctx, "recordServiceInterruption")?;
        let row = rehab::record_service_interruption(
            rc,
            NaiveDate::from(input.starts_on),
            input.ends_on.into(),
            &input.reason,
        )
        .await?;
        Ok(ServiceInterruption {
            id: ID(row.id),
            starts_on: row.starts_on.into(),
            ends_on: row.ends_on.into(),
            reason: row.reason,
        })
    }

    /// Records activity days (the placement's coaches and county workers only) and
    /// recomputes the allowances of the months they fall in.
    #[graphql(visible = "super::visible::attendance")]
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<RecordAttendancePayload> {
        let rc = request(ctx, "recordAttendance")?;
        let days = input
            .days
            .into_iter()
            .map(|d| Day {
                date: NaiveDate::from(d.date),
                present: d.present,
                absence_reason: d.absence_reason,
            })
            .collect();
        let done = attendance::record(rc, &input.period_id, days).await?;
        Ok(RecordAttendancePayload {
            recorded: done.recorded,
            unchanged: done.unchanged,
        })
    }
}
