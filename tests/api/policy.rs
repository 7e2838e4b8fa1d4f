//! The policy matrix: for every role and every client-data field of the schema, the field is
//! queried on a client visible to all agencies and must resolve to a value or to FORBIDDEN
//! exactly as contract §5 says. The expected table below is written from the contract, not
//! read from the policy files, so a wrong policy line fails here.

use serde_json::{json, Value as Json};

use crate::on_both;
use crate::sdl;

const AGENCY_ROLES: [&str; 5] = [
    "TYP_OFFICER",
    "TE_EXPERT",
    "EKSOTE_WORKER",
    "KELA_EXPERT",
    "PROVIDER_COACH",
];
pub const ALL_ROLES: [&str; 8] = [
    "TYP_OFFICER",
    "TE_EXPERT",
    "EKSOTE_WORKER",
    "KELA_EXPERT",
    "PROVIDER_COACH",
    "ANALYST",
    "AUDITOR",
    "ADMIN",
];

/// Contract §5: r read, c consent, - never, n names and phone only.
const TABLE: &[(&str, [char; 5])] = &[
    ("IDENTITY", ['r', 'r', 'r', 'r', '-']),
    ("CONTACT", ['r', 'r', 'r', 'r', 'n']),
    ("CASE", ['r', 'r', 'r', 'r', '-']),
    ("REHAB", ['r', 'r', 'r', 'r', 'r']),
    ("ATTENDANCE", ['r', 'r', 'r', 'r', 'r']),
    ("ALLOWANCE", ['-', '-', 'r', 'r', '-']),
    ("EMPLOYMENT", ['r', 'r', 'r', '-', '-']),
    // Job coaching and service vouchers: the coach's own provider's rows only.
    ("COACHING", ['r', 'r', 'r', '-', 'r']),
    ("BENEFIT", ['r', 'r', '-', 'r', '-']),
    ("WORK_ABILITY", ['r', 'r', 'r', 'r', '-']),
    ("HEALTH", ['c', '-', 'r', 'c', '-']),
    ("SOCIAL", ['c', '-', 'r', '-', '-']),
    ("COMPETENCE", ['r', 'r', 'r', 'r', 'r']),
    ("AUDIT", ['-', '-', '-', '-', '-']),
];

/// The fixture's consents: Kela holds HEALTH for the shared client; nobody else holds any.
fn has_consent(role: &str, group: &str) -> bool {
    role == "KELA_EXPERT" && group == "HEALTH"
}

#[derive(Debug, PartialEq)]
enum Expect {
    Value,
    /// In the role's schema, refused row by row: no consent.
    NoConsent,
    /// Never granted to the role: not in its schema, so the query is refused before it runs.
    Never,
}

fn may_read(role: &str, group: &str, field: &str) -> Expect {
    if role == "AUDITOR" {
        return if group == "AUDIT" {
            Expect::Value
        } else {
            Expect::Never
        };
    }
    let Some(i) = AGENCY_ROLES.iter().position(|r| *r == role) else {
        return Expect::Never;
    };
    let cell = TABLE
        .iter()
        .find(|(g, _)| *g == group)
        .map(|(_, row)| row[i])
        .unwrap();
    match cell {
        'r' => Expect::Value,
        'n' if ["firstName", "lastName", "phone", "clientName"].contains(&field) => Expect::Value,
        'c' if has_consent(role, group) => Expect::Value,
        'c' => Expect::NoConsent,
        _ => Expect::Never,
    }
}

