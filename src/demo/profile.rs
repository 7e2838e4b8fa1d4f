//! The South Karelia profile: a data set whose reports show the region's published TYP and
//! KTT figures (Eksote's): clients in KTT per month in 2019, the closure by government order
//! in spring 2020, the clients of early 2021 under restrictions, and the TYP and
//! individual-support clients on 1 June 2021 (docs/demo-data.md).
//!
//! Where the existing generator draws each client on its own, the profile first plans the
//! whole region month by month ([`plan`]): TYP cases are opened so that the cases open on
//! each month's first day follow the region's stock, and KTT periods are started so that the
//! persons in KTT each month follow the published series. The clients' other records are
//! then drawn around those plans as for any client.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::{anchor, Rng};
use crate::domain::calendar::public_holiday;

/// Persons in KTT a month in 2019 (Eksote's published monthly figure).
pub const KTT_PERSONS_2019: u32 = 741;
/// Persons in KTT a month in January–April 2021, under restrictions (published).
pub const KTT_PERSONS_2021_RESTRICTED: u32 = 630;
/// TYP clients on 1 June 2021 (published).
pub const TYP_CLIENTS_2021_06_01: u32 = 3108;
/// Individual-support clients on 1 June 2021 (published).
pub const INDIVIDUAL_SUPPORT_2021_06_01: u32 = 1112;

/// The fraction of the region `serve --demo` loads: the full profile takes longer than a
/// demo should to start (docs/demo-data.md gives the load times).
pub const DEMO_SCALE: f64 = 0.05;

