//! Job coaching bought or given for a client.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "job_coaching")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub provider_id: Option<String>,
    pub kind: String,
    pub ordered_by_agency: String,
    pub hours: i32,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    /// The official who ordered it (`None` on rows recorded before orderers were kept).
    pub ordered_by: Option<String>,
    /// The service voucher it is bought under.
    pub voucher_id: Option<String>,
    /// Hours used so far, never more than `hours`.
    pub hours_used: i32,
    /// The programme the coaching is tagged with for reporting.
    pub programme_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
