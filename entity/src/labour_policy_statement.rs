//! A labour-policy statement from the employment authority to Kela.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "labour_policy_statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub issued_on: Date,
    pub issued_by: String,
    pub statement_kind: String,
    pub content: String,
}

impl ActiveModelBehavior for ActiveModel {}