/// How to reach each client-data type from a root field: the query text around `F`, and the
/// groups of the fields on the way (which must be readable too).
fn route(
    type_name: &str,
) -> (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
) {
    const CV: &str = "caseView(clientId: $c)";
    match type_name {
        "Client" => (
            "caseView(clientId: $c) { client { F } }",
            &[],
            &["caseView", "client"],
        ),
        "CaseView" => ("caseView(clientId: $c) { F }", &[], &["caseView"]),
        "TypCase" => (
            "caseView(clientId: $c) { typCase { F } }",
            &["CASE"],
            &["caseView", "typCase"],
        ),
        "Consent" => (
            "caseView(clientId: $c) { consents { F } }",
            &["CASE"],
            &["caseView", "consents"],
        ),
        "EmploymentPlan" => (
            "caseView(clientId: $c) { plan { F } }",
            &["CASE"],
            &["caseView", "plan"],
        ),
        "AgreedAction" => (
            "caseView(clientId: $c) { plan { agreedActions { F } } }",
            &["CASE", "CASE"],
            &["caseView", "plan", "agreedActions"],
        ),
        "RehabPeriod" => (
            "caseView(clientId: $c) { rehabPeriods { F } }",
            &["REHAB"],
            &["caseView", "rehabPeriods"],
        ),
        "KttDecision" => (
            "caseView(clientId: $c) { rehabDecisions { F } }",
            &["REHAB"],
            &["caseView", "rehabDecisions"],
        ),
        "KttPlanItem" => (
            "caseView(clientId: $c) { plan { kttItems { F } } }",
            &["CASE", "CASE"],
            &["caseView", "plan", "kttItems"],
        ),
        "KttStartNotice" => (
            "kttStartNotices { edges { node { F } } }",
            &[],
            &["kttStartNotices", "edges", "node"],
        ),
        "RehabInterruption" => (
            "caseView(clientId: $c) { rehabPeriods { interruptions { F } } }",
            &["REHAB", "REHAB"],
            &["caseView", "rehabPeriods", "interruptions"],
        ),
        "CaseFollowUp" => (
            "caseView(clientId: $c) { client { cases { followUps { F } } } }",
            &["CASE", "CASE"],
            &["caseView", "client", "cases", "followUps"],
        ),
        "AttendanceDay" => (
            "caseView(clientId: $c) { rehabPeriods { attendance { F } } }",
            &["REHAB", "ATTENDANCE"],
            &["caseView", "rehabPeriods", "attendance"],
        ),
        "AllowanceSummary" => (
            "caseView(clientId: $c) { rehabPeriods { allowance(month: $month) { F } } }",
            &["REHAB", "ALLOWANCE"],
            &["caseView", "rehabPeriods", "allowance"],
        ),
        "AllowanceLine" => (
            "caseView(clientId: $c) { rehabPeriods { allowance(month: $month) { lines { F } } } }",
            &["REHAB", "ALLOWANCE", "ALLOWANCE"],
            &["caseView", "rehabPeriods", "allowance", "lines"],
        ),
        "BenefitStatus" => (
            "caseView(clientId: $c) { benefitStatuses { F } }",
            &["BENEFIT"],
            &["caseView", "benefitStatuses"],
        ),
        "SocialAssistanceStatus" => (
            "caseView(clientId: $c) { socialAssistance { F } }",
            &["SOCIAL"],
            &["caseView", "socialAssistance"],
        ),
        "WorkAbilityAssessment" => (
            "caseView(clientId: $c) { workAbilityAssessments { F } }",
            &["WORK_ABILITY"],
            &["caseView", "workAbilityAssessments"],
        ),
        "BenefitDecision" => (
            "caseView(clientId: $c) { benefits { F } }",
            &["BENEFIT"],
            &["caseView", "benefits"],
        ),
        "LabourPolicyStatement" => (
            "caseView(clientId: $c) { labourPolicyStatements { F } }",
            &["BENEFIT"],
            &["caseView", "labourPolicyStatements"],
        ),
        "EmploymentItem" => (
            "caseView(clientId: $c) { employmentItems { F } }",
            &["EMPLOYMENT"],
            &["caseView", "employmentItems"],
        ),
        "CompetenceRecord" => (
            "caseView(clientId: $c) { competenceRecords { F } }",
            &["COMPETENCE"],
            &["caseView", "competenceRecords"],
        ),
        "JobCoaching" => (
            "caseView(clientId: $c) { jobCoachings { F } }",
            &["COACHING"],
            &["caseView", "jobCoachings"],
        ),
        "ServiceVoucher" => (
            "caseView(clientId: $c) { serviceVouchers { F } }",
            &["COACHING"],
            &["caseView", "serviceVouchers"],
        ),
        "TeCoachingHours" => (
            "caseView(clientId: $c) { teCoachingHours { F } }",
            &["COACHING"],
            &["caseView", "teCoachingHours"],
        ),
        "PaySubsidy" => (
            "caseView(clientId: $c) { paySubsidies { F } }",
            &["EMPLOYMENT"],
            &["caseView", "paySubsidies"],
        ),
        "AgencyNote" => (
            "caseView(clientId: $c) { notes { F } }",
            &["CASE"],
            &["caseView", "notes"],
        ),
        "NetworkMeeting" => (
            "networkMeeting(id: $m) { F }",
            &["CASE"],
            &["networkMeeting"],
        ),
        "AgendaItem" => (
            "networkMeeting(id: $m) { agenda { F } }",
            &["CASE", "CASE"],
            &["networkMeeting", "agenda"],
        ),
        "MeetingAgencySection" => (
            "networkMeeting(id: $m) { agencySections { F } }",
            &["CASE", "CASE"],
            &["networkMeeting", "agencySections"],
        ),
        "MeetingBrief" => (
            "meetingBrief(meetingId: $m) { F }",
            &["CASE"],
            &["meetingBrief"],
        ),
        "AgencyBrief" => (
            "meetingBrief(meetingId: $m) { agencies { F } }",
            &["CASE"],
            &["meetingBrief", "agencies"],
        ),
        "Referral" => (
            "caseView(clientId: $c) { referrals { F } }",
            &["CASE"],
            &["caseView", "referrals"],
        ),
        "AccessLogEntry" => (
            "accessLog(clientId: $c) { edges { node { F } } }",
            &["AUDIT"],
            &["accessLog", "edges", "node"],
        ),
        other => panic!("no route to {other} in the matrix: add one ({CV})"),
    }
}

