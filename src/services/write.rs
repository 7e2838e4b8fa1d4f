//! The write path: the one way a service changes data.
//!
//! A change goes through [`scoped`] (a change of one client's data, answered with the
//! client's scope) or [`unscoped`] (anything else: administration, break-glass), and both
//! do the same five things in this order:
//!
//! 1. check the caller's [`Right`] (the field group its role writes, or the object it
//!    manages) before any data is touched: `FORBIDDEN` otherwise;
//! 2. open a savepoint in the request's transaction;
//! 3. run the change on the savepoint: its reads, checks and statements, ending in a
//!    [`Written`] that names the client whose data it wrote;
//! 4. release the savepoint when the change succeeded, roll it back when it failed, so a
//!    change fails whole (nothing of it is left in the request's transaction, which stays
//!    usable) and a service cannot forget to do so;
//! 5. record the WRITE of the client's groups in the access recorder (only for a change that
//!    committed), and hand back the row with the client's [`ClientScope`] as the change
//!    loaded it, so that a resolver answers without reading the client again. A change
//!    that alters what the caller sees of the client (a consent, a case: see
//!    [`Written::rescoping`]) has the scope read anew after it instead.
//!
//! The access-log rows themselves are written when the request's recorder is flushed into
//! the same transaction, before it commits.

use std::sync::Arc;

use sea_orm::{DatabaseTransaction, TransactionTrait};

use super::client::{self, ClientRecord};
use super::{ClientScope, RequestContext};
use crate::authz::{FieldGroup, Managed};
use crate::error::{AppError, AppResult};

/// What allows a change: writing a field group, or managing an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    Write(FieldGroup),
    Manage(Managed),
}

impl From<FieldGroup> for Right {
    fn from(group: FieldGroup) -> Self {
        Right::Write(group)
    }
}

impl From<Managed> for Right {
    fn from(what: Managed) -> Self {
        Right::Manage(what)
    }
}

impl Right {
    fn check(self, rc: &RequestContext) -> AppResult<()> {
        match self {
            Right::Write(group) => rc.require_write(group),
            Right::Manage(what) if rc.principal().mask.may_manage(what, true) => Ok(()),
            Right::Manage(_) => Err(AppError::Forbidden(None)),
        }
    }
}

/// A row a change wrote, with the scope of the client it belongs to.
#[derive(Debug, Clone)]
pub struct Scoped<T> {
    pub row: T,
    pub scope: Arc<ClientScope>,
}

/// How the client's scope is known after a change.
enum After {
    /// As the change loaded it: the change does not alter it.
    Kept(Arc<ClientScope>),
    /// Read anew once the change is in.
    Reread,
    /// Not needed: the answer is not the client's data.
    Unneeded,
}

/// The client whose data a change wrote.
struct Target {
    client_id: String,
    after: After,
}

/// What a change hands back to the write path: its result, and whose data it wrote.
pub struct Written<T> {
    /// The row, or the refusal of a change whose statements still stand ([`Written::refused`]).
    row: AppResult<T>,
    target: Option<Target>,
    /// Groups logged as written besides the right's own.
    also: Vec<FieldGroup>,
    /// Logged in place of the right's own group ([`Written::logged_as`]).
    logged_as: Option<FieldGroup>,
}

impl<T> Written<T> {
    /// `row` was written for `client`, whose scope the change leaves as it was.
    pub fn of(client: &ClientRecord, row: T) -> Self {
        Self::target(
            row,
            client.row.id.clone(),
            After::Kept(client.scope.clone()),
        )
    }

    /// `row` was written for `client`, and the change alters what the caller sees of the
    /// client (its consents, whether it is a TYP client): its scope is read again after
    /// the change (`NOT_FOUND` if the client left the caller's scope by it).
    pub fn rescoping(client: &ClientRecord, row: T) -> Self {
        Self::target(row, client.row.id.clone(), After::Reread)
    }

    /// `row` was written for the client `client_id`, whom the caller sees only through this
    /// row, which the change read within the caller's row scope in its own statement (a
    /// provider's own voucher or job coaching): the answer shows the row, not the client.
    pub fn through_row(client_id: &str, row: T) -> Self {
        let scope = ClientScope {
            client_id: client_id.to_owned(),
            visible: true,
            typ: false,
            consents: Vec::new(),
        };
        Self::target(row, client_id.to_owned(), After::Kept(Arc::new(scope)))
    }

