//! What a report reads and what it may publish.
//!
//! Each report and each filter declares the client data it reads ([`Report::rule`]); a caller whose
//! field mask does not read all of it is refused before any query runs, so filters and
//! aggregates never use a field the caller may not read. ANALYST, the role of aggregates,
//! reads those of every group and nothing else.
//!
//! Every published figure passes [`publish`], which withstands differencing: ranges are whole
//! calendar months ([`whole_months`]), "on" figures fall on a month's first day
//! ([`first_of_month`]), counts are rounded to a multiple of [`ROUND_TO`] and sums of money to
//! [`MONEY_ROUND_TO_CENTS`], and a figure standing for fewer than [`MIN_CELL`] persons, none
//! included, is suppressed.

use chrono::{Datelike, Months, NaiveDate};

use super::reports::Filter;
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::authz::{FieldGroup, FieldId, ReadAccess};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The reports, as the rules name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    RehabActivity,
    CaseOutcomes,
    TypClientsOn,
    IndividualSupportClientsOn,
    ServiceInterruptions,
    Allowances,
    Meetings,
    PeriodLengths,
    ProviderActivity,
    Assessments,
    FollowUps,
    Competence,
    Referrals,
    CoachingHours,
    VoucherUse,
    PaySubsidyTransitions,
    Programmes,
}

/// Client data a report or filter reads: a whole group, or one field where the policy grants
/// part of a group (a coach reads a client's names and phone, not the municipality).
#[derive(Debug, Clone, Copy)]
pub enum Reads {
    Group(FieldGroup),
    Field(FieldId),
}

/// The filters of [`Filter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    ProviderId,
    ProviderKind,
    Municipality,
    ResponsibleAgency,
}

impl FilterField {
    const ALL: [FilterField; 4] = [
        FilterField::ProviderId,
        FilterField::ProviderKind,
        FilterField::Municipality,
        FilterField::ResponsibleAgency,
    ];

    /// The input field's name, in GraphQL's `ReportFilter` and the CSV query alike.
    pub fn name(self) -> &'static str {
        match self {
            FilterField::ProviderId => "providerId",
            FilterField::ProviderKind => "providerKind",
            FilterField::Municipality => "municipality",
            FilterField::ResponsibleAgency => "responsibleAgency",
        }
    }

    fn is_set(self, f: &Filter) -> bool {
        match self {
            FilterField::ProviderId => f.provider_id.is_some(),
            FilterField::ProviderKind => f.provider_kind.is_some(),
            FilterField::Municipality => f.municipality.is_some(),
            FilterField::ResponsibleAgency => f.responsible_agency.is_some(),
        }
    }
}

/// What one report reads, and the filters it applies with what each of them reads.
pub struct Rule {
    pub reads: &'static [Reads],
    /// Any filter not listed is refused: the report cannot apply it.
    pub filters: &'static [(FilterField, &'static [Reads])],
}

