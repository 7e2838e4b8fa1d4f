//! Closed sets of the API.

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
    type Err = crate::domain::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseOutcome::ALL
            .into_iter()
            .find(|o| o.code() == s)
            .ok_or(crate::domain::UnknownCode)
    }
}

/// Kinds of KTT and coaching providers.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ProviderKind {
    /// The county's own workshop (työpaja).
    CountyWorkshop,
    /// The county's own activity centre (toimintakeskus).
    CountyActivityCentre,
    /// A service-voucher provider (palvelusetelituottaja).
    VoucherProvider,
    /// A third-sector organisation (järjestö).
    ThirdSector,
}

impl ProviderKind {
    pub fn code(self) -> &'static str {
        match self {
            ProviderKind::CountyWorkshop => "COUNTY_WORKSHOP",
            ProviderKind::CountyActivityCentre => "COUNTY_ACTIVITY_CENTRE",
            ProviderKind::VoucherProvider => "VOUCHER_PROVIDER",
            ProviderKind::ThirdSector => "THIRD_SECTOR",
        }
    }
}

impl FromStr for ProviderKind {
    type Err = crate::domain::UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "COUNTY_WORKSHOP" => ProviderKind::CountyWorkshop,
            "COUNTY_ACTIVITY_CENTRE" => ProviderKind::CountyActivityCentre,
            "VOUCHER_PROVIDER" => ProviderKind::VoucherProvider,
            "THIRD_SECTOR" => ProviderKind::ThirdSector,
            _ => return Err(crate::domain::UnknownCode),
        })
    }
}

/// Parses a stored code, logging (not failing) on an unknown one.
pub fn parse_code<T: FromStr>(code: &str) -> Option<T> {
    let parsed = code.parse().ok();
    if parsed.is_none() {
        tracing::warn!(code, "unknown stored code");
    }
    parsed
}
