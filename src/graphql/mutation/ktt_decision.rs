//! KTT decisions beyond the grant (refuse, change, terminate), the KTT items of plans, the
//! labour-policy statement on a start notice, and the delegation of the power to decide.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};

use super::request;
use crate::graphql::engine::scalars::Date;
use crate::graphql::types::agency_records::StatementNode;
use crate::graphql::types::ktt_decision::{KttDecisionNode, KttPlanItemNode};
use crate::services::administration as admin;
use crate::services::ktt_decision::notice::{self, NewStatement, StatementTo};
use crate::services::ktt_decision::{self, Change, Decided, NewPlanItem, Refusal, Termination};

/// KTT decisions, plan items, start-notice statements, decision makers.
#[derive(Default)]
pub struct KttDecisionMutations;

/// What every KTT decision states besides its matter.
#[derive(InputObject)]
pub struct KttDecisionTermsInput {
    /// The day of the decision: not ahead, at most `TYPGRAPH_KTT_DECISION_BACK_DAYS` back.
    pub decided_on: Date,
    /// The day the client is served the decision: not before `decidedOn`, at most
    /// `TYPGRAPH_KTT_PRESUMED_SERVICE_DAYS` ahead.
    pub served_on: Date,
    /// The day the client was heard (not after `decidedOn`); or give `hearingOmittedReason`.
    pub hearing_on: Option<Date>,
    /// Why the client was not heard (Administrative Procedure Act 434/2003 s. 34(2)).
    pub hearing_omitted_reason: Option<String>,
    /// The reasons (434/2003 s. 45): required on a refusal, change or termination.
    pub reasoning: Option<String>,
}

impl From<KttDecisionTermsInput> for Decided {
    fn from(t: KttDecisionTermsInput) -> Self {
        Decided {
            decided_on: t.decided_on.into(),
            served_on: t.served_on.into(),
            hearing_on: t.hearing_on.map(NaiveDate::from),
            hearing_omitted_reason: t.hearing_omitted_reason,
            reasoning: t.reasoning,
        }
    }
}

/// Input of `refuseRehabPeriod`: whom, what was applied for (when known), the decision.
#[derive(InputObject)]
pub struct RefuseRehabPeriodInput {
    pub client_id: ID,
    pub provider_id: Option<ID>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub terms: KttDecisionTermsInput,
}

/// Input of `changeRehabPeriod`: the new terms; those omitted stay.
#[derive(InputObject)]
pub struct ChangeRehabPeriodInput {
    pub period_id: ID,
    /// A new last day (not before today: ending a period is a termination).
    pub ends_on: Option<Date>,
    pub days_per_week: Option<i32>,
    pub hours_per_day: Option<i32>,
    /// The county pays toimintaraha (only for a client on social assistance).
    pub toimintaraha: Option<bool>,
    /// Travel compensation per attended day, in cents.
    pub travel_cents_per_day: Option<i64>,
    pub terms: KttDecisionTermsInput,
}

/// Input of `terminateRehabPeriod`.
#[derive(InputObject)]
pub struct TerminateRehabPeriodInput {
    pub period_id: ID,
    /// The period's last day: within it, and not before `terms.decidedOn`.
    pub ended_on: Date,
    pub terms: KttDecisionTermsInput,
}

/// Input of `addKttPlanItem`.
#[derive(InputObject)]
pub struct AddKttPlanItemInput {
    pub plan_id: ID,
    /// The goal of the activity.
    pub goal: String,
    /// The support and guidance the person needs.
    pub support: String,
    /// The day it was agreed with the client: not before the plan, not ahead.
    pub agreed_on: Date,
}

/// To whom a labour-policy statement is addressed.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum StatementRecipient {
    /// Kela (labour market subsidy, basic unemployment allowance).
    Kela,
    /// An unemployment fund (earnings-related allowance), named in `fundName`.
    UnemploymentFund,
}

/// Input of `issueLabourPolicyStatement`.
#[derive(InputObject)]
pub struct IssueLabourPolicyStatementInput {
    /// The notice the statement answers.
    pub notice_id: ID,
    pub recipient: StatementRecipient,
    /// The fund, for (and only for) `UNEMPLOYMENT_FUND`.
    pub fund_name: Option<String>,
    /// The statement.
    pub content: String,
    /// The day issued: not ahead, not before the notice.
    pub issued_on: Date,
}

/// Input of `setKttDecisionMaker`.
#[derive(InputObject)]
pub struct SetKttDecisionMakerInput {
    /// A county (EKSOTE) official.
    pub official_id: ID,
    /// The title decisions name them by (e.g. sosiaalityöntekijä).
    pub title: String,
}

/// A county official's delegated power to decide on KTT.
#[derive(SimpleObject)]
pub struct KttDecisionMaker {
    pub official_id: ID,
    /// The title decisions name them by.
    pub title: String,
    /// The administrator who granted it.
    pub granted_by: ID,
    pub granted_at: DateTime<Utc>,
}

