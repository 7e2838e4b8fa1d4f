//! The explorer and the meetings page in a real browser (headless Chromium over the
//! DevTools protocol): GraphiQL comes from the server with no request elsewhere, and one
//! network meeting is walked end to end on the demo data, with screenshots.

use serde_json::{json, Value as Json};

use crate::browser::{chromium, Browser};
use crate::helpers::test_config;
use crate::on_both;
use typgraph::domain::{Agency, Role};

fn with_explorer(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.explorer = true;
    c
}

/// Every request went to the app itself (or stayed inside the page).
fn only_own_origin(requests: &[String], origin: &str) {
    let elsewhere: Vec<&String> = requests
        .iter()
        .filter(|u| !u.starts_with(origin) && !u.starts_with("data:") && !u.starts_with("about:"))
        .collect();
    assert!(
        elsewhere.is_empty(),
        "requests left the server: {elsewhere:?}"
    );
}

on_both! {
    with with_explorer;
    async fn the_explorer_is_graphiql_served_by_the_binary_and_runs_a_query_with_the_header_token(app) {
        if chromium().is_none() {
            eprintln!("chromium not installed: explorer browser test not run (.ci/run installs it)");
            return;
        }
        let token = app.token_for("TE_EXPERT");
        let origin = app.endpoint("");
        let url = format!("{}#token={token}", app.endpoint("/"));
        let (requests, console) = tokio::task::spawn_blocking(move || {
            let mut b = Browser::launch().unwrap();
            b.goto(&url);
            b.wait_for("document.querySelector('.graphiql-container .graphiql-query-editor')", "GraphiQL to render");
            assert_eq!(b.eval("location.hash"), json!(""), "the token leaves the address bar");
            let headers = b.eval("[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].map(e => e.CodeMirror.getValue()).join('\\n')");
            assert!(headers.as_str().unwrap().contains("Bearer ey"), "the token is in the Headers tab: {headers}");
            // The schema's introspection first, so its answer cannot overwrite the query's.
            b.wait_until_idle();
            // Two operations in the document: the button offers them, pick the first.
            b.mouse_click(".graphiql-execute-button");
            b.wait_for("document.querySelector('[role=menuitem]') || document.querySelector('.graphiql-response').innerText.includes('officialId')", "the operations or the answer");
            if b.eval("!!document.querySelector('[role=menuitem]')") == json!(true) {
                assert_eq!(b.eval("[...document.querySelectorAll('[role=menuitem]')].map(e => e.textContent)"), json!(["CaseViewExample", "Labels"]));
                // The menu may take a moment to accept a click on a loaded machine: pick again
                // while it is still open and no answer came.
                for _ in 0..5 {
                    if b.eval("!!document.querySelector('[role=menuitem]')") != json!(true) {
                        break;
                    }
                    b.mouse_click("[role=menuitem]");
                    std::thread::sleep(std::time::Duration::from_millis(500));
                }
            }
            b.wait_for("document.querySelector('.graphiql-response').innerText.includes('officialId')", "the query's answer");
            let answer = b.eval("document.querySelector('.graphiql-response').innerText");
            assert!(answer.as_str().unwrap().contains("TE_EXPERT"), "{answer}");
            b.screenshot("explorer");
            (b.requests.clone(), b.console.clone())
        }).await.unwrap();
        only_own_origin(&requests, &origin);
        for file in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
            assert!(requests.iter().any(|u| u.contains(&format!("/assets/{file}?v="))), "{file} from the server: {requests:?}");
        }
        let refused: Vec<&String> = console.iter().filter(|c| c.contains("Refused to") && !c.contains("style")).collect();
        assert!(refused.is_empty(), "the policy refused a script: {refused:?}");
    }
}

const ME: &str = "{ me { officialId upcomingMeetings { id } } }";

/// The first official of the demo data set holding `role` in `agency`.
fn demo_official(officials: &[typgraph::demo::SeedOfficial], role: Role, agency: Agency) -> String {
    officials
        .iter()
        .find(|o| o.active && o.agency == agency && o.roles.contains(&role))
        .unwrap()
        .id
        .clone()
}

