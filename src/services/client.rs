//! Reading clients within the caller's row scope.

use std::collections::HashMap;
use std::sync::Arc;

use entity::{client, consent, consent_field_group};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr, Order, Query, Value};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};

use super::cursor::{RowCursor, Sealer, Window};
use super::{loads, ClientScope, RequestContext};
use crate::authz::scope::RowScope;
use crate::authz::{FieldGroup, FieldId, ReadAccess};
use crate::domain;
use crate::error::{AppError, AppResult};

/// The most a connection page may hold.
pub const MAX_PAGE: i32 = 100;
const DEFAULT_PAGE: i32 = 20;

/// A client row with what the caller may see of it.
#[derive(Debug, Clone)]
pub struct ClientRecord {
    pub row: client::Model,
    pub scope: Arc<ClientScope>,
}

/// One page of clients, each with its cursor.
pub struct ClientPage {
    pub records: Vec<(RowCursor, ClientRecord)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// The client with `id`, or `None` when it does not exist or is out of the caller's scope
/// (the two are deliberately the same answer).
pub async fn find(rc: &RequestContext, id: &str) -> AppResult<Option<ClientRecord>> {
    Ok(find_all(rc, &[id.to_owned()]).await?.into_iter().next())
}

/// The clients of `ids` that exist and are within the caller's scope, in no particular
/// order, in the statements [`find`] makes for one: a list of rows that each name a client
/// reads its clients at once, not one by one.
pub async fn find_all(rc: &RequestContext, ids: &[String]) -> AppResult<Vec<ClientRecord>> {
    if matches!(rc.scope, RowScope::Nothing) {
        return Err(AppError::Forbidden(None));
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // A temporary client merged into another answers as one that does not exist.
    let select = client::Entity::find()
        .filter(client::Column::Id.is_in(ids.iter().map(String::as_str)))
        .filter(client::Column::MergedInto.is_null())
        .filter(rc.scope.visible_row(CLIENT));
    let (rows, typ) = read_flagged(rc, select).await?;
    scoped(rc, rows, typ).await
}

/// Reads the clients `select` selects with, in the caller's agency scope, whether each is a
/// TYP client of the caller's ([`RowScope::typ_of_row`]): the flag comes with the row, in
/// the same round trip. The TYP clients among the rows, or `None` in a scope without the
/// flag.
async fn read_flagged(
    rc: &RequestContext,
    mut select: sea_orm::Select<client::Entity>,
) -> AppResult<(Vec<client::Model>, Option<HashMap<String, bool>>)> {
    let typ_flag = rc.scope.typ_of_row(CLIENT);
    let flagged = typ_flag.is_some();
    if let Some(typ_flag) = typ_flag {
        let (yes, no) = (
            Expr::Constant(Value::from(1)),
            Expr::Constant(Value::from(0)),
        );
        select = select.expr_as(Expr::case(typ_flag, yes).finally(no), "typ_flag");
    }
    let (mut rows, mut typ) = (Vec::new(), HashMap::new());
    for row in rc.db().query_all(&select.into_query()).await? {
        let model = client::Model::from_query_result(&row, "")?;
        if flagged && row.try_get::<i32>("", "typ_flag")? == 1 {
            typ.insert(model.id.clone(), true);
        }
        rows.push(model);
    }
    Ok((rows, flagged.then_some(typ)))
}

/// The client table as the statements here name its rows.
const CLIENT: &str = "client";

/// Whether the caller's role reads any field group only under a consent.
fn reads_by_consent(rc: &RequestContext) -> bool {
    FieldGroup::ALL
        .iter()
        .any(|g| rc.principal().mask.group(*g) == ReadAccess::Consent)
}

/// Whether [`find_with_records`] serves this caller: on PostgreSQL, in an agency's scope,
/// for a role that reads no field group by consent (the consents would have to be read
/// with the client, before its records).
pub fn views_in_one_statement(rc: &RequestContext) -> bool {
    rc.db().get_database_backend() == sea_orm::DbBackend::Postgres
        && matches!(rc.scope, RowScope::Agency { .. })
        && !reads_by_consent(rc)
}

/// [`find`] of a TYP client of the caller's and the `wanted` kinds of its records in one
/// statement ([`loads::case_view_bundle`]: same TYP flag, the loaders' filters); only
/// where [`views_in_one_statement`]. `None` for any other client, visible or not: the
/// caller asks [`find`], which applies the whole visibility rule.
pub async fn find_with_records(
    rc: &RequestContext,
    id: &str,
    wanted: loads::Wanted,
) -> AppResult<Option<(ClientRecord, loads::Prefetched)>> {
    let Some((client, records)) = loads::case_view_bundle(rc.db(), &rc.scope, id, wanted).await?
    else {
        return Ok(None);
    };
    // The scope's flag is the statement's (same `typ_flag` rule, break-glass included), so
    // the lists, keyed by that flag, are the ones its loaders look for.
    let known = HashMap::from([(client.row.id.clone(), client.typ)]);
    let record = scoped(rc, vec![client.row], Some(known))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("a found client lost its record"))?;
    Ok(Some((record, records)))
}

/// A page of visible clients, optionally searched by name, ordered by name.
///
/// `after` is a cursor of this connection, carrying the last row's sort key: the page is
/// the visible rows after that key, so no row is looked up by an id the caller sent.
pub async fn list(
    rc: &RequestContext,
    search: Option<&str>,
    window: Window<'_>,
) -> AppResult<ClientPage> {
    if matches!(rc.scope, RowScope::Nothing) {
        return Err(AppError::Forbidden(None));
    }
    // Searching and sorting by name are allowed only to callers who may read names.
    let reads_names = [FieldId::ClientFirstName, FieldId::ClientLastName]
        .iter()
        .all(|f| rc.principal().field_access(*f) == ReadAccess::Read);
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let mut terms = Vec::new();
    if let Some(search) = search {
        if !reads_names {
            return Err(AppError::Forbidden(None));
        }
        if search.chars().count() > 100 {
            return Err(AppError::bad_input(
                "search",
                "search is at most 100 characters",
            ));
        }
        terms = search
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>();
    }
    let order = ClientOrder::of(reads_names);
    // A cursor is valid for the caller, the order and the search it was made for.
    let searched = terms.join(" ");
    let binding = [
        rc.principal().official_id.as_str(),
        order.name(),
        searched.as_str(),
    ];
    let key = rc.cursor_key()?;
    let bound = |cursor| key.open(CURSOR_KIND, &binding, order.columns().len(), cursor);
    let after = window.after.map(bound).transpose()?;
    let before = window.before.map(bound).transpose()?;
    let select = page_statement(
        rc.db().get_database_backend(),
        &rc.scope,
        &PageAsked {
            order,
            terms: &terms,
            after,
            before,
            backward: window.backward,
            size: window.size,
        },
    );
    let (rows, typ) = read_flagged(rc, select).await?;
    let (rows, one_more) = window.take(rows);
    let sealer = Sealer::new(key, CURSOR_KIND, &binding);
    let records = scoped(rc, rows, typ)
        .await?
        .into_iter()
        .map(|record| (RowCursor::new(&sealer, &order.key_of(&record.row)), record))
        .collect();
    Ok(ClientPage {
        records,
        has_next_page: window.has_next_page(one_more),
        has_previous_page: window.has_previous_page(one_more),
    })
}

/// What a page of clients is asked for, its cursors opened.
pub struct PageAsked<'a> {
    pub order: ClientOrder,
    /// Lower-case search terms: each is the start of the first or the last name.
    pub terms: &'a [String],
    /// The sort key the page starts after, or ends before.
    pub after: Option<Vec<String>>,
    pub before: Option<Vec<String>>,
    /// The page runs from its end (`last`), in reverse order.
    pub backward: bool,
    /// Rows asked; one more is read, to tell whether there is a next page.
    pub size: u64,
}

