//! Network meeting (verkostopalaveri) of the agencies and the client.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "network_meeting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub client_id: String,
    pub scheduled_at: DateTimeUtc,
    pub location: Option<String>,
    pub status: String,
    pub shared_record: Option<String>,
    pub held_on: Option<Date>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
