//! Closed sets of the API.

use std::str::FromStr;

pub use crate::domain::outcome::CaseOutcome;

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
