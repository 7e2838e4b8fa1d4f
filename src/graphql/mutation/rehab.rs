//! KTT periods and attendance.

use crate::graphql::engine::scalars::Date;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::ktt_decision::KttDecisionTermsInput;
use super::request;
use crate::domain::calendar::{AttendanceException, RehabPeriodOutcome, Weekday};
use crate::graphql::types::rehab::RehabPeriodNode;
use crate::services::attendance::{self, Day};
use crate::services::ktt_decision::{self, Decided, EarlyEnd, Grant};
use crate::services::rehab::{self, NewPeriod, PeriodOutcome};
use crate::services::service_interruption::{self, InterruptionInput};

/// KTT periods: decided, ended early, interrupted.
#[derive(Default)]
pub struct RehabMutations;

/// Service-wide interruptions, and the attendance days they and the periods govern.
#[derive(Default)]
pub struct AttendanceMutations;

/// Input of `decideRehabPeriod` (act 189/2001: 3–24 months, 1–4 days a week, 4–8 hours a
/// day, at most 32 hours a week): the grant decision of the period. The decision's own
/// terms (dates, hearing, reasons, allowances) are those of every KTT decision.
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
    /// The weekly schedule: as many weekdays as `daysPerWeek`, none twice; the first
    /// `daysPerWeek` days from Monday when omitted. Attendance is recorded on these days
    /// only.
    pub weekdays: Option<Vec<Weekday>>,
    /// The exceptions the decision allows: a day outside the schedule or on a public
    /// holiday (or a closure day of the settings) may be recorded with one of these
    /// reasons. None when omitted.
    pub allowed_exceptions: Option<Vec<AttendanceException>>,
    /// Fare of one attended day at the cheapest means of travel (a return ticket), in
    /// cents; the configured default fare when omitted.
    pub travel_fare_cents: Option<i64>,
    /// Price of a monthly period ticket, in cents, when one serves: a month's travel is
    /// compensated at the ticket's price when that is cheaper than the day fares.
    pub travel_ticket_cents_month: Option<i64>,
    /// The day of the decision: not ahead, at most `TYPGRAPH_KTT_DECISION_BACK_DAYS` back;
    /// the period starts on or after it.
    pub decided_on: Date,
    /// The day the client is served the decision: not before `decidedOn`, at most
    /// `TYPGRAPH_KTT_PRESUMED_SERVICE_DAYS` ahead.
    pub served_on: Date,
    /// The day the client was heard (not after `decidedOn`); or give `hearingOmittedReason`.
    pub hearing_on: Option<Date>,
    /// Why the client was not heard (Administrative Procedure Act 434/2003 s. 34(2)).
    pub hearing_omitted_reason: Option<String>,
    /// The reasons; not required for a grant as applied for.
    pub reasoning: Option<String>,
    /// The county pays toimintaraha (only for a client on social assistance).
    #[graphql(default = false)]
    pub toimintaraha: bool,
}

/// Input of `endRehabPeriodEarly`: the early end is the county's terminating decision
/// (`terms`). Days recorded after `endedOn` are voided (kept, with who, when and why) and
/// their months' allowances recomputed.
#[derive(InputObject)]
pub struct EndRehabPeriodEarlyInput {
    pub period_id: ID,
    /// The period's last day: within it, and not before `terms.decidedOn`.
    pub ended_on: Date,
    /// Why the period ends: the decision's reasons unless `terms.reasoning` gives them.
    pub reason: String,
    /// The terminating decision: its dates, the hearing (or why it was omitted).
    pub terms: KttDecisionTermsInput,
    /// How the period ended; may also be recorded later (`recordRehabPeriodOutcome`).
    pub outcome: Option<RehabPeriodOutcome>,
    /// A later KTT period of the client that follows this one (needs `outcome`).
    pub followed_by_period_id: Option<ID>,
    /// A work-ability assessment of the client that follows this period (needs `outcome`).
    pub followed_by_assessment_id: Option<ID>,
}

/// Input of `recordRehabPeriodOutcome`: how a period that has ended (early, or as decided)
/// ended, and what followed it. Recording it again corrects it.
#[derive(InputObject)]
pub struct RecordRehabPeriodOutcomeInput {
    pub period_id: ID,
    pub outcome: RehabPeriodOutcome,
    /// A later KTT period of the client that follows this one.
    pub followed_by_period_id: Option<ID>,
    /// A work-ability assessment of the client that follows this period.
    pub followed_by_assessment_id: Option<ID>,
}

