use super::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn period(start: &str, end: &str, days: i32, hours: i32) -> Schedule {
    Schedule {
        starts_on: d(start),
        ends_on: d(end),
        days_per_week: days,
        hours_per_day: hours,
        travel_distance_km: None,
    }
}

fn field(r: Result<(), Breach>) -> Option<&'static str> {
    r.err().map(|b| b.field)
}

/// Checks each schedule (start, end, days a week, hours a day) and asserts the field its
/// breach names (`None`: no breach).
fn assert_breaches(cases: &[(&str, &str, i32, i32, Option<&str>)]) {
    for &(start, end, days, hours, breach) in cases {
        let got = field(check_schedule(&period(start, end, days, hours)));
        assert_eq!(got, breach, "{start}..{end}, {days} x {hours}");
    }
}

#[test]
fn length_is_three_to_twenty_four_months() {
    assert_breaches(&[
        ("2026-01-01", "2026-03-31", 3, 6, None),
        ("2026-01-01", "2026-03-30", 3, 6, Some("endsOn")),
        ("2026-01-01", "2027-12-31", 3, 6, None),
        ("2026-01-01", "2028-01-01", 3, 6, Some("endsOn")),
    ]);
}

#[test]
fn schedule_is_one_to_four_days_of_four_to_eight_hours() {
    assert_breaches(&[
        ("2026-01-01", "2026-06-30", 4, 8, None),
        ("2026-01-01", "2026-06-30", 5, 4, Some("daysPerWeek")),
        ("2026-01-01", "2026-06-30", 0, 4, Some("daysPerWeek")),
        ("2026-01-01", "2026-06-30", 1, 4, None),
        ("2026-01-01", "2026-06-30", 2, 3, Some("hoursPerDay")),
        ("2026-01-01", "2026-06-30", 2, 9, Some("hoursPerDay")),
    ]);
}

#[test]
fn five_days_were_allowed_before_july_2015_within_32_hours() {
    assert_breaches(&[
        ("2015-06-30", "2015-12-31", 5, 6, None),
        ("2015-07-01", "2015-12-31", 5, 6, Some("daysPerWeek")),
        // 5 x 7 = 35 hours is over the weekly 32.
        ("2015-06-30", "2015-12-31", 5, 7, Some("hoursPerDay")),
    ]);
}

#[test]
fn a_travel_distance_is_finite_and_at_most_1000_km() {
    let mut p = period("2026-01-01", "2026-06-30", 3, 6);
    for (km, ok) in [
        (0.0, true),
        (1000.0, true),
        (1000.5, false),
        (-1.0, false),
        (f64::NAN, false),
    ] {
        p.travel_distance_km = Some(km);
        assert_eq!(field(check_schedule(&p)).is_none(), ok, "{km}");
    }
}

#[test]
fn a_period_ends_early_or_as_decided() {
    assert_eq!(effective_end(d("2026-06-30"), None), d("2026-06-30"));
    assert_eq!(
        effective_end(d("2026-06-30"), Some(d("2026-04-15"))),
        d("2026-04-15")
    );
}

#[test]
fn periods_sharing_a_day_overlap() {
    let (s, e) = (d("2026-03-01"), d("2026-05-31"));
    assert!(overlaps(s, e, d("2026-05-31"), d("2026-08-31")));
    assert!(overlaps(s, e, d("2026-01-01"), d("2026-03-01")));
    assert!(overlaps(s, e, d("2026-01-01"), d("2026-12-31")));
    assert!(!overlaps(s, e, d("2026-06-01"), d("2026-08-31")));
    assert!(!overlaps(s, e, d("2025-12-01"), d("2026-02-28")));
}

#[test]
fn the_run_walks_back_over_gaps_of_at_most_a_month() {
    let periods = [
        // Too long before the next: ends the walk.
        (d("2022-01-01"), d("2022-06-30")),
        // 31 days before the next begins: part of the run.
        (d("2023-01-01"), d("2023-12-31")),
        (d("2024-01-31"), d("2024-12-31")),
        // Later than the new period: not walked over.
        (d("2027-01-01"), d("2027-06-30")),
    ];
    assert_eq!(run_start(d("2025-01-15"), &periods), d("2023-01-01"));
    // 32 days after the last one ended: a run of its own.
    assert_eq!(run_start(d("2025-02-01"), &periods), d("2025-02-01"));
    assert_eq!(run_start(d("2025-01-15"), &[]), d("2025-01-15"));
}

#[test]
fn a_run_over_the_review_months_needs_a_review() {
    let before = [(d("2024-01-01"), d("2025-06-30"))];
    // 2024-01-01 .. 2025-12-31 is 24 months: no review yet.
    assert_eq!(
        needs_review(d("2025-07-01"), d("2025-12-31"), &before, 24),
        Ok(false)
    );
    assert_eq!(
        needs_review(d("2025-07-01"), d("2026-01-01"), &before, 24),
        Ok(true)
    );
    // After a gap of over a month the count starts afresh.
    assert_eq!(
        needs_review(d("2025-08-01"), d("2026-06-30"), &before, 24),
        Ok(false)
    );
    assert_eq!(
        review_window(d("2025-07-01")),
        (d("2025-04-01"), d("2025-07-01"))
    );
}
