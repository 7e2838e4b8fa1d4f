//! The access and disclosure logs (act 906/2019 § 17, act 703/2023 § 11).
//!
//! During a request, every client-data field that resolves to a value tells the
//! [`AccessRecorder`] which client and which group it returned; a service that hands data
//! to another authority or body by law says so with [`AccessRecorder::disclose_statutory`].
//! Before the response is sent, [`AccessRecorder::flush`] writes, in the request's own
//! transaction, one row per client and action: for an official into the access log, with
//! one disclosure-log row per consent-based group read and per statutory disclosure; for a
//! client reading their own data into the client's own log. The response is sent only if
//! that transaction commits.

pub mod chain;
pub mod record_seal;
mod tables;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::{access_log, disclosure_log};
use sea_orm::sea_query::{Expr, InsertStatement, Query};
use sea_orm::{ConnectionTrait, DbErr};

use crate::authz::{Caller, FieldGroup, Principal};
use crate::domain::Agency;
use tables::{BreakGlassAccess, ClientAccessLog};

/// Whether a log row records a read or a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Read,
    Write,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Read => "READ",
            Action::Write => "WRITE",
        }
    }
}

/// Who receives a disclosure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recipient {
    /// One of the TYP authorities (or a provider), by its code.
    Agency(Agency),
    /// A named outside body without an agency code, such as an unemployment fund
    /// (työttömyyskassa).
    Body(String),
}

/// A disclosure made by one access, before the disclosing official is known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Disclosed {
    /// A consent-based group read by the caller's agency from the agency that holds it.
    Consent { group: FieldGroup, consent: String },
    /// Data the caller's agency hands over because a statute requires or permits it.
    Statutory {
        group: FieldGroup,
        recipient: Recipient,
        section: &'static str,
    },
}

#[derive(Debug, Default)]
struct Touch {
    groups: BTreeSet<FieldGroup>,
    disclosures: BTreeSet<Disclosed>,
    /// Whether the client was admitted as a TYP client of the caller (see
    /// [`AccessRecorder::admitted`]); `None` when the request did not say.
    typ: Option<bool>,
}

/// A client's reads and writes in one request.
#[derive(Debug, Default)]
struct ClientTouches {
    read: Option<Touch>,
    write: Option<Touch>,
    typ: Option<bool>,
}

/// Collects what a request read and wrote, per client.
#[derive(Debug, Default)]
pub struct AccessRecorder {
    /// By client id: looked up by `&str`, so a field of a client already recorded (every
    /// field but the first) allocates nothing.
    touches: Mutex<BTreeMap<String, ClientTouches>>,
    operations: Mutex<BTreeSet<String>>,
}

