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
//! - The official keeps its key: the lock is on the request's own official, held from the
//!   first row, and costs little.
//!
//! SQLite checks a foreign key without a row lock (its writers take the whole database
//! one at a time), and cannot drop a constraint without rebuilding the table: its keys stay.

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
