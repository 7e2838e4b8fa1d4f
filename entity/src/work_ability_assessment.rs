//! A work-ability assessment: employment-relevant conclusion, and health details.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "work_ability_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub assessed_on: Date,
    pub assessor_agency: String,
    pub assessor_id: String,
    pub conclusion: String,
    pub restrictions: Option<String>,
    pub details: Option<String>,
    pub override_reason: Option<String>,
    pub created_at: DateTimeUtc,
    /// The outside expert of an assessment the employment authority bought.
    pub expert_name: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
