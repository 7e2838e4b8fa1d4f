//! Local or uncertain rules of domain.md, as settings with their documented defaults.

use serde::Deserialize;

/// Domain settings (`TYPGRAPH_*` variables override the defaults; see README).
#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// A closed TYP case keeps the client a TYP client for this many years (retention of
    /// working-age social services documents).
    pub typ_case_retention_years: u32,
    /// Length of the mapping period (kartoitusjakso) in months.
    pub mapping_period_months: u32,
    /// Review interval of a multi-sector plan in months.
    pub plan_review_months: u32,
    /// How far ahead the meeting brief lists upcoming period ends and reviews, in days.
    pub brief_horizon_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            typ_case_retention_years: 10,
            mapping_period_months: 3,
            plan_review_months: 6,
            brief_horizon_days: 60,
        }
    }
}