/// Every value found under `path` (walking through lists).
fn values_at<'a>(data: &'a Json, path: &[&str]) -> Vec<&'a Json> {
    let mut current = vec![data];
    for key in path {
        let mut next = Vec::new();
        for v in current {
            match v {
                Json::Array(items) => {
                    for item in items {
                        if let Some(x) = item.get(*key) {
                            next.push(x);
                        }
                    }
                }
                Json::Object(_) => {
                    if let Some(x) = v.get(*key) {
                        next.push(x);
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current
}

on_both! {
    async fn every_role_gets_exactly_the_fields_of_its_policy(app) {
        let sdl_text = typgraph::graphql::sdl();
        let objects = sdl::object_types(&sdl_text);
        // Pay-subsidised employment of the shared client, ended, so every field has a value.
        let te = app.fx.official("TE_EXPERT").to_owned();
        app.exec(&format!("INSERT INTO employer (id, name, business_id, created_by, created_at) VALUES ('pe1', 'Koe Oy', '9900010-6', '{te}', '2026-01-01 00:00:00')")).await;
        app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on) VALUES ('pw1', '{}', NULL, 'WALK_ALONGSIDE', 'TE', 20, '2026-01-01', NULL)", app.fx.shared)).await;
        app.exec(&format!("INSERT INTO pay_subsidy (id, client_id, employer_id, starts_on, subsidy_ends_on, hours_per_week, job_coaching_id, ended_on, followed_by, recorded_by, created_at) VALUES ('ps1', '{}', 'pe1', '2026-01-01', '2026-06-30', 30, 'pw1', '2026-06-30', 'OPEN_LABOUR_MARKET', '{te}', '2026-01-01 00:00:00')", app.fx.shared)).await;
        // A read first, so that the auditor has access-log rows to read.
        let (_, warm) = app.gql(&app.token_for("TE_EXPERT"), "query W($c: ID!) { client(id: $c) { firstName } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(warm["data"]["client"]["firstName"], "Aino");
        // A coaching voucher of the shared client, accepted by the coach's provider.
        let (worker, coach) = (app.fx.official("EKSOTE_WORKER").to_owned(), app.fx.official("PROVIDER_COACH").to_owned());
        let (from, until) = (app.fx.today - chrono::Duration::days(10), app.fx.today + chrono::Duration::days(60));
        app.exec(&format!("INSERT INTO service_voucher (id, client_id, kind, unit, value_cents, quantity, valid_from, valid_until, status, granted_by, granted_on, provider_id, chosen_on, answered_by, answered_on) VALUES ('{}', '{}', 'COACHING', 'HOUR', 6500, 30, '{from}', '{until}', 'ACCEPTED', '{worker}', '{from}', '{}', '{from}', '{coach}', '{from}')", uuid::Uuid::new_v4(), app.fx.shared, app.fx.p1)).await;
        let month = app.fx.today.checked_sub_days(chrono::Days::new(30)).unwrap().format("%Y-%m").to_string();
        let vars = json!({ "c": app.fx.shared, "m": app.fx.held_meeting, "month": month });
        let mut checked = 0;
        for f in sdl::fields(&sdl_text).into_iter().filter(|f| f.group.is_some()) {
            let group = f.group.clone().unwrap();
            let (template, gates, path) = route(&f.type_name);
            let args = if f.field == "allowance" { "(month: $month)" } else { "" };
            let sub = if objects.contains(&f.returns) { " { __typename }" } else { "" };
            let selection = format!("{}{args}{sub}", f.field);
            let body_sel = template.replace('F', &selection);
            let mut defs = Vec::new();
            for (var, ty) in [("$c", "ID!"), ("$m", "ID!"), ("$month", "String!")] {
                if body_sel.split(|ch: char| !(ch.is_alphanumeric() || ch == '$')).any(|w| w == var) {
                    defs.push(format!("{var}: {ty}"));
                }
            }
            let query = format!("query Matrix({}) {{ {body_sel} }}", defs.join(", "));
            let mut full_path: Vec<&str> = path.to_vec();
            full_path.push(&f.field);
            for role in ALL_ROLES {
                let token = if role == "PROVIDER_COACH" { app.token(app.fx.official(role), &[role]) } else { app.token_for(role) };
                let (status, body) = app.gql(&token, &query, vars.clone()).await;
                // Expected: every gate and the field itself readable.
                let mut expect = Expect::Value;
                // Whether a gate on the way, not the field, decided it (a list the role
                // reads only under consent: the list is the null with the error).
                let mut at_gate = false;
                for (i, g) in gates.iter().copied().chain(std::iter::once(group.as_str())).enumerate() {
                    let e = may_read(role, g, &f.field);
                    if e != Expect::Value {
                        expect = e;
                        at_gate = i < gates.len();
                        break;
                    }
                }
                // Roots: meetings need CASE, client roots need any client group.
                let root_ok = match path[0] {
                    "caseView" => AGENCY_ROLES.contains(&role),
                    "accessLog" => role == "AUDITOR",
                    // The employment authority's work list: its BENEFIT writers.
                    "kttStartNotices" => role == "TE_EXPERT",
                    _ => AGENCY_ROLES[..4].contains(&role),
                };
                if !root_ok {
                    expect = Expect::Never;
                }
                if expect != Expect::Never {
                    assert_eq!(status, 200, "{role} {}.{}: {body}", f.type_name, f.field);
                }
                let errors: Vec<&Json> = body["errors"].as_array().map(|e| e.iter().collect()).unwrap_or_default();
                let found = values_at(&body["data"], &full_path);
                // The row rule beside the mask: a coach reads no KTT decision (its hearing
                // and reasons are beyond the placement), though REHAB is readable.
                if role == "PROVIDER_COACH" && f.type_name == "KttDecision" {
                    assert!(errors.is_empty() && found.is_empty(), "a coach reads no decision: {body}");
                    checked += 1;
                    continue;
                }
                match expect {
                    Expect::Value => {
                        assert!(errors.is_empty(), "{role} must read {}.{}: {body}", f.type_name, f.field);
                        assert!(!found.is_empty(), "{role} got no {}.{} at all: {body}", f.type_name, f.field);
                    }
                    Expect::NoConsent => {
                        assert!(found.iter().all(|v| v.is_null()), "{role} must not read {}.{}: {body}", f.type_name, f.field);
                        assert!(!errors.is_empty(), "{role} {}.{}: expected FORBIDDEN: {body}", f.type_name, f.field);
                        assert!(errors.iter().all(|e| e["extensions"]["code"] == "FORBIDDEN" && e["extensions"]["reason"] == "NO_CONSENT"), "{role} {}.{}: {body}", f.type_name, f.field);
                        if at_gate {
                            let gate = path.last().copied().map(|p| json!(p));
                            assert!(errors.iter().all(|e| e["path"].as_array().and_then(|p| p.last()) == gate.as_ref()), "{role} {}.{}: {body}", f.type_name, f.field);
                        } else if f.nullable {
                            // The refused field is there, as null, where its error points.
                            assert!(!found.is_empty(), "{role} {}.{} left out: {body}", f.type_name, f.field);
                            assert!(errors.iter().all(|e| e["path"].as_array().and_then(|p| p.last()) == Some(&json!(f.field))), "{role} {}.{}: {body}", f.type_name, f.field);
                        }
                    }
                    Expect::Never => {
                        // Refused before anything ran: one validation error, at the first
                        // field on the way that the role's schema does not have.
                        assert_eq!(status, 400, "{role} {}.{}: {body}", f.type_name, f.field);
                        assert!(body["data"].is_null(), "{role} {}.{}: {body}", f.type_name, f.field);
                        assert_eq!(errors.len(), 1, "{role} {}.{}: {body}", f.type_name, f.field);
                        assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED", "{role} {}.{}: {body}", f.type_name, f.field);
                        let message = errors[0]["message"].as_str().unwrap_or("");
                        assert!(
                            full_path.iter().any(|name| message.starts_with(&format!("Cannot query field \"{name}\" on type \""))),
                            "{role} {}.{}: {body}", f.type_name, f.field
                        );
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 800, "only {checked} role-field pairs checked");
    }
}

on_both! {
    async fn introspection_shows_a_role_only_what_it_may_read(app) {
        let q = "{ __type(name: \"Client\") { fields { name } } q: __type(name: \"Query\") { fields { name } } }";
        let names = |body: &Json, key: &str| -> Vec<String> {
            body["data"][key]["fields"].as_array().map(|f| f.iter().map(|x| x["name"].as_str().unwrap().to_owned()).collect()).unwrap_or_default()
        };
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), q, json!({})).await;
        assert_eq!(names(&coach, "__type"), vec!["id", "firstName", "lastName", "phone"]);
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({})).await;
        assert!(names(&kela, "__type").contains(&"personalIdentityCode".to_owned()));
        assert!(!names(&kela, "q").contains(&"accessLog".to_owned()));
        let (_, auditor) = app.gql(&app.token_for("AUDITOR"), q, json!({})).await;
        let roots = names(&auditor, "q");
        assert!(roots.contains(&"accessLog".to_owned()) && !roots.contains(&"caseView".to_owned()), "{roots:?}");
        let (_, analyst) = app.gql(&app.token_for("ANALYST"), "{ __type(name: \"WorkAbilityAssessment\") { fields { name } } }", json!({})).await;
        assert!(names(&analyst, "__type").iter().all(|n| n == "id"), "{analyst}");
        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), "{ __type(name: \"WorkAbilityAssessment\") { fields { name } } }", json!({})).await;
        assert!(!names(&te, "__type").contains(&"details".to_owned()));
    }
}
