//! GraphQL object types. They are our own, converted from entities, so a column rename never
//! silently changes the API; every client-data field goes through the field guard.

pub mod access_log;
pub mod admin;
pub mod break_glass;
pub mod brief;
pub mod case;
pub mod case_view;
pub mod client;
pub mod enums;
pub mod explain;
pub mod labels;
pub mod meeting;
pub mod provider;
pub mod records;
pub mod referral;
pub mod rehab;
pub mod reports;
pub mod viewer;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::loader::{LoadError, RecordLoader};
use super::request_loader;

/// The rows of a list field, through the request's loader (none when the key has none).
pub(crate) async fn rows<K, M>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Vec<M>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    M: Send + Sync + Clone + 'static,
    RecordLoader: Loader<K, Value = Vec<M>, Error = LoadError>,
{
    Ok(request_loader(ctx)?
        .load_one(key)
        .await?
        .unwrap_or_default())
}
