//! Loads the casbin model and policy (`config/authz/`) and compiles them into per-role masks.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use casbin::{CoreApi, DefaultModel, Enforcer, StringAdapter};

use super::{FieldGroup, FieldId, FieldMask, Managed, ReadAccess};
use crate::domain::Role;

/// The policy files shipped in the repository, compiled in as the default.
pub const DEFAULT_MODEL: &str = include_str!("../../config/authz/model.conf");
pub const DEFAULT_POLICY: &str = include_str!("../../config/authz/policy.csv");

const ACTIONS: [&str; 3] = ["read", "write", "consent"];

/// The compiled policy: one field mask per role.
#[derive(Debug, Clone)]
pub struct Policy {
    masks: HashMap<Role, Arc<FieldMask>>,
    /// The field groups some policy line names (for the check of a new version).
    named_groups: Vec<FieldGroup>,
}

/// An overseer role held together with roles that handle client data (see
/// [`Policy::combined_duties`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CombinedDuties {
    pub overseer: Role,
    pub with: Vec<Role>,
    /// The policy lets an official hold `overseer` with such roles.
    pub waived: bool,
}

#[derive(Debug)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "authorization policy: {}", self.0)
    }
}

impl std::error::Error for PolicyError {}

impl Policy {
    /// Compiles `model.conf` and `policy.csv` of a directory, or the built-in copies.
    pub async fn load(dir: Option<&Path>) -> Result<Policy, PolicyError> {
        let (model, policy) = super::store::read_files(dir)?;
        Policy::compile(&model, &policy).await
    }

    /// Validates the policy lines and evaluates the model for every role, field and action.
    pub async fn compile(model: &str, policy: &str) -> Result<Policy, PolicyError> {
        let (lines, named_groups) = validated_lines(policy)?;
        let model = DefaultModel::from_str(model)
            .await
            .map_err(|e| PolicyError(format!("model does not parse: {e}")))?;
        let enforcer = Enforcer::new(model, StringAdapter::new(lines.join("\n")))
            .await
            .map_err(|e| PolicyError(format!("policy does not load: {e}")))?;
        let allowed = |role: Role, obj: &str, act: &str| -> Result<bool, PolicyError> {
            enforcer
                .enforce((role.code(), obj, act))
                .map_err(|e| PolicyError(format!("evaluation failed: {e}")))
        };
        let access = |role: Role, obj: &str| -> Result<ReadAccess, PolicyError> {
            Ok(if allowed(role, obj, "read")? {
                ReadAccess::Read
            } else if allowed(role, obj, "consent")? {
                ReadAccess::Consent
            } else {
                ReadAccess::Never
            })
        };
        let mut masks = HashMap::new();
        for role in Role::ALL {
            let mut mask = FieldMask::empty();
            for field in FieldId::ALL {
                mask.fields[field.index()] = access(role, &field.meta().object())?;
            }
            for group in FieldGroup::ALL {
                let obj = format!("{}/*", group.code());
                mask.groups[FieldMask::group_index(group)] = access(role, &obj)?;
                mask.writes[FieldMask::group_index(group)] = allowed(role, &obj, "write")?;
            }
            for what in Managed::ALL {
                for write in [false, true] {
                    let act = if write { "write" } else { "read" };
                    mask.manage[what.index(write)] = allowed(role, what.object(), act)?;
                }
            }
            masks.insert(role, Arc::new(mask));
        }
        Ok(Policy {
            masks,
            named_groups,
        })
    }

    /// The policy shipped with this build: the contract's table (a unit test holds the two
    /// together), and the limit a new policy version may not exceed without a flag.
    pub async fn contract() -> Result<Policy, PolicyError> {
        Policy::compile(DEFAULT_MODEL, DEFAULT_POLICY).await
    }

