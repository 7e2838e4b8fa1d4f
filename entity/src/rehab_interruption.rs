//! An interruption of one KTT period.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "rehab_interruption")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub period_id: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub reason: String,
}

impl ActiveModelBehavior for ActiveModel {}
