//! One activity day of a KTT period: present, or absent with a reason.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_day")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub period_id: String,
    pub day: Date,
    pub present: bool,
    pub absence_reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
    /// The exception the decision allows, for a day outside the schedule or on a holiday.
    pub exception_reason: Option<String>,
    /// Set when the day was voided (an early end, an interruption, a closure).
    pub voided_at: Option<DateTimeUtc>,
    pub voided_by: Option<String>,
    pub void_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
