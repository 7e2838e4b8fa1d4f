//! Policy explain: may a role read a field of a client now, and if not, why. The answer is
//! computed by the same pieces a real read goes through (the compiled mask, the row scope
//! query, the consents in force, the TYP-client rule of shared lists), run for the subject,
//! so it cannot drift from what a query returns.
//!
//! An overseer (AUDITOR, ADMIN) naming a role gets the policy's part only: the deciding
//! policy line, the group and the rules that apply, never anything that depends on the
//! client (whether the id exists, TYP clienthood, consents, placements, which agencies hold
//! records). ADMIN reads no client content and AUDITOR reads the log, not the case; the
//! row scope of the named role is not even run for them.

use chrono::Utc;

use super::RequestContext;
use crate::authz::{FieldGroup, FieldId, GroupRule, Principal, ReadAccess};
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};

/// Why a subject may or may not read a field of a client.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub allowed: bool,
    pub role: Role,
    pub agency: Agency,
    pub field: FieldId,
    pub group: FieldGroup,
    /// `READ`, `CONSENT` or `NEVER`: what the policy gives the role on this field.
    pub access: ReadAccess,
    /// The policy object that decides, as a policy line, or that no line grants it.
    pub policy: String,
    /// The row-scope rule that applies.
    pub scope: String,
    /// The consent the read goes under, or the one missing.
    pub consent: Option<String>,
    /// One line per condition that is not met (empty when allowed).
    pub reasons: Vec<String>,
}

/// The rule of an agency's own records (notes, own meeting sections).
const AGENCY_OWN_RULE: &str = "the record: an agency's own record is read by that agency, by others only when shared with the case team or under a consent";

/// Whose access is explained, and how much of it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub principal: Principal,
    /// An overseer's question about a named role: answered from the policy only.
    pub policy_only: bool,
}

/// Who is explained: the caller, or (AUDITOR, ADMIN) a named role at an agency.
pub fn subject(
    rc: &RequestContext,
    policy: &crate::authz::Policy,
    role: Option<Role>,
    agency: Option<Agency>,
    provider_id: Option<String>,
) -> AppResult<Subject> {
    let principal = subject_principal(rc, policy, role, agency, provider_id)?;
    let caller = rc.principal();
    Ok(Subject {
        principal,
        policy_only: caller.has_role(Role::Auditor) || caller.has_role(Role::Admin),
    })
}

fn subject_principal(
    rc: &RequestContext,
    policy: &crate::authz::Policy,
    role: Option<Role>,
    agency: Option<Agency>,
    provider_id: Option<String>,
) -> AppResult<Principal> {
    let caller = rc.principal();
    let overseer = caller.has_role(Role::Auditor) || caller.has_role(Role::Admin);
    match (role, overseer) {
        (None, true) => Err(AppError::bad_input(
            "role",
            "name the role to explain (AUDITOR and ADMIN read no client data themselves)",
        )),
        (Some(role), true) => {
            if role == Role::Client {
                return Err(AppError::bad_input(
                    "role",
                    "a client reads only their own case, through the client schema",
                ));
            }
            let agency = match agency {
                Some(a) => a,
                None => Agency::ALL
                    .into_iter()
                    .find(|a| role.allowed_for(*a))
                    .ok_or_else(|| AppError::bad_input("agency", "no agency holds this role"))?,
            };
            if !role.allowed_for(agency) {
                return Err(AppError::bad_input(
                    "agency",
                    "an official of this agency cannot hold the role",
                ));
            }
            if role == Role::ProviderCoach && provider_id.is_none() {
                return Err(AppError::bad_input(
                    "providerId",
                    "a coach sees the clients placed at one provider: name it",
                ));
            }
            Ok(Principal {
                official_id: caller.official_id.clone(),
                name: caller.name.clone(),
                agency,
                provider_id,
                roles: vec![role],
                mask: policy.mask(role),
                emergency: Vec::new(),
            })
        }
        (role, false) => {
            if agency.is_some_and(|a| a != caller.agency) {
                return Err(AppError::bad_input("agency", "you explain your own agency"));
            }
            if provider_id.is_some_and(|p| Some(&p) != caller.provider_id.as_ref()) {
                return Err(AppError::bad_input(
                    "providerId",
                    "you explain your own provider",
                ));
            }
            let mut me = caller.clone();
            if let Some(role) = role {
                if !caller.has_role(role) {
                    return Err(AppError::Forbidden(None));
                }
                me.roles = vec![role];
                me.mask = policy.mask(role);
            }
            Ok(me)
        }
    }
}

