//! The KTT calendar: a period's weekly schedule, the exceptions a decision may allow, how a
//! period ended, and the days no activity is held on (Finnish public holidays, computed,
//! and the extra closure days of the settings). See docs/ktt-calendar.md.

use chrono::{Datelike, Days, NaiveDate};

crate::closed_set! {
/// A day of the week in a period's schedule.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Weekday {
    Monday = "MON",
    Tuesday = "TUE",
    Wednesday = "WED",
    Thursday = "THU",
    Friday = "FRI",
    Saturday = "SAT",
    Sunday = "SUN",
}
}

impl Weekday {
    /// The weekday of a date.
    pub fn of(date: NaiveDate) -> Weekday {
        Weekday::ALL[date.weekday().num_days_from_monday() as usize]
    }
}

crate::closed_set! {
/// Why an activity day lies outside the period's schedule or on a day off; recorded only
/// where the decision allows that exception (`allowedExceptions`).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AttendanceException {
    /// A day in place of a scheduled day lost (to a holiday, a closure, an absence); the
    /// week still has no more days than the schedule.
    MakeUpDay = "MAKE_UP_DAY",
    /// An event of the placement outside the usual days (an excursion, a fair).
    Event = "EVENT",
}
}

crate::closed_set! {
/// How a KTT period ended (the period's outcome).
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum RehabPeriodOutcome {
    /// To studies.
    Studies = "STUDIES",
    /// To pay-subsidised work.
    PaySubsidisedWork = "PAY_SUBSIDISED_WORK",
    /// To the open labour market.
    OpenLabourMarket = "OPEN_LABOUR_MARKET",
    /// To a work-ability assessment.
    WorkAbilityAssessment = "WORK_ABILITY_ASSESSMENT",
    /// To a new KTT period.
    NewRehabPeriod = "NEW_REHAB_PERIOD",
    /// To a pension investigation.
    PensionInvestigation = "PENSION_INVESTIGATION",
    /// Ended by the client's illness.
    EndedByIllness = "ENDED_BY_ILLNESS",
    /// Ended by the client.
    EndedByClient = "ENDED_BY_CLIENT",
    /// Other.
    Other = "OTHER",
}
}

