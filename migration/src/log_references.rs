//! The access log's references that lock what they name (PostgreSQL).
//!
//! A foreign key is checked by reading the row it names `FOR KEY SHARE`: a row lock that
//! PostgreSQL writes into the row itself (a WAL record, and a multixact once two
//! transactions hold it). Every access-log row named its client and its agency that way, so
//! a page of 100 clients locked each of the 100 client rows it had read, and every request
//! of an agency took the same lock on its one `agency` row. Measured on 10,000 clients, 32
//! connections inserting 100 log rows a transaction: 667 transactions/s with the three
//! keys, 1,180-1,370 with the official's alone.
//!
//! - The agency is one of a closed set of codes: a check constraint says the same without
//!   reading, or locking, the `agency` table.
//! - The client is named by id, as it was read in the same transaction. Client rows are
//!   never deleted (retention erases their content and keeps the row and its id, merging
//!   keeps the merged row), so an id once written keeps naming its client; what guards the
//!   log's rows is its hash chain.
//! - The official's key ([`Officials`], a later migration) is checked once per statement
//!   instead: a key checks each row apart, one query and one lock per row, and every
//!   request of an official locks that official's row once per client it shows (measured
//!   with pgbench, 32 connections inserting 100 log rows a transaction for one official:
//!   422-484 transactions/s with the key, 569-597 with the statement's check, 641-650 with
//!   neither). A statement trigger reads the inserted rows' officials in one query and
//!   refuses the statement if one is not on record; an official's row is never deleted
//!   (officials are deactivated, `official.active`) nor its id changed, which a trigger on
//!   `official` refuses, so the check does not need the lock that would hold the row.
//!
//! SQLite checks a foreign key without a row lock (its writers take the whole database
//! one at a time), and cannot drop a constraint without rebuilding the table: its keys stay.
//! The rule that officials are kept holds on both.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The agencies' codes (migration 001 inserts them).
const AGENCIES: &str = "'TE', 'EKSOTE', 'KELA', 'PROVIDER'";

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "034_access_log_without_row_locks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        // NOT VALID: the rows already written were checked by the key it replaces.
        for statement in [
            "ALTER TABLE access_log DROP CONSTRAINT IF EXISTS access_log_client_id_fkey".to_owned(),
            "ALTER TABLE access_log DROP CONSTRAINT IF EXISTS access_log_agency_fkey".to_owned(),
            format!(
                "ALTER TABLE access_log ADD CONSTRAINT access_log_agency_code_check \
                 CHECK (agency IN ({AGENCIES})) NOT VALID"
            ),
        ] {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for statement in [
            "ALTER TABLE access_log DROP CONSTRAINT IF EXISTS access_log_agency_code_check",
            "ALTER TABLE access_log ADD CONSTRAINT access_log_agency_fkey \
             FOREIGN KEY (agency) REFERENCES agency (code)",
            "ALTER TABLE access_log ADD CONSTRAINT access_log_client_id_fkey \
             FOREIGN KEY (client_id) REFERENCES client (id)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}

/// The access log's official checked per statement, not per row; officials kept.
pub struct Officials;

impl MigrationName for Officials {
    fn name(&self) -> &str {
        "035_access_log_official_per_statement"
    }
}

/// An official's row is never deleted, nor its id changed: the access log (and every record
/// an official wrote) names officials by id for as long as it is kept.
const KEEP_OFFICIALS: &str = "officials are deactivated, not deleted, and keep their id";

#[async_trait::async_trait]
impl MigrationTrait for Officials {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DbBackend::Postgres => vec![
                format!(
                    "CREATE FUNCTION official_kept() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE restrict_violation USING MESSAGE = '{KEEP_OFFICIALS}'; END $$"
                ),
                "CREATE TRIGGER official_kept_deleted BEFORE DELETE ON official \
                 FOR EACH ROW EXECUTE FUNCTION official_kept()"
                    .to_owned(),
                "CREATE TRIGGER official_kept_renamed BEFORE UPDATE ON official \
                 FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) \
                 EXECUTE FUNCTION official_kept()"
                    .to_owned(),
                // One query per statement over the rows it wrote, without locking the
                // officials it finds (kept by the triggers above).
                "CREATE FUNCTION access_log_officials_known() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF EXISTS (SELECT 1 FROM new_rows n \
                              WHERE NOT EXISTS (SELECT 1 FROM official o WHERE o.id = n.official_id)) THEN \
                     RAISE foreign_key_violation USING MESSAGE = \
                       'an access-log row names an official who is not on record'; \
                   END IF; \
                   RETURN NULL; \
                 END $$"
                    .to_owned(),
                "CREATE TRIGGER access_log_officials_inserted AFTER INSERT ON access_log \
                 REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
                 EXECUTE FUNCTION access_log_officials_known()"
                    .to_owned(),
                "CREATE TRIGGER access_log_officials_updated AFTER UPDATE ON access_log \
                 REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT \
                 EXECUTE FUNCTION access_log_officials_known()"
                    .to_owned(),
                "ALTER TABLE access_log DROP CONSTRAINT IF EXISTS access_log_official_id_fkey"
                    .to_owned(),
            ],
            _ => vec![
                format!(
                    "CREATE TRIGGER official_kept_deleted BEFORE DELETE ON official \
                     BEGIN SELECT RAISE(ABORT, '{KEEP_OFFICIALS}'); END"
                ),
                format!(
                    "CREATE TRIGGER official_kept_renamed BEFORE UPDATE OF id ON official \
                     WHEN OLD.id IS NOT NEW.id \
                     BEGIN SELECT RAISE(ABORT, '{KEEP_OFFICIALS}'); END"
                ),
            ],
        };
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DbBackend::Postgres => &[
                "ALTER TABLE access_log ADD CONSTRAINT access_log_official_id_fkey \
                 FOREIGN KEY (official_id) REFERENCES official (id)",
                "DROP TRIGGER IF EXISTS access_log_officials_updated ON access_log",
                "DROP TRIGGER IF EXISTS access_log_officials_inserted ON access_log",
                "DROP FUNCTION IF EXISTS access_log_officials_known()",
                "DROP TRIGGER IF EXISTS official_kept_renamed ON official",
                "DROP TRIGGER IF EXISTS official_kept_deleted ON official",
                "DROP FUNCTION IF EXISTS official_kept()",
            ],
            _ => &[
                "DROP TRIGGER IF EXISTS official_kept_renamed",
                "DROP TRIGGER IF EXISTS official_kept_deleted",
            ],
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
