//! `GET /exports/allowance-statement.csv?payer=KELA&month=YYYY-MM`: the monthly allowance
//! statement of a payer as CSV, signed in and access-logged like every data read;
//! `POST /exports/allowance-export.csv`: a recorded export of a month to its recipient;
//! `GET /exports/voucher-statement.csv`: a provider's monthly service-voucher statement.

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::error_response as fail;
use super::unit_of_work::{Stop, UnitOfWork};
use crate::app::AppState;
use crate::error::AppError;
use crate::services::{allowance_export, allowance_statement, RequestContext};

#[derive(Deserialize)]
pub struct StatementQuery {
    payer: Option<String>,
    month: Option<String>,
}

/// Runs `produce` in the request's [`UnitOfWork`] for an official, and answers the CSV only
/// if its access-log rows committed with it.
async fn csv_response<P, F>(
    app: &AppState,
    headers: &HeaderMap,
    operation: &str,
    filename: Option<String>,
    produce: P,
) -> Response
where
    P: FnOnce(RequestContext) -> F,
    F: Future<Output = Result<String, AppError>>,
{
    let work = match UnitOfWork::claims(app, headers) {
        Ok(w) => w,
        Err(err) => return fail(err),
    };
    let csv = work
        .run(operation, false, |rc| {
            rc.recorder.operation(operation);
            let csv = produce(rc);
            async {
                let csv = csv.await?;
                // Each data row is an object returned (the header row is not).
                let rows = csv.lines().count().saturating_sub(1);
                Ok((csv, rows))
            }
        })
        .await;
    let csv = match csv {
        Ok(csv) => csv,
        Err(Stop::Failed(err)) => return fail(err),
        Err(Stop::Answered(res)) => return res,
    };
    let mut res = (StatusCode::OK, csv).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(v) =
        filename.and_then(|f| HeaderValue::from_str(&format!("attachment; filename=\"{f}\"")).ok())
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

pub async fn allowance_statement(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<StatementQuery>,
) -> Response {
    let payer = q.payer.unwrap_or_default();
    let month = q.month.unwrap_or_default();
    let filename = format!("allowances-{payer}-{month}.csv");
    csv_response(
        &app,
        &headers,
        "allowanceStatement",
        Some(filename),
        move |rc| async move { allowance_statement::statement(&rc, &payer, &month).await },
    )
    .await
}

#[derive(Deserialize)]
pub struct VoucherStatementQuery {
    #[serde(rename = "providerId")]
    provider_id: Option<String>,
    month: Option<String>,
}

/// `GET /exports/voucher-statement.csv?providerId=ID&month=YYYY-MM`: a provider's monthly
/// service-voucher statement for its invoice, for the provider's own coach or the county;
/// the download is access-logged like every data read.
pub async fn voucher_statement(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<VoucherStatementQuery>,
) -> Response {
    let provider_id = q.provider_id.unwrap_or_default();
    let month = q.month.unwrap_or_default();
    let filename: String = format!("vouchers-{month}.csv")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    csv_response(
        &app,
        &headers,
        "voucherStatement",
        Some(filename),
        move |rc| async move {
            crate::services::voucher_statement::statement(&rc, &provider_id, &month).await
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ExportQuery {
    recipient: Option<String>,
    fund: Option<String>,
    month: Option<String>,
}

/// `POST /exports/allowance-export.csv?recipient=KELA|FUND|EKSOTE[&fund=NAME]&month=YYYY-MM`:
/// exports a month to its recipient and records what it carried (Kela's or a fund's
/// confirmation of participation days, or the county's payment list), with correction lines
/// for months delivered before. A POST: it records, so a repeat carries only what changed.
pub async fn allowance_export(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
) -> Response {
    let recipient = q.recipient.unwrap_or_default();
    let month = q.month.unwrap_or_default();
    let fund = q.fund;
    let filename = match recipient.as_str() {
        "KELA" => format!("participation-days-KELA-{month}.csv"),
        "FUND" => format!("participation-days-FUND-{month}.csv"),
        _ => format!("payments-EKSOTE-{month}.csv"),
    };
    let filename = filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    csv_response(
        &app,
        &headers,
        "allowanceExport",
        Some(filename),
        move |rc| async move {
            let to = allowance_export::Recipient::parse(&recipient, fund.as_deref())?;
            allowance_export::export(&rc, to, &month).await
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct ReportQuery {
    from: Option<String>,
    to: Option<String>,
    #[serde(rename = "providerId")]
    provider_id: Option<String>,
    #[serde(rename = "providerKind")]
    provider_kind: Option<String>,
    municipality: Option<String>,
    #[serde(rename = "responsibleAgency")]
    responsible_agency: Option<String>,
}

fn date(field: &str, value: Option<&str>) -> Result<chrono::NaiveDate, AppError> {
    value
        .and_then(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
        .ok_or_else(|| AppError::bad_input(field, format!("{field} is YYYY-MM-DD")))
}

/// `GET /exports/reports/{name}.csv?from=YYYY-MM-DD&to=YYYY-MM-DD[&filters]`: any report as
/// CSV, with the same suppression and scope as in GraphQL.
pub async fn report(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<ReportQuery>,
) -> Response {
    let Some(name) = file
        .strip_suffix(".csv")
        .filter(|n| crate::services::report_csv::NAMES.contains(n))
        .map(str::to_owned)
    else {
        return fail(AppError::NotFound);
    };
    let filter = crate::services::reports::Filter {
        provider_id: q.provider_id,
        provider_kind: q.provider_kind,
        municipality: q.municipality,
        responsible_agency: q.responsible_agency,
    };
    let (from, to) = (q.from, q.to);
    csv_response(&app, &headers, "reportExport", None, move |rc| async move {
        let from = date("from", from.as_deref())?;
        let to = date("to", to.as_deref())?;
        crate::services::report_csv::export(&rc, &name, from, to, &filter).await
    })
    .await
}
