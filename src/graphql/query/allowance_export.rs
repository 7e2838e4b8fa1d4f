//! The allowance exports recorded so far.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::request;
use crate::services::allowance_export::{self, ExportSummary, Recipient};

/// To whom an allowance export went.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AllowanceExportRecipient {
    /// Kela: participation days.
    Kela,
    /// An unemployment fund, named in `fundName`: participation days.
    Fund,
    /// The county's own payment list: toimintaraha and travel with amounts.
    Eksote,
}

/// A recorded export of a month's allowances (`POST /exports/allowance-export.csv`): to
/// whom, which month, who made it and when, and how much it carried. Names no client.
#[derive(SimpleObject)]
pub struct AllowanceExport {
    pub id: ID,
    pub recipient: AllowanceExportRecipient,
    /// The fund, for an export to a fund.
    pub fund_name: Option<String>,
    /// The month exported (YYYY-MM).
    pub month: String,
    /// The official who made it.
    pub exported_by: ID,
    pub exported_at: DateTime<Utc>,
    /// Lines carried, corrections included.
    pub lines: i64,
    /// Lines that correct a month delivered before.
    pub corrections: i64,
    /// Participation days carried (a correction counted by its difference).
    pub days: i64,
    /// Cents carried, on the county's payment list; `null` on a confirmation of days,
    /// which carries no amounts.
    pub amount_cents: Option<i64>,
}

impl AllowanceExport {
    fn of(s: ExportSummary) -> Option<AllowanceExport> {
        let recipient = match s.row.recipient.as_str() {
            "KELA" => AllowanceExportRecipient::Kela,
            "FUND" => AllowanceExportRecipient::Fund,
            "EKSOTE" => AllowanceExportRecipient::Eksote,
            other => {
                tracing::warn!(recipient = other, "unknown stored export recipient");
                return None;
            }
        };
        Some(AllowanceExport {
            id: ID(s.row.id),
            recipient,
            fund_name: s.row.fund_name,
            month: s.row.month,
            exported_by: ID(s.row.exported_by),
            exported_at: s.row.exported_at,
            lines: s.lines,
            corrections: s.corrections,
            days: s.days,
            amount_cents: (recipient == AllowanceExportRecipient::Eksote).then_some(s.cents),
        })
    }
}

#[derive(Default)]
pub struct AllowanceExportQueries;

#[Object]
impl AllowanceExportQueries {
    /// The allowance exports recorded so far, newest first, that the caller may make (the
    /// county's officials every recipient's, Kela's officials Kela's); `recipient` (and
    /// `fundName` for a fund) narrows them. Readers of the allowances only.
    #[graphql(visible = "super::reads_allowances")]
    async fn allowance_exports(
        &self,
        ctx: &Context<'_>,
        recipient: Option<AllowanceExportRecipient>,
        fund_name: Option<String>,
    ) -> Result<Vec<AllowanceExport>> {
        let rc = request(ctx, "allowanceExports")?;
        let recipient = match recipient {
            None if fund_name.is_some() => {
                return Err(crate::error::AppError::bad_input(
                    "fundName",
                    "a fund is named with recipient FUND",
                )
                .into())
            }
            None => None,
            Some(r) => {
                let code = match r {
                    AllowanceExportRecipient::Kela => "KELA",
                    AllowanceExportRecipient::Fund => "FUND",
                    AllowanceExportRecipient::Eksote => "EKSOTE",
                };
                Some(
                    Recipient::parse(code, fund_name.as_deref()).map_err(|e| match e {
                        crate::error::AppError::BadUserInput { message, .. } => {
                            crate::error::AppError::bad_input("fundName", message)
                        }
                        other => other,
                    })?,
                )
            }
        };
        Ok(allowance_export::exports(rc, recipient)
            .await?
            .into_iter()
            .filter_map(AllowanceExport::of)
            .collect())
    }
}
