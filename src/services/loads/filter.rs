//! The loaders' row filter: which rows of a client's records a caller's scope allows, as a
//! sea-query condition on a table (named or aliased), decided in the statement.

use entity::{
    agency_note, benefit_decision, consent, employment_item, job_coaching, ktt_decision,
    labour_policy_statement, network_meeting, pay_subsidy, rehab_period, typ_case,
    work_ability_assessment,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SubQueryStatement};
use sea_orm::{ColumnTrait, EntityName, IdenStatic};

use crate::authz::scope::{constant, RowScope};
use crate::domain::Agency;
use crate::services::context::ScopedClient;

/// Who owns a row of a table, for the own-records rule of clients outside TYP.
pub(super) enum Owner<C> {
    /// The agency in this column recorded the row.
    Column(C),
    /// Every row of the table is this agency's record.
    Agency(Agency),
}

/// A client-keyed table: its columns the filter and the lists use, and whose record a row is.
pub(super) struct Table<C> {
    pub id: C,
    pub client: C,
    pub owner: Owner<C>,
    /// Lists are ordered newest first by this column, then by id.
    pub newest: C,
    /// The provider of a row, which alone scopes a coach (KTT periods).
    pub provider: Option<C>,
}

impl<C: ColumnTrait + IdenStatic> Table<C> {
    pub fn name(&self) -> &'static str {
        C::EntityName::default().table_name()
    }

    /// The list order as SQL text on `alias`, for the bundle's aggregates.
    pub fn order_on(&self, alias: &str) -> String {
        format!(
            "{alias}.{} DESC, {alias}.{}",
            self.newest.as_str(),
            self.id.as_str()
        )
    }
}

/// The client-keyed tables, one a row: `NAME = entity, owner, newest Column` and, for a
/// table a coach sees by provider, `, provider Column`. The owner is `by Column` (the agency
/// in that column recorded the row) or `all Agency` (every row is that agency's record).
macro_rules! tables {
    (@owner $t:ident by $col:ident) => { Owner::Column($t::Column::$col) };
    (@owner $t:ident all $agency:ident) => { Owner::Agency(Agency::$agency) };
    (@provider $t:ident) => { None };
    (@provider $t:ident $col:ident) => { Some($t::Column::$col) };
    ($($name:ident = $t:ident, $how:ident $owner:ident, newest $newest:ident
        $(, provider $provider:ident)?;)+) => {
        $(pub(super) const $name: Table<$t::Column> = Table {
            id: $t::Column::Id,
            client: $t::Column::ClientId,
            owner: tables!(@owner $t $how $owner),
            newest: $t::Column::$newest,
            provider: tables!(@provider $t $($provider)?),
        };)+
    };
}

tables! {
    CASES = typ_case, by ResponsibleAgency, newest OpenedOn;
    CONSENTS = consent, by RecordedByAgency, newest GivenOn;
    PERIODS = rehab_period, all Eksote, newest StartsOn, provider ProviderId;
    ASSESSMENTS = work_ability_assessment, by AssessorAgency, newest AssessedOn;
    BENEFITS = benefit_decision, by Agency, newest DecidedOn;
    STATEMENTS = labour_policy_statement, all Te, newest IssuedOn;
    EMPLOYMENT_ITEMS = employment_item, all Te, newest CreatedAt;
    COACHINGS = job_coaching, by OrderedByAgency, newest StartsOn;
    MEETINGS = network_meeting, all Provider, newest ScheduledAt;
    NOTES = agency_note, by Agency, newest CreatedAt;
    DECISIONS = ktt_decision, all Eksote, newest DecidedOn;
    PAY_SUBSIDIES = pay_subsidy, all Te, newest StartsOn;
}

