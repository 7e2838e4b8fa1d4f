//! A participant of a network meeting: an official, the client or a provider coach.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_participant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub meeting_id: String,
    pub kind: String,
    pub official_id: Option<String>,
    pub agency: Option<String>,
    pub consent_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