/// The seeded profiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// South Karelia (Eksote): the region's published figures.
    SouthKarelia,
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Profile, String> {
        match s {
            "south-karelia" => Ok(Profile::SouthKarelia),
            other => Err(format!("unknown profile {other} (known: south-karelia)")),
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn months_after(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

/// The closure by government order (no KTT attendance), as the data set records it.
fn closure() -> (NaiveDate, NaiveDate) {
    (ymd(2020, 3, 17), ymd(2020, 5, 31))
}

/// TYP (the multi-sector joint service) began with the law on 1 January 2015.
fn typ_began() -> NaiveDate {
    ymd(2015, 1, 1)
}

/// The first month the KTT series is planned for (its periods may have started before).
fn ktt_begins() -> NaiveDate {
    ymd(2018, 1, 1)
}

/// Cases open on a month's first day: the TYP service builds up over its first two years
/// to the stock the region reports, and stays there.
fn open_cases_target(month: NaiveDate) -> f64 {
    let full = f64::from(TYP_CLIENTS_2021_06_01);
    let built = ymd(2017, 1, 1);
    if month >= built {
        return full;
    }
    let months = (month.year() - 2015) * 12 + month.month0() as i32;
    full * f64::from(months.max(0)) / 24.0
}

/// Persons in KTT in a month: the published 741 through 2019 (and, unpublished, the year
/// before), down under the restrictions of late 2020 to the published 630 of January–April
/// 2021, then back towards the level of before. `None` in the closure: nobody starts.
fn ktt_target(month: NaiveDate) -> Option<f64> {
    let (y, m) = (month.year(), month.month());
    let before = f64::from(KTT_PERSONS_2019);
    let restricted = f64::from(KTT_PERSONS_2021_RESTRICTED);
    Some(match (y, m) {
        (..=2019, _) | (2020, 1..=3) => before,
        (2020, 4 | 5) => return None,
        (2020, 6..=10) => 700.0,
        (2020, _) => 665.0,
        (2021, 1..=4) => restricted,
        (2021, 5) => 665.0,
        _ => 700.0,
    })
}

/// A planned KTT period.
#[derive(Debug, Clone)]
pub struct PlannedPeriod {
    pub starts: NaiveDate,
    /// The last day decided.
    pub ends: NaiveDate,
    pub days_per_week: i32,
    /// An early end: the last day, the reason and the period's outcome.
    pub early: Option<(NaiveDate, &'static str, &'static str)>,
}

impl PlannedPeriod {
    /// The last day the period is in force.
    pub fn last_day(&self) -> NaiveDate {
        self.early.map(|e| e.0).unwrap_or(self.ends)
    }
}

/// A planned client: the TYP case and the KTT periods.
#[derive(Debug, Clone)]
pub struct PlannedClient {
    pub opened: NaiveDate,
    /// The case's end, if before the day the data set is drawn around, and its outcome.
    pub ended: Option<(NaiveDate, &'static str)>,
    /// The recorded service track.
    pub track: &'static str,
    pub periods: Vec<PlannedPeriod>,
}

/// Outcomes of closed cases: mostly studies, pay-subsidised work and the open labour market.
const CASE_OUTCOMES: &[(&str, u64)] = &[
    ("STUDIES", 24),
    ("PAY_SUBSIDISED_WORK", 20),
    ("OPEN_LABOUR_MARKET", 21),
    ("WORK_ABILITY_ASSESSMENT", 7),
    ("NEW_REHAB_PERIOD", 6),
    ("PENSION", 7),
    ("MOVED", 7),
    ("OTHER", 8),
];

/// Early ends of KTT periods: reason and outcome.
const EARLY_ENDS: &[(&str, &str, u64)] = &[
    ("Started studies", "STUDIES", 25),
    ("Employed with pay subsidy", "PAY_SUBSIDISED_WORK", 20),
    ("Employed", "OPEN_LABOUR_MARKET", 15),
    ("Illness", "ENDED_BY_ILLNESS", 20),
    ("Ended at the client's wish", "ENDED_BY_CLIENT", 20),
];

fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u64)]) -> T {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let mut n = rng.next_u64() % total.max(1);
    for (item, w) in items {
        if n < *w {
            return *item;
        }
        n -= w;
    }
    items[0].0
}

/// The share of TYP clients on the individual-support track.
fn individual_share() -> f64 {
    f64::from(INDIVIDUAL_SUPPORT_2021_06_01) / f64::from(TYP_CLIENTS_2021_06_01)
}

/// A case's length in months: most a year or two, some several years (old cases that
/// close in the end, or are still open).
fn case_months(rng: &mut Rng) -> u32 {
    let bucket = rng.range(0, 99);
    (match bucket {
        0..=19 => rng.range(4, 11),
        20..=64 => rng.range(12, 29),
        65..=89 => rng.range(30, 59),
        _ => rng.range(60, 120),
    }) as u32
}

/// A KTT period's decided length in months: half a year or a year mostly, some 18–24.
fn period_months(rng: &mut Rng) -> u32 {
    let bucket = rng.range(0, 99);
    (match bucket {
        0..=24 => rng.range(3, 5),
        25..=59 => 6,
        60..=71 => rng.range(7, 11),
        72..=87 => 12,
        _ => rng.range(18, 24),
    }) as u32
}

/// Whether `day` is an activity day of a period meeting `days` days a week (Monday first):
/// no weekend, no public holiday, nothing in the closure.
pub fn activity_day(day: NaiveDate, days: i32) -> bool {
    let (c0, c1) = closure();
    (day.weekday().num_days_from_monday() as i32) < days
        && !(day >= c0 && day <= c1)
        && public_holiday(day).is_none()
}

/// Whether a period from `starts` to `last` meeting `days` a week has an activity day in
/// the month from `m0` to `m1`.
fn active_in(starts: NaiveDate, last: NaiveDate, days: i32, m0: NaiveDate, m1: NaiveDate) -> bool {
    let (from, to) = (starts.max(m0), last.min(m1));
    let mut day = from;
    while day <= to {
        if activity_day(day, days) {
            return true;
        }
        day = day.succ_opt().unwrap_or(NaiveDate::MAX);
    }
    false
}

/// Plans the region at `scale` (1.0 the full region) from `seed`.
pub fn plan(scale: f64, seed: u64) -> Vec<PlannedClient> {
    let mut rng = Rng::new(seed ^ 0x5EED_50C7_4A2E_1AA0);
    let last_open = anchor().checked_sub_days(Days::new(20)).unwrap_or(anchor());
    let mut clients: Vec<PlannedClient> = Vec::new();
    // The planned end of each case (beyond the anchor for those still open).
    let mut case_end: Vec<NaiveDate> = Vec::new();

    // Cases: each month, open enough to keep the cases open on the next month's first day at
    // the region's stock.
    let mut month = typ_began();
    while month <= last_open {
        let next = months_after(month, 1);
        let open_next = case_end
            .iter()
            .zip(&clients)
            .filter(|(end, c)| c.opened < next && **end >= next)
            .count() as f64;
        let target = (open_cases_target(next) * scale).round();
        let need = (target - open_next).max(0.0) as usize;
        let days = (next - month).num_days().max(1);
        for _ in 0..need {
            let opened = month
                .checked_add_days(Days::new(rng.range(0, days - 1) as u64))
                .unwrap_or(month)
                .min(last_open);
            let end = day_before(months_after(opened, case_months(&mut rng)));
            let end = end.max(next);
            let ended = (end < anchor()).then(|| (end, weighted(&mut rng, CASE_OUTCOMES)));
            let track = if (rng.next_u64() % 10_000) as f64 / 10_000.0 < individual_share() {
                "INDIVIDUAL_SUPPORT"
            } else {
                "MULTI_SECTOR"
            };
            clients.push(PlannedClient {
                opened,
                ended,
                track,
                periods: Vec::new(),
            });
            case_end.push(end);
        }
        month = next;
    }

    // About one in three on the individual-support track, as the region records: drawn for
    // each case, and among the cases open on the day the region counted them, exactly its
    // share.
    let counted_on = ymd(2021, 6, 1);
    let mut open: Vec<usize> = (0..clients.len())
        .filter(|&i| clients[i].opened <= counted_on && case_end[i] >= counted_on)
        .collect();
    let individual = (open.len() as f64 * individual_share()).round() as usize;
    for k in 0..open.len() {
        let j = k + (rng.next_u64() % (open.len() - k) as u64) as usize;
        open.swap(k, j);
        clients[open[k]].track = if k < individual {
            "INDIVIDUAL_SUPPORT"
        } else {
            "MULTI_SECTOR"
        };
    }

    // KTT periods: each month, start enough periods among the TYP clients not in KTT to keep
    // the persons in KTT that month at the series. A client is placed two months after the
    // case opened at the earliest (when the plan is made), with three months of the case
    // left, and not again within a fortnight of the last period.
    let mut busy_until: Vec<Option<NaiveDate>> = vec![None; clients.len()];
    // The periods in force, by client.
    let mut active: Vec<usize> = Vec::new();
    let mut month = ktt_begins();
    let mut first = true;
    while month <= last_open {
        let next = months_after(month, 1);
        let m1 = day_before(next);
        active.retain(|&i| busy_until[i].is_some_and(|b| b >= month));
        let Some(target) = ktt_target(month) else {
            month = next;
            first = false;
            continue;
        };
        let counted = active
            .iter()
            .filter(|&&i| {
                clients[i]
                    .periods
                    .last()
                    .is_some_and(|p| active_in(p.starts, p.last_day(), p.days_per_week, month, m1))
            })
            .count() as f64;
        let need = ((target * scale).round() - counted).max(0.0) as usize;
        // Starts fall on the month's first day or weeks (before the closure in March 2020).
        let latest_day = if (month.year(), month.month()) == (2020, 3) {
            12
        } else {
            20
        };
        let mut candidates: Vec<usize> = (0..clients.len())
            .filter(|&i| {
                let c = &clients[i];
                let ready = if first {
                    c.opened < month
                } else {
                    months_after(c.opened, 2) <= month
                };
                ready
                    && case_end[i] >= months_after(month, 3)
                    && busy_until[i]
                        .is_none_or(|b| b.checked_add_days(Days::new(14)).unwrap_or(b) < month)
            })
            .collect();
        for _ in 0..need {
            if candidates.is_empty() {
                break;
            }
            let pick = (rng.next_u64() % candidates.len() as u64) as usize;
            let i = candidates.swap_remove(pick);
            let months = period_months(&mut rng);
            // The stock the series begins with started over the year before.
            let starts = if first {
                let back = rng.range(0, i64::from(months.saturating_sub(1)).min(10)) as u32;
                month
                    .checked_sub_months(Months::new(back))
                    .unwrap_or(month)
                    .checked_add_days(Days::new(rng.range(0, 19) as u64))
                    .unwrap_or(month)
                    .max(months_after(clients[i].opened, 0))
            } else if rng.chance(50) {
                // Decisions mostly run from a month's first day.
                month
            } else {
                month
                    .checked_add_days(Days::new(rng.range(1, latest_day - 1) as u64))
                    .unwrap_or(month)
            };
            let ends = day_before(months_after(starts, months)).min(case_end[i]);
            // Under restrictions (from the reopening to May 2021) periods meet less often.
            let restricted = starts >= ymd(2020, 6, 1) && starts < ymd(2021, 6, 1);
            let days_per_week = if restricted {
                rng.range(2, 3)
            } else {
                rng.range(2, 4)
            } as i32;
            // One in six ends early, after a month at least.
            let early = if rng.chance(17) && (ends - starts).num_days() > 60 {
                let at = starts
                    .checked_add_days(Days::new(
                        rng.range(31, (ends - starts).num_days() - 1) as u64
                    ))
                    .unwrap_or(ends);
                let (reason, outcome, _) = EARLY_ENDS[{
                    let total: u64 = EARLY_ENDS.iter().map(|e| e.2).sum();
                    let mut n = rng.next_u64() % total;
                    EARLY_ENDS
                        .iter()
                        .position(|e| {
                            if n < e.2 {
                                true
                            } else {
                                n -= e.2;
                                false
                            }
                        })
                        .unwrap_or(0)
                }];
                Some((at, reason, outcome))
            } else {
                None
            };
            let period = PlannedPeriod {
                starts,
                ends,
                days_per_week,
                early,
            };
            busy_until[i] = Some(period.last_day());
            clients[i].periods.push(period);
            active.push(i);
        }
        month = next;
        first = false;
    }
    clients
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_deterministic_and_follows_the_series() {
        let a = plan(0.05, 1);
        let b = plan(0.05, 1);
        assert_eq!(a.len(), b.len());
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.opened == y.opened && x.periods.len() == y.periods.len()));
        let open = a
            .iter()
            .filter(|c| {
                let on = ymd(2021, 6, 1);
                c.opened <= on && c.ended.is_none_or(|e| e.0 >= on)
            })
            .count() as f64;
        let want = f64::from(TYP_CLIENTS_2021_06_01) * 0.05;
        assert!((open - want).abs() <= want * 0.1, "{open} vs {want}");
    }

    #[test]
    fn activity_days_skip_weekends_holidays_and_the_closure() {
        assert!(activity_day(ymd(2019, 1, 7), 1));
        assert!(!activity_day(ymd(2019, 1, 5), 4));
        assert!(!activity_day(ymd(2019, 12, 25), 4));
        assert!(!activity_day(ymd(2020, 4, 6), 4));
    }
}