/// The outcome an input states, if any: naming what followed without an outcome is
/// refused.
pub fn outcome_of(
    outcome: Option<RehabPeriodOutcome>,
    followed_by_period_id: Option<ID>,
    followed_by_assessment_id: Option<ID>,
    field: &str,
) -> crate::error::AppResult<Option<PeriodOutcome>> {
    match outcome {
        Some(outcome) => Ok(Some(PeriodOutcome {
            outcome,
            followed_by_period_id: followed_by_period_id.map(|i| i.0),
            followed_by_assessment_id: followed_by_assessment_id.map(|i| i.0),
        })),
        None if followed_by_period_id.is_some() || followed_by_assessment_id.is_some() => Err(
            crate::error::AppError::bad_input(field, "name the outcome with what followed"),
        ),
        None => Ok(None),
    }
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

/// Input of `recordServiceInterruption`: the range starts at most
/// `TYPGRAPH_SERVICE_INTERRUPTION_BACK_DAYS` days back (30 by default), ends at most a year
/// ahead and lasts at most a year.
#[derive(InputObject)]
pub struct RecordServiceInterruptionInput {
    pub starts_on: Date,
    pub ends_on: Date,
    /// The provider whose service is interrupted; every provider when omitted.
    pub provider_id: Option<ID>,
    /// Why the service is interrupted (recorded with who recorded it).
    pub reason: String,
}

/// Input of `correctServiceInterruption`: the interruption as it should stand. A start
/// left as it was may lie further back than a new one could.
#[derive(InputObject)]
pub struct CorrectServiceInterruptionInput {
    pub id: ID,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Every provider when omitted.
    pub provider_id: Option<ID>,
    /// Why the service is interrupted.
    pub reason: String,
    /// Why the interruption is corrected (logged).
    pub correction_reason: String,
}

/// Input of `cancelServiceInterruption`.
#[derive(InputObject)]
pub struct CancelServiceInterruptionInput {
    pub id: ID,
    /// Why it is cancelled (kept on the interruption and logged).
    pub reason: String,
}

/// A service-wide interruption of KTT (the organiser's act): attendance of every period it
/// covers is refused while it stands.
#[derive(SimpleObject)]
pub struct ServiceInterruption {
    pub id: ID,
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
    /// The provider closed; `null` for every provider.
    pub provider_id: Option<ID>,
    /// The official who recorded it (`null` for interruptions that came in as data).
    pub recorded_by: Option<ID>,
    pub recorded_at: Option<DateTime<Utc>>,
    /// Set when it was cancelled: it no longer stops attendance.
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<ID>,
    pub cancel_reason: Option<String>,
}

impl From<entity::service_interruption::Model> for ServiceInterruption {
    fn from(row: entity::service_interruption::Model) -> Self {
        ServiceInterruption {
            id: ID(row.id),
            starts_on: row.starts_on.into(),
            ends_on: row.ends_on.into(),
            reason: row.reason,
            provider_id: row.provider_id.map(ID),
            recorded_by: row.recorded_by.map(ID),
            recorded_at: row.recorded_at,
            cancelled_at: row.cancelled_at,
            cancelled_by: row.cancelled_by.map(ID),
            cancel_reason: row.cancel_reason,
        }
    }
}

/// One activity day.
#[derive(InputObject)]
pub struct AttendanceDayInput {
    pub date: Date,
    pub present: bool,
    /// Required for an absence.
    pub absence_reason: Option<String>,
    /// Needed for a day outside the period's weekdays or on a public holiday (or a closure
    /// day of the settings): one of the exceptions the decision allows.
    pub exception_reason: Option<AttendanceException>,
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

impl From<DecideRehabPeriodInput> for Grant {
    fn from(input: DecideRehabPeriodInput) -> Self {
        Grant {
            period: NewPeriod {
                client_id: input.client_id.to_string(),
                provider_id: input.provider_id.to_string(),
                starts_on: NaiveDate::from(input.starts_on),
                ends_on: input.ends_on.into(),
                days_per_week: input.days_per_week,
                hours_per_day: input.hours_per_day,
                goal: input.goal,
                support_needs: input.support_needs,
                travel_distance_km: input.travel_distance_km,
                weekdays: input.weekdays,
                allowed_exceptions: input.allowed_exceptions.unwrap_or_default(),
                travel_fare_cents: input.travel_fare_cents,
                travel_ticket_cents_month: input.travel_ticket_cents_month,
            },
            decided: Decided {
                decided_on: input.decided_on.into(),
                served_on: input.served_on.into(),
                hearing_on: input.hearing_on.map(NaiveDate::from),
                hearing_omitted_reason: input.hearing_omitted_reason,
                reasoning: input.reasoning,
            },
            toimintaraha: input.toimintaraha,
        }
    }
}

written_mutations! {
    RehabMutations;

    /// Grants a rehabilitative work activity period: the county's grant decision (REHAB
    /// write, and the power to decide delegated to the caller, a county official:
    /// FORBIDDEN otherwise). The period rests on the plan in force holding a KTT item
    /// agreed by its start (BAD_USER_INPUT on `planItem` otherwise); the employment
    /// authority gets a start notice.
    #[graphql(visible = "super::visible::rehab")]
    decide_rehab_period(input: DecideRehabPeriodInput) -> RehabPeriodNode = "decideRehabPeriod",
        |rc| ktt_decision::grant(rc, input.into());

    /// Ends a period early by the county's terminating decision (the decider's power, as
    /// `terminateRehabPeriod`: FORBIDDEN otherwise) and, when given, its outcome. Days
    /// recorded after the end are voided and the allowances of their months recomputed;
    /// the employment authority gets a notice.
    #[graphql(visible = "super::visible::rehab")]
    end_rehab_period_early(input: EndRehabPeriodEarlyInput) -> RehabPeriodNode =
        "endRehabPeriodEarly", |rc| async move {
            let outcome = outcome_of(
                input.outcome,
                input.followed_by_period_id,
                input.followed_by_assessment_id,
                "outcome",
            )?;
            let mut decided: Decided = input.terms.into();
            decided.reasoning = decided.reasoning.or(Some(input.reason));
            ktt_decision::end_early(rc, EarlyEnd {
                period_id: input.period_id.0,
                ended_on: input.ended_on.into(),
                decided,
                outcome,
            })
            .await
        };

    /// Records how a period that has ended (early, or as decided) ended and what followed
    /// it (`CONFLICT` while it runs); recording it again corrects it.
    #[graphql(visible = "super::visible::rehab")]
    record_rehab_period_outcome(input: RecordRehabPeriodOutcomeInput) -> RehabPeriodNode =
        "recordRehabPeriodOutcome", |rc| {
            let outcome = PeriodOutcome {
                outcome: input.outcome,
                followed_by_period_id: input.followed_by_period_id.map(|i| i.0),
                followed_by_assessment_id: input.followed_by_assessment_id.map(|i| i.0),
            };
            rehab::record_outcome(rc, &input.period_id, outcome)
        };

    /// Interrupts a period for a while; attendance is refused during the interruption, and
    /// days already recorded within it are voided (their allowances recomputed).
    #[graphql(visible = "super::visible::rehab")]
    interrupt_rehab_period(input: InterruptRehabPeriodInput) -> RehabPeriodNode =
        "interruptRehabPeriod", |rc| {
            let (starts_on, ends_on) = (input.starts_on.0, input.ends_on.map(|d| d.0));
            rehab::interrupt(rc, &input.period_id, starts_on, ends_on, &input.reason)
        };
}

#[Object]
impl AttendanceMutations {
    /// Records a service-wide interruption (such as the 2020 closure) of one provider or
    /// all: attendance of every period it covers is refused while it stands. The
    /// organiser's act (county management); logged with who and why.
    #[graphql(visible = "super::visible::service_interruptions")]
    async fn record_service_interruption(
        &self,
        ctx: &Context<'_>,
        input: RecordServiceInterruptionInput,
    ) -> Result<ServiceInterruption> {
        let rc = request(ctx, "recordServiceInterruption")?;
        let row = service_interruption::record(
            rc,
            InterruptionInput {
                starts_on: input.starts_on.into(),
                ends_on: input.ends_on.into(),
                provider_id: input.provider_id.map(|p| p.0),
                reason: input.reason,
            },
        )
        .await?;
        Ok(row.into())
    }

    /// Corrects a standing service-wide interruption (range, provider, reason); logged with
    /// who and why. `CONFLICT` once it is cancelled.
    #[graphql(visible = "super::visible::service_interruptions")]
    async fn correct_service_interruption(
        &self,
        ctx: &Context<'_>,
        input: CorrectServiceInterruptionInput,
    ) -> Result<ServiceInterruption> {
        let rc = request(ctx, "correctServiceInterruption")?;
        let row = service_interruption::correct(
            rc,
            &input.id,
            InterruptionInput {
                starts_on: input.starts_on.into(),
                ends_on: input.ends_on.into(),
                provider_id: input.provider_id.map(|p| p.0),
                reason: input.reason,
            },
            &input.correction_reason,
        )
        .await?;
        Ok(row.into())
    }

    /// Cancels a service-wide interruption: it stays on record, marked with who and why,
    /// and no longer stops attendance; logged. `CONFLICT` if it was cancelled already.
    #[graphql(visible = "super::visible::service_interruptions")]
    async fn cancel_service_interruption(
        &self,
        ctx: &Context<'_>,
        input: CancelServiceInterruptionInput,
    ) -> Result<ServiceInterruption> {
        let rc = request(ctx, "cancelServiceInterruption")?;
        let row = service_interruption::cancel(rc, &input.id, &input.reason).await?;
        Ok(row.into())
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
                exception: d.exception_reason,
            })
            .collect();
        let done = attendance::record(rc, &input.period_id, days).await?;
        Ok(RecordAttendancePayload {
            recorded: done.recorded,
            unchanged: done.unchanged,
        })
    }
}