    /// Checks a candidate before it takes effect: some role may still change the policy
    /// (no lock-out), every field group is named by a line (no field left without a
    /// reader by accident), and, unless `beyond_contract`, no role gains anything the
    /// contract's table does not grant it. Returns the gains it allowed.
    pub fn check_candidate(
        &self,
        contract: &Policy,
        beyond_contract: bool,
    ) -> Result<Vec<String>, PolicyError> {
        if self.policy_writers().is_empty() {
            return Err(PolicyError(
                "no official role may write MANAGE/policy (CLIENT is no official): the policy could never be changed again".into(),
            ));
        }
        if let Some(group) = FieldGroup::ALL
            .into_iter()
            .find(|g| !self.named_groups.contains(g))
        {
            return Err(PolicyError(format!(
                "no line names the group {}: its fields would have no reader",
                group.code()
            )));
        }
        let mut gains = Vec::new();
        for role in Role::ALL {
            for gain in self.mask(role).gains_over(&contract.mask(role)) {
                gains.push(format!("{} {gain}", role.code()));
            }
        }
        if !gains.is_empty() && !beyond_contract {
            return Err(PolicyError(format!(
                "grants beyond the contract (set allowBeyondContract to load it anyway): {}",
                gains.join("; ")
            )));
        }
        Ok(gains)
    }

    /// The roles an official can hold (every role but CLIENT, whose subject is a client)
    /// that may write `MANAGE/policy` under this policy.
    pub fn policy_writers(&self) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| *r != Role::Client && self.mask(*r).may_manage(Managed::Policy, true))
            .collect()
    }

    /// Whether holding `role` means handling client data: an agency role, or a role this
    /// policy lets read or write a client-data field or break glass.
    pub fn handles_client_data(&self, role: Role) -> bool {
        if role.is_overseer() || role == Role::Client {
            return false;
        }
        let mask = self.mask(role);
        role.is_agency_role()
            || mask.reads_client_data()
            || mask.writes_client_data()
            || mask.may_manage(Managed::BreakGlass, true)
    }

    /// The separation of duties on one official's roles: each overseer role (ADMIN,
    /// AUDITOR) held together with roles that handle client data, with those roles, and
    /// whether this policy waives the separation for it (`DUTIES/combine`, write).
    pub fn combined_duties(&self, roles: &[Role]) -> Vec<CombinedDuties> {
        roles
            .iter()
            .filter(|r| r.is_overseer())
            .filter_map(|&overseer| {
                let with: Vec<Role> = roles
                    .iter()
                    .copied()
                    .filter(|r| self.handles_client_data(*r))
                    .collect();
                (!with.is_empty()).then(|| CombinedDuties {
                    overseer,
                    with,
                    waived: self.mask(overseer).may_manage(Managed::CombineDuties, true),
                })
            })
            .collect()
    }

    pub fn mask(&self, role: Role) -> Arc<FieldMask> {
        self.masks
            .get(&role)
            .cloned()
            .unwrap_or_else(|| Arc::new(FieldMask::empty()))
    }

    /// The union of the masks of several roles.
    pub fn mask_for(&self, roles: &[Role]) -> Arc<FieldMask> {
        match roles {
            [one] => self.mask(*one),
            _ => Arc::new(
                roles
                    .iter()
                    .fold(FieldMask::empty(), |acc, r| acc.union(&self.mask(*r))),
            ),
        }
    }
}

