//! KTT decisions are the county's administrative decisions: only a county official holding
//! the delegated power decides; a grant rests on the plan in force with a KTT item; every
//! decision has its dates, hearing and reasons; changes and terminations are decisions of
//! their own, and every early end of a period is a termination; a grant, change or
//! termination leaves a notice the employment authority answers with its statement; and
//! each decision is a document read like its fields.

use chrono::Timelike;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value as Json};

use crate::cases::{day, decision_terms as terms};
use crate::helpers::{assert_not_in_schema, TestApp};
use crate::on_both;

const GRANT: &str = "mutation D($i: DecideRehabPeriodInput!) { decideRehabPeriod(input: $i) { id decisionNumber decidedOn startsOn endsOn decisions { id kind deciderName deciderTitle legalBasis toimintarahaCentsPerDay travelCentsPerDay language decidedOn servedOn hearingOn document } } }";
const REFUSE: &str = "mutation R($i: RefuseRehabPeriodInput!) { refuseRehabPeriod(input: $i) { id kind reasoning periodId decidedOn servedOn hearingOmittedReason } }";
const CHANGE: &str = "mutation C($i: ChangeRehabPeriodInput!) { changeRehabPeriod(input: $i) { id kind endsOn daysPerWeek periodId travelCentsPerDay } }";
const TERMINATE: &str = "mutation T($i: TerminateRehabPeriodInput!) { terminateRehabPeriod(input: $i) { id kind terminatedOn periodId } }";
const ITEM: &str = "mutation K($i: AddKttPlanItemInput!) { addKttPlanItem(input: $i) { id goal support agreedOn } }";
const PLAN: &str =
    "mutation P($i: CreateEmploymentPlanInput!) { createEmploymentPlan(input: $i) { id kind } }";
const NOTICES: &str = "query N($o: Boolean) { kttStartNotices(open: $o, first: 100) { edges { node { id client { id } decisionNumber kind startsOn endsOn handledAt statementId } } pageInfo { hasNextPage } } }";
/// A page of the work list: `first` or `last` notices after or before a cursor.
const NOTICE_PAGE: &str = "query N($o: Boolean, $f: Int, $a: String, $l: Int, $b: String) { kttStartNotices(open: $o, first: $f, after: $a, last: $l, before: $b) { edges { cursor node { id client { id } handledAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
const END_EARLY: &str = "mutation E($i: EndRehabPeriodEarlyInput!) { endRehabPeriodEarly(input: $i) { id endedEarlyOn endReason outcome decisions { kind reasoning terminatedOn } } }";
const STATEMENT: &str = "mutation S($i: IssueLabourPolicyStatementInput!) { issueLabourPolicyStatement(input: $i) { id kind content recipient fundName issuedOn } }";
const SET_MAKER: &str = "mutation M($i: SetKttDecisionMakerInput!) { setKttDecisionMaker(input: $i) { officialId title grantedBy } }";
const REVOKE_MAKER: &str =
    "mutation V($id: ID!) { revokeKttDecisionMaker(officialId: $id) { officialId } }";

fn err(body: &Json) -> (String, String) {
    (
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
        body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

/// The notices of a work-list page, in order.
fn notices_of(body: &Json) -> Vec<Json> {
    body["data"]["kttStartNotices"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn bad(field: &str) -> (String, String) {
    ("BAD_USER_INPUT".to_owned(), field.to_owned())
}

/// A grant of 3 months from `start` days from today, decided today.
fn grant(app: &TestApp, client: &str, start: i64) -> Json {
    let starts = chrono::NaiveDate::parse_from_str(&day(app, start), "%Y-%m-%d").unwrap();
    let ends = starts
        .checked_add_months(chrono::Months::new(3))
        .unwrap()
        .pred_opt()
        .unwrap();
    let mut i = json!({ "clientId": client, "providerId": app.fx.p1, "startsOn": starts.to_string(), "endsOn": ends.to_string(), "daysPerWeek": 3, "hoursPerDay": 6, "goal": "Daily rhythm", "travelDistanceKm": 12.0 });
    for (k, v) in terms(app, 0).as_object().unwrap() {
        i[k] = v.clone();
    }
    json!({ "i": i })
}

/// A new official of `agency` holding `role`, and a token for it.
async fn official(app: &TestApp, id: &str, agency: &str, role: &str) -> String {
    app.exec(&format!(
        "INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('{id}', 'Test {role} {agency}', '{agency}', NULL, TRUE, '2026-01-01 00:00:00')"
    ))
    .await;
    app.exec(&format!(
        "INSERT INTO official_role (official_id, role) VALUES ('{id}', '{role}')"
    ))
    .await;
    app.token(id, &[role])
}

on_both! {
    async fn only_a_county_official_with_the_delegated_power_decides(app) {
        let periods = "SELECT COUNT(*) FROM rehab_period";
        let before = app.count(periods).await;
        // A TYP officer of the employment authority writes REHAB, but does not decide.
        let (_, te) = app.gql(&app.token_for("TYP_OFFICER"), GRANT, grant(&app, &app.fx.shared, 40)).await;
        assert_eq!(err(&te).0, "FORBIDDEN", "{te}");
        // Nor does a Kela TYP officer.
        let kela = official(&app, "kela-officer-1", "KELA", "TYP_OFFICER").await;
        let (_, k) = app.gql(&kela, GRANT, grant(&app, &app.fx.shared, 40)).await;
        assert_eq!(err(&k).0, "FORBIDDEN", "{k}");
        // A county worker without the delegation.
        let worker = official(&app, "county-worker-2", "EKSOTE", "EKSOTE_WORKER").await;
        let (_, w) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 40)).await;
        assert_eq!(err(&w).0, "FORBIDDEN", "{w}");
        let (_, r) = app.gql(&worker, REFUSE, json!({ "i": { "clientId": app.fx.shared, "terms": { "decidedOn": day(&app, 0), "servedOn": day(&app, 0), "hearingOn": day(&app, 0), "reasoning": "No" } } })).await;
        assert_eq!(err(&r).0, "FORBIDDEN", "{r}");
        assert_eq!(app.count(periods).await, before, "nothing decided");
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_decision").await, 1, "the fixture's grant only");

        // The delegation is administration's: not in a worker's schema.
        let (status, body) = app.gql(&app.token_for("EKSOTE_WORKER"), SET_MAKER, json!({ "i": { "officialId": "county-worker-2", "title": "x" } })).await;
        assert_not_in_schema(status, &body, "setKttDecisionMaker", "Mutation");
        let admin = app.token_for("ADMIN");
        // Only to county officials, and not to oneself.
        let te_expert = app.fx.official("TE_EXPERT").to_owned();
        let (_, not_county) = app.gql(&admin, SET_MAKER, json!({ "i": { "officialId": te_expert, "title": "Asiantuntija" } })).await;
        assert_eq!(err(&not_county), bad("officialId"), "{not_county}");
        let (_, own) = app.gql(&admin, SET_MAKER, json!({ "i": { "officialId": app.fx.official("ADMIN"), "title": "Johtaja" } })).await;
        assert_eq!(err(&own).0, "FORBIDDEN", "{own}");
        let (_, empty) = app.gql(&admin, SET_MAKER, json!({ "i": { "officialId": "county-worker-2", "title": " " } })).await;
        assert_eq!(err(&empty), bad("title"), "{empty}");
        let (_, set) = app.gql(&admin, SET_MAKER, json!({ "i": { "officialId": "county-worker-2", "title": "Sosiaaliohjaaja" } })).await;
        assert_eq!(set["data"]["setKttDecisionMaker"]["title"], "Sosiaaliohjaaja", "{set}");
        let logged = "SELECT COUNT(*) FROM admin_log WHERE action = 'UPDATE_OFFICIAL' AND target = 'county-worker-2' AND detail LIKE 'KTT decision maker: %'";
        assert_eq!(app.count(logged).await, 1);

        let (_, ok) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 40)).await;
        let decision = &ok["data"]["decideRehabPeriod"]["decisions"][0];
        assert_eq!(decision["kind"], "GRANT", "{ok}");
        assert_eq!(decision["deciderTitle"], "Sosiaaliohjaaja", "{ok}");
        assert_eq!(decision["deciderName"], "Test EKSOTE_WORKER EKSOTE", "{ok}");
        assert!(decision["legalBasis"].as_str().unwrap().contains("1301/2014 45 §"), "{ok}");
        assert_eq!(ok["data"]["decideRehabPeriod"]["decisionNumber"], decision_number(&app, decision["id"].as_str().unwrap()).await);

        // Revoked: the next decision is refused; the decision made stands with its title.
        let (_, revoked) = app.gql(&admin, REVOKE_MAKER, json!({ "id": "county-worker-2" })).await;
        assert_eq!(revoked["data"]["revokeKttDecisionMaker"]["officialId"], "county-worker-2", "{revoked}");
        assert_eq!(app.count(logged).await, 2);
        let (_, again) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 200)).await;
        assert_eq!(err(&again).0, "FORBIDDEN", "{again}");
        let (_, gone) = app.gql(&admin, REVOKE_MAKER, json!({ "id": "county-worker-2" })).await;
        assert_eq!(err(&gone).0, "NOT_FOUND", "{gone}");
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_decision WHERE decider_title = 'Sosiaaliohjaaja'").await, 1);
    }
}

