//! Job coaching as each orderer's own work: the employment authority's cap per client, the
//! county's orders, hours used recorded by the provider's coach or the orderer and never
//! beyond the hours bought; the rights of every role and the access-log rows.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const ORDER: &str = "mutation O($i: OrderJobCoachingInput!) { orderJobCoaching(input: $i) { id kind hours hoursUsed orderedBy providerId voucherId startsOn endsOn } }";
const HOURS: &str = "mutation H($i: RecordCoachingHoursInput!) { recordCoachingHours(input: $i) { id hours hoursUsed } }";

fn err(b: &Json) -> (&str, &str) {
    let e = &b["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or(""),
        e["field"].as_str().unwrap_or(""),
    )
}

fn day(app: &TestApp, offset: i64) -> String {
    (app.fx.today + chrono::Duration::days(offset)).to_string()
}

async fn order(
    app: &TestApp,
    token: &str,
    client: &str,
    hours: i64,
    provider: Option<&str>,
) -> Json {
    let i = json!({ "clientId": client, "kind": "INDIVIDUAL", "providerId": provider, "hours": hours, "startsOn": day(app, -10) });
    app.gql(token, ORDER, json!({ "i": i })).await.1
}

on_both! {
    async fn orders_made_at_once_stay_within_the_cap_together(app) {
        let te = app.token_for("TE_EXPERT");
        let client = app.fx.other_placement.clone();
        let p1 = app.fx.p1.clone();
        // Four orders of 30 hours at the same moment: 50 hours allow only one.
        let (a, b, c, d) = tokio::join!(
            order(&app, &te, &client, 30, Some(&p1)),
            order(&app, &te, &client, 30, Some(&p1)),
            order(&app, &te, &client, 30, Some(&p1)),
            order(&app, &te, &client, 30, Some(&p1)),
        );
        let made = [&a, &b, &c, &d].iter().filter(|r| r["data"]["orderJobCoaching"]["id"].is_string()).count();
        assert_eq!(made, 1, "{a} {b} {c} {d}");
        for r in [&a, &b, &c, &d].into_iter().filter(|r| r["data"].is_null()) {
            assert_eq!(r["errors"][0]["extensions"]["hoursLeft"], 20, "{r}");
        }
        let bought = format!("SELECT CAST(COALESCE(SUM(hours), 0) AS BIGINT) FROM job_coaching WHERE client_id = '{client}' AND ordered_by_agency = 'TE'");
        assert_eq!(app.count(&bought).await, 30);
    }
}

on_both! {
    async fn the_employment_authority_buys_up_to_fifty_hours_and_is_told_the_hours_left(app) {
        let te = app.token_for("TE_EXPERT");
        let client = app.fx.other_placement.clone();
        let p1 = app.fx.p1.clone();
        // 51 hours on a client with none bought: refused, 50 left.
        let b = order(&app, &te, &client, 51, Some(&p1)).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "hours"), "{b}");
        assert_eq!(b["errors"][0]["extensions"]["hoursLeft"], 50, "{b}");
        assert_eq!(b["errors"][0]["extensions"]["capHours"], 50, "{b}");
        // Exactly 50: bought.
        let b = order(&app, &te, &client, 50, Some(&p1)).await;
        let c = &b["data"]["orderJobCoaching"];
        assert_eq!((c["hours"].as_i64(), c["orderedBy"].as_str(), c["hoursUsed"].as_i64()), (Some(50), Some("TE"), Some(0)), "{b}");
        // One more: refused, none left.
        let b = order(&app, &te, &client, 1, Some(&p1)).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "hours"), "{b}");
        assert_eq!(b["errors"][0]["extensions"]["hoursLeft"], 0, "{b}");
        // A purchase names its provider.
        let b = order(&app, &te, &app.fx.shared, 1, None).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "providerId"), "{b}");
        // The county's own coaching is not under the employment authority's cap.
        let b = order(&app, &app.token_for("EKSOTE_WORKER"), &client, 40, None).await;
        assert_eq!(b["data"]["orderJobCoaching"]["orderedBy"], "EKSOTE", "{b}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM job_coaching WHERE client_id = '{client}'")).await, 2);

        // The case view shows the hours against the cap, to every role reading COACHING.
        let view = "query V($c: ID!) { caseView(clientId: $c) { teCoachingHours { capHours boughtHours usedHours hoursLeft } jobCoachings { hours orderedBy } } }";
        for role in ["TE_EXPERT", "EKSOTE_WORKER", "TYP_OFFICER"] {
            let (_, v) = app.gql(&app.token_for(role), view, json!({ "c": client })).await;
            assert_eq!(v["data"]["caseView"]["teCoachingHours"], json!({ "capHours": 50, "boughtHours": 50, "usedHours": 0, "hoursLeft": 0 }), "{role}: {v}");
            assert_eq!(v["data"]["caseView"]["jobCoachings"].as_array().map(Vec::len), Some(2), "{role}: {v}");
        }
        // Kela reads no COACHING: the fields are withheld.
        let (_, v) = app.gql(&app.token_for("KELA_EXPERT"), view, json!({ "c": client })).await;
        assert!(v["data"]["caseView"]["teCoachingHours"].is_null(), "{v}");
        assert!(v["errors"].as_array().is_some_and(|e| !e.is_empty()), "{v}");
        // Two orders, two WRITE rows of COACHING for the client.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{client}' AND action = 'WRITE' AND field_groups = 'COACHING'")).await, 2);
    }
}

