//! The agencies' own work: the employment authority's plan items and follow-ups and the
//! expert assessments it buys, Kela's benefit decisions and referrals to its vocational
//! rehabilitation, and competence recognised from KTT periods; each write's rule edges, who
//! may make it, and its access-log row.

use chrono::Days;
use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;
use crate::policy::ALL_ROLES;

fn code(b: &Json) -> (&str, &str) {
    let e = &b["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or(""),
        e["field"].as_str().unwrap_or(""),
    )
}

fn day(app: &TestApp, offset: i64) -> String {
    let t = app.fx.today;
    if offset >= 0 {
        t.checked_add_days(Days::new(offset as u64))
            .unwrap()
            .to_string()
    } else {
        t.checked_sub_days(Days::new((-offset) as u64))
            .unwrap()
            .to_string()
    }
}

/// A token for `role` as the fixture official holding it (the coach at P1).
fn as_role(app: &TestApp, role: &str) -> String {
    app.token(app.fx.official(role), &[role])
}

/// Every role but `allowed` is refused the mutation: `FORBIDDEN`, or not in its schema at
/// all; nothing is written.
async fn only(app: &TestApp, allowed: &[&str], query: &str, vars: Json, rows: &str) {
    let before = app.count(rows).await;
    for role in ALL_ROLES.iter().filter(|r| !allowed.contains(r)) {
        let (_, b) = app.gql(&as_role(app, role), query, vars.clone()).await;
        let c = b["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
        assert!(
            c == "FORBIDDEN" || c == "GRAPHQL_VALIDATION_FAILED",
            "{role} must be refused: {b}"
        );
    }
    assert_eq!(app.count(rows).await, before, "a refused role wrote");
}

async fn writes(app: &TestApp, op: &str, group: &str) -> i64 {
    app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE action = 'WRITE' AND operation = '{op}' AND field_groups = '{group}'")).await
}

const ITEM: &str =
    "id kind description dueOn followUpStatus followedUpOn followUpNote newDueOn followUpCorrected";

on_both! {
    async fn the_employment_authority_adds_items_and_follows_each_up_once_or_as_a_correction(app) {
        let te = app.token_for("TE_EXPERT");
        let add = format!("mutation A($i: AddEmploymentItemInput!) {{ addEmploymentItem(input: $i) {{ {ITEM} }} }}");
        let input = json!({ "clientId": app.fx.shared, "kind": "TRAINING", "description": "Apply for the forklift course", "dueOn": day(&app, 20) });
        only(&app, &["TE_EXPERT"], &add, json!({ "i": input }), "SELECT COUNT(*) FROM employment_item").await;
        for (patch, field) in [
            (json!({ "description": " " }), "description"),
            (json!({ "description": "x".repeat(2001) }), "description"),
            (json!({ "dueOn": day(&app, -31) }), "dueOn"),
        ] {
            let mut i = input.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&te, &add, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{b}");
        }
        let mut missing = input.clone();
        missing["clientId"] = json!(uuid::Uuid::new_v4().to_string());
        let (_, b) = app.gql(&te, &add, json!({ "i": missing })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        // Within the backdating limit a due date may lie a little in the past.
        let mut recent = input.clone();
        recent["dueOn"] = json!(day(&app, -3));
        let (_, b) = app.gql(&te, &add, json!({ "i": recent })).await;
        assert!(b.get("errors").is_none(), "{b}");
        let (_, added) = app.gql(&te, &add, json!({ "i": input })).await;
        let item = &added["data"]["addEmploymentItem"];
        assert_eq!((item["kind"].as_str(), item["followUpStatus"].as_str()), (Some("TRAINING"), None), "{added}");
        let id = item["id"].as_str().unwrap().to_owned();
        assert_eq!(writes(&app, "addEmploymentItem", "EMPLOYMENT").await, 2);

        let follow = format!("mutation F($i: RecordEmploymentItemFollowUpInput!) {{ recordEmploymentItemFollowUp(input: $i) {{ {ITEM} }} }}");
        let base = json!({ "itemId": id, "outcome": "POSTPONED", "followedUpOn": day(&app, 0), "note": "The course starts in spring", "newDueOn": day(&app, 60) });
        only(&app, &["TE_EXPERT"], &follow, json!({ "i": base }), "SELECT COUNT(*) FROM employment_item WHERE follow_up_status IS NOT NULL").await;
        for (patch, field) in [
            (json!({ "newDueOn": null }), "newDueOn"),
            (json!({ "newDueOn": day(&app, 10) }), "newDueOn"),
            (json!({ "outcome": "DONE" }), "newDueOn"),
            (json!({ "followedUpOn": day(&app, 1) }), "followedUpOn"),
            (json!({ "followedUpOn": day(&app, -1) }), "followedUpOn"),
            (json!({ "correction": true }), "correction"),
            (json!({ "note": "y".repeat(2001) }), "note"),
        ] {
            let mut i = base.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&te, &follow, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{patch}: {b}");
        }
        let (_, b) = app.gql(&te, &follow, json!({ "i": { "itemId": uuid::Uuid::new_v4().to_string(), "outcome": "DONE", "followedUpOn": day(&app, 0) } })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        let (_, done) = app.gql(&te, &follow, json!({ "i": base })).await;
        let f = &done["data"]["recordEmploymentItemFollowUp"];
        assert_eq!((f["followUpStatus"].as_str(), f["newDueOn"].as_str(), f["followUpCorrected"].as_bool()), (Some("POSTPONED"), Some(day(&app, 60).as_str()), Some(false)), "{done}");
        // Once; then only as a correction.
        let (_, again) = app.gql(&te, &follow, json!({ "i": { "itemId": id, "outcome": "DONE", "followedUpOn": day(&app, 0) } })).await;
        assert_eq!(code(&again).0, "CONFLICT", "{again}");
        let (_, fixed) = app.gql(&te, &follow, json!({ "i": { "itemId": id, "outcome": "DONE", "followedUpOn": day(&app, 0), "correction": true } })).await;
        let f = &fixed["data"]["recordEmploymentItemFollowUp"];
        assert_eq!((f["followUpStatus"].as_str(), f["newDueOn"].as_str(), f["followUpCorrected"].as_bool()), (Some("DONE"), None, Some(true)), "{fixed}");
        assert_eq!(writes(&app, "recordEmploymentItemFollowUp", "EMPLOYMENT").await, 2);

        // The case team reads it in the case view (EMPLOYMENT); Kela does not.
        let view = "query V($c: ID!) { caseView(clientId: $c) { employmentItems { id followUpStatus } } }";
        let (_, v) = app.gql(&app.token_for("TYP_OFFICER"), view, json!({ "c": app.fx.shared })).await;
        let items = v["data"]["caseView"]["employmentItems"].as_array().unwrap_or_else(|| panic!("{v}"));
        assert!(items.iter().any(|i| i["id"] == json!(id) && i["followUpStatus"] == "DONE"), "{v}");
        let (status, v) = app.gql(&app.token_for("KELA_EXPERT"), view, json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 400, "{v}");
    }
}

const DECISION: &str =
    "id benefitKind status decidedOn validFrom validUntil statusChangedOn agency";

on_both! {
    async fn kela_records_benefit_decisions_and_moves_them_only_forwards(app) {
        let kela = app.token_for("KELA_EXPERT");
        let record = format!("mutation R($i: RecordBenefitDecisionInput!) {{ recordBenefitDecision(input: $i) {{ {DECISION} }} }}");
        let input = json!({ "clientId": app.fx.shared, "benefitKind": "REHABILITATION_ALLOWANCE", "status": "PENDING", "decidedOn": day(&app, -5) });
        only(&app, &["KELA_EXPERT"], &record, json!({ "i": input }), "SELECT COUNT(*) FROM benefit_decision").await;
        for (patch, field) in [
            (json!({ "status": "ENDED" }), "status"),
            (json!({ "decidedOn": day(&app, 1) }), "decidedOn"),
            (json!({ "validFrom": day(&app, -5) }), "validFrom"),
            (json!({ "status": "GRANTED" }), "validFrom"),
            (json!({ "status": "GRANTED", "validFrom": day(&app, 0), "validUntil": day(&app, -1) }), "validUntil"),
        ] {
            let mut i = input.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&kela, &record, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{patch}: {b}");
        }
        let mut missing = input.clone();
        missing["clientId"] = json!(uuid::Uuid::new_v4().to_string());
        let (_, b) = app.gql(&kela, &record, json!({ "i": missing })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        let (_, pending) = app.gql(&kela, &record, json!({ "i": input })).await;
        let d = &pending["data"]["recordBenefitDecision"];
        assert_eq!((d["status"].as_str(), d["agency"].as_str(), d["validFrom"].as_str()), (Some("PENDING"), Some("KELA"), None), "{pending}");
        let id = d["id"].as_str().unwrap().to_owned();
        assert_eq!(writes(&app, "recordBenefitDecision", "BENEFIT").await, 1);

        let update = format!("mutation U($i: UpdateBenefitDecisionStatusInput!) {{ updateBenefitDecisionStatus(input: $i) {{ {DECISION} }} }}");
        let grant = json!({ "decisionId": id, "status": "GRANTED", "changedOn": day(&app, 0), "validFrom": day(&app, 0) });
        only(&app, &["KELA_EXPERT"], &update, json!({ "i": grant }), "SELECT COUNT(*) FROM benefit_decision WHERE status = 'GRANTED'").await;
        // ENDED only from GRANTED; a change not dated before the decision nor in the future.
        let (_, b) = app.gql(&kela, &update, json!({ "i": { "decisionId": id, "status": "ENDED", "changedOn": day(&app, 0), "validUntil": day(&app, 0) } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        for (patch, field) in [
            (json!({ "changedOn": day(&app, -6) }), "changedOn"),
            (json!({ "changedOn": day(&app, 1) }), "changedOn"),
            (json!({ "validFrom": null }), "validFrom"),
        ] {
            let mut i = grant.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&kela, &update, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{patch}: {b}");
        }
        let (_, granted) = app.gql(&kela, &update, json!({ "i": grant })).await;
        let d = &granted["data"]["updateBenefitDecisionStatus"];
        assert_eq!((d["status"].as_str(), d["validFrom"].as_str(), d["statusChangedOn"].as_str()), (Some("GRANTED"), Some(day(&app, 0).as_str()), Some(day(&app, 0).as_str())), "{granted}");
        let (_, b) = app.gql(&kela, &update, json!({ "i": { "decisionId": id, "status": "REJECTED", "changedOn": day(&app, 0) } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        let (_, b) = app.gql(&kela, &update, json!({ "i": { "decisionId": id, "status": "ENDED", "changedOn": day(&app, 0) } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "validUntil"), "{b}");
        let (_, ended) = app.gql(&kela, &update, json!({ "i": { "decisionId": id, "status": "ENDED", "changedOn": day(&app, 0), "validUntil": day(&app, 0) } })).await;
        assert_eq!(ended["data"]["updateBenefitDecisionStatus"]["status"], "ENDED", "{ended}");
        let (_, b) = app.gql(&kela, &update, json!({ "i": { "decisionId": id, "status": "GRANTED", "changedOn": day(&app, 0) } })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        let (_, b) = app.gql(&kela, &update, json!({ "i": { "decisionId": uuid::Uuid::new_v4().to_string(), "status": "GRANTED", "changedOn": day(&app, 0), "validFrom": day(&app, 0) } })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        assert_eq!(writes(&app, "updateBenefitDecisionStatus", "BENEFIT").await, 2);
        // In the case view for the BENEFIT readers; not for the county.
        let view = "query V($c: ID!) { caseView(clientId: $c) { benefits { status benefitKind } } }";
        let (_, v) = app.gql(&app.token_for("TE_EXPERT"), view, json!({ "c": app.fx.shared })).await;
        assert!(v["data"]["caseView"]["benefits"].as_array().unwrap_or_else(|| panic!("{v}")).iter().any(|d| d["benefitKind"] == "REHABILITATION_ALLOWANCE" && d["status"] == "ENDED"), "{v}");
        let (status, _) = app.gql(&app.token_for("EKSOTE_WORKER"), view, json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 400);
    }
}

const ASSESS: &str = "mutation A($i: RecordWorkAbilityAssessmentInput!) { recordWorkAbilityAssessment(input: $i) { id assessorAgency expertName conclusion restrictions } }";

on_both! {
    async fn an_assessment_the_employment_authority_bought_falls_under_the_same_duplicate_rule(app) {
        let te = app.token_for("TE_EXPERT");
        // The shared client has the county's assessment of 90 days ago.
        let input = json!({ "clientId": app.fx.shared, "assessedOn": day(&app, -2), "conclusion": "Fit for part-time work", "restrictions": "No night shifts", "expertName": "Esimerkki Arviointi Oy" });
        let reuses = "SELECT COUNT(*) FROM assessment_reuse WHERE requested_by_agency = 'TE'";
        let (_, dup) = app.gql(&te, ASSESS, json!({ "i": input })).await;
        assert_eq!(code(&dup).0, "CONFLICT", "{dup}");
        assert_eq!(dup["errors"][0]["extensions"]["existing"]["assessorAgency"], "EKSOTE", "{dup}");
        assert_eq!(app.count(reuses).await, 1, "the duplicate avoided is counted");
        // Rule edges: the expert is named, no health details, no future date.
        for (patch, field) in [
            (json!({ "expertName": null }), "expertName"),
            (json!({ "expertName": "z".repeat(201) }), "expertName"),
            (json!({ "assessedOn": day(&app, 1) }), "assessedOn"),
            (json!({ "conclusion": "" }), "conclusion"),
        ] {
            let mut i = input.clone();
            i["overrideReason"] = json!("A new question");
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&te, ASSESS, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{patch}: {b}");
        }
        let mut health = input.clone();
        health["details"] = json!("Back strain");
        health["overrideReason"] = json!("A new question");
        let (_, b) = app.gql(&te, ASSESS, json!({ "i": health })).await;
        assert_eq!(code(&b).0, "FORBIDDEN", "{b}");
        // The county's own assessment names no outside expert.
        let mut county = input.clone();
        county["clientId"] = json!(app.fx.other_placement);
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), ASSESS, json!({ "i": county })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "expertName"), "{b}");
        // Only the agencies that assess: the others are refused.
        let mut fresh = input.clone();
        fresh["clientId"] = json!(app.fx.other_placement);
        only(&app, &["TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT"], ASSESS, json!({ "i": fresh }), "SELECT COUNT(*) FROM work_ability_assessment").await;
        // A client without a recent one: recorded as TE's, with the expert.
        let (_, ok) = app.gql(&te, ASSESS, json!({ "i": fresh })).await;
        let a = &ok["data"]["recordWorkAbilityAssessment"];
        assert_eq!((a["assessorAgency"].as_str(), a["expertName"].as_str()), (Some("TE"), Some("Esimerkki Arviointi Oy")), "{ok}");
        assert_eq!(writes(&app, "recordWorkAbilityAssessment", "WORK_ABILITY").await, 1);
        // ... and it is a recent one for Kela now: Kela's new one is the duplicate.
        let mut kela = fresh.clone();
        kela.as_object_mut().unwrap().remove("expertName");
        let (_, b) = app.gql(&app.token_for("KELA_EXPERT"), ASSESS, json!({ "i": kela })).await;
        assert_eq!(code(&b).0, "CONFLICT", "{b}");
        assert_eq!(b["errors"][0]["extensions"]["existing"]["assessorAgency"], "TE", "{b}");
        // Overridden with a reason, the bought one is recorded beside the county's.
        let mut over = input.clone();
        over["overrideReason"] = json!("The county's assessment predates the surgery");
        let (_, b) = app.gql(&te, ASSESS, json!({ "i": over })).await;
        assert!(b.get("errors").is_none(), "{b}");
        assert_eq!(app.count(reuses).await, 1);
    }
}

on_both! {
    async fn a_referral_to_kelas_vocational_rehabilitation_goes_to_kela_and_is_counted_by_kind(app) {
        let officer = app.token_for("TYP_OFFICER");
        let send = "mutation S($i: SendReferralInput!) { sendReferral(input: $i) { id kind toAgency status } }";
        let input = json!({ "clientId": app.fx.shared, "toAgency": "KELA", "kind": "KELA_VOCATIONAL_REHABILITATION", "service": "Vocational rehabilitation", "reason": "Retraining towards lighter work" });
        let mut wrong = input.clone();
        wrong["toAgency"] = json!("EKSOTE");
        let (_, b) = app.gql(&officer, send, json!({ "i": wrong })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "toAgency"), "{b}");
        only(&app, &["TYP_OFFICER"], send, json!({ "i": input }), "SELECT COUNT(*) FROM referral").await;
        let (_, sent) = app.gql(&officer, send, json!({ "i": input })).await;
        let r = &sent["data"]["sendReferral"];
        assert_eq!((r["kind"].as_str(), r["toAgency"].as_str(), r["status"].as_str()), (Some("KELA_VOCATIONAL_REHABILITATION"), Some("KELA"), Some("SENT")), "{sent}");
        // Without a kind a referral is OTHER, as those sent before kinds were kept.
        let mut other = input.clone();
        other.as_object_mut().unwrap().remove("kind");
        other["toAgency"] = json!("EKSOTE");
        let (_, b) = app.gql(&officer, send, json!({ "i": other })).await;
        assert_eq!(b["data"]["sendReferral"]["kind"], "OTHER", "{b}");
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'sendReferral' AND field_groups = 'CASE'", app.fx.shared)).await;
        assert_eq!(logged, 2);
        // Visible in the case view to the agencies.
        let view = "query V($c: ID!) { caseView(clientId: $c) { referrals { kind status } } }";
        let (_, v) = app.gql(&app.token_for("KELA_EXPERT"), view, json!({ "c": app.fx.shared })).await;
        assert!(v["data"]["caseView"]["referrals"].as_array().unwrap_or_else(|| panic!("{v}")).iter().any(|r| r["kind"] == "KELA_VOCATIONAL_REHABILITATION"), "{v}");
        // Reported by kind: one person is suppressed, never shown.
        let first = app.fx.today.format("%Y-%m-01").to_string();
        let last = {
            let next = chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap().checked_add_months(chrono::Months::new(1)).unwrap();
            next.pred_opt().unwrap().to_string()
        };
        let q = format!("{{ reports {{ referrals(from: \"{first}\", to: \"{last}\") {{ kind sent {{ value suppressed }} accepted {{ suppressed }} done {{ suppressed }} }} }} }}");
        let (_, rep) = app.gql(&app.token_for("ANALYST"), &q, json!({})).await;
        let rows = rep["data"]["reports"]["referrals"].as_array().unwrap_or_else(|| panic!("{rep}"));
        assert_eq!(rows.len(), 2, "{rep}");
        assert!(rows.iter().all(|r| r["sent"]["suppressed"] == true && r["sent"]["value"].is_null()), "{rep}");
        let (_, b) = app.gql(&app.token_for("PROVIDER_COACH"), &q, json!({})).await;
        assert!(b["data"]["reports"]["referrals"].is_null() || b["data"].is_null(), "a coach reads no CASE: {b}");
    }
}

const COMPETENCE: &str = "mutation C($i: RecordCompetenceInput!) { recordCompetence(input: $i) { id periodId qualification qualificationUnit competenceAreas educationProvider certifiedOn } }";

/// The fixture's periods: the shared client's at P1, the other client's at P2.
async fn period_of(app: &TestApp, client: &str) -> String {
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT id FROM rehab_period WHERE client_id = '{client}'"),
        ))
        .await
        .unwrap();
    rows[0].try_get_by_index::<String>(0).unwrap()
}

use sea_orm::ConnectionTrait;

on_both! {
    async fn a_coach_records_competence_of_own_placements_and_the_case_team_and_client_read_it(app) {
        let coach = as_role(&app, "PROVIDER_COACH");
        let period = period_of(&app, &app.fx.shared).await;
        let input = json!({ "periodId": period, "qualification": "Vocational qualification in property services", "qualificationUnit": "Cleaning", "competenceAreas": "Cleaning methods; working safely", "educationProvider": "Koe-opisto", "certifiedOn": day(&app, -1) });
        only(&app, &["PROVIDER_COACH"], COMPETENCE, json!({ "i": input }), "SELECT COUNT(*) FROM competence_record").await;
        for (patch, field) in [
            (json!({ "qualification": "" }), "qualification"),
            (json!({ "qualificationUnit": "u".repeat(201) }), "qualificationUnit"),
            (json!({ "competenceAreas": " " }), "competenceAreas"),
            (json!({ "educationProvider": "" }), "educationProvider"),
            (json!({ "certifiedOn": day(&app, 1) }), "certifiedOn"),
            (json!({ "certifiedOn": day(&app, -61) }), "certifiedOn"),
        ] {
            let mut i = input.clone();
            for (k, v) in patch.as_object().unwrap() { i[k] = v.clone(); }
            let (_, b) = app.gql(&coach, COMPETENCE, json!({ "i": i })).await;
            assert_eq!(code(&b), ("BAD_USER_INPUT", field), "{patch}: {b}");
        }
        // Another provider's placement is out of the coach's scope: as missing.
        let elsewhere = period_of(&app, &app.fx.other_placement).await;
        let mut i = input.clone();
        i["periodId"] = json!(elsewhere);
        let (_, b) = app.gql(&coach, COMPETENCE, json!({ "i": i })).await;
        assert_eq!(code(&b).0, "NOT_FOUND", "{b}");
        let (_, ok) = app.gql(&coach, COMPETENCE, json!({ "i": input })).await;
        assert_eq!(ok["data"]["recordCompetence"]["qualificationUnit"], "Cleaning", "{ok}");
        let (_, b) = app.gql(&coach, COMPETENCE, json!({ "i": input })).await;
        assert_eq!(code(&b).0, "CONFLICT", "the same unit once a period: {b}");
        assert_eq!(writes(&app, "recordCompetence", "COMPETENCE").await, 1);

        // The case team and the agencies read it in the case view, the period and the brief.
        let view = "query V($c: ID!) { caseView(clientId: $c) { competenceRecords { qualification } rehabPeriods { competenceRecords { qualificationUnit } } } }";
        for role in ["TYP_OFFICER", "TE_EXPERT", "EKSOTE_WORKER", "KELA_EXPERT", "PROVIDER_COACH"] {
            let (_, v) = app.gql(&as_role(&app, role), view, json!({ "c": app.fx.shared })).await;
            let list = v["data"]["caseView"]["competenceRecords"].as_array().unwrap_or_else(|| panic!("{role}: {v}"));
            assert_eq!(list.len(), 2, "{role}: {v}");
            assert!(v.get("errors").is_none(), "{role}: {v}");
        }
        let read = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND field_groups LIKE '%COMPETENCE%'", app.fx.shared)).await;
        assert!(read >= 5, "every read is logged: {read}");
        let brief = "query B($m: ID!) { meetingBrief(meetingId: $m) { competenceRecords { qualification certifiedOn } } }";
        let (_, b) = app.gql(&app.token_for("TYP_OFFICER"), brief, json!({ "m": app.fx.next_meeting })).await;
        assert_eq!(b["data"]["meetingBrief"]["competenceRecords"].as_array().map(Vec::len), Some(2), "{b}");
        // The client reads their own.
        let me = app.token(&app.fx.shared, &["CLIENT"]);
        let (_, mine) = app.gql(&me, "{ myCase { competence { qualification educationProvider certifiedOn } } }", json!({})).await;
        assert_eq!(mine["data"]["myCase"]["competence"].as_array().map(Vec::len), Some(2), "{mine}");
        let own_read = app.count(&format!("SELECT COUNT(*) FROM client_access_log WHERE client_id = '{}' AND field_groups LIKE '%COMPETENCE%'", app.fx.shared)).await;
        assert!(own_read >= 1, "the client's read is logged");
        // Not disclosed by consent: it is no consent's group.
        let consent = "mutation C($i: RecordConsentInput!) { recordConsent(input: $i) { id } }";
        let (_, b) = app.gql(&app.token_for("TYP_OFFICER"), consent, json!({ "i": { "clientId": app.fx.shared, "recipientAgency": "KELA", "fieldGroups": ["COMPETENCE"], "givenOn": day(&app, 0) } })).await;
        assert_eq!(code(&b), ("BAD_USER_INPUT", "fieldGroups"), "{b}");

        // Reported by qualification: a qualification of fewer than five persons is not named.
        let first = app.fx.today.format("%Y-%m-01").to_string();
        let last = chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap().checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap().to_string();
        let from = chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap().checked_sub_months(chrono::Months::new(1)).unwrap().to_string();
        let q = format!("{{ reports {{ competence(from: \"{from}\", to: \"{last}\") {{ persons {{ value suppressed }} byQualification {{ qualification persons {{ value suppressed }} }} }} }} }}");
        for role in ["ANALYST", "TE_EXPERT", "PROVIDER_COACH"] {
            let (_, rep) = app.gql(&as_role(&app, role), &q, json!({})).await;
            let r = &rep["data"]["reports"]["competence"];
            assert_eq!(r["persons"], json!({ "value": null, "suppressed": true }), "{role}: {rep}");
            assert_eq!(r["byQualification"], json!([{ "qualification": "OTHER", "persons": { "value": null, "suppressed": true } }]), "{role}: {rep}");
        }
        for role in ["AUDITOR", "ADMIN"] {
            let (_, rep) = app.gql(&as_role(&app, role), &q, json!({})).await;
            assert!(rep["data"].is_null() || rep["data"]["reports"]["competence"].is_null(), "{role}: {rep}");
        }
    }
}

on_both! {
    async fn five_persons_with_one_qualification_are_published_by_name(app) {
        let coach = as_role(&app, "PROVIDER_COACH");
        // Four more clients with periods at P1, each with the same qualification.
        let mut periods = vec![period_of(&app, &app.fx.shared).await];
        for n in 0..4 {
            let client = uuid::Uuid::new_v4().to_string();
            let period = uuid::Uuid::new_v4().to_string();
            let code = ["040490-904A", "050590-905R", "060690-906T", "070790-907J"][n];
            app.exec(&format!("INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES ('{client}', '{code}', 'Koe', 'Henkilö', 'EKSOTE', 1, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')")).await;
            app.exec(&format!("INSERT INTO rehab_period (id, client_id, provider_id, decision_number, decided_on, decided_by, starts_on, ends_on, days_per_week, hours_per_day, goal, created_at, allowed_exceptions) VALUES ('{period}', '{client}', '{}', 'KTT-X-{n}', '{}', '{}', '{}', '{}', 3, 6, 'Rhythm', '2026-01-01 00:00:00+00:00', 'EVENT')", app.fx.p1, day(&app, -60), app.fx.official("EKSOTE_WORKER"), day(&app, -60), day(&app, 30))).await;
            periods.push(period);
        }
        for p in &periods {
            let (_, b) = app.gql(&coach, COMPETENCE, json!({ "i": { "periodId": p, "qualification": "Vocational qualification in logistics", "competenceAreas": "Receiving goods", "educationProvider": "Koe-opisto", "certifiedOn": day(&app, 0) } })).await;
            assert!(b.get("errors").is_none(), "{b}");
        }
        let first = app.fx.today.format("%Y-%m-01").to_string();
        let last = chrono::NaiveDate::parse_from_str(&first, "%Y-%m-%d").unwrap().checked_add_months(chrono::Months::new(1)).unwrap().pred_opt().unwrap().to_string();
        let q = format!("{{ reports {{ competence(from: \"{first}\", to: \"{last}\") {{ persons {{ value }} byQualification {{ qualification persons {{ value suppressed }} }} }} }} }}");
        let (_, rep) = app.gql(&app.token_for("ANALYST"), &q, json!({})).await;
        let r = &rep["data"]["reports"]["competence"];
        assert_eq!(r["persons"]["value"], 5, "{rep}");
        let rows = r["byQualification"].as_array().unwrap_or_else(|| panic!("{rep}"));
        assert_eq!(rows[0]["qualification"], "Vocational qualification in logistics", "{rep}");
        assert_eq!(rows[0]["persons"]["value"], 5, "{rep}");
        // The other coach counts only its own provider's: none.
        let (_, rep) = app.gql(&app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]), &q, json!({})).await;
        assert_eq!(rep["data"]["reports"]["competence"]["persons"]["value"], Json::Null, "{rep}");
    }
}
