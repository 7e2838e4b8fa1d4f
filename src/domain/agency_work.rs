//! The closed sets of the agencies' own records: the employment authority's plan items and
//! their follow-up, Kela's benefit decisions, and the kinds of referral.

crate::closed_set! {
/// Kind of an employment authority's plan item.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum EmploymentItemKind {
    /// A job-search obligation (työnhakuvelvoite): applications to make by the due date.
    JobSearchObligation = "JOB_SEARCH_OBLIGATION",
    /// A task of the employment plan (työllistymissuunnitelman tehtävä).
    PlanItem = "PLAN_ITEM",
    /// Training the client is to apply for or attend.
    Training = "TRAINING",
}
}

crate::closed_set! {
/// How a plan item stood when it was followed up.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FollowUpOutcome {
    /// Done as agreed.
    Done = "DONE",
    /// Not done.
    NotDone = "NOT_DONE",
    /// Postponed to a new due date.
    Postponed = "POSTPONED",
}
}

crate::closed_set! {
/// Kind of a benefit Kela decides on.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BenefitDecisionKind {
    /// Labour market subsidy (työmarkkinatuki).
    LabourMarketSubsidy = "LABOUR_MARKET_SUBSIDY",
    /// Basic unemployment allowance (peruspäiväraha).
    BasicUnemploymentAllowance = "BASIC_UNEMPLOYMENT_ALLOWANCE",
    /// Basic social assistance (perustoimeentulotuki), decided by Kela.
    BasicSocialAssistance = "BASIC_SOCIAL_ASSISTANCE",
    /// Rehabilitation allowance (kuntoutusraha), with vocational rehabilitation.
    RehabilitationAllowance = "REHABILITATION_ALLOWANCE",
    /// The KTT expense allowance (kulukorvaus) paid with the unemployment benefit.
    ExpenseAllowance = "EXPENSE_ALLOWANCE",
}
}

crate::closed_set! {
/// Status of a benefit decision.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BenefitDecisionStatus {
    /// Applied for, not yet decided.
    Pending = "PENDING",
    /// Granted for a period.
    Granted = "GRANTED",
    /// Rejected.
    Rejected = "REJECTED",
    /// A granted benefit that has ended.
    Ended = "ENDED",
}
}

impl BenefitDecisionStatus {
    /// The statuses a decision may move to from this one: a pending one is decided, a granted
    /// one ends; a rejected or ended one is final.
    pub fn may_become(self, next: BenefitDecisionStatus) -> bool {
        use BenefitDecisionStatus::*;
        matches!(
            (self, next),
            (Pending, Granted) | (Pending, Rejected) | (Granted, Ended)
        )
    }
}

crate::closed_set! {
/// What a referral is for.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReferralKind {
    /// Kela's vocational rehabilitation (ammatillinen kuntoutus, act 566/2005): answered
    /// by Kela only.
    KelaVocationalRehabilitation = "KELA_VOCATIONAL_REHABILITATION",
    /// Any other service, named in the referral's text.
    Other = "OTHER",
}
}

#[cfg(test)]
mod tests {
    use super::BenefitDecisionStatus::*;

    #[test]
    fn only_a_granted_decision_ends_and_final_statuses_stay() {
        assert!(Pending.may_become(Granted));
        assert!(Pending.may_become(Rejected));
        assert!(Granted.may_become(Ended));
        assert!(!Pending.may_become(Ended));
        assert!(!Rejected.may_become(Granted));
        assert!(!Ended.may_become(Granted));
        assert!(!Granted.may_become(Granted));
    }
}
