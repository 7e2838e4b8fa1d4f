//! The access log of one client.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::{edge, request, PageInfo};
use crate::graphql::types::access_log::AccessLogEntryNode;
use crate::services::cursor::Window;
use crate::services::{self, ClientScope};

edge! {
    /// An edge of an access-log connection.
    AccessLogEdge(AccessLogEntryNode), "The log row."
}

/// A page of access-log rows, newest first (Relay connection).
#[derive(SimpleObject)]
pub struct AccessLogConnection {
    /// The rows of this page.
    pub edges: Vec<AccessLogEdge>,
    /// Paging.
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct AccessLogQueries;

#[Object]
impl AccessLogQueries {
    /// The access log of a client, newest first (AUDITOR only).
    #[graphql(visible = "super::reads_audit")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<AccessLogConnection> {
        let rc = request(ctx, "accessLog")?;
        let window = Window::of(first, after.as_deref(), last, before.as_deref())?;
        let page = services::access_log::page(rc, &client_id, window).await?;
        let scope = Arc::new(ClientScope {
            client_id: client_id.to_string(),
            visible: true,
            typ: false,
            consents: Vec::new(),
        });
        let edges: Vec<AccessLogEdge> = page
            .rows
            .into_iter()
            .map(|r| AccessLogEdge {
                cursor: r.cursor,
                node: AccessLogEntryNode {
                    row: r.row,
                    disclosures: r.disclosures,
                    break_glass: r.break_glass,
                    scope: scope.clone(),
                },
            })
            .collect();
        let page_info = PageInfo::of(
            edges.iter().map(|e| &e.cursor),
            page.has_previous_page,
            page.has_next_page,
        )?;
        Ok(AccessLogConnection { edges, page_info })
    }
}
