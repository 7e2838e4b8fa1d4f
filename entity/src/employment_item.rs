//! The employment authority's own plan items and job-search obligations.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "employment_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub kind: String,
    pub description: String,
    pub due_on: Option<Date>,
    pub recorded_by: String,
    pub created_at: DateTimeUtc,
    /// DONE, NOT_DONE or POSTPONED, once followed up.
    pub follow_up_status: Option<String>,
    pub followed_up_on: Option<Date>,
    pub follow_up_note: Option<String>,
    /// The new due date of a postponed item.
    pub new_due_on: Option<Date>,
    pub followed_up_by: Option<String>,
    /// The follow-up was recorded again as a correction.
    pub follow_up_corrected: bool,
}

impl ActiveModelBehavior for ActiveModel {}
