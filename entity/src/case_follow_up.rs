//! Labour-market status followed up 3, 6 and 12 months after a case closed.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "case_follow_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub months_after: i32,
    pub status: String,
    pub recorded_on: Date,
    pub recorded_by: String,
}

impl ActiveModelBehavior for ActiveModel {}
