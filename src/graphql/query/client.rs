//! Clients: one by id, and a page of them.

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::{edge, request, PageInfo};
use crate::graphql::types::client::ClientNode;
use crate::services;
use crate::services::cursor::Window;

edge! {
    /// An edge of a client connection.
    ClientEdge(ClientNode), "The client."
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
        let page_info = PageInfo::of(
            edges.iter().map(|e| &e.cursor),
            page.has_previous_page,
            page.has_next_page,
        )?;
        Ok(ClientConnection { edges, page_info })
    }
}
