//! Client-keyed records, many clients in one statement, and single rows by id, both through
//! the loaders' filter ([`super::filter`]).

use std::collections::HashMap;

use entity::{
    agency_note, agreed_action, benefit_decision, consent, consent_field_group, employment_item,
    employment_plan, job_coaching, ktt_decision, labour_policy_statement, network_meeting,
    pay_subsidy, rehab_period, typ_case, work_ability_assessment,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityName, EntityTrait, IdenStatic, QueryFilter,
    QueryOrder,
};

use super::filter::{self, notes_filter, Keys, Table};
use super::{by_client, ScopedClient};
use crate::authz::scope::RowScope;

/// Loads the rows of a client-keyed table for every key, newest first.
async fn client_rows<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
    table: &Table<E::Column>,
) -> Result<Vec<E::Model>, DbErr>
where
    E::Column: IdenStatic,
{
    let at = E::default().table_name();
    let Some(allowed) = filter::filter(scope, Keys::Bound(keys), table, at) else {
        return Ok(Vec::new());
    };
    E::find()
        .filter(allowed)
        .order_by_desc(table.newest)
        .order_by_asc(table.id)
        .all(conn)
        .await
}

macro_rules! client_loader {
    ($(#[$doc:meta])* $name:ident, $entity:ident, $table:ident) => {
        $(#[$doc])*
        pub async fn $name(
            conn: &impl ConnectionTrait,
            scope: &RowScope,
            keys: &[ScopedClient],
        ) -> Result<HashMap<ScopedClient, Vec<$entity::Model>>, DbErr> {
            let rows =
                client_rows::<$entity::Entity>(conn, scope, keys, &filter::$table).await?;
            Ok(by_client(keys, rows, |r| r.client_id.as_str()))
        }
    };
}

client_loader!(
    /// TYP cases; a case is the responsible agency's record.
    cases, typ_case, CASES
);
client_loader!(
    /// Work-ability assessments.
    assessments, work_ability_assessment, ASSESSMENTS
);
client_loader!(
    /// Benefit decisions.
    benefits, benefit_decision, BENEFITS
);
client_loader!(
    /// Labour-policy statements (the employment authority's records).
    statements, labour_policy_statement, STATEMENTS
);
client_loader!(
    /// The employment authority's plan items and obligations.
    employment_items, employment_item, EMPLOYMENT_ITEMS
);
client_loader!(
    /// Job coaching.
    coachings, job_coaching, COACHINGS
);
client_loader!(
    /// Network meetings (shared records of TYP clients only).
    meetings, network_meeting, MEETINGS
);
client_loader!(
    /// KTT periods: the county's records; a coach gets only its provider's periods.
    periods, rehab_period, PERIODS
);

/// A consent with the field groups it covers.
#[derive(Debug, Clone)]
pub struct ConsentRecord {
    pub row: consent::Model,
    pub groups: Vec<String>,
}

/// Consents (with their groups), own-agency ones only outside TYP.
pub async fn consents(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
) -> Result<HashMap<ScopedClient, Vec<ConsentRecord>>, DbErr> {
    let rows = client_rows::<consent::Entity>(conn, scope, keys, &filter::CONSENTS).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        use consent_field_group::Column;
        let found = consent_field_group::Entity::find()
            .filter(Column::ConsentId.is_in(ids))
            .order_by_asc(Column::ConsentId)
            .order_by_asc(Column::FieldGroup)
            .all(conn)
            .await?;
        for row in found {
            groups
                .entry(row.consent_id)
                .or_default()
                .push(row.field_group);
        }
    }
    Ok(consent_records(keys, rows, groups))
}

pub(super) fn consent_records(
    keys: &[ScopedClient],
    rows: Vec<consent::Model>,
    mut groups: HashMap<String, Vec<String>>,
) -> HashMap<ScopedClient, Vec<ConsentRecord>> {
    let records = rows
        .into_iter()
        .map(|row| {
            let groups = groups.remove(&row.id).unwrap_or_default();
            ConsentRecord { row, groups }
        })
        .collect();
    by_client(keys, records, |r| r.row.client_id.as_str())
}

/// Agency notes: the caller agency's own, and those shared with the case team of a TYP
/// client. Unshared notes of the county are disclosed (SOCIAL) only to the keys in
/// `social_consent`, whose consent the caller holds.
pub async fn notes(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
    social_consent: &[String],
) -> Result<HashMap<ScopedClient, Vec<agency_note::Model>>, DbErr> {
    let RowScope::Agency { agency, .. } = scope else {
        return Ok(HashMap::new());
    };
    let at = agency_note::Entity.table_name();
    let rows = agency_note::Entity::find()
        .filter(notes_filter(*agency, Keys::Bound(keys), social_consent, at))
        .order_by_desc(filter::NOTES.newest)
        .order_by_asc(filter::NOTES.id)
        .all(conn)
        .await?;
    Ok(by_client(keys, rows, |r| r.client_id.as_str()))
}

/// The row `id` of a client-keyed table if the caller's scope lets the loaders list it:
/// the loaders' own filter, decided in the statement that reads the row. Out of scope and
/// missing are the same `None`, and no field of a row outside the scope is read.
async fn row_in_scope<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    table: &Table<E::Column>,
    id: &str,
) -> Result<Option<E::Model>, DbErr> {
    let at = E::default().table_name();
    let Some(allowed) = filter::filter(scope, Keys::Row(scope), table, at) else {
        return Ok(None);
    };
    E::find()
        .filter(table.id.eq(id))
        .filter(allowed)
        .one(conn)
        .await
}

