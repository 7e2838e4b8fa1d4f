//! A small SQL builder for the services' scoped queries and the derived tables (re-exported
//! as `typgraph::db::Sql`), and the few expressions that differ between the two backends.

use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

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

    /// Nothing written yet.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
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
                // Copied a run of text at a time: a case view's statement is some 4 KB, and
                // copying it a character at a time was 6 % of the server's CPU per view.
                let mut out = String::with_capacity(self.text.len() + 3 * self.values.len());
                let mut parts = self.text.split('?');
                if let Some(first) = parts.next() {
                    out.push_str(first);
                }
                for (n, part) in parts.enumerate() {
                    out.push('$');
                    out.push_str(&(n + 1).to_string());
                    out.push_str(part);
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

/// Statements built once per key and kept, for a statement built on every request whose
/// text follows from a few inputs (its shape): building it with sea-query and numbering
/// its placeholders costs more than the rest of the request's own work does. A request
/// takes the kept [`Template`] of its shape and binds its own values into a copy.
/// Holds at most [`Rendered::KEPT`] keys: when full it starts again empty.
pub struct Rendered<K> {
    kept: Mutex<Vec<(K, Arc<Template>)>>,
}

impl<K: PartialEq> Rendered<K> {
    /// Keys kept at most (shapes come from few inputs, so few are in use at a time).
    pub const KEPT: usize = 64;

    pub const fn new() -> Self {
        Rendered {
            kept: Mutex::new(Vec::new()),
        }
    }

    /// The template of `key`, built by `build` unless kept already.
    pub fn get<E>(
        &self,
        key: K,
        build: impl FnOnce() -> Result<Template, E>,
    ) -> Result<Arc<Template>, E> {
        if let Some(template) = self.find(&key) {
            return Ok(template);
        }
        // Built outside the lock; of two requests building the same shape at once, the
        // first to finish keeps its template.
        let template = Arc::new(build()?);
        let mut kept = self.lock();
        if let Some((_, t)) = kept.iter().find(|(k, _)| *k == key) {
            return Ok(Arc::clone(t));
        }
        if kept.len() >= Self::KEPT {
            kept.clear();
        }
        kept.push((key, Arc::clone(&template)));
        Ok(template)
    }

    fn find(&self, key: &K) -> Option<Arc<Template>> {
        self.lock()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, t)| Arc::clone(t))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(K, Arc<Template>)>> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl<K: PartialEq> Default for Rendered<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// A built statement whose values are bound anew for each request, in given places.
#[derive(Debug, Clone)]
pub struct Template {
    statement: Statement,
    /// Where each of a request's values goes among the statement's values.
    slots: Vec<usize>,
}

impl Template {
    /// `statement`, built with `marks` in place of a request's values: each mark is a value
    /// none of the statement's other values can equal, and is found where it first occurs.
    pub fn new(statement: Statement, marks: &[Value]) -> Result<Template, DbErr> {
        let values = statement.values.as_ref().map(|v| v.0.as_slice());
        let slots = marks
            .iter()
            .map(|mark| {
                values
                    .and_then(|v| v.iter().position(|value| value == mark))
                    .ok_or_else(|| DbErr::Custom(format!("template: no mark {mark:?}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Template { statement, slots })
    }

    /// A copy of the statement with `values` in the marks' places, in the marks' order.
    pub fn bind<const N: usize>(&self, values: [Value; N]) -> Statement {
        let mut statement = self.statement.clone();
        if let Some(bound) = statement.values.as_mut() {
            for (slot, value) in self.slots.iter().zip(values) {
                if let Some(v) = bound.0.get_mut(*slot) {
                    *v = value;
                }
            }
        }
        statement
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

    #[test]
    fn numbers_placeholders_at_either_end_and_past_nine() {
        let mut sql = Sql::default();
        for _ in 0..11 {
            sql.bind(1).push(",");
        }
        sql.bind(2);
        let built = sql.build(DbBackend::Postgres);
        assert_eq!(built.sql, "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12");
        assert_eq!(built.values.map(|v| v.0.len()), Some(12));
        assert_eq!(
            Sql::new("SELECT 'é'").build(DbBackend::Postgres).sql,
            "SELECT 'é'"
        );
    }

    #[test]
    fn a_template_binds_a_requests_values_where_its_marks_were() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind("fixed")
            .push(" AND b = ")
            .bind("\0b")
            .push(" AND c = ")
            .bind(0);
        let template = Template::new(
            sql.build(DbBackend::Postgres),
            &[Value::from(0), Value::from("\0b")],
        )
        .unwrap();
        let bound = template.bind([Value::from(7), Value::from("x")]);
        assert_eq!(bound.sql, "SELECT 1 WHERE a = $1 AND b = $2 AND c = $3");
        assert_eq!(
            bound.values.map(|v| v.0),
            Some(vec![Value::from("fixed"), Value::from("x"), Value::from(7)])
        );
        assert!(Template::new(sql.build(DbBackend::Postgres), &[Value::from(1)]).is_err());
    }

    #[test]
    fn a_shape_is_built_once_and_kept_apart_from_others() {
        let rendered = Rendered::<u8>::new();
        let built = std::cell::Cell::new(0);
        let build = |text: &str| {
            built.set(built.get() + 1);
            Template::new(Sql::new(text).build(DbBackend::Sqlite), &[])
        };
        for _ in 0..3 {
            assert_eq!(
                rendered.get(1, || build("one")).unwrap().bind([]).sql,
                "one"
            );
            assert_eq!(
                rendered.get(2, || build("two")).unwrap().bind([]).sql,
                "two"
            );
        }
        assert_eq!(built.get(), 2);
    }
}
