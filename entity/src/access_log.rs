//! Append-only access log: who read or wrote which client's data, which groups, why.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub official_id: String,
    pub agency: String,
    pub roles: String,
    pub client_id: Option<String>,
    pub action: String,
    pub field_groups: String,
    pub operation: String,
    pub reason: String,
    /// What admitted the access (`TYP_CLIENTHOOD`, `OWN_RECORD`, `PROVIDER_PLACEMENT`,
    /// `BREAK_GLASS`, `SUPERVISION`); `None` on rows logged before it was recorded.
    pub basis: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
