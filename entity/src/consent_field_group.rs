//! The field groups a disclosure consent covers.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "consent_field_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consent_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub field_group: String,
}

impl ActiveModelBehavior for ActiveModel {}
