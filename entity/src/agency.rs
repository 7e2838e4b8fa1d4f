//! Agencies of TYP (TE, EKSOTE, KELA) and the PROVIDER pseudo-agency, with display names.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name_fi: String,
    pub name_sv: String,
    pub name_en: String,
}

impl ActiveModelBehavior for ActiveModel {}
