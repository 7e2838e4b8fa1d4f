//! Reports: figures checked against counts computed here from a small fixture; small-cell
//! suppression; ANALYST reaches no person; agency roles count only their scope.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

/// A client with a TYP case and, optionally, a KTT period at a provider.
async fn person(
    app: &TestApp,
    n: usize,
    provider: &str,
    period: Option<(&str, &str)>,
    closed: Option<(&str, &str)>,
) {
    let officer = app.fx.official("TYP_OFFICER").to_owned();
    let worker = app.fx.official("EKSOTE_WORKER").to_owned();
    let t = "2019-01-01 00:00:00";
    app.exec(&format!(
        "INSERT INTO client (id, personal_identity_code, first_name, last_name, municipality, on_social_assistance, registered_by_agency, version, created_at, updated_at) \
         VALUES ('r{n}', 'R{n:010}', 'F', 'L', 'Imatra', FALSE, 'TE', 1, '{t}', '{t}')"
    )).await;
    let (ended, outcome, phase) = match closed {
        Some((on, outcome)) => (format!("'{on}'"), format!("'{outcome}'"), "CLOSED"),
        None => ("NULL".to_owned(), "NULL".to_owned(), "IMPLEMENTATION"),
    };
    app.exec(&format!(
        "INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, ended_on, outcome, created_at) \
         VALUES ('rc{n}', 'r{n}', '{phase}', 'JOINT_ASSESSMENT', '{officer}', 'TE', '2018-06-01', '2018-09-01', {ended}, {outcome}, '{t}')"
    )).await;
    if let Some((from, to)) = period {
        app.exec(&format!(
            "INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, payer, created_at) \
             VALUES ('rp{n}', 'r{n}', '{provider}', 'R-{n}', '2019-01-01', '{worker}', '{from}', '{to}', 3, 6, 'g', 'KELA', '{t}')"
        )).await;
    }
}

const ACTIVITY: &str = "query A($f: ReportFilter) { reports { rehabActivity(from: \"2019-03-01\", to: \"2019-04-30\", filter: $f) { month averageClients averageSuppressed endOfMonthClients { value suppressed } } } }";

fn month<'a>(body: &'a Json, m: &str) -> &'a Json {
    body["data"]["reports"]["rehabActivity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["month"] == m)
        .unwrap()
}

on_both! {
    async fn the_rehab_series_matches_counts_made_by_hand(app) {
        let (p1, p2) = (app.fx.p1.clone(), app.fx.p2.clone());
        // March 2019: five whole months at P1, one ending on the 15th at P1, three at P2.
        for n in 0..5 {
            person(&app, n, &p1, Some(("2019-02-01", "2019-06-30")), None).await;
        }
        person(&app, 5, &p1, Some(("2018-12-16", "2019-03-15")), None).await;
        for n in 6..9 {
            person(&app, n, &p2, Some(("2019-03-01", "2019-04-10")), None).await;
        }
        let analyst = app.token_for("ANALYST");
        let (_, body) = app.gql(&analyst, ACTIVITY, json!({})).await;
        // Person-days in March: 5 x 31 + 15 + 3 x 31 = 263; 263 / 31 = 8.48.
        let march = month(&body, "2019-03");
        assert_eq!(march["averageClients"], 8.5, "{body}");
        assert_eq!(march["endOfMonthClients"], json!({ "value": 8, "suppressed": false }));
        // April: 5 x 30 + 3 x 10 = 180 person-days; 6.0 a day; 5 at the end.
        let april = month(&body, "2019-04");
        assert_eq!(april["averageClients"], 6.0);
        assert_eq!(april["endOfMonthClients"]["value"], 5);
        // Filtered to P2: three persons, suppressed.
        let (_, p2_only) = app.gql(&analyst, ACTIVITY, json!({ "f": { "providerId": p2 } })).await;
        let m = month(&p2_only, "2019-03");
        assert_eq!(m["averageClients"], Json::Null, "{p2_only}");
        assert_eq!(m["averageSuppressed"], true);
        assert_eq!(m["endOfMonthClients"], json!({ "value": null, "suppressed": true }));
        // A coach counts its own provider only: six persons at P1 in March.
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), ACTIVITY, json!({})).await;
        let m = month(&coach, "2019-03");
        assert_eq!(m["endOfMonthClients"]["value"], 5, "{coach}");
        assert_eq!(m["averageClients"], 5.5, "(5 x 31 + 15) / 31 = 5.48");
    }
}

on_both! {
    async fn a_small_outcome_cell_and_the_cell_that_would_reveal_it_are_suppressed(app) {
        let p1 = app.fx.p1.clone();
        let mut n = 0;
        for (outcome, count) in [("STUDIES", 6), ("PENSION", 4), ("MOVED", 9)] {
            for _ in 0..count {
                person(&app, n, &p1, None, Some(("2019-05-15", outcome))).await;
                n += 1;
            }
        }
        let q = "{ reports { caseOutcomes(from: \"2019-01-01\", to: \"2019-12-31\") { closedCases { value } byOutcome { outcome cases { value suppressed } } } } }";
        let (_, body) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        let r = &body["data"]["reports"]["caseOutcomes"];
        assert_eq!(r["closedCases"]["value"], 19, "{body}");
        let cell = |o: &str| r["byOutcome"].as_array().unwrap().iter().find(|x| x["outcome"] == o).unwrap()["cases"].clone();
        assert_eq!(cell("PENSION"), json!({ "value": null, "suppressed": true }));
        // 19 - 6 - 9 would give the 4 away: the smallest other cell is hidden too.
        assert_eq!(cell("STUDIES"), json!({ "value": null, "suppressed": true }));
        assert_eq!(cell("MOVED"), json!({ "value": 9, "suppressed": false }));
        assert_eq!(cell("OTHER"), json!({ "value": 0, "suppressed": false }));
        let on = "{ reports { typClientsOn(on: \"2019-03-01\") { value suppressed } } }";
        let (_, open) = app.gql(&app.token_for("ANALYST"), on, json!({})).await;
        assert_eq!(open["data"]["reports"]["typClientsOn"]["value"], 19, "{open}");
    }
}

on_both! {
    async fn the_analyst_reaches_no_person_by_any_path(app) {
        let analyst = app.token_for("ANALYST");
        let (_, roots) = app.gql(&analyst, "{ __schema { queryType { fields { name } } types { name } } }", json!({})).await;
        let fields: Vec<&str> = roots["data"]["__schema"]["queryType"]["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert_eq!(fields, ["me", "reports", "providers"], "{roots}");
        let types: Vec<&str> = roots["data"]["__schema"]["types"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
        for person_type in ["Client", "CaseView", "TypCase", "WorkAbilityAssessment", "AccessLogEntry"] {
            assert!(!types.contains(&person_type), "{person_type} is visible to ANALYST");
        }
        for q in ["query Q($c: ID!) { client(id: $c) { id } }", "query Q($c: ID!) { caseView(clientId: $c) { client { id } } }", "query Q($c: ID!) { accessLog(clientId: $c) { edges { cursor } } }"] {
            let (_, body) = app.gql(&analyst, q, json!({ "c": app.fx.shared })).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{q}: {body}");
        }
        let (_, list) = app.gql(&analyst, "{ clients { edges { node { id } } } }", json!({})).await;
        assert_eq!(list["errors"][0]["extensions"]["code"], "FORBIDDEN");
        for role in ["AUDITOR", "ADMIN"] {
            let (_, body) = app.gql(&app.token_for(role), "{ reports { typClientsOn(on: \"2019-01-01\") { value } } }", json!({})).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{role}");
        }
    }
}
