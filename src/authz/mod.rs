//! The policy layer: field groups, the casbin policy compiled into per-role field masks, the
//! signed-in caller ([`Principal`]) and row scopes ([`scope`]).
//!
//! Every resolver of a client-data field asks [`Principal::field_access`] (an array lookup);
//! casbin itself runs only when the policy is loaded.

pub mod caller;
pub mod fields;
pub mod policy;
pub mod scope;
pub mod store;

use std::sync::Arc;

use async_graphql::Context;

use crate::domain::{Agency, Role};
pub use caller::{Caller, ClientCaller};
pub use fields::{FieldId, FieldMeta, GroupRule};
pub use policy::Policy;
pub use store::PolicyStore;

/// The field groups of client data: every client-data field belongs to exactly one.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FieldGroup {
    /// Personal identity code.
    Identity,
    /// Names, phone, email, address, municipality, language.
    Contact,
    /// TYP clienthood, plan, agreed actions, consents, meetings' shared record, outcome.
    Case,
    /// KTT periods: decision, placement, schedule, goal, support needs.
    Rehab,
    /// Activity days and absences.
    Attendance,
    /// Expense allowance, toimintaraha and travel compensation.
    Allowance,
    /// The employment authority's plan items and job-search obligations.
    Employment,
    /// Job coaching (työhönvalmennus) and service vouchers (palveluseteli): ordered by the
    /// employment authority or the county, used at a provider.
    Coaching,
    /// Benefit decisions and jobseeker statements to Kela.
    Benefit,
    /// Work-ability assessments: date, assessor, employment-relevant conclusion.
    WorkAbility,
    /// Assessment details, diagnoses, health notes.
    Health,
    /// Social-work notes and assessments.
    Social,
    /// Recognised competence from KTT (opinnollistaminen): qualification or unit, the
    /// competence shown, the education provider and the certificate's date.
    Competence,
    /// Access and disclosure logs.
    Audit,
}

impl FieldGroup {
    pub const ALL: [FieldGroup; 14] = [
        FieldGroup::Identity,
        FieldGroup::Contact,
        FieldGroup::Case,
        FieldGroup::Rehab,
        FieldGroup::Attendance,
        FieldGroup::Allowance,
        FieldGroup::Employment,
        FieldGroup::Coaching,
        FieldGroup::Benefit,
        FieldGroup::WorkAbility,
        FieldGroup::Health,
        FieldGroup::Social,
        FieldGroup::Competence,
        FieldGroup::Audit,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FieldGroup::Identity => "IDENTITY",
            FieldGroup::Contact => "CONTACT",
            FieldGroup::Case => "CASE",
            FieldGroup::Rehab => "REHAB",
            FieldGroup::Attendance => "ATTENDANCE",
            FieldGroup::Allowance => "ALLOWANCE",
            FieldGroup::Employment => "EMPLOYMENT",
            FieldGroup::Coaching => "COACHING",
            FieldGroup::Benefit => "BENEFIT",
            FieldGroup::WorkAbility => "WORK_ABILITY",
            FieldGroup::Health => "HEALTH",
            FieldGroup::Social => "SOCIAL",
            FieldGroup::Competence => "COMPETENCE",
            FieldGroup::Audit => "AUDIT",
        }
    }

    pub fn from_code(code: &str) -> Option<FieldGroup> {
        FieldGroup::ALL.into_iter().find(|g| g.code() == code)
    }

    /// The group of an agency's own, unshared records (notes, own meeting sections).
    pub fn own_group_of(agency: Agency) -> Option<FieldGroup> {
        match agency {
            Agency::Eksote => Some(FieldGroup::Social),
            Agency::Te => Some(FieldGroup::Employment),
            Agency::Kela => Some(FieldGroup::Benefit),
            Agency::Provider => None,
        }
    }
}