async fn decision_number(app: &TestApp, id: &str) -> Json {
    let (_, body) = app
        .gql(
            &app.token_for("EKSOTE_WORKER"),
            "query V($c: ID!) { caseView(clientId: $c) { rehabDecisions { id decisionNumber } } }",
            json!({ "c": app.fx.shared }),
        )
        .await;
    body["data"]["caseView"]["rehabDecisions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .map(|d| d["decisionNumber"].clone())
        .unwrap_or(Json::Null)
}

on_both! {
    async fn a_grant_rests_on_the_plan_in_force_holding_a_ktt_item_agreed_by_the_start(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let officer = app.token_for("TYP_OFFICER");
        // No open case: no plan.
        let (_, no_case) = app.gql(&worker, GRANT, grant(&app, &app.fx.own_only, 0)).await;
        assert_eq!(err(&no_case), bad("planItem"), "{no_case}");
        assert!(no_case["errors"][0]["message"].as_str().unwrap().contains("no open TYP case"), "{no_case}");
        // A case without a plan.
        let (_, opened) = app.gql(&officer, "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id } }", json!({ "i": { "clientId": app.fx.own_only, "criterion": "UNEMPLOYED_12_MONTHS_25_PLUS", "openedOn": day(&app, -25), "clientAgreedOn": day(&app, -25) } })).await;
        let case = opened["data"]["openTypCase"]["id"].as_str().unwrap_or_else(|| panic!("{opened}")).to_owned();
        let mut early = grant(&app, &app.fx.own_only, -10);
        early["i"]["decidedOn"] = json!(day(&app, -10));
        early["i"]["servedOn"] = json!(day(&app, -10));
        early["i"]["hearingOn"] = json!(day(&app, -12));
        let (_, no_plan) = app.gql(&worker, GRANT, early.clone()).await;
        assert_eq!(err(&no_plan), bad("planItem"), "{no_plan}");
        assert!(no_plan["errors"][0]["message"].as_str().unwrap().contains("no employment plan"), "{no_plan}");
        // A plan without a KTT item.
        let (_, plan) = app.gql(&officer, PLAN, json!({ "i": { "caseId": case, "madeOn": day(&app, -20), "goals": "Towards work" } })).await;
        let plan_id = plan["data"]["createEmploymentPlan"]["id"].as_str().unwrap_or_else(|| panic!("{plan}")).to_owned();
        let (_, no_item) = app.gql(&worker, GRANT, early.clone()).await;
        assert_eq!(err(&no_item), bad("planItem"), "{no_item}");
        assert!(no_item["errors"][0]["message"].as_str().unwrap().contains("no KTT item"), "{no_item}");
        // Plan items: agreed on or after the plan, never ahead; goal and support required.
        let item = |agreed: i64, support: &str| json!({ "i": { "planId": plan_id, "goal": "Daily rhythm", "support": support, "agreedOn": day(&app, agreed) } });
        assert_eq!(err(&app.gql(&officer, ITEM, item(-21, "Guidance")).await.1), bad("agreedOn"));
        assert_eq!(err(&app.gql(&officer, ITEM, item(1, "Guidance")).await.1), bad("agreedOn"));
        assert_eq!(err(&app.gql(&officer, ITEM, item(-5, " ")).await.1), bad("support"));
        let (status, coach_item) = app.gql(&app.token_for("PROVIDER_COACH"), ITEM, item(-5, "Guidance")).await;
        assert_not_in_schema(status, &coach_item, "addKttPlanItem", "Mutation");
        let (_, added) = app.gql(&officer, ITEM, item(-5, "Guidance")).await;
        assert_eq!(added["data"]["addKttPlanItem"]["agreedOn"], day(&app, -5), "{added}");
        // The item was agreed five days after this start: it does not carry it.
        let (_, late) = app.gql(&worker, GRANT, early.clone()).await;
        assert_eq!(err(&late), bad("planItem"), "{late}");
        // A period starting the day the item was agreed does.
        let mut on_the_day = grant(&app, &app.fx.own_only, -5);
        on_the_day["i"]["decidedOn"] = json!(day(&app, -10));
        on_the_day["i"]["servedOn"] = json!(day(&app, -10));
        on_the_day["i"]["hearingOn"] = json!(day(&app, -12));
        let (_, ok) = app.gql(&worker, GRANT, on_the_day).await;
        let period = &ok["data"]["decideRehabPeriod"];
        assert_eq!(period["decidedOn"], day(&app, -10), "{ok}");
        assert_eq!(period["decisions"][0]["servedOn"], day(&app, -10), "{ok}");
        // Travel at 12 km: the daily fare; no toimintaraha for a benefit client.
        assert_eq!(period["decisions"][0]["travelCentsPerDay"], 640, "{ok}");
        assert_eq!(period["decisions"][0]["toimintarahaCentsPerDay"], 0, "{ok}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_decision WHERE plan_id = '{plan_id}' AND kind = 'GRANT'")).await, 1);
        // The plan shows its item.
        let (_, view) = app.gql(&officer, "query V($c: ID!) { caseView(clientId: $c) { plan { kttItems { goal support agreedOn } } } }", json!({ "c": app.fx.own_only })).await;
        assert_eq!(view["data"]["caseView"]["plan"]["kttItems"][0]["support"], "Guidance", "{view}");
    }
}

