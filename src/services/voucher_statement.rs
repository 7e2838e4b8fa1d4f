//! The monthly voucher statement of a provider, for its invoice to the county: each accepted
//! voucher with what was used of it in the month and its amount, computed in one statement
//! (`GROUP BY` the voucher), as CSV. A day or hour outside the voucher's validity counts
//! nowhere; a MONTH voucher is one month's value for a month with any use.

use sea_orm::{ConnectionTrait, FromQueryResult};

use super::allowance_statement::{cell, euros};
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::authz::FieldGroup;
use crate::db::Sql;
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};

pub const HEADER: &str =
    "provider_id,month,voucher_id,last_name,first_name,kind,unit,value_cents,units,amount_cents,amount_eur";

#[derive(Debug, FromQueryResult)]
struct Line {
    voucher_id: String,
    client_id: String,
    last_name: String,
    first_name: String,
    kind: String,
    unit: String,
    value_cents: i64,
    units: i64,
    amount_cents: i64,
}

/// The first and the last day of `month` (`YYYY-MM`).
fn month_days(month: &str) -> AppResult<(chrono::NaiveDate, chrono::NaiveDate)> {
    let first = (month.len() == 7)
        .then(|| chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| AppError::bad_input("month", "month is YYYY-MM"))?;
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| AppError::bad_input("month", "month is YYYY-MM"))?;
    Ok((first, last))
}

/// The statement of `provider_id` for `month`: the provider's own coach (for its own provider
/// only: another's is as missing) or the county's worker. Every client listed gets an
/// access-log row of the groups it carries.
pub async fn statement(rc: &RequestContext, provider_id: &str, month: &str) -> AppResult<String> {
    let p = rc.principal();
    match &rc.scope {
        RowScope::Coach {
            provider_id: own, ..
        } if p.has_role(Role::ProviderCoach) => {
            if own != provider_id {
                return Err(AppError::NotFound);
            }
        }
        RowScope::Agency { .. } if p.agency == Agency::Eksote && p.has_role(Role::EksoteWorker) => {
        }
        _ => return Err(AppError::Forbidden(None)),
    }
    let (first, last) = month_days(month)?;
    let mut sql = Sql::new(
        "SELECT v.id AS voucher_id, v.client_id, c.last_name, c.first_name, v.kind, v.unit, \
         v.value_cents, CAST(u.units AS BIGINT) AS units, \
         CAST(CASE WHEN v.unit = 'MONTH' THEN v.value_cents ELSE v.value_cents * u.units END AS BIGINT) AS amount_cents \
         FROM service_voucher v JOIN client c ON c.id = v.client_id JOIN (",
    );
    // Attended KTT days of the period under each voucher, and coaching hours used under
    // each, in the month and within the voucher's validity.
    sql.push(
        "SELECT k.id AS vid, COUNT(*) AS units FROM service_voucher k \
         JOIN attendance_day a ON a.period_id = k.rehab_period_id \
         WHERE k.kind = 'KTT' AND a.present = TRUE AND a.voided_at IS NULL \
         AND a.day >= k.valid_from AND a.day <= k.valid_until AND a.day >= ",
    )
    .bind(first)
    .push(" AND a.day <= ")
    .bind(last)
    .push(" AND k.provider_id = ")
    .bind(provider_id.to_owned())
    .push(
        " GROUP BY k.id UNION ALL \
         SELECT k.id AS vid, SUM(h.hours) AS units FROM service_voucher k \
         JOIN job_coaching j ON j.voucher_id = k.id \
         JOIN job_coaching_hours h ON h.coaching_id = j.id \
         WHERE k.kind = 'COACHING' AND h.worked_on >= k.valid_from AND h.worked_on <= k.valid_until \
         AND h.worked_on >= ",
    )
    .bind(first)
    .push(" AND h.worked_on <= ")
    .bind(last)
    .push(" AND k.provider_id = ")
    .bind(provider_id.to_owned())
    .push(" GROUP BY k.id) u ON u.vid = v.id WHERE v.status = 'ACCEPTED' AND v.provider_id = ")
    .bind(provider_id.to_owned())
    .push(" ORDER BY c.last_name, c.first_name, v.id");
    let stmt = sql.build(rc.db().get_database_backend());
    let lines = Line::find_by_statement(stmt).all(rc.db()).await?;
    let mut out = String::from(HEADER);
    out.push('\n');
    let mut total = 0i64;
    for line in &lines {
        total += line.amount_cents;
        let cells = [
            provider_id.to_owned(),
            month.to_owned(),
            line.voucher_id.clone(),
            line.last_name.clone(),
            line.first_name.clone(),
            line.kind.clone(),
            line.unit.clone(),
            line.value_cents.to_string(),
            line.units.to_string(),
            line.amount_cents.to_string(),
            euros(line.amount_cents),
        ];
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
        for group in [FieldGroup::Contact, FieldGroup::Coaching] {
            rc.recorder.read(&line.client_id, group, None);
        }
    }
    let total_cells = [
        provider_id.to_owned(),
        month.to_owned(),
        "TOTAL".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        total.to_string(),
        euros(total),
    ];
    out.push_str(
        &total_cells
            .iter()
            .map(|c| cell(c))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push('\n');
    Ok(out)
}
