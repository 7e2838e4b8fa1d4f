//! The allowance of a KTT period's month: for each attended day the daily allowance of the
//! payer the client's benefit status gives ([`super::benefit::daily_payee`]), and travel
//! compensation at the cheapest means, with the amounts and limits of [`Settings`].

use std::collections::BTreeMap;

use chrono::{Datelike, IsoWeek, NaiveDate};

use super::benefit::{DayStatus, Payee};
use super::settings::Settings;

pub use super::benefit::{EXPENSE_ALLOWANCE, TOIMINTARAHA, TRAVEL};

/// How a period's travel is compensated (act 189/2001 s. 18(2) as amended by 1025/2022:
/// every participant, at the cheapest means of travel, paid by the organiser).
#[derive(Debug, Clone, Copy, Default)]
pub struct Travel {
    /// Distance from home to the placement; no travel compensation when unknown.
    pub distance_km: Option<f64>,
    /// The fare of an attended day (a return ticket) decided for the period; the setting's
    /// default fare when not given.
    pub fare_cents_per_day: Option<i64>,
    /// The price of a monthly period ticket decided for the period, if one serves.
    pub ticket_cents_month: Option<i64>,
}

/// One allowance line of a month: who pays what for which days.
#[derive(Debug, Clone, PartialEq)]
pub struct Line<Id> {
    pub payee: Payee,
    pub days: Vec<Id>,
    pub cents: i64,
}

/// A month's allowance lines as the rules give them, from the attended days of a period
/// (with their ids) in and around the month, and the client's status on each day.
///
/// At most `paid_days_per_week` days of each ISO week carry a daily allowance, earliest
/// first, each at the rate in force on its day and to the payer of its day. Travel is
/// compensated for every attended day of the month when the placement is farther than the
/// threshold: the day's fare times the days, or the monthly ticket when that is cheaper.
pub fn for_month<Id: Clone>(
    settings: &Settings,
    travel: Travel,
    present_days: &[(Id, NaiveDate)],
    status_on: impl Fn(NaiveDate) -> DayStatus,
    year: i32,
    month: u32,
) -> Vec<Line<Id>> {
    let in_month = |day: &NaiveDate| day.year() == year && day.month() == month;
    let mut sorted: Vec<&(Id, NaiveDate)> = present_days.iter().collect();
    sorted.sort_by_key(|d| d.1);
    // Pay at most N days of each ISO week, earliest first, then keep this month's.
    let mut by_week: BTreeMap<IsoWeek, Vec<&(Id, NaiveDate)>> = BTreeMap::new();
    for d in &sorted {
        by_week.entry(d.1.iso_week()).or_default().push(d);
    }
    let mut lines: BTreeMap<Payee, Line<Id>> = BTreeMap::new();
    for days in by_week.values() {
        for (id, day) in days.iter().take(settings.paid_days_per_week as usize) {
            if !in_month(day) {
                continue;
            }
            let Some(payee) = super::benefit::daily_payee(&status_on(*day)) else {
                continue;
            };
            let line = lines.entry(payee.clone()).or_insert_with(|| Line {
                payee,
                days: Vec::new(),
                cents: 0,
            });
            line.days.push(id.clone());
            line.cents += settings.allowance_on(*day);
        }
    }
    let mut out: Vec<Line<Id>> = lines.into_values().collect();
    let far = travel
        .distance_km
        .is_some_and(|km| km > settings.travel_threshold_km);
    let attended: Vec<Id> = sorted
        .iter()
        .filter(|d| in_month(&d.1))
        .map(|d| d.0.clone())
        .collect();
    if far && !attended.is_empty() {
        out.push(Line {
            payee: Payee::travel(),
            cents: travel_cents(settings, travel, attended.len()),
            days: attended,
        });
    }
    out
}

