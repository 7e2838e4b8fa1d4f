//! A benefit decision (labour market subsidy, social assistance, ...).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "benefit_decision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub agency: String,
    pub benefit_kind: String,
    pub status: String,
    pub decided_on: Date,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
    pub decided_by: String,
    pub status_changed_on: Option<Date>,
    pub status_changed_by: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
