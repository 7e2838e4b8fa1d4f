//! A client's benefit status for a span of days: an unemployment benefit recorded by Kela
//! (or none), or social assistance recorded by the county.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "benefit_status")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub kind: String,
    pub fund_name: Option<String>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub recording_agency: String,
    pub recorded_by: Option<String>,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
