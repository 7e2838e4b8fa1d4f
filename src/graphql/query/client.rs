//! Clients: one by id, and a page of them.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::{request, PageInfo};
use crate::graphql::types::client::ClientNode;
use crate::services;

/// An edge of a client connection.
#[derive(SimpleObject)]
pub struct ClientEdge {
    /// Opaque cursor.
    pub cursor: String,
    /// The client.
    pub node: ClientNode,
}

/// A page of clients (Relay connection).
#[derive(SimpleObject)]
pub struct ClientConnection {
    /// The clients of this page.
    pub edges: Vec<ClientEdge>,
    /// Paging.
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct ClientQueries;

#[Object]
impl ClientQueries {
    /// One client, or null when it does not exist or is outside the caller's scope (the two
    /// are the same answer, so ids cannot be probed).
    #[graphql(visible = "super::reads_clients")]
    async fn client(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ClientNode>> {
        let rc = request(ctx, "client")?;
        let record = services::client::find(rc, &id).await?;
        Ok(record.map(|r| ClientNode::new(ctx, r)))
    }

    /// Clients within the caller's scope, ordered by name; `search` matches the beginnings
    /// of first and last names (only for callers who may read names). `first` is at most 100.
    #[graphql(visible = "super::reads_clients")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ClientConnection> {
        let rc = request(ctx, "clients")?;
        let page = services::client::list(rc, search.as_deref(), first, after.as_deref()).await?;
        let edges: Vec<ClientEdge> = page
            .records
            .into_iter()
            .map(|(cursor, r)| ClientEdge {
                cursor,
                node: ClientNode::new(ctx, r),
            })
            .collect();
        let end_cursor = edges.last().map(|e| e.cursor.clone());
        Ok(ClientConnection {
            edges,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
        })
    }
}