impl Rule {
    fn new(reads: &'static [Reads], filters: &'static [(FilterField, &'static [Reads])]) -> Rule {
        Rule { reads, filters }
    }
}

use FieldGroup::{Allowance, Attendance, Case, Coaching, Employment, Rehab, WorkAbility};
use FilterField::{Municipality, ProviderId, ProviderKind, ResponsibleAgency};
use Reads::{Field, Group};

const BY_MUNICIPALITY: (FilterField, &[Reads]) =
    (Municipality, &[Field(FieldId::ClientMunicipality)]);
const BY_AGENCY: (FilterField, &[Reads]) = (
    ResponsibleAgency,
    &[Field(FieldId::TypCaseResponsibleAgency)],
);
/// Filters of the reports counted from KTT periods: a provider is a period's placement.
const KTT_FILTERS: &[(FilterField, &[Reads])] = &[
    (ProviderId, &[Field(FieldId::RehabProvider)]),
    (ProviderKind, &[Field(FieldId::RehabProvider)]),
    BY_MUNICIPALITY,
    BY_AGENCY,
];
/// Filters of the reports counted from clients and cases only.
const CLIENT_FILTERS: &[(FilterField, &[Reads])] = &[BY_MUNICIPALITY, BY_AGENCY];
/// The provider of a job coaching or a voucher is COACHING data.
const COACHING_FILTERS: &[(FilterField, &[Reads])] = &[
    (ProviderId, &[Group(Coaching)]),
    (ProviderKind, &[Group(Coaching)]),
    BY_MUNICIPALITY,
    BY_AGENCY,
];

impl Report {
    /// What the report reads: the one table the check below consults.
    pub fn rule(self) -> Rule {
        use Report::*;
        match self {
            RehabActivity => Rule::new(&[Group(Rehab), Group(Attendance)], KTT_FILTERS),
            CaseOutcomes | TypClientsOn | Meetings | FollowUps | Referrals => {
                Rule::new(&[Group(Case)], CLIENT_FILTERS)
            }
            // The track is recorded on the case.
            IndividualSupportClientsOn => Rule::new(&[Group(Case)], CLIENT_FILTERS),
            CoachingHours | VoucherUse => Rule::new(&[Group(Coaching)], COACHING_FILTERS),
            PaySubsidyTransitions => Rule::new(&[Group(Employment)], CLIENT_FILTERS),
            // Tagged cases and tagged job coaching.
            Programmes => Rule::new(&[Group(Case), Group(Coaching)], CLIENT_FILTERS),
            // Service-wide closures are no client's data.
            ServiceInterruptions => Rule::new(&[], &[]),
            Allowances => Rule::new(&[Group(Allowance)], KTT_FILTERS),
            PeriodLengths => Rule::new(&[Group(Rehab)], KTT_FILTERS),
            ProviderActivity => Rule::new(&[Group(Attendance), Group(Rehab)], KTT_FILTERS),
            Assessments => Rule::new(&[Group(WorkAbility)], CLIENT_FILTERS),
            // A competence record's provider is its period's placement.
            Competence => Rule::new(&[Group(FieldGroup::Competence)], KTT_FILTERS),
        }
    }
}

/// Checks that the caller may run `report` with the filter `f`, before anything runs, and
/// answers the row scope to count in (`None`: every client, for ANALYST). A filter the report
/// cannot apply is `BAD_USER_INPUT` naming it; a report or filter reading data outside the
/// caller's field mask is `FORBIDDEN`. Only a full read (`r`) counts: a group read under
/// consent (`c`) is not readable for the clients without one.
pub fn authorize<'a>(
    rc: &'a RequestContext,
    report: Report,
    f: &Filter,
) -> AppResult<Option<&'a RowScope>> {
    let analyst = rc.principal().has_role(Role::Analyst);
    let scope = if analyst {
        None
    } else {
        match &rc.scope {
            RowScope::Nothing => return Err(AppError::Forbidden(None)),
            scope => Some(scope),
        }
    };
    let rule = report.rule();
    let may_read = |reads: &[Reads]| {
        analyst
            || reads.iter().all(|r| match *r {
                Group(g) => rc.principal().mask.group(g) == ReadAccess::Read,
                Field(id) => rc.principal().field_access(id) == ReadAccess::Read,
            })
    };
    for field in FilterField::ALL.into_iter().filter(|x| x.is_set(f)) {
        let Some((_, reads)) = rule.filters.iter().find(|(x, _)| *x == field) else {
            return Err(AppError::bad_input(
                field.name(),
                format!("this report cannot be filtered by {}", field.name()),
            ));
        };
        if !may_read(reads) {
            return Err(AppError::Forbidden(None));
        }
    }
    if !may_read(rule.reads) {
        return Err(AppError::Forbidden(None));
    }
    Ok(scope)
}

/// The smallest number of persons a published figure may stand for.
pub const MIN_CELL: i64 = 5;
/// Published counts (persons, cases, days, meetings) are multiples of this.
pub const ROUND_TO: i64 = 5;
/// Published sums of money are multiples of this many cents (100 euros): a month's expense
/// allowance and travel compensation of one person is of this order, so a difference of two
/// sums does not state what one person was paid.
pub const MONEY_ROUND_TO_CENTS: i64 = 10_000;
/// The longest range one report covers, in months.
pub const MAX_MONTHS: usize = 120;

/// The one rule for every published figure: `value` stands for `persons` persons. Fewer than
/// [`MIN_CELL`] persons, none included, and nothing is published (a zero beside a suppressed
/// cell would tell where the few are; a zero turning into a suppressed cell between two
/// ranges would tell that someone arrived). Otherwise `value` is rounded to the nearest
/// multiple of `unit`, halves up.
pub fn publish(value: i64, persons: i64, unit: i64) -> Option<i64> {
    if persons < MIN_CELL || unit <= 0 {
        return None;
    }
    Some((value + unit / 2).div_euclid(unit) * unit)
}

