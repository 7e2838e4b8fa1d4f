//! Display labels of enum values and agency names, and the texts of the pages the binary
//! serves (kind `PageText`), in Finnish, Swedish and English, read
//! from the data file `config/labels.json` (built into the binary, so nothing is copied at
//! deployment). Front ends ask for them with `labels`, in the language of an argument or of
//! the request's `Accept-Language`, Finnish by default.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The languages labels exist in.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(rename_items = "lowercase")]
pub enum Language {
    /// Finnish (suomi).
    #[default]
    Fi,
    /// Swedish (svenska).
    Sv,
    /// English.
    En,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }

    /// The preferred language of an `Accept-Language` header that labels exist in: the
    /// highest `q` wins, the earlier on a tie; `None` when it names none of them.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = bits
                .find_map(|b| {
                    b.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "fi" => Language::Fi,
                "sv" => Language::Sv,
                "en" => Language::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// One label in the three languages.
#[derive(Debug, Clone, Deserialize)]
pub struct Texts {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

impl Texts {
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }
}

/// Labels by kind (an enum's name, or `Agency`, `CasePhase`, ...) and code.
#[derive(Debug, Deserialize)]
pub struct Labels(pub BTreeMap<String, BTreeMap<String, Texts>>);

const DATA: &str = include_str!("../config/labels.json");

/// The labels of `config/labels.json`. A malformed file fails the build's tests, and the
/// server at start.
pub fn labels() -> Result<&'static Labels, String> {
    static LABELS: OnceLock<Result<Labels, String>> = OnceLock::new();
    LABELS
        .get_or_init(|| {
            let mut value: serde_json::Value =
                serde_json::from_str(DATA).map_err(|e| format!("config/labels.json: {e}"))?;
            if let Some(map) = value.as_object_mut() {
                map.retain(|k, _| !k.starts_with('_'));
            }
            serde_json::from_value(value).map_err(|e| format!("config/labels.json: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(
            Language::from_accept_language("sv-FI,sv;q=0.9,en;q=0.8"),
            Some(Language::Sv)
        );
        assert_eq!(
            Language::from_accept_language("de-DE, en;q=0.5, fi;q=0.7"),
            Some(Language::Fi)
        );
        assert_eq!(Language::from_accept_language("EN-gb"), Some(Language::En));
        assert_eq!(Language::from_accept_language("de, fr;q=0.8"), None);
        assert_eq!(
            Language::from_accept_language("fi;q=0, sv;q=0.1"),
            Some(Language::Sv)
        );
    }

    #[test]
    fn the_data_file_parses() {
        let l = labels().unwrap();
        assert_eq!(l.0["Agency"]["KELA"].get(Language::Sv), "FPA");
    }
}
