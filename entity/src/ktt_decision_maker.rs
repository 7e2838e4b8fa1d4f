//! A county official's delegated power to make KTT decisions, with the title decisions show.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ktt_decision_maker")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub official_id: String,
    pub title: String,
    pub granted_by: String,
    pub granted_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
