//! Pay-subsidised employment (palkkatuettu työ) of a client: the employment authority's record.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "pay_subsidy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub employer_id: String,
    pub starts_on: Date,
    pub subsidy_ends_on: Date,
    pub hours_per_week: i32,
    /// The walk-alongside job coaching that supports the employment, if any.
    pub job_coaching_id: Option<String>,
    /// The day the subsidised employment ended; `None` while it runs.
    pub ended_on: Option<Date>,
    /// What followed the end: OPEN_LABOUR_MARKET, STUDIES, UNEMPLOYMENT or OTHER.
    pub followed_by: Option<String>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
