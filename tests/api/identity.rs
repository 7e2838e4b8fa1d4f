//! Personal identity codes at registration: individual numbers 000–001 and birth dates
//! after today refused, 900–999 recorded as temporary.

use chrono::{Days, NaiveDate};
use serde_json::{json, Value as Json};
use typgraph::domain::personal_identity_code::format;

use crate::helpers::TestApp;
use crate::on_both;

const REGISTER: &str = "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { duplicate client { id personalIdentityCode } } }";

async fn register(app: &TestApp, code: &str) -> Json {
    let input =
        json!({ "personalIdentityCode": code, "firstName": "Testi", "lastName": "Koelahti" });
    app.gql(&app.token_for("TE_EXPERT"), REGISTER, json!({ "i": input }))
        .await
        .1
}

fn refused(body: &Json, why: &str) {
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{why}: {body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "personalIdentityCode",
        "{why}: {body}"
    );
}

fn accepted(body: &Json, why: &str) {
    assert_eq!(
        body["data"]["registerClient"]["duplicate"], false,
        "{why}: {body}"
    );
}

on_both! {
    async fn individual_numbers_000_and_001_are_refused(app) {
        let born = NaiveDate::from_ymd_opt(1990, 1, 10).unwrap();
        let before = app.count("SELECT COUNT(*) FROM client").await;
        refused(&register(&app, &format(born, 0)).await, "000");
        refused(&register(&app, &format(born, 1)).await, "001");
        assert_eq!(app.count("SELECT COUNT(*) FROM client").await, before, "nothing stored");
        accepted(&register(&app, &format(born, 900)).await, "900");
        accepted(&register(&app, &format(born, 999)).await, "999");
    }
}

on_both! {
    async fn a_birth_date_after_today_is_refused(app) {
        let today = app.fx.today;
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap();
        refused(&register(&app, &format(tomorrow, 950)).await, "born tomorrow");
        accepted(&register(&app, &format(today, 950)).await, "born today");
    }
}
