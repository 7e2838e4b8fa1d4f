//! Work and employers: the business id (Y-tunnus), what followed pay-subsidised work, and
//! the service track of a TYP case.

crate::closed_set! {
/// What followed the end of pay-subsidised employment.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SubsidyFollowUp {
    /// Work on the open labour market, with the same employer or another, without subsidy.
    OpenLabourMarket = "OPEN_LABOUR_MARKET",
    /// Studies.
    Studies = "STUDIES",
    /// Unemployment.
    Unemployment = "UNEMPLOYMENT",
    /// Anything else (a service, rehabilitation, outside the labour force).
    Other = "OTHER",
}
}

crate::closed_set! {
/// The service track of a TYP case: which kind of TYP client the person is.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ServiceTrack {
    /// The multi-sector service (monialainen palvelu): the authorities' joint plan.
    MultiSector = "MULTI_SECTOR",
    /// Individual support (yksilöllinen tuki): a client served mainly by one-to-one
    /// coaching and support.
    IndividualSupport = "INDIVIDUAL_SUPPORT",
}
}

/// Checks a Finnish business id (Y-tunnus) `NNNNNNN-C`: seven digits, a hyphen and a check
/// digit. The check digit is the weighted sum of the seven digits (weights 7, 9, 10, 5, 8,
/// 4, 2) modulo 11: 0 gives 0, 1 is never issued, any other remainder `r` gives `11 - r`.
/// An id of the old six-digit form is written with a leading zero.
pub fn business_id_is_valid(id: &str) -> bool {
    let bytes = id.as_bytes();
    if bytes.len() != 9 || bytes[7] != b'-' {
        return false;
    }
    if !bytes[..7].iter().chain(&bytes[8..]).all(u8::is_ascii_digit) {
        return false;
    }
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..7]
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = match sum % 11 {
        0 => 0,
        1 => return false,
        r => 11 - r,
    };
    u32::from(bytes[8] - b'0') == check
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ids_are_checked_by_their_check_digit() {
        assert!(business_id_is_valid("0112038-9"));
        assert!(business_id_is_valid("1572860-0"));
        assert!(!business_id_is_valid("0112038-8"), "wrong check digit");
        assert!(!business_id_is_valid("112038-9"), "six digits");
        assert!(!business_id_is_valid("01120389"), "no hyphen");
        assert!(!business_id_is_valid("0112O38-9"), "a letter");
        assert!(business_id_is_valid("0000005-1"));
        // Remainder 1 (6 × 2 = 12): no id is issued with it, whatever its last digit.
        for last in 0..=9 {
            assert!(!business_id_is_valid(&format!("0000006-{last}")));
        }
    }
}
