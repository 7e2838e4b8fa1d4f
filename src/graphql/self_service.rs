//! The client schema: what a client signed in with a `CLIENT` token can ask. It is a schema
//! of its own, not a part of the officials' schema hidden from view: a client's request is
//! executed against this one, which has no field that takes another client's id, so no query
//! a client can write reaches anyone else's data. Every root field goes through the policy
//! (`OWN/case`, `OWN/log`, `OWN/consents`) and every read is logged.

use async_graphql::{Context, EmptySubscription, Object, Result, Schema, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::engine::scalars::Date;
use super::types::access_log::ProcessingBasis;
use crate::audit::Action;
use crate::authz::{FieldGroup, Managed};
use crate::error::AppError;
use crate::services::self_service;
use crate::services::RequestContext;

pub type ClientSchema = Schema<OwnQuery, OwnMutation, EmptySubscription>;

/// Builds the client schema, with the same limits as the officials' schema.
pub fn build_client_schema(introspection: bool) -> ClientSchema {
    let builder = Schema::build(OwnQuery, OwnMutation, EmptySubscription)
        .extension(super::engine::nulls::SpecNullsFactory)
        .limit_complexity(super::MAX_COMPLEXITY)
        .limit_recursive_depth(super::MAX_RECURSIVE_DEPTH);
    if introspection {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}

/// The client schema's SDL, as checked in at `schema/roles/CLIENT.graphql`.
pub fn client_sdl() -> String {
    build_client_schema(true).sdl()
}

/// The request's context, a client's (an official's request never runs this schema).
fn context<'a>(ctx: &'a Context<'_>) -> Result<&'a RequestContext, AppError> {
    let rc = ctx
        .data::<RequestContext>()
        .map_err(|_| AppError::internal("client request without context"))?;
    self_service::me(rc)?;
    Ok(rc)
}

pub struct OwnQuery;

/// What a client can read: their own case and who has processed their data.
#[Object(name = "Query")]
impl OwnQuery {
    /// Your own TYP case: plan, agreed actions, rehabilitative work activity periods, attendance,
    /// allowances, upcoming meetings and consents.
    async fn my_case(&self, ctx: &Context<'_>) -> Result<MyCase> {
        let rc = context(ctx)?;
        let me = self_service::require(rc, Managed::OwnCase, false, "myCase")?;
        self_service::touch(rc, Action::Read, FieldGroup::Contact);
        Ok(MyCase {
            first_name: me.first_name.clone(),
            last_name: me.last_name.clone(),
        })
    }

    /// Names of codes (agencies, phases, kinds) in Finnish, Swedish or English (the
    /// argument, else the request's Accept-Language, else Finnish).
    async fn labels(
        &self,
        ctx: &Context<'_>,
        language: Option<crate::labels::Language>,
        kinds: Option<Vec<String>>,
    ) -> Result<super::types::labels::LabelSet> {
        Ok(super::types::labels::label_set(ctx, language, kinds)?)
    }

    /// Who has read or changed your data, when, which data and why, newest first: the
    /// last two years (act 703/2023 § 11).
    async fn my_access_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<MyAccessLog> {
        let rc = context(ctx)?;
        self_service::require(rc, Managed::OwnLog, false, "myAccessLog")?;
        let (rows, has_next_page) = self_service::access_log(rc, first, after.as_deref()).await?;
        self_service::touch(rc, Action::Read, FieldGroup::Audit);
        let end_cursor = rows.last().map(|r| r.cursor.seal()).transpose()?;
        Ok(MyAccessLog {
            entries: rows
                .into_iter()
                .map(|r| MyAccessEntry {
                    at: r.at,
                    agency: r.agency,
                    roles: split(&r.roles),
                    official: r.official_name,
                    action: r.action,
                    data_groups: split(&r.field_groups),
                    purpose: r.operation,
                    basis: ProcessingBasis::of(r.basis.as_deref(), r.urgent),
                    urgent: r.urgent,
                    disclosures: r.disclosures.into_iter().map(MyDisclosure::from).collect(),
                })
                .collect(),
            has_next_page,
            end_cursor,
        })
    }
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Default)]
pub struct OwnMutation;

/// What a client can change: withdraw a consent they gave.
#[Object(name = "Mutation")]
impl OwnMutation {
    /// Withdraws one of your consents from today. Agencies that read data under it stop
    /// seeing that data at once; the history is kept.
    async fn withdraw_my_consent(&self, ctx: &Context<'_>, consent_id: ID) -> Result<MyConsent> {
        let rc = context(ctx)?;
        self_service::require(rc, Managed::OwnConsents, true, "withdrawMyConsent")?;
        let (row, groups) = self_service::withdraw_consent(rc, &consent_id).await?;
        Ok(MyConsent::new(row, groups, rc.today))
    }
}

/// Your case, in plain terms.
pub struct MyCase {
    first_name: String,
    last_name: String,
}

#[Object]
impl MyCase {
    async fn first_name(&self) -> &str {
        &self.first_name
    }

    async fn last_name(&self) -> &str {
        &self.last_name
    }

    /// Your TYP client relationship: the open one, else the latest.
    async fn typ_case(&self, ctx: &Context<'_>) -> Result<Option<MyTypCase>> {
        let rc = context(ctx)?;
        let Some((case, officer)) = self_service::case(rc).await? else {
            return Ok(None);
        };
        self_service::touch(rc, Action::Read, FieldGroup::Case);
        Ok(Some(MyTypCase {
            id: case.id,
            phase: case.phase,
            opened_on: case.opened_on.into(),
            ended_on: case.ended_on.map(Date),
            responsible_agency: case.responsible_agency,
            responsible_officer: officer,
        }))
    }

    /// Your rehabilitative work activity periods (kuntouttava työtoiminta, "KTT"; in
    /// Swedish arbetsverksamhet i rehabiliteringssyfte), newest first. (A work try-out,
    /// työkokeilu, is another service of the employment authority and is not listed here.)
    async fn rehab_periods(&self, ctx: &Context<'_>) -> Result<Vec<MyRehabPeriod>> {
        let rc = context(ctx)?;
        let rows = self_service::periods(rc).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Rehab);
        }
        Ok(rows
            .into_iter()
            .map(|p| MyRehabPeriod {
                id: p.row.id,
                place: p.placement,
                starts_on: p.row.starts_on.into(),
                ends_on: p.row.ends_on.into(),
                ended_early_on: p.row.ended_early_on.map(Date),
                days_per_week: p.row.days_per_week,
                hours_per_day: p.row.hours_per_day,
                goal: p.row.goal,
            })
            .collect())
    }

    /// Competence recognised from your rehabilitative work activity (opinnollistaminen),
    /// newest certificate first. Each says what you showed, against which qualification,
    /// and which education provider certified it.
    async fn competence(&self, ctx: &Context<'_>) -> Result<Vec<MyCompetence>> {
        let rc = context(ctx)?;
        let rows = self_service::competence(rc).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Competence);
        }
        Ok(rows
            .into_iter()
            .map(|c| MyCompetence {
                qualification: c.qualification,
                qualification_unit: c.qualification_unit,
                competence_areas: c.competence_areas,
                education_provider: c.education_provider,
                certified_on: c.certified_on.into(),
            })
            .collect())
    }

    /// Allowances for your days of rehabilitative work activity, newest month first.
    async fn allowances(&self, ctx: &Context<'_>) -> Result<Vec<MyAllowance>> {
        let rc = context(ctx)?;
        let rows = self_service::allowances(rc).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Allowance);
        }
        Ok(rows
            .into_iter()
            .map(|l| MyAllowance {
                month: l.month,
                kind: l.kind,
                paid_by: l.payer,
                fund_name: l.fund_name,
                days: l.days,
                amount_cents: l.amount_cents,
            })
            .collect())
    }

    /// Network meetings still to come, soonest first.
    async fn upcoming_meetings(&self, ctx: &Context<'_>) -> Result<Vec<MyMeeting>> {
        let rc = context(ctx)?;
        let rows = self_service::upcoming_meetings(rc).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Case);
        }
        Ok(rows
            .into_iter()
            .map(|(m, agencies)| MyMeeting {
                scheduled_at: m.scheduled_at,
                location: m.location,
                agencies,
            })
            .collect())
    }

    /// The consents you have given, newest first; withdraw one with `withdrawMyConsent`.
    async fn consents(&self, ctx: &Context<'_>) -> Result<Vec<MyConsent>> {
        let rc = context(ctx)?;
        self_service::require(rc, Managed::OwnConsents, false, "myCase")?;
        let rows = self_service::consents(rc).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Case);
        }
        Ok(rows
            .into_iter()
            .map(|(row, groups)| MyConsent::new(row, groups, rc.today))
            .collect())
    }
}

