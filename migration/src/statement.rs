//! A small SQL builder shared by the migrations' derived tables and the services' scoped
//! queries (re-exported as `typgraph::db::Sql`), and the few expressions that differ
//! between the two backends.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// `YYYY-MM` of a date expression, per backend.
pub fn month_of(backend: DbBackend, expr: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({expr}, 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {expr})"),
    }
}

/// A SQL statement assembled from trusted text and bound values. Placeholders are written
/// as `?` and numbered for PostgreSQL when built; user input only ever goes into `bind`.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.values.push(value.into());
        self
    }

    /// Binds a value to the next `?` already written into the text (for text repeated with
    /// its placeholders, such as one condition used in several aggregates).
    pub fn bind_value(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        self
    }

    /// Binds a list as `(?, ?, ...)`; an empty list becomes `(NULL)`, which matches nothing.
    pub fn bind_list<V: Into<Value> + Clone>(&mut self, values: &[V]) -> &mut Self {
        self.text.push('(');
        if values.is_empty() {
            self.text.push_str("NULL");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v.clone());
        }
        self.text.push(')');
        self
    }

    /// Appends another statement's text and values (placeholders are numbered when built).
    pub fn append(&mut self, other: Sql) -> &mut Self {
        self.text.push_str(&other.text);
        self.values.extend(other.values);
        self
    }

    pub fn build(&self, backend: DbBackend) -> Statement {
        let text = match backend {
            DbBackend::Postgres => {
                let mut out = String::with_capacity(self.text.len() + 16);
                let mut n = 0;
                for ch in self.text.chars() {
                    if ch == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(ch);
                    }
                }
                out
            }
            _ => self.text.clone(),
        };
        Statement::from_sql_and_values(backend, text, self.values.clone())
    }

    pub fn build_for(&self, conn: &impl ConnectionTrait) -> Statement {
        self.build(conn.get_database_backend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres_only() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1).push(" AND b IN ").bind_list(&["x", "y"]);
        assert_eq!(
            sql.build(DbBackend::Postgres).sql,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(
            sql.build(DbBackend::Sqlite).sql,
            "SELECT 1 WHERE a = ? AND b IN (?, ?)"
        );
    }
}
