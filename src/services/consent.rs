//! Consents: the client's disclosures to a named agency, and the withdrawal of a consent
//! (of a disclosure, or of the agreement to multi-agency work a TYP case rests on).

use chrono::NaiveDate;
use entity::{consent, consent_field_group, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder,
};

use super::case::{not_future, visible_client};
use super::write::{self, Scoped, Written};
use super::{loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

pub struct NewConsent {
    pub client_id: String,
    pub recipient_agency: Agency,
    pub field_groups: Vec<FieldGroup>,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Records a disclosure consent: the client allows `field_groups` to be disclosed to
/// `recipient_agency` from `given_on` (to `valid_until`).
pub async fn record_consent(
    rc: &RequestContext,
    input: NewConsent,
) -> AppResult<Scoped<loads::ConsentRecord>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let client = visible_client(rc, &input.client_id).await?;
        let given_on = not_future(rc, "givenOn", input.given_on)?;
        if input.valid_until.is_some_and(|u| u < given_on) {
            return Err(AppError::bad_input(
                "validUntil",
                "validUntil is before givenOn",
            ));
        }
        let mut groups = input.field_groups.clone();
        groups.sort();
        groups.dedup();
        if groups.is_empty() {
            return Err(AppError::bad_input(
                "fieldGroups",
                "name at least one field group",
            ));
        }
        if groups.contains(&FieldGroup::Audit) {
            return Err(AppError::bad_input(
                "fieldGroups",
                "the access log is not disclosed by consent",
            ));
        }
        // Recognised competence is read by the agencies in their own right (TYP law's
        // "education, work history and competence"), never under a consent.
        if groups.contains(&FieldGroup::Competence) {
            return Err(AppError::bad_input(
                "fieldGroups",
                "recognised competence is not disclosed by consent",
            ));
        }
        let row = write_consent(sp, rc, &client.row.id, &input, given_on, &groups).await?;
        Ok(Written::rescoping(&client, consent_record(sp, row).await?))
    })
    .await
}

async fn write_consent(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    client_id: &str,
    input: &NewConsent,
    given_on: NaiveDate,
    groups: &[FieldGroup],
) -> AppResult<consent::Model> {
    let id = uuid::Uuid::new_v4().to_string();
    let row = consent::ActiveModel {
        id: Set(id.clone()),
        client_id: Set(client_id.to_owned()),
        kind: Set("DISCLOSURE".to_owned()),
        recipient_agency: Set(Some(input.recipient_agency.code().to_owned())),
        given_on: Set(given_on),
        valid_until: Set(input.valid_until),
        withdrawn_on: Set(None),
        recorded_by: Set(rc.principal().official_id.clone()),
        recorded_by_agency: Set(rc.principal().agency.code().to_owned()),
        created_at: Set(rc.now),
    }
    .insert(sp)
    .await?;
    consent_field_group::Entity::insert_many(groups.iter().map(|g| {
        consent_field_group::ActiveModel {
            consent_id: Set(id.clone()),
            field_group: Set(g.code().to_owned()),
        }
    }))
    .exec_without_returning(sp)
    .await?;
    Ok(row)
}

/// A consent with its groups, for answering a mutation.
pub async fn consent_record(
    conn: &impl ConnectionTrait,
    row: consent::Model,
) -> AppResult<loads::ConsentRecord> {
    let groups = consent_field_group::Entity::find()
        .filter(consent_field_group::Column::ConsentId.eq(row.id.clone()))
        .order_by_asc(consent_field_group::Column::FieldGroup)
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.field_group)
        .collect();
    Ok(loads::ConsentRecord { row, groups })
}

/// Withdraws a consent from today; it stops disclosing on the next read. History is kept.
pub async fn withdraw_consent(
    rc: &RequestContext,
    consent_id: &str,
) -> AppResult<Scoped<loads::ConsentRecord>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let row = loads::consent_in_scope(sp, &rc.scope, consent_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = visible_client(rc, &row.client_id).await?;
        let row = mark_withdrawn(sp, row, rc.today).await?;
        Ok(Written::rescoping(&client, consent_record(sp, row).await?))
    })
    .await
}

/// The withdrawal itself, for the case team's `withdrawConsent` and the client's own
/// `withdrawMyConsent` alike: from `today`, or from the day the consent was given if that
/// is later (it never took effect; the table requires `withdrawn_on >= given_on`).
/// `CONFLICT` if it is withdrawn already, also when another request withdrew it first.
pub(crate) async fn mark_withdrawn(
    conn: &impl ConnectionTrait,
    row: consent::Model,
    today: NaiveDate,
) -> AppResult<consent::Model> {
    let conflict = || AppError::Conflict("the consent was already withdrawn".into());
    if row.withdrawn_on.is_some() {
        return Err(conflict());
    }
    let on = today.max(row.given_on);
    let done = consent::Entity::update_many()
        .col_expr(consent::Column::WithdrawnOn, Expr::value(on))
        .filter(consent::Column::Id.eq(row.id.clone()))
        .filter(consent::Column::ClientId.eq(row.client_id.clone()))
        .filter(consent::Column::WithdrawnOn.is_null())
        .exec(conn)
        .await?;
    if done.rows_affected == 0 {
        return Err(conflict());
    }
    if row.kind == "MULTI_AGENCY_SERVICE" {
        end_sharing(conn, &row, on).await?;
    }
    consent::Entity::find_by_id(row.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The client withdrew the agreement to multi-agency work (`agreement`): the multi-agency
/// work ends, and with it the sharing of everything it built up to now. Every case of the
/// client (the open one and the closed ones still within retention) stops making the
/// client a TYP client at once (see [`crate::authz::scope::typ_client`]), and each shows
/// the day of the withdrawal to its responsible agency, whose record the case stays. A case
/// opened later, on a new agreement, shares afresh.
async fn end_sharing(
    conn: &impl ConnectionTrait,
    agreement: &consent::Model,
    on: NaiveDate,
) -> AppResult<()> {
    typ_case::Entity::update_many()
        .col_expr(typ_case::Column::AgreementWithdrawnOn, Expr::value(on))
        .filter(typ_case::Column::ClientId.eq(agreement.client_id.clone()))
        .filter(typ_case::Column::AgreementWithdrawnOn.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