/// Your TYP client relationship.
pub struct MyTypCase {
    id: String,
    phase: String,
    opened_on: Date,
    ended_on: Option<Date>,
    responsible_agency: String,
    responsible_officer: Option<String>,
}

#[Object]
impl MyTypCase {
    /// MAPPING, PLANNING, IMPLEMENTATION or CLOSED.
    async fn phase(&self) -> &str {
        &self.phase
    }
    async fn opened_on(&self) -> Date {
        self.opened_on
    }
    async fn ended_on(&self) -> Option<Date> {
        self.ended_on
    }
    /// The agency of your responsible officer.
    async fn responsible_agency(&self) -> &str {
        &self.responsible_agency
    }
    /// Your responsible officer's name.
    async fn responsible_officer(&self) -> Option<&str> {
        self.responsible_officer.as_deref()
    }

    /// Your plan: its goals and what was agreed, by due date.
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<MyPlan>> {
        let rc = context(ctx)?;
        let Some((plan, actions)) = self_service::plan(rc, &self.id).await? else {
            return Ok(None);
        };
        self_service::touch(rc, Action::Read, FieldGroup::Case);
        Ok(Some(MyPlan {
            made_on: plan.made_on.into(),
            goals: plan.goals,
            review_on: plan.review_on.into(),
            agreed_actions: actions
                .into_iter()
                .map(|a| MyAgreedAction {
                    what: a.description,
                    who: a.owner_agency,
                    due_on: a.due_on.into(),
                    done_on: a.completed_on.map(Date),
                })
                .collect(),
        }))
    }
}

