//! Finnish personal identity code (henkilötunnus): `DDMMYYCZZZQ`.
//!
//! The century sign is part of identity (`100190-999P` and `100190Y999P` are two people), so
//! codes are stored as given in upper case and never normalised; sex is never derived.
//!
//! The individual number `ZZZ` is 002–899 in a permanent code and 900–999 in a temporary
//! one (given by an authority before the population register assigns the permanent code);
//! 000 and 001 are never assigned (act 661/2009 on the population information system,
//! § 11, and the Digital and Population Data Services Agency's rules on the code).

use chrono::NaiveDate;

const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidCode {
    Length,
    Format,
    CenturySign,
    NoSuchDate,
    CheckCharacter,
    /// 000 or 001: never assigned.
    IndividualNumber,
    /// The date of birth is after the day the code is given.
    FutureBirthDate,
}

impl InvalidCode {
    pub fn message(&self) -> &'static str {
        match self {
            InvalidCode::Length => "a personal identity code has 11 characters",
            InvalidCode::Format => "a personal identity code is DDMMYYCZZZQ with digits in place",
            InvalidCode::CenturySign => "unknown century sign",
            InvalidCode::NoSuchDate => "the date of birth does not exist",
            InvalidCode::CheckCharacter => "the check character does not match",
            InvalidCode::IndividualNumber => "the individual number 000 or 001 is never assigned",
            InvalidCode::FutureBirthDate => "the date of birth is in the future",
        }
    }
}

fn century(sign: u8) -> Option<i32> {
    match sign {
        b'+' => Some(1800),
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => Some(1900),
        b'A' | b'B' | b'C' | b'D' | b'E' | b'F' => Some(2000),
        _ => None,
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |acc, c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// The check character for a date part `DDMMYY` and individual number `ZZZ`.
pub fn check_character(ddmmyy: u32, individual: u32) -> char {
    let n = ddmmyy * 1000 + individual;
    char::from(CHECK_CHARS[(n % 31) as usize])
}

/// Validates a code (upper-casing it first) and returns it with the date of birth.
pub fn parse(code: &str) -> Result<(String, NaiveDate), InvalidCode> {
    let upper = code.trim().to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() != 11 {
        return Err(InvalidCode::Length);
    }
    let (date, sign, individual, check) = (&b[0..6], b[6], &b[7..10], b[10]);
    let ddmmyy = digits(date).ok_or(InvalidCode::Format)?;
    let zzz = digits(individual).ok_or(InvalidCode::Format)?;
    let base = century(sign).ok_or(InvalidCode::CenturySign)?;
    let (dd, mm, yy) = (ddmmyy / 10000, ddmmyy / 100 % 100, ddmmyy % 100);
    let born = NaiveDate::from_ymd_opt(base + yy as i32, mm, dd).ok_or(InvalidCode::NoSuchDate)?;
    if char::from(check) != check_character(ddmmyy, zzz) {
        return Err(InvalidCode::CheckCharacter);
    }
    Ok((upper, born))
}

/// The lowest individual number ever assigned.
const FIRST_INDIVIDUAL_NUMBER: u32 = 2;

/// The lowest individual number of a temporary code.
const FIRST_TEMPORARY_NUMBER: u32 = 900;

/// A code as given for a person on `today`: [`parse`], an individual number that is
/// assigned (002–999), and a date of birth no later than `today` (a code of someone not yet
/// born is a typing error). Codes already stored are read with [`parse`].
pub fn parse_on(code: &str, today: NaiveDate) -> Result<(String, NaiveDate), InvalidCode> {
    let (code, born) = parse(code)?;
    let zzz = code
        .get(7..10)
        .and_then(|zzz| digits(zzz.as_bytes()))
        .unwrap_or(0);
    if zzz < FIRST_INDIVIDUAL_NUMBER {
        return Err(InvalidCode::IndividualNumber);
    }
    if born > today {
        return Err(InvalidCode::FutureBirthDate);
    }
    Ok((code, born))
}

/// Whether a valid code is temporary (individual number 900–999).
pub fn is_temporary(code: &str) -> bool {
    code.get(7..10)
        .and_then(|zzz| digits(zzz.as_bytes()))
        .is_some_and(|zzz| zzz >= FIRST_TEMPORARY_NUMBER)
}

/// Builds a valid code; used by the demo data (individual numbers 900–999 only).
pub fn format(born: NaiveDate, individual: u32) -> String {
    use chrono::Datelike;
    let sign = match born.year() {
        y if y < 1900 => '+',
        y if y < 2000 => '-',
        _ => 'A',
    };
    let ddmmyy = born.day() * 10000 + born.month() * 100 + (born.year() % 100) as u32;
    format!(
        "{ddmmyy:06}{sign}{individual:03}{}",
        check_character(ddmmyy, individual)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_valid_vector() {
        assert!(parse("131052-308T").is_ok());
    }

    #[test]
    fn rejects_wrong_check_and_impossible_date() {
        assert_eq!(parse("131052-308U"), Err(InvalidCode::CheckCharacter));
        assert_eq!(parse("310252-308Y"), Err(InvalidCode::NoSuchDate));
    }

    fn born(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn individual_numbers_000_and_001_are_refused_and_002_accepted() {
        let day = born(1990, 1, 10);
        let today = born(2026, 11, 28);
        assert_eq!(
            parse_on(&format(day, 0), today),
            Err(InvalidCode::IndividualNumber)
        );
        assert_eq!(
            parse_on(&format(day, 1), today),
            Err(InvalidCode::IndividualNumber)
        );
        assert!(parse_on(&format(day, 2), today).is_ok());
    }

    #[test]
    fn numbers_900_to_999_are_temporary_and_899_is_not() {
        let day = born(1990, 1, 10);
        assert!(!is_temporary(&format(day, 2)));
        assert!(!is_temporary(&format(day, 899)));
        assert!(is_temporary(&format(day, 900)));
        assert!(is_temporary(&format(day, 999)));
    }

    #[test]
    fn a_birth_date_after_today_is_refused_and_today_accepted() {
        let today = born(2026, 11, 28);
        let code = format(today, 950);
        assert_eq!(parse_on(&code, today).map(|p| p.1), Ok(today));
        let tomorrow = format(born(2026, 11, 29), 950);
        assert_eq!(
            parse_on(&tomorrow, today),
            Err(InvalidCode::FutureBirthDate)
        );
        // The century sign decides: 2050, not 1950.
        let later = format(born(2050, 1, 1), 950);
        assert_eq!(parse_on(&later, today), Err(InvalidCode::FutureBirthDate));
    }

    #[test]
    fn keeps_the_century_sign_as_given() {
        let plain = format(
            NaiveDate::from_ymd_opt(1990, 1, 10).unwrap_or_default(),
            999,
        );
        let other = plain.replacen('-', "Y", 1);
        assert_ne!(plain, other);
        assert_eq!(parse(&other).map(|p| p.0), Ok(other.clone()));
    }

    #[test]
    fn formats_codes_that_parse_back() {
        let born = NaiveDate::from_ymd_opt(2003, 7, 31).unwrap_or_default();
        let code = format(born, 950);
        assert_eq!(parse(&code).map(|p| p.1), Ok(born));
    }
}
