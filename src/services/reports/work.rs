//! Reports on work: transitions into pay-subsidised work and out of it (to the open labour
//! market above all), and what each programme's tagged cases and job coaching count.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};

use super::cases::{not_ended, persons_of};
use super::filters::{case_filters, client_filters, filtered};
use super::{count, suppress_row, Cell, Filter};
use crate::domain::employment::SubsidyFollowUp;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, Report};
use crate::services::RequestContext;

/// One month of transitions through pay-subsidised work.
#[derive(Debug, Clone)]
pub struct SubsidyMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Persons whose pay-subsidised employment started in the month.
    pub started: Cell,
    /// Persons whose pay-subsidised employment ended in the month, by what followed
    /// ([`SubsidyFollowUp`] codes), with complementary suppression across the row.
    pub ended_by: Vec<(String, Cell)>,
}

/// Transitions into pay-subsidised work and out of it, per month of the range.
pub async fn pay_subsidy_transitions(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<SubsidyMonth>> {
    let scope = authorize(rc, Report::PaySubsidyTransitions, f)?;
    let months = report_rules::whole_months(from, to)?;
    let mut out = Vec::with_capacity(months.len());
    for (first, last) in months {
        let within = |column: &'static str| {
            let mut select = persons_of("pay_subsidy", "p");
            select
                .and_where(Expr::col(("p", column)).gte(first))
                .and_where(Expr::col(("p", column)).lte(last));
            filtered(&mut select, client_filters(scope, f, "p"));
            select
        };
        let started = count(rc, &within("starts_on")).await?;
        let mut ended = Vec::with_capacity(SubsidyFollowUp::ALL.len());
        for follow_up in SubsidyFollowUp::ALL {
            let mut select = within("ended_on");
            select.and_where(Expr::col(("p", "followed_by")).eq(follow_up.code()));
            ended.push(count(rc, &select).await?);
        }
        out.push(SubsidyMonth {
            month: first.format("%Y-%m").to_string(),
            started: Cell::of(started),
            ended_by: SubsidyFollowUp::ALL
                .iter()
                .map(|x| x.code().to_owned())
                .zip(suppress_row(&ended))
                .collect(),
        });
    }
    Ok(out)
}

/// What one programme's tagged records count in a range.
#[derive(Debug, Clone)]
pub struct ProgrammeFigures {
    pub code: String,
    pub name: String,
    /// Persons with a TYP case tagged with the programme open on some day of the range.
    pub case_clients: Cell,
    /// Persons with a job coaching tagged with the programme running on some day of the
    /// range.
    pub coaching_clients: Cell,
}

/// Persons per programme (every programme, whether any record is tagged with it).
pub async fn programme_counts(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<ProgrammeFigures>> {
    let scope = authorize(rc, Report::Programmes, f)?;
    report_rules::whole_months(from, to)?;
    let programmes = crate::services::registers::programmes(rc).await?;
    let mut out = Vec::with_capacity(programmes.len());
    for p in programmes {
        let mut cases = persons_of("typ_case", "t");
        cases
            .and_where(Expr::col(("t", "programme_id")).eq(p.id.as_str()))
            .and_where(Expr::col(("t", "opened_on")).lte(to))
            .and_where(not_ended("t", "ended_on", from));
        filtered(&mut cases, case_filters(scope, f));
        let mut coachings = persons_of("job_coaching", "j");
        coachings
            .and_where(Expr::col(("j", "programme_id")).eq(p.id.as_str()))
            .and_where(Expr::col(("j", "starts_on")).lte(to))
            .and_where(not_ended("j", "ends_on", from));
        filtered(&mut coachings, client_filters(scope, f, "j"));
        out.push(ProgrammeFigures {
            code: p.code,
            name: p.name,
            case_clients: Cell::of(count(rc, &cases).await?),
            coaching_clients: Cell::of(count(rc, &coachings).await?),
        });
    }
    Ok(out)
}