/// Whose records a filter admits: clients loaded before (their ids bound, with the TYP
/// flags their loading decided), or the one client a case view reads in the same statement
/// (the CTE `b_client` of at most one row, its flag in column `typ`: see
/// [`super::case_view_bundle`]). The latter is matched by `=` on a scalar subquery, so that
/// each table is read through its client index (an `IN` subquery under `OR` is not).
///
/// `Row` decides for each row on its own client: the client's visibility and TYP flag are
/// computed in the statement, by the same rules as [`RowScope`]'s, so one row named by id is
/// read through the loaders' filter without reading its client first.
#[derive(Clone, Copy)]
pub(super) enum Keys<'a> {
    Bound(&'a [ScopedClient]),
    InStatement,
    Row(&'a RowScope),
}

/// `(SELECT column FROM b_client)`, a value of the case view's one client.
fn of_viewed(column: &'static str) -> Expr {
    let select = Query::select().column(column).from("b_client").to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

impl Keys<'_> {
    /// The bound ids of the clients whose TYP flag is `typ` (of all with `None`).
    fn ids(keys: &[ScopedClient], typ: Option<bool>) -> Vec<String> {
        keys.iter()
            .filter(|k| typ.is_none_or(|t| k.typ == t))
            .map(|k| k.client_id.clone())
            .collect()
    }

    /// The row whose client is `client` belongs to one of the clients.
    pub fn any(self, client: Expr) -> Expr {
        match self {
            Keys::Bound(keys) => client.is_in(Keys::ids(keys, None)),
            Keys::InStatement => client.eq(of_viewed("id")),
            Keys::Row(scope) => scope.visible(client),
        }
    }

    /// The row belongs to one of the clients that are TYP clients.
    pub fn typ(self, client: Expr) -> Expr {
        match self {
            Keys::Bound(keys) => client.is_in(Keys::ids(keys, Some(true))),
            Keys::InStatement => client.eq(of_viewed("id")).and(of_viewed("typ")),
            Keys::Row(scope) => scope.typ(client).unwrap_or_else(|| constant(false)),
        }
    }

    /// The row belongs to one of the clients, and that client is a TYP client, or else `own`
    /// (a condition on the row) holds.
    fn typ_or(self, client: Expr, own: Expr) -> Expr {
        match self {
            Keys::Bound(keys) => client
                .clone()
                .is_in(Keys::ids(keys, Some(true)))
                .or(client.is_in(Keys::ids(keys, Some(false))).and(own)),
            Keys::InStatement => client.eq(of_viewed("id")).and(of_viewed("typ").or(own)),
            Keys::Row(scope) => self.typ(client.clone()).or(scope.visible(client).and(own)),
        }
    }
}

/// Which rows of `table` (named `at` in the statement) the caller's scope allows for these
/// clients; `None` when the scope allows none. KTT periods are the county's records; a coach
/// gets only the periods at the coach's provider.
pub(super) fn filter<C: ColumnTrait>(
    scope: &RowScope,
    keys: Keys,
    table: &Table<C>,
    at: &'static str,
) -> Option<Expr> {
    let client = Expr::col((at, table.client));
    match (scope, table.provider) {
        // The provider column of a KTT period: the coach's window on it.
        (RowScope::Coach { .. }, Some(_)) => scope
            .coach_period(at)
            .map(|placed| keys.any(client).and(placed)),
        (RowScope::Agency { agency, .. }, _) => {
            let own = match &table.owner {
                Owner::Column(col) => Expr::col((at, *col)).eq(agency.code()),
                Owner::Agency(a) => constant(a == agency),
            };
            Some(keys.typ_or(client, own))
        }
        // Job coaching: a coach reads the coaching given at its own provider.
        (RowScope::Coach { provider_id, .. }, None)
            if table.name() == job_coaching::Entity.table_name() =>
        {
            Some(
                keys.any(client).and(
                    Expr::col((at, job_coaching::Column::ProviderId)).eq(provider_id.as_str()),
                ),
            )
        }
        // Coaches read only periods (and their attendance); scoped by provider elsewhere.
        (RowScope::Coach { .. } | RowScope::Nothing, _) => None,
    }
}

/// [`filter`], or a condition no row meets when the scope allows none.
pub(super) fn filter_or_none<C: ColumnTrait>(
    scope: &RowScope,
    keys: Keys,
    table: &Table<C>,
    at: &'static str,
) -> Expr {
    filter(scope, keys, table, at).unwrap_or_else(|| constant(false))
}

/// The notes rule of [`super::notes`] on the notes named `at`: the caller agency's own, those
/// shared with the case team of a TYP client, and the county's of a TYP client whose SOCIAL
/// consent the caller holds (in `social`).
pub(super) fn notes_filter(
    agency: Agency,
    keys: Keys,
    social: &[String],
    at: &'static str,
) -> Expr {
    let col = |c: agency_note::Column| Expr::col((at, c));
    let client = || col(agency_note::Column::ClientId);
    let own = keys
        .any(client())
        .and(col(agency_note::Column::Agency).eq(agency.code()));
    let shared = col(agency_note::Column::SharedWithCaseTeam).and(keys.typ(client()));
    // A consent discloses the county's notes of a TYP client only: outside TYP each agency
    // sees only what it recorded itself.
    let consented = col(agency_note::Column::Agency)
        .eq(Agency::Eksote.code())
        .and(keys.typ(client()))
        .and(client().is_in(social.iter().map(String::as_str)));
    own.or(shared).or(consented)
}

/// The condition that the KTT period named `at` is within the caller's scope, as the
/// loaders decide it ([`super::period_in_scope`]), for statements that join periods
/// themselves.
pub fn periods_in_scope(scope: &RowScope, at: &'static str) -> Expr {
    filter_or_none(scope, Keys::Row(scope), &PERIODS, at)
}

/// The condition that the KTT decision named `at` is within the caller's scope, as
/// [`super::ktt_decision_in_scope`] decides it for one, for statements that list many.
pub fn decisions_in_scope(scope: &RowScope, at: &'static str) -> Expr {
    filter_or_none(scope, Keys::Row(scope), &DECISIONS, at)
}
