//! A voiding of an activity day: who, when, why, and what the day said.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance_correction")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub attendance_day_id: String,
    pub period_id: String,
    pub day: Date,
    /// `EARLY_END`, `INTERRUPTION` or `SERVICE_INTERRUPTION`.
    pub cause: String,
    /// The interruption that voided the day, when one did.
    pub cause_id: Option<String>,
    pub was_present: bool,
    pub was_absence_reason: Option<String>,
    pub reason: String,
    pub corrected_by: String,
    pub corrected_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