/// Your plan.
#[derive(SimpleObject)]
pub struct MyPlan {
    made_on: Date,
    goals: String,
    /// When the plan will be looked at again with you.
    review_on: Date,
    agreed_actions: Vec<MyAgreedAction>,
}

/// Competence recognised from your rehabilitative work activity (opinnollistaminen)
#[derive(SimpleObject)]
pub struct MyCompetence {
    /// The qualification (tutkinto).
    qualification: String,
    /// The unit of the qualification (tutkinnon osa), when only part of it.
    qualification_unit: Option<String>,
    /// What you showed.
    competence_areas: String,
    /// The education provider that certified it.
    education_provider: String,
    /// Date of the certificate.
    certified_on: Date,
}

/// Something agreed in your plan.
#[derive(SimpleObject)]
pub struct MyAgreedAction {
    what: String,
    /// The agency that takes care of it.
    who: String,
    due_on: Date,
    done_on: Option<Date>,
}

/// A period of rehabilitative work activity (kuntouttava työtoiminta).
pub struct MyRehabPeriod {
    id: String,
    place: String,
    starts_on: Date,
    ends_on: Date,
    ended_early_on: Option<Date>,
    days_per_week: i32,
    hours_per_day: i32,
    goal: String,
}

#[Object]
impl MyRehabPeriod {
    /// Where: the workshop or organisation.
    async fn place(&self) -> &str {
        &self.place
    }
    async fn starts_on(&self) -> Date {
        self.starts_on
    }
    async fn ends_on(&self) -> Date {
        self.ends_on
    }
    async fn ended_early_on(&self) -> Option<Date> {
        self.ended_early_on
    }
    async fn days_per_week(&self) -> i32 {
        self.days_per_week
    }
    async fn hours_per_day(&self) -> i32 {
        self.hours_per_day
    }
    async fn goal(&self) -> &str {
        &self.goal
    }

    /// Your recorded days, newest first (at most `last`, 1–100, default 31).
    async fn days(&self, ctx: &Context<'_>, last: Option<i32>) -> Result<Vec<MyDay>> {
        let last = last.unwrap_or(31);
        if !(1..=100).contains(&last) {
            return Err(AppError::bad_input("last", "between 1 and 100").into());
        }
        let rc = context(ctx)?;
        let rows =
            self_service::attendance(rc, &self.id, u64::try_from(last).unwrap_or(31)).await?;
        if !rows.is_empty() {
            self_service::touch(rc, Action::Read, FieldGroup::Attendance);
        }
        Ok(rows
            .into_iter()
            .map(|d| MyDay {
                day: d.day.into(),
                present: d.present,
                absence_reason: d.absence_reason,
            })
            .collect())
    }
}

/// One recorded day.
#[derive(SimpleObject)]
pub struct MyDay {
    day: Date,
    present: bool,
    absence_reason: Option<String>,
}

