//! A rehabilitative work activity (kuntouttava työtoiminta, KTT) period decision.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "rehab_period")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub case_id: Option<String>,
    pub provider_id: String,
    pub decision_number: String,
    pub decided_on: Date,
    pub decided_by: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub days_per_week: i32,
    pub hours_per_day: i32,
    pub goal: String,
    pub support_needs: Option<String>,
    pub travel_distance_km: Option<f64>,
    pub ended_early_on: Option<Date>,
    pub end_reason: Option<String>,
    pub created_at: DateTimeUtc,
    /// The weekly schedule: weekday codes `MON`..`SUN`, comma-separated.
    pub weekdays: Option<String>,
    /// The exceptions the decision allows (`MAKE_UP_DAY`, `EVENT`), comma-separated.
    pub allowed_exceptions: Option<String>,
    /// How the period ended (a closed set).
    pub outcome: Option<String>,
    pub followed_by_period_id: Option<String>,
    pub followed_by_assessment_id: Option<String>,
    pub outcome_recorded_by: Option<String>,
    pub outcome_recorded_at: Option<DateTimeUtc>,
    pub travel_fare_cents: Option<i64>,
    pub travel_ticket_cents_month: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
