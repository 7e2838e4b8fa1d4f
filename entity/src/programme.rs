//! A programme (a pilot or development project) that cases and job coaching are tagged with.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "programme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub code: String,
    pub name: String,
    pub valid_from: Date,
    pub valid_until: Option<Date>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