on_both! {
    async fn from_2026_an_activation_plan_carries_only_a_client_on_social_assistance(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let officer = app.token_for("TYP_OFFICER");
        let client = app.fx.own_only.clone();
        app.exec(&format!("INSERT INTO benefit_status (id, client_id, kind, fund_name, valid_from, valid_to, recording_agency, recorded_by, recorded_at) VALUES ('sa-{client}', '{client}', 'SOCIAL_ASSISTANCE', NULL, '2001-09-01', NULL, 'EKSOTE', NULL, '2026-01-01 00:00:00')")).await;
        let (_, opened) = app.gql(&officer, "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id } }", json!({ "i": { "clientId": client, "criterion": "UNEMPLOYED_12_MONTHS_25_PLUS", "openedOn": day(&app, -25), "clientAgreedOn": day(&app, -25) } })).await;
        let case = opened["data"]["openTypCase"]["id"].as_str().unwrap_or_else(|| panic!("{opened}")).to_owned();
        let (_, plan) = app.gql(&officer, PLAN, json!({ "i": { "caseId": case, "madeOn": day(&app, -20), "goals": "Activation", "kind": "ACTIVATION" } })).await;
        assert_eq!(plan["data"]["createEmploymentPlan"]["kind"], "ACTIVATION", "{plan}");
        let plan_id = plan["data"]["createEmploymentPlan"]["id"].clone();
        let (_, item) = app.gql(&officer, ITEM, json!({ "i": { "planId": plan_id, "goal": "Daily rhythm", "support": "Guidance", "agreedOn": day(&app, -20) } })).await;
        assert!(item["data"]["addKttPlanItem"]["id"].is_string(), "{item}");
        // Off social assistance, the activation plan no longer takes the client to KTT.
        app.exec(&format!("DELETE FROM benefit_status WHERE id = 'sa-{client}'")).await;
        let (_, refused) = app.gql(&worker, GRANT, grant(&app, &client, 0)).await;
        assert_eq!(err(&refused), bad("planItem"), "{refused}");
        assert!(refused["errors"][0]["message"].as_str().unwrap().contains("activation plan"), "{refused}");
        // Toimintaraha is for a client on social assistance only.
        app.exec(&format!("INSERT INTO benefit_status (id, client_id, kind, fund_name, valid_from, valid_to, recording_agency, recorded_by, recorded_at) VALUES ('sa-{client}', '{client}', 'SOCIAL_ASSISTANCE', NULL, '2001-09-01', NULL, 'EKSOTE', NULL, '2026-01-01 00:00:00')")).await;
        let mut with_money = grant(&app, &client, 0);
        with_money["i"]["toimintaraha"] = json!(true);
        with_money["i"]["travelFareCents"] = json!(-1);
        assert_eq!(err(&app.gql(&worker, GRANT, with_money.clone()).await.1), bad("travelFareCents"));
        with_money["i"]["travelFareCents"] = json!(410);
        let (_, ok) = app.gql(&worker, GRANT, with_money).await;
        let decision = &ok["data"]["decideRehabPeriod"]["decisions"][0];
        assert_eq!(decision["toimintarahaCentsPerDay"], 900, "{ok}");
        assert_eq!(decision["travelCentsPerDay"], 410, "{ok}");
        // The shared client is a benefit client: no toimintaraha beside Kela's allowance.
        let mut benefit = grant(&app, &app.fx.shared, 40);
        benefit["i"]["toimintaraha"] = json!(true);
        assert_eq!(err(&app.gql(&worker, GRANT, benefit).await.1), bad("toimintaraha"));
    }
}

on_both! {
    async fn every_decision_has_its_dates_hearing_and_reasons_within_their_edges(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let refuse = |decided: i64, served: i64, hearing: Json, omitted: Json, reasoning: Json| json!({ "i": { "clientId": app.fx.shared, "providerId": app.fx.p2, "startsOn": day(&app, 40), "terms": { "decidedOn": day(&app, decided), "servedOn": day(&app, served), "hearingOn": hearing, "hearingOmittedReason": omitted, "reasoning": reasoning } } });
        let heard = json!(day(&app, -31));
        let why = json!("A second period at once is not possible.");
        let cases = [
            (refuse(1, 1, heard.clone(), Json::Null, why.clone()), "decidedOn"),
            (refuse(-31, -31, heard.clone(), Json::Null, why.clone()), "decidedOn"),
            (refuse(-5, -6, heard.clone(), Json::Null, why.clone()), "servedOn"),
            (refuse(0, 8, heard.clone(), Json::Null, why.clone()), "servedOn"),
            (refuse(0, 0, Json::Null, Json::Null, why.clone()), "hearingOn"),
            (refuse(0, 0, heard.clone(), json!("Urgent"), why.clone()), "hearingOmittedReason"),
            (refuse(-2, 0, json!(day(&app, -1)), Json::Null, why.clone()), "hearingOn"),
            (refuse(0, 0, heard.clone(), Json::Null, Json::Null), "reasoning"),
            (refuse(0, 0, heard.clone(), Json::Null, json!("  ")), "reasoning"),
        ];
        for (vars, field) in cases {
            let (_, body) = app.gql(&worker, REFUSE, vars.clone()).await;
            assert_eq!(err(&body), bad(field), "{vars} {body}");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_decision WHERE kind = 'REFUSE'").await, 0);
        // The edges themselves: decided 30 days back, served 7 days ahead, heard the same day.
        let (_, ok) = app.gql(&worker, REFUSE, refuse(-30, 7, json!(day(&app, -30)), Json::Null, why.clone())).await;
        let refusal = &ok["data"]["refuseRehabPeriod"];
        assert_eq!(refusal["kind"], "REFUSE", "{ok}");
        assert!(refusal["periodId"].is_null(), "{ok}");
        let (_, omitted) = app.gql(&worker, REFUSE, refuse(0, 0, Json::Null, json!("The client could not be reached"), why)).await;
        assert_eq!(omitted["data"]["refuseRehabPeriod"]["hearingOmittedReason"], "The client could not be reached", "{omitted}");
        // A grant as applied for needs no reasons.
        let (_, g) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 40)).await;
        assert!(g["data"]["decideRehabPeriod"]["decisions"][0]["id"].is_string(), "{g}");
        // Both refusals and the grant show in the case view, newest first.
        let (_, view) = app.gql(&app.token_for("TE_EXPERT"), "query V($c: ID!) { caseView(clientId: $c) { rehabDecisions { kind decidedOn } } }", json!({ "c": app.fx.shared })).await;
        let mut kinds: Vec<&str> = view["data"]["caseView"]["rehabDecisions"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap()).collect();
        kinds.sort_unstable();
        assert_eq!(kinds, ["GRANT", "GRANT", "REFUSE", "REFUSE"], "with the fixture's grant: {view}");
    }
}

