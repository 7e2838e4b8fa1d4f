//! Service vouchers: approved providers, the county's grant, the client's choice, the chosen
//! provider's answer, use against the voucher (KTT days, coaching hours), the provider's own
//! scope and the monthly statement as CSV.

use serde_json::{json, Value as Json};

use crate::helpers::TestApp;
use crate::on_both;

const V: &str = "id kind unit valueCents quantity validFrom validUntil status providerId used remaining periodId declineReason";

fn err(b: &Json) -> (&str, &str) {
    let e = &b["errors"][0]["extensions"];
    (
        e["code"].as_str().unwrap_or(""),
        e["field"].as_str().unwrap_or(""),
    )
}

fn day(app: &TestApp, offset: i64) -> chrono::NaiveDate {
    app.fx.today + chrono::Duration::days(offset)
}

async fn approve(app: &TestApp, provider: &str, kind: &str) -> Json {
    let m = "mutation A($i: VoucherProviderInput!) { approveVoucherProvider(input: $i) { providerId kind approvedOn withdrawnOn } }";
    app.gql(
        &app.token_for("EKSOTE_WORKER"),
        m,
        json!({ "i": { "providerId": provider, "kind": kind } }),
    )
    .await
    .1
}

async fn grant(
    app: &TestApp,
    kind: &str,
    unit: &str,
    quantity: i64,
    from: i64,
    until: i64,
) -> Json {
    let m = format!(
        "mutation G($i: GrantServiceVoucherInput!) {{ grantServiceVoucher(input: $i) {{ {V} }} }}"
    );
    let i = json!({ "clientId": app.fx.shared, "kind": kind, "unit": unit, "valueCents": 5000, "quantity": quantity, "validFrom": day(app, from), "validUntil": day(app, until) });
    app.gql(&app.token_for("EKSOTE_WORKER"), &m, json!({ "i": i }))
        .await
        .1
}

async fn choose(app: &TestApp, voucher: &str, provider: &str) -> Json {
    let m = format!("mutation C($i: ChooseVoucherProviderInput!) {{ chooseVoucherProvider(input: $i) {{ {V} }} }}");
    app.gql(
        &app.token_for("EKSOTE_WORKER"),
        &m,
        json!({ "i": { "voucherId": voucher, "providerId": provider } }),
    )
    .await
    .1
}

async fn answer(
    app: &TestApp,
    token: &str,
    voucher: &str,
    accept: bool,
    reason: Option<&str>,
) -> Json {
    let m = format!("mutation A($i: AnswerServiceVoucherInput!) {{ answerServiceVoucher(input: $i) {{ {V} }} }}");
    app.gql(
        token,
        &m,
        json!({ "i": { "voucherId": voucher, "accept": accept, "declineReason": reason } }),
    )
    .await
    .1
}

fn id_of(b: &Json, root: &str) -> String {
    b["data"][root]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{b}"))
        .to_owned()
}