/// A KTT period by id, within the caller's scope ([`row_in_scope`]).
pub async fn period_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<rehab_period::Model>, DbErr> {
    row_in_scope::<rehab_period::Entity>(conn, scope, &filter::PERIODS, id).await
}

/// KTT decisions of clients: the county's records, like the periods they decide; a coach
/// reads none (a decision carries the hearing and the reasons, beyond the placement).
pub async fn ktt_decisions(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
) -> Result<HashMap<ScopedClient, Vec<ktt_decision::Model>>, DbErr> {
    let rows = client_rows::<ktt_decision::Entity>(conn, scope, keys, &filter::DECISIONS).await?;
    Ok(by_client(keys, rows, |r| r.client_id.as_str()))
}

/// KTT decisions of periods, within the caller's scope (none for a coach), newest first.
pub async fn ktt_decisions_of_periods(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    period_ids: &[String],
) -> Result<Vec<ktt_decision::Model>, DbErr> {
    let at = ktt_decision::Entity.table_name();
    let Some(allowed) = filter::filter(scope, Keys::Row(scope), &filter::DECISIONS, at) else {
        return Ok(Vec::new());
    };
    ktt_decision::Entity::find()
        .filter(ktt_decision::Column::PeriodId.is_in(period_ids.iter().map(String::as_str)))
        .filter(allowed)
        .order_by_desc(ktt_decision::Column::DecidedOn)
        .order_by_desc(ktt_decision::Column::CreatedAt)
        .order_by_asc(ktt_decision::Column::Id)
        .all(conn)
        .await
}

/// A KTT decision by id, within the caller's scope ([`row_in_scope`]).
pub async fn ktt_decision_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<ktt_decision::Model>, DbErr> {
    row_in_scope::<ktt_decision::Entity>(conn, scope, &filter::DECISIONS, id).await
}

/// An employment authority's plan item by id, within the caller's scope ([`row_in_scope`]).
pub async fn employment_item_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<employment_item::Model>, DbErr> {
    row_in_scope::<employment_item::Entity>(conn, scope, &filter::EMPLOYMENT_ITEMS, id).await
}

/// A benefit decision by id, within the caller's scope ([`row_in_scope`]).
pub async fn benefit_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<benefit_decision::Model>, DbErr> {
    row_in_scope::<benefit_decision::Entity>(conn, scope, &filter::BENEFITS, id).await
}

/// A consent by id, within the caller's scope ([`row_in_scope`]).
pub async fn consent_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<consent::Model>, DbErr> {
    row_in_scope::<consent::Entity>(conn, scope, &filter::CONSENTS, id).await
}

/// A TYP case by id, within the caller's scope ([`row_in_scope`]).
pub async fn case_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<typ_case::Model>, DbErr> {
    row_in_scope::<typ_case::Entity>(conn, scope, &filter::CASES, id).await
}

/// A row of a table kept under cases by id (its `id` and `case_id` columns), if its case is
/// within the caller's scope ([`row_in_scope`] of the case).
async fn under_case_in_scope<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    (id_column, case_column): (E::Column, E::Column),
    id: &str,
) -> Result<Option<E::Model>, DbErr> {
    let cases = typ_case::Entity.table_name();
    let Some(allowed) = filter::filter(scope, Keys::Row(scope), &filter::CASES, cases) else {
        return Ok(None);
    };
    let in_scope = Query::select()
        .column((cases, typ_case::Column::Id))
        .from(typ_case::Entity)
        .and_where(allowed)
        .to_owned();
    E::find()
        .filter(id_column.eq(id))
        .filter(case_column.in_subquery(in_scope))
        .one(conn)
        .await
}

/// An employment plan by id, if its case is within the caller's scope.
pub async fn plan_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<employment_plan::Model>, DbErr> {
    use employment_plan::Column;
    under_case_in_scope::<employment_plan::Entity>(conn, scope, (Column::Id, Column::CaseId), id)
        .await
}

/// An agreed action by id, if its case is within the caller's scope.
pub async fn action_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<agreed_action::Model>, DbErr> {
    use agreed_action::Column;
    under_case_in_scope::<agreed_action::Entity>(conn, scope, (Column::Id, Column::CaseId), id)
        .await
}

client_loader!(
    /// Pay-subsidised employment (the employment authority's records).
    pay_subsidies, pay_subsidy, PAY_SUBSIDIES
);

/// A pay-subsidised employment by id, within the caller's scope ([`row_in_scope`]).
pub async fn pay_subsidy_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<pay_subsidy::Model>, DbErr> {
    row_in_scope::<pay_subsidy::Entity>(conn, scope, &filter::PAY_SUBSIDIES, id).await
}

/// A job coaching by id, within the caller's scope ([`row_in_scope`]).
pub async fn job_coaching_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<job_coaching::Model>, DbErr> {
    row_in_scope::<job_coaching::Entity>(conn, scope, &filter::COACHINGS, id).await
}
