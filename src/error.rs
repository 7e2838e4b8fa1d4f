//! The one error type of typgraph and its mapping to GraphQL `extensions.code`.
//!
//! Internal causes are logged where they are turned into a client error and never sent.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

/// Why a field the role may read was withheld for this row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenialReason {
    NoConsent,
    OutOfScope,
}

impl DenialReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DenialReason::NoConsent => "NO_CONSENT",
            DenialReason::OutOfScope => "OUT_OF_SCOPE",
        }
    }
}

/// Every failure a client can see. It deliberately does not implement `Display`, so that
/// `?` in a resolver goes through our `From` (which sets `extensions.code`) instead of
/// async-graphql's blanket conversion of displayable errors.
#[derive(Debug)]
pub enum AppError {
    /// No usable credentials: `None` when the request carried none, else why the token
    /// was refused (said in `WWW-Authenticate` as RFC 6750's `error_description`).
    Unauthenticated(Option<&'static str>),
    Forbidden(Option<DenialReason>),
    NotFound,
    BadUserInput {
        field: String,
        message: String,
        /// Figures the caller needs to correct the input (`extensions` of the same name,
        /// such as the hours left under a cap).
        figures: Vec<(&'static str, i64)>,
    },
    Conflict(String),
    /// A conflict with an existing record the caller may see and reuse (summary fields).
    ConflictWithExisting(String, Vec<(&'static str, String)>),
    /// A conflict with several records the caller may see, listed under the extension
    /// named by the second value (each record by its summary fields).
    ConflictWithRecords(String, &'static str, Vec<Vec<(&'static str, String)>>),
    LimitExceeded(String),
    /// A persisted query's hash the server does not know (yet): the client resends the text.
    PersistedQueryNotFound,
    /// A document outside the trusted documents, where only those run.
    PersistedQueryNotInList,
    Unavailable,
    /// The cause is logged when the error is made; it is never sent.
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden(_) => "FORBIDDEN",
            AppError::NotFound => "NOT_FOUND",
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict(_)
            | AppError::ConflictWithExisting(..)
            | AppError::ConflictWithRecords(..) => "CONFLICT",
            AppError::LimitExceeded(_) => "LIMIT_EXCEEDED",
            AppError::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            AppError::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            AppError::Unavailable => "UNAVAILABLE",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The message the client sees: never SQL, a stack trace or personal data.
    pub fn message(&self) -> String {
        match self {
            AppError::Unauthenticated(None) => "authentication required".to_owned(),
            AppError::Unauthenticated(Some(why)) => format!("invalid token: {why}"),
            AppError::Forbidden(_) => "not allowed".to_owned(),
            AppError::NotFound => "not found".to_owned(),
            AppError::BadUserInput { message, .. } => message.clone(),
            AppError::Conflict(m)
            | AppError::ConflictWithExisting(m, _)
            | AppError::ConflictWithRecords(m, ..)
            | AppError::LimitExceeded(m) => m.clone(),
            // The message Apollo's persisted-query link looks for.
            AppError::PersistedQueryNotFound => "PersistedQueryNotFound".to_owned(),
            AppError::PersistedQueryNotInList => {
                "only the server's trusted documents run here".to_owned()
            }
            AppError::Unavailable => "service unavailable".to_owned(),
            AppError::Internal(_) => "internal error".to_owned(),
        }
    }

    pub fn bad_input(field: &str, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            field: field.to_owned(),
            message: message.into(),
            figures: Vec::new(),
        }
    }

    /// [`Self::bad_input`] with figures for the caller, each set in `extensions`.
    pub fn bad_input_with(
        field: &str,
        message: impl Into<String>,
        figures: Vec<(&'static str, i64)>,
    ) -> Self {
        AppError::BadUserInput {
            field: field.to_owned(),
            message: message.into(),
            figures,
        }
    }

    /// The `WWW-Authenticate` challenge of a 401 (RFC 6750 §3): the bare scheme when the
    /// request had no token, `invalid_token` with what was wrong when it had one.
    pub fn challenge(&self) -> Option<String> {
        match self {
            AppError::Unauthenticated(None) => Some("Bearer".to_owned()),
            AppError::Unauthenticated(Some(why)) => Some(format!(
                "Bearer error=\"invalid_token\", error_description=\"{why}\""
            )),
            _ => None,
        }
    }

    /// Logs an internal cause and returns the error the client may see.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(cause = %cause, "internal error");
        AppError::Internal(cause.to_string())
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        let cause = db_error_summary(&err);
        if is_unavailable(&err) {
            tracing::warn!(cause = %cause, "database unavailable");
            AppError::Unavailable
        } else {
            AppError::internal(cause)
        }
    }
}

/// What a database error may say in a log: the SQLSTATE, constraint and table of a database
/// error, or the message with every quoted part blanked. Database messages quote the values
/// they failed on (`invalid input syntax for type date: "…"`), and those may be personal.
pub fn db_error_summary(err: &DbErr) -> String {
    use sea_orm::RuntimeErr;
    let runtime = match err {
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => Some(e),
        _ => None,
    };
    if let Some(RuntimeErr::SqlxError(e)) = runtime {
        if let Some(db) = e.as_database_error() {
            return format!(
                "database error {} (constraint {}, table {})",
                db.code().as_deref().unwrap_or("?"),
                db.constraint().unwrap_or("-"),
                db.table().unwrap_or("-"),
            );
        }
    }
    redact_quoted(&err.to_string())
}

/// Blanks what stands between quotes (single or double) and cuts the text to 300 chars.
pub fn redact_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(300));
    let mut open: Option<char> = None;
    for c in text.chars().take(300) {
        match open {
            Some(q) if c == q => {
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                out.push(c);
                out.push('…');
                open = Some(c);
            }
            None if c.is_control() => out.push(' '),
            None => out.push(c),
        }
    }
    out
}