on_both! {
    async fn a_grant_starts_on_or_after_its_decision(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        // The other placement's client: its case gets a plan with an item from 100 days
        // back, and its running period ended two days ago.
        let other = app.fx.other_placement.clone();
        let (_, case) = app.gql(&worker, "query C($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": other })).await;
        let case_id = case["data"]["caseView"]["typCase"]["id"].as_str().unwrap_or_else(|| panic!("{case}")).to_owned();
        let officer = app.fx.official("TYP_OFFICER").to_owned();
        app.exec(&format!("INSERT INTO employment_plan (id, case_id, kind, made_on, goals, review_on, created_by, created_at) VALUES ('pl-o', '{case_id}', 'MULTI_SECTOR', '{}', 'g', '{}', '{officer}', '2026-01-01 00:00:00')", day(&app, -100), day(&app, 100))).await;
        app.exec(&format!("INSERT INTO plan_ktt_item (id, plan_id, case_id, goal, support, agreed_on, created_by, created_at) VALUES ('it-o', 'pl-o', '{case_id}', 'g', 's', '{}', '{officer}', '2026-01-01 00:00:00')", day(&app, -100))).await;
        app.exec(&format!("UPDATE rehab_period SET ended_early_on = '{}', end_reason = 'Moved' WHERE client_id = '{other}'", day(&app, -2))).await;
        // Starting the day before it is decided: refused.
        let mut g = grant(&app, &other, -1);
        let (_, before) = app.gql(&worker, GRANT, g.clone()).await;
        assert_eq!(err(&before), bad("startsOn"), "{before}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE client_id = '{other}'")).await, 1, "nothing of it stays");
        // Decided that day: granted.
        g["i"]["decidedOn"] = json!(day(&app, -1));
        g["i"]["servedOn"] = json!(day(&app, -1));
        g["i"]["hearingOn"] = json!(day(&app, -1));
        let (_, ok) = app.gql(&worker, GRANT, g).await;
        assert_eq!(ok["data"]["decideRehabPeriod"]["decidedOn"], day(&app, -1), "{ok}");
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_start_notice WHERE client_id = '{other}'")).await, 1);
    }
}

on_both! {
    async fn changes_and_terminations_are_decisions_on_a_running_period(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let (_, g) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 40)).await;
        let period = g["data"]["decideRehabPeriod"]["id"].as_str().unwrap_or_else(|| panic!("{g}")).to_owned();
        let with = |extra: Json, decided: i64, reasoning: Option<&str>| {
            let mut t = terms(&app, decided);
            if let Some(r) = reasoning {
                t["reasoning"] = json!(r);
            }
            let mut i = json!({ "periodId": period, "terms": t });
            for (k, v) in extra.as_object().unwrap() {
                i[k] = v.clone();
            }
            json!({ "i": i })
        };
        let why = Some("The client asked for a longer period.");
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({}), 0, why)).await.1), bad("periodId"));
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "daysPerWeek": 4 }), 0, None)).await.1), bad("reasoning"));
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "daysPerWeek": 5 }), 0, why)).await.1), bad("daysPerWeek"));
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "daysPerWeek": 4, "hoursPerDay": 9 }), 0, why)).await.1), bad("hoursPerDay"));
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "endsOn": day(&app, -1) }), 0, why)).await.1), bad("endsOn"));
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "endsOn": day(&app, 800) }), 0, why)).await.1), bad("endsOn"));
        // With the fixture's period before it, 700 days ahead is over 24 months in KTT in a
        // row: not without a reviewed plan.
        let (_, long) = app.gql(&worker, CHANGE, with(json!({ "endsOn": day(&app, 700) }), 0, why)).await;
        assert_eq!(err(&long), bad("endsOn"), "{long}");
        assert!(long["errors"][0]["message"].as_str().unwrap().contains("review the plan"), "{long}");
        let (_, changed) = app.gql(&worker, CHANGE, with(json!({ "endsOn": day(&app, 300), "daysPerWeek": 4 }), 0, why)).await;
        assert_eq!(changed["data"]["changeRehabPeriod"]["kind"], "CHANGE", "{changed}");
        assert_eq!(changed["data"]["changeRehabPeriod"]["endsOn"], day(&app, 300), "{changed}");
        // The change kept the granted travel compensation.
        assert_eq!(changed["data"]["changeRehabPeriod"]["travelCentsPerDay"], 640, "{changed}");
        let ends = format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ends_on = '{}' AND days_per_week = 4", day(&app, 300));
        assert_eq!(app.count(&ends).await, 1);
        // Terminations: within the period, not before the decision, with reasons.
        let end = |on: i64, decided: i64, reasoning: Option<&str>| with(json!({ "endedOn": day(&app, on) }), decided, reasoning);
        let reason = Some("Moved to pay-subsidised work.");
        assert_eq!(err(&app.gql(&worker, TERMINATE, end(60, 0, None)).await.1), bad("reasoning"));
        assert_eq!(err(&app.gql(&worker, TERMINATE, end(-1, 0, reason)).await.1), bad("endedOn"));
        assert_eq!(err(&app.gql(&worker, TERMINATE, end(301, 0, reason)).await.1), bad("endedOn"));
        let (_, ended) = app.gql(&worker, TERMINATE, end(60, 0, reason)).await;
        assert_eq!(ended["data"]["terminateRehabPeriod"]["terminatedOn"], day(&app, 60), "{ended}");
        let early = format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on = '{}'", day(&app, 60));
        assert_eq!(app.count(&early).await, 1);
        assert_eq!(err(&app.gql(&worker, TERMINATE, end(61, 0, reason)).await.1).0, "CONFLICT");
        assert_eq!(err(&app.gql(&worker, CHANGE, with(json!({ "daysPerWeek": 2 }), 0, why)).await.1).0, "CONFLICT");
        // The period lists its decisions, newest first; a coach at the placement sees none.
        let q = "query V($c: ID!) { caseView(clientId: $c) { rehabPeriods { id decisions { kind } } rehabDecisions { kind } } }";
        let kinds = |body: &Json| -> Vec<String> {
            body["data"]["caseView"]["rehabPeriods"].as_array().unwrap().iter().find(|p| p["id"] == period.as_str()).unwrap()["decisions"].as_array().unwrap().iter().map(|d| d["kind"].as_str().unwrap().to_owned()).collect()
        };
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({ "c": app.fx.shared })).await;
        assert_eq!(kinds(&kela), ["TERMINATE", "CHANGE", "GRANT"], "{kela}");
        let (_, coach) = app.gql(&app.token_for("PROVIDER_COACH"), q, json!({ "c": app.fx.shared })).await;
        assert_eq!(kinds(&coach), Vec::<String>::new(), "{coach}");
        assert_eq!(coach["data"]["caseView"]["rehabDecisions"], json!([]), "{coach}");
        // A period out of scope is NOT_FOUND, as a missing one.
        let (_, missing) = app.gql(&worker, TERMINATE, json!({ "i": { "periodId": "no-such-period", "endedOn": day(&app, 1), "terms": { "decidedOn": day(&app, 0), "servedOn": day(&app, 0), "hearingOn": day(&app, 0), "reasoning": "x" } } })).await;
        assert_eq!(err(&missing).0, "NOT_FOUND", "{missing}");
        // Decisions are written, never deleted.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_decision WHERE period_id = '{period}'")).await, 3);
    }
}

