//! Clients: one by id, and a page of them.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::{request, PageInfo};
use crate::graphql::types::client::ClientNode;
use crate::services;
use crate::services::cursor::{RowCursor, Window};

/// An edge of a client connection: its cursor is sealed only when asked for.
pub struct ClientEdge {
    pub cursor: RowCursor,
    pub node: ClientNode,
}

/// An edge of a client connection.
#[Object]
impl ClientEdge {
    /// Opaque cursor.
    async fn cursor(&self) -> Result<String> {
        Ok(self.cursor.seal()?)
    }

    /// The client.
    async fn node(&self) -> &ClientNode {
        &self.node
    }
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
    /// of first and last names (only for callers who may read names). `first` (forward,
    /// from `after`) or `last` (backward, up to `before`) is at most 100.
    #[graphql(visible = "super::reads_clients")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<ClientConnection> {
        let rc = request(ctx, "clients")?;
        let window = Window::of(first, after.as_deref(), last, before.as_deref())?;
        let page = services::client::list(rc, search.as_deref(), window).await?;
        let edges: Vec<ClientEdge> = page
            .records
            .into_iter()
            .map(|(cursor, r)| ClientEdge {
                cursor,
                node: ClientNode::new(ctx, r),
            })
            .collect();
        // Only the first and the last edge's cursors are sealed for the page information.
        let ends = match (edges.first(), edges.last()) {
            (Some(first), Some(last)) if edges.len() > 1 => {
                vec![first.cursor.seal()?, last.cursor.seal()?]
            }
            (Some(only), _) => vec![only.cursor.seal()?],
            _ => Vec::new(),
        };
        let page_info = PageInfo::of(ends.iter(), page.has_previous_page, page.has_next_page);
        Ok(ClientConnection { edges, page_info })
    }
}