on_both! {
    async fn hours_used_are_recorded_by_the_coach_or_the_orderer_never_beyond_the_hours_bought(app) {
        let county = app.token_for("EKSOTE_WORKER");
        let b = order(&app, &county, &app.fx.shared, 10, Some(&app.fx.p1.clone())).await;
        let id = b["data"]["orderJobCoaching"]["id"].as_str().unwrap_or_else(|| panic!("{b}")).to_owned();
        let rec = |token: String, worked: String, hours: i64| {
            let id = id.clone();
            let app = &app;
            async move { app.gql(&token, HOURS, json!({ "i": { "coachingId": id, "workedOn": worked, "hours": hours } })).await.1 }
        };
        // The provider's own coach records.
        let b = rec(app.token_for("PROVIDER_COACH"), day(&app, -1), 6).await;
        assert_eq!(b["data"]["recordCoachingHours"]["hoursUsed"], 6, "{b}");
        // Another provider's coach and another agency's expert: as missing.
        let b = rec(app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]), day(&app, -1), 1).await;
        assert_eq!(err(&b).0, "NOT_FOUND", "{b}");
        let b = rec(app.token_for("TE_EXPERT"), day(&app, -1), 1).await;
        assert_eq!(err(&b).0, "NOT_FOUND", "{b}");
        // Beyond the hours bought: refused with the hours left.
        let b = rec(county.clone(), day(&app, 0), 5).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "hours"), "{b}");
        assert_eq!(b["errors"][0]["extensions"]["hoursLeft"], 4, "{b}");
        // A day in the future or before the start.
        let b = rec(county.clone(), day(&app, 1), 1).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "workedOn"), "{b}");
        let b = rec(county.clone(), day(&app, -11), 1).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "workedOn"), "{b}");
        // The orderer records the rest: exactly the hours bought.
        let b = rec(county.clone(), day(&app, 0), 4).await;
        assert_eq!(b["data"]["recordCoachingHours"]["hoursUsed"], 10, "{b}");
        let b = rec(county.clone(), day(&app, 0), 1).await;
        assert_eq!(b["errors"][0]["extensions"]["hoursLeft"], 0, "{b}");
        assert_eq!(app.count(&format!("SELECT COALESCE(SUM(hours), 0) FROM job_coaching_hours WHERE coaching_id = '{id}'")).await, 10);
        // The coach sees the coaching at its provider; the other provider's coach does not.
        let list = "{ providerJobCoachings { id hoursUsed } }";
        let (_, l) = app.gql(&app.token_for("PROVIDER_COACH"), list, json!({})).await;
        assert!(l["data"]["providerJobCoachings"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str() && c["hoursUsed"] == 10), "{l}");
        let (_, l) = app.gql(&app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]), list, json!({})).await;
        assert!(!l["data"]["providerJobCoachings"].as_array().unwrap().iter().any(|c| c["id"] == id.as_str()), "{l}");
        // Logged: the order and three recordings as COACHING writes, one by the coach.
        let shared = &app.fx.shared;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND action = 'WRITE' AND field_groups = 'COACHING'")).await, 3);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{shared}' AND action = 'WRITE' AND agency = 'PROVIDER'")).await, 1);
    }
}

