//! The access and disclosure logs (act 906/2019 § 17, act 703/2023 § 11).
//!
//! During a request, every client-data field that resolves to a value tells the
//! [`AccessRecorder`] which client and which group it returned; a service that hands data
//! to another authority or body by law says so with [`AccessRecorder::disclose_statutory`].
//! Before the response is sent, [`AccessRecorder::flush`] writes, in the request's own
//! transaction, what each client's data went through. For an official into the access log:
//! a row per client and action, with one disclosure-log row per consent-based group read and
//! per statutory disclosure, except that the accesses alike to many clients (same action,
//! groups and basis, no disclosure, no break-glass grant: the rows of a list page) are one
//! row listing its clients in `access_log_client`; the view `access_log_entry` shows every
//! access as one row per client. For a client reading their own data into the client's own
//! log. The response is sent only if that transaction commits.

pub mod chain;
pub mod record_seal;
mod tables;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use entity::{access_log, disclosure_log};
use sea_orm::sea_query::{InsertStatement, PostgresQueryBuilder, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::authz::{Caller, FieldGroup, Principal};
use crate::domain::Agency;
use tables::{AccessLogClient, BreakGlassAccess, ClientAccessLog};

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
        match who {
            Caller::Official(who) => {
                write_official(conn, who, reason, at, &operation, &touches).await?
            }
            Caller::Client(_) => {
                // A client reading their own data discloses nothing to anyone.
                if touches.iter().any(|(_, t)| !t.disclosures.is_empty()) {
                    return Err(DbErr::Custom(
                        "a client's own request recorded a disclosure".into(),
                    ));
                }
                // In chunks, so a large read stays under the databases' parameter limits.
                for chunk in touches.chunks(ROWS_PER_INSERT) {
                    conn.execute(&own_rows_insert(reason, at, &operation, chunk))
                        .await?;
                }
            }
        }
        Ok(touches.len())
    }
}

/// Log rows per INSERT (ten parameters each), and listed clients per INSERT (two each).
const ROWS_PER_INSERT: usize = 1000;

/// The INSERT of a chunk of a client's own reads into the client's own log.
fn own_rows_insert(
    reason: &str,
    at: DateTime<Utc>,
    operation: &str,
    touches: &[((String, Action), Touch)],
) -> InsertStatement {
    use ClientAccessLog as C;
    let mut insert = Query::insert();
    insert.into_table(C::Table).columns([
        C::At,
        C::ClientId,
        C::Action,
        C::FieldGroups,
        C::Operation,
        C::Reason,
    ]);
    for ((client_id, action), touch) in touches {
        insert.values_panic([
            at.into(),
            client_id.as_str().into(),
            action.code().into(),
            groups_of(touch).into(),
            operation.into(),
            reason.into(),
        ]);
    }
    insert
}

fn groups_of(touch: &Touch) -> String {
    touch
        .groups
        .iter()
        .map(|g| g.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// One access-log row of an official's request: one client's access, or the same access
/// (action, groups, basis) to several clients, listed in `access_log_client`.
struct LogEntry<'a> {
    action: Action,
    groups: String,
    basis: Option<&'static str>,
    /// One client: the row names it. More: the row names none and lists them.
    clients: Vec<&'a str>,
    /// The one client's disclosures (a listed access has none).
    touch: &'a Touch,
}

impl LogEntry<'_> {
    fn named(&self) -> Option<&str> {
        match self.clients.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

/// The request's log rows: a client's access is listed with the others alike when it
/// disclosed nothing and was not read under a break-glass grant (those rows carry their
/// disclosure and grant rows, which name one row of one client); each other access, and one
/// alike to no other client's, gets a row of its own. In the order of each row's first
/// client, READ before WRITE.
fn entries_of<'a>(who: &Principal, touches: &'a [((String, Action), Touch)]) -> Vec<LogEntry<'a>> {
    let mut alike: BTreeMap<(Action, String, Option<&'static str>), LogEntry<'a>> = BTreeMap::new();
    let mut entries = Vec::new();
    for ((client_id, action), touch) in touches {
        let entry = LogEntry {
            action: *action,
            groups: groups_of(touch),
            basis: basis_of(who, client_id, touch),
            clients: vec![client_id.as_str()],
            touch,
        };
        if !touch.disclosures.is_empty() || who.emergency_grant(client_id).is_some() {
            entries.push(entry);
            continue;
        }
        match alike.entry((entry.action, entry.groups.clone(), entry.basis)) {
            std::collections::btree_map::Entry::Occupied(mut o) => {
                o.get_mut().clients.push(client_id.as_str())
            }
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(entry);
            }
        }
    }
    entries.extend(alike.into_values());
    entries.sort_by(|a, b| (a.clients[0], a.action).cmp(&(b.clients[0], b.action)));
    entries
}

