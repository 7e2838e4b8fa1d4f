//! Batched inserts for loading large data sets quickly on both backends.
//!
//! SQLite gets multi-row `INSERT … VALUES` statements with a parameter per value.
//! PostgreSQL gets one parameter per column: each column's values as one array literal,
//! inserted by `INSERT … SELECT * FROM unnest(…)`. Its statement text is the same for every
//! batch of a table (prepared once), it has no limit on rows, and the server parses an array
//! of values several times faster than as many bound parameters.

use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// Parameters per INSERT statement at which a SQLite batch is full: well under SQLite's limit
/// (32,766) even after the rows one more client adds.
const FLUSH_AT: usize = 20_000;

/// Values at which a PostgreSQL batch is full (any number would do; this bounds the memory
/// of the rows waiting).
const POSTGRES_FLUSH_AT: usize = 200_000;

/// Buffers rows of one table and writes them in batches.
pub struct Batch {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Value>>,
    pub written: u64,
    /// PostgreSQL: the type of each column, read from the catalog at the first flush.
    types: Option<Vec<String>>,
}

impl Batch {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Batch {
        Batch {
            table,
            columns,
            rows: Vec::new(),
            written: 0,
            types: None,
        }
    }

    /// The table the rows go to.
    pub fn table(&self) -> &'static str {
        self.table
    }

    /// Buffers a row; the owner flushes (parents first) once any batch [`is_full`](Self::is_full).
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Whether the batch holds as many values as one statement to `backend` should carry.
    pub fn is_full(&self, backend: DbBackend) -> bool {
        let limit = match backend {
            DbBackend::Postgres => POSTGRES_FLUSH_AT,
            _ => FLUSH_AT,
        };
        self.rows.len() * self.columns.len() >= limit
    }

    /// On PostgreSQL, reads the columns' types (once), so that [`take`](Self::take) needs no
    /// connection.
    pub async fn prepare(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        if conn.get_database_backend() == DbBackend::Postgres && self.types.is_none() {
            self.types = Some(column_types(conn, self.table, self.columns).await?);
        }
        Ok(())
    }

    /// Writes the rows buffered.
    pub async fn flush(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        self.prepare(conn).await?;
        if let Some(statement) = self.take(conn.get_database_backend())? {
            conn.execute_raw(statement).await?;
        }
        Ok(())
    }

    /// The rows buffered as one INSERT statement for `backend` (none without rows), counted
    /// as written; on PostgreSQL after [`prepare`](Self::prepare).
    pub fn take(&mut self, backend: DbBackend) -> Result<Option<Statement>, DbErr> {
        if self.rows.is_empty() {
            return Ok(None);
        }
        if backend == DbBackend::Postgres {
            return self.take_postgres().map(Some);
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
        Ok(Some(backend.build(&insert)))
    }

    fn take_postgres(&mut self) -> Result<Statement, DbErr> {
        let types = self
            .types
            .as_deref()
            .ok_or_else(|| DbErr::Custom(format!("{}: column types not read", self.table)))?;
        let mut arrays: Vec<String> = vec![String::from("{"); self.columns.len()];
        let rows = self.rows.len() as u64;
        for row in self.rows.drain(..) {
            for (array, value) in arrays.iter_mut().zip(row) {
                if array.len() > 1 {
                    array.push(',');
                }
                push_element(array, value)
                    .map_err(|e| DbErr::Custom(format!("{}: {e}", self.table)))?;
            }
        }
        let columns: Vec<String> = self.columns.iter().map(|c| format!("\"{c}\"")).collect();
        let arguments: Vec<String> = types
            .iter()
            .enumerate()
            .map(|(i, t)| format!("${}::text::{t}[]", i + 1))
            .collect();
        let sql = format!(
            "INSERT INTO \"{}\" ({}) SELECT * FROM unnest({})",
            self.table,
            columns.join(", "),
            arguments.join(", ")
        );
        let values = arrays.into_iter().map(|mut a| {
            a.push('}');
            Value::from(a)
        });
        self.written += rows;
        Ok(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            values,
        ))
    }
}

/// The PostgreSQL type of each of `columns` of `table`, as SQL names them.
async fn column_types(
    conn: &impl ConnectionTrait,
    table: &str,
    columns: &[&str],
) -> Result<Vec<String>, DbErr> {
    let rows = conn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
            [table.into()],
        ))
        .await?;
    let mut types = Vec::with_capacity(columns.len());
    for column in columns {
        let found = rows.iter().find_map(|r| {
            let name: String = r.try_get_by_index(0).ok()?;
            (name == *column)
                .then(|| r.try_get_by_index::<String>(1).ok())
                .flatten()
        });
        types.push(found.ok_or_else(|| DbErr::Custom(format!("{table} has no column {column}")))?);
    }
    Ok(types)
}

/// Appends `value` to an array literal as one element: `NULL`, or its text quoted.
fn push_element(array: &mut String, value: Value) -> Result<(), String> {
    use chrono::{Datelike, Timelike};
    use std::fmt::Write;
    let written = match value {
        Value::String(None)
        | Value::Bool(None)
        | Value::SmallInt(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::Double(None)
        | Value::ChronoDate(None)
        | Value::ChronoDateTimeUtc(None) => {
            array.push_str("NULL");
            return Ok(());
        }
        Value::String(Some(s)) => {
            array.push('"');
            if s.bytes().any(|b| b == b'"' || b == b'\\') {
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        array.push('\\');
                    }
                    array.push(c);
                }
            } else {
                array.push_str(&s);
            }
            array.push('"');
            return Ok(());
        }
        Value::Bool(Some(b)) => write!(array, "{}", if b { "t" } else { "f" }),
        Value::SmallInt(Some(n)) => write!(array, "{n}"),
        Value::Int(Some(n)) => write!(array, "{n}"),
        Value::BigInt(Some(n)) => write!(array, "{n}"),
        // The shortest text that reads back as the same number.
        Value::Double(Some(n)) => write!(array, "\"{n}\""),
        Value::ChronoDate(Some(d)) => {
            write!(array, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
        }
        // Microseconds, as PostgreSQL keeps them and a bound parameter sends them.
        Value::ChronoDateTimeUtc(Some(t)) => write!(
            array,
            "\"{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00\"",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            (t.nanosecond() / 1000).min(999_999)
        ),
        other => return Err(format!("no array text for {other:?}")),
    };
    written.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_elements_are_quoted_escaped_or_null() {
        let mut a = String::new();
        push_element(&mut a, Value::from(r#"say "hi" \ bye"#)).unwrap();
        assert_eq!(a, r#""say \"hi\" \\ bye""#);
        let mut a = String::new();
        push_element(&mut a, Value::String(None)).unwrap();
        assert_eq!(a, "NULL");
        let mut a = String::new();
        push_element(&mut a, Value::from(2.5f64)).unwrap();
        assert_eq!(a, r#""2.5""#);
        let mut a = String::new();
        push_element(&mut a, Value::from(-7i64)).unwrap();
        assert_eq!(a, "-7");
        let mut a = String::new();
        push_element(
            &mut a,
            Value::from(chrono::NaiveDate::from_ymd_opt(987, 6, 5).unwrap()),
        )
        .unwrap();
        assert_eq!(a, "0987-06-05");
        let mut a = String::new();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 16)
            .unwrap()
            .and_hms_micro_opt(12, 0, 0, 1234)
            .unwrap()
            .and_utc();
        push_element(&mut a, Value::from(at)).unwrap();
        assert_eq!(a, r#""2026-11-16 12:00:00.001234+00""#);
    }
}
