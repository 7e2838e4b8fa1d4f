//! A service-wide interruption of KTT (such as the 2020 closure by government order), for
//! one provider or all; cancelled ones are kept, marked.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_interruption")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub reason: String,
    /// The provider closed; every provider when `None`.
    pub provider_id: Option<String>,
    /// Who recorded it (`None` for rows that came in as data).
    pub recorded_by: Option<String>,
    pub recorded_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
