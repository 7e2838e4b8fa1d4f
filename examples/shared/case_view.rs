//! The case view the benchmarks ask, as an employment expert's front end asks it: one
//! document, so that the load and scale benchmarks measure the same request.

pub const CASE_VIEW: &str = "query CaseView($c: ID!) { caseView(clientId: $c) { \
    client { id personalIdentityCode firstName lastName phone municipality version } \
    typCase { phase openedOn mappingDeadline responsibleOfficer } \
    plan { kind reviewOn reviewOverdue agreedActions { description dueOn overdue } } \
    consents { id } \
    rehabPeriods { startsOn endsOn daysPerWeek provider { name } } \
    workAbilityAssessments { assessedOn assessorAgency conclusion } \
    benefits { benefitKind status validFrom } \
    employmentItems { kind dueOn } \
    meetings { status scheduledAt } \
    notes { agency body } } }";
