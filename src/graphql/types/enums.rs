//! Closed sets of the API.

use std::str::FromStr;

pub use crate::domain::outcome::CaseOutcome;

pub use crate::domain::provider::ProviderKind;

/// Parses a stored code, logging (not failing) on an unknown one.
pub fn parse_code<T: FromStr>(code: &str) -> Option<T> {
    let parsed = code.parse().ok();
    if parsed.is_none() {
        tracing::warn!(code, "unknown stored code");
    }
    parsed
}
