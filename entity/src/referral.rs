//! A referral from one agency to another: sent, then accepted or declined, then done.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "referral")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub case_id: String,
    pub from_agency: String,
    pub to_agency: String,
    pub service: String,
    pub reason: String,
    pub status: String,
    pub sent_by: String,
    pub sent_on: Date,
    pub answered_by: Option<String>,
    pub answered_on: Option<Date>,
    pub due_on: Option<Date>,
    pub decline_reason: Option<String>,
    pub outcome: Option<String>,
    pub done_on: Option<Date>,
    pub created_at: DateTimeUtc,
    /// KELA_VOCATIONAL_REHABILITATION or OTHER.
    pub kind: String,
}

impl ActiveModelBehavior for ActiveModel {}
