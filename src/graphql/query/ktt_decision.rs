//! The employment authority's work list of KTT start notices, and the county officials
//! holding the power to decide on KTT (administration).

use async_graphql::{Context, Object, Result, SimpleObject};

use super::{edge, request, PageInfo};
use crate::graphql::mutation::ktt_decision::KttDecisionMaker;
use crate::graphql::types::ktt_decision::KttStartNoticeNode;
use crate::services::administration as admin;
use crate::services::cursor::Window;
use crate::services::ktt_decision::notice;

edge! {
    /// An edge of the work list of KTT start notices.
    KttStartNoticeEdge(KttStartNoticeNode), "The notice."
}

/// A page of the work list of KTT start notices, oldest first (Relay connection).
#[derive(SimpleObject)]
pub struct KttStartNoticeConnection {
    /// The notices of this page.
    pub edges: Vec<KttStartNoticeEdge>,
    /// Paging.
    pub page_info: PageInfo,
}

#[derive(Default)]
pub struct KttDecisionQueries;

#[Object]
impl KttDecisionQueries {
    /// KTT start notices of the employment authority's work list, oldest first (by arrival):
    /// `open: true` those waiting for the labour-policy statement, `false` those handled,
    /// all when omitted (the employment authority's BENEFIT writers). `first` (forward,
    /// from `after`) or `last` (backward, up to `before`) is at most 100; a cursor is valid
    /// only for the caller and the same `open`.
    #[graphql(visible = "crate::graphql::mutation::ktt_decision::issues_statements")]
    async fn ktt_start_notices(
        &self,
        ctx: &Context<'_>,
        open: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<KttStartNoticeConnection> {
        let rc = request(ctx, "kttStartNotices")?;
        let window = Window::of(first, after.as_deref(), last, before.as_deref())?;
        let page = notice::start_notices(rc, open, window).await?;
        let edges: Vec<KttStartNoticeEdge> = page
            .notices
            .into_iter()
            .map(|(cursor, notice)| KttStartNoticeEdge {
                cursor,
                node: KttStartNoticeNode { notice },
            })
            .collect();
        let page_info = PageInfo::of(
            edges.iter().map(|e| &e.cursor),
            page.has_previous_page,
            page.has_next_page,
        )?;
        Ok(KttStartNoticeConnection { edges, page_info })
    }

    /// County officials holding the power to decide on KTT (administration).
    #[graphql(visible = "super::reads_officials")]
    async fn ktt_decision_makers(&self, ctx: &Context<'_>) -> Result<Vec<KttDecisionMaker>> {
        let rc = request(ctx, "kttDecisionMakers")?;
        Ok(admin::decision_makers(rc)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
