//! The county's approval of a provider for a kind of service voucher.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_voucher_approval")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub voucher_kind: String,
    pub approved_on: Date,
    pub approved_by: String,
    pub withdrawn_on: Option<Date>,
    pub withdrawn_by: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
