//! The client's benefit status: Kela's record of the unemployment benefit, the county's of
//! social assistance. Each day's status decides who pays its KTT allowance.

use async_graphql::{InputObject, ID};

use crate::graphql::engine::scalars::Date;
use crate::graphql::types::benefit_status::{
    BenefitStatusNode, SocialAssistanceNode, UnemploymentBenefitKind,
};
use crate::services::benefit_status::{self, NewStatus};

/// Benefit statuses (Kela) and social assistance (the county).
#[derive(Default)]
pub struct BenefitMutations;

/// Input of `recordBenefitStatus`.
#[derive(InputObject)]
pub struct RecordBenefitStatusInput {
    pub client_id: ID,
    pub kind: UnemploymentBenefitKind,
    /// The unemployment fund paying an earnings-related allowance; required for it and
    /// only for it.
    pub fund_name: Option<String>,
    /// First day in force.
    pub valid_from: Date,
    /// Last day in force; until further notice when omitted.
    pub valid_to: Option<Date>,
}

/// Input of `recordSocialAssistance`.
#[derive(InputObject)]
pub struct RecordSocialAssistanceInput {
    pub client_id: ID,
    /// First day in force.
    pub valid_from: Date,
    /// Last day in force; until further notice when omitted.
    pub valid_to: Option<Date>,
}

/// Input of `endBenefitStatus` and `endSocialAssistance`.
#[derive(InputObject)]
pub struct EndBenefitStatusInput {
    pub id: ID,
    /// The last day in force; before the day it ended so far.
    pub valid_to: Date,
}

written_mutations! {
    BenefitMutations;

    /// Records the client's unemployment benefit (Kela's record, BENEFIT write; Kela only)
    /// from `validFrom`. An open-ended status that began earlier ends the day before; any
    /// other overlap is `CONFLICT`. The allowance lines of the days it covers are
    /// recomputed.
    #[graphql(visible = "super::visible::kela_benefit")]
    record_benefit_status(input: RecordBenefitStatusInput) -> BenefitStatusNode =
        "recordBenefitStatus",
        |rc| benefit_status::record(rc, NewStatus {
            client_id: input.client_id.to_string(),
            kind: input.kind.into(),
            fund_name: input.fund_name,
            valid_from: input.valid_from.into(),
            valid_to: input.valid_to.map(Into::into),
        });

    /// Ends an unemployment benefit status on `validTo` (Kela only); the allowance lines
    /// of the days after it are recomputed.
    #[graphql(visible = "super::visible::kela_benefit")]
    end_benefit_status(input: EndBenefitStatusInput) -> BenefitStatusNode =
        "endBenefitStatus",
        |rc| benefit_status::end(rc, &input.id, false, input.valid_to.into());

    /// Records that the client is on social assistance (toimeentulotuki; the county's
    /// record, SOCIAL write) from `validFrom`: attended KTT days without an unemployment
    /// benefit then earn the county's toimintaraha. Overlaps as `recordBenefitStatus`.
    #[graphql(visible = "super::visible::social")]
    record_social_assistance(input: RecordSocialAssistanceInput) -> SocialAssistanceNode =
        "recordSocialAssistance",
        |rc| benefit_status::record(rc, NewStatus {
            client_id: input.client_id.to_string(),
            kind: crate::domain::benefit::BenefitKind::SocialAssistance,
            fund_name: None,
            valid_from: input.valid_from.into(),
            valid_to: input.valid_to.map(Into::into),
        });

    /// Ends social assistance on `validTo` (the county); the allowance lines of the days
    /// after it are recomputed.
    #[graphql(visible = "super::visible::social")]
    end_social_assistance(input: EndBenefitStatusInput) -> SocialAssistanceNode =
        "endSocialAssistance",
        |rc| benefit_status::end(rc, &input.id, true, input.valid_to.into());
}