/// Writes an official's access-log rows, their listed clients, their disclosure rows and
/// the break-glass flags of those read under a grant.
async fn write_official(
    conn: &impl ConnectionTrait,
    who: &Principal,
    reason: &str,
    at: DateTime<Utc>,
    operation: &str,
    touches: &[((String, Action), Touch)],
) -> Result<(), DbErr> {
    let entries = entries_of(who, touches);
    // PostgreSQL lists the clients in the rows' own statement (one round trip); SQLite,
    // in process, in a second statement.
    let together = conn.get_database_backend() == DbBackend::Postgres;
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let ids = insert_rows(conn, who, reason, at, operation, chunk, together).await?;
        if !together {
            write_listed(conn, chunk, &ids).await?;
        }
        write_attached(conn, who, chunk, &ids).await?;
    }
    Ok(())
}

/// Inserts a chunk's log rows, and with `listing` (PostgreSQL) the clients of its listing
/// rows in the same statement; answers each entry's row id, in the chunk's order. A row is
/// known by what it returns: its client, or (naming none) its action, groups and basis,
/// which no two listing rows of a request share.
async fn insert_rows(
    conn: &impl ConnectionTrait,
    who: &Principal,
    reason: &str,
    at: DateTime<Utc>,
    operation: &str,
    entries: &[LogEntry<'_>],
    listing: bool,
) -> Result<Vec<i64>, DbErr> {
    use access_log::Column as A;
    let mut insert = Query::insert();
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
    ]);
    for e in entries {
        insert.values_panic([
            at.into(),
            who.official_id.as_str().into(),
            who.agency.code().into(),
            who.roles_text().into(),
            e.named().into(),
            e.action.code().into(),
            e.groups.as_str().into(),
            operation.into(),
            reason.into(),
            e.basis.into(),
        ]);
    }
    insert.returning(Query::returning().columns([
        A::Id,
        A::ClientId,
        A::Action,
        A::FieldGroups,
        A::Basis,
    ]));
    type Key = (Option<String>, String, String, Option<String>);
    let mut ids: BTreeMap<Key, i64> = BTreeMap::new();
    let listed: Vec<serde_json::Value> = entries
        .iter()
        .filter(|e| listing && e.named().is_none())
        .map(|e| {
            serde_json::json!({
                "action": e.action.code(),
                "field_groups": e.groups,
                "basis": e.basis,
                "clients": e.clients,
            })
        })
        .collect();
    let rows = if listed.is_empty() {
        conn.query_all(&insert).await?
    } else {
        conn.query_all_raw(with_listed(&insert, &listed)).await?
    };
    for row in rows {
        let client: Option<String> = row.try_get("", "client_id")?;
        let action: String = row.try_get("", "action")?;
        // A named row is known by its client and action alone.
        let (groups, basis) = if client.is_some() {
            (String::new(), None)
        } else {
            (row.try_get("", "field_groups")?, row.try_get("", "basis")?)
        };
        ids.insert((client, action, groups, basis), row.try_get("", "id")?);
    }
    entries
        .iter()
        .map(|e| {
            let key: Key = match e.named() {
                Some(c) => (
                    Some(c.to_owned()),
                    e.action.code().to_owned(),
                    String::new(),
                    None,
                ),
                None => (
                    None,
                    e.action.code().to_owned(),
                    e.groups.clone(),
                    e.basis.map(str::to_owned),
                ),
            };
            ids.get(&key)
                .copied()
                .ok_or_else(|| DbErr::Custom("access log row was not returned".into()))
        })
        .collect()
}

