//! Finnish personal identity code (henkilötunnus): `DDMMYYCZZZQ`.
//!
//! The century sign is part of identity (`100190-999P` and `100190Y999P` are two people), so
//! codes are stored as given in upper case and never normalised; sex is never derived.

use chrono::NaiveDate;

const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidCode {
    Length,
    Format,
    CenturySign,
    NoSuchDate,
    CheckCharacter,
}

impl InvalidCode {
    pub fn message(&self) -> &'static str {
        match self {
            InvalidCode::Length => "a personal identity code has 11 characters",
            InvalidCode::Format => "a personal identity code is DDMMYYCZZZQ with digits in place",
            InvalidCode::CenturySign => "unknown century sign",
            InvalidCode::NoSuchDate => "the date of birth does not exist",
            InvalidCode::CheckCharacter => "the check character does not match",
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
