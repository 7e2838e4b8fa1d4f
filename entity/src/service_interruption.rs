//! A service-wide interruption of KTT (such as the 2020 closure by government order).

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
}

impl ActiveModelBehavior for ActiveModel {}