async fn csv(app: &TestApp, token: &str, provider: &str, month: &str) -> (u16, String) {
    let res = app
        .http
        .get(app.endpoint(&format!(
            "/exports/voucher-statement.csv?providerId={provider}&month={month}"
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

on_both! {
    async fn a_coaching_voucher_is_chosen_accepted_used_and_invoiced(app) {
        let (p1, p2) = (app.fx.p1.clone(), app.fx.p2.clone());
        let coach1 = app.token_for("PROVIDER_COACH");
        let coach2 = app.token(&app.fx.coach_p2, &["PROVIDER_COACH"]);
        let b = approve(&app, &p1, "COACHING").await;
        assert_eq!(b["data"]["approveVoucherProvider"]["kind"], "COACHING", "{b}");
        let b = approve(&app, &p1, "COACHING").await;
        assert_eq!(err(&b).0, "CONFLICT", "{b}");
        let g = grant(&app, "COACHING", "HOUR", 20, -10, 100).await;
        assert_eq!(g["data"]["grantServiceVoucher"]["status"], "GRANTED", "{g}");
        let v = id_of(&g, "grantServiceVoucher");
        // A provider not approved for coaching vouchers cannot be chosen.
        let b = choose(&app, &v, &p2).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "providerId"), "{b}");
        let b = choose(&app, &v, &p1).await;
        assert_eq!((b["data"]["chooseVoucherProvider"]["status"].as_str(), b["data"]["chooseVoucherProvider"]["providerId"].as_str()), (Some("CHOSEN"), Some(p1.as_str())), "{b}");
        // Another provider's coach: as missing; the county cannot answer for the provider.
        let b = answer(&app, &coach2, &v, true, None).await;
        assert_eq!(err(&b).0, "NOT_FOUND", "{b}");
        let b = answer(&app, &app.token_for("EKSOTE_WORKER"), &v, true, None).await;
        assert_eq!(err(&b).0, "FORBIDDEN", "{b}");
        let b = answer(&app, &coach1, &v, true, None).await;
        assert_eq!(b["data"]["answerServiceVoucher"]["status"], "ACCEPTED", "{b}");
        let b = answer(&app, &coach1, &v, false, Some("full")).await;
        assert_eq!(err(&b).0, "CONFLICT", "{b}");

        // The county orders coaching under it, within the hours it grants.
        let order = "mutation O($i: OrderJobCoachingInput!) { orderJobCoaching(input: $i) { id hours providerId voucherId orderedBy } }";
        let i = json!({ "clientId": app.fx.shared, "kind": "NEUROPSYCHIATRIC", "hours": 21, "startsOn": day(&app, -5).to_string(), "voucherId": v });
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), order, json!({ "i": i })).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "hours"), "{b}");
        assert_eq!(b["errors"][0]["extensions"]["hoursLeft"], 20, "{b}");
        let mut i20 = i.clone();
        i20["hours"] = json!(20);
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), order, json!({ "i": i20 })).await;
        let c = &b["data"]["orderJobCoaching"];
        assert_eq!((c["providerId"].as_str(), c["voucherId"].as_str(), c["orderedBy"].as_str()), (Some(p1.as_str()), Some(v.as_str()), Some("EKSOTE")), "{b}");
        let coaching = c["id"].as_str().unwrap().to_owned();
        // The employment authority does not order under the county's voucher.
        let (_, b) = app.gql(&app.token_for("TE_EXPERT"), order, json!({ "i": i20 })).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "voucherId"), "{b}");

        // The coach records 3 hours today: used 3 of 20.
        let hours = "mutation H($i: RecordCoachingHoursInput!) { recordCoachingHours(input: $i) { hoursUsed } }";
        let (_, b) = app.gql(&coach1, hours, json!({ "i": { "coachingId": coaching, "workedOn": app.fx.today.to_string(), "hours": 3 } })).await;
        assert_eq!(b["data"]["recordCoachingHours"]["hoursUsed"], 3, "{b}");
        let list = format!("{{ providerVouchers {{ {V} clientName }} }}");
        let (_, l) = app.gql(&coach1, &list, json!({})).await;
        let mine = &l["data"]["providerVouchers"];
        assert_eq!(mine.as_array().map(Vec::len), Some(1), "{l}");
        assert_eq!((mine[0]["used"].as_i64(), mine[0]["remaining"].as_i64()), (Some(3), Some(17)), "{l}");
        assert!(mine[0]["clientName"].as_str().is_some_and(|n| !n.is_empty()), "{l}");
        // The other provider sees none of it.
        // The coach's read is logged: COACHING and the name, on the provider's placement basis.
        let read = app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND operation = 'providerVouchers' AND agency = 'PROVIDER' AND basis = 'PROVIDER_PLACEMENT' AND field_groups LIKE '%COACHING%' AND field_groups LIKE '%CONTACT%'", app.fx.shared)).await;
        assert_eq!(read, 1);
        let (_, l) = app.gql(&coach2, &list, json!({})).await;
        assert_eq!(l["data"]["providerVouchers"], json!([]), "{l}");
        // The county sees it in the case view.
        let (_, cv) = app.gql(&app.token_for("EKSOTE_WORKER"), "query V($c: ID!) { caseView(clientId: $c) { serviceVouchers { id used remaining status } } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(cv["data"]["caseView"]["serviceVouchers"], json!([{ "id": v, "used": 3, "remaining": 17, "status": "ACCEPTED" }]), "{cv}");

        // The month's statement: 3 hours at 50.00 = 150.00, and the total.
        let month = app.fx.today.format("%Y-%m").to_string();
        let (status, body) = csv(&app, &coach1, &p1, &month).await;
        assert_eq!(status, 200, "{body}");
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(lines.len(), 3, "{body}");
        let cells: Vec<&str> = lines[1].split(',').collect();
        assert_eq!((cells[2], cells[5], cells[6], cells[7], cells[8], cells[9], cells[10]), (v.as_str(), "COACHING", "HOUR", "5000", "3", "15000", "150.00"), "{body}");
        assert!(lines[2].contains(",TOTAL,") && lines[2].ends_with(",15000,150.00"), "{body}");
        let (status, same) = csv(&app, &app.token_for("EKSOTE_WORKER"), &p1, &month).await;
        assert_eq!((status, same.as_str()), (200, body.as_str()));
        // Another provider's statement is as missing to a coach; Kela and the analyst get none.
        assert_eq!(csv(&app, &coach2, &p1, &month).await.0, 404);
        assert_eq!(csv(&app, &app.token_for("KELA_EXPERT"), &p1, &month).await.0, 403);
        assert_eq!(csv(&app, &app.token_for("ANALYST"), &p1, &month).await.0, 403);
        assert_eq!(csv(&app, &coach1, &p1, "2026-13").await.0, 400);
        // Each download is logged: a READ of the client's COACHING for the coach and the county.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'READ' AND operation = 'voucherStatement'", app.fx.shared)).await, 2);
        // Writes: grant, choice, acceptance, order, hours.
        assert_eq!(app.count(&format!("SELECT COUNT(*) FROM access_log_entry WHERE client_id = '{}' AND action = 'WRITE' AND field_groups = 'COACHING'", app.fx.shared)).await, 5);
    }
}

