//! Referrals from one agency to another: sent -> accepted (with the receiving side's due
//! date) or declined -> done (the outcome returned to the sender). Part of the shared case
//! record: group CASE, so the policy's CASE write decides who sends and answers (the
//! responsible officers), the receiving agency answers, and every change is logged.

use chrono::NaiveDate;
use entity::{referral, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, UpdateMany,
};

use super::client::ClientRecord;
use super::write::{self, Scoped, Written};
use super::{case, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::agency_work::ReferralKind;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// One referral row.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Referral {
    pub id: String,
    pub client_id: String,
    pub case_id: String,
    pub from_agency: String,
    pub to_agency: String,
    /// KELA_VOCATIONAL_REHABILITATION or OTHER.
    pub kind: String,
    pub service: String,
    pub reason: String,
    pub status: String,
    pub sent_by: String,
    pub sent_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
    pub outcome: Option<String>,
    pub done_on: Option<NaiveDate>,
}

/// The referral columns a [`Referral`] holds.
fn referrals() -> Select<referral::Entity> {
    use referral::Column as R;
    referral::Entity::find().select_only().columns([
        R::Id,
        R::ClientId,
        R::CaseId,
        R::FromAgency,
        R::ToAgency,
        R::Kind,
        R::Service,
        R::Reason,
        R::Status,
        R::SentBy,
        R::SentOn,
        R::AnsweredOn,
        R::DueOn,
        R::DeclineReason,
        R::Outcome,
        R::DoneOn,
    ])
}

/// Referrals of a client, newest first; `open_only`: those still sent or accepted.
pub async fn of_client(
    conn: &impl ConnectionTrait,
    client_id: &str,
    open_only: bool,
) -> AppResult<Vec<Referral>> {
    Ok(referrals()
        .filter(referral::Column::ClientId.eq(client_id))
        .apply_if(open_only.then_some(()), |q, ()| {
            q.filter(referral::Column::Status.is_in(["SENT", "ACCEPTED"]))
        })
        .order_by_desc(referral::Column::SentOn)
        .order_by_desc(referral::Column::CreatedAt)
        .order_by_asc(referral::Column::Id)
        .into_model::<Referral>()
        .all(conn)
        .await?)
}

/// A referral of a TYP client of the caller's, decided in the statement that reads it;
/// otherwise as missing.
async fn read(conn: &impl ConnectionTrait, rc: &RequestContext, id: &str) -> AppResult<Referral> {
    let client = Expr::col((referral::Entity, referral::Column::ClientId));
    let Some(typ) = rc.scope.typ(client) else {
        return Err(AppError::NotFound);
    };
    referrals()
        .filter(referral::Column::Id.eq(id))
        .filter(typ)
        .into_model::<Referral>()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// [`read`] with its client, which must be within the caller's scope and a TYP client
/// (otherwise as missing).
async fn one(rc: &RequestContext, id: &str) -> AppResult<(Referral, ClientRecord)> {
    let row = read(rc.db(), rc, id).await?;
    let client = case::visible_client(rc, &row.client_id).await?;
    if !client.scope.typ {
        return Err(AppError::NotFound);
    }
    Ok((row, client))
}

fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(AppError::bad_input(field, format!("1 to {max} characters")));
    }
    Ok(v.to_owned())
}

/// What a new referral says.
pub struct NewReferral {
    pub client_id: String,
    pub to_agency: Agency,
    pub kind: ReferralKind,
    pub service: String,
    pub reason: String,
}

/// Sends a referral from the caller's agency, attached to the client's open case.
pub async fn send(rc: &RequestContext, input: NewReferral) -> AppResult<Scoped<Referral>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let from = rc.principal().agency;
        if !matches!(input.to_agency, Agency::Te | Agency::Eksote | Agency::Kela) {
            return Err(AppError::bad_input(
                "toAgency",
                "referrals go to TE, EKSOTE or KELA",
            ));
        }
        if input.to_agency == from {
            return Err(AppError::bad_input(
                "toAgency",
                "a referral goes to another agency",
            ));
        }
        // Kela's vocational rehabilitation (act 566/2005) is Kela's to decide: a referral to
        // it goes to Kela, so that Kela's answer is what the loop records.
        if input.kind == ReferralKind::KelaVocationalRehabilitation
            && input.to_agency != Agency::Kela
        {
            return Err(AppError::bad_input(
                "toAgency",
                "a referral to Kela's vocational rehabilitation goes to KELA",
            ));
        }
        let service = text("service", &input.service, 200)?;
        let reason = text("reason", &input.reason, 2000)?;
        let client = case::visible_client(rc, &input.client_id).await?;
        let open_case = typ_case::Entity::find()
            .select_only()
            .column(typ_case::Column::Id)
            .filter(typ_case::Column::EndedOn.is_null())
            .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
            .into_tuple::<String>()
            .one(sp)
            .await?;
        let case_id = match open_case {
            Some(id) => id,
            None => {
                return Err(AppError::bad_input(
                    "clientId",
                    "the client has no open TYP case to refer from",
                ))
            }
        };
        let id = uuid::Uuid::new_v4().to_string();
        referral::Entity::insert(referral::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            case_id: Set(case_id),
            from_agency: Set(from.code().to_owned()),
            to_agency: Set(input.to_agency.code().to_owned()),
            kind: Set(input.kind.code().to_owned()),
            service: Set(service),
            reason: Set(reason),
            status: Set("SENT".to_owned()),
            sent_by: Set(rc.principal().official_id.clone()),
            sent_on: Set(rc.today),
            created_at: Set(rc.now),
            ..Default::default()
        })
        .exec_without_returning(sp)
        .await?;
        Ok(Written::of(&client, read(sp, rc, &id).await?))
    })
    .await
}

