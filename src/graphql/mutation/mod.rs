//! The mutation root, merged from one object per domain. Resolvers are thin: each calls one
//! service, which changes data only through the write path ([`crate::services::write`]):
//! its right checked first, the change in a savepoint of the request's transaction (so a
//! failed mutation leaves nothing half-written), its WRITE logged there, and the row handed
//! back with the client's scope, which the resolver answers with.

/// Writes a mutation object whose resolvers each run one change through [`written`] and
/// answer with the node of the row it wrote. An entry is the resolver's doc comment and
/// attributes (kept: they become the schema's description and visibility), its name and
/// GraphQL arguments, the node it answers with, the operation named in the access log, and
/// the service call on the request's context.
macro_rules! written_mutations {
    ($object:ident;
        $(
            $(#[$meta:meta])*
            $name:ident($($arg:ident: $arg_ty:ty),*) -> $node:ty = $operation:literal,
                |$rc:ident| $change:expr;
        )*
    ) => {
        #[async_graphql::Object]
        impl $object {
            $(
                $(#[$meta])*
                async fn $name(
                    &self,
                    ctx: &async_graphql::Context<'_>,
                    $($arg: $arg_ty),*
                ) -> async_graphql::Result<$node> {
                    $crate::graphql::mutation::written(ctx, $operation, |$rc| $change).await
                }
            )*
        }
    };
}

mod admin;
mod agency_work;
mod benefit;
mod break_glass;
mod case;
mod client;
mod coaching;
pub(crate) mod ktt_decision;
mod meeting;
mod referral;
mod rehab;
mod work;

use std::future::Future;

use async_graphql::{Context, MergedObject, Result};

use super::request;
use super::types::WrittenNode;
use crate::error::AppResult;
use crate::services::write::Scoped;
use crate::services::RequestContext;

// Shown only to callers who may run some mutation: a role that writes nothing has no
// mutation root at all (a root type without fields is not a valid schema).
#[derive(MergedObject, Default)]
#[graphql(visible = "visible::any_mutation")]
pub struct Mutation(
    client::ClientMutations,
    case::CaseMutations,
    rehab::RehabMutations,
    rehab::AttendanceMutations,
    meeting::MeetingMutations,
    admin::AdminMutations,
    referral::ReferralMutations,
    break_glass::BreakGlassMutations,
    benefit::BenefitMutations,
    agency_work::AgencyWorkMutations,
    ktt_decision::KttDecisionMutations,
    ktt_decision::KttDecisionMakerMutations,
    coaching::CoachingMutations,
    coaching::VoucherApprovalMutations,
    work::WorkMutations,
    work::RegisterMutations,
);

/// Runs one change for the root field `operation` and answers with the node of the row it
/// wrote.
async fn written<'a, T, N, Fut>(
    ctx: &'a Context<'_>,
    operation: &str,
    change: impl FnOnce(&'a RequestContext) -> Fut,
) -> Result<N>
where
    Fut: Future<Output = AppResult<Scoped<T>>>,
    N: WrittenNode<T>,
{
    let rc = request(ctx, operation)?;
    Ok(N::written(change(rc).await?, rc))
}

/// Introspection visibility of the mutations: each is shown only to callers whose role may
/// write its data, so a role's schema leads to no type it may not see.
mod visible {
    use async_graphql::registry::MetaType;
    use async_graphql::Context;

    /// Whether any mutation is visible to the caller.
    pub fn any_mutation(ctx: &Context<'_>) -> bool {
        match ctx.schema_env.registry.types.get("Mutation") {
            Some(MetaType::Object { fields, .. }) => fields
                .values()
                .any(|f| f.visible.is_none_or(|visible| visible(ctx))),
            _ => false,
        }
    }

    use crate::authz::{FieldGroup, Principal};

    fn writes(ctx: &Context<'_>, group: FieldGroup) -> bool {
        ctx.data_opt::<Principal>()
            .is_some_and(|p| p.mask.may_write(group))
    }

    pub fn contact(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Contact)
    }

    pub fn case(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Case)
    }

    pub fn rehab(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Rehab)
    }

    pub fn attendance(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Attendance)
    }

    pub fn coaching(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Coaching)
    }

    /// Kela's benefit statuses: a role that writes BENEFIT, of Kela.
    pub fn kela_benefit(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Benefit)
            && ctx
                .data_opt::<Principal>()
                .is_some_and(|p| p.agency == crate::domain::Agency::Kela)
    }

    /// The county's social assistance record: a role that writes SOCIAL.
    pub fn social(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Social)
    }

    /// The employment authority's own records: a role that writes EMPLOYMENT, of the
    /// employment authority.
    pub fn employment(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Employment)
            && ctx
                .data_opt::<Principal>()
                .is_some_and(|p| p.agency == crate::domain::Agency::Te)
    }

    pub fn competence(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::Competence)
    }

    pub fn employers(ctx: &Context<'_>) -> bool {
        ctx.data_opt::<Principal>()
            .is_some_and(|p| p.mask.may_manage(crate::authz::Managed::Employers, true))
    }

    pub fn programmes(ctx: &Context<'_>) -> bool {
        ctx.data_opt::<Principal>()
            .is_some_and(|p| p.mask.may_manage(crate::authz::Managed::Programmes, true))
    }

    pub fn work_ability(ctx: &Context<'_>) -> bool {
        writes(ctx, FieldGroup::WorkAbility)
    }

    fn manages(ctx: &Context<'_>, what: crate::authz::Managed) -> bool {
        ctx.data_opt::<Principal>()
            .is_some_and(|p| p.mask.may_manage(what, true))
    }

    pub fn officials(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::Officials)
    }

    pub fn providers(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::Providers)
    }

    pub fn policy(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::Policy)
    }

    pub fn break_glass(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::BreakGlass)
    }

    pub fn reviews(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::BreakGlassReviews)
    }

    pub fn service_interruptions(ctx: &Context<'_>) -> bool {
        manages(ctx, crate::authz::Managed::ServiceInterruptions)
    }

    /// The caller agency's own group (notes, meeting sections).
    pub fn own_group(ctx: &Context<'_>) -> bool {
        ctx.data_opt::<Principal>().is_some_and(|p| {
            FieldGroup::own_group_of(p.agency).is_some_and(|g| p.mask.may_write(g))
        })
    }
}
