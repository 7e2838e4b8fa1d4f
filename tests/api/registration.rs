//! Registering clients once, and changing contact data without lost updates.

use serde_json::{json, Value as Json};

use crate::helpers::{assert_mutation_not_in_schema, assert_not_in_schema, TestApp};
use crate::on_both;

const REGISTER: &str = "mutation R($i: RegisterClientInput!) { registerClient(input: $i) { duplicate client { id firstName personalIdentityCode version } } }";

async fn register(app: &TestApp, role: &str, code: &str, first: &str) -> Json {
    let input = json!({ "personalIdentityCode": code, "firstName": first, "lastName": "Koelahti", "email": "a@esimerkki.invalid", "language": "fi" });
    app.gql(&app.token_for(role), REGISTER, json!({ "i": input }))
        .await
        .1
}

on_both! {
    async fn identity_codes_are_checked_and_the_century_sign_is_identity(app) {
        let ok = register(&app, "TE_EXPERT", "131052-308T", "Aino").await;
        assert_eq!(ok["data"]["registerClient"]["duplicate"], false, "{ok}");
        assert_eq!(ok["data"]["registerClient"]["client"]["personalIdentityCode"], "131052-308T");
        for bad in ["131052-308U", "310252-308Y", "131052-308", "131052*308T", "1310523308T"] {
            let body = register(&app, "TE_EXPERT", bad, "Aino").await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "personalIdentityCode", "{bad}");
        }
        // The same digits with another 1900s sign are another person.
        let dash = register(&app, "TE_EXPERT", "100190-999P", "Eero").await;
        let y = register(&app, "TE_EXPERT", "100190Y999P", "Eino").await;
        assert_eq!(dash["data"]["registerClient"]["duplicate"], false, "{dash}");
        assert_eq!(y["data"]["registerClient"]["duplicate"], false, "{y}");
        assert_ne!(dash["data"]["registerClient"]["client"]["id"], y["data"]["registerClient"]["client"]["id"]);
        // Lower case is stored upper case, as given otherwise.
        let lower = register(&app, "TE_EXPERT", "100190y999p", "Eino").await;
        assert_eq!(lower["data"]["registerClient"]["duplicate"], true, "{lower}");
        assert_eq!(app.count("SELECT COUNT(*) FROM client").await, 6);
        let written = app.count("SELECT COUNT(*) FROM access_log_entry WHERE action = 'WRITE' AND field_groups = 'IDENTITY,CONTACT'").await;
        assert_eq!(written, 3);
    }
}

on_both! {
    async fn a_code_already_registered_returns_the_client_and_changes_nothing(app) {
        let body = register(&app, "KELA_EXPERT", "010190-901R", "Someone Else").await;
        let payload = &body["data"]["registerClient"];
        assert_eq!(payload["duplicate"], true, "{body}");
        assert_eq!(payload["client"]["id"], app.fx.shared);
        assert_eq!(payload["client"]["firstName"], "Aino", "nothing changed");
        // A duplicate outside the caller's scope names no client at all, not even its id.
        app.exec(&format!(
            "INSERT INTO client (id, personal_identity_code, first_name, last_name, registered_by_agency, version, created_at, updated_at) VALUES ('c-county', '040490-9046', 'Oona', 'Mallila', 'EKSOTE', 1, '{0}', '{0}')",
            chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
        )).await;
        let hidden = register(&app, "TE_EXPERT", "040490-9046", "Oona").await;
        assert_eq!(hidden["data"]["registerClient"]["duplicate"], true, "{hidden}");
        assert!(hidden["data"]["registerClient"]["client"].is_null(), "{hidden}");
        assert!(hidden["data"]["registerClient"]["client"]["firstName"].is_null());
        assert!(hidden["errors"].as_array().is_none_or(|e| e.iter().all(|e| e["extensions"]["reason"] == "OUT_OF_SCOPE")), "{hidden}");
    }
}

on_both! {
    async fn roles_without_contact_write_cannot_register(app) {
        let input = json!({ "personalIdentityCode": "131052-308T", "firstName": "Aino", "lastName": "Koelahti" });
        for role in ["PROVIDER_COACH", "ANALYST", "AUDITOR", "ADMIN"] {
            let (status, body) = app.gql(&app.token_for(role), REGISTER, json!({ "i": input })).await;
            assert_mutation_not_in_schema(role, status, &body, "registerClient");
        }
        assert_eq!(app.count("SELECT COUNT(*) FROM client").await, 3);
        assert_eq!(app.count("SELECT COUNT(*) FROM access_log_entry").await, 0);
    }
}

on_both! {
    async fn a_stale_version_is_a_conflict_and_never_overwrites(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "mutation U($i: UpdateClientContactInput!) { updateClientContact(input: $i) { phone municipality version } }";
        let (_, first) = app.gql(&te, q, json!({ "i": { "clientId": app.fx.shared, "version": 1, "phone": "+358 40 000 0002", "municipality": "Imatra" } })).await;
        assert_eq!(first["data"]["updateClientContact"], json!({ "phone": "+358 40 000 0002", "municipality": "Imatra", "version": 2 }), "{first}");
        let (_, stale) = app.gql(&app.token_for("KELA_EXPERT"), q, json!({ "i": { "clientId": app.fx.shared, "version": 1, "phone": "+358 40 000 0003" } })).await;
        assert_eq!(stale["errors"][0]["extensions"]["code"], "CONFLICT", "{stale}");
        let (_, bad) = app.gql(&te, q, json!({ "i": { "clientId": app.fx.shared, "version": 2, "email": "not-an-address" } })).await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "email", "{bad}");
        let (_, cleared) = app.gql(&te, q, json!({ "i": { "clientId": app.fx.shared, "version": 2, "municipality": null } })).await;
        assert_eq!(cleared["data"]["updateClientContact"], json!({ "phone": "+358 40 000 0002", "municipality": null, "version": 3 }), "{cleared}");
        let (_, required) = app.gql(&te, q, json!({ "i": { "clientId": app.fx.shared, "version": 3, "firstName": null } })).await;
        assert_eq!(required["errors"][0]["extensions"]["field"], "firstName", "{required}");
        let (_, missing) = app.gql(&te, q, json!({ "i": { "clientId": "no-such-client", "version": 1 } })).await;
        assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");
        let (status, coach) = app.gql(&app.token_for("PROVIDER_COACH"), q, json!({ "i": { "clientId": app.fx.shared, "version": 3, "phone": "+358 40 000 0004" } })).await;
        assert_not_in_schema(status, &coach, "updateClientContact", "Mutation");
        assert_eq!(app.count(&format!("SELECT CAST(version AS BIGINT) FROM client WHERE id = '{}'", app.fx.shared)).await, 3);
    }
}
