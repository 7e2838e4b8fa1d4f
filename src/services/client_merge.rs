//! Merging a temporary identity into the permanent client: a person first registered with a
//! temporary personal identity code (individual number 900–999) gets the permanent code
//! from the population register, and the two clients become one.
//!
//! Every record of the temporary client moves to the permanent one ([`MOVED`]); the
//! append-only, sealed logs and grants stay as they were ([`KEPT`]) and are read under the
//! permanent client through `client_merge`; derived summaries are rebuilt ([`DERIVED`]).
//! The temporary client stays as a tombstone naming the permanent one: reads of it answer
//! `null`, like a client that does not exist.

use entity::{client, client_merge, typ_case};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect,
};

use super::case::visible_client;
use super::client::ClientRecord;
use super::input;
use super::write::{self, Scoped, Written};
use super::RequestContext;
use crate::authz::FieldGroup;
use crate::error::{AppError, AppResult};

/// The tables whose rows are the client's records: moved to the permanent client.
pub const MOVED: &[&str] = &[
    "typ_case",
    "consent",
    "network_meeting",
    "rehab_period",
    "job_coaching",
    "job_coaching_hours",
    "service_voucher",
    "work_ability_assessment",
    "benefit_decision",
    "labour_policy_statement",
    "employment_item",
    "competence_record",
    "agency_note",
    "assessment_reuse",
    "referral",
    "ktt_decision",
    "ktt_start_notice",
    "benefit_status",
    "pay_subsidy",
];

/// The tables kept as they were: the access, disclosure and own logs are append-only and
/// sealed (act 906/2019 § 17), break-glass grants are sealed, erasures are records of
/// themselves. Their rows of the temporary client are read under the permanent one.
pub const KEPT: &[&str] = &[
    "access_log",
    "access_log_client",
    "disclosure_log",
    "client_access_log",
    "break_glass",
    "retention_erasure",
];

/// Summaries derived from the moved records: rebuilt for both clients.
pub const DERIVED: &[&str] = &["ktt_month", "ktt_client_month"];

/// Input of a merge.
pub struct Merge {
    pub temporary_client_id: String,
    pub permanent_client_id: String,
    pub reason: String,
}

/// Merges the temporary client into the permanent one (see the module). Only the roles that
/// write TYP clienthood (CASE: the responsible officer) may, and only for clients both in
/// their scope; the merge is a WRITE of both clients in the access log and a row of
/// `client_merge`. Refused: a client into itself, a client whose code is not temporary, into
/// a client whose code is temporary (`BAD_USER_INPUT`), and two clients with an open TYP case
/// each (`CONFLICT`: close one first).
pub async fn merge(rc: &RequestContext, input: Merge) -> AppResult<Scoped<(client::Model, i64)>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let reason = input::required_text("reason", &input.reason, 2000)?;
        if reason.chars().count() < 10 {
            return Err(AppError::bad_input(
                "reason",
                "say why in at least 10 characters",
            ));
        }
        if input.temporary_client_id == input.permanent_client_id {
            return Err(AppError::bad_input(
                "permanentClientId",
                "a client is not merged into itself",
            ));
        }
        let temporary = visible_client(rc, &input.temporary_client_id).await?;
        let permanent = visible_client(rc, &input.permanent_client_id).await?;
        if !temporary.row.temporary_identity {
            return Err(AppError::bad_input(
                "temporaryClientId",
                "the client was not registered with a temporary identity code",
            ));
        }
        if permanent.row.temporary_identity {
            return Err(AppError::bad_input(
                "permanentClientId",
                "merge into the client registered with the permanent identity code",
            ));
        }
        let (from, into) = (temporary.row.id.as_str(), permanent.row.id.as_str());
        let open = typ_case::Entity::find()
            .filter(typ_case::Column::ClientId.is_in([from, into]))
            .filter(typ_case::Column::EndedOn.is_null())
            .count(sp)
            .await?;
        if open > 1 {
            return Err(AppError::Conflict(
                "both clients have an open TYP case: close one before merging".into(),
            ));
        }
        let mut moved: i64 = 0;
        for table in MOVED {
            let update = Query::update()
                .table(Alias::new(*table))
                .value(Alias::new("client_id"), into)
                .and_where(Expr::col(Alias::new("client_id")).eq(from))
                .to_owned();
            moved += i64::try_from(sp.execute(&update).await?.rows_affected()).unwrap_or(0);
        }
        for client in [from, into] {
            crate::store::ktt_month::rebuild(sp, Some(client)).await?;
        }
        client::Entity::update_many()
            .col_expr(client::Column::MergedInto, Expr::val(into))
            .col_expr(
                client::Column::Version,
                Expr::col(client::Column::Version).add(1),
            )
            .col_expr(client::Column::UpdatedAt, Expr::val(rc.now))
            .filter(client::Column::Id.eq(from))
            .exec(sp)
            .await?;
        client_merge::ActiveModel {
            from_client_id: Set(from.to_owned()),
            into_client_id: Set(into.to_owned()),
            merged_by: Set(rc.principal().official_id.clone()),
            merged_by_agency: Set(rc.principal().agency.code().to_owned()),
            merged_at: Set(rc.now),
            reason: Set(reason),
            rows_moved: Set(moved),
        }
        .insert(sp)
        .await?;
        // The temporary client's identity was written too (it now names the permanent one).
        rc.recorder.write(from, FieldGroup::Identity);
        rc.recorder.write(from, FieldGroup::Case);
        rc.recorder.admitted(from, temporary.scope.typ);
        let answer = (permanent.row.clone(), moved);
        Ok(Written::rescoping(&permanent, answer).also(FieldGroup::Identity))
    })
    .await
}

/// The client ids whose log rows are read as `client_id`'s: the client itself and the
/// temporary clients merged into it.
pub async fn log_ids(conn: &impl ConnectionTrait, client_id: &str) -> Result<Vec<String>, DbErr> {
    let mut ids: Vec<String> = client_merge::Entity::find()
        .select_only()
        .column(client_merge::Column::FromClientId)
        .filter(client_merge::Column::IntoClientId.eq(client_id))
        .into_tuple::<String>()
        .all(conn)
        .await?;
    ids.push(client_id.to_owned());
    Ok(ids)
}

/// The permanent client a merged temporary one names, for a lookup by code.
pub fn redirect(row: &client::Model) -> Option<&str> {
    row.merged_into.as_deref()
}

/// The merged record for `ClientRecord` answers.
pub fn record(scoped: Scoped<(client::Model, i64)>) -> (ClientRecord, i64) {
    let (row, moved) = scoped.row;
    (
        ClientRecord {
            row,
            scope: scoped.scope,
        },
        moved,
    )
}
