//! A temporary client merged into the permanent one: who merged, when and why.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "client_merge")]
pub struct Model {
    /// The temporary client, kept as a tombstone.
    #[sea_orm(primary_key, auto_increment = false)]
    pub from_client_id: String,
    /// The permanent client that holds the records now.
    pub into_client_id: String,
    pub merged_by: String,
    pub merged_by_agency: String,
    pub merged_at: DateTimeUtc,
    pub reason: String,
    /// Records moved to the permanent client.
    pub rows_moved: i64,
}

impl ActiveModelBehavior for ActiveModel {}
