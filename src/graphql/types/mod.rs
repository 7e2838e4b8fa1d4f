//! GraphQL object types. They are our own, converted from entities, so a column rename never
//! silently changes the API; every client-data field goes through the field guard, generated
//! by `#[guarded]` from its entry in the field table.

/// Declares the node of one of a client's rows: the row, the client's scope (and `today`
/// where a field depends on the date), and `wrap` for a list of rows.
macro_rules! client_row_node {
    ($(#[$attr:meta])* $name:ident($row:ty) $(, $extra:ident: $extra_ty:ty)?) => {
        $(#[$attr])*
        pub struct $name {
            pub row: $row,
            pub scope: std::sync::Arc<$crate::services::ClientScope>,
            $(pub $extra: $extra_ty,)?
        }

        impl $name {
            /// Wraps rows of one client.
            pub fn wrap(
                rows: Vec<$row>,
                scope: &std::sync::Arc<$crate::services::ClientScope>,
                $($extra: $extra_ty)?
            ) -> Vec<$name> {
                rows.into_iter()
                    .map(|row| $name { row, scope: scope.clone(), $($extra)? })
                    .collect()
            }
        }

        impl $crate::graphql::types::WrittenNode<$row> for $name {
            fn written(
                written: $crate::services::write::Scoped<$row>,
                rc: &$crate::services::RequestContext,
            ) -> $name {
                let _ = rc;
                $name { row: written.row, scope: written.scope, $($extra: rc.$extra,)? }
            }
        }
    };
}

/// The node answering a change: the row it wrote with the client's scope, and what the
/// node takes from the request (`today`).
pub trait WrittenNode<T> {
    fn written(
        written: crate::services::write::Scoped<T>,
        rc: &crate::services::RequestContext,
    ) -> Self;
}

pub mod access_log;
pub mod admin;
pub mod agency_records;
pub mod benefit_status;
pub mod break_glass;
pub mod brief;
pub mod case;
pub mod case_view;
pub mod client;
pub mod coaching;
pub mod competence;
pub mod enums;
pub mod explain;
pub mod ktt_decision;
pub mod labels;
pub mod meeting;
pub mod provider;
pub mod referral;
pub mod rehab;
pub mod report;
pub mod viewer;
pub mod work;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::engine::loader::{LoadError, RecordLoader};
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
