//! Relay's object identification: the `Node` interface and `node(id:)` / `nodes(ids:)`.
//!
//! Ids are UUIDs, unique across every type, so an object's `id` is already its global id.
//! A node is found by the same scoped reads as its own query (`client`, `networkMeeting`,
//! a case through its client), logged the same way; one that is missing, out of the
//! caller's scope or of a kind the caller may not read answers `null` alike, so ids cannot
//! be probed.

use async_graphql::{Context, Interface, Object, Result, ID};

use super::request;
use crate::error::{AppError, AppResult};
use crate::graphql::types::case::TypCaseNode;
use crate::graphql::types::client::ClientNode;
use crate::graphql::types::meeting::MeetingNode;
use crate::services::{self, RequestContext};

/// Ids asked for at most in one `nodes`.
const MAX_NODES: usize = 100;

/// An object with a global id, which `node(id:)` finds again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's global id."))]
pub enum Node {
    Client(ClientNode),
    TypCase(TypCaseNode),
    NetworkMeeting(MeetingNode),
}

#[derive(Default)]
pub struct NodeQueries;

#[Object]
impl NodeQueries {
    /// The object with this global id, or null when none exists or it is outside the
    /// caller's scope (the same answer).
    #[graphql(visible = "super::reads_clients")]
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        let rc = request(ctx, "node")?;
        Ok(find(ctx, rc, &id).await?)
    }

    /// The objects with these global ids, in their order, each null as in `node`; at most
    /// 100 ids.
    #[graphql(visible = "super::reads_clients")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let rc = request(ctx, "nodes")?;
        if ids.len() > MAX_NODES {
            return Err(
                AppError::LimitExceeded(format!("at most {MAX_NODES} ids in one nodes")).into(),
            );
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in &ids {
            out.push(find(ctx, rc, id).await?);
        }
        Ok(out)
    }
}

/// A probe's answer, with "not here" and "not yours" made one.
fn absent_if_hidden<T>(found: AppResult<Option<T>>) -> AppResult<Option<T>> {
    match found {
        Err(AppError::NotFound | AppError::Forbidden(_)) => Ok(None),
        other => other,
    }
}

async fn find(ctx: &Context<'_>, rc: &RequestContext, id: &str) -> AppResult<Option<Node>> {
    if let Some(client) = absent_if_hidden(services::client::find(rc, id).await)? {
        return Ok(Some(Node::Client(ClientNode::new(ctx, client))));
    }
    let case = services::case::visible_case(rc, id).await.map(Some);
    if let Some((row, client)) = absent_if_hidden(case)? {
        rc.recorder.touch(&client.row.id);
        return Ok(Some(Node::TypCase(
            TypCaseNode::wrap(vec![row], &client.scope).remove(0),
        )));
    }
    if let Some(m) = absent_if_hidden(services::meeting::find(rc, id).await)? {
        rc.recorder.touch(&m.client.row.id);
        return Ok(Some(Node::NetworkMeeting(MeetingNode {
            row: m.row,
            scope: m.client.scope,
            today: rc.today,
        })));
    }
    Ok(None)
}
