//! Checks of mutation input shared by the services: each failure names its input field.

use crate::error::{AppError, AppResult};

/// Trims a required text; 1..=`max` characters and no control characters.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::bad_input(field, format!("{field} is required")));
    }
    optional_text(field, Some(v), max).map(|v| v.unwrap_or_default())
}

/// Trims an optional text; empty becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("{field} is at most {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::bad_input(
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(Some(v.to_owned()))
}

/// A phone number: digits, spaces, `+`, `-`, parentheses; 5 to 20 digits.
pub fn phone(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = optional_text("phone", value, 30)? else {
        return Ok(None);
    };
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
    if !allowed || !(5..=20).contains(&digits) {
        return Err(AppError::bad_input(
            "phone",
            "phone is digits with spaces, + or -",
        ));
    }
    Ok(Some(v))
}

/// An email address of the form `local@domain.tld`.
pub fn email(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = optional_text("email", value, 254)? else {
        return Ok(None);
    };
    let ok = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !v.chars().any(char::is_whitespace)
    });
    if !ok {
        return Err(AppError::bad_input("email", "email is not an address"));
    }
    Ok(Some(v))
}

/// Languages of service the schema accepts.
pub const LANGUAGES: [&str; 8] = ["fi", "sv", "en", "ru", "et", "ar", "uk", "other"];

pub fn language(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = optional_text("language", value, 10)? else {
        return Ok(None);
    };
    let v = v.to_ascii_lowercase();
    if !LANGUAGES.contains(&v.as_str()) {
        return Err(AppError::bad_input(
            "language",
            format!("language is one of {}", LANGUAGES.join(", ")),
        ));
    }
    Ok(Some(v))
}

pub fn postal_code(value: Option<&str>) -> AppResult<Option<String>> {
    let Some(v) = optional_text("postalCode", value, 5)? else {
        return Ok(None);
    };
    if v.len() != 5 || !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::bad_input(
            "postalCode",
            "postal code is five digits",
        ));
    }
    Ok(Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("firstName", "  Aino ", 100).unwrap(), "Aino");
        assert!(required_text("firstName", "   ", 100).is_err());
        assert!(required_text("firstName", &"a".repeat(101), 100).is_err());
        assert!(required_text("firstName", "A\u{0}B", 100).is_err());
        assert!(required_text("firstName", "A\u{1b}[31m", 100).is_err());
    }

    #[test]
    fn contact_formats_are_checked() {
        assert!(phone(Some("+358 50 000 0001")).unwrap().is_some());
        assert!(phone(Some("call me")).is_err());
        assert!(email(Some("a@b.fi")).unwrap().is_some());
        assert!(email(Some("a@b")).is_err());
        assert_eq!(language(Some("FI")).unwrap().as_deref(), Some("fi"));
        assert!(language(Some("xx")).is_err());
        assert!(postal_code(Some("5310")).is_err());
    }
}
