//! Consents: the client's agreement to multi-agency service, and disclosures to a named agency.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "consent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub kind: String,
    pub recipient_agency: Option<String>,
    pub given_on: Date,
    pub valid_until: Option<Date>,
    pub withdrawn_on: Option<Date>,
    pub recorded_by: String,
    pub recorded_by_agency: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
