//! The query root, merged from one object per domain. Resolvers are thin: each calls one
//! service.

mod access_log;
mod admin;
mod allowance_export;
mod break_glass;
mod case;
mod client;
mod coaching;
mod explain;
mod ktt_decision;
mod meeting;
mod node;
mod report;
mod viewer;
mod work;

use async_graphql::{Context, MergedObject, SimpleObject};

use super::request;
use crate::authz::{FieldId, Managed, Principal, ReadAccess};
use crate::error::AppResult;
use crate::services::cursor::RowCursor;

// The tuple's order is the order of the fields in the schema.
#[derive(MergedObject, Default)]
pub struct Query(
    viewer::ViewerQueries,
    node::NodeQueries,
    client::ClientQueries,
    case::CaseQueries,
    meeting::MeetingQueries,
    explain::ExplainQueries,
    break_glass::BreakGlassQueries,
    access_log::AccessLogQueries,
    report::ReportQueries,
    admin::AdminQueries,
    ktt_decision::KttDecisionQueries,
    allowance_export::AllowanceExportQueries,
    coaching::CoachingQueries,
    work::WorkQueries,
);

fn reads_clients(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.reads_client_data())
}

fn reads_coaching(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.group(crate::authz::FieldGroup::Coaching) != ReadAccess::Never)
}

fn reads_meetings(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(FieldId::MeetingStatus) != ReadAccess::Never)
}

fn reads_reports(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.has_role(crate::domain::Role::Analyst) || p.mask.reads_client_data())
}

fn manages(ctx: &Context<'_>, what: Managed) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.may_manage(what, false))
}

fn reads_officials(ctx: &Context<'_>) -> bool {
    manages(ctx, Managed::Officials)
}

fn reads_policy(ctx: &Context<'_>) -> bool {
    manages(ctx, Managed::Policy)
}

fn reads_employers(ctx: &Context<'_>) -> bool {
    manages(ctx, Managed::Employers)
}

fn reads_interruption_log(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.may_manage(Managed::ServiceInterruptions, false))
}

fn explains(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>().is_some_and(|p| {
        p.mask.reads_client_data()
            || p.has_role(crate::domain::Role::Auditor)
            || p.has_role(crate::domain::Role::Admin)
    })
}

fn reviews_break_glass(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.may_manage(Managed::BreakGlassReviews, false))
}

fn reads_allowances(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(FieldId::RehabAllowance) == ReadAccess::Read)
}

fn reads_audit(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(FieldId::LogAt) == ReadAccess::Read)
}

/// Relay page information.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow (paging backward: whether the page ends before a cursor).
    pub has_next_page: bool,
    /// Whether items come before this page (paging forward: whether it starts after a
    /// cursor).
    pub has_previous_page: bool,
    /// Cursor of the first item, to pass as `before`.
    pub start_cursor: Option<String>,
    /// Cursor of the last item, to pass as `after`.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page information of a page whose rows' cursors are `cursors`, in order: only the
    /// first and the last are sealed.
    pub fn of<'c>(
        mut cursors: impl DoubleEndedIterator<Item = &'c RowCursor>,
        has_previous_page: bool,
        has_next_page: bool,
    ) -> AppResult<PageInfo> {
        let first = cursors.next();
        let last = cursors.next_back().or(first);
        Ok(PageInfo {
            has_next_page,
            has_previous_page,
            start_cursor: first.map(RowCursor::seal).transpose()?,
            end_cursor: last.map(RowCursor::seal).transpose()?,
        })
    }
}

/// An edge of a Relay connection: a node and its row's cursor, sealed only when the query
/// asks for it.
macro_rules! edge {
    ($(#[$doc:meta])* $name:ident($node:ty), $node_doc:literal) => {
        pub struct $name {
            pub cursor: $crate::services::cursor::RowCursor,
            pub node: $node,
        }

        $(#[$doc])*
        #[async_graphql::Object]
        impl $name {
            /// Opaque cursor.
            async fn cursor(&self) -> async_graphql::Result<String> {
                Ok(self.cursor.seal()?)
            }

            #[doc = $node_doc]
            async fn node(&self) -> &$node {
                &self.node
            }
        }
    };
}
pub(crate) use edge;
