//! Every report as CSV (UTF-8, header row, comma-separated), from the same service calls as
//! the GraphQL reports and so with the same checks, rounding and suppression: a suppressed
//! cell is empty and its `*_suppressed` column is true.

use chrono::NaiveDate;

use super::report_rules;
use super::reports::{self, Cell, Filter};
use super::RequestContext;
use crate::error::{AppError, AppResult};

/// The reports that can be exported, by their path name.
pub const NAMES: [&str; 12] = [
    "coaching-hours",
    "voucher-use",
    "assessments",
    "follow-ups",
    "rehab-activity",
    "case-outcomes",
    "typ-clients-on",
    "allowances",
    "meetings",
    "period-lengths",
    "provider-activity",
    "service-interruptions",
];

fn cell(c: Cell) -> [String; 2] {
    match c.value {
        Some(v) => [v.to_string(), "false".into()],
        None => [String::new(), "true".into()],
    }
}

fn quote(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn csv(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

/// Runs the report `name` for the range and filter, and renders it as CSV.
pub async fn export(
    rc: &RequestContext,
    name: &str,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<String> {
    Ok(match name {
        "rehab-activity" => {
            let rows = reports::rehab_activity(rc, from, to, f).await?;
            csv(
                &[
                    "month",
                    "average_clients",
                    "average_suppressed",
                    "end_of_month_clients",
                    "end_of_month_suppressed",
                    "attended_days",
                    "attended_days_suppressed",
                ],
                rows.into_iter()
                    .map(|m| {
                        let avg = m.average.map(|a| format!("{a:.1}")).unwrap_or_default();
                        let mut r = vec![m.month, avg, m.average.is_none().to_string()];
                        r.extend(cell(m.end_of_month));
                        r.extend(cell(m.attended_days));
                        r
                    })
                    .collect(),
            )
        }
        "case-outcomes" => {
            let o = reports::case_outcomes(rc, from, to, f).await?;
            let mut rows = vec![
                [vec!["NEW_CASES".to_owned()], cell(o.new_cases).to_vec()].concat(),
                [
                    vec!["CLOSED_CASES".to_owned()],
                    cell(o.closed_cases).to_vec(),
                ]
                .concat(),
            ];
            for (outcome, c) in o.by_outcome {
                rows.push([vec![outcome], cell(c).to_vec()].concat());
            }
            csv(&["measure", "cases", "suppressed"], rows)
        }
        "typ-clients-on" => {
            // "On" figures fall on a month's first day: one row for each from `from` to `to`.
            let mut rows = Vec::new();
            for on in report_rules::first_days(from, to)? {
                let typ = reports::typ_clients_on(rc, on, f).await?;
                let individual = reports::individual_support_clients_on(rc, on, f).await?;
                rows.push(
                    [
                        vec![on.to_string()],
                        cell(typ).to_vec(),
                        cell(individual).to_vec(),
                    ]
                    .concat(),
                );
            }
            csv(
                &[
                    "on",
                    "typ_clients",
                    "typ_clients_suppressed",
                    "individual_support_clients",
                    "individual_support_suppressed",
                ],
                rows,
            )
        }
        "allowances" => {
            let rows = reports::allowances(rc, from, to, f).await?;
            csv(
                &[
                    "month",
                    "allowance_cents",
                    "allowance_suppressed",
                    "travel_cents",
                    "travel_suppressed",
                    "persons",
                    "persons_suppressed",
                    "kela_expense_cents",
                    "kela_expense_suppressed",
                    "fund_expense_cents",
                    "fund_expense_suppressed",
                    "toimintaraha_cents",
                    "toimintaraha_suppressed",
                ],
                rows.into_iter()
                    .map(|m| {
                        [
                            vec![m.month],
                            cell(m.allowance_cents).to_vec(),
                            cell(m.travel_cents).to_vec(),
                            cell(m.persons).to_vec(),
                            cell(m.kela_expense_cents).to_vec(),
                            cell(m.fund_expense_cents).to_vec(),
                            cell(m.toimintaraha_cents).to_vec(),
                        ]
                        .concat()
                    })
                    .collect(),
            )
        }
        "meetings" => {
            let m = reports::meetings(rc, from, to, f).await?;
            let rows = [
                ("MEETINGS_HELD", m.meetings_held),
                ("ACTIONS_OPENED", m.actions_opened),
                ("ACTIONS_CLOSED", m.actions_closed),
                ("ACTIONS_OVERDUE", m.actions_overdue),
            ]
            .into_iter()
            .map(|(k, c)| [vec![k.to_owned()], cell(c).to_vec()].concat())
            .collect();
            csv(&["measure", "count", "suppressed"], rows)
        }
        "period-lengths" => {
            let rows = reports::period_lengths(rc, from, to, f).await?;
            csv(
                &["months", "periods", "suppressed"],
                rows.into_iter()
                    .map(|(k, c)| [vec![k], cell(c).to_vec()].concat())
                    .collect(),
            )
        }
        "provider-activity" => {
            let rows = reports::provider_activity(rc, from, to, f).await?;
            csv(
                &[
                    "provider",
                    "attended_days",
                    "attended_suppressed",
                    "recorded_days",
                    "recorded_suppressed",
                    "attendance_rate_permille",
                ],
                rows.into_iter()
                    .map(|p| {
                        let rate = p
                            .attendance_rate_permille
                            .map(|r| r.to_string())
                            .unwrap_or_default();
                        [
                            vec![p.provider_name],
                            cell(p.attended_days).to_vec(),
                            cell(p.recorded_days).to_vec(),
                            vec![rate],
                        ]
                        .concat()
                    })
                    .collect(),
            )
        }
        "assessments" => {
            let a = reports::assessments(rc, from, to, f).await?;
            let rows = [
                ("DONE", a.done),
                ("DUPLICATES_AVOIDED", a.duplicates_avoided),
            ]
            .into_iter()
            .map(|(k, c)| [vec![k.to_owned()], cell(c).to_vec()].concat())
            .collect();
            csv(&["measure", "count", "suppressed"], rows)
        }
        "follow-ups" => {
            let rows = reports::follow_ups(rc, from, to, f).await?;
            let mut out = Vec::new();
            for (months, cells) in rows {
                for (status, c) in cells {
                    out.push([vec![months.to_string(), status], cell(c).to_vec()].concat());
                }
            }
            csv(&["months_after", "status", "persons", "suppressed"], out)
        }
        "coaching-hours" => {
            let rows = reports::coaching_hours(rc, from, to, f).await?;
            csv(
                &[
                    "orderer",
                    "provider",
                    "persons",
                    "persons_suppressed",
                    "hours_bought",
                    "hours_bought_suppressed",
                    "hours_used",
                    "hours_used_suppressed",
                ],
                rows.into_iter()
                    .map(|r| {
                        [
                            vec![r.orderer, r.provider_name.unwrap_or_default()],
                            cell(r.persons).to_vec(),
                            cell(r.hours_bought).to_vec(),
                            cell(r.hours_used).to_vec(),
                        ]
                        .concat()
                    })
                    .collect(),
            )
        }
        "voucher-use" => {
            let rows = reports::voucher_use(rc, from, to, f).await?;
            csv(
                &[
                    "provider",
                    "kind",
                    "persons",
                    "persons_suppressed",
                    "used",
                    "used_suppressed",
                ],
                rows.into_iter()
                    .map(|r| {
                        [
                            vec![r.provider_name, r.kind],
                            cell(r.persons).to_vec(),
                            cell(r.used).to_vec(),
                        ]
                        .concat()
                    })
                    .collect(),
            )
        }
        "service-interruptions" => {
            let rows = reports::interruptions(rc, from, to, f).await?;
            csv(
                &["starts_on", "ends_on", "provider_id", "reason"],
                rows.into_iter()
                    .map(|r| {
                        vec![
                            r.starts_on.to_string(),
                            r.ends_on.to_string(),
                            r.provider_id.unwrap_or_default(),
                            r.reason,
                        ]
                    })
                    .collect(),
            )
        }
        _ => return Err(AppError::NotFound),
    })
}