/// The receiving agency's answer: accept with a due date, or decline with a reason.
pub async fn answer(
    rc: &RequestContext,
    id: &str,
    accept: bool,
    due_on: Option<NaiveDate>,
    decline_reason: Option<&str>,
) -> AppResult<Scoped<Referral>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (row, client) = one(rc, id).await?;
        receiving(rc, &row)?;
        if row.status != "SENT" {
            return Err(AppError::Conflict(format!(
                "the referral was already answered ({})",
                row.status
            )));
        }
        let update = referral::Entity::update_many()
            .col_expr(
                referral::Column::AnsweredBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .col_expr(referral::Column::AnsweredOn, Expr::value(rc.today));
        let update = if accept {
            let due = due_on.ok_or_else(|| {
                AppError::bad_input("dueOn", "an accepted referral has a due date")
            })?;
            if due < rc.today {
                return Err(AppError::bad_input("dueOn", "the due date is in the past"));
            }
            if decline_reason.is_some() {
                return Err(AppError::bad_input(
                    "declineReason",
                    "an accepted referral has no decline reason",
                ));
            }
            update
                .col_expr(referral::Column::Status, Expr::value("ACCEPTED"))
                .col_expr(referral::Column::DueOn, Expr::value(due))
        } else {
            let why = text("declineReason", decline_reason.unwrap_or_default(), 2000)?;
            if due_on.is_some() {
                return Err(AppError::bad_input(
                    "dueOn",
                    "a declined referral has no due date",
                ));
            }
            update
                .col_expr(referral::Column::Status, Expr::value("DECLINED"))
                .col_expr(referral::Column::DeclineReason, Expr::value(why))
        };
        // The state in the WHERE: of two concurrent answers, one wins and one is a conflict.
        changed(sp, rc, &row, &client, update, "SENT").await
    })
    .await
}

/// The receiving agency returns the outcome: the referral is done.
pub async fn complete(rc: &RequestContext, id: &str, outcome: &str) -> AppResult<Scoped<Referral>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (row, client) = one(rc, id).await?;
        receiving(rc, &row)?;
        if row.status != "ACCEPTED" {
            return Err(AppError::Conflict(format!(
                "only an accepted referral can be done (it is {})",
                row.status
            )));
        }
        let outcome = text("outcome", outcome, 2000)?;
        let update = referral::Entity::update_many()
            .col_expr(referral::Column::Status, Expr::value("DONE"))
            .col_expr(referral::Column::Outcome, Expr::value(outcome))
            .col_expr(referral::Column::DoneOn, Expr::value(rc.today));
        changed(sp, rc, &row, &client, update, "ACCEPTED").await
    })
    .await
}

/// Only the receiving agency answers and completes a referral.
fn receiving(rc: &RequestContext, row: &Referral) -> AppResult<()> {
    if row.to_agency != rc.principal().agency.code() {
        return Err(AppError::Forbidden(None));
    }
    Ok(())
}

/// Applies `update` to the referral if it is still in the status `from`: `CONFLICT` when
/// another request changed it first.
async fn changed(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    current: &Referral,
    client: &ClientRecord,
    update: UpdateMany<referral::Entity>,
    from: &str,
) -> AppResult<Written<Referral>> {
    let done = update
        .filter(referral::Column::Id.eq(current.id.clone()))
        .filter(referral::Column::Status.eq(from))
        .exec(sp)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::Conflict("the referral changed meanwhile".into()));
    }
    Ok(Written::of(client, read(sp, rc, &current.id).await?))
}
