//! Where the sealer starts looking for unsealed rows, and the pass that reads older ids again.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Where the sealer starts looking for unsealed rows. Ids are taken at insert and rows
/// commit in any order, so a row below the highest sealed id may still be on its way; but a
/// request inserts its log rows as its last statement before COMMIT, so that window is a
/// few milliseconds. The floor is therefore the highest id sealed, or just below the oldest
/// id skipped on the way there (a hole) while that hole is younger than `LAG`: each round
/// reads only new rows and recent holes through the primary key, not seconds of the log. A
/// hole older than `LAG` is an id whose transaction rolled back. Only ids above the highest
/// id sealed before the round (by any process: another replica, an earlier run) can be
/// holes: the ids below it were sealed, or are the holes of the process that sealed past
/// them. The first round reads from [`Self::MAX_GAP`] ids below the highest sealed one.
///
/// As a safety net (a row whose transaction took longer than `LAG`, rows left by a process
/// that stopped), a pass reads every id below the floor again, on start and then `RESCAN`
/// after the last pass ended: one slice of `SLICE` ids at most every `SLICE_EVERY`, so that
/// the pass costs the database a bounded share of a core however long the log (one read of
/// the whole log at a million rows took 0.74 s of a core at once, and grows with the log).
#[derive(Default)]
pub(in crate::audit) struct Floor {
    highest: i64,
    /// Whether a round has read the head yet (the first starts below it).
    begun: bool,
    holes: BTreeMap<i64, Instant>,
    /// The pass in progress: the ids up to here have been read again.
    pass: Option<i64>,
    last_slice: Option<Instant>,
    /// When the last pass ended.
    passed: Option<Instant>,
}

impl Floor {
    const LAG: Duration = Duration::from_secs(5);
    const RESCAN: Duration = Duration::from_secs(600);
    /// The most ids one jump of the highest sealed id records as holes.
    pub(in crate::audit) const MAX_GAP: i64 = 10_000;
    const SLICE: i64 = 100_000;
    const SLICE_EVERY: Duration = Duration::from_secs(1);

    /// Notes one round: the highest id sealed before it (`None` when it did not read), and
    /// the ids it sealed, in ascending order.
    pub(in crate::audit) fn sealed(&mut self, top: Option<i64>, ids: &[i64]) {
        let now = Instant::now();
        self.begun |= top.is_some();
        self.highest = self.highest.max(top.unwrap_or(0));
        for &id in ids {
            self.holes.remove(&id);
            if id > self.highest {
                for gap in (self.highest + 1).max(id - Self::MAX_GAP)..id {
                    self.holes.insert(gap, now);
                }
                self.highest = id;
            }
        }
    }

    /// The floor for the next round; `None` until a round has read the head.
    pub(in crate::audit) fn next(&mut self) -> Option<i64> {
        if !self.begun {
            return None;
        }
        let now = Instant::now();
        self.holes
            .retain(|_, at| now.duration_since(*at) < Self::LAG);
        Some(match self.holes.keys().next() {
            Some(oldest) => oldest - 1,
            None => self.highest,
        })
    }

    /// The ids above `.0` and up to `.1` that the pass reads next, if a slice is due: a
    /// pass starts on the first round and `RESCAN` after the last ended, and ends at the
    /// highest id sealed (the rounds read above it).
    pub(in crate::audit) fn slice(&mut self) -> Option<(i64, i64)> {
        let now = Instant::now();
        if !self.begun
            || self
                .last_slice
                .is_some_and(|t| now.duration_since(t) < Self::SLICE_EVERY)
        {
            return None;
        }
        let from = match self.pass {
            Some(from) => from,
            None if self
                .passed
                .is_none_or(|t| now.duration_since(t) >= Self::RESCAN) =>
            {
                0
            }
            None => return None,
        };
        if from >= self.highest {
            self.pass = None;
            self.passed = Some(now);
            return None;
        }
        self.pass = Some(from);
        self.last_slice = Some(now);
        Some((from, (from + Self::SLICE).min(self.highest)))
    }

    /// The pass has read every id up to `upto`.
    pub(in crate::audit) fn slice_done(&mut self, upto: i64) {
        if upto >= self.highest {
            self.pass = None;
            self.passed = Some(Instant::now());
        } else {
            self.pass = Some(upto);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_follows_the_sealed_ids_and_waits_for_holes_only_so_long() {
        let mut f = Floor::default();
        assert_eq!(f.next(), None, "the first round starts below the head");
        f.sealed(Some(0), &[1, 2, 3, 5, 6]);
        assert_eq!(
            f.next(),
            Some(3),
            "4 may still commit: read from just below it"
        );
        f.sealed(Some(6), &[4, 7]);
        assert_eq!(f.next(), Some(7), "no hole left: only newer ids");
        f.sealed(Some(7), &[9]);
        assert_eq!(f.next(), Some(7));
        for at in f.holes.values_mut() {
            *at -= Floor::LAG;
        }
        assert_eq!(
            f.next(),
            Some(9),
            "a hole older than the lag was rolled back"
        );
        f.sealed(Some(9), &[30_000]);
        assert_eq!(
            f.holes.len() as i64,
            Floor::MAX_GAP,
            "a jump records a bounded gap"
        );
    }

    #[test]
    fn a_pass_reads_the_older_ids_again_a_slice_at_a_time() {
        let mut f = Floor::default();
        assert_eq!(f.slice(), None, "nothing before the first round");
        f.sealed(Some(250_000), &[]);
        let mut slices = Vec::new();
        while let Some((from, upto)) = f.slice() {
            assert_eq!(f.slice(), None, "at most one slice every SLICE_EVERY");
            slices.push((from, upto));
            f.slice_done(upto);
            f.last_slice = f.last_slice.map(|t| t - Floor::SLICE_EVERY);
        }
        assert_eq!(
            slices,
            vec![(0, 100_000), (100_000, 200_000), (200_000, 250_000)],
            "the pass ends at the highest id sealed"
        );
        assert_eq!(f.slice(), None, "the next pass waits RESCAN");
        // A slice not read (another process held the lock) is read again.
        f.passed = f.passed.map(|t| t - Floor::RESCAN);
        assert_eq!(f.slice(), Some((0, 100_000)));
        f.last_slice = f.last_slice.map(|t| t - Floor::SLICE_EVERY);
        assert_eq!(f.slice(), Some((0, 100_000)));
    }

    #[test]
    fn ids_sealed_before_a_round_are_never_holes() {
        // Started on a long log: the first round seals two stragglers below the head and one
        // new row; only the id skipped above the head is a hole.
        let mut f = Floor::default();
        assert_eq!(f.next(), None);
        f.sealed(Some(500_000), &[495_120, 495_130, 500_002]);
        assert_eq!(f.holes.keys().copied().collect::<Vec<_>>(), vec![500_001]);
        assert_eq!(f.next(), Some(500_000));
        // Another replica sealed up to 600,000 meanwhile: none of it is a hole here.
        f.sealed(Some(600_000), &[600_001]);
        assert_eq!(f.next(), Some(500_000), "500,001 is still young");
        f.sealed(Some(600_001), &[500_001]);
        assert_eq!(f.next(), Some(600_001));
        // A round that found the lock taken read nothing and changes nothing.
        f.sealed(None, &[]);
        assert_eq!(f.next(), Some(600_001));
    }
}
