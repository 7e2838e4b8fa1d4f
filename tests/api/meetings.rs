//! Network meetings and the meeting brief.

use serde_json::json;

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
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), q, json!({ "m": app.fx.held_meeting })).await;
        assert!(coach["data"]["networkMeeting"].is_null());
        assert_eq!(coach["errors"][0]["extensions"]["code"], "FORBIDDEN");
    }
}
