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
    /// KELA or UNEMPLOYMENT_FUND; none on statements recorded before recipients were kept.
    pub recipient: Option<String>,
    /// The unemployment fund a statement is addressed to.
    pub fund_name: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
