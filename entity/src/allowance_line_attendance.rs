//! Which attendance days produced an allowance line.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "allowance_line_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub allowance_line_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub attendance_day_id: String,
}

impl ActiveModelBehavior for ActiveModel {}