/// Failures of the database rather than of the request are `UNAVAILABLE`: no connection
/// within the acquire timeout, a connection lost mid-statement (server stopped, network),
/// PostgreSQL shutting down or refusing connections, and SQLite's write lock still held
/// after the busy timeout. The client may retry; nothing it sent was half-applied, since
/// every request runs in one transaction.
fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::RuntimeErr;
    let sqlx = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match &**sqlx {
        Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
        Sqlx::Database(db) => db.code().is_some_and(|code| unavailable_code(&code)),
        _ => false,
    }
}

/// SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, crash, not yet
/// accepting), 53300 (too many connections); SQLite 5 and 6 (busy, locked) and their
/// extended codes.
fn unavailable_code(code: &str) -> bool {
    code.starts_with("08")
        || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
        // SQLite's codes are numbers below 10000; PostgreSQL's are five characters.
        || (code.len() < 5
            && code
                .parse::<i32>()
                .is_ok_and(|c| matches!(c & 0xff, 5 | 6)))
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.message()).extend_with(|_, e| {
            e.set("code", self.code());
            match self {
                AppError::BadUserInput { field, figures, .. } => {
                    e.set("field", field.as_str());
                    for (name, value) in figures {
                        e.set(*name, *value);
                    }
                }
                AppError::Forbidden(Some(reason)) => e.set("reason", reason.as_str()),
                AppError::ConflictWithExisting(_, fields) => {
                    let mut existing = async_graphql::indexmap::IndexMap::new();
                    for (k, v) in fields {
                        existing.insert(
                            async_graphql::Name::new(*k),
                            async_graphql::Value::String(v.clone()),
                        );
                    }
                    e.set("existing", async_graphql::Value::Object(existing));
                }
                AppError::ConflictWithRecords(_, key, records) => {
                    let list = records
                        .iter()
                        .map(|fields| {
                            let mut record = async_graphql::indexmap::IndexMap::new();
                            for (k, v) in fields {
                                record.insert(
                                    async_graphql::Name::new(*k),
                                    async_graphql::Value::String(v.clone()),
                                );
                            }
                            async_graphql::Value::Object(record)
                        })
                        .collect();
                    e.set(*key, async_graphql::Value::List(list));
                }
                _ => {}
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.extend()
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_and_lock_failures_are_unavailable() {
        for code in ["08006", "08001", "57P01", "57P03", "53300", "5", "517", "6"] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["23505", "23503", "22007", "22005", "19", "2067", "42P01"] {
            assert!(!unavailable_code(code), "{code}");
        }
    }

    #[test]
    fn quoted_values_never_reach_a_log_line() {
        let msg = "error returned from database: invalid input syntax for type date: \"010190-901R\"\nDETAIL: Key (name)=('Koemäki')";
        let out = redact_quoted(msg);
        assert!(
            !out.contains("010190") && !out.contains("Koemäki") && !out.contains('\n'),
            "{out}"
        );
        assert!(out.contains("invalid input syntax for type date"));
    }
}
