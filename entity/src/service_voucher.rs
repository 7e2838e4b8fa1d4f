//! A service voucher (palveluseteli) granted by the county for KTT or job coaching.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_voucher")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub kind: String,
    pub unit: String,
    pub value_cents: i64,
    pub quantity: i32,
    pub valid_from: Date,
    pub valid_until: Date,
    pub status: String,
    pub granted_by: String,
    pub granted_on: Date,
    pub provider_id: Option<String>,
    pub chosen_on: Option<Date>,
    pub answered_by: Option<String>,
    pub answered_on: Option<Date>,
    pub decline_reason: Option<String>,
    pub rehab_period_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