/// The statement of a page of clients visible in `scope`, on `backend`. In an agency's
/// scope each row's visibility is read from the row itself ([`RowScope::visible_row`]),
/// so the page is the first rows of the name index (or of a search's matches) that pass,
/// and costs what the page does; a coach's page starts from the coach's placements
/// ([`RowScope::visible_rows_on`]).
pub fn page_statement(
    backend: sea_orm::DbBackend,
    scope: &RowScope,
    asked: &PageAsked,
) -> sea_orm::Select<client::Entity> {
    let order = asked.order;
    let mut select = client::Entity::find()
        .filter(client::Column::MergedInto.is_null())
        .filter(scope.visible_rows_on(backend, CLIENT));
    for term in asked.terms {
        let pattern = format!("{}%", escape_like(term));
        let starts = |c: client::Column| {
            Expr::from(Func::lower(Expr::col((client::Entity, c))))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(starts(client::Column::FirstName))
                .add(starts(client::Column::LastName)),
        );
    }
    let columns = || {
        order
            .columns()
            .iter()
            .map(|&c| Expr::col((client::Entity, c)))
    };
    let tuple = |values: &Vec<String>| Expr::tuple(values.iter().cloned().map(Expr::value));
    if let Some(after) = &asked.after {
        select = select.filter(Expr::tuple(columns()).gt(tuple(after)));
    }
    if let Some(before) = &asked.before {
        select = select.filter(Expr::tuple(columns()).lt(tuple(before)));
    }
    let direction = if asked.backward {
        Order::Desc
    } else {
        Order::Asc
    };
    for &c in order.columns() {
        select = select.order_by(c, direction.clone());
    }
    select.limit(asked.size + 1)
}