on_both! {
    async fn a_grant_leaves_a_start_notice_the_employment_expert_answers_with_a_statement(app) {
        let (_, g) = app.gql(&app.token_for("EKSOTE_WORKER"), GRANT, grant(&app, &app.fx.shared, 40)).await;
        let number = g["data"]["decideRehabPeriod"]["decisionNumber"].clone();
        let te = app.token_for("TE_EXPERT");
        let (_, open) = app.gql(&te, NOTICES, json!({ "o": true })).await;
        let listed = notices_of(&open);
        // Oldest first: the fixture's, then this grant's.
        assert_eq!(listed.len(), 2, "{open}");
        let notices = &listed[1..];
        assert_eq!(notices[0]["decisionNumber"], number, "{open}");
        assert_eq!(notices[0]["startsOn"], day(&app, 40), "{open}");
        assert_eq!(notices[0]["client"]["id"], app.fx.shared.as_str(), "{open}");
        let notice = notices[0]["id"].as_str().unwrap().to_owned();
        // The work list is the employment authority's.
        for role in ["KELA_EXPERT", "EKSOTE_WORKER", "TYP_OFFICER"] {
            let (status, body) = app.gql(&app.token_for(role), NOTICES, json!({ "o": true })).await;
            assert_not_in_schema(status, &body, "kttStartNotices", "Query");
            let (status, body) = app.gql(&app.token_for(role), STATEMENT, json!({ "i": { "noticeId": notice, "recipient": "KELA", "content": "x", "issuedOn": day(&app, 0) } })).await;
            assert_not_in_schema(status, &body, "issueLabourPolicyStatement", "Mutation");
        }
        let statement = |recipient: &str, fund: Json, issued: i64| json!({ "i": { "noticeId": notice, "recipient": recipient, "fundName": fund, "content": "The conditions of the benefit are met during KTT.", "issuedOn": day(&app, issued) } });
        assert_eq!(err(&app.gql(&te, STATEMENT, statement("UNEMPLOYMENT_FUND", Json::Null, 0)).await.1), bad("fundName"));
        assert_eq!(err(&app.gql(&te, STATEMENT, statement("KELA", json!("Kassa"), 0)).await.1), bad("fundName"));
        assert_eq!(err(&app.gql(&te, STATEMENT, statement("KELA", Json::Null, 1)).await.1), bad("issuedOn"));
        assert_eq!(err(&app.gql(&te, STATEMENT, statement("KELA", Json::Null, -1)).await.1), bad("issuedOn"));
        let disclosures = format!("SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}'", app.fx.shared);
        let before = app.count(&disclosures).await;
        let (_, issued) = app.gql(&te, STATEMENT, statement("UNEMPLOYMENT_FUND", json!("Esimerkkialojen työttömyyskassa"), 0)).await;
        let s = &issued["data"]["issueLabourPolicyStatement"];
        assert_eq!(s["recipient"], "UNEMPLOYMENT_FUND", "{issued}");
        assert_eq!(s["fundName"], "Esimerkkialojen työttömyyskassa", "{issued}");
        assert_eq!(s["kind"], "KTT_START", "{issued}");
        // A statutory disclosure to the named fund: the statement (BENEFIT) and the period it
        // rests on (REHAB), under the section that makes the statement binding.
        assert_eq!(app.count(&disclosures).await, before + 2, "the statement is a logged disclosure");
        let statutory = format!("SELECT COUNT(*) FROM disclosure_log WHERE client_id = '{}' AND basis = 'STATUTORY' AND legal_section = '1290/2002 ch. 11 s. 4' AND recipient_name = 'Esimerkkialojen työttömyyskassa' AND recipient_agency IS NULL AND disclosing_agency = 'TE' AND consent_id IS NULL AND field_group IN ('BENEFIT', 'REHAB')", app.fx.shared);
        assert_eq!(app.count(&statutory).await, 2);
        let written = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND field_groups = 'BENEFIT' AND operation = 'issueLabourPolicyStatement'", app.fx.shared);
        assert_eq!(app.count(&written).await, 1);
        // Handled: off the open list, on the handled one with its statement.
        let (_, open) = app.gql(&te, NOTICES, json!({ "o": true })).await;
        assert_eq!(notices_of(&open).len(), 1, "only the fixture's waits: {open}");
        let (_, handled) = app.gql(&te, NOTICES, json!({ "o": false })).await;
        assert_eq!(notices_of(&handled)[0]["statementId"], s["id"], "{handled}");
        assert_eq!(err(&app.gql(&te, STATEMENT, statement("KELA", Json::Null, 0)).await.1).0, "CONFLICT");
        // The statement is in the case view, for those who read BENEFIT.
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), "query V($c: ID!) { caseView(clientId: $c) { labourPolicyStatements { id recipient fundName } } }", json!({ "c": app.fx.shared })).await;
        let found = kela["data"]["caseView"]["labourPolicyStatements"].as_array().unwrap().iter().any(|x| x["id"] == s["id"] && x["fundName"] == "Esimerkkialojen työttömyyskassa");
        assert!(found, "{kela}");
    }
}

