//! The domain settings from the environment: each `TYPGRAPH_*` variable overrides one
//! default of [`Settings`].

use crate::domain::settings::Settings;

impl Settings {
    /// The defaults, overridden by the `TYPGRAPH_*` values `get` finds (the environment, read
    /// by `config::env`; see docs/operations.md); a malformed value is a start-up error naming
    /// the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        fn num<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            name: &str,
            default: T,
        ) -> Result<T, String> {
            super::env::number_from(get, name).map(|n| n.unwrap_or(default))
        }
        let d = Settings::default();
        let allowance_cents = match get("TYPGRAPH_ALLOWANCE_CENTS").filter(|v| !v.trim().is_empty())
        {
            None => d.allowance_cents.clone(),
            Some(v) => {
                let mut rates = Vec::new();
                for part in v.split(',') {
                    let (from, cents) = part.trim().split_once(':').ok_or_else(|| {
                        format!("TYPGRAPH_ALLOWANCE_CENTS is FROM:CENTS,...: {part}")
                    })?;
                    let from = chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d")
                        .map_err(|_| format!("TYPGRAPH_ALLOWANCE_CENTS has a bad date: {from}"))?;
                    let cents: i64 = cents.parse().map_err(|_| {
                        format!("TYPGRAPH_ALLOWANCE_CENTS has a bad amount: {cents}")
                    })?;
                    rates.push((from, cents));
                }
                rates.sort();
                rates
            }
        };
        let mut extra_closure_days = Vec::new();
        if let Some(v) = get("TYPGRAPH_EXTRA_CLOSURE_DAYS").filter(|v| !v.trim().is_empty()) {
            for part in v.split(',') {
                let day = chrono::NaiveDate::parse_from_str(part.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("TYPGRAPH_EXTRA_CLOSURE_DAYS has a bad date: {part}"))?;
                extra_closure_days.push(day);
            }
            extra_closure_days.sort();
            extra_closure_days.dedup();
        }
        // The appeal instructions of KTT decisions, a text per language.
        let text = |name: &str, default: &str| {
            get(name)
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let ktt_appeal_instructions_fi = text(
            "TYPGRAPH_KTT_APPEAL_INSTRUCTIONS_FI",
            &d.ktt_appeal_instructions_fi,
        );
        let ktt_appeal_instructions_sv = text(
            "TYPGRAPH_KTT_APPEAL_INSTRUCTIONS_SV",
            &d.ktt_appeal_instructions_sv,
        );
        // Every numeric setting and the variable that overrides it; the struct literal keeps
        // a new setting from being forgotten here.
        macro_rules! numbers {
            ($($field:ident = $var:literal),+ ; $($other:ident),*) => {
                Settings { $($field: num(&get, $var, d.$field)?,)+ $($other),* }
            };
        }
        Ok(numbers! {
            typ_case_retention_years = "TYPGRAPH_TYP_RETENTION_YEARS",
            mapping_period_months = "TYPGRAPH_MAPPING_PERIOD_MONTHS",
            plan_review_months = "TYPGRAPH_PLAN_REVIEW_MONTHS",
            brief_horizon_days = "TYPGRAPH_BRIEF_HORIZON_DAYS",
            subsidy_ending_days = "TYPGRAPH_SUBSIDY_ENDING_DAYS",
            paid_days_per_week = "TYPGRAPH_PAID_DAYS_PER_WEEK",
            travel_threshold_km = "TYPGRAPH_TRAVEL_THRESHOLD_KM",
            travel_cents_per_day = "TYPGRAPH_TRAVEL_CENTS_PER_DAY",
            assessment_reuse_months = "TYPGRAPH_ASSESSMENT_REUSE_MONTHS",
            rehab_review_months = "TYPGRAPH_REHAB_REVIEW_MONTHS",
            own_log_years = "TYPGRAPH_OWN_LOG_YEARS",
            break_glass_hours = "TYPGRAPH_BREAK_GLASS_HOURS",
            basic_data_years_after_death = "TYPGRAPH_BASIC_DATA_YEARS_AFTER_DEATH",
            fee_decision_years = "TYPGRAPH_FEE_DECISION_YEARS",
            max_backdate_days = "TYPGRAPH_MAX_BACKDATE_DAYS",
            service_interruption_back_days = "TYPGRAPH_SERVICE_INTERRUPTION_BACK_DAYS",
            ktt_decision_back_days = "TYPGRAPH_KTT_DECISION_BACK_DAYS",
            ktt_presumed_service_days = "TYPGRAPH_KTT_PRESUMED_SERVICE_DAYS",
            coach_access_days_after_end = "TYPGRAPH_COACH_ACCESS_DAYS_AFTER_END",
            te_coaching_hours_cap = "TYPGRAPH_TE_COACHING_HOURS_CAP";
            allowance_cents,
            extra_closure_days,
            ktt_appeal_instructions_fi,
            ktt_appeal_instructions_sv
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_override_the_defaults_and_bad_values_are_named() {
        let s = Settings::from_lookup(|n| match n {
            "TYPGRAPH_TRAVEL_THRESHOLD_KM" => Some("5".into()),
            "TYPGRAPH_ALLOWANCE_CENTS" => Some("2027-01-01:950, 2001-09-01:900".into()),
            "TYPGRAPH_EXTRA_CLOSURE_DAYS" => Some("2026-12-31, 2026-12-23".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            s.extra_closure_days,
            vec!["2026-12-23".parse().unwrap(), "2026-12-31".parse().unwrap()]
        );
        let err = Settings::from_lookup(|n| {
            (n == "TYPGRAPH_EXTRA_CLOSURE_DAYS").then(|| "31.12.2026".into())
        })
        .unwrap_err();
        assert!(err.contains("TYPGRAPH_EXTRA_CLOSURE_DAYS"), "{err}");
        assert_eq!(s.travel_threshold_km, 5.0);
        assert_eq!(s.mapping_period_months, 3);
        assert_eq!(s.allowance_on("2026-12-31".parse().unwrap()), 900);
        assert_eq!(s.allowance_on("2027-01-01".parse().unwrap()), 950);
        let err =
            Settings::from_lookup(|n| (n == "TYPGRAPH_PLAN_REVIEW_MONTHS").then(|| "six".into()))
                .unwrap_err();
        assert!(err.contains("TYPGRAPH_PLAN_REVIEW_MONTHS"), "{err}");
        let blank =
            Settings::from_lookup(|n| (n == "TYPGRAPH_PLAN_REVIEW_MONTHS").then(|| " ".into()))
                .unwrap();
        assert_eq!(
            blank.plan_review_months,
            Settings::default().plan_review_months,
            "blank is unset"
        );
    }
}