on_both! {
    async fn a_ktt_voucher_counts_attended_days_of_its_period_within_its_validity(app) {
        let p1 = app.fx.p1.clone();
        approve(&app, &p1, "KTT").await;
        // The unit must fit the kind; validity ends after it begins and is not over.
        assert_eq!(err(&grant(&app, "KTT", "HOUR", 30, 1, 40).await), ("BAD_USER_INPUT", "unit"));
        assert_eq!(err(&grant(&app, "KTT", "DAY", 30, 10, 5).await), ("BAD_USER_INPUT", "validUntil"));
        assert_eq!(err(&grant(&app, "KTT", "DAY", 30, -20, -1).await), ("BAD_USER_INPUT", "validUntil"));
        let g = grant(&app, "KTT", "DAY", 30, 1, 40).await;
        let v = id_of(&g, "grantServiceVoucher");
        choose(&app, &v, &p1).await;
        // A declined voucher is chosen again.
        let coach = app.token_for("PROVIDER_COACH");
        let b = answer(&app, &coach, &v, false, None).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "declineReason"), "{b}");
        let b = answer(&app, &coach, &v, false, Some("No places this spring")).await;
        assert_eq!(b["data"]["answerServiceVoucher"]["status"], "DECLINED", "{b}");
        let b = choose(&app, &v, &p1).await;
        assert_eq!(b["data"]["chooseVoucherProvider"]["declineReason"], Json::Null, "{b}");
        answer(&app, &coach, &v, true, None).await;
        let period: String = {
            use sea_orm::{ConnectionTrait, Statement};
            let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), format!("SELECT id FROM rehab_period WHERE client_id = '{}' AND provider_id = '{p1}'", app.fx.shared))).await.unwrap().unwrap();
            row.try_get_by_index(0).unwrap()
        };
        let place = format!("mutation P($i: PlaceVoucherPeriodInput!) {{ placeVoucherPeriod(input: $i) {{ {V} }} }}");
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), &place, json!({ "i": { "voucherId": v, "periodId": uuid::Uuid::new_v4().to_string() } })).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "periodId"), "{b}");
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), &place, json!({ "i": { "voucherId": v, "periodId": period } })).await;
        assert_eq!(b["data"]["placeVoucherPeriod"]["periodId"], period.as_str(), "{b}");
        // Days: two attended, one absent, one voided inside the validity; one attended the
        // day before it begins (the fixture's attended day is before it too).
        let t = if app.url.starts_with("postgres") { "TRUE" } else { "1" };
        let f = if app.url.starts_with("postgres") { "FALSE" } else { "0" };
        let coach_id = app.fx.official("PROVIDER_COACH").to_owned();
        for (offset, present, voided) in [(0, t, false), (1, t, false), (2, t, false), (3, f, false), (4, t, true)] {
            let voided_at = if voided { "'2026-01-01 00:00:00+00:00'" } else { "NULL" };
            let reason = if present == f { "'sick'" } else { "NULL" };
            app.exec(&format!("INSERT INTO attendance_day (id, period_id, day, present, absence_reason, recorded_by, recorded_at, voided_at) VALUES ('{}', '{period}', '{}', {present}, {reason}, '{coach_id}', '2026-01-01 00:00:00+00:00', {voided_at})", uuid::Uuid::new_v4(), day(&app, offset))).await;
        }
        let (_, l) = app.gql(&coach, &format!("{{ providerVouchers {{ {V} }} }}"), json!({})).await;
        let mine = &l["data"]["providerVouchers"][0];
        // Attended on days 1 and 2 of the validity (day 0 is the day before it begins).
        assert_eq!((mine["used"].as_i64(), mine["remaining"].as_i64()), (Some(2), Some(28)), "{l}");
        // The statement of each month: days at 50.00.
        let mut total = 0;
        for d in [day(&app, 1), day(&app, 2)] {
            let month = d.format("%Y-%m").to_string();
            let (status, body) = csv(&app, &coach, &p1, &month).await;
            assert_eq!(status, 200, "{body}");
            let units: i64 = body.lines().nth(1).filter(|l| !l.contains("TOTAL")).map(|l| l.split(',').nth(8).unwrap().parse().unwrap()).unwrap_or(0);
            let expected = [day(&app, 1), day(&app, 2)].iter().filter(|x| x.format("%Y-%m").to_string() == month).count() as i64;
            assert_eq!(units, expected, "{body}");
            if day(&app, 1).format("%Y-%m").to_string() != day(&app, 2).format("%Y-%m").to_string() || d == day(&app, 1) {
                total += units;
            }
        }
        assert_eq!(total, 2);
        // Roles other than the county cannot grant.
        for role in ["TE_EXPERT", "PROVIDER_COACH"] {
            let m = "mutation G($i: GrantServiceVoucherInput!) { grantServiceVoucher(input: $i) { id } }";
            let i = json!({ "clientId": app.fx.shared, "kind": "KTT", "unit": "DAY", "valueCents": 1, "quantity": 1, "validFrom": day(&app, 0), "validUntil": day(&app, 1) });
            let (_, b) = app.gql(&app.token_for(role), m, json!({ "i": i })).await;
            assert_eq!(err(&b).0, "FORBIDDEN", "{role}: {b}");
        }
        for role in ["TYP_OFFICER", "KELA_EXPERT", "ANALYST", "AUDITOR", "ADMIN"] {
            let m = "mutation G($i: GrantServiceVoucherInput!) { grantServiceVoucher(input: $i) { id } }";
            let i = json!({ "clientId": app.fx.shared, "kind": "KTT", "unit": "DAY", "valueCents": 1, "quantity": 1, "validFrom": day(&app, 0), "validUntil": day(&app, 1) });
            let (status, b) = app.gql(&app.token_for(role), m, json!({ "i": i })).await;
            crate::helpers::assert_mutation_not_in_schema(role, status, &b, "grantServiceVoucher");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM service_voucher").await, 1);
    }
}

