//! One export of allowance data to its recipient: Kela's or a fund's confirmation of
//! participation days, or the county's payment list.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "allowance_export")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub recipient: String,
    pub fund_name: Option<String>,
    pub month: String,
    pub exported_by: String,
    pub exported_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