on_both! {
    async fn only_the_employment_authority_and_the_county_order_coaching(app) {
        let i = json!({ "clientId": app.fx.shared, "kind": "GROUP", "providerId": app.fx.p1, "hours": 5, "startsOn": day(&app, 0) });
        for role in ["TYP_OFFICER", "KELA_EXPERT", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, b) = app.gql(&app.token_for(role), ORDER, json!({ "i": i })).await;
            crate::helpers::assert_mutation_not_in_schema(role, status, &b, "orderJobCoaching");
        }
        // The coach writes COACHING (its hours) but orders nothing.
        let (_, b) = app.gql(&app.token_for("PROVIDER_COACH"), ORDER, json!({ "i": i })).await;
        assert_eq!(err(&b).0, "FORBIDDEN", "{b}");
        // Out of scope is as missing.
        let mut own = i.clone();
        own["clientId"] = json!(uuid::Uuid::new_v4().to_string());
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), ORDER, json!({ "i": own })).await;
        assert_eq!(err(&b).0, "NOT_FOUND", "{b}");
        // The fixture's coaching only: nothing written by the refusals.
        assert_eq!(app.count("SELECT COUNT(*) FROM job_coaching").await, 1);
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), ORDER, json!({ "i": i })).await;
        assert_eq!(b["data"]["orderJobCoaching"]["kind"], "GROUP", "{b}");
    }
}

on_both! {
    async fn coaching_and_voucher_reports_publish_only_cells_of_five_persons(app) {
        let (p1, p2) = (app.fx.p1.clone(), app.fx.p2.clone());
        for n in 0..8 {
            crate::reports::person(&app, n, &p1, None, None).await;
        }
        let worker = app.fx.official("EKSOTE_WORKER").to_owned();
        // Six TE purchases at P1 (10 hours bought, 4 used each); two county orders at P2.
        for n in 0..8 {
            let (provider, agency) = if n < 6 { (&p1, "TE") } else { (&p2, "EKSOTE") };
            app.exec(&format!("INSERT INTO job_coaching (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on, hours_used) VALUES ('jc{n}', 'r{n}', '{provider}', 'INDIVIDUAL', '{agency}', 10, '2021-03-10', NULL, 4)")).await;
        }
        // Five accepted KTT vouchers at P1 in force in March 2021, none used.
        for n in 0..5 {
            app.exec(&format!("INSERT INTO service_voucher (id, client_id, kind, unit, value_cents, quantity, valid_from, valid_until, status, granted_by, granted_on, provider_id, chosen_on, answered_by, answered_on) VALUES ('sv{n}', 'r{n}', 'KTT', 'DAY', 3000, 60, '2021-02-01', '2021-06-30', 'ACCEPTED', '{worker}', '2021-01-20', '{p1}', '2021-01-21', '{worker}', '2021-01-22')")).await;
        }
        let q = "{ reports { coachingHours(from: \"2021-03-01\", to: \"2021-03-31\") { orderer providerId persons { value } hoursBought { value } hoursUsed { value } } \
                 voucherUse(from: \"2021-03-01\", to: \"2021-03-31\") { providerId kind persons { value } used { value suppressed } } } }";
        let (_, b) = app.gql(&app.token_for("ANALYST"), q, json!({})).await;
        // The county's two persons at P2 are left out; TE's six are 5, 60 hours, 24 -> 25.
        assert_eq!(b["data"]["reports"]["coachingHours"], json!([{ "orderer": "TE", "providerId": p1, "persons": { "value": 5 }, "hoursBought": { "value": 60 }, "hoursUsed": { "value": 25 } }]), "{b}");
        // Five persons' vouchers, none used yet.
        assert_eq!(b["data"]["reports"]["voucherUse"], json!([{ "providerId": p1, "kind": "KTT", "persons": { "value": 5 }, "used": { "value": 0, "suppressed": false } }]), "{b}");
        // Roles that do not read COACHING get no coaching report.
        for role in ["KELA_EXPERT"] {
            let (_, b) = app.gql(&app.token_for(role), q, json!({})).await;
            assert_eq!(b["errors"][0]["extensions"]["code"], "FORBIDDEN", "{role}: {b}");
        }
        // An agency worker counts the clients of its scope: the scope's client probe and
        // the vouchers are told apart in the statement.
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), q, json!({})).await;
        assert!(b.get("errors").is_none(), "{b}");
        assert!(b["data"]["reports"]["voucherUse"].is_array(), "{b}");
        // A coach counts its own provider's rows only: P2's coach sees none of P1's.
        let (_, b) = app.gql(&app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]), q, json!({})).await;
        assert_eq!(b["data"]["reports"]["coachingHours"], json!([]), "{b}");
        // The same as CSV.
        let csv = app.http.get(app.endpoint("/exports/reports/coaching-hours.csv?from=2021-03-01&to=2021-03-31")).bearer_auth(app.token_for("ANALYST")).send().await.unwrap().text().await.unwrap();
        assert_eq!(csv.lines().nth(1), Some("TE,Koe työpaja,5,false,60,false,25,false"), "{csv}");
        assert_eq!(csv.lines().count(), 2, "{csv}");
    }
}
