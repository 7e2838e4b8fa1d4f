//! Work-ability assessments (no duplicates) and agency notes.

use serde_json::json;

use crate::helpers::assert_mutation_not_in_schema;
use crate::on_both;

/// The access log's write rows.
const WRITES: &str = "SELECT COUNT(*) FROM access_log_entry WHERE action = 'WRITE'";

const ASSESS: &str = "mutation W($i: RecordWorkAbilityAssessmentInput!) { recordWorkAbilityAssessment(input: $i) { assessedOn assessorAgency conclusion } }";

on_both! {
    async fn a_recent_assessment_is_offered_for_reuse_instead_of_a_new_one(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let input = json!({ "clientId": app.fx.shared, "assessedOn": app.fx.today.to_string(), "conclusion": "Full-time work possible", "details": "Recovered" });
        let (_, dup) = app.gql(&worker, ASSESS, json!({ "i": input })).await;
        let e = &dup["errors"][0]["extensions"];
        assert_eq!(e["code"], "CONFLICT", "{dup}");
        assert_eq!(e["existing"]["conclusion"], "Part-time");
        assert_eq!(e["existing"]["assessorAgency"], "EKSOTE");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM work_ability_assessment WHERE client_id = '{}'", app.fx.shared)).await, 1);
        assert_eq!(app.count("SELECT COUNT(*) FROM assessment_reuse").await, 1, "the avoided duplicate is counted for the reports");
        let logged = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND field_groups = 'WORK_ABILITY'", app.fx.shared)).await;
        assert_eq!(logged, 1, "the existing assessment's summary in the error is a logged read");
        let mut forced = input.clone();
        forced["overrideReason"] = json!("Condition changed after surgery");
        let (_, ok) = app.gql(&worker, ASSESS, json!({ "i": forced })).await;
        assert_eq!(ok["data"]["recordWorkAbilityAssessment"]["assessorAgency"], "EKSOTE", "{ok}");
        assert_eq!(app.count("SELECT COUNT(*) FROM work_ability_assessment WHERE override_reason = 'Condition changed after surgery'").await, 1);
    }
}

on_both! {
    async fn assessments_need_work_ability_write_and_details_need_health_write(app) {
        let input = json!({ "clientId": app.fx.other_placement, "assessedOn": app.fx.today.to_string(), "conclusion": "Part-time", "details": "Back" });
        let (_, kela_details) = app.gql(&app.token_for("KELA_EXPERT"), ASSESS, json!({ "i": input })).await;
        assert_eq!(kela_details["errors"][0]["extensions"]["code"], "FORBIDDEN", "Kela may not write HEALTH: {kela_details}");
        let mut plain = input.clone();
        plain["details"] = json!(null);
        let assessments = "SELECT COUNT(*) FROM work_ability_assessment";
        let before = (app.count(assessments).await, app.count(WRITES).await);
        for role in ["TYP_OFFICER", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), ASSESS, json!({ "i": plain })).await;
            assert_mutation_not_in_schema(role, status, &body, "recordWorkAbilityAssessment");
        }
        // The employment authority records only the expert assessments it buys, naming the
        // expert (tests/api/agency_work.rs).
        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), ASSESS, json!({ "i": plain })).await;
        assert_eq!(te["errors"][0]["extensions"]["field"], "expertName", "{te}");
        assert_eq!((app.count(assessments).await, app.count(WRITES).await), before, "nothing written");
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), ASSESS, json!({ "i": plain })).await;
        assert_eq!(kela["data"]["recordWorkAbilityAssessment"]["assessorAgency"], "KELA", "{kela}");
    }
}

on_both! {
    async fn notes_are_the_agencys_own_unless_shared_with_the_case_team(app) {
        let add = "mutation N($i: AddNoteInput!) { addNote(input: $i) { agency sharedWithCaseTeam body } }";
        let te = app.token_for("TE_EXPERT");
        let (_, own) = app.gql(&te, add, json!({ "i": { "clientId": app.fx.shared, "body": "TE private" } })).await;
        assert_eq!(own["data"]["addNote"], json!({ "agency": "TE", "sharedWithCaseTeam": false, "body": "TE private" }), "{own}");
        let (_, shared) = app.gql(&te, add, json!({ "i": { "clientId": app.fx.shared, "body": "For the team", "sharedWithCaseTeam": true } })).await;
        assert_eq!(shared["data"]["addNote"]["sharedWithCaseTeam"], true);
        let notes = "query Q($c: ID!) { caseView(clientId: $c) { notes { body } } }";
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), notes, json!({ "c": app.fx.shared })).await;
        let bodies: Vec<&str> = kela["data"]["caseView"]["notes"].as_array().unwrap().iter().map(|n| n["body"].as_str().unwrap()).collect();
        assert!(bodies.contains(&"For the team") && !bodies.contains(&"TE private"), "{kela}");
        let (_, outside) = app.gql(&app.token_for("KELA_EXPERT"), add, json!({ "i": { "clientId": app.fx.own_only, "body": "x", "sharedWithCaseTeam": true } })).await;
        assert_eq!(outside["errors"][0]["extensions"]["field"], "sharedWithCaseTeam", "{outside}");
        let notes = "SELECT COUNT(*) FROM agency_note";
        let before = (app.count(notes).await, app.count(WRITES).await);
        for role in ["TYP_OFFICER", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), add, json!({ "i": { "clientId": app.fx.shared, "body": "x" } })).await;
            assert_mutation_not_in_schema(role, status, &body, "addNote");
        }
        assert_eq!((app.count(notes).await, app.count(WRITES).await), before, "nothing written");
    }
}