impl From<entity::ktt_decision_maker::Model> for KttDecisionMaker {
    fn from(m: entity::ktt_decision_maker::Model) -> Self {
        KttDecisionMaker {
            official_id: ID(m.official_id),
            title: m.title,
            granted_by: ID(m.granted_by),
            granted_at: m.granted_at,
        }
    }
}

/// The employment authority's officials who write the statements to Kela.
pub fn issues_statements(ctx: &Context<'_>) -> bool {
    ctx.data_opt::<crate::authz::Principal>().is_some_and(|p| {
        p.agency == crate::domain::Agency::Te && p.mask.may_write(crate::authz::FieldGroup::Benefit)
    })
}

written_mutations! {
    KttDecisionMutations;

    /// Refuses KTT: the county's refusal decision, with its reasons (REHAB write and the
    /// delegated power to decide).
    #[graphql(visible = "super::visible::rehab")]
    refuse_rehab_period(input: RefuseRehabPeriodInput) -> KttDecisionNode = "refuseRehabPeriod",
        |rc| ktt_decision::refuse(rc, Refusal {
            client_id: input.client_id.0,
            provider_id: input.provider_id.map(|p| p.0),
            starts_on: input.starts_on.map(NaiveDate::from),
            ends_on: input.ends_on.map(NaiveDate::from),
            decided: input.terms.into(),
        });

    /// Changes a running period's end, schedule or allowances: the county's change decision
    /// (REHAB write and the delegated power to decide).
    #[graphql(visible = "super::visible::rehab")]
    change_rehab_period(input: ChangeRehabPeriodInput) -> KttDecisionNode = "changeRehabPeriod",
        |rc| ktt_decision::change(rc, Change {
            period_id: input.period_id.0,
            ends_on: input.ends_on.map(NaiveDate::from),
            days_per_week: input.days_per_week,
            hours_per_day: input.hours_per_day,
            toimintaraha: input.toimintaraha,
            travel_cents_per_day: input.travel_cents_per_day,
            decided: input.terms.into(),
        });

    /// Terminates a period: the county's decision to end it (REHAB write and the delegated
    /// power to decide); the period ends on `endedOn` as an early end does.
    #[graphql(visible = "super::visible::rehab")]
    terminate_rehab_period(input: TerminateRehabPeriodInput) -> KttDecisionNode =
        "terminateRehabPeriod",
        |rc| ktt_decision::terminate(rc, Termination {
            period_id: input.period_id.0,
            ended_on: input.ended_on.into(),
            decided: input.terms.into(),
        });

    /// Adds a KTT item (goal and support) to a plan (CASE write): KTT is granted on it.
    #[graphql(visible = "super::visible::case")]
    add_ktt_plan_item(input: AddKttPlanItemInput) -> KttPlanItemNode = "addKttPlanItem",
        |rc| ktt_decision::add_plan_item(rc, NewPlanItem {
            plan_id: input.plan_id.0,
            goal: input.goal,
            support: input.support,
            agreed_on: input.agreed_on.into(),
        });

    /// Issues the labour-policy statement (työvoimapoliittinen lausunto) on a KTT start
    /// notice to Kela or an unemployment fund (the employment authority's BENEFIT
    /// writers); the notice leaves the open work list and the disclosure is logged as
    /// statutory. CONFLICT once the notice is handled.
    #[graphql(visible = "issues_statements")]
    issue_labour_policy_statement(input: IssueLabourPolicyStatementInput) -> StatementNode =
        "issueLabourPolicyStatement",
        |rc| notice::issue_statement(rc, NewStatement {
            notice_id: input.notice_id.0,
            recipient: match input.recipient {
                StatementRecipient::Kela => StatementTo::Kela,
                StatementRecipient::UnemploymentFund => StatementTo::UnemploymentFund,
            },
            fund_name: input.fund_name,
            content: input.content,
            issued_on: input.issued_on.into(),
        });
}

/// The delegation of KTT decisions (administration).
#[derive(Default)]
pub struct KttDecisionMakerMutations;

#[Object]
impl KttDecisionMakerMutations {
    /// Delegates the power to decide on KTT to a county (EKSOTE) official under a title,
    /// or changes the title; written to the administration log. Nobody delegates to
    /// themself (FORBIDDEN).
    #[graphql(visible = "super::visible::officials")]
    async fn set_ktt_decision_maker(
        &self,
        ctx: &Context<'_>,
        input: SetKttDecisionMakerInput,
    ) -> Result<KttDecisionMaker> {
        let rc = request(ctx, "setKttDecisionMaker")?;
        Ok(
            admin::set_decision_maker(rc, &input.official_id, &input.title)
                .await?
                .into(),
        )
    }

    /// Revokes an official's power to decide on KTT (past decisions stand); written to the
    /// administration log. NOT_FOUND when the official holds none.
    #[graphql(visible = "super::visible::officials")]
    async fn revoke_ktt_decision_maker(
        &self,
        ctx: &Context<'_>,
        official_id: ID,
    ) -> Result<KttDecisionMaker> {
        let rc = request(ctx, "revokeKttDecisionMaker")?;
        Ok(admin::revoke_decision_maker(rc, &official_id).await?.into())
    }
}
