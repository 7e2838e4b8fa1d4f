//! The query root: thin resolvers, each calling one service.

use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};

use super::request;
use super::types::access_log::AccessLogEntryNode;
use super::types::admin::{AdminLogNode, OfficialNode, PolicyVersionNode};
use super::types::brief::BriefNode;
use super::types::case_view::CaseViewNode;
use super::types::client::ClientNode;
use super::types::meeting::MeetingNode;
use super::types::provider::ProviderNode;
use super::types::reports::Reports;
use super::types::viewer::Viewer;
use crate::authz::{FieldId, Managed, PolicyStore, Principal, ReadAccess};
use crate::services::records::{self, Wanted};
use crate::services::{self, ClientScope, RequestContext};

pub struct Query;

fn reads_clients(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.mask.reads_client_data())
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

fn reads_audit(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(FieldId::LogAt) == ReadAccess::Read)
}

/// Relay page information.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more items follow.
    pub has_next_page: bool,
    /// Cursor of the last item, to pass as `after`.
    pub end_cursor: Option<String>,
}

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

/// An edge of an access-log connection.
#[derive(SimpleObject)]
pub struct AccessLogEdge {
    /// Opaque cursor.
    pub cursor: String,
    /// The log row.
    pub node: AccessLogEntryNode,
}

/// A page of access-log rows, newest first (Relay connection).
#[derive(SimpleObject)]
pub struct AccessLogConnection {
    /// The rows of this page.
    pub edges: Vec<AccessLogEdge>,
    /// Paging.
    pub page_info: PageInfo,
}

