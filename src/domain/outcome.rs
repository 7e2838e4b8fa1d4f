//! How a TYP case ends (domain.md, "Ending").

use std::str::FromStr;

/// How a TYP case ended (domain.md, "Ending").
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum CaseOutcome {
    /// To studies.
    Studies,
    /// To pay-subsidised work.
    PaySubsidisedWork,
    /// To the open labour market.
    OpenLabourMarket,
    /// To a work-ability assessment period.
    WorkAbilityAssessment,
    /// To a new KTT period.
    NewRehabPeriod,
    /// To pension, after a pension investigation.
    Pension,
    /// Moved away.
    Moved,
    /// Other.
    Other,
}

impl CaseOutcome {
    pub const ALL: [CaseOutcome; 8] = [
        CaseOutcome::Studies,
        CaseOutcome::PaySubsidisedWork,
        CaseOutcome::OpenLabourMarket,
        CaseOutcome::WorkAbilityAssessment,
        CaseOutcome::NewRehabPeriod,
        CaseOutcome::Pension,
        CaseOutcome::Moved,
        CaseOutcome::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseOutcome::Studies => "STUDIES",
            CaseOutcome::PaySubsidisedWork => "PAY_SUBSIDISED_WORK",
            CaseOutcome::OpenLabourMarket => "OPEN_LABOUR_MARKET",
            CaseOutcome::WorkAbilityAssessment => "WORK_ABILITY_ASSESSMENT",
            CaseOutcome::NewRehabPeriod => "NEW_REHAB_PERIOD",
            CaseOutcome::Pension => "PENSION",
            CaseOutcome::Moved => "MOVED",
            CaseOutcome::Other => "OTHER",
        }
    }
}

impl FromStr for CaseOutcome {
    type Err = super::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseOutcome::ALL
            .into_iter()
            .find(|o| o.code() == s)
            .ok_or(super::UnknownCode)
    }
}