/// What a role may do with a field when reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum ReadAccess {
    /// Never: absent from introspection, `FORBIDDEN` if queried.
    #[default]
    Never,
    /// Only under a consent naming the caller's agency and the group (`c`).
    Consent,
    /// Always, within the row scope (`r`).
    Read,
}

/// Policy objects that are not schema fields: what an administrator manages
/// (`MANAGE/...`), and what a client may do with their own data (`OWN/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Managed {
    Officials,
    Providers,
    Policy,
    /// The client's own case, in plain terms (read).
    OwnCase,
    /// The client's own access and disclosure log (read).
    OwnLog,
    /// The client's own consents (read; write: withdraw).
    OwnConsents,
    /// Break-glass: open a client outside the role's scope for an urgent reason (write).
    BreakGlass,
    /// The review items break-glass grants leave (read; write: close one).
    BreakGlassReviews,
    /// Separation of duties waived: an official may hold this overseer role (ADMIN,
    /// AUDITOR) together with roles that read or write client data (write).
    CombineDuties,
    /// Service-wide interruptions of KTT, an administrative act of the organiser (write:
    /// record, correct, cancel; read: their log).
    ServiceInterruptions,
    /// The employer register (read: list employers; write: add and change them).
    Employers,
    /// The programmes cases and job coaching are tagged with (write: add and change them;
    /// read: their changes' log).
    Programmes,
}

impl Managed {
    pub const ALL: [Managed; 12] = [
        Managed::Officials,
        Managed::Providers,
        Managed::Policy,
        Managed::OwnCase,
        Managed::OwnLog,
        Managed::OwnConsents,
        Managed::BreakGlass,
        Managed::BreakGlassReviews,
        Managed::CombineDuties,
        Managed::ServiceInterruptions,
        Managed::Employers,
        Managed::Programmes,
    ];

    /// The policy object, `MANAGE/officials` and so on.
    pub fn object(self) -> &'static str {
        match self {
            Managed::Officials => "MANAGE/officials",
            Managed::Providers => "MANAGE/providers",
            Managed::Policy => "MANAGE/policy",
            Managed::OwnCase => "OWN/case",
            Managed::OwnLog => "OWN/log",
            Managed::OwnConsents => "OWN/consents",
            Managed::BreakGlass => "EMERGENCY/access",
            Managed::BreakGlassReviews => "REVIEW/break-glass",
            Managed::CombineDuties => "DUTIES/combine",
            Managed::ServiceInterruptions => "ORGANISE/service-interruption",
            Managed::Employers => "REGISTER/employers",
            Managed::Programmes => "REGISTER/programmes",
        }
    }

    fn index(self, write: bool) -> usize {
        self as usize * 2 + usize::from(write)
    }
}

/// The compiled permissions of one role, or the union of a caller's roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMask {
    /// Indexed by [`FieldId::index`].
    fields: Vec<ReadAccess>,
    /// Indexed by the position of the group in [`FieldGroup::ALL`].
    groups: [ReadAccess; 14],
    writes: [bool; 14],
    /// Read and write of each [`Managed`] object.
    manage: [bool; 2 * Managed::ALL.len()],
}

impl FieldMask {
    pub fn empty() -> Self {
        FieldMask {
            fields: vec![ReadAccess::Never; FieldId::ALL.len()],
            groups: [ReadAccess::Never; 14],
            writes: [false; 14],
            manage: [false; 2 * Managed::ALL.len()],
        }
    }

    /// Whether the role may read (`write == false`) or change what `what` names.
    pub fn may_manage(&self, what: Managed, write: bool) -> bool {
        self.manage[what.index(write)]
    }