on_both! {
    async fn an_expired_voucher_is_not_chosen_or_accepted_and_approvals_are_the_countys(app) {
        let p1 = app.fx.p1.clone();
        // Only the county approves providers.
        for role in ["TE_EXPERT", "PROVIDER_COACH"] {
            let m = "mutation A($i: VoucherProviderInput!) { approveVoucherProvider(input: $i) { providerId } }";
            let (_, b) = app.gql(&app.token_for(role), m, json!({ "i": { "providerId": p1, "kind": "KTT" } })).await;
            assert_eq!(err(&b).0, "FORBIDDEN", "{role}: {b}");
        }
        approve(&app, &p1, "KTT").await;
        let (_, l) = app.gql(&app.token_for("TYP_OFFICER"), "{ voucherApprovals(kind: KTT) { providerId kind } }", json!({})).await;
        assert_eq!(l["data"]["voucherApprovals"], json!([{ "providerId": p1, "kind": "KTT" }]), "{l}");
        let g = grant(&app, "KTT", "MONTH", 60, 0, 0).await;
        let v = id_of(&g, "grantServiceVoucher");
        // The validity ended yesterday (as if the day had passed).
        app.exec(&format!("UPDATE service_voucher SET valid_from = '{}', valid_until = '{}' WHERE id = '{v}'", day(&app, -30), day(&app, -1))).await;
        let b = choose(&app, &v, &p1).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "voucherId"), "{b}");
        app.exec(&format!("UPDATE service_voucher SET status = 'CHOSEN', provider_id = '{p1}', chosen_on = '{}' WHERE id = '{v}'", day(&app, -2))).await;
        let b = answer(&app, &app.token_for("PROVIDER_COACH"), &v, true, None).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "voucherId"), "{b}");
        // A withdrawn approval no longer admits a choice.
        let w = "mutation W($i: VoucherProviderInput!) { withdrawVoucherProviderApproval(input: $i) { withdrawnOn } }";
        let (_, b) = app.gql(&app.token_for("EKSOTE_WORKER"), w, json!({ "i": { "providerId": p1, "kind": "KTT" } })).await;
        assert_eq!(b["data"]["withdrawVoucherProviderApproval"]["withdrawnOn"], app.fx.today.to_string(), "{b}");
        let g = grant(&app, "KTT", "DAY", 10, 0, 10).await;
        let b = choose(&app, &id_of(&g, "grantServiceVoucher"), &p1).await;
        assert_eq!(err(&b), ("BAD_USER_INPUT", "providerId"), "{b}");
    }
}