/// GETs a decision's document with `token`: status, content type, cache control, CSP, body.
pub async fn document(
    app: &TestApp,
    token: Option<&str>,
    id: &str,
) -> (u16, String, String, String, String) {
    let mut req = app.http.get(app.endpoint(&format!("/decisions/{id}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (ct, cc, csp) = (
        header("content-type"),
        header("cache-control"),
        header("content-security-policy"),
    );
    (status, ct, cc, csp, res.text().await.unwrap())
}

/// Grants a period to the shared client and answers its decision's id.
pub async fn granted_decision(app: &TestApp) -> String {
    let (_, g) = app
        .gql(
            &app.token_for("EKSOTE_WORKER"),
            GRANT,
            grant(app, &app.fx.shared, 40),
        )
        .await;
    g["data"]["decideRehabPeriod"]["decisions"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{g}"))
        .to_owned()
}

on_both! {
    async fn the_decision_document_is_read_like_its_fields(app) {
        let id = granted_decision(&app).await;
        let reads = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND operation = 'decisionDocument' AND field_groups LIKE '%REHAB%' AND field_groups LIKE '%IDENTITY%'", app.fx.shared);
        let (status, ct, cc, csp, html) = document(&app, Some(&app.token_for("TE_EXPERT")), &id).await;
        assert_eq!(status, 200, "{html}");
        assert!(ct.starts_with("text/html"), "{ct}");
        assert_eq!(cc, "no-store");
        assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'sha256-") && !csp.contains("unsafe"), "{csp}");
        for text in ["Päätös kuntouttavasta työtoiminnasta", "Myönteinen päätös", "Aino Koemäki", "010190-901R", "Sosiaalityöntekijä", "Oikaisuvaatimusohje", "30 päivän", "1301/2014", "Koe työpaja", "6,40 €"] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
        assert_eq!(app.count(&reads).await, 1, "the read is logged");
        // Swedish for a Swedish-speaking client.
        app.exec(&format!("UPDATE client SET language = 'sv' WHERE id = '{}'", app.fx.shared)).await;
        let (_, refused) = app.gql(&app.token_for("EKSOTE_WORKER"), REFUSE, json!({ "i": { "clientId": app.fx.shared, "terms": { "decidedOn": day(&app, 0), "servedOn": day(&app, 0), "hearingOmittedReason": "Beviljat enligt ansökan <b>", "reasoning": "Ingen plats <script>alert(1)</script>" } } })).await;
        let sv = refused["data"]["refuseRehabPeriod"]["id"].as_str().unwrap_or_else(|| panic!("{refused}")).to_owned();
        let (status, _, _, _, html) = document(&app, Some(&app.token_for("EKSOTE_WORKER")), &sv).await;
        assert_eq!(status, 200);
        for text in ["Beslut om arbetsverksamhet i rehabiliteringssyfte", "Avslag", "Anvisning om begäran om omprövning", "30 dagar", "&lt;script&gt;"] {
            assert!(html.contains(text), "{text} missing: {html}");
        }
        assert!(!html.contains("<script"), "{html}");
        // Missing and out of scope answer alike; a role that never reads REHAB is refused;
        // without a token, nothing.
        let (missing, _, _, _, missing_body) = document(&app, Some(&app.token_for("EKSOTE_WORKER")), "no-such-decision").await;
        let (hidden, _, _, _, hidden_body) = document(&app, Some(&app.token_for("PROVIDER_COACH")), &id).await;
        assert_eq!((missing, hidden), (404, 404));
        assert_eq!(missing_body, hidden_body);
        let (analyst, ..) = document(&app, Some(&app.token_for("ANALYST")), &id).await;
        assert_eq!(analyst, 403);
        let (anonymous, ..) = document(&app, None, &id).await;
        assert_eq!(anonymous, 401);
    }
}

/// The text of a PDF, by poppler's `pdftotext`; `None` when it is not installed.
fn pdf_text(pdf: &[u8]) -> Option<String> {
    let bin = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decision.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new(bin)
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

on_both! {
    async fn the_decision_prints_to_a_pdf_that_reads_as_the_decision(app) {
        use crate::browser::{chromium, Browser};
        if chromium().is_none() || !std::path::Path::new("/usr/bin/pdftotext").exists() {
            eprintln!("chromium or pdftotext not installed: decision print test not run (.ci/run installs them)");
            return;
        }
        let id = granted_decision(&app).await;
        let token = app.token_for("EKSOTE_WORKER");
        let url = app.endpoint(&format!("/decisions/{id}"));
        let (pdf, console) = tokio::task::spawn_blocking(move || {
            let mut b = Browser::launch().unwrap();
            b.bearer(&token);
            b.goto(&url);
            b.wait_for("document.querySelector('h1') !== null", "the decision to render");
            (b.print_pdf(), b.console.clone())
        })
        .await
        .unwrap();
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let text = pdf_text(&pdf).unwrap();
        // Lines may wrap anywhere: compare with the whitespace folded.
        let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in ["Päätös kuntouttavasta työtoiminnasta", "Myönteinen päätös", "Aino Koemäki", "010190-901R", "Sosiaalityöntekijä", "Oikaisuvaatimusohje", "30 päivän kuluessa", "hallintolaki 434/2003", "1301/2014"] {
            assert!(folded.contains(expected), "{expected} not in the printed decision: {folded}");
        }
        let refused: Vec<&String> = console.iter().filter(|c| c.contains("Refused to")).collect();
        assert!(refused.is_empty(), "the policy refused the document's own style: {refused:?}");
        let reads = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND operation = 'decisionDocument'", app.fx.shared);
        assert!(app.count(&reads).await >= 1, "the printed read is logged");
    }
}

on_both! {
    async fn every_early_end_is_a_termination_with_its_notice(app) {
        let worker = app.token_for("EKSOTE_WORKER");
        let (_, g) = app.gql(&worker, GRANT, grant(&app, &app.fx.shared, 40)).await;
        let period = g["data"]["decideRehabPeriod"]["id"].as_str().unwrap_or_else(|| panic!("{g}")).to_owned();
        let mut t = terms(&app, 0);
        t["reasoning"] = json!("The client asked for four days a week.");
        let (_, changed) = app.gql(&worker, CHANGE, json!({ "i": { "periodId": period, "daysPerWeek": 4, "terms": t } })).await;
        let change_number = changed["data"]["changeRehabPeriod"]["id"].clone();
        assert!(change_number.is_string(), "{changed}");
        // Ending early without the power to decide: refused before anything is read, for
        // every role that writes REHAB but is not a county decision maker; the roles that
        // never write it do not see the mutation.
        let early = |on: i64| json!({ "i": { "periodId": period, "endedOn": day(&app, on), "reason": "Started studies", "outcome": "STUDIES", "terms": terms(&app, 0) } });
        let (_, officer) = app.gql(&app.token_for("TYP_OFFICER"), END_EARLY, early(50)).await;
        assert_eq!(err(&officer).0, "FORBIDDEN", "{officer}");
        for role in ["TE_EXPERT", "KELA_EXPERT", "PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), END_EARLY, early(50)).await;
            crate::helpers::assert_mutation_not_in_schema(role, status, &body, "endRehabPeriodEarly");
        }
        // A county official without the delegation is refused too.
        app.exec(&format!("DELETE FROM ktt_decision_maker WHERE official_id = '{}'", app.fx.official("EKSOTE_WORKER"))).await;
        let (_, undelegated) = app.gql(&worker, END_EARLY, early(50)).await;
        assert_eq!(err(&undelegated).0, "FORBIDDEN", "{undelegated}");
        app.exec(&format!(
            "INSERT INTO ktt_decision_maker (official_id, title, granted_by, granted_at) VALUES ('{}', 'Social worker', '{}', '2026-01-01 00:00:00')",
            app.fx.official("EKSOTE_WORKER"),
            app.fx.official("ADMIN")
        ))
        .await;
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM rehab_period WHERE id = '{period}' AND ended_early_on IS NULL")).await, 1);
        // The decision's own rules hold: not before the day it is decided.
        let mut backwards = early(50);
        backwards["i"]["terms"] = terms(&app, 1);
        backwards["i"]["endedOn"] = json!(day(&app, 0));
        let (_, before_decided) = app.gql(&worker, END_EARLY, backwards).await;
        assert!(err(&before_decided).0 == "BAD_USER_INPUT", "{before_decided}");
        // The decision maker ends it: a TERMINATE decision with the reason as its reasons.
        let (_, ended) = app.gql(&worker, END_EARLY, early(50)).await;
        let p = &ended["data"]["endRehabPeriodEarly"];
        assert_eq!(p["endedEarlyOn"], day(&app, 50), "{ended}");
        assert_eq!(p["outcome"], "STUDIES", "{ended}");
        assert_eq!(p["decisions"][0], json!({ "kind": "TERMINATE", "reasoning": "Started studies", "terminatedOn": day(&app, 50) }), "{ended}");
        // The employment authority's list has a notice of each: the grant, the change (with
        // the changed end) and the end (with the last day).
        let te = app.token_for("TE_EXPERT");
        let (_, open) = app.gql(&te, NOTICES, json!({ "o": true })).await;
        let listed = notices_of(&open);
        let mine: Vec<&Json> = listed.iter().filter(|n| n["startsOn"] == day(&app, 40)).collect();
        let kinds: Vec<&str> = mine.iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["GRANT", "CHANGE", "TERMINATE"], "{open}");
        assert_eq!(mine[2]["endsOn"], day(&app, 50), "{open}");
        // Each statement states what its notice tells.
        for (notice, kind) in [(&mine[1], "KTT_CHANGE"), (&mine[2], "KTT_END")] {
            let (_, issued) = app.gql(&te, STATEMENT, json!({ "i": { "noticeId": notice["id"], "recipient": "KELA", "content": "As decided.", "issuedOn": day(&app, 0) } })).await;
            assert_eq!(issued["data"]["issueLabourPolicyStatement"]["kind"], kind, "{issued}");
        }
        // Each written under the early end's own log row, with its decision and notice.
        let logged = format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND operation = 'endRehabPeriodEarly' AND field_groups LIKE '%REHAB%'", app.fx.shared);
        assert_eq!(app.count(&logged).await, 1);
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM ktt_decision WHERE period_id = '{period}' AND kind = 'TERMINATE'")).await, 1);
    }
}

/// Adds a notice to the work list, arrived at `at`: on a copy of the fixture's grant
/// decision for `client`, and handled by a statement of its own when `handled`.
async fn add_notice(
    app: &TestApp,
    id: &str,
    client: &str,
    at: chrono::DateTime<chrono::Utc>,
    handled: bool,
) {
    let cols = "kind, client_id, case_id, period_id, plan_id, plan_item_id, legal_basis, decided_by, decider_name, decider_title, hearing_on, hearing_omitted_reason, provider_id, starts_on, ends_on, days_per_week, hours_per_day, terminated_on, toimintaraha_cents_per_day, travel_cents_per_day, language, decided_on, served_on, reasoning, created_at";
    let copied = cols.replace("client_id", &format!("'{client}'"));
    app.exec(&format!("INSERT INTO ktt_decision (id, decision_number, {cols}) SELECT 'd-{id}', 'KTT-P-{id}', {copied} FROM ktt_decision WHERE decision_number = 'KTT-T-1'")).await;
    let te = app.fx.official("TE_EXPERT");
    let statement = if handled {
        app.exec(&format!("INSERT INTO labour_policy_statement (id, client_id, issued_on, issued_by, statement_kind, content, recipient, fund_name) VALUES ('s-{id}', '{client}', '{}', '{te}', 'KTT_START', 'Met.', 'KELA', NULL)", day(app, 0))).await;
        Some(format!("s-{id}"))
    } else {
        None
    };
    let period: String = {
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                "SELECT period_id FROM ktt_decision WHERE decision_number = 'KTT-T-1'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get("", "period_id").unwrap()
    };
    let when = chrono::NaiveDate::parse_from_str(&day(app, 0), "%Y-%m-%d").unwrap();
    crate::helpers::insert(
        &app.db,
        "ktt_start_notice",
        &[
            ("id", id.into()),
            ("client_id", client.into()),
            ("decision_id", format!("d-{id}").into()),
            ("kind", "GRANT".into()),
            ("period_id", period.into()),
            ("starts_on", when.into()),
            ("ends_on", when.into()),
            ("created_at", at.into()),
            ("handled_at", handled.then_some(at).into()),
            ("handled_by", handled.then(|| te.to_owned()).into()),
            ("statement_id", statement.into()),
        ],
    )
    .await;
}

/// Walks the work list `size` notices a page, forward from the start (or backward from the
/// end with `backward`), and returns the notices' ids in list order, checking each page's
/// size and paging flags on the way.
async fn walk(app: &TestApp, token: &str, open: Json, size: i64, backward: bool) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 0.. {
        assert!(page < 100, "the walk ends");
        let vars = if backward {
            json!({ "o": open, "l": size, "b": cursor })
        } else {
            json!({ "o": open, "f": size, "a": cursor })
        };
        let (_, body) = app.gql(token, NOTICE_PAGE, vars).await;
        let edges = body["data"]["kttStartNotices"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .clone();
        let info = &body["data"]["kttStartNotices"]["pageInfo"];
        let (more, earlier) = if backward {
            ("hasPreviousPage", "hasNextPage")
        } else {
            ("hasNextPage", "hasPreviousPage")
        };
        assert_eq!(info[earlier], json!(cursor.is_some()), "{body}");
        let mut got: Vec<String> = edges
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect();
        if info[more] == json!(true) {
            assert_eq!(
                got.len() as i64,
                size,
                "a page before the last is full: {body}"
            );
        } else {
            assert!(got.len() as i64 <= size, "{body}");
        }
        if let Some(last) = edges.last() {
            let end = if backward {
                &info["startCursor"]
            } else {
                &info["endCursor"]
            };
            let edge = if backward { &edges[0] } else { last };
            assert_eq!(end, &edge["cursor"], "{body}");
            cursor = end.as_str().map(str::to_owned);
        }
        if backward {
            got.extend(ids);
            ids = got;
        } else {
            ids.extend(got);
        }
        if info[more] != json!(true) {
            break;
        }
    }
    ids
}

on_both! {
    async fn pages_of_the_ktt_work_list_walk_every_notice_in_scope_once_in_order(app) {
        // Notices arriving a minute apart, some at the same instant (ordered then by id),
        // some handled; between them notices on decisions of a client outside the
        // employment authority's scope (no TYP case: the county's decisions are its own).
        let base = chrono::Utc::now().with_nanosecond(0).unwrap() - chrono::Duration::days(1);
        let at = |minutes: i64| base + chrono::Duration::minutes(minutes);
        let mut mine: Vec<(String, chrono::DateTime<chrono::Utc>, bool)> = Vec::new();
        for i in 0..11i64 {
            // n-03 and n-04 arrive at the same instant as n-02, n-08 as n-07.
            let minute = match i { 3 | 4 => 2, 8 => 7, _ => i };
            mine.push((format!("n-{i:02}"), at(10 - minute), i % 3 == 0));
        }
        for (id, when, handled) in &mine {
            add_notice(&app, id, &app.fx.shared, *when, *handled).await;
        }
        let outside = app.fx.own_only.clone();
        for (i, minute) in [(0, 1), (1, 2), (2, 7), (3, 30)] {
            add_notice(&app, &format!("x-{i}"), &outside, at(10 - minute), i == 1).await;
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM ktt_start_notice WHERE id LIKE 'x-%'").await, 4);
        // The fixture's notice arrived last, now.
        let fixture: String = {
            let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "SELECT id FROM ktt_start_notice WHERE id NOT LIKE 'n-%' AND id NOT LIKE 'x-%'")).await.unwrap().unwrap();
            row.try_get("", "id").unwrap()
        };
        mine.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
        let expected = |open: Option<bool>| -> Vec<String> {
            let mut ids: Vec<String> = mine.iter().filter(|(_, _, handled)| open.is_none_or(|o| o != *handled)).map(|(id, _, _)| id.clone()).collect();
            if open != Some(false) {
                ids.push(fixture.clone());
            }
            ids
        };
        let te = app.token_for("TE_EXPERT");
        for (open, want) in [(Json::Null, None), (json!(true), Some(true)), (json!(false), Some(false))] {
            for size in [1, 2, 3, 5, 100] {
                let forward = walk(&app, &te, open.clone(), size, false).await;
                assert_eq!(forward, expected(want), "open {open}, first {size}");
                let backward = walk(&app, &te, open.clone(), size, true).await;
                assert_eq!(backward, expected(want), "open {open}, last {size}");
            }
        }
        // A page starting after a cursor in the middle of a group arriving together.
        let (_, first) = app.gql(&te, NOTICE_PAGE, json!({ "f": 3 })).await;
        let after = first["data"]["kttStartNotices"]["pageInfo"]["endCursor"].clone();
        let (_, next) = app.gql(&te, NOTICE_PAGE, json!({ "f": 2, "a": after })).await;
        let ids: Vec<&str> = next["data"]["kttStartNotices"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].as_str().unwrap()).collect();
        assert_eq!(ids, &expected(None)[3..5], "{next}");
        assert!(expected(None)[..5].iter().all(|id| id.starts_with("n-")));
    }
}

on_both! {
    async fn a_ktt_work_list_cursor_is_refused_elsewhere_and_pages_are_bounded(app) {
        let base = chrono::Utc::now().with_nanosecond(0).unwrap() - chrono::Duration::days(1);
        for i in 0..3i64 {
            add_notice(&app, &format!("n-{i}"), &app.fx.shared, base + chrono::Duration::minutes(i), false).await;
        }
        let te = app.token_for("TE_EXPERT");
        let (_, open) = app.gql(&te, NOTICE_PAGE, json!({ "o": true, "f": 1 })).await;
        let cursor = open["data"]["kttStartNotices"]["pageInfo"]["endCursor"].as_str().unwrap_or_else(|| panic!("{open}")).to_owned();
        let refused = |body: &Json| {
            assert_eq!(err(body), bad("after"), "{body}");
            assert_eq!(body["errors"][0]["message"], "not a cursor of this connection", "{body}");
        };
        // A cursor of the open list is no cursor of the whole list or of the handled one.
        for other in [Json::Null, json!(false)] {
            refused(&app.gql(&te, NOTICE_PAGE, json!({ "o": other, "f": 1, "a": cursor })).await.1);
        }
        // Nor another expert's, nor hand-made, nor another connection's.
        let colleague = official(&app, "te-2", "TE", "TE_EXPERT").await;
        refused(&app.gql(&colleague, NOTICE_PAGE, json!({ "o": true, "f": 1, "a": cursor })).await.1);
        refused(&app.gql(&te, NOTICE_PAGE, json!({ "o": true, "f": 1, "a": "bm90IGEgY3Vyc29y" })).await.1);
        let (_, clients) = app.gql(&app.token_for("TYP_OFFICER"), "{ clients(first: 1) { pageInfo { endCursor } } }", json!({})).await;
        let foreign = clients["data"]["clients"]["pageInfo"]["endCursor"].clone();
        assert!(foreign.is_string(), "{clients}");
        refused(&app.gql(&te, NOTICE_PAGE, json!({ "o": true, "f": 1, "a": foreign })).await.1);
        // The same cursor on its own list goes on.
        let (_, next) = app.gql(&te, NOTICE_PAGE, json!({ "o": true, "f": 1, "a": cursor })).await;
        assert_eq!(next["data"]["kttStartNotices"]["edges"][0]["node"]["id"], "n-1", "{next}");
        // Page sizes: at most 100, never negative, not first and last together.
        let (_, big) = app.gql(&te, NOTICE_PAGE, json!({ "f": 101 })).await;
        assert_eq!(err(&big).0, "LIMIT_EXCEEDED", "{big}");
        let (_, negative) = app.gql(&te, NOTICE_PAGE, json!({ "f": -1 })).await;
        assert_eq!(err(&negative), bad("first"), "{negative}");
        let (_, both) = app.gql(&te, NOTICE_PAGE, json!({ "f": 1, "l": 1 })).await;
        assert_eq!(err(&both), bad("last"), "{both}");
        // Without a size, a page of 20.
        let (_, default) = app.gql(&te, NOTICE_PAGE, json!({})).await;
        assert_eq!(default["data"]["kttStartNotices"]["edges"].as_array().map(Vec::len), Some(4), "{default}");
        // The list stays the employment authority's BENEFIT writers', cursor or not.
        let officer = official(&app, "te-3", "TE", "TYP_OFFICER").await;
        let (status, body) = app.gql(&officer, NOTICE_PAGE, json!({ "o": true, "f": 1, "a": cursor })).await;
        assert_not_in_schema(status, &body, "kttStartNotices", "Query");
    }
}
