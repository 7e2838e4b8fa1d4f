//! How a TYP case ends, and where the client is at the follow-ups after it.

crate::closed_set! {
/// How a TYP case ended.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CaseOutcome {
    /// To studies.
    Studies = "STUDIES",
    /// To pay-subsidised work.
    PaySubsidisedWork = "PAY_SUBSIDISED_WORK",
    /// To the open labour market.
    OpenLabourMarket = "OPEN_LABOUR_MARKET",
    /// To a work-ability assessment period.
    WorkAbilityAssessment = "WORK_ABILITY_ASSESSMENT",
    /// To a new KTT period.
    NewRehabPeriod = "NEW_REHAB_PERIOD",
    /// To pension, after a pension investigation.
    Pension = "PENSION",
    /// Moved away.
    Moved = "MOVED",
    /// Other.
    Other = "OTHER",
}
}

crate::closed_set! {
/// Labour-market status at a follow-up.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FollowUpStatus {
    Employed = "EMPLOYED",
    PaySubsidisedWork = "PAY_SUBSIDISED_WORK",
    Studying = "STUDYING",
    Unemployed = "UNEMPLOYED",
    Rehabilitation = "REHABILITATION",
    Pension = "PENSION",
    OutsideLabourForce = "OUTSIDE_LABOUR_FORCE",
    Unknown = "UNKNOWN",
}
}