/// The rows' INSERT (returning what [`insert_rows`] reads) with the clients of its listing
/// rows inserted by the same statement (PostgreSQL): `listed` gives each listing row's
/// action, groups, basis and clients as one JSON parameter, matched to the rows it returns.
fn with_listed(insert: &InsertStatement, listed: &[serde_json::Value]) -> Statement {
    let (rows, mut values) = insert.build(PostgresQueryBuilder);
    values
        .0
        .push(serde_json::Value::Array(listed.to_vec()).to_string().into());
    let sql = format!(
        "WITH r AS ({rows}), \
         l AS (INSERT INTO access_log_client (access_log_id, client_id) \
               SELECT r.id, c.value FROM r \
               JOIN json_to_recordset(CAST(${n} AS json)) \
                    AS e(action text, field_groups text, basis text, clients json) \
                 ON r.client_id IS NULL AND r.action = e.action \
                AND r.field_groups = e.field_groups AND r.basis IS NOT DISTINCT FROM e.basis \
               CROSS JOIN LATERAL json_array_elements_text(e.clients) AS c(value)) \
         SELECT id, client_id, action, field_groups, basis FROM r",
        n = values.0.len()
    );
    Statement::from_sql_and_values(DbBackend::Postgres, sql, values)
}

/// The clients of the chunk's listing rows (SQLite: see [`write_official`]).
async fn write_listed(
    conn: &impl ConnectionTrait,
    entries: &[LogEntry<'_>],
    ids: &[i64],
) -> Result<(), DbErr> {
    let listed: Vec<(i64, &str)> = entries
        .iter()
        .zip(ids)
        .filter(|(e, _)| e.named().is_none())
        .flat_map(|(e, id)| e.clients.iter().map(move |c| (*id, *c)))
        .collect();
    for chunk in listed.chunks(ROWS_PER_INSERT) {
        let mut insert = Query::insert()
            .into_table(AccessLogClient::Table)
            .columns([AccessLogClient::AccessLogId, AccessLogClient::ClientId])
            .to_owned();
        for (id, client) in chunk {
            insert.values_panic([(*id).into(), (*client).into()]);
        }
        conn.execute(&insert).await?;
    }
    Ok(())
}

/// The disclosure rows of the chunk's rows and the break-glass flags of those read under a
/// grant (named rows only: a listing row has neither).
async fn write_attached(
    conn: &impl ConnectionTrait,
    who: &Principal,
    entries: &[LogEntry<'_>],
    ids: &[i64],
) -> Result<(), DbErr> {
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
    let mut flags = Query::insert()
        .into_table(BreakGlassAccess::Table)
        .columns([
            BreakGlassAccess::AccessLogId,
            BreakGlassAccess::BreakGlassId,
        ])
        .to_owned();
    let (mut any_disclosure, mut any_flag) = (false, false);
    for (entry, log_id) in entries.iter().zip(ids) {
        let Some(client_id) = entry.named() else {
            continue;
        };
        for disclosed in &entry.touch.disclosures {
            any_disclosure = true;
            let row = DisclosureRow::of(who, disclosed);
            disclosures.values_panic([
                (*log_id).into(),
                client_id.into(),
                row.basis.into(),
                row.recipient_agency.into(),
                row.recipient_name.into(),
                row.disclosing_agency.into(),
                row.group.code().into(),
                row.consent_id.into(),
                row.legal_section.into(),
            ]);
        }
        // Rows read under a break-glass grant carry its flag.
        if let Some(grant) = who.emergency_grant(client_id) {
            any_flag = true;
            flags.values_panic([(*log_id).into(), grant.into()]);
        }
    }
    if any_disclosure {
        conn.execute(&disclosures).await?;
    }
    if any_flag {
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
