//! Aggregate reports for dashboards, computed in SQL. Each report first passes
//! [`report_rules::authorize`] (what it and its filters read, against the caller's field
//! mask) and publishes every figure through [`report_rules::publish`] (whole months, rounded,
//! small figures suppressed); complementary suppression keeps a suppressed cell from being
//! recovered from its total. Reports return counts only: no identifier, name or date of
//! birth. ANALYST sees all clients; agency roles only their row scope.

use chrono::NaiveDate;
use sea_orm::sea_query::SelectStatement;
use sea_orm::ConnectionTrait;

use super::report_rules::{self, authorize, publish, Report, ROUND_TO};
use super::RequestContext;
use crate::error::AppResult;

mod agency_work;
mod cases;
mod coaching;
mod filters;
mod ktt;
mod meetings;
mod work;

pub use agency_work::{
    competence, referrals, CompetenceFigures, ReferralFigures, OTHER_QUALIFICATIONS,
};
pub use cases::{
    case_outcomes, follow_ups, individual_support_clients_on, typ_clients_on, Outcomes,
    FOLLOW_UP_STATUSES,
};
pub use coaching::{coaching_hours, voucher_use, CoachingFigures, VoucherFigures};
pub use ktt::{
    allowances, period_lengths, provider_activity, rehab_activity, AllowanceMonth, ProviderFigures,
    RehabMonth, LENGTH_BUCKETS,
};
pub use meetings::{assessments, meetings, AssessmentFigures, MeetingFigures};
pub use work::{pay_subsidy_transitions, programme_counts, ProgrammeFigures, SubsidyMonth};

pub use super::report_rules::{MAX_MONTHS, MIN_CELL};

/// Optional filters of every report.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub provider_id: Option<String>,
    pub provider_kind: Option<String>,
    pub municipality: Option<String>,
    pub responsible_agency: Option<String>,
}

/// A published count: `None` when suppressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub value: Option<i64>,
}

impl Cell {
    /// A count of persons, as [`publish`] lets it out.
    pub fn of(persons: i64) -> Cell {
        guarded(persons, persons)
    }
}

/// Suppresses small cells of a row that has a published total: if exactly one cell is
/// suppressed, the next smallest is suppressed too, so the total cannot reveal it.
pub fn suppress_row(counts: &[i64]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = counts.iter().map(|c| Cell::of(*c)).collect();
    let hidden = counts.iter().filter(|c| **c > 0 && **c < MIN_CELL).count();
    if hidden == 1 {
        if let Some((i, _)) = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| cells[*i].value.is_some() && **c > 0)
            .min_by_key(|(_, c)| **c)
        {
            cells[i].value = None;
        }
    }
    cells
}

/// Runs a query of one count `n` of persons as a published cell.
async fn count_cell(rc: &RequestContext, select: &SelectStatement) -> AppResult<Cell> {
    Ok(Cell::of(count(rc, select).await?))
}

/// Runs a query of one count `n` (0 when no row).
async fn count(rc: &RequestContext, select: &SelectStatement) -> AppResult<i64> {
    let db = rc.report_db().await?;
    Ok(db
        .query_one(select)
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0))
}

/// Service-wide interruptions overlapping a range (not client data). It takes no filter:
/// one given is refused by name like any filter a report cannot apply.
pub async fn interruptions(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<entity::service_interruption::Model>> {
    authorize(rc, Report::ServiceInterruptions, f)?;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(entity::service_interruption::Entity::find()
        .filter(entity::service_interruption::Column::CancelledAt.is_null())
        .filter(entity::service_interruption::Column::StartsOn.lte(to))
        .filter(entity::service_interruption::Column::EndsOn.gte(from))
        .order_by_asc(entity::service_interruption::Column::StartsOn)
        .all(rc.report_db().await?)
        .await?)
}

/// A count (of days, meetings, actions) published only when at least five persons stand
/// behind it, rounded.
fn guarded(value: i64, persons: i64) -> Cell {
    Cell {
        value: publish(value, persons, ROUND_TO),
    }
}

/// A sum of money, in cents, published like [`guarded`] but rounded to whole hundreds of
/// euros.
fn money(cents: i64, persons: i64) -> Cell {
    Cell {
        value: publish(cents, persons, report_rules::MONEY_ROUND_TO_CENTS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_under_five_persons_are_suppressed() {
        assert_eq!(Cell::of(4).value, None);
        assert_eq!(Cell::of(5).value, Some(5));
        // None is fewer than five too: a zero would tell where the few are.
        assert_eq!(Cell::of(0).value, None);
        assert_eq!(Cell::of(8).value, Some(10));
    }

    #[test]
    fn one_suppressed_cell_in_a_row_takes_the_next_smallest_with_it() {
        let cells = suppress_row(&[4, 12, 7, 30]);
        let values: Vec<Option<i64>> = cells.iter().map(|c| c.value).collect();
        assert_eq!(values, vec![None, Some(10), None, Some(30)]);
        let two = suppress_row(&[3, 2, 9]);
        assert_eq!(
            two.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![None, None, Some(10)]
        );
        let none = suppress_row(&[5, 0, 9]);
        assert_eq!(
            none.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![Some(5), None, Some(10)],
            "the zero is suppressed as fewer than five, and hides nothing else"
        );
    }
}
