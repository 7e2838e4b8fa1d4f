//! A break-glass grant: one official opened one client outside their scope, for a while,
//! with a reason; a review item until an auditor closes it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "break_glass")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub official_id: String,
    pub agency: String,
    /// The official's roles when the grant was opened.
    pub roles: String,
    pub client_id: String,
    pub reason: String,
    pub opened_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub review_status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub review_note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
