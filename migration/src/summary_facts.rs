//! The client facts a report's filter and scope read, carried on the monthly KTT summaries.
//!
//! A monthly report reads the summary rows of its months by their index (`ktt_month`,
//! `ktt_client_month`), and then kept only the rows whose client its filter or the caller's
//! scope admits: a probe of `client` per row. Such a probe admits most of the register (a
//! county worker sees nearly every client of the county), so PostgreSQL hashed the client
//! table whole rather than probing it row by row, and a month's report cost a read of every
//! client ever registered. Each summary row now carries the facts those conditions read, as
//! copies of its client's columns:
//!
//! - `municipality` (the municipality filter);
//! - `registered_by_agency`, `typ_through` and `recorded_by_te`, `recorded_by_eksote`,
//!   `recorded_by_kela`: the client's visibility to an agency, which the database keeps on
//!   the client's row (migration `030_maintain_client_visibility`);
//! - `responsible_te`, `responsible_eksote`, `responsible_kela` (the responsible-agency
//!   filter): whether one of the client's TYP cases names the agency responsible, kept on
//!   the client's row by this migration's triggers on `typ_case` in the same way.
//!
//! The summaries are rebuilt per client by the server (`store::ktt_month`), which writes the
//! facts as it reads them from the client. A change of the client's row reaches its summary
//! rows through a trigger in the same statement, whichever code path (or visibility trigger)
//! changed it, so a copy is never older than its client.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::visibility;

/// The summary tables that carry the facts.
pub const SUMMARIES: [&str; 2] = ["ktt_month", "ktt_client_month"];

/// What a copied column holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Text that may be missing (NULL).
    Text,
    /// Text always present.
    Code,
    /// A day that may be missing.
    Day,
    /// True or false.
    Flag,
}

impl Kind {
    /// The column's SQL type on the summaries (a default where the rows exist before it).
    fn sql_type(self) -> &'static str {
        match self {
            Kind::Text => "TEXT",
            Kind::Code => "TEXT NOT NULL DEFAULT ''",
            Kind::Day => "DATE",
            Kind::Flag => "BOOLEAN NOT NULL DEFAULT FALSE",
        }
    }
}

/// The copied columns of `client`, in the order the summaries list them.
pub const FACTS: [(&str, Kind); 9] = [
    ("municipality", Kind::Text),
    ("registered_by_agency", Kind::Code),
    ("typ_through", Kind::Day),
    ("recorded_by_te", Kind::Flag),
    ("recorded_by_eksote", Kind::Flag),
    ("recorded_by_kela", Kind::Flag),
    ("responsible_te", Kind::Flag),
    ("responsible_eksote", Kind::Flag),
    ("responsible_kela", Kind::Flag),
];

/// The columns of `client` this migration keeps from `typ_case`, and the agency each stands
/// for.
pub const RESPONSIBLE: [(&str, &str); 3] = [
    ("responsible_te", "TE"),
    ("responsible_eksote", "EKSOTE"),
    ("responsible_kela", "KELA"),
];

/// The statement that brings the responsible-agency columns of the clients whose ids the
/// query `ids` selects up to date (every client without `ids`), as
/// [`visibility::refresh_with`] does.
pub fn refresh_responsible(backend: DbBackend, ids: Option<&str>) -> String {
    visibility::refresh_with(backend, ids, |id| {
        RESPONSIBLE
            .iter()
            .map(|(column, agency)| {
                let value = format!(
                    "EXISTS (SELECT 1 FROM typ_case t WHERE t.client_id = {id} \
                     AND t.responsible_agency = '{agency}')"
                );
                (*column, value)
            })
            .collect()
    })
}

/// The name the responsible-agency triggers go by ([`visibility::install_with`]).
const TRIGGERS: &str = "responsible";

/// The name of the PostgreSQL trigger that refreshes the responsible agencies of inserted
/// cases (stopped during a bulk load: [`postgres_insert_trigger`]).
const CASES_INSERTED: &str = "typ_case_responsible_inserted";

/// The statements that keep the responsible-agency columns from `typ_case`.
fn install_responsible(backend: DbBackend) -> Vec<String> {
    visibility::install_with(backend, &["typ_case"], TRIGGERS, |ids| {
        refresh_responsible(backend, Some(ids))
    })
}

/// PostgreSQL: the statement that stops (`enabled` false) or resumes the refresh of the
/// responsible agencies on insert into `typ_case`. A bulk load inserts with it stopped and
/// then runs [`refresh_responsible`] for every client once, before the summaries are built.
pub fn postgres_insert_trigger(enabled: bool) -> String {
    let switch = if enabled { "ENABLE" } else { "DISABLE" };
    format!("ALTER TABLE typ_case {switch} TRIGGER {CASES_INSERTED}")
}