/// Checks every policy line: known role, known group, a field of the schema, a known action.
/// Answers the lines and the field groups they name.
fn validated_lines(policy: &str) -> Result<(Vec<String>, Vec<FieldGroup>), PolicyError> {
    let mut out = Vec::new();
    let mut named = Vec::new();
    for (n, raw) in policy.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split(',').map(str::trim).collect();
        let bad = |why: &str| PolicyError(format!("line {}: {why}", n + 1));
        let [kind, role, obj, act] = parts[..] else {
            return Err(bad("expected `p, ROLE, GROUP/*|GROUP/Type.field, ACTION`"));
        };
        if kind != "p" {
            return Err(bad("only `p` lines are used"));
        }
        role.parse::<Role>().map_err(|_| bad("unknown role"))?;
        if !ACTIONS.contains(&act) {
            return Err(bad("unknown action"));
        }
        if [
            "MANAGE/",
            "OWN/",
            "EMERGENCY/",
            "REVIEW/",
            "DUTIES/",
            "ORGANISE/",
            "REGISTER/",
        ]
        .iter()
        .any(|p| obj.starts_with(p))
        {
            if !Managed::ALL.iter().any(|m| m.object() == obj) {
                return Err(bad(
                    "unknown object (MANAGE/officials|providers|policy, OWN/case|log|consents, EMERGENCY/access, REVIEW/break-glass, DUTIES/combine, ORGANISE/service-interruption, REGISTER/employers|programmes)",
                ));
            }
            if act == "consent" {
                return Err(bad(
                    "MANAGE, OWN, EMERGENCY, REVIEW, DUTIES, ORGANISE and REGISTER objects take read or write",
                ));
            }
            out.push(line.to_owned());
            continue;
        }
        let (group, field) = obj
            .split_once('/')
            .ok_or_else(|| bad("object has no group"))?;
        let group = FieldGroup::from_code(group).ok_or_else(|| bad("unknown field group"))?;
        if field != "*"
            && !FieldId::ALL
                .iter()
                .any(|f| f.meta().object() == format!("{}/{field}", group.code()))
        {
            return Err(bad("no such field in that group"));
        }
        if !named.contains(&group) {
            named.push(group);
        }
        out.push(line.to_owned());
    }
    Ok((out, named))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_default_policy_compiles_to_the_contract_table() {
        let policy = Policy::compile(DEFAULT_MODEL, DEFAULT_POLICY)
            .await
            .unwrap();
        let kela = policy.mask(Role::KelaExpert);
        assert_eq!(kela.field(FieldId::AssessmentDetails), ReadAccess::Consent);
        assert_eq!(kela.field(FieldId::AssessmentConclusion), ReadAccess::Read);
        assert_eq!(kela.field(FieldId::CoachingKind), ReadAccess::Never);
        let coach = policy.mask(Role::ProviderCoach);
        assert_eq!(coach.field(FieldId::ClientPhone), ReadAccess::Read);
        assert_eq!(coach.field(FieldId::ClientEmail), ReadAccess::Never);
        assert_eq!(
            coach.field(FieldId::ClientPersonalIdentityCode),
            ReadAccess::Never
        );
        assert!(!policy.mask(Role::Analyst).reads_client_data());
        assert!(!policy.mask(Role::Admin).reads_client_data());
        assert_eq!(
            policy.mask(Role::Auditor).field(FieldId::LogFields),
            ReadAccess::Read
        );
        assert!(policy
            .mask(Role::EksoteWorker)
            .may_write(FieldGroup::Health));
        assert!(!policy.mask(Role::TeExpert).may_write(FieldGroup::Case));
    }

    #[tokio::test]
    async fn administration_rights_compile_and_candidates_are_checked_against_the_contract() {
        let contract = Policy::contract().await.unwrap();
        assert!(contract.mask(Role::Admin).may_manage(Managed::Policy, true));
        assert!(contract
            .mask(Role::Auditor)
            .may_manage(Managed::Policy, false));
        assert!(!contract
            .mask(Role::Auditor)
            .may_manage(Managed::Policy, true));
        assert!(!contract
            .mask(Role::TeExpert)
            .may_manage(Managed::Officials, false));
        // The shipped policy passes its own check.
        assert_eq!(
            contract.check_candidate(&contract, false).unwrap(),
            Vec::<String>::new()
        );
        // A coach who gains identity codes needs the flag.
        let wider = format!("{DEFAULT_POLICY}\np, PROVIDER_COACH, IDENTITY/*, read\n");
        let candidate = Policy::compile(DEFAULT_MODEL, &wider).await.unwrap();
        let err = candidate.check_candidate(&contract, false).unwrap_err();
        assert!(
            err.0.contains("PROVIDER_COACH reads IDENTITY/*"),
            "{}",
            err.0
        );
        let gains = candidate.check_candidate(&contract, true).unwrap();
        assert!(gains
            .iter()
            .any(|g| g.starts_with("PROVIDER_COACH reads IDENTITY")));
        // Narrower is always fine; a lock-out or an unnamed group never is.
        let narrower = DEFAULT_POLICY.replace("p, TE_EXPERT, CONTACT/*, read\n", "");
        let candidate = Policy::compile(DEFAULT_MODEL, &narrower).await.unwrap();
        assert!(candidate.check_candidate(&contract, false).is_ok());
        let locked = DEFAULT_POLICY.replace("p, ADMIN, MANAGE/policy, write\n", "");
        let candidate = Policy::compile(DEFAULT_MODEL, &locked).await.unwrap();
        let err = candidate.check_candidate(&contract, false).unwrap_err();
        assert!(err.0.contains("never be changed"), "{}", err.0);
        // CLIENT is no official: a policy only it may change locks every official out.
        let client_only = DEFAULT_POLICY.replace(
            "p, ADMIN, MANAGE/policy, write\n",
            "p, CLIENT, MANAGE/policy, write\n",
        );
        let candidate = Policy::compile(DEFAULT_MODEL, &client_only).await.unwrap();
        let err = candidate.check_candidate(&contract, true).unwrap_err();
        assert!(err.0.contains("no official role"), "{}", err.0);
        let no_social: String = DEFAULT_POLICY
            .lines()
            .filter(|l| !l.contains("SOCIAL/"))
            .map(|l| format!("{l}\n"))
            .collect();
        let candidate = Policy::compile(DEFAULT_MODEL, &no_social).await.unwrap();
        let err = candidate.check_candidate(&contract, false).unwrap_err();
        assert!(err.0.contains("SOCIAL"), "{}", err.0);
        assert!(
            Policy::compile(DEFAULT_MODEL, "p, ADMIN, MANAGE/clients, write")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn overseer_roles_with_client_data_roles_are_a_combination_the_policy_must_waive() {
        let contract = Policy::contract().await.unwrap();
        assert_eq!(
            contract.combined_duties(&[Role::Auditor, Role::Analyst, Role::Admin]),
            Vec::new()
        );
        let c = contract.combined_duties(&[Role::TypOfficer, Role::Auditor]);
        assert_eq!(
            c,
            vec![CombinedDuties {
                overseer: Role::Auditor,
                with: vec![Role::TypOfficer],
                waived: false
            }]
        );
        let waiver = format!("{DEFAULT_POLICY}\np, AUDITOR, DUTIES/combine, write\n");
        let waived = Policy::compile(DEFAULT_MODEL, &waiver).await.unwrap();
        let both = waived.combined_duties(&[Role::KelaExpert, Role::Auditor, Role::Admin]);
        assert_eq!(
            both.iter()
                .map(|c| (c.overseer, c.waived))
                .collect::<Vec<_>>(),
            [(Role::Auditor, true), (Role::Admin, false)]
        );
        // Waiving is beyond the contract: it needs the flag.
        let gains = waived.check_candidate(&contract, true).unwrap();
        assert!(
            gains.iter().any(|g| g == "AUDITOR write DUTIES/combine"),
            "{gains:?}"
        );
        assert!(
            Policy::compile(DEFAULT_MODEL, "p, AUDITOR, DUTIES/combine, consent")
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn a_policy_naming_an_unknown_field_is_refused() {
        let bad = "p, TE_EXPERT, CONTACT/Client.shoeSize, read";
        let err = Policy::compile(DEFAULT_MODEL, bad).await.unwrap_err();
        assert!(err.0.contains("no such field"), "{}", err.0);
    }

    #[tokio::test]
    async fn several_roles_get_the_union_of_their_masks() {
        let policy = Policy::compile(DEFAULT_MODEL, DEFAULT_POLICY)
            .await
            .unwrap();
        let both = policy.mask_for(&[Role::TeExpert, Role::Auditor]);
        assert_eq!(both.field(FieldId::EmploymentItemKind), ReadAccess::Read);
        assert_eq!(both.field(FieldId::LogAt), ReadAccess::Read);
    }
}