#[Object]
impl Query {
    /// The signed-in official.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let rc = request(ctx, "me")?;
        let p = rc.principal();
        Ok(Viewer {
            official_id: ID(p.official_id.clone()),
            name: p.name.clone(),
            agency: p.agency,
            roles: p.roles.clone(),
            provider_id: p.provider_id.clone().map(ID),
        })
    }

    /// One client, or null when it does not exist or is outside the caller's scope (the two
    /// are the same answer, so ids cannot be probed).
    #[graphql(visible = "reads_clients")]
    async fn client(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ClientNode>> {
        let rc = request(ctx, "client")?;
        let record = services::clients::find(rc, &id).await?;
        Ok(record.map(|r| ClientNode::new(ctx, r)))
    }

    /// Clients within the caller's scope, ordered by name; `search` matches the beginnings
    /// of first and last names (only for callers who may read names). `first` is at most 100.
    #[graphql(visible = "reads_clients")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ClientConnection> {
        let rc = request(ctx, "clients")?;
        let page = services::clients::list(rc, search.as_deref(), first, after.as_deref()).await?;
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

    /// The single case view of one client (null when missing or out of scope).
    #[graphql(visible = "reads_clients")]
    async fn case_view(&self, ctx: &Context<'_>, client_id: ID) -> Result<Option<CaseViewNode>> {
        let rc = request(ctx, "caseView")?;
        let wanted = case_view_lists(ctx, rc);
        // A TYP client and its lists in one statement, where the caller's role allows it.
        let bundled = match wanted {
            Some(w) if services::clients::views_in_one_statement(rc) => {
                services::clients::find_with_records(rc, &client_id, w).await?
            }
            _ => None,
        };
        let client = match bundled {
            Some((client, lists)) => {
                super::request_loader(ctx)?.loader().prefetch(lists);
                client
            }
            // Otherwise, and for a client visible (if at all) only by the agency's own
            // records, which only `find` probes: the client, then its lists. An unknown id
            // takes this way too, so it costs what an out-of-scope one does.
            None => {
                let Some(client) = services::clients::find(rc, &client_id).await? else {
                    return Ok(None);
                };
                if let Some(wanted) = wanted {
                    prefetch_case_view(ctx, rc, &client.scope, wanted).await?;
                }
                client
            }
        };
        rc.recorder.touch(&client.row.id);
        Ok(Some(CaseViewNode {
            client,
            today: rc.today,
        }))
    }

    /// A network meeting (null when missing or out of scope).
    #[graphql(visible = "reads_meetings")]
    async fn network_meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MeetingNode>> {
        let rc = request(ctx, "networkMeeting")?;
        let found = services::meetings::find(rc, &id).await?;
        Ok(found.map(|m| {
            rc.recorder.touch(&m.client.row.id);
            MeetingNode {
                row: m.row,
                scope: m.client.scope,
                today: rc.today,
            }
        }))
    }

    /// What each participating agency needs before a network meeting.
    #[graphql(visible = "reads_meetings")]
    async fn meeting_brief(&self, ctx: &Context<'_>, meeting_id: ID) -> Result<Option<BriefNode>> {
        let rc = request(ctx, "meetingBrief")?;
        let Some(m) = services::meetings::find(rc, &meeting_id).await? else {
            return Ok(None);
        };
        rc.recorder.touch(&m.client.row.id);
        let previous = services::meetings::previous_meeting_on(rc, &m.row).await?;
        Ok(Some(BriefNode {
            meeting: MeetingNode {
                row: m.row,
                scope: m.client.scope,
                today: rc.today,
            },
            previous_meeting_on: previous,
            horizon: services::meetings::horizon(rc),
        }))
    }

    /// Whether a role may read a field (`Type.field`) of a client now, and why not: the
    /// policy line, the scope rule, the missing consent. Officials explain their own access
    /// (optionally one of their roles); AUDITOR and ADMIN name the role (and agency) and are
    /// answered from the policy only: nothing of the client, the same for every id.
    #[graphql(visible = "explains")]
    async fn explain_access(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        field: String,
        role: Option<crate::domain::Role>,
        agency: Option<crate::domain::Agency>,
        provider_id: Option<ID>,
    ) -> Result<super::types::explain::AccessExplanation> {
        if !explains(ctx) {
            return Err(crate::error::AppError::Forbidden(None).into());
        }
        let rc = request(ctx, "explainAccess")?;
        let field_id = FieldId::ALL
            .iter()
            .copied()
            .find(|f| {
                let m = f.meta();
                field.split_once('.') == Some((m.type_name, m.field_name))
            })
            .ok_or_else(|| {
                crate::error::AppError::bad_input("field", "not a client-data field (Type.field)")
            })?;
        let store = ctx.data::<Arc<PolicyStore>>()?;
        let policy = store.current();
        let subject =
            services::explain::subject(rc, &policy.policy, role, agency, provider_id.map(|p| p.0))?;
        Ok(
            services::explain::explain(rc, subject, &client_id, field_id)
                .await?
                .into(),
        )
    }

    /// Display labels of enum values and agency names in Finnish, Swedish or English (the
    /// argument, else the request's Accept-Language, else Finnish), from config/labels.json.
    async fn labels(
        &self,
        ctx: &Context<'_>,
        language: Option<crate::labels::Language>,
        kinds: Option<Vec<String>>,
    ) -> Result<super::types::labels::LabelSet> {
        Ok(super::types::labels::label_set(ctx, language, kinds)?)
    }

    /// Break-glass grants to review, oldest first (AUDITOR): who opened which client, why,
    /// for how long, and how many log rows were made under it.
    #[graphql(visible = "reviews_break_glass")]
    async fn break_glass_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] open_only: bool,
    ) -> Result<Vec<super::types::break_glass::BreakGlassReview>> {
        let rc = request(ctx, "breakGlassReviews")?;
        let grants = services::break_glass::reviews(rc, open_only).await?;
        Ok(grants
            .into_iter()
            .map(|g| {
                rc.recorder
                    .read(&g.client_id, crate::authz::FieldGroup::Audit, None);
                super::types::break_glass::BreakGlassReview::from_grant(g, rc.now)
            })
            .collect())
    }

    /// The access log of a client, newest first (AUDITOR only).
    #[graphql(visible = "reads_audit")]
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AccessLogConnection> {
        let rc = request(ctx, "accessLog")?;
        let page = services::access_log::page(rc, &client_id, first, after.as_deref()).await?;
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
        let end_cursor = edges.last().map(|e| e.cursor.clone());
        Ok(AccessLogConnection {
            edges,
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor,
            },
        })
    }

    /// Aggregate reports for dashboards (ANALYST, and agency roles within their scope).
    #[graphql(visible = "reads_reports")]
    async fn reports(&self, ctx: &Context<'_>) -> Result<Reports> {
        if !reads_reports(ctx) {
            return Err(crate::error::AppError::Forbidden(None).into());
        }
        Ok(Reports::default())
    }

    /// Officials, active first (administration).
    #[graphql(visible = "reads_officials")]
    async fn officials(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> Result<Vec<OfficialNode>> {
        let rc = request(ctx, "officials")?;
        let rows = services::administration::officials(rc, include_inactive).await?;
        Ok(rows.into_iter().map(OfficialNode).collect())
    }

    /// Stored versions of the authorization policy, newest first; `inForce` marks the one
    /// this replica enforces.
    #[graphql(visible = "reads_policy")]
    async fn policy_versions(&self, ctx: &Context<'_>) -> Result<Vec<PolicyVersionNode>> {
        let rc = request(ctx, "policyVersions")?;
        let in_force = ctx.data::<Arc<PolicyStore>>()?.current().version;
        let rows = services::administration::policy_versions(rc).await?;
        Ok(rows
            .into_iter()
            .map(|v| PolicyVersionNode::new(v, in_force))
            .collect())
    }

    /// The newest administrative changes (officials, providers, policy), newest first;
    /// `first` is at most 100.
    #[graphql(visible = "reads_policy")]
    async fn admin_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AdminLogNode>> {
        let rc = request(ctx, "adminLog")?;
        let first = u64::try_from(first)
            .ok()
            .filter(|f| (1..=100).contains(f))
            .ok_or_else(|| crate::error::AppError::bad_input("first", "first is 1 to 100"))?;
        let rows = services::administration::admin_log(rc, first).await?;
        Ok(rows.into_iter().map(AdminLogNode::from).collect())
    }

    /// The newest recordings, corrections and cancellations of service-wide interruptions,
    /// newest first (`target`: the interruption's id); `first` is at most 100.
    #[graphql(visible = "reads_interruption_log")]
    async fn service_interruption_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AdminLogNode>> {
        let rc = request(ctx, "serviceInterruptionLog")?;
        let first = u64::try_from(first)
            .ok()
            .filter(|f| (1..=100).contains(f))
            .ok_or_else(|| crate::error::AppError::bad_input("first", "first is 1 to 100"))?;
        let rows = services::service_interruption::log_entries(rc, first).await?;
        Ok(rows.into_iter().map(AdminLogNode::from).collect())
    }

    /// All KTT and coaching providers (any signed-in official).
    async fn providers(&self, ctx: &Context<'_>) -> Result<Vec<ProviderNode>> {
        let rc = request(ctx, "providers")?;
        let rows = services::officials::providers(rc.db()).await?;
        Ok(rows.into_iter().map(|row| ProviderNode { row }).collect())
    }
}

