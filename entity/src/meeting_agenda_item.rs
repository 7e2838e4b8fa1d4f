//! An agenda item of a network meeting, brought by an agency.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_agenda_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub meeting_id: String,
    pub agency: String,
    pub position: i32,
    pub title: String,
}

impl ActiveModelBehavior for ActiveModel {}
