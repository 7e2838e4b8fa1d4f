//! PostgreSQL's way of filling tables with many rows at once (its documentation's
//! "Populating a Database"), for the load of clients:
//! - the tables' indexes and foreign keys are dropped while their rows are inserted and made
//!   again after, one sorted pass per index and one join per key, instead of an index entry
//!   and a key lookup per row;
//! - the client's visibility columns (migration 030) are computed once for every client at
//!   the end, by the triggers' own statement, instead of by the triggers after every batch.
//!
//! All of it happens in the load's transaction: other sessions see the tables as before or
//! as after, and a failed load leaves them as they were. The indexes, keys and triggers come
//! back exactly as the catalog held them (their definitions are read from it), and the keys
//! are checked against every row when they are made again.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// Memory for building an index again (for the rest of the load's transaction only).
const INDEX_BUILD_MEMORY: &str = "512MB";

/// What [`defer`] took away, to be put back by [`Deferred::restore`].
pub(super) struct Deferred {
    /// Primary keys and unique constraints, then other indexes, then foreign keys.
    restore: Vec<String>,
}

/// Two texts per row of `sql`, which reads the tables named by the array literal `tables`.
async fn texts(
    conn: &impl ConnectionTrait,
    sql: &str,
    tables: &str,
) -> Result<Vec<(String, String)>, DbErr> {
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [tables.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

/// Drops the indexes and foreign keys of `tables` (and other tables' keys referring to
/// them), and stops the visibility triggers on insert.
pub(super) async fn defer(conn: &impl ConnectionTrait, tables: &[&str]) -> Result<Deferred, DbErr> {
    let tables = format!("{{{}}}", tables.join(","));
    let constraint = |kinds: &str| {
        format!(
            "SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, \
             pg_get_constraintdef(oid)), \
             format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) \
             FROM pg_constraint WHERE contype IN ({kinds}) \
             AND (conrelid = ANY($1::text::regclass[]) OR confrelid = ANY($1::text::regclass[])) \
             ORDER BY conrelid::regclass::text, conname"
        )
    };
    let foreign = texts(conn, &constraint("'f'"), &tables).await?;
    let keys = texts(conn, &constraint("'p', 'u'"), &tables).await?;
    // Indexes of their own, not those of a primary key or unique constraint.
    let indexes = texts(
        conn,
        "SELECT pg_get_indexdef(i.indexrelid), format('DROP INDEX %s', i.indexrelid::regclass) \
         FROM pg_index i WHERE i.indrelid = ANY($1::text::regclass[]) \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c \
         WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')) \
         ORDER BY i.indexrelid::regclass::text",
        &tables,
    )
    .await?;
    let mut statements: Vec<String> = migration::visibility::postgres_insert_triggers(false);
    statements.push(migration::summary_facts::postgres_insert_trigger(false));
    statements.extend(foreign.iter().map(|(_, drop)| drop.clone()));
    statements.extend(indexes.iter().map(|(_, drop)| drop.clone()));
    statements.extend(keys.iter().map(|(_, drop)| drop.clone()));
    for statement in statements {
        conn.execute_unprepared(&statement).await?;
    }
    let restore = keys
        .into_iter()
        .chain(indexes)
        .chain(foreign)
        .map(|(add, _)| add)
        .collect();
    Ok(Deferred { restore })
}

impl Deferred {
    /// Makes the indexes and keys again (checking every row), resumes the triggers and
    /// brings every client's visibility and responsible-agency columns up to date.
    pub(super) async fn restore(self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        conn.execute_unprepared(&format!(
            "SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'"
        ))
        .await?;
        for statement in &self.restore {
            conn.execute_unprepared(statement).await?;
        }
        for statement in migration::visibility::postgres_insert_triggers(true) {
            conn.execute_unprepared(&statement).await?;
        }
        conn.execute_unprepared(&migration::summary_facts::postgres_insert_trigger(true))
            .await?;
        conn.execute_unprepared(&migration::visibility::refresh(DbBackend::Postgres, None))
            .await?;
        conn.execute_unprepared(&migration::summary_facts::refresh_responsible(
            DbBackend::Postgres,
            None,
        ))
        .await?;
        Ok(())
    }
}
