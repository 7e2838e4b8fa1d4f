//! Local or uncertain rules of domain.md, as settings with their documented defaults.

/// Domain settings, with the defaults domain.md gives.
#[derive(Debug, Clone)]
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
    /// Expense allowance (kulukorvaus) or toimintaraha per attended day, in cents, with the
    /// day each amount took effect (ascending).
    pub allowance_cents: Vec<(chrono::NaiveDate, i64)>,
    /// At most this many days a week are paid.
    pub paid_days_per_week: u32,
    /// Travel is compensated when the placement is farther than this (km).
    pub travel_threshold_km: f64,
    /// Travel compensation per attended day at the cheapest means (a return bus ticket).
    pub travel_cents_per_day: i64,
    /// A new work-ability assessment within this many months of the last one is a duplicate.
    pub assessment_reuse_months: u32,
    /// The plan must be reviewed after this many months in KTT.
    pub rehab_review_months: u32,
    /// How far back a client sees who processed their data (act 703/2023 § 11), in years.
    pub own_log_years: u32,
    /// How long a break-glass grant lasts, in hours.
    pub break_glass_hours: u32,
    /// Basic client data is kept this many years after death.
    pub basic_data_years_after_death: u32,
    /// Fee decisions (allowance lines) are kept this many years after their month.
    pub fee_decision_years: u32,
    /// How many days back a TYP case may be recorded as opened or closed: a date further
    /// back would move clients out of every agency's scope, or towards erasure, at once.
    pub max_backdate_days: u32,
    /// How many days back a service-wide interruption may start (attendance of those days
    /// may be recorded already; a correction later than this is a case-by-case matter).
    pub service_interruption_back_days: u32,
}

impl Settings {
    /// The defaults, overridden by the `TYPGRAPH_*` values `get` finds (the environment, see
    /// `config::env`); a malformed value is an error naming the variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        fn num<T: std::str::FromStr>(
            get: &impl Fn(&str) -> Option<String>,
            name: &str,
            default: T,
        ) -> Result<T, String> {
            match get(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| format!("{name} is not a valid number: {v}")),
            }
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
        Ok(Settings {
            typ_case_retention_years: num(
                &get,
                "TYPGRAPH_TYP_RETENTION_YEARS",
                d.typ_case_retention_years,
            )?,
            mapping_period_months: num(
                &get,
                "TYPGRAPH_MAPPING_PERIOD_MONTHS",
                d.mapping_period_months,
            )?,
            plan_review_months: num(&get, "TYPGRAPH_PLAN_REVIEW_MONTHS", d.plan_review_months)?,
            brief_horizon_days: num(&get, "TYPGRAPH_BRIEF_HORIZON_DAYS", d.brief_horizon_days)?,
            allowance_cents,
            paid_days_per_week: num(&get, "TYPGRAPH_PAID_DAYS_PER_WEEK", d.paid_days_per_week)?,
            travel_threshold_km: num(&get, "TYPGRAPH_TRAVEL_THRESHOLD_KM", d.travel_threshold_km)?,
            travel_cents_per_day: num(
                &get,
                "TYPGRAPH_TRAVEL_CENTS_PER_DAY",
                d.travel_cents_per_day,
            )?,
            assessment_reuse_months: num(
                &get,
                "TYPGRAPH_ASSESSMENT_REUSE_MONTHS",
                d.assessment_reuse_months,
            )?,
            rehab_review_months: num(&get, "TYPGRAPH_REHAB_REVIEW_MONTHS", d.rehab_review_months)?,
            own_log_years: num(&get, "TYPGRAPH_OWN_LOG_YEARS", d.own_log_years)?,
            break_glass_hours: num(&get, "TYPGRAPH_BREAK_GLASS_HOURS", d.break_glass_hours)?,
            basic_data_years_after_death: num(
                &get,
                "TYPGRAPH_BASIC_DATA_YEARS_AFTER_DEATH",
                d.basic_data_years_after_death,
            )?,
            fee_decision_years: num(&get, "TYPGRAPH_FEE_DECISION_YEARS", d.fee_decision_years)?,
            max_backdate_days: num(&get, "TYPGRAPH_MAX_BACKDATE_DAYS", d.max_backdate_days)?,
            service_interruption_back_days: num(
                &get,
                "TYPGRAPH_SERVICE_INTERRUPTION_BACK_DAYS",
                d.service_interruption_back_days,
            )?,
        })
    }

    /// The allowance per attended day in force on `day`.
    pub fn allowance_on(&self, day: chrono::NaiveDate) -> i64 {
        self.allowance_cents
            .iter()
            .rev()
            .find(|(from, _)| *from <= day)
            .map(|(_, cents)| *cents)
            .unwrap_or(0)
    }

    /// Names the allowance rules in force, for the lines they produce.
    pub fn allowance_rule_version(&self) -> String {
        let rates: Vec<String> = self
            .allowance_cents
            .iter()
            .map(|(from, c)| format!("{c}c@{from}"))
            .collect();
        format!(
            "allowance {}; max {}/week; travel {}c/day over {} km",
            rates.join(","),
            self.paid_days_per_week,
            self.travel_cents_per_day,
            self.travel_threshold_km
        )
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            typ_case_retention_years: 10,
            mapping_period_months: 3,
            plan_review_months: 6,
            brief_horizon_days: 60,
            allowance_cents: vec![(
                chrono::NaiveDate::from_ymd_opt(2001, 9, 1).unwrap_or(chrono::NaiveDate::MIN),
                900,
            )],
            paid_days_per_week: 5,
            travel_threshold_km: 3.0,
            travel_cents_per_day: 640,
            assessment_reuse_months: 12,
            rehab_review_months: 24,
            own_log_years: 2,
            break_glass_hours: 2,
            basic_data_years_after_death: 2,
            fee_decision_years: 12,
            max_backdate_days: 30,
            service_interruption_back_days: 30,
        }
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
            _ => None,
        })
        .unwrap();
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