impl AccessRecorder {
    fn with<R>(&self, f: impl FnOnce(&mut BTreeMap<String, ClientTouches>) -> R) -> R {
        // A poisoned lock only means another resolver panicked; the data is still valid.
        let mut guard = self.touches.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Applies `f` to the client's record of `action`, made if there is none yet.
    fn record(&self, client_id: &str, action: Action, f: impl FnOnce(&mut Touch)) {
        self.with(|t| {
            if !t.contains_key(client_id) {
                t.insert(client_id.to_owned(), ClientTouches::default());
            }
            if let Some(client) = t.get_mut(client_id) {
                let slot = match action {
                    Action::Read => &mut client.read,
                    Action::Write => &mut client.write,
                };
                f(slot.get_or_insert_with(Touch::default));
            }
        });
    }

    /// The row scope admitted the client as a TYP client of the caller (`typ`), or only by
    /// the agency's own records: the basis the access log gives the request's rows of the
    /// client (act 703/2023 § 11). TYP clienthood, once seen, stands for the request.
    pub fn admitted(&self, client_id: &str, typ: bool) {
        self.with(|t| {
            if !t.contains_key(client_id) {
                t.insert(client_id.to_owned(), ClientTouches::default());
            }
            if let Some(client) = t.get_mut(client_id) {
                client.typ = Some(client.typ.unwrap_or(false) || typ);
            }
        });
    }

    /// A client's node was returned (even with no client-data field selected).
    pub fn touch(&self, client_id: &str) {
        self.record(client_id, Action::Read, |_| {});
    }

    /// A field of `group` was returned for the client, under `consent` if consent-based.
    pub fn read(&self, client_id: &str, group: FieldGroup, consent: Option<&str>) {
        self.record(client_id, Action::Read, |touch| {
            touch.groups.insert(group);
            if let Some(consent) = consent {
                touch.disclosures.insert(Disclosed::Consent {
                    group,
                    consent: consent.to_owned(),
                });
            }
        });
    }

    /// The caller's agency discloses the client's data of `group` to `recipient` because
    /// the statute `section` requires or permits it (e.g. `"1290/2002 ch. 11 s. 4"`): a
    /// read of `group` for the client, logged with a disclosure row naming the basis, the
    /// recipient and the disclosing agency (act 906/2019 § 17; the client learns of it by
    /// act 703/2023 § 11). Call it in the request that hands the data over, so the log and
    /// the disclosure commit together.
    pub fn disclose_statutory(
        &self,
        client_id: &str,
        recipient: Recipient,
        group: FieldGroup,
        section: &'static str,
    ) {
        self.record(client_id, Action::Read, |touch| {
            touch.groups.insert(group);
            touch.disclosures.insert(Disclosed::Statutory {
                group,
                recipient,
                section,
            });
        });
    }

    /// Data of `group` was written for the client.
    pub fn write(&self, client_id: &str, group: FieldGroup) {
        self.record(client_id, Action::Write, |touch| {
            touch.groups.insert(group);
        });
    }

    /// The root fields the request resolved (the logged operation).
    pub fn operation(&self, root_field: &str) {
        let mut ops = self.operations.lock().unwrap_or_else(|e| e.into_inner());
        ops.insert(root_field.to_owned());
    }

    pub fn is_empty(&self) -> bool {
        self.with(|t| t.is_empty())
    }

    /// Forgets what was recorded: for an answer that is discarded unsent, its query to be
    /// run again (and recorded again) in the same transaction.
    pub fn forget(&self) {
        self.with(std::mem::take);
        self.operations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Writes the collected rows into `conn` (the request's transaction); returns how many.
    pub async fn flush(
        &self,
        conn: &impl ConnectionTrait,
        who: &Caller,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<usize, DbErr> {
        // By client, then READ before WRITE (one row each).
        let touches: Vec<((String, Action), Touch)> = self
            .with(std::mem::take)
            .into_iter()
            .flat_map(|(client_id, c)| {
                let typ = c.typ;
                [(Action::Read, c.read), (Action::Write, c.write)]
                    .into_iter()
                    .filter_map(move |(action, touch)| {
                        touch.map(|mut touch| {
                            touch.typ = typ;
                            ((client_id.clone(), action), touch)
                        })
                    })
            })
            .collect();
        if touches.is_empty() {
            return Ok(0);
        }
        let operation = {
            let ops = self.operations.lock().unwrap_or_else(|e| e.into_inner());
            ops.iter().cloned().collect::<Vec<_>>().join(",")
        };
        // In chunks, so a large export stays under the databases' parameter limits.
        for chunk in touches.chunks(ROWS_PER_INSERT) {
            let insert = rows_insert(who, reason, at, &operation, chunk);
            match who {
                Caller::Official(who) => write_chunk(conn, who, insert, chunk).await?,
                Caller::Client(_) => {
                    // A client reading their own data discloses nothing to anyone.
                    if chunk.iter().any(|(_, t)| !t.disclosures.is_empty()) {
                        return Err(DbErr::Custom(
                            "a client's own request recorded a disclosure".into(),
                        ));
                    }
                    conn.execute(&insert).await?;
                }
            }
        }
        Ok(touches.len())
    }
}

/// Access-log rows per INSERT (ten parameters each).
const ROWS_PER_INSERT: usize = 1000;

/// The INSERT of a chunk's rows: into the access log for an official, into the client's own
/// log for a client reading their own data.
fn rows_insert(
    who: &Caller,
    reason: &str,
    at: DateTime<Utc>,
    operation: &str,
    touches: &[((String, Action), Touch)],
) -> InsertStatement {
    let mut insert = Query::insert();
    match who {
        Caller::Official(_) => {
            use access_log::Column as A;
            insert.into_table(access_log::Entity).columns([
                A::At,
                A::OfficialId,
                A::Agency,
                A::Roles,
                A::ClientId,
                A::Action,
                A::FieldGroups,
                A::Operation,
                A::Reason,
                A::Basis,
            ])
        }
        Caller::Client(_) => {
            use ClientAccessLog as C;
            insert.into_table(C::Table).columns([
                C::At,
                C::ClientId,
                C::Action,
                C::FieldGroups,
                C::Operation,
                C::Reason,
            ])
        }
    };
    for ((client_id, action), touch) in touches {
        let mut row: Vec<Expr> = vec![at.into()];
        if let Caller::Official(who) = who {
            row.extend([
                who.official_id.as_str().into(),
                who.agency.code().into(),
                who.roles_text().into(),
            ]);
        }
        let groups = touch
            .groups
            .iter()
            .map(|g| g.code())
            .collect::<Vec<_>>()
            .join(",");
        row.extend([
            client_id.as_str().into(),
            action.code().into(),
            groups.into(),
            operation.into(),
            reason.into(),
        ]);
        if let Caller::Official(who) = who {
            row.push(basis_of(who, client_id, touch).into());
        }
        insert.values_panic(row);
    }
    insert
}

/// Writes an official's chunk of access-log rows, then their disclosure rows and the
/// break-glass flags of those read under a grant.
async fn write_chunk(
    conn: &impl ConnectionTrait,
    who: &Principal,
    mut insert: InsertStatement,
    touches: &[((String, Action), Touch)],
) -> Result<(), DbErr> {
    insert.returning(Query::returning().columns([
        access_log::Column::Id,
        access_log::Column::ClientId,
        access_log::Column::Action,
    ]));
    let rows = conn.query_all(&insert).await?;
    let mut ids = BTreeMap::new();
    for row in rows {
        let id: i64 = row.try_get("", "id")?;
        let client: String = row.try_get("", "client_id")?;
        let action: String = row.try_get("", "action")?;
        ids.insert((client, action), id);
    }
    use disclosure_log::Column as D;
    let mut disclosures = Query::insert()
        .into_table(disclosure_log::Entity)
        .columns([
            D::AccessLogId,
            D::ClientId,
            D::Basis,
            D::RecipientAgency,
            D::RecipientName,
            D::DisclosingAgency,
            D::FieldGroup,
            D::ConsentId,
            D::LegalSection,
        ])
        .to_owned();
    let mut any = false;
    for ((client_id, action), touch) in touches {
        let Some(log_id) = ids.get(&(client_id.clone(), action.code().to_owned())) else {
            return Err(DbErr::Custom("access log row was not returned".into()));
        };
        for disclosed in &touch.disclosures {
            any = true;
            let row = DisclosureRow::of(who, disclosed);
            disclosures.values_panic([
                (*log_id).into(),
                client_id.as_str().into(),
                row.basis.into(),
                row.recipient_agency.into(),
                row.recipient_name.into(),
                row.disclosing_agency.into(),
                row.group.code().into(),
                row.consent_id.into(),
                row.legal_section.into(),
            ]);
        }
    }
    if any {
        conn.execute(&disclosures).await?;
    }
    // Rows read under a break-glass grant carry its flag.
    let mut flags = Query::insert()
        .into_table(BreakGlassAccess::Table)
        .columns([
            BreakGlassAccess::AccessLogId,
            BreakGlassAccess::BreakGlassId,
        ])
        .to_owned();
    let mut any = false;
    for (client_id, action) in touches.iter().map(|((c, a), _)| (c, a)) {
        let Some(grant) = who.emergency_grant(client_id) else {
            continue;
        };
        let Some(log_id) = ids.get(&(client_id.clone(), action.code().to_owned())) else {
            return Err(DbErr::Custom("access log row was not returned".into()));
        };
        any = true;
        flags.values_panic([(*log_id).into(), grant.into()]);
    }
    if any {
        conn.execute(&flags).await?;
    }
    Ok(())
}

/// What admitted an official's access to a client, as the access log records it (act
/// 703/2023 § 11: the client learns on what basis their data was processed):
/// - `BREAK_GLASS`: read under an urgent grant outside the official's scope;
/// - `SUPERVISION`: only the access log itself was read (the data-protection officer's
///   supervision, act 906/2019 § 17);
/// - `PROVIDER_PLACEMENT`: a provider's coach, for the placement at the provider;
/// - `TYP_CLIENTHOOD`: the client is a TYP client whose data the authorities share (act
///   1369/2014 § 9, act 381/2023);
/// - `OWN_RECORD`: the agency's own records of the client, outside shared TYP clienthood.
///
/// `None` where the request did not say which scope admitted the client.
fn basis_of(who: &Principal, client_id: &str, touch: &Touch) -> Option<&'static str> {
    if who.emergency_grant(client_id).is_some() {
        return Some("BREAK_GLASS");
    }
    if !touch.groups.is_empty() && touch.groups.iter().all(|g| *g == FieldGroup::Audit) {
        return Some("SUPERVISION");
    }
    if who.agency == Agency::Provider && who.has_role(crate::domain::Role::ProviderCoach) {
        return Some("PROVIDER_PLACEMENT");
    }
    touch
        .typ
        .map(|typ| if typ { "TYP_CLIENTHOOD" } else { "OWN_RECORD" })
}

/// The columns of one disclosure row.
struct DisclosureRow {
    basis: &'static str,
    recipient_agency: Option<&'static str>,
    recipient_name: Option<String>,
    disclosing_agency: Option<&'static str>,
    group: FieldGroup,
    consent_id: Option<String>,
    legal_section: Option<&'static str>,
}

impl DisclosureRow {
    fn of(who: &Principal, disclosed: &Disclosed) -> DisclosureRow {
        match disclosed {
            // The caller's agency receives the group from the agency that records it.
            Disclosed::Consent { group, consent } => DisclosureRow {
                basis: "CONSENT",
                recipient_agency: Some(who.agency.code()),
                recipient_name: None,
                disclosing_agency: holder_of(*group).map(Agency::code),
                group: *group,
                consent_id: Some(consent.clone()),
                legal_section: None,
            },
            // The caller's agency hands the data over.
            Disclosed::Statutory {
                group,
                recipient,
                section,
            } => {
                let (agency, name) = match recipient {
                    Recipient::Agency(a) => (Some(a.code()), None),
                    Recipient::Body(name) => (None, Some(name.clone())),
                };
                DisclosureRow {
                    basis: "STATUTORY",
                    recipient_agency: agency,
                    recipient_name: name,
                    disclosing_agency: Some(who.agency.code()),
                    group: *group,
                    consent_id: None,
                    legal_section: Some(section),
                }
            }
        }
    }
}

/// The agency whose records of `group` another agency can read only on a consent: an
/// agency's own group (social-work notes are the county's, employment items the employment
/// authority's, benefit records Kela's), and HEALTH, which only the county records (contract
/// §5: no other role writes it; act 1369/2014 § 9 leaves such data with its recorder).
/// `None` where no single agency holds the group.
fn holder_of(group: FieldGroup) -> Option<Agency> {
    if group == FieldGroup::Health {
        return Some(Agency::Eksote);
    }
    [Agency::Eksote, Agency::Te, Agency::Kela]
        .into_iter()
        .find(|a| FieldGroup::own_group_of(*a) == Some(group))
}