/// `a.x, a.y, ...` of the facts.
fn listed(alias: &str) -> String {
    FACTS
        .iter()
        .map(|(c, _)| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `x = a.x, y = a.y, ...` of the facts, from the client row `alias`.
fn assigned(alias: &str) -> String {
    FACTS
        .iter()
        .map(|(c, _)| format!("{c} = {alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statements that copy the facts of the client row `row` (`NEW` in a trigger) onto
/// its rows of each summary.
fn copies(row: &str) -> Vec<String> {
    let set = assigned(row);
    SUMMARIES
        .iter()
        .map(|t| format!("UPDATE {t} SET {set} WHERE client_id = {row}.id"))
        .collect()
}

/// The trigger's condition: one of the facts changed.
fn changed(backend: DbBackend) -> String {
    match backend {
        DbBackend::Postgres => format!("({}) IS DISTINCT FROM ({})", listed("OLD"), listed("NEW")),
        _ => FACTS
            .iter()
            .map(|(c, _)| format!("OLD.{c} IS NOT NEW.{c}"))
            .collect::<Vec<_>>()
            .join(" OR "),
    }
}

/// The statements that keep the copies: a row trigger on `client` that runs when one of the
/// facts changes.
pub fn install(backend: DbBackend) -> Vec<String> {
    let columns = FACTS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", ");
    let copies = copies("NEW")
        .into_iter()
        .map(|s| format!("{s};"))
        .collect::<Vec<_>>()
        .join(" ");
    let when = changed(backend);
    match backend {
        DbBackend::Postgres => vec![
            format!(
                "CREATE FUNCTION client_summary_facts() RETURNS trigger LANGUAGE plpgsql AS $body$ \
                 BEGIN {copies} RETURN NULL; END $body$"
            ),
            format!(
                "CREATE TRIGGER client_summary_facts AFTER UPDATE OF {columns} ON client \
                 FOR EACH ROW WHEN ({when}) EXECUTE FUNCTION client_summary_facts()"
            ),
        ],
        _ => vec![format!(
            "CREATE TRIGGER client_summary_facts AFTER UPDATE OF {columns} ON client \
             FOR EACH ROW WHEN {when} BEGIN {copies} END"
        )],
    }
}

/// Adds the facts to the summaries, fills them from the clients and installs the trigger.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "037_ktt_month_client_facts"
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
        let mut statements = Vec::new();
        for (column, _) in RESPONSIBLE {
            statements.push(format!(
                "ALTER TABLE client ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT FALSE"
            ));
        }
        statements.extend(install_responsible(backend));
        statements.push(refresh_responsible(backend, None));
        for table in SUMMARIES {
            for (column, kind) in FACTS {
                let ty = kind.sql_type();
                statements.push(format!("ALTER TABLE {table} ADD COLUMN {column} {ty}"));
            }
            statements.push(match backend {
                DbBackend::Postgres => format!(
                    "UPDATE {table} SET {set} FROM client c WHERE c.id = {table}.client_id",
                    set = assigned("c"),
                ),
                // SQLite: one row value per summary row, from its client.
                _ => format!(
                    "UPDATE {table} SET ({columns}) = (SELECT {values} FROM client c \
                     WHERE c.id = {table}.client_id)",
                    columns = FACTS.iter().map(|(c, _)| *c).collect::<Vec<_>>().join(", "),
                    values = listed("c"),
                ),
            });
        }
        statements.extend(install(backend));
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = db.get_database_backend();
        let mut statements = vec![match backend {
            DbBackend::Postgres => {
                "DROP TRIGGER IF EXISTS client_summary_facts ON client".to_owned()
            }
            _ => "DROP TRIGGER IF EXISTS client_summary_facts".to_owned(),
        }];
        if backend == DbBackend::Postgres {
            statements.push("DROP FUNCTION IF EXISTS client_summary_facts()".to_owned());
        }
        statements.extend(visibility::uninstall_with(backend, &["typ_case"], TRIGGERS));
        for table in SUMMARIES {
            for (column, _) in FACTS {
                statements.push(format!("ALTER TABLE {table} DROP COLUMN {column}"));
            }
        }
        for (column, _) in RESPONSIBLE {
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
    fn the_trigger_copies_every_fact_onto_both_summaries_when_one_changes() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let sql = install(backend).join(";\n");
            for (column, _) in FACTS {
                assert!(
                    sql.contains(&format!("{column} = NEW.{column}")),
                    "{backend:?}: {column}"
                );
                assert!(
                    sql.contains(&format!("OLD.{column}")),
                    "{backend:?}: {column}"
                );
            }
            for table in SUMMARIES {
                assert!(
                    sql.contains(&format!("UPDATE {table} SET")),
                    "{backend:?}: {table}"
                );
            }
        }
    }

    #[test]
    fn every_change_of_a_case_refreshes_its_clients_responsible_agencies() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let sql = install_responsible(backend).join(";\n");
            for event in [
                "AFTER INSERT ON typ_case",
                "AFTER UPDATE ON typ_case",
                "AFTER DELETE ON typ_case",
            ] {
                assert!(sql.contains(event), "{backend:?}: {event}");
            }
            for (column, agency) in RESPONSIBLE {
                assert!(
                    sql.contains(&format!("{column} = ")),
                    "{backend:?}: {column}"
                );
                assert!(
                    sql.contains(&format!("t.responsible_agency = '{agency}'")),
                    "{backend:?}"
                );
            }
        }
        let installed = install_responsible(DbBackend::Postgres).join(";\n");
        let switch = postgres_insert_trigger(false);
        let trigger = switch.rsplit(' ').next().unwrap();
        assert!(
            installed.contains(&format!(
                "CREATE TRIGGER {trigger} AFTER INSERT ON typ_case "
            )),
            "{switch}"
        );
    }
}
