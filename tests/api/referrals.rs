//! A referral's life cycle: sent -> accepted / declined -> done, answered by the receiving
//! agency only, visible in the case view and the meeting brief.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const FIELDS: &str = "id fromAgency toAgency service reason status sentOn answeredOn dueOn overdue declineReason outcome doneOn";

fn code(b: &Json) -> (&str, &str) {
    let e = &b["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or(""),
        e["field"].as_str().unwrap_or(""),
    )
}

/// A responsible officer at Kela (the fixture's is at TE).
async fn kela_officer(app: &TestApp) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    app.exec(&format!("INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('{id}', 'Kela Officer', 'KELA', NULL, {}, '2026-01-01 00:00:00+00:00')", if app.url.starts_with("postgres") { "TRUE" } else { "1" })).await;
    app.exec(&format!(
        "INSERT INTO official_role (official_id, role) VALUES ('{id}', 'TYP_OFFICER')"
    ))
    .await;
    app.token(&id, &["TYP_OFFICER"])
}

on_both! {
    async fn a_referral_is_sent_accepted_and_done_with_the_outcome_back_to_the_sender(app) {
        let te = app.token_for("TYP_OFFICER");
        let kela = kela_officer(&app).await;
        let today = app.fx.today;
        let send = format!("mutation S($i: SendReferralInput!) {{ sendReferral(input: $i) {{ {FIELDS} }} }}");
        let input = json!({ "clientId": app.fx.shared, "toAgency": "KELA", "service": "Kela vocational rehabilitation", "reason": "Work ability unclear after the try-out" });
        let (_, sent) = app.gql(&te, &send, json!({ "i": input })).await;
        assert!(sent.get("errors").is_none(), "{sent}");
        let r = &sent["data"]["sendReferral"];
        assert_eq!((r["status"].as_str(), r["fromAgency"].as_str(), r["toAgency"].as_str()), (Some("SENT"), Some("TE"), Some("KELA")));
        assert_eq!(r["sentOn"], today.to_string());
        let id = r["id"].as_str().unwrap().to_owned();

        // Bad input is typed and writes nothing.
        for (patch, field) in [
            (json!({ "toAgency": "TE" }), "toAgency"),
            (json!({ "toAgency": "PROVIDER" }), "toAgency"),
            (json!({ "service": "  " }), "service"),
            (json!({ "clientId": app.fx.own_only }), "clientId"),
        ] {
            let mut i = input.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&te, &send, json!({ "i": i })).await;
            let (c, f) = code(&b);
            assert!(c == "BAD_USER_INPUT" && f == field || c == "NOT_FOUND", "{field}: {b}");
        }
        // The fixture's referral and this one: nothing written by the refusals.
        assert_eq!(app.count("SELECT COUNT(*) FROM referral").await, 2);

        // Only the receiving agency answers; the sender cannot accept its own referral.
        let answer = format!("mutation A($i: AnswerReferralInput!) {{ answerReferral(input: $i) {{ {FIELDS} }} }}");
        let due = today.checked_add_days(chrono::Days::new(30)).unwrap().to_string();
        let (_, b) = app.gql(&te, &answer, json!({ "i": { "referralId": id, "accept": true, "dueOn": due } })).await;
        assert_eq!(code(&b).0, "FORBIDDEN", "{b}");
        let (_, b) = app.gql(&kela, &answer, json!({ "i": { "referralId": id, "accept": true } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "dueOn"), "{b}");
        let (_, accepted) = app.gql(&kela, &answer, json!({ "i": { "referralId": id, "accept": true, "dueOn": due } })).await;
        let r = &accepted["data"]["answerReferral"];
        assert_eq!((r["status"].as_str(), r["dueOn"].as_str(), r["overdue"].as_bool()), (Some("ACCEPTED"), Some(due.as_str()), Some(false)), "{accepted}");
        let (_, again) = app.gql(&kela, &answer, json!({ "i": { "referralId": id, "accept": false, "declineReason": "No" } })).await;
        assert_eq!(code(&again).0, "CONFLICT", "{again}");

        // In the case view and the meeting brief, for the sender and the other agencies.
        let view = "query V($c: ID!) { caseView(clientId: $c) { referrals { status toAgency dueOn outcome } } }";
        let (_, v) = app.gql(&app.token_for("EKSOTE_WORKER"), view, json!({ "c": app.fx.shared })).await;
        // Newest first: this one, sent today, before the fixture's.
        assert_eq!(v["data"]["caseView"]["referrals"][0], json!({ "status": "ACCEPTED", "toAgency": "KELA", "dueOn": due, "outcome": null }), "{v}");
        let brief = "query B($m: ID!) { meetingBrief(meetingId: $m) { openReferrals { id status } } }";
        let open_ids = |b: &Json| -> Vec<String> {
            b["data"]["meetingBrief"]["openReferrals"].as_array().unwrap_or_else(|| panic!("{b}")).iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
        };
        let (_, b) = app.gql(&te, brief, json!({ "m": app.fx.next_meeting })).await;
        assert!(open_ids(&b).contains(&id), "{b}");

        // Done: the outcome goes back to the sender; the brief no longer lists it as open.
        let complete = format!("mutation C($i: CompleteReferralInput!) {{ completeReferral(input: $i) {{ {FIELDS} }} }}");
        let (_, done) = app.gql(&kela, &complete, json!({ "i": { "referralId": id, "outcome": "Vocational rehabilitation granted from next month" } })).await;
        assert_eq!(done["data"]["completeReferral"]["status"], "DONE", "{done}");
        assert_eq!(done["data"]["completeReferral"]["doneOn"], today.to_string());
        let (_, v) = app.gql(&te, view, json!({ "c": app.fx.shared })).await;
        assert_eq!(v["data"]["caseView"]["referrals"][0]["outcome"], "Vocational rehabilitation granted from next month", "{v}");
        let (_, b) = app.gql(&te, brief, json!({ "m": app.fx.next_meeting })).await;
        assert!(!open_ids(&b).contains(&id), "done is not open: {b}");
        assert_eq!(open_ids(&b).len(), 1, "the fixture's stays open: {b}");
        let (_, b) = app.gql(&kela, &complete, json!({ "i": { "referralId": id, "outcome": "again" } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");

        // Every change was logged as a CASE write for the client.
        let writes = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND field_groups = 'CASE'", app.fx.shared)).await;
        assert_eq!(writes, 3);
    }
}

on_both! {
    async fn a_declined_referral_carries_its_reason_and_cannot_be_done(app) {
        let te = app.token_for("TYP_OFFICER");
        let kela = kela_officer(&app).await;
        let (_, sent) = app.gql(&te, "mutation S($i: SendReferralInput!) { sendReferral(input: $i) { id } }", json!({ "i": { "clientId": app.fx.shared, "toAgency": "KELA", "service": "Medical rehabilitation", "reason": "Back pain limits the try-out" } })).await;
        let id = sent["data"]["sendReferral"]["id"].as_str().unwrap_or_else(|| panic!("{sent}")).to_owned();
        let answer = "mutation A($i: AnswerReferralInput!) { answerReferral(input: $i) { status declineReason dueOn } }";
        let (_, b) = app.gql(&kela, answer, json!({ "i": { "referralId": id, "accept": false } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "declineReason"), "{b}");
        let (_, b) = app.gql(&kela, answer, json!({ "i": { "referralId": id, "accept": false, "declineReason": "Occupational health care first" } })).await;
        assert_eq!(b["data"]["answerReferral"], json!({ "status": "DECLINED", "declineReason": "Occupational health care first", "dueOn": null }), "{b}");
        let (_, b) = app.gql(&kela, "mutation C($i: CompleteReferralInput!) { completeReferral(input: $i) { status } }", json!({ "i": { "referralId": id, "outcome": "x" } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        // Roles without CASE write cannot send or answer; out of scope is NOT_FOUND.
        let (_, b) = app.gql(&app.token_for("TE_EXPERT"), "mutation S($i: SendReferralInput!) { sendReferral(input: $i) { id } }", json!({ "i": { "clientId": app.fx.shared, "toAgency": "KELA", "service": "x", "reason": "y" } })).await;
        assert!(b.get("errors").is_some(), "{b}");
        let (_, b) = app.gql(&app.token_for("PROVIDER_COACH"), "query V($c: ID!) { caseView(clientId: $c) { referrals { status } } }", json!({ "c": app.fx.shared })).await;
        assert!(b["data"]["caseView"]["referrals"].is_null(), "{b}");
    }
}