/// What an overseer is told of the row scope: the rule, never its outcome for a client.
const POLICY_ONLY_SCOPE: &str = "not evaluated for a client: AUDITOR and ADMIN are answered from the policy only (the row scope, consents and records are the client's data)";

/// The explanation of `field` of `client_id` for `subject`, read in the caller's request
/// transaction. When the client is outside the subject's scope, the answer is the same as
/// for an id that does not exist: ids cannot be probed through explain either. In the
/// overseer form (`policy_only`) the client is not looked at: `allowed` says whether the
/// policy lets the role read the field at all, and the answer is the same for every id.
pub async fn explain(
    rc: &RequestContext,
    subject: Subject,
    client_id: &str,
    field: FieldId,
) -> AppResult<Explanation> {
    let Subject {
        principal: subject,
        policy_only,
    } = subject;
    let role = subject.roles.first().copied().unwrap_or(Role::Analyst);
    let agency = subject.agency;
    let meta = field.meta();
    let group = meta.declared_group();
    let access = subject.field_access(field);
    let object = meta.object();
    let policy = match access {
        ReadAccess::Never => format!(
            "no line gives {} read or consent on {object} or {}/*",
            role.code(),
            group.code()
        ),
        ReadAccess::Read | ReadAccess::Consent => {
            let act = if access == ReadAccess::Read {
                "read"
            } else {
                "consent"
            };
            let on = if subject.mask.group(group) == access {
                format!("{}/*", group.code())
            } else {
                object.clone()
            };
            format!("p, {}, {on}, {act}", role.code())
        }
    };
    let mut reasons = Vec::new();
    if access == ReadAccess::Never {
        reasons.push(format!("the policy: {policy}"));
    }
    if policy_only {
        if meta.rule == GroupRule::AgencyOwn {
            reasons.push(AGENCY_OWN_RULE.to_owned());
        }
        let consent = (access == ReadAccess::Consent).then(|| {
            format!(
                "read only while a consent in force names {} and {}",
                agency.code(),
                group.code()
            )
        });
        return Ok(Explanation {
            allowed: reasons.is_empty(),
            role,
            agency,
            field,
            group,
            access,
            policy,
            scope: POLICY_ONLY_SCOPE.to_owned(),
            consent,
            reasons,
        });
    }
    // The subject's scope, run as the subject (its own request context, same transaction;
    // nothing it reads is returned or logged as the subject's read).
    let as_subject = RequestContext::new(subject, rc.settings.clone(), rc.tx.clone(), Utc::now());
    let record = if matches!(as_subject.scope, crate::authz::scope::RowScope::Nothing) {
        None
    } else {
        super::client::find(&as_subject, client_id).await?
    };
    let mut consent = None;
    let scope = match &record {
        None => {
            reasons.push("the scope: no client with this id is in the role's scope".into());
            "out of scope, or no such client".to_owned()
        }
        Some(rec) if !rec.scope.visible => {
            reasons.push("the scope: the client is not visible to the role".into());
            "not visible".to_owned()
        }
        Some(rec) => {
            if crate::authz::fields::shared_only(field) && !rec.scope.typ {
                reasons.push(
                    "the scope: shared TYP records are seen only while the client is a TYP client (a case open, or closed within the retention period)".into(),
                );
            }
            if access == ReadAccess::Consent {
                match rec.scope.consent_for(group) {
                    Some(id) => {
                        consent = Some(format!(
                            "consent {id} names {} and {}",
                            agency.code(),
                            group.code()
                        ))
                    }
                    None => {
                        let missing = format!(
                            "no consent in force names {} and {}",
                            agency.code(),
                            group.code()
                        );
                        reasons.push(format!("the consent: {missing}"));
                        consent = Some(missing);
                    }
                }
            }
            if rec.scope.typ {
                "a TYP client: a case open, or closed within the retention period".to_owned()
            } else {
                "not a TYP client: the agency sees only what it recorded itself".to_owned()
            }
        }
    };
    if meta.rule == GroupRule::AgencyOwn {
        reasons.push(AGENCY_OWN_RULE.to_owned());
    }
    // The caller learnt something about a client's access: logged (AUDIT), when the
    // client is real and in the subject's scope.
    if record.is_some() {
        rc.recorder.read(client_id, FieldGroup::Audit, None);
    }
    Ok(Explanation {
        allowed: reasons.is_empty(),
        role,
        agency,
        field,
        group,
        access,
        policy,
        scope,
        consent,
        reasons,
    })
}
