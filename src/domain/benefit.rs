//! The client's benefit status and who pays the allowance of an attended KTT day.
//!
//! Act 189/2001 s. 17: a participant keeps the unemployment benefit, and with it the expense
//! allowance (kulukorvaus) of the Unemployment Security Act 1290/2002 ch. 10, paid by its
//! payer: Kela for the labour market subsidy and the basic unemployment allowance, the
//! client's unemployment fund for the earnings-related allowance. Act 189/2001 s. 18 as
//! amended by 1025/2022 (in force 1.1.2023): a participant on social assistance (Social
//! Assistance Act 1412/1997) gets toimintaraha of the same amount from the county, but never
//! for a day on which the kulukorvaus is paid; every participant gets travel compensation at
//! the cheapest means of travel, paid by the organiser (the county).

crate::closed_set! {
/// A benefit status: an unemployment benefit recorded by Kela (or none), or social
/// assistance recorded by the county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BenefitKind {
    /// Labour market subsidy (työmarkkinatuki), paid by Kela.
    LabourMarketSubsidy = "LABOUR_MARKET_SUBSIDY",
    /// Basic unemployment allowance (peruspäiväraha), paid by Kela.
    BasicUnemploymentAllowance = "BASIC_UNEMPLOYMENT_ALLOWANCE",
    /// Earnings-related unemployment allowance (ansiopäiväraha), paid by the client's fund.
    EarningsRelatedAllowance = "EARNINGS_RELATED_ALLOWANCE",
    /// Social assistance (toimeentulotuki), recorded by the county.
    SocialAssistance = "SOCIAL_ASSISTANCE",
    /// No unemployment benefit.
    NoBenefit = "NONE",
}
}

impl BenefitKind {
    /// Social assistance is a track of its own: a day has at most one unemployment status
    /// and, besides it, social assistance or not.
    pub fn is_social_assistance(self) -> bool {
        self == BenefitKind::SocialAssistance
    }
}

/// What is known of one day: the unemployment status in force (with the fund of an
/// earnings-related allowance), if one is recorded, and whether social assistance is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayStatus {
    pub unemployment: Option<(BenefitKind, Option<String>)>,
    pub social_assistance: bool,
}

/// Kinds of allowance line.
pub const EXPENSE_ALLOWANCE: &str = "EXPENSE_ALLOWANCE";
pub const TOIMINTARAHA: &str = "TOIMINTARAHA";
pub const TRAVEL: &str = "TRAVEL";

/// Payers of allowance lines.
pub const KELA: &str = "KELA";
pub const FUND: &str = "FUND";
pub const COUNTY: &str = "EKSOTE";

/// Who pays the daily allowance of an attended day, and as what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Payee {
    pub kind: &'static str,
    pub payer: &'static str,
    pub fund: Option<String>,
}

impl Payee {
    fn new(kind: &'static str, payer: &'static str, fund: Option<String>) -> Self {
        Payee { kind, payer, fund }
    }

    /// Travel compensation: the organiser's (the county's), for every participant.
    pub fn travel() -> Self {
        Payee::new(TRAVEL, COUNTY, None)
    }
}

/// The daily allowance of an attended day with `status`, or none:
/// - an unemployment benefit in force: the kulukorvaus, by Kela or the fund (1290/2002
///   ch. 10; 189/2001 s. 17), also when social assistance is in force (no toimintaraha for
///   a day the kulukorvaus is paid, 189/2001 s. 18(1) as amended by 1025/2022);
/// - otherwise social assistance in force: toimintaraha by the county (189/2001 s. 18(1));
/// - "no unemployment benefit" recorded and no social assistance: no daily allowance;
/// - nothing recorded at all: Kela's kulukorvaus. The long-term unemployed in KTT receive
///   the labour market subsidy as a rule (189/2001 s. 1); Kela, which receives the
///   confirmation of the days, pays only with a benefit it pays, so the day is never lost
///   for want of a record (as we read it, the reading that protects the client).
pub fn daily_payee(status: &DayStatus) -> Option<Payee> {
    use BenefitKind::*;
    match (&status.unemployment, status.social_assistance) {
        (Some((LabourMarketSubsidy | BasicUnemploymentAllowance, _)), _) => {
            Some(Payee::new(EXPENSE_ALLOWANCE, KELA, None))
        }
        (Some((EarningsRelatedAllowance, fund)), _) => {
            Some(Payee::new(EXPENSE_ALLOWANCE, FUND, fund.clone()))
        }
        (_, true) => Some(Payee::new(TOIMINTARAHA, COUNTY, None)),
        (Some(_), false) => None,
        (None, false) => Some(Payee::new(EXPENSE_ALLOWANCE, KELA, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BenefitKind::*;

    fn day(unemployment: Option<BenefitKind>, social_assistance: bool) -> DayStatus {
        DayStatus {
            unemployment: unemployment.map(|k| {
                let fund = (k == EarningsRelatedAllowance).then(|| "Fund X".to_owned());
                (k, fund)
            }),
            social_assistance,
        }
    }

    #[test]
    fn kulukorvaus_goes_with_the_benefit_and_excludes_toimintaraha() {
        for sa in [false, true] {
            let kela = daily_payee(&day(Some(LabourMarketSubsidy), sa)).unwrap();
            assert_eq!((kela.kind, kela.payer), (EXPENSE_ALLOWANCE, KELA));
            let basic = daily_payee(&day(Some(BasicUnemploymentAllowance), sa)).unwrap();
            assert_eq!(basic.payer, KELA);
            let fund = daily_payee(&day(Some(EarningsRelatedAllowance), sa)).unwrap();
            assert_eq!((fund.kind, fund.payer), (EXPENSE_ALLOWANCE, FUND));
            assert_eq!(fund.fund.as_deref(), Some("Fund X"));
        }
    }

    #[test]
    fn toimintaraha_only_without_a_benefit_and_on_social_assistance() {
        let t = daily_payee(&day(Some(NoBenefit), true)).unwrap();
        assert_eq!((t.kind, t.payer), (TOIMINTARAHA, COUNTY));
        let t = daily_payee(&day(None, true)).unwrap();
        assert_eq!(t.kind, TOIMINTARAHA);
        assert_eq!(daily_payee(&day(Some(NoBenefit), false)), None);
        let unknown = daily_payee(&day(None, false)).unwrap();
        assert_eq!((unknown.kind, unknown.payer), (EXPENSE_ALLOWANCE, KELA));
    }
}
