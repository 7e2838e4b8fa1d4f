//! One agency's own section of a network meeting record.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_agency_section")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub meeting_id: String,
    pub agency: String,
    pub body: String,
    pub author_id: String,
}

impl ActiveModelBehavior for ActiveModel {}
