//! The allowance of a KTT period: the expense allowance (kulukorvaus, paid by Kela) or the
//! county's toimintaraha for each attended day, and travel compensation at the cheapest
//! means, with the amounts and limits of [`Settings`].

use std::collections::BTreeMap;

use chrono::{Datelike, IsoWeek, NaiveDate};

use super::settings::Settings;
use super::Agency;

/// The allowance line of the attended days: toimintaraha when the county pays (a client on
/// social assistance), otherwise Kela's expense allowance.
pub fn kind(payer: &str) -> &'static str {
    if payer == Agency::Eksote.code() {
        "TOIMINTARAHA"
    } else {
        "EXPENSE_ALLOWANCE"
    }
}

/// The allowance line of travel compensation.
pub const TRAVEL: &str = "TRAVEL";

/// A month's allowance as the rules give it, from the attended days of a period (with their
/// ids) in and around the month: (the paid days of the month, allowance, travel), in cents.
/// At most `paid_days_per_week` days of each ISO week are paid, earliest first, each at the
/// rate in force on its day; travel is paid for each paid day when the placement is farther
/// than the threshold.
pub fn for_month<Id: Clone>(
    settings: &Settings,
    travel_distance_km: Option<f64>,
    present_days: &[(Id, NaiveDate)],
    year: i32,
    month: u32,
) -> (Vec<Id>, i64, i64) {
    // Pay at most N days of each ISO week, earliest first, then keep this month's.
    let mut by_week: BTreeMap<IsoWeek, Vec<&(Id, NaiveDate)>> = BTreeMap::new();
    let mut sorted: Vec<&(Id, NaiveDate)> = present_days.iter().collect();
    sorted.sort_by_key(|d| d.1);
    for d in sorted {
        by_week.entry(d.1.iso_week()).or_default().push(d);
    }
    let mut paid = Vec::new();
    let mut cents = 0;
    for days in by_week.values() {
        for (id, day) in days.iter().take(settings.paid_days_per_week as usize) {
            if day.year() == year && day.month() == month {
                paid.push(id.clone());
                cents += settings.allowance_on(*day);
            }
        }
    }
    let far = travel_distance_km.is_some_and(|km| km > settings.travel_threshold_km);
    let travel = if far {
        paid.len() as i64 * settings.travel_cents_per_day
    } else {
        0
    };
    (paid, cents, travel)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A period's travel distance.
    fn period(km: Option<f64>) -> Option<f64> {
        km
    }

    fn days(list: &[&str]) -> Vec<(String, NaiveDate)> {
        list.iter()
            .map(|d| (d.to_string(), d.parse().unwrap()))
            .collect()
    }

    #[test]
    fn at_most_five_days_a_week_are_paid() {
        let s = Settings::default();
        // Mon 2015-06-01 to Sat 2015-06-06: six days in one ISO week.
        let present = days(&[
            "2015-06-01",
            "2015-06-02",
            "2015-06-03",
            "2015-06-04",
            "2015-06-05",
            "2015-06-06",
        ]);
        let (paid, cents, travel) = for_month(&s, period(None), &present, 2015, 6);
        assert_eq!(paid.len(), 5);
        assert_eq!(cents, 4500);
        assert_eq!(travel, 0);
    }

    #[test]
    fn travel_is_paid_only_beyond_the_threshold() {
        let s = Settings::default();
        let present = days(&["2026-03-02", "2026-03-03"]);
        assert_eq!(for_month(&s, period(Some(3.0)), &present, 2026, 3).2, 0);
        assert_eq!(for_month(&s, period(Some(3.1)), &present, 2026, 3).2, 1280);
    }

    #[test]
    fn a_week_across_months_counts_each_day_in_its_own_month() {
        let s = Settings::default();
        // Mon 2026-03-30 .. Thu 2026-04-02.
        let present = days(&["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]);
        assert_eq!(for_month(&s, period(None), &present, 2026, 3).1, 1800);
        assert_eq!(for_month(&s, period(None), &present, 2026, 4).1, 1800);
    }

    #[test]
    fn the_rate_in_force_on_the_day_applies() {
        let mut s = Settings::default();
        s.allowance_cents
            .push(("2026-03-03".parse().unwrap(), 1000));
        let present = days(&["2026-03-02", "2026-03-03"]);
        assert_eq!(for_month(&s, period(None), &present, 2026, 3).1, 1900);
    }
}