/// Parses a stored comma-separated list of codes (unknown codes are skipped).
pub fn parse_list<T: std::str::FromStr + Ord>(stored: Option<&str>) -> Vec<T> {
    let mut out: Vec<T> = stored
        .unwrap_or("")
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The stored form of a list of codes.
pub fn store_list(codes: impl IntoIterator<Item = &'static str>) -> Option<String> {
    let joined = codes.into_iter().collect::<Vec<_>>().join(",");
    (!joined.is_empty()).then_some(joined)
}

/// The default schedule of `days_per_week` days: the first days from Monday.
pub fn default_weekdays(days_per_week: i32) -> Vec<Weekday> {
    Weekday::ALL
        .into_iter()
        .take(days_per_week.clamp(0, 7) as usize)
        .collect()
}

/// A period's schedule as stored; a row that names none (loaded as data) has the default.
pub fn weekdays_of(stored: Option<&str>, days_per_week: i32) -> Vec<Weekday> {
    let days = parse_list(stored);
    if days.is_empty() {
        default_weekdays(days_per_week)
    } else {
        days
    }
}

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus, "Meeus/Jones/
/// Butcher").
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The day of `weekday` within `first..=first + 6`.
fn weekday_from(first: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Days::new(u64::from(ahead))
}

/// The Finnish public holiday (or customary day off) a date is, by name, if any.
///
/// Counted: the church holidays (kirkolliset juhlapäivät) of the Church Act (kirkkolaki
/// 652/2023; before 2024 act 1054/1993): New Year's Day, Epiphany, Good Friday, Easter
/// Sunday and Monday, Ascension Day (Easter + 39), Whitsun (Easter + 49), Midsummer Day
/// (the Saturday of 20-26 June), All Saints' Day (the Saturday of 31 October - 6
/// November), Christmas Day and Boxing Day; May Day and Independence Day, public holidays
/// by acts of their own; and Midsummer Eve and Christmas Eve, which no act makes holidays
/// but which the Annual Holidays Act (162/2005 s. 4, as we read it) counts with them as no
/// working days, as collective agreements do. Counting them is the reading that protects
/// the client (docs/ktt-calendar.md).
pub fn public_holiday(date: NaiveDate) -> Option<&'static str> {
    let (y, m, d) = (date.year(), date.month(), date.day());
    let fixed = match (m, d) {
        (1, 1) => Some("New Year's Day"),
        (1, 6) => Some("Epiphany"),
        (5, 1) => Some("May Day"),
        (12, 6) => Some("Independence Day"),
        (12, 24) => Some("Christmas Eve"),
        (12, 25) => Some("Christmas Day"),
        (12, 26) => Some("Boxing Day"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if let Some(easter) = easter_sunday(y) {
        let offset = (date - easter).num_days();
        let moving = match offset {
            -2 => Some("Good Friday"),
            0 => Some("Easter Sunday"),
            1 => Some("Easter Monday"),
            39 => Some("Ascension Day"),
            49 => Some("Whitsun"),
            _ => None,
        };
        if moving.is_some() {
            return moving;
        }
    }
    let on = |month, day| NaiveDate::from_ymd_opt(y, month, day);
    if let Some(june20) = on(6, 20) {
        let midsummer_day = weekday_from(june20, chrono::Weekday::Sat);
        if date == midsummer_day {
            return Some("Midsummer Day");
        }
        if date.succ_opt() == Some(midsummer_day) {
            return Some("Midsummer Eve");
        }
    }
    if let Some(oct31) = on(10, 31) {
        if date == weekday_from(oct31, chrono::Weekday::Sat) {
            return Some("All Saints' Day");
        }
    }
    None
}

/// Why no activity is held on `date`, if none is: a public holiday, or one of the extra
/// closure days of the settings.
pub fn day_off(date: NaiveDate, extra_closure_days: &[NaiveDate]) -> Option<&'static str> {
    public_holiday(date).or_else(|| {
        extra_closure_days
            .contains(&date)
            .then_some("a closure day of the service")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn easter_falls_on_the_known_sundays() {
        for (year, easter) in [
            (1818, "1818-03-22"),
            (1943, "1943-04-25"),
            (2000, "2000-04-23"),
            (2008, "2008-03-23"),
            (2019, "2019-04-21"),
            (2020, "2020-04-12"),
            (2024, "2024-03-31"),
            (2025, "2025-04-20"),
            (2026, "2026-04-05"),
            (2027, "2027-03-28"),
            (2038, "2038-04-25"),
        ] {
            assert_eq!(easter_sunday(year), Some(d(easter)), "{year}");
        }
    }

    #[test]
    fn the_finnish_holidays_of_2026_are_counted_and_their_neighbours_are_not() {
        for (date, name) in [
            ("2026-01-01", "New Year's Day"),
            ("2026-01-06", "Epiphany"),
            ("2026-04-03", "Good Friday"),
            ("2026-04-05", "Easter Sunday"),
            ("2026-04-06", "Easter Monday"),
            ("2026-05-01", "May Day"),
            ("2026-05-14", "Ascension Day"),
            ("2026-05-24", "Whitsun"),
            ("2026-06-19", "Midsummer Eve"),
            ("2026-06-20", "Midsummer Day"),
            ("2026-10-31", "All Saints' Day"),
            ("2026-12-06", "Independence Day"),
            ("2026-12-24", "Christmas Eve"),
            ("2026-12-25", "Christmas Day"),
            ("2026-12-26", "Boxing Day"),
        ] {
            assert_eq!(public_holiday(d(date)), Some(name), "{date}");
        }
        for date in [
            "2026-01-02",
            "2026-04-02",
            "2026-04-07",
            "2026-05-13",
            "2026-05-15",
            "2026-06-18",
            "2026-06-26",
            "2026-06-27",
            "2026-11-07",
            "2026-12-23",
            "2026-12-27",
            "2026-12-31",
        ] {
            assert_eq!(public_holiday(d(date)), None, "{date}");
        }
    }

    #[test]
    fn midsummer_and_all_saints_move_within_their_weeks() {
        // Midsummer Day on the 20th and on the 26th of June; All Saints' Day on 31 October
        // and on 6 November.
        assert_eq!(public_holiday(d("2020-06-19")), Some("Midsummer Eve"));
        assert_eq!(public_holiday(d("2020-06-20")), Some("Midsummer Day"));
        assert_eq!(public_holiday(d("2021-06-25")), Some("Midsummer Eve"));
        assert_eq!(public_holiday(d("2021-06-26")), Some("Midsummer Day"));
        assert_eq!(public_holiday(d("2021-06-19")), None);
        assert_eq!(public_holiday(d("2020-10-31")), Some("All Saints' Day"));
        assert_eq!(public_holiday(d("2025-11-01")), Some("All Saints' Day"));
        assert_eq!(public_holiday(d("2021-11-06")), Some("All Saints' Day"));
        assert_eq!(public_holiday(d("2021-10-30")), None);
        // Easter 2020: 10-13 April; Ascension 21 May; Whitsun 31 May.
        assert_eq!(public_holiday(d("2020-04-10")), Some("Good Friday"));
        assert_eq!(public_holiday(d("2020-04-13")), Some("Easter Monday"));
        assert_eq!(public_holiday(d("2020-05-21")), Some("Ascension Day"));
        assert_eq!(public_holiday(d("2020-05-31")), Some("Whitsun"));
    }

    #[test]
    fn extra_closure_days_come_from_the_settings() {
        let extra = [d("2026-12-31")];
        assert_eq!(
            day_off(d("2026-12-31"), &extra),
            Some("a closure day of the service")
        );
        assert_eq!(day_off(d("2026-12-31"), &[]), None);
        assert_eq!(day_off(d("2026-12-24"), &[]), Some("Christmas Eve"));
    }

    #[test]
    fn a_schedule_defaults_to_the_first_days_from_monday() {
        assert_eq!(
            weekdays_of(None, 3),
            vec![Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday]
        );
        assert_eq!(
            weekdays_of(Some("FRI,TUE"), 2),
            vec![Weekday::Tuesday, Weekday::Friday]
        );
        assert_eq!(Weekday::of(d("2026-12-06")), Weekday::Sunday);
        assert_eq!(
            store_list([Weekday::Monday.code(), Weekday::Friday.code()]).as_deref(),
            Some("MON,FRI")
        );
    }
}
