//! Job coaching and service-voucher mutations (group COACHING): orders, hours used, vouchers
//! granted, chosen, answered and placed, and the county's approvals of voucher providers.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::request;
use crate::graphql::engine::scalars::Date;
use crate::graphql::types::agency_records::CoachingNode;
use crate::graphql::types::coaching::{
    CoachingKind, VoucherApprovalNode, VoucherKind, VoucherNode, VoucherUnit,
};
use crate::services::coaching::{self, NewCoaching};
use crate::services::voucher::{self, NewVoucher};

/// Input of `orderJobCoaching`.
#[derive(InputObject)]
pub struct OrderJobCoachingInput {
    pub client_id: ID,
    pub kind: CoachingKind,
    /// The provider giving it: required for the employment authority's purchase; under a
    /// voucher, the provider the client chose.
    pub provider_id: Option<ID>,
    /// Hours bought (1–500; the employment authority within its cap per client).
    pub hours: i32,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// An accepted coaching voucher of the client (the county's order through a voucher
    /// provider).
    pub voucher_id: Option<ID>,
}

/// Input of `recordCoachingHours`.
#[derive(InputObject)]
pub struct RecordCoachingHoursInput {
    pub coaching_id: ID,
    /// The day coached (not in the future; within the coaching and any voucher).
    pub worked_on: Date,
    /// Hours (1–24), never beyond the hours bought.
    pub hours: i32,
}

/// Input of `grantServiceVoucher`.
#[derive(InputObject)]
pub struct GrantServiceVoucherInput {
    pub client_id: ID,
    pub kind: VoucherKind,
    /// DAY or MONTH for KTT, HOUR or MONTH for coaching.
    pub unit: VoucherUnit,
    /// Value per unit in cents.
    pub value_cents: i64,
    /// Days (KTT) or hours (coaching) granted (1–1000).
    pub quantity: i32,
    pub valid_from: Date,
    pub valid_until: Date,
}

/// Input of `chooseVoucherProvider`.
#[derive(InputObject)]
pub struct ChooseVoucherProviderInput {
    pub voucher_id: ID,
    /// A provider approved for the voucher's kind.
    pub provider_id: ID,
}

/// Input of `answerServiceVoucher`.
#[derive(InputObject)]
pub struct AnswerServiceVoucherInput {
    pub voucher_id: ID,
    pub accept: bool,
    /// Required when declining.
    pub decline_reason: Option<String>,
}

/// Input of `placeVoucherPeriod`.
#[derive(InputObject)]
pub struct PlaceVoucherPeriodInput {
    pub voucher_id: ID,
    /// A KTT period of the client at the provider the client chose.
    pub period_id: ID,
}

/// Input of `approveVoucherProvider` and `withdrawVoucherProviderApproval`.
#[derive(InputObject)]
pub struct VoucherProviderInput {
    pub provider_id: ID,
    pub kind: VoucherKind,
}

#[derive(Default)]
pub struct CoachingMutations;

written_mutations! {
    CoachingMutations;

    /// Orders job coaching (työhönvalmennus) for a client: the employment authority's expert
    /// as a purchased service within its cap per client (beyond it: `BAD_USER_INPUT` on
    /// `hours` with `extensions.hoursLeft`), the county's worker from its own services or
    /// under an accepted coaching voucher.
    #[graphql(visible = "super::visible::coaching")]
    order_job_coaching(input: OrderJobCoachingInput) -> CoachingNode = "orderJobCoaching",
        |rc| coaching::order(rc, NewCoaching {
            client_id: input.client_id.to_string(),
            kind: input.kind.code(),
            provider_id: input.provider_id.map(|p| p.to_string()),
            hours: input.hours,
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
            voucher_id: input.voucher_id.map(|v| v.to_string()),
        });

    /// Records coaching hours used on a day: the provider's coach (its own provider's
    /// coaching) or the ordering agency; never beyond the hours bought.
    #[graphql(visible = "super::visible::coaching")]
    record_coaching_hours(input: RecordCoachingHoursInput) -> CoachingNode = "recordCoachingHours",
        |rc| coaching::record_hours(rc, &input.coaching_id, input.worked_on.0, input.hours);

    /// The county grants a service voucher (palveluseteli) for KTT or job coaching.
    #[graphql(visible = "super::visible::coaching")]
    grant_service_voucher(input: GrantServiceVoucherInput) -> VoucherNode = "grantServiceVoucher",
        |rc| voucher::grant(rc, NewVoucher {
            client_id: input.client_id.to_string(),
            kind: input.kind.code(),
            unit: input.unit.code(),
            value_cents: input.value_cents,
            quantity: input.quantity,
            valid_from: input.valid_from.0,
            valid_until: input.valid_until.0,
        });

    /// The county records the client's choice of a provider approved for the voucher's kind.
    #[graphql(visible = "super::visible::coaching")]
    choose_voucher_provider(input: ChooseVoucherProviderInput) -> VoucherNode = "chooseVoucherProvider",
        |rc| voucher::choose(rc, &input.voucher_id, &input.provider_id);

    /// The chosen provider's coach accepts the voucher or declines it with a reason.
    #[graphql(visible = "super::visible::coaching")]
    answer_service_voucher(input: AnswerServiceVoucherInput) -> VoucherNode = "answerServiceVoucher",
        |rc| voucher::answer(rc, &input.voucher_id, input.accept, input.decline_reason.as_deref());

    /// The county places a KTT period at the chosen provider under an accepted KTT voucher.
    #[graphql(visible = "super::visible::coaching")]
    place_voucher_period(input: PlaceVoucherPeriodInput) -> VoucherNode = "placeVoucherPeriod",
        |rc| voucher::place_period(rc, &input.voucher_id, &input.period_id);
}

#[derive(Default)]
pub struct VoucherApprovalMutations;

#[Object]
impl VoucherApprovalMutations {
    /// The county approves a provider for a kind of service voucher (act 569/2009 s. 5).
    #[graphql(visible = "super::visible::coaching")]
    async fn approve_voucher_provider(
        &self,
        ctx: &Context<'_>,
        input: VoucherProviderInput,
    ) -> Result<VoucherApprovalNode> {
        let rc = request(ctx, "approveVoucherProvider")?;
        let row = voucher::approve_provider(rc, &input.provider_id, input.kind.code()).await?;
        Ok(VoucherApprovalNode { row })
    }

    /// The county withdraws a provider's approval from today.
    #[graphql(visible = "super::visible::coaching")]
    async fn withdraw_voucher_provider_approval(
        &self,
        ctx: &Context<'_>,
        input: VoucherProviderInput,
    ) -> Result<VoucherApprovalNode> {
        let rc = request(ctx, "withdrawVoucherProviderApproval")?;
        let row = voucher::withdraw_approval(rc, &input.provider_id, input.kind.code()).await?;
        Ok(VoucherApprovalNode { row })
    }
}