    /// Data of the client `client_id` was written; the answer needs no scope of it.
    pub fn for_client_id(client_id: &str, row: T) -> Self {
        Self::target(row, client_id.to_owned(), After::Unneeded)
    }

    /// No client's data was written.
    pub fn unlogged(row: T) -> Self {
        Written {
            row: Ok(row),
            target: None,
            also: Vec::new(),
            logged_as: None,
        }
    }

    /// The change refuses with `err`, yet what it wrote stands: the savepoint is released,
    /// nothing is logged as written, and the caller gets `err` (a refusal that is itself
    /// recorded, such as a duplicate assessment avoided).
    pub fn refused(err: AppError) -> Self {
        Written {
            row: Err(err),
            target: None,
            also: Vec::new(),
            logged_as: None,
        }
    }

    /// The row written, unless the change refused.
    pub fn row(&self) -> Option<&T> {
        self.row.as_ref().ok()
    }

    /// Also logs `group` as written for the client.
    pub fn also(mut self, group: FieldGroup) -> Self {
        self.also.push(group);
        self
    }

    /// Logs `group` as written in place of the right's own: a change that the right's
    /// group allows but that writes another group's data (a note shared with the case team).
    pub fn logged_as(mut self, group: FieldGroup) -> Self {
        self.logged_as = Some(group);
        self
    }

    fn target(row: T, client_id: String, after: After) -> Self {
        Written {
            row: Ok(row),
            target: Some(Target { client_id, after }),
            also: Vec::new(),
            logged_as: None,
        }
    }
}

/// Runs `change` on the write path (see the module) and answers its row with the scope of
/// the client it wrote; the change must name one ([`Written::of`] or
/// [`Written::rescoping`]).
pub async fn scoped<T>(
    rc: &RequestContext,
    right: impl Into<Right>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Written<T>>,
) -> AppResult<Scoped<T>> {
    let (row, scope) = run(rc, right.into(), change).await?;
    let scope = scope.ok_or_else(|| AppError::internal("a scoped change named no client"))?;
    Ok(Scoped { row, scope })
}

/// Runs `change` on the write path (see the module) where the answer is not a client's
/// data: administration, break-glass, a registration that found the client registered.
pub async fn unscoped<T>(
    rc: &RequestContext,
    right: impl Into<Right>,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Written<T>>,
) -> AppResult<T> {
    Ok(run(rc, right.into(), change).await?.0)
}

async fn run<T>(
    rc: &RequestContext,
    right: Right,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<Written<T>>,
) -> AppResult<(T, Option<Arc<ClientScope>>)> {
    right.check(rc)?;
    let savepoint = rc.db().begin().await?;
    let written = match change(&savepoint).await {
        Ok(written) => {
            savepoint.commit().await?;
            written
        }
        Err(err) => {
            savepoint.rollback().await?;
            return Err(err);
        }
    };
    let row = written.row?;
    let Some(target) = written.target else {
        return Ok((row, None));
    };
    if let Right::Write(group) = right {
        rc.recorder
            .write(&target.client_id, written.logged_as.unwrap_or(group));
    }
    for group in written.also {
        rc.recorder.write(&target.client_id, group);
    }
    let scope = match target.after {
        After::Kept(scope) => Some(scope),
        After::Reread => Some(
            client::find(rc, &target.client_id)
                .await?
                .ok_or(AppError::NotFound)?
                .scope,
        ),
        After::Unneeded => None,
    };
    if let Some(scope) = &scope {
        rc.recorder.admitted(&target.client_id, scope.typ);
    }
    Ok((row, scope))
}

/// An update by key of a row that is gone meanwhile (erased) is `NOT_FOUND`, as reading
/// it would be.
pub fn gone_is_not_found(err: sea_orm::DbErr) -> AppError {
    match err {
        sea_orm::DbErr::RecordNotUpdated => AppError::NotFound,
        err => err.into(),
    }
}
