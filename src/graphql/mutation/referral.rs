//! Referral mutations: send, answer (accept or decline), complete.

use async_graphql::{InputObject, ID};

use crate::domain::agency_work::ReferralKind;
use crate::domain::Agency;
use crate::graphql::engine::scalars::Date;
use crate::graphql::types::referral::ReferralNode;
use crate::services::referral::{self, NewReferral};

/// A new referral from the caller's agency.
#[derive(InputObject)]
pub struct SendReferralInput {
    pub client_id: ID,
    pub to_agency: Agency,
    /// What the referral is for; OTHER when omitted. A referral to Kela's vocational
    /// rehabilitation (ammatillinen kuntoutus) goes to KELA.
    pub kind: Option<ReferralKind>,
    /// The service referred to (1–200 characters).
    pub service: String,
    /// Why: the service need (1–2000 characters).
    pub reason: String,
}

/// The receiving agency's answer.
#[derive(InputObject)]
pub struct AnswerReferralInput {
    pub referral_id: ID,
    pub accept: bool,
    /// Required when accepting: when the receiving side will have done its part.
    pub due_on: Option<Date>,
    /// Required when declining.
    pub decline_reason: Option<String>,
}

/// The outcome returned to the sender.
#[derive(InputObject)]
pub struct CompleteReferralInput {
    pub referral_id: ID,
    /// What came of it (1–2000 characters).
    pub outcome: String,
}

#[derive(Default)]
pub struct ReferralMutations;

impl From<SendReferralInput> for NewReferral {
    fn from(input: SendReferralInput) -> Self {
        NewReferral {
            client_id: input.client_id.to_string(),
            to_agency: input.to_agency,
            kind: input.kind.unwrap_or(ReferralKind::Other),
            service: input.service,
            reason: input.reason,
        }
    }
}

written_mutations! {
    ReferralMutations;

    /// Sends a referral from the caller's agency to another (CASE write; the client's open
    /// TYP case).
    #[graphql(visible = "super::visible::case")]
    send_referral(input: SendReferralInput) -> ReferralNode = "sendReferral",
        |rc| referral::send(rc, input.into());

    /// The receiving agency accepts (with a due date) or declines (with a reason).
    #[graphql(visible = "super::visible::case")]
    answer_referral(input: AnswerReferralInput) -> ReferralNode = "answerReferral", |rc| {
        let (accept, due) = (input.accept, input.due_on.map(|d| d.0));
        referral::answer(rc, &input.referral_id, accept, due, input.decline_reason.as_deref())
    };

    /// The receiving agency returns the outcome: the referral is done.
    #[graphql(visible = "super::visible::case")]
    complete_referral(input: CompleteReferralInput) -> ReferralNode = "completeReferral",
        |rc| referral::complete(rc, &input.referral_id, &input.outcome);
}
