//! A KTT notice in the employment authority's work list (a period granted, changed or
//! terminated), handled by a statement.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ktt_start_notice")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub decision_id: String,
    /// The kind of the decision: GRANT, CHANGE or TERMINATE.
    pub kind: String,
    pub period_id: String,
    pub starts_on: Date,
    pub ends_on: Date,
    pub created_at: DateTimeUtc,
    pub handled_at: Option<DateTimeUtc>,
    pub handled_by: Option<String>,
    pub statement_id: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
