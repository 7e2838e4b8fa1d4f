//! A person served by TYP: identity and contact data, one row per personal identity code.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "client")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub personal_identity_code: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub street_address: Option<String>,
    pub postal_code: Option<String>,
    pub municipality: Option<String>,
    pub language: Option<String>,
    pub registered_by_agency: String,
    pub date_of_death: Option<Date>,
    pub version: i32,
    /// Registered with a temporary identity code (individual number 900–999).
    pub temporary_identity: bool,
    /// For a temporary client merged into the permanent one: that client.
    pub merged_into: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