/// The connection kind client cursors are sealed for.
const CURSOR_KIND: &str = "clients";

/// How a page of clients is ordered: by name for callers who read names, else by id.
#[derive(Clone, Copy, Debug)]
pub enum ClientOrder {
    Name,
    Id,
}

impl ClientOrder {
    fn of(reads_names: bool) -> ClientOrder {
        if reads_names {
            ClientOrder::Name
        } else {
            ClientOrder::Id
        }
    }

    fn name(self) -> &'static str {
        match self {
            ClientOrder::Name => "name",
            ClientOrder::Id => "id",
        }
    }

    fn columns(self) -> &'static [client::Column] {
        use client::Column as C;
        match self {
            ClientOrder::Name => &[C::LastName, C::FirstName, C::Id],
            ClientOrder::Id => &[C::Id],
        }
    }

    /// The sort key of a row, in [`Self::columns`] order.
    fn key_of(self, row: &client::Model) -> Vec<&str> {
        match self {
            ClientOrder::Name => vec![&row.last_name, &row.first_name, &row.id],
            ClientOrder::Id => vec![&row.id],
        }
    }
}

/// Checks a connection's `first` argument: at most [`MAX_PAGE`], never negative.
pub fn page_size(first: Option<i32>) -> AppResult<i32> {
    page_size_of("first", first)
}

/// The size a connection's `first` or `last` (`argument`) asks for.
pub fn page_size_of(argument: &str, n: Option<i32>) -> AppResult<i32> {
    match n {
        None => Ok(DEFAULT_PAGE),
        Some(n) if n < 0 => Err(AppError::bad_input(
            argument,
            format!("{argument} must not be negative"),
        )),
        Some(n) if n > MAX_PAGE => Err(AppError::LimitExceeded(format!(
            "{argument} may be at most {MAX_PAGE}"
        ))),
        Some(n) => Ok(n),
    }
}

/// Escapes LIKE wildcards so user input matches literally.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// The records of client rows read with the caller's scope: `typ` holds the TYP clients
/// among them as the statement that read them flagged them ([`RowScope::typ_of_row`],
/// break-glass grants included; `None` in a scope without the flag). The consents that
/// name the caller's agency are read in one statement whatever the number of rows.
async fn scoped(
    rc: &RequestContext,
    rows: Vec<client::Model>,
    typ: Option<HashMap<String, bool>>,
) -> AppResult<Vec<ClientRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let db = rc.db();
    let typ = typ.unwrap_or_default();
    let mut consents: HashMap<String, Vec<(FieldGroup, String)>> = HashMap::new();
    if reads_by_consent(rc) {
        let col = |c: consent::Column| Expr::col((consent::Entity, c));
        let group = (
            consent_field_group::Entity,
            consent_field_group::Column::FieldGroup,
        );
        let query = Query::select()
            .column((consent::Entity, consent::Column::Id))
            .column((consent::Entity, consent::Column::ClientId))
            .column(group)
            .from(consent::Entity)
            .inner_join(
                consent_field_group::Entity,
                Expr::col((
                    consent_field_group::Entity,
                    consent_field_group::Column::ConsentId,
                ))
                .equals((consent::Entity, consent::Column::Id)),
            )
            .cond_where(
                Condition::all()
                    .add(col(consent::Column::Kind).eq("DISCLOSURE"))
                    .add(col(consent::Column::ClientId).is_in(ids.clone()))
                    .add(col(consent::Column::RecipientAgency).eq(rc.principal().agency.code()))
                    .add(domain::consent::in_force_condition(rc.today)),
            )
            .order_by((consent::Entity, consent::Column::GivenOn), Order::Asc)
            .order_by((consent::Entity, consent::Column::Id), Order::Asc)
            .to_owned();
        for row in db.query_all(&query).await? {
            let client: String = row.try_get("", "client_id")?;
            let group: String = row.try_get("", "field_group")?;
            let id: String = row.try_get("", "id")?;
            // A consent discloses only a group the caller's role reads under consent
            // (`c`): never one the role may not read at all (KELA and SOCIAL, say).
            if let Some(group) = FieldGroup::from_code(&group)
                .filter(|g| rc.principal().mask.group(*g) == ReadAccess::Consent)
            {
                consents.entry(client).or_default().push((group, id));
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let scope = ClientScope {
                client_id: row.id.clone(),
                visible: true,
                typ: typ.get(&row.id).copied().unwrap_or(false),
                consents: consents.remove(&row.id).unwrap_or_default(),
            };
            ClientRecord {
                row,
                scope: Arc::new(scope),
            }
        })
        .collect())
}