/// The case view's record lists to bring in one statement on PostgreSQL (one round trip
/// instead of one per list): those the document selects and the caller's role may read at
/// all. `None` on SQLite (there the statements are in-process calls and the loaders run as
/// they are) and for a view of fewer than two lists (loaded as a list page would be; a test
/// compares the two). Nothing is disclosed by bringing them: the field guards still decide
/// what is answered, and the lists are the loaders' own (same filters), answered from the
/// request's loader.
fn case_view_lists(ctx: &Context<'_>, rc: &RequestContext) -> Option<Wanted> {
    use sea_orm::ConnectionTrait;
    if rc.db().get_database_backend() != sea_orm::DbBackend::Postgres {
        return None;
    }
    let look = ctx.look_ahead();
    let asks = |id: FieldId| {
        look.field(id.meta().field_name).exists()
            && rc.principal().field_access(id) != ReadAccess::Never
    };
    let asks_in = |list: FieldId, id: FieldId| {
        look.field(list.meta().field_name)
            .field(id.meta().field_name)
            .exists()
            && asks(list)
            && rc.principal().field_access(id) != ReadAccess::Never
    };
    let wanted = Wanted {
        cases: asks(FieldId::CaseViewTypCase),
        plans: asks(FieldId::CaseViewPlan),
        consents: asks(FieldId::CaseViewConsents),
        periods: asks(FieldId::CaseViewRehabPeriods),
        assessments: asks(FieldId::CaseViewAssessments),
        benefits: asks(FieldId::CaseViewBenefits),
        statements: asks(FieldId::CaseViewStatements),
        employment_items: asks(FieldId::CaseViewEmploymentItems),
        coachings: asks(FieldId::CaseViewJobCoachings),
        meetings: asks(FieldId::CaseViewMeetings),
        notes: asks(FieldId::CaseViewNotes),
        officers: asks_in(FieldId::CaseViewTypCase, FieldId::TypCaseResponsibleOfficer),
        plan_actions: asks_in(FieldId::CaseViewPlan, FieldId::PlanActions),
        providers: asks_in(FieldId::CaseViewRehabPeriods, FieldId::RehabProvider),
    };
    (wanted.lists() >= 2).then_some(wanted)
}

/// Brings the `wanted` lists of a client already read ([`records::bundle`]) into the
/// request's loader.
async fn prefetch_case_view(
    ctx: &Context<'_>,
    rc: &RequestContext,
    scope: &ClientScope,
    wanted: Wanted,
) -> Result<(), crate::error::AppError> {
    let social = match scope.consent_for(crate::authz::FieldGroup::Social) {
        Some(_) => vec![scope.client_id.clone()],
        None => Vec::new(),
    };
    let bundle = records::bundle(rc.db(), &rc.scope, &[scope.key()], &social, wanted).await?;
    super::request_loader(ctx)?.loader().prefetch(bundle);
    Ok(())
}