/// An allowance for one month.
#[derive(SimpleObject)]
pub struct MyAllowance {
    /// `YYYY-MM`.
    month: String,
    /// EXPENSE_ALLOWANCE, TOIMINTARAHA or TRAVEL.
    kind: String,
    /// KELA, FUND (your unemployment fund, named in `fundName`) or EKSOTE (the county).
    paid_by: String,
    /// The unemployment fund, when it pays.
    fund_name: Option<String>,
    days: i32,
    amount_cents: i64,
}

/// A network meeting to come.
#[derive(SimpleObject)]
pub struct MyMeeting {
    scheduled_at: DateTime<Utc>,
    location: Option<String>,
    /// The agencies taking part.
    agencies: Vec<String>,
}

/// A consent you gave.
#[derive(SimpleObject)]
pub struct MyConsent {
    id: ID,
    /// MULTI_AGENCY_SERVICE (working together in TYP) or DISCLOSURE (one agency may see
    /// data another recorded).
    kind: String,
    /// For a disclosure: the agency that may see the data.
    recipient_agency: Option<String>,
    /// For a disclosure: which data.
    data_groups: Vec<String>,
    given_on: Date,
    valid_until: Option<Date>,
    withdrawn_on: Option<Date>,
    /// Whether it is in force today.
    in_force: bool,
}

impl MyConsent {
    fn new(row: entity::consent::Model, groups: Vec<String>, today: chrono::NaiveDate) -> Self {
        let in_force = crate::domain::consent::in_force(&row, today);
        MyConsent {
            id: ID(row.id),
            kind: row.kind,
            recipient_agency: row.recipient_agency,
            data_groups: groups,
            given_on: row.given_on.into(),
            valid_until: row.valid_until.map(Date),
            withdrawn_on: row.withdrawn_on.map(Date),
            in_force,
        }
    }
}

/// One page of your access log.
#[derive(SimpleObject)]
pub struct MyAccessLog {
    entries: Vec<MyAccessEntry>,
    has_next_page: bool,
    /// Pass as `after` for the next page.
    end_cursor: Option<String>,
}

/// One time an official read or changed your data.
#[derive(SimpleObject)]
pub struct MyAccessEntry {
    at: DateTime<Utc>,
    /// TE, EKSOTE, KELA or PROVIDER.
    agency: String,
    roles: Vec<String>,
    /// The official's name.
    official: String,
    /// READ or WRITE.
    action: String,
    /// Which of your data: the field groups the data belongs to.
    data_groups: Vec<String>,
    /// What for: the view or change the official used.
    purpose: String,
    /// On what basis the official processed your data, which act 703/2023 § 11 entitles you
    /// to know. TYP_CLIENTHOOD, OWN_RECORD (the agency's own records), PROVIDER_PLACEMENT,
    /// BREAK_GLASS (an urgent opening) or SUPERVISION by the data-protection officer;
    /// UNRECORDED where the access was logged before its basis was. Data disclosed under
    /// your consent or by law is listed in `disclosures` with its consent or legal section.
    basis: ProcessingBasis,
    /// Data another agency recorded, seen under your consent.
    disclosures: Vec<MyDisclosure>,
    /// The official opened your case urgently outside their usual access (break-glass);
    /// such access is reviewed by the data-protection officer.
    urgent: bool,
}

/// Data of yours disclosed: to an official's agency under one of your consents, or by an
/// agency to another authority or body because a statute requires it.
#[derive(SimpleObject)]
pub struct MyDisclosure {
    data_group: String,
    /// CONSENT or STATUTORY.
    basis: String,
    /// For CONSENT: the consent.
    consent_id: Option<ID>,
    /// For STATUTORY: the act and section, e.g. "1290/2002 ch. 11 s. 4".
    legal_section: Option<String>,
    /// The agency that received the data (TE, EKSOTE, KELA or PROVIDER), when an agency.
    recipient_agency: Option<String>,
    /// The body that received the data when it is not one of the agencies (an
    /// unemployment fund).
    recipient_name: Option<String>,
    /// The agency that disclosed the data; null on disclosures logged before the disclosing
    /// agency was recorded.
    disclosing_agency: Option<String>,
}

impl From<entity::disclosure_log::Model> for MyDisclosure {
    fn from(d: entity::disclosure_log::Model) -> Self {
        MyDisclosure {
            data_group: d.field_group,
            basis: d.basis,
            consent_id: d.consent_id.map(ID),
            legal_section: d.legal_section,
            recipient_agency: d.recipient_agency,
            recipient_name: d.recipient_name,
            disclosing_agency: d.disclosing_agency,
        }
    }
}
