//! The rules of a rehabilitative work activity (KTT) period, from the act on rehabilitative
//! work activity (act 189/2001): its length, its weekly schedule, that a client's periods
//! do not overlap, and when a long run of periods needs the plan reviewed first.

use chrono::{Days, Months, NaiveDate};

/// A rule a period breaks, naming the input field that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub field: &'static str,
    pub message: String,
}

fn breach(field: &'static str, message: impl Into<String>) -> Breach {
    Breach {
        field,
        message: message.into(),
    }
}

/// A period as decided: its days and its weekly schedule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days_per_week: i32,
    pub hours_per_day: i32,
    pub travel_distance_km: Option<f64>,
}

/// Before this day a period could have 5 days a week; since, at most 4 (act 189/2001 as
/// amended from 1 July 2015).
pub fn four_day_rule_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2015, 7, 1).unwrap_or(NaiveDate::MIN)
}

/// The last day a period may end: `months` months from `start`, less a day; `None` when
/// that is out of the calendar's range.
pub fn months_end(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start
        .checked_add_months(Months::new(months))?
        .checked_sub_days(Days::new(1))
}

fn months_end_or_breach(start: NaiveDate, months: u32) -> Result<NaiveDate, Breach> {
    months_end(start, months).ok_or_else(|| breach("endsOn", "date out of range"))
}

/// The day a period actually ends: its early end if it ended early, or as decided.
pub fn effective_end(ends_on: NaiveDate, ended_early_on: Option<NaiveDate>) -> NaiveDate {
    ended_early_on.unwrap_or(ends_on)
}

/// Checks the length and schedule rules of act 189/2001: 3 to 24 months, 1 to 4 days a
/// week (5 before July 2015), 4 to 8 hours a day and at most 32 hours a week; and that a
/// travel distance, when given, is a plausible one.
pub fn check_schedule(p: &Schedule) -> Result<(), Breach> {
    if p.ends_on < months_end_or_breach(p.starts_on, 3)? {
        return Err(breach("endsOn", "a KTT period lasts at least 3 months"));
    }
    if p.ends_on > months_end_or_breach(p.starts_on, 24)? {
        return Err(breach("endsOn", "a KTT period lasts at most 24 months"));
    }
    let max_days = if p.starts_on < four_day_rule_from() {
        5
    } else {
        4
    };
    if !(1..=max_days).contains(&p.days_per_week) {
        return Err(breach(
            "daysPerWeek",
            format!("1 to {max_days} days a week"),
        ));
    }
    if !(4..=8).contains(&p.hours_per_day) {
        return Err(breach("hoursPerDay", "4 to 8 hours a day"));
    }
    if p.days_per_week * p.hours_per_day > 32 {
        return Err(breach("hoursPerDay", "at most 32 hours a week"));
    }
    if let Some(km) = p.travel_distance_km {
        if !km.is_finite() || !(0.0..=1000.0).contains(&km) {
            return Err(breach("travelDistanceKm", "a distance from 0 to 1000 km"));
        }
    }
    Ok(())
}

/// Whether a period from `starts_on` to `ends_on` shares a day with another period of the
/// client, which runs from `other_starts_on` to its effective end `other_ends_on`: a client
/// is in one KTT period at a time.
pub fn overlaps(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    other_starts_on: NaiveDate,
    other_ends_on: NaiveDate,
) -> bool {
    other_starts_on <= ends_on && other_ends_on >= starts_on
}

/// Periods follow one another in a run when the gap between them is at most this many days
/// (a month).
const RUN_GAP_DAYS: u64 = 31;

/// The first day of the run of consecutive periods that a period starting on `starts_on`
/// continues: walking back over the client's earlier periods (`(starts_on, effective end)`),
/// each that ends at most a month before the run begins extends it back to its start.
pub fn run_start(starts_on: NaiveDate, periods: &[(NaiveDate, NaiveDate)]) -> NaiveDate {
    let mut before: Vec<&(NaiveDate, NaiveDate)> =
        periods.iter().filter(|(s, _)| *s < starts_on).collect();
    before.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    let mut start = starts_on;
    for (s, e) in before {
        let follows = e
            .checked_add_days(Days::new(RUN_GAP_DAYS))
            .is_some_and(|d| d >= start);
        if !follows {
            break;
        }
        start = *s;
    }
    start
}

/// Whether the period from `starts_on` to `ends_on`, with the run of periods it continues,
/// keeps the client in KTT for longer than `review_months`: then the plan must have been
/// reviewed (a plan made in [`review_window`]) before the period is decided.
pub fn needs_review(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    periods: &[(NaiveDate, NaiveDate)],
    review_months: u32,
) -> Result<bool, Breach> {
    Ok(ends_on > months_end_or_breach(run_start(starts_on, periods), review_months)?)
}

/// The days within which a plan made counts as the review before a period starting on
/// `starts_on`: the 3 months before it, up to its first day.
pub fn review_window(starts_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let since = starts_on
        .checked_sub_months(Months::new(3))
        .unwrap_or(NaiveDate::MIN);
    (since, starts_on)
}

#[cfg(test)]
mod tests;
