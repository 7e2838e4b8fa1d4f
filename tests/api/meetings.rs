//! Network meetings and the meeting brief.

use serde_json::json;

use crate::helpers::assert_not_in_schema;
use crate::on_both;

on_both! {
    async fn the_meeting_brief_lists_what_each_agency_needs(app) {
        let q = "query B($m: ID!) { meetingBrief(meetingId: $m) { meeting { status } previousMeetingOn agencies { agency openActions { description overdue } overdueActions { description } upcomingPeriodEnds { endsOn } upcomingPlanReviews { reviewOn } } } }";
        let (_, body) = app.gql(&app.token_for("TE_EXPERT"), q, json!({ "m": app.fx.next_meeting })).await;
        assert!(body.get("errors").is_none(), "{body}");
        let brief = &body["data"]["meetingBrief"];
        assert_eq!(brief["meeting"]["status"], "SCHEDULED");
        let held_on = app.fx.today.checked_sub_days(chrono::Days::new(20)).unwrap().format("%Y-%m-%d").to_string();
        assert_eq!(brief["previousMeetingOn"], held_on);
        let agencies = brief["agencies"].as_array().unwrap();
        let names: Vec<&str> = agencies.iter().map(|a| a["agency"].as_str().unwrap()).collect();
        assert_eq!(names, ["TE", "EKSOTE", "KELA"]);
        let te = &agencies[0];
        assert_eq!(te["openActions"], json!([{ "description": "Do it", "overdue": true }]));
        assert_eq!(te["overdueActions"], json!([{ "description": "Do it" }]));
        assert_eq!(te["upcomingPlanReviews"].as_array().unwrap().len(), 1, "TE holds the responsible officer: {body}");
        let county = &agencies[1];
        assert_eq!(county["openActions"], json!([]), "the county's action is done");
        assert_eq!(county["upcomingPeriodEnds"].as_array().unwrap().len(), 1, "{body}");
        let kela = &agencies[2];
        assert_eq!(kela["openActions"], json!([{ "description": "Check rehabilitation", "overdue": false }]));
    }
}

on_both! {
    async fn each_agency_reads_only_its_own_section_of_the_record(app) {
        let q = "query M($m: ID!) { networkMeeting(id: $m) { sharedRecord agencySections { agency body } agenda { title } participants { kind agency } } }";
        for (role, agency) in [("TE_EXPERT", "TE"), ("EKSOTE_WORKER", "EKSOTE"), ("KELA_EXPERT", "KELA")] {
            let (_, body) = app.gql(&app.token_for(role), q, json!({ "m": app.fx.held_meeting })).await;
            let m = &body["data"]["networkMeeting"];
            assert_eq!(m["sharedRecord"], "Agreed next steps", "{body}");
            assert_eq!(m["agencySections"], json!([{ "agency": agency, "body": format!("{agency} own section") }]), "{role}: {body}");
            assert_eq!(m["participants"].as_array().unwrap().len(), 4);
        }
        // A coach's schema has no network meetings.
        let (status, coach) = app.gql(&app.token_for("PROVIDER_COACH"), q, json!({ "m": app.fx.held_meeting })).await;
        assert_not_in_schema(status, &coach, "networkMeeting", "Query");
    }
}

on_both! {
    async fn a_meeting_is_scheduled_held_and_recorded(app) {
        let officer = app.token_for("TYP_OFFICER");
        let (_, case) = app.gql(&officer, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].clone();
        let schedule = "mutation S($i: ScheduleNetworkMeetingInput!) { scheduleNetworkMeeting(input: $i) { id status participants { kind agency } agenda { position title } } }";
        let at = format!("{}T09:00:00Z", app.fx.today);
        let base = json!({ "caseId": case_id, "scheduledAt": at, "participantOfficialIds": [app.fx.official("TE_EXPERT"), app.fx.official("KELA_EXPERT")], "clientAttends": true, "agenda": [{ "agency": "TE", "title": "Job search" }, { "agency": "KELA", "title": "Rehabilitation" }] });
        let mut with_coach = base.clone();
        with_coach["coach"] = json!({ "officialId": app.fx.official("PROVIDER_COACH"), "consentId": app.fx.kela_health_consent });
        let (_, refused) = app.gql(&officer, schedule, json!({ "i": with_coach })).await;
        assert_eq!(refused["errors"][0]["extensions"]["field"], "coach.consentId", "a consent to Kela is not one to the provider: {refused}");
        let (status, coach_tries) = app.gql(&app.token_for("TE_EXPERT"), schedule, json!({ "i": base })).await;
        assert_not_in_schema(status, &coach_tries, "scheduleNetworkMeeting", "Mutation");
        let (_, made) = app.gql(&officer, schedule, json!({ "i": base })).await;
        let meeting = &made["data"]["scheduleNetworkMeeting"];
        assert_eq!(meeting["status"], "SCHEDULED", "{made}");
        assert_eq!(meeting["participants"].as_array().unwrap().len(), 3);
        assert_eq!(meeting["agenda"], json!([{ "position": 1, "title": "Job search" }, { "position": 2, "title": "Rehabilitation" }]));
        let id = meeting["id"].as_str().unwrap().to_owned();

        let minutes = "mutation M($i: RecordMeetingMinutesInput!) { recordMeetingMinutes(input: $i) { status heldOn sharedRecord agreedActions { ownerAgency description } } }";
        let (_, future) = app.gql(&officer, minutes, json!({ "i": { "meetingId": id, "heldOn": app.fx.today.succ_opt().unwrap().to_string(), "sharedRecord": "x" } })).await;
        assert_eq!(future["errors"][0]["extensions"]["field"], "heldOn");
        let (_, held) = app.gql(&officer, minutes, json!({ "i": { "meetingId": id, "heldOn": app.fx.today.to_string(), "sharedRecord": "Agreed to apply for vocational rehabilitation", "agreedActions": [{ "ownerAgency": "KELA", "description": "Decide on vocational rehabilitation", "dueOn": app.fx.today.to_string() }] } })).await;
        assert_eq!(held["data"]["recordMeetingMinutes"]["status"], "HELD", "{held}");
        assert_eq!(held["data"]["recordMeetingMinutes"]["agreedActions"], json!([{ "ownerAgency": "KELA", "description": "Decide on vocational rehabilitation" }]));
        let section = "mutation X($m: ID!, $b: String!) { recordMeetingSection(meetingId: $m, body: $b) { agencySections { agency body } } }";
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), section, json!({ "m": id, "b": "Kela's own view" })).await;
        assert_eq!(kela["data"]["recordMeetingSection"]["agencySections"], json!([{ "agency": "KELA", "body": "Kela's own view" }]), "{kela}");
        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), "query N($m: ID!) { networkMeeting(id: $m) { agencySections { body } } }", json!({ "m": id })).await;
        assert_eq!(te["data"]["networkMeeting"]["agencySections"], json!([]), "Kela's section stays Kela's: {te}");
        // A TYP officer writes no agency's section: not in the officer's schema.
        let (status, officer_section) = app.gql(&officer, section, json!({ "m": id, "b": "x" })).await;
        assert_not_in_schema(status, &officer_section, "recordMeetingSection", "Mutation");
    }
}
