//! An agreed action of a plan or a meeting, owned by an agency, with a due date.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "agreed_action")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub plan_id: Option<String>,
    pub meeting_id: Option<String>,
    pub owner_agency: String,
    pub description: String,
    pub due_on: Date,
    pub completed_on: Option<Date>,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
