//! The single case view of one client, with its record lists brought in one statement where
//! that saves round trips.

use async_graphql::{Context, Object, Result, ID};

use super::request;
use crate::authz::{FieldId, ReadAccess};
use crate::graphql::types::case_view::CaseViewNode;
use crate::services::loads::{self, Wanted};
use crate::services::{self, ClientScope, RequestContext};

#[derive(Default)]
pub struct CaseQueries;

#[Object]
impl CaseQueries {
    /// The single case view of one client (null when missing or out of scope).
    #[graphql(visible = "super::reads_clients")]
    async fn case_view(&self, ctx: &Context<'_>, client_id: ID) -> Result<Option<CaseViewNode>> {
        let rc = request(ctx, "caseView")?;
        let wanted = case_view_lists(ctx, rc);
        // A TYP client and its lists in one statement, where the caller's role allows it.
        let bundled = match wanted {
            Some(w) if services::client::views_in_one_statement(rc) => {
                services::client::find_with_records(rc, &client_id, w).await?
            }
            _ => None,
        };
        let client = match bundled {
            Some((client, lists)) => {
                crate::graphql::request_loader(ctx)?
                    .loader()
                    .prefetch(lists);
                client
            }
            // Otherwise, and for a client visible (if at all) only by the agency's own
            // records, which only `find` probes: the client, then its lists. An unknown id
            // takes this way too, so it costs what an out-of-scope one does.
            None => {
                let Some(client) = services::client::find(rc, &client_id).await? else {
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

/// Brings the `wanted` lists of a client already read ([`loads::bundle`]) into the
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
    let bundle = loads::bundle(rc.db(), &rc.scope, &[scope.key()], &social, wanted).await?;
    crate::graphql::request_loader(ctx)?
        .loader()
        .prefetch(bundle);
    Ok(())
}
