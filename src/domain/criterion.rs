//! Why a client is a TYP client.

crate::closed_set! {
/// Which criterion made the client a TYP client (act 1369/2014 § 2; a setting under act
/// 381/2023).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    LabourMarketSubsidy300Days = "LABOUR_MARKET_SUBSIDY_300_DAYS",
    Unemployed12Months25Plus = "UNEMPLOYED_12_MONTHS_25_PLUS",
    Unemployed6MonthsUnder25 = "UNEMPLOYED_6_MONTHS_UNDER_25",
    JointAssessment = "JOINT_ASSESSMENT",
}
}
