//! Coaching hours used on one day of a job coaching.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "job_coaching_hours")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub coaching_id: String,
    pub client_id: String,
    pub worked_on: Date,
    pub hours: i32,
    pub recorded_by: String,
    pub recorded_by_agency: String,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
