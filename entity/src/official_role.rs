//! Roles granted to an official; a token role counts only when granted here.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "official_role")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub official_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
}

impl ActiveModelBehavior for ActiveModel {}
