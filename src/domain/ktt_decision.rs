//! The rules of a KTT decision as an administrative decision of the wellbeing services
//! county: its kinds and their legal basis, and the dates, hearing and reasons the
//! Administrative Procedure Act (434/2003) asks of every decision. No I/O.

use chrono::{Days, NaiveDate};

use super::ktt::Breach;

crate::closed_set! {
/// What a KTT decision decides.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[graphql(name = "KttDecisionKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum DecisionKind {
    /// A KTT period is granted (myönteinen päätös).
    Grant = "GRANT",
    /// KTT is refused (kielteinen päätös).
    Refuse = "REFUSE",
    /// The terms of a granted period are changed (muutospäätös).
    Change = "CHANGE",
    /// A granted period is ended before its last day (lopettamispäätös).
    Terminate = "TERMINATE",
}
}

/// The statutory basis every KTT decision rests on: KTT is the county's social service
/// (act 189/2001 s. 2 and s. 3), its decision a social-welfare decision (Social Welfare
/// Act 1301/2014 s. 45), written with its reasons (Administrative Procedure Act 434/2003
/// ss. 43-45).
const COMMON_BASIS: &str = "laki kuntouttavasta työtoiminnasta 189/2001 2 §, 3 §; sosiaalihuoltolaki 1301/2014 45 §; hallintolaki 434/2003 43–45 §";

impl DecisionKind {
    /// The legal basis printed on a decision of this kind: the common basis and the
    /// sections of act 189/2001 the kind applies, as we read them: access on the plan
    /// (ss. 4-5 as amended), toimintaraha and travel (s. 18 as amended by 1025/2022).
    pub fn legal_basis(self) -> String {
        let own = match self {
            DecisionKind::Refuse => "189/2001 4–5 §",
            DecisionKind::Grant | DecisionKind::Change | DecisionKind::Terminate => {
                "189/2001 4–5 §, 18 § (1025/2022)"
            }
        };
        format!("{COMMON_BASIS}; {own}")
    }

    /// Whether the decision must state its reasons: every decision does, except one that
    /// grants what was asked for (Administrative Procedure Act 434/2003 s. 45(2)(2)).
    pub fn needs_reasons(self) -> bool {
        self != DecisionKind::Grant
    }
}

/// The dates and the hearing of a decision, as given.
#[derive(Debug, Clone)]
pub struct Terms<'a> {
    pub decided_on: NaiveDate,
    pub served_on: NaiveDate,
    pub hearing_on: Option<NaiveDate>,
    pub hearing_omitted_reason: Option<&'a str>,
    pub reasoning: Option<&'a str>,
}

/// The limits the settings put on the dates.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub today: NaiveDate,
    /// How many days back a decision may be dated.
    pub back_days: u32,
    /// How many days ahead of today a decision may count as served (sent by post).
    pub service_days: u32,
}

fn breach(field: &'static str, message: impl Into<String>) -> Breach {
    Breach {
        field,
        message: message.into(),
    }
}

