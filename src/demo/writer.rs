//! Batched multi-row inserts for loading large data sets quickly on both backends.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DbErr, Value};

/// Parameters per INSERT statement at which a batch is full: well under SQLite's (32,766) and
/// PostgreSQL's (65,535) limits even after the rows one more client adds.
const FLUSH_AT: usize = 20_000;

/// Buffers rows of one table and writes them in batches.
pub struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
    pub written: u64,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: Vec::new(),
            written: 0,
        }
    }

    /// Buffers a row; the owner flushes (parents first) once any batch [`is_full`](Self::is_full).
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    pub fn is_full(&self) -> bool {
        self.rows.len() * self.columns.len() >= FLUSH_AT
    }

    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let mut insert = Query::insert();
        insert
            .into_table(self.table)
            .columns(self.columns.iter().copied());
        for row in self.rows.drain(..) {
            insert
                .values(row.into_iter().map(Expr::val))
                .map_err(|e| DbErr::Custom(format!("{}: {e}", self.table)))?;
            self.written += 1;
        }
        conn.execute(&insert).await?;
        Ok(())
    }
}