/// Travel of `days` attended days of a month at the cheapest means: the fares, or the
/// monthly ticket when cheaper.
pub fn travel_cents(settings: &Settings, travel: Travel, days: usize) -> i64 {
    let fare = travel
        .fare_cents_per_day
        .unwrap_or(settings.travel_cents_per_day);
    let fares = days as i64 * fare;
    match travel.ticket_cents_month {
        Some(ticket) if ticket < fares => ticket,
        _ => fares,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::benefit::{BenefitKind, COUNTY, FUND, KELA};

    fn days(list: &[&str]) -> Vec<(String, NaiveDate)> {
        list.iter()
            .map(|d| (d.to_string(), d.parse().unwrap()))
            .collect()
    }

    fn unknown(_: NaiveDate) -> DayStatus {
        DayStatus::default()
    }

    fn far(km: f64) -> Travel {
        Travel {
            distance_km: Some(km),
            ..Travel::default()
        }
    }

    fn daily(lines: &[Line<String>]) -> i64 {
        lines
            .iter()
            .filter(|l| l.payee.kind != TRAVEL)
            .map(|l| l.cents)
            .sum()
    }

    fn travel(lines: &[Line<String>]) -> Option<&Line<String>> {
        lines.iter().find(|l| l.payee.kind == TRAVEL)
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
        let lines = for_month(&s, Travel::default(), &present, unknown, 2015, 6);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].days.len(), 5);
        assert_eq!(lines[0].cents, 4500);
        assert!(travel(&lines).is_none());
    }

    #[test]
    fn travel_is_paid_by_the_county_only_beyond_the_threshold() {
        let s = Settings::default();
        let present = days(&["2026-03-02", "2026-03-03"]);
        assert!(travel(&for_month(&s, far(3.0), &present, unknown, 2026, 3)).is_none());
        let lines = for_month(&s, far(3.1), &present, unknown, 2026, 3);
        let t = travel(&lines).unwrap();
        assert_eq!((t.cents, t.payee.payer, t.days.len()), (1280, COUNTY, 2));
    }

    #[test]
    fn travel_takes_the_cheaper_of_fares_and_the_monthly_ticket() {
        let s = Settings::default();
        let present = days(&["2026-03-02", "2026-03-03", "2026-03-04"]);
        let by = |fare, ticket| Travel {
            distance_km: Some(10.0),
            fare_cents_per_day: fare,
            ticket_cents_month: ticket,
        };
        let cents = |t| {
            travel(&for_month(&s, t, &present, unknown, 2026, 3))
                .unwrap()
                .cents
        };
        assert_eq!(cents(by(Some(1000), None)), 3000);
        assert_eq!(cents(by(Some(1000), Some(2999))), 2999);
        assert_eq!(cents(by(Some(1000), Some(3000))), 3000);
        assert_eq!(cents(by(None, Some(5000))), 1920);
    }

    #[test]
    fn a_week_across_months_counts_each_day_in_its_own_month() {
        let s = Settings::default();
        // Mon 2026-03-30 .. Thu 2026-04-02.
        let present = days(&["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]);
        let t = Travel::default();
        assert_eq!(daily(&for_month(&s, t, &present, unknown, 2026, 3)), 1800);
        assert_eq!(daily(&for_month(&s, t, &present, unknown, 2026, 4)), 1800);
    }

    #[test]
    fn the_rate_in_force_on_the_day_applies() {
        let mut s = Settings::default();
        s.allowance_cents
            .push(("2026-03-03".parse().unwrap(), 1000));
        let present = days(&["2026-03-02", "2026-03-03"]);
        let lines = for_month(&s, Travel::default(), &present, unknown, 2026, 3);
        assert_eq!(daily(&lines), 1900);
    }

    #[test]
    fn each_day_goes_to_the_payer_of_its_status() {
        let s = Settings::default();
        let present = days(&["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]);
        let switch: NaiveDate = "2026-03-04".parse().unwrap();
        let status = |d: NaiveDate| DayStatus {
            unemployment: if d < switch {
                Some((BenefitKind::BasicUnemploymentAllowance, None))
            } else {
                Some((BenefitKind::EarningsRelatedAllowance, Some("Fund X".into())))
            },
            social_assistance: d == switch,
        };
        let lines = for_month(&s, Travel::default(), &present, status, 2026, 3);
        let payers: Vec<_> = lines
            .iter()
            .map(|l| (l.payee.payer, l.days.len()))
            .collect();
        assert_eq!(payers, vec![(FUND, 2), (KELA, 2)]);
    }
}