    /// Where `self` grants more than `limit`: one line per role-independent gain.
    pub fn gains_over(&self, limit: &FieldMask) -> Vec<String> {
        let mut out = Vec::new();
        for &f in FieldId::ALL {
            if self.field(f) > limit.field(f) {
                out.push(format!("reads {} ({:?})", f.meta().object(), self.field(f)));
            }
        }
        for g in FieldGroup::ALL {
            if self.group(g) > limit.group(g) {
                out.push(format!("reads {}/* ({:?})", g.code(), self.group(g)));
            }
            if self.may_write(g) && !limit.may_write(g) {
                out.push(format!("writes {}/*", g.code()));
            }
        }
        for m in Managed::ALL {
            for write in [false, true] {
                if self.may_manage(m, write) && !limit.may_manage(m, write) {
                    let act = if write { "write" } else { "read" };
                    out.push(format!("{act} {}", m.object()));
                }
            }
        }
        out
    }

    fn group_index(group: FieldGroup) -> usize {
        group as usize
    }

    /// Read access to one field as the policy states it (row rules come on top).
    pub fn field(&self, field: FieldId) -> ReadAccess {
        self.fields[field.index()]
    }

    /// Read access to a whole group (`GROUP/*`).
    pub fn group(&self, group: FieldGroup) -> ReadAccess {
        self.groups[Self::group_index(group)]
    }

    pub fn may_write(&self, group: FieldGroup) -> bool {
        self.writes[Self::group_index(group)]
    }

    /// Whether any client-data field is readable at all (ANALYST, ADMIN: no).
    pub fn reads_client_data(&self) -> bool {
        FieldId::ALL.iter().any(|f| {
            f.meta().declared_group() != FieldGroup::Audit && self.field(*f) != ReadAccess::Never
        })
    }

    /// Whether any client-data group may be written (AUDIT is no client data).
    pub fn writes_client_data(&self) -> bool {
        FieldGroup::ALL
            .into_iter()
            .any(|g| g != FieldGroup::Audit && self.may_write(g))
    }

    /// The union of two masks: a caller with several roles gets the widest access of each.
    pub fn union(&self, other: &FieldMask) -> FieldMask {
        let mut out = self.clone();
        for (a, b) in out.fields.iter_mut().zip(&other.fields) {
            *a = (*a).max(*b);
        }
        for (a, b) in out.groups.iter_mut().zip(&other.groups) {
            *a = (*a).max(*b);
        }
        for (a, b) in out.writes.iter_mut().zip(&other.writes) {
            *a = *a || *b;
        }
        for (a, b) in out.manage.iter_mut().zip(&other.manage) {
            *a = *a || *b;
        }
        out
    }
}

/// The signed-in official, with agency and provider taken from the database.
#[derive(Debug, Clone)]
pub struct Principal {
    pub official_id: String,
    pub name: String,
    pub agency: Agency,
    pub provider_id: Option<String>,
    /// Roles both in the token and granted by the official's row.
    pub roles: Vec<Role>,
    pub mask: Arc<FieldMask>,
    /// Active break-glass grants of this official: (client id, grant id). They widen the
    /// row scope to those clients until they expire; the mask stays as it is.
    pub emergency: Vec<(String, String)>,
}

impl Principal {
    /// The break-glass grant under which this official reads `client_id`, if any.
    pub fn emergency_grant(&self, client_id: &str) -> Option<&str> {
        self.emergency
            .iter()
            .find(|(c, _)| c == client_id)
            .map(|(_, g)| g.as_str())
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Read access to a field for this caller, resolving agency-own groups.
    pub fn field_access(&self, field: FieldId) -> ReadAccess {
        match field.meta().rule {
            GroupRule::Fixed(_) => self.mask.field(field),
            GroupRule::AgencyOwn => {
                let own = FieldGroup::own_group_of(self.agency)
                    .map(|g| self.mask.group(g))
                    .unwrap_or_default();
                own.max(self.mask.group(FieldGroup::Case))
            }
        }
    }

    pub fn roles_text(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Introspection visibility: a field is shown only to callers who may read it in some row.
pub fn may_see(ctx: &Context<'_>, field: FieldId) -> bool {
    ctx.data_opt::<Principal>()
        .is_some_and(|p| p.field_access(field) != ReadAccess::Never)
}