/// A range of whole calendar months, `from` a month's first day and `to` a month's last:
/// the smallest difference of two ranges is then a whole month, never a day.
pub fn whole_months(from: NaiveDate, to: NaiveDate) -> AppResult<Vec<(NaiveDate, NaiveDate)>> {
    first_of_month("from", from)?;
    if to.succ_opt().is_some_and(|d| d.day() != 1) {
        return Err(AppError::bad_input(
            "to",
            "to is the last day of a month: reports count whole calendar months",
        ));
    }
    if to < from {
        return Err(AppError::bad_input("to", "to is before from"));
    }
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let next = start
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        out.push((start, next.pred_opt().unwrap_or(start)));
        if out.len() > MAX_MONTHS {
            return Err(AppError::LimitExceeded(format!(
                "at most {MAX_MONTHS} months"
            )));
        }
        start = next;
    }
    Ok(out)
}

/// A day an "on" figure may be asked for: a month's first day, so that two such figures are
/// a month apart and never tell a day's change.
pub fn first_of_month(field: &str, on: NaiveDate) -> AppResult<()> {
    if on.day() == 1 {
        Ok(())
    } else {
        Err(AppError::bad_input(
            field,
            format!("{field} is the first day of a month: reports count whole calendar months"),
        ))
    }
}

/// The first days of the months from `from` (one itself) to `to`, for a series of "on"
/// figures.
pub fn first_days(from: NaiveDate, to: NaiveDate) -> AppResult<Vec<NaiveDate>> {
    first_of_month("from", from)?;
    if to < from {
        return Err(AppError::bad_input("to", "to is before from"));
    }
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        out.push(day);
        if out.len() > MAX_MONTHS {
            return Err(AppError::LimitExceeded(format!(
                "at most {MAX_MONTHS} months"
            )));
        }
        day = day
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_rounded_to_fives_and_fewer_than_five_persons_none_included_are_suppressed() {
        let counts: Vec<Option<i64>> = (0..=13).map(|n| publish(n, n, ROUND_TO)).collect();
        let five = Some(5);
        let ten = Some(10);
        assert_eq!(
            counts,
            [
                None,
                None,
                None,
                None,
                None,
                five,
                five,
                five,
                ten,
                ten,
                ten,
                ten,
                ten,
                Some(15)
            ]
        );
        // A value of several persons: published rounded, or not at all with the persons.
        assert_eq!(publish(23, 5, ROUND_TO), Some(25));
        assert_eq!(publish(23, 4, ROUND_TO), None);
        assert_eq!(publish(9_000, 5, MONEY_ROUND_TO_CENTS), Some(10_000));
        assert_eq!(publish(104_999, 12, MONEY_ROUND_TO_CENTS), Some(100_000));
    }

    #[test]
    fn one_person_more_never_shows_as_a_difference_of_one() {
        for n in 0..1_000 {
            let (a, b) = (publish(n, n, ROUND_TO), publish(n + 1, n + 1, ROUND_TO));
            if let (Some(a), Some(b)) = (a, b) {
                assert!(b - a == 0 || b - a == ROUND_TO, "{n}: {a} -> {b}");
            }
        }
    }

    #[test]
    fn ranges_are_whole_months_and_on_days_first_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            whole_months(d("2024-01-01"), d("2024-03-31"))
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            whole_months(d("2024-02-01"), d("2024-02-29"))
                .unwrap()
                .len(),
            1
        );
        let field = |r: AppResult<Vec<(NaiveDate, NaiveDate)>>| match r {
            Err(AppError::BadUserInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(whole_months(d("2024-01-01"), d("2024-03-14"))), "to");
        assert_eq!(
            field(whole_months(d("2024-01-02"), d("2024-03-31"))),
            "from"
        );
        assert!(first_of_month("on", d("2024-03-15")).is_err());
        assert_eq!(
            first_days(d("2024-01-01"), d("2024-03-01")).unwrap(),
            [d("2024-01-01"), d("2024-02-01"), d("2024-03-01")]
        );
    }
}