/// Checks the dates, the hearing and the reasons of a decision of `kind`:
/// - `decidedOn` is not ahead of today, nor more than the settings' days back;
/// - `servedOn` is not before `decidedOn` (a decision is served after it is made,
///   434/2003 ss. 54-59) and at most the presumed service time ahead (s. 59(2));
/// - the client was heard before the decision (s. 34), or the decision says why not: one
///   of `hearingOn` (not after `decidedOn`) and `hearingOmittedReason`;
/// - the reasons are given where s. 45 asks for them.
pub fn check_terms(kind: DecisionKind, t: &Terms, limits: Limits) -> Result<(), Breach> {
    if t.decided_on > limits.today {
        return Err(breach("decidedOn", "decidedOn cannot be in the future"));
    }
    let earliest = limits
        .today
        .checked_sub_days(Days::new(limits.back_days.into()))
        .unwrap_or(NaiveDate::MIN);
    if t.decided_on < earliest {
        return Err(breach(
            "decidedOn",
            format!("decidedOn is at most {} days back", limits.back_days),
        ));
    }
    if t.served_on < t.decided_on {
        return Err(breach("servedOn", "servedOn cannot precede decidedOn"));
    }
    let latest_service = limits
        .today
        .checked_add_days(Days::new(limits.service_days.into()))
        .unwrap_or(NaiveDate::MAX);
    if t.served_on > latest_service {
        return Err(breach(
            "servedOn",
            format!(
                "servedOn is at most {} days ahead (the presumed service of a letter)",
                limits.service_days
            ),
        ));
    }
    match (t.hearing_on, t.hearing_omitted_reason) {
        (Some(_), Some(_)) => {
            return Err(breach(
                "hearingOmittedReason",
                "give either hearingOn or hearingOmittedReason, not both",
            ))
        }
        (None, None) => {
            return Err(breach(
                "hearingOn",
                "the client is heard before the decision (434/2003 s. 34), or hearingOmittedReason says why not",
            ))
        }
        (Some(h), None) if h > t.decided_on => {
            return Err(breach("hearingOn", "the hearing precedes the decision"))
        }
        _ => {}
    }
    if kind.needs_reasons() && t.reasoning.is_none_or(|r| r.trim().is_empty()) {
        return Err(breach(
            "reasoning",
            "the decision states its reasons (434/2003 s. 45)",
        ));
    }
    Ok(())
}

/// The language a decision is written in: Swedish for a Swedish-speaking client, Finnish
/// otherwise (the county's language; a decision is given in the client's own language of
/// the two national languages, Language Act 423/2003 s. 10).
pub fn language_of(client_language: Option<&str>) -> &'static str {
    match client_language.map(|l| l.trim().to_ascii_lowercase()) {
        Some(l) if l == "sv" || l.starts_with("sv-") => "sv",
        _ => "fi",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn limits() -> Limits {
        Limits {
            today: day(15),
            back_days: 10,
            service_days: 7,
        }
    }

    fn terms(decided: u32, served: u32) -> Terms<'static> {
        Terms {
            decided_on: day(decided),
            served_on: day(served),
            hearing_on: Some(day(1)),
            hearing_omitted_reason: None,
            reasoning: Some("Reasons"),
        }
    }

    #[test]
    fn dates_are_checked_at_their_edges() {
        let field = |t: &Terms| {
            check_terms(DecisionKind::Refuse, t, limits())
                .err()
                .map(|b| b.field)
        };
        assert_eq!(field(&terms(15, 22)), None);
        assert_eq!(field(&terms(5, 5)), None);
        assert_eq!(field(&terms(16, 16)), Some("decidedOn"));
        assert_eq!(field(&terms(4, 5)), Some("decidedOn"));
        assert_eq!(field(&terms(10, 9)), Some("servedOn"));
        assert_eq!(field(&terms(15, 23)), Some("servedOn"));
    }

    #[test]
    fn a_hearing_or_its_omission_and_reasons_are_required() {
        let mut t = terms(10, 10);
        t.hearing_on = None;
        let check = |t: &Terms, k| check_terms(k, t, limits()).err().map(|b| b.field);
        assert_eq!(check(&t, DecisionKind::Grant), Some("hearingOn"));
        t.hearing_omitted_reason = Some("Granted as applied for");
        assert_eq!(check(&t, DecisionKind::Grant), None);
        t.hearing_on = Some(day(11));
        assert_eq!(check(&t, DecisionKind::Grant), Some("hearingOmittedReason"));
        t.hearing_omitted_reason = None;
        assert_eq!(check(&t, DecisionKind::Grant), Some("hearingOn"));
        t.hearing_on = Some(day(10));
        t.reasoning = None;
        assert_eq!(check(&t, DecisionKind::Grant), None);
        assert_eq!(check(&t, DecisionKind::Terminate), Some("reasoning"));
    }

    #[test]
    fn swedish_speakers_get_a_swedish_decision() {
        assert_eq!(language_of(Some("sv")), "sv");
        assert_eq!(language_of(Some("SV-fi")), "sv");
        assert_eq!(language_of(Some("en")), "fi");
        assert_eq!(language_of(None), "fi");
    }
}
