//! Recognition of skills (opinnollistaminen): what a KTT period showed, described against a
//! qualification or a unit of one and certified by an education provider.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "competence_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub period_id: String,
    /// The period's provider, kept for the coach's scope and the reports.
    pub provider_id: String,
    pub qualification: String,
    pub qualification_unit: Option<String>,
    pub competence_areas: String,
    pub education_provider: String,
    pub certified_on: Date,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
