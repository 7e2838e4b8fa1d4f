//! The client's visibility, kept on the client's row by the database itself.
//!
//! Whether an agency official sees a client depends on two facts about the client's other
//! rows (see `authz::scope` in the server): whether the client is a TYP client (a case open,
//! or closed within the retention period, whose agreement stands), and whether the agency
//! recorded something of the client itself. Asked as `EXISTS` probes over ten tables for
//! every row of a list, those cost a read of each table per page. This migration keeps both
//! facts on `client`, updated by triggers in the statement that changes the rows they
//! derive from, whichever code path writes them:
//!
//! - `typ_through`: the last day the client's cases make the client a TYP client, before
//!   retention is counted: the later of a closed case's closing and recording days, or
//!   `9999-12-31` for an open case; `NULL` without a case whose agreement stands. The
//!   client is a TYP client while `typ_through` is on or after the retention cutoff.
//! - `recorded_by_te`, `recorded_by_eksote`, `recorded_by_kela`: the agency recorded a row of
//!   one of [`RECORDS`] of the client. The client's own registration
//!   (`client.registered_by_agency`) is on the row already.
//!
//! PostgreSQL runs one refresh per statement over the clients its rows touch (transition
//! tables), SQLite one per row. The rule's tables live here: a new table of an agency's own
//! records needs a migration that installs triggers for it ([`install`]).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// Who owns a row of a table of an agency's own records.
#[derive(Clone, Copy)]
pub enum Owner {
    /// The column naming the agency that recorded the row.
    Column(&'static str),
    /// Every row of the table is this agency's.
    Agency(&'static str),
}

/// The tables of an agency's own records of a client, each keyed by `client_id`.
pub const RECORDS: &[(&str, Owner)] = &[
    ("typ_case", Owner::Column("responsible_agency")),
    ("consent", Owner::Column("recorded_by_agency")),
    ("work_ability_assessment", Owner::Column("assessor_agency")),
    ("benefit_decision", Owner::Column("agency")),
    ("agency_note", Owner::Column("agency")),
    ("job_coaching", Owner::Column("ordered_by_agency")),
    ("rehab_period", Owner::Agency("EKSOTE")),
    ("employment_item", Owner::Agency("TE")),
    ("labour_policy_statement", Owner::Agency("TE")),
    ("pay_subsidy", Owner::Agency("TE")),
];

/// The maintained own-record columns and the agency each stands for.
pub const RECORDED_BY: &[(&str, &str)] = &[
    ("recorded_by_te", "TE"),
    ("recorded_by_eksote", "EKSOTE"),
    ("recorded_by_kela", "KELA"),
];

/// The day that stands for "open" in `typ_through`.
const OPEN: &str = "9999-12-31";

/// `typ_through` of the client whose id is the SQL expression `id`.
fn typ_through(backend: DbBackend, id: &str) -> String {
    let open = match backend {
        DbBackend::Postgres => format!("DATE '{OPEN}'"),
        _ => format!("'{OPEN}'"),
    };
    format!(
        "(SELECT MAX(CASE WHEN t.ended_on IS NULL THEN {open} \
         WHEN t.closure_recorded_on > t.ended_on THEN t.closure_recorded_on \
         ELSE t.ended_on END) \
         FROM typ_case t WHERE t.client_id = {id} AND t.agreement_withdrawn_on IS NULL)"
    )
}

/// Whether `agency` recorded a row of [`RECORDS`] of the client whose id is `id`.
fn recorded_by(agency: &str, id: &str) -> String {
    let probes: Vec<String> = RECORDS
        .iter()
        .filter_map(|(table, owner)| {
            let by = match owner {
                Owner::Column(column) => format!(" AND r.{column} = '{agency}'"),
                Owner::Agency(a) if *a == agency => String::new(),
                Owner::Agency(_) => return None,
            };
            Some(format!(
                "EXISTS (SELECT 1 FROM {table} r WHERE r.client_id = {id}{by})"
            ))
        })
        .collect();
    format!("({})", probes.join(" OR "))
}

/// The maintained columns and their values, for the client whose id is `id`.
fn columns(backend: DbBackend, id: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![("typ_through", typ_through(backend, id))];
    for (column, agency) in RECORDED_BY {
        out.push((column, recorded_by(agency, id)));
    }
    out
}

/// The statement that brings the maintained columns of the clients whose ids the query
/// `ids` selects up to date (every client without `ids`). PostgreSQL writes only the rows
/// whose values change (an unchanged row is not rewritten); SQLite sets them all.
pub fn refresh(backend: DbBackend, ids: Option<&str>) -> String {
    refresh_with(backend, ids, |id| columns(backend, id))
}

/// The statement that sets columns of `client` kept from other tables, for the clients whose
/// ids the query `ids` selects (every client without `ids`): `columns(id)` gives each
/// column's name and its value for the client whose id is the SQL expression `id`.
/// PostgreSQL writes only the rows whose values change; SQLite sets them all.
pub fn refresh_with(
    backend: DbBackend,
    ids: Option<&str>,
    columns: impl Fn(&str) -> Vec<(&'static str, String)>,
) -> String {
    match backend {
        DbBackend::Postgres => {
            let cols = columns("c.id");
            let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
            let values: Vec<String> = cols.iter().map(|(n, v)| format!("{v} AS {n}")).collect();
            let set: Vec<String> = names.iter().map(|n| format!("{n} = v.{n}")).collect();
            let filter = ids.map_or(String::new(), |q| format!(" WHERE c.id IN ({q})"));
            format!(
                "UPDATE client SET {set} FROM (SELECT c.id, {values} FROM client c{filter}) v \
                 WHERE client.id = v.id AND ({old}) IS DISTINCT FROM ({new})",
                set = set.join(", "),
                values = values.join(", "),
                old = names
                    .iter()
                    .map(|n| format!("client.{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                new = names
                    .iter()
                    .map(|n| format!("v.{n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        }
        _ => {
            let set: Vec<String> = columns("client.id")
                .into_iter()
                .map(|(n, v)| format!("{n} = {v}"))
                .collect();
            let filter = ids.map_or(String::new(), |q| format!(" WHERE client.id IN ({q})"));
            format!("UPDATE client SET {}{filter}", set.join(", "))
        }
    }
}

/// The tables whose rows the maintained columns derive from: `typ_case` is one of
/// [`RECORDS`].
fn sources() -> impl Iterator<Item = &'static str> {
    RECORDS.iter().map(|(table, _)| *table)
}

/// The statements that install the triggers keeping the maintained columns of `tables`.
pub fn install(backend: DbBackend, tables: &[&str]) -> Vec<String> {
    install_with(backend, tables, "visibility", |ids| {
        refresh(backend, Some(ids))
    })
}

/// The statements that install, on each of `tables` (keyed by `client_id`), triggers named
/// `{table}_{name}_inserted`, `_updated` and `_deleted` that run `refresh(ids)` for the
/// clients whose rows the change touched, `ids` being an SQL query of their ids: on
/// PostgreSQL once per statement, over its transition tables (functions
/// `client_{name}_inserted`, ...), on SQLite per row.
pub fn install_with(
    backend: DbBackend,
    tables: &[&str],
    name: &str,
    refresh: impl Fn(&str) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    match backend {
        DbBackend::Postgres => {
            for (function, ids) in [
                ("inserted", "SELECT client_id FROM new_rows"),
                (
                    "updated",
                    "SELECT client_id FROM new_rows UNION SELECT client_id FROM old_rows",
                ),
                ("deleted", "SELECT client_id FROM old_rows"),
            ] {
                out.push(format!(
                    "CREATE OR REPLACE FUNCTION client_{name}_{function}() RETURNS trigger \
                     LANGUAGE plpgsql AS $body$ BEGIN {refresh}; RETURN NULL; END $body$",
                    refresh = refresh(ids),
                ));
            }
            for table in tables {
                for (event, referencing, function) in [
                    ("INSERT", "NEW TABLE AS new_rows", "inserted"),
                    (
                        "UPDATE",
                        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                        "updated",
                    ),
                    ("DELETE", "OLD TABLE AS old_rows", "deleted"),
                ] {
                    out.push(format!(
                        "CREATE TRIGGER {table}_{name}_{function} AFTER {event} ON {table} \
                         REFERENCING {referencing} FOR EACH STATEMENT \
                         EXECUTE FUNCTION client_{name}_{function}()"
                    ));
                }
            }
        }
        _ => {
            for table in tables {
                for (event, ids, function) in [
                    ("INSERT", "NEW.client_id", "inserted"),
                    ("UPDATE", "OLD.client_id, NEW.client_id", "updated"),
                    ("DELETE", "OLD.client_id", "deleted"),
                ] {
                    out.push(format!(
                        "CREATE TRIGGER {table}_{name}_{function} AFTER {event} ON {table} \
                         BEGIN {refresh}; END",
                        refresh = refresh(ids),
                    ));
                }
            }
        }
    }
    out
}

/// PostgreSQL: the statements that stop (`enabled` false) or resume the refresh on insert
/// into each table of [`RECORDS`]. A bulk load into them inserts with it stopped and then
/// runs [`refresh`] for every client once, which leaves the columns as the triggers would
/// have: they are computed from the tables' rows alone.
pub fn postgres_insert_triggers(enabled: bool) -> Vec<String> {
    let switch = if enabled { "ENABLE" } else { "DISABLE" };
    sources()
        .map(|table| format!("ALTER TABLE {table} {switch} TRIGGER {table}_visibility_inserted"))
        .collect()
}

/// The statements that remove the triggers of `tables`.
fn uninstall(backend: DbBackend, tables: &[&str]) -> Vec<String> {
    uninstall_with(backend, tables, "visibility")
}

/// The statements that remove what [`install_with`] installed under `name`.
pub fn uninstall_with(backend: DbBackend, tables: &[&str], name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for table in tables {
        for function in ["inserted", "updated", "deleted"] {
            out.push(match backend {
                DbBackend::Postgres => {
                    format!("DROP TRIGGER IF EXISTS {table}_{name}_{function} ON {table}")
                }
                _ => format!("DROP TRIGGER IF EXISTS {table}_{name}_{function}"),
            });
        }
    }
    if backend == DbBackend::Postgres {
        for function in ["inserted", "updated", "deleted"] {
            out.push(format!(
                "DROP FUNCTION IF EXISTS client_{name}_{function}()"
            ));
        }
    }
    out
}

/// Adds the maintained columns, installs their triggers and fills them, and the indexes a
/// page of clients is read by: name order with its tie-breaker, a coach's recent periods at
/// the provider, and on PostgreSQL prefix search of names.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "030_maintain_client_visibility"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let tables: Vec<&str> = sources().collect();
        let mut statements = vec!["ALTER TABLE client ADD COLUMN typ_through DATE".to_owned()];
        for (column, _) in RECORDED_BY {
            statements.push(format!(
                "ALTER TABLE client ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT FALSE"
            ));
        }
        statements.extend(install(backend, &tables));
        statements.push(refresh(backend, None));
        // The name order's tie-breaker in the index: a page is read in index order and
        // stops at its size.
        statements.push("DROP INDEX client_name_idx".to_owned());
        statements
            .push("CREATE INDEX client_name_idx ON client (last_name, first_name, id)".into());
        // A coach's clients: the provider's periods whose end (the early end, else the
        // planned one) is recent, read by the index, and the planner's estimate of how few
        // they are from its statistics of that end.
        statements.push(
            "CREATE INDEX rehab_period_provider_end_idx ON rehab_period \
             (provider_id, (COALESCE(ended_early_on, ends_on)))"
                .into(),
        );
        if backend == DbBackend::Postgres {
            // Prefix search of names (`lower(name) LIKE 'x%'`), whatever the collation.
            for column in ["first_name", "last_name"] {
                statements.push(format!(
                    "CREATE INDEX client_{column}_prefix_idx ON client \
                     (lower({column}) text_pattern_ops)"
                ));
            }
        }
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let tables: Vec<&str> = sources().collect();
        let mut statements = uninstall(backend, &tables);
        for column in ["first_name", "last_name"] {
            statements.push(format!("DROP INDEX IF EXISTS client_{column}_prefix_idx"));
        }
        statements.push("DROP INDEX IF EXISTS rehab_period_provider_end_idx".to_owned());
        statements.push("DROP INDEX client_name_idx".to_owned());
        statements.push("CREATE INDEX client_name_idx ON client (last_name, first_name)".into());
        statements.push("ALTER TABLE client DROP COLUMN typ_through".to_owned());
        for (column, _) in RECORDED_BY {
            statements.push(format!("ALTER TABLE client DROP COLUMN {column}"));
        }
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_agency_probes_its_own_tables_only() {
        let te = recorded_by("TE", "c.id");
        assert!(te.contains("FROM employment_item r"));
        assert!(
            te.contains("FROM consent r WHERE r.client_id = c.id AND r.recorded_by_agency = 'TE'")
        );
        assert!(!te.contains("rehab_period"));
        let eksote = recorded_by("EKSOTE", "c.id");
        assert!(eksote.contains("FROM rehab_period r WHERE r.client_id = c.id)"));
        assert!(!eksote.contains("pay_subsidy"));
    }

    #[test]
    fn a_bulk_load_switches_the_installed_insert_triggers() {
        let installed = install(DbBackend::Postgres, &sources().collect::<Vec<_>>()).join(";\n");
        let off = postgres_insert_triggers(false);
        assert_eq!(off.len(), RECORDS.len());
        for statement in off {
            let (table, trigger) = statement
                .strip_prefix("ALTER TABLE ")
                .and_then(|s| s.split_once(" DISABLE TRIGGER "))
                .unwrap();
            assert!(
                installed.contains(&format!(
                    "CREATE TRIGGER {trigger} AFTER INSERT ON {table} "
                )),
                "{statement}"
            );
        }
    }

    #[test]
    fn every_table_gets_a_trigger_for_each_change() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let sql = install(backend, &["consent"]).join(";\n");
            for event in [
                "AFTER INSERT ON consent",
                "AFTER UPDATE ON consent",
                "AFTER DELETE ON consent",
            ] {
                assert!(sql.contains(event), "{backend:?}: {event}");
            }
        }
    }
}
