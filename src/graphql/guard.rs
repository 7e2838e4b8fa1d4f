//! The field guard: every client-data resolver returns its value through [`read`], which
//! applies the caller's compiled mask and the row's consent scope, and records what was
//! returned for the access log.

use async_graphql::Context;

use crate::authz::{FieldGroup, FieldId, GroupRule, ReadAccess};
use crate::error::{AppError, DenialReason};
use crate::services::{ClientScope, RequestContext};

/// Returns `value` if the caller may read `field` of this client, else `FORBIDDEN`.
pub fn read<T>(
    ctx: &Context<'_>,
    scope: &ClientScope,
    field: FieldId,
    value: T,
) -> async_graphql::Result<T> {
    let group = match field.meta().rule {
        GroupRule::Fixed(g) => g,
        // Callers of agency-own fields use `read_own` with the row's group.
        GroupRule::AgencyOwn => {
            return Err(AppError::internal("agency-own field read as fixed").into())
        }
    };
    let rc = ctx.data::<RequestContext>()?;
    decide(rc, scope, group, rc.principal().field_access(field))?;
    Ok(value)
}

/// Like [`read`] for an agency's own record, whose group depends on the row: the authoring
/// agency's group, or CASE when shared with the case team.
pub fn read_own<T>(
    ctx: &Context<'_>,
    scope: &ClientScope,
    author: crate::domain::Agency,
    shared: bool,
    value: T,
) -> async_graphql::Result<T> {
    let rc = ctx.data::<RequestContext>()?;
    let group = if shared {
        FieldGroup::Case
    } else {
        FieldGroup::own_group_of(author).ok_or(AppError::Forbidden(None))?
    };
    let access = rc.principal().mask.group(group);
    if !scope.visible {
        return Err(AppError::Forbidden(Some(DenialReason::OutOfScope)).into());
    }
    if shared {
        decide(rc, scope, group, access)?;
    } else if author == rc.principal().agency {
        // The agency's own record: no disclosure, any read access to its group suffices.
        if access == ReadAccess::Never {
            return Err(AppError::Forbidden(None).into());
        }
        rc.recorder.read(&scope.client_id, group, None);
    } else {
        // Another agency's unshared record leaves only under a consent naming the group.
        if access == ReadAccess::Never {
            return Err(AppError::Forbidden(None).into());
        }
        let consent = scope
            .consent_for(group)
            .ok_or(AppError::Forbidden(Some(DenialReason::NoConsent)))?;
        rc.recorder.read(&scope.client_id, group, Some(consent));
    }
    Ok(value)
}

/// The fields read through [`read_shared`]: shared TYP records, absent for a client who is
/// not (or no longer) a TYP client even where the mask allows the group.
pub fn shared_only(field: FieldId) -> bool {
    matches!(
        field,
        FieldId::CaseViewTypCase
            | FieldId::CaseViewPlan
            | FieldId::CaseViewMeetings
            | FieldId::ClientCases
            | FieldId::CaseViewReferrals
            | FieldId::BriefOpenReferrals
    )
}

/// A list or object of `group` that exists only for TYP clients of the caller.
pub fn read_shared<T>(
    ctx: &Context<'_>,
    scope: &ClientScope,
    field: FieldId,
    value: impl FnOnce() -> T,
) -> async_graphql::Result<T> {
    debug_assert!(
        shared_only(field),
        "{field:?} is read as shared: list it in shared_only"
    );
    let rc = ctx.data::<RequestContext>()?;
    if rc.principal().field_access(field) != ReadAccess::Never && !scope.typ {
        return Err(AppError::Forbidden(Some(DenialReason::OutOfScope)).into());
    }
    read(ctx, scope, field, ()).map(|()| value())
}

fn decide(
    rc: &RequestContext,
    scope: &ClientScope,
    group: FieldGroup,
    access: ReadAccess,
) -> Result<(), AppError> {
    if cfg!(feature = "bench-no-authz") {
        // The benchmark's build: no mask, no scope, no consent check; still logged.
        rc.recorder.read(&scope.client_id, group, None);
        return Ok(());
    }
    if !scope.visible && access != ReadAccess::Never {
        return Err(AppError::Forbidden(Some(DenialReason::OutOfScope)));
    }
    match access {
        ReadAccess::Never => Err(AppError::Forbidden(None)),
        ReadAccess::Read => {
            rc.recorder.read(&scope.client_id, group, None);
            Ok(())
        }
        ReadAccess::Consent => match scope.consent_for(group) {
            Some(consent) => {
                rc.recorder.read(&scope.client_id, group, Some(consent));
                Ok(())
            }
            None => Err(AppError::Forbidden(Some(DenialReason::NoConsent))),
        },
    }
}
