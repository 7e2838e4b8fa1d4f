//! Disclosures of consent-based field groups to another agency.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosure_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub access_log_id: i64,
    pub client_id: String,
    pub recipient_agency: String,
    pub field_group: String,
    pub consent_id: String,
}

impl ActiveModelBehavior for ActiveModel {}
