//! An administrative decision on KTT: a grant, refusal, change or termination of a period.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "ktt_decision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub decision_number: String,
    pub kind: String,
    pub client_id: String,
    pub case_id: Option<String>,
    pub period_id: Option<String>,
    pub plan_id: Option<String>,
    pub plan_item_id: Option<String>,
    pub legal_basis: String,
    pub decided_by: String,
    pub decider_name: String,
    pub decider_title: String,
    pub hearing_on: Option<Date>,
    pub hearing_omitted_reason: Option<String>,
    pub provider_id: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub days_per_week: Option<i32>,
    pub hours_per_day: Option<i32>,
    pub terminated_on: Option<Date>,
    pub toimintaraha_cents_per_day: i64,
    pub travel_cents_per_day: i64,
    pub language: String,
    pub decided_on: Date,
    pub served_on: Date,
    pub reasoning: Option<String>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
