//! What one export delivered of one period, month and kind: a month's line, or the
//! correction of a month delivered before.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "allowance_export_line")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub export_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub period_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub month: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    pub days: i32,
    pub amount_cents: i64,
    pub corrects_export_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
