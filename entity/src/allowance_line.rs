//! An allowance line of a month: expense allowance, toimintaraha or travel compensation.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "allowance_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub period_id: String,
    pub month: String,
    pub kind: String,
    pub payer: String,
    pub fund_name: Option<String>,
    pub days: i32,
    pub amount_cents: i64,
    pub rule_version: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