/// As `token`: an open case of the demo data with a plan, by the first of its clients.
async fn case_with_a_plan(app: &crate::helpers::TestApp, token: &str) -> String {
    let (_, page) = app
        .gql(
            token,
            "{ clients(first: 100) { edges { node { id cases { id endedOn } } } } }",
            json!({}),
        )
        .await;
    for edge in page["data"]["clients"]["edges"].as_array().unwrap() {
        let open = edge["node"]["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["endedOn"].is_null());
        let Some(case) = open else { continue };
        let (_, view) = app
            .gql(
                token,
                "query V($c: ID!) { caseView(clientId: $c) { plan { id } } }",
                json!({ "c": edge["node"]["id"] }),
            )
            .await;
        if view["data"]["caseView"]["plan"]["id"].is_string() {
            return case["id"].as_str().unwrap().to_owned();
        }
    }
    panic!("no open case with a plan in the demo data");
}

on_both! {
    async fn one_network_meeting_is_prepared_and_recorded_on_the_meetings_page(app) {
        if chromium().is_none() {
            eprintln!("chromium not installed: meetings browser test not run (.ci/run installs it)");
            return;
        }
        let seed = typgraph::demo::load_demo(&app.db).await.unwrap();
        let officer = demo_official(&seed.officials, Role::TypOfficer, Agency::Te);
        let worker = demo_official(&seed.officials, Role::EksoteWorker, Agency::Eksote);
        let kela = demo_official(&seed.officials, Role::KelaExpert, Agency::Kela);
        let token = app.token(&officer, &["TYP_OFFICER"]);
        let worker_token = app.token(&worker, &["EKSOTE_WORKER"]);
        // A meeting of tomorrow, whatever the date the demo data is drawn around.
        let case_id = case_with_a_plan(&app, &token).await;
        let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1)).format("%Y-%m-%dT08:00:00Z").to_string();
        let (_, scheduled) = app.gql(&token, "mutation S($i: ScheduleNetworkMeetingInput!) { scheduleNetworkMeeting(input: $i) { id } }", json!({ "i": {
            "caseId": case_id, "scheduledAt": tomorrow, "location": "Browser test room", "clientAttends": true,
            "participantOfficialIds": [officer, worker, kela],
            "agenda": [{ "agency": "TE", "title": "Job search" }, { "agency": "KELA", "title": "Benefits" }] } })).await;
        let meeting = scheduled["data"]["scheduleNetworkMeeting"]["id"].as_str().unwrap_or_else(|| panic!("{scheduled}")).to_owned();
        let (_, me) = app.gql(&token, ME, json!({})).await;
        assert!(me["data"]["me"]["upcomingMeetings"].as_array().unwrap().iter().any(|m| m["id"] == meeting.as_str()), "{me}");

        let description = "Kela: check the rehabilitation allowance application together";
        let due = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
        let origin = app.endpoint("");
        let page = app.endpoint("/meetings");
        let (m, d, officer_token) = (meeting.clone(), due.clone(), token.clone());
        let (requests, shots) = tokio::task::spawn_blocking(move || {
            let mut b = Browser::launch().unwrap();
            let mut shots = Vec::new();
            // The EKSOTE worker's brief: what their role may not read is shown as not shared.
            b.goto(&format!("{page}#token={worker_token}&lang=en"));
            b.click(&format!("button[data-meeting='{m}']"));
            b.wait_for("document.querySelector('#case-actions')", "the worker's brief and case view");
            let withheld = b.eval("[...document.querySelectorAll('.not-shared')].map(e => e.dataset.withheld + ': ' + e.textContent)");
            assert!(withheld.as_array().unwrap().iter().any(|w| w.as_str().unwrap().starts_with("ROLE: Not shared")), "{withheld}");
            shots.push(b.screenshot("meetings-brief-eksote"));
            b.fill("#f-section", "Social work: housing application sent (test).");
            b.click("form:has(#f-section) button[type=submit]");
            b.wait_for("document.querySelector('#status').innerText === \"Saved: My agency's section\"", "the worker's section saved");

            // The officer prepares the meeting in Finnish, by keyboard where it matters.
            b.goto(&format!("{page}#token={officer_token}"));
            b.wait_for(&format!("document.querySelector(\"button[data-meeting='{m}']\")"), "the officer's upcoming meetings");
            assert_eq!(b.eval("document.documentElement.lang"), json!("fi"));
            b.eval(&format!("document.querySelector(\"button[data-meeting='{m}']\").focus()"));
            b.press("Enter");
            b.wait_for("document.querySelector('#case-actions')", "the brief and the case view");
            assert_eq!(b.eval("document.activeElement.id"), json!("meeting-title"), "focus moves to the opened meeting");
            let agencies = b.eval("[...document.querySelectorAll('section.agency')].map(e => e.dataset.agency)");
            assert_eq!(agencies, json!(["TE", "EKSOTE", "KELA"]));
            let text = b.eval("document.querySelector('#meeting').innerText");
            for expected in ["Browser test room", "Asiakkaan suunnitelma", "Avoimet sovitut toimenpiteet", "Etelä-Karjalan hyvinvointialue"] {
                assert!(text.as_str().unwrap().contains(expected), "{expected} in {text}");
            }
            shots.push(b.screenshot("meetings-brief"));

            // During the meeting: a new agreed action, then the minutes and the section.
            b.eval("document.querySelector('#f-owner').value = 'KELA'");
            b.fill("#f-description", description);
            b.fill("#f-due", &d);
            b.click("form:has(#f-due) button[type=submit]");
            b.wait_for(&format!("document.querySelector('#case-actions').innerText.includes({})", serde_json::to_string(description).unwrap()), "the new action in the case view");
            let row = b.eval(&format!("[...document.querySelectorAll('#case-actions tr')].find(r => r.innerText.includes({})).innerText", serde_json::to_string(description).unwrap()));
            assert!(row.as_str().unwrap().contains("Kela"), "{row}");
            shots.push(b.screenshot("meetings-case-view"));
            b.fill("#f-minutes", "Tilanne käytiin yhdessä läpi; seuraavat askeleet sovittu (testi).");
            b.click("form:has(#f-minutes) button[type=submit]");
            b.wait_for("document.querySelector('#status').innerText === 'Tallennettu: Yhteinen muistio'", "the minutes saved");
            shots.push(b.screenshot("meetings-recorded"));
            (b.requests.clone(), shots)
        }).await.unwrap();
        only_own_origin(&requests, &origin);
        for shot in &shots {
            assert!(std::fs::metadata(shot).map(|m| m.len()).unwrap_or(0) > 10_000, "{}", shot.display());
        }

        // The API agrees: the meeting is held with its action, the worker's section is EKSOTE's.
        let q = "query M($m: ID!) { networkMeeting(id: $m) { status agencySections { agency body } agreedActions { ownerAgency description dueOn } } }";
        let (_, held) = app.gql(&token, q, json!({ "m": meeting })).await;
        let m: &Json = &held["data"]["networkMeeting"];
        assert_eq!(m["status"], "HELD", "{held}");
        assert_eq!(m["agreedActions"], json!([{ "ownerAgency": "KELA", "description": description, "dueOn": due }]));
        let (_, seen) = app.gql(&app.token(&worker, &["EKSOTE_WORKER"]), q, json!({ "m": meeting })).await;
        assert_eq!(seen["data"]["networkMeeting"]["agencySections"], json!([{ "agency": "EKSOTE", "body": "Social work: housing application sent (test)." }]), "{seen}");
        let (_, me) = app.gql(&token, ME, json!({})).await;
        assert!(!me["data"]["me"]["upcomingMeetings"].as_array().unwrap().iter().any(|x| x["id"] == meeting.as_str()), "a held meeting is no longer upcoming");
    }
}
