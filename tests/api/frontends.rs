//! What a GraphQL front end meets: a refused field is null with its error where it stands, a
//! field outside the caller's schema is refused before anything runs, a 401 says why in
//! `WWW-Authenticate`, a syntax error says where without quoting the query, and the
//! standard introspection query of graphql-js works for every role within bounds.

use serde_json::{json, Value as Json};

use crate::helpers::{assert_not_in_schema, assert_not_in_schema_body, TestApp};
use crate::on_both;

/// `getIntrospectionQuery()` of graphql@16 (16.15.0) with its default options: the query
/// GraphiQL, graphql-codegen and most other tools send. Its `TypeRef` follows `ofType` nine
/// levels down.
const GRAPHQL_JS_INTROSPECTION: &str = r#"
    query IntrospectionQuery {
      __schema {
        
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          
          
          
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      
      
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      
      
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        name
        kind
        ofType {
          name
          kind
          ofType {
            name
            kind
            ofType {
              name
              kind
              ofType {
                name
                kind
                ofType {
                  name
                  kind
                  ofType {
                    name
                    kind
                    ofType {
                      name
                      kind
                      ofType {
                        name
                        kind
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  "#;

/// A token for `role`: the fixture's official, or for the county manager a new official.
async fn token_of(app: &TestApp, role: &str) -> String {
    if role != "COUNTY_MANAGER" {
        return app.token_for(role);
    }
    app.exec("INSERT INTO official (id, name, agency, provider_id, active, created_at) VALUES ('county-manager-fe', 'Test COUNTY_MANAGER', 'EKSOTE', NULL, TRUE, '2026-01-01 00:00:00')").await;
    app.exec("INSERT INTO official_role (official_id, role) VALUES ('county-manager-fe', 'COUNTY_MANAGER')").await;
    app.token("county-manager-fe", &[role])
}

/// Posts `query` with `variables` as `token` (if any) accepting `accept`; answers status,
/// `WWW-Authenticate` and the body as text.
async fn post(
    app: &TestApp,
    token: Option<&str>,
    accept: &str,
    query: &str,
    variables: Json,
) -> (u16, Option<String>, String) {
    let mut req = app
        .http
        .post(app.endpoint("/graphql"))
        .header("accept", accept)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (res.status().as_u16(), challenge, res.text().await.unwrap())
}

const ASSESSMENTS: &str = "query A($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { id conclusion details } } }";

on_both! {
    async fn a_refused_nullable_field_is_null_with_its_error_at_its_path(app) {
        // The TYP officer reads health data only under a consent, and holds none for the
        // shared client: each assessment stays an object, its details null, one error each.
        // A guarded field answers its refusal where it stands: the query runs once.
        let reshaped = || app.metric("typgraph_graphql_reshaped_queries_total");
        let before = reshaped().await;
        let (status, body) = app.gql(&app.token_for("TYP_OFFICER"), ASSESSMENTS, json!({ "c": app.fx.shared })).await;
        assert_eq!(reshaped().await, before, "one run: {body}");
        assert_eq!(status, 200, "{body}");
        let rows = body["data"]["caseView"]["workAbilityAssessments"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert!(!rows.is_empty(), "{body}");
        let errors = body["errors"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(errors.len(), rows.len(), "{body}");
        for (i, row) in rows.iter().enumerate() {
            let row = row.as_object().unwrap_or_else(|| panic!("row {i} is an object: {body}"));
            let mut keys: Vec<&str> = row.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["conclusion", "details", "id"], "the refused key is there: {body}");
            assert!(row["id"].is_string() && row["conclusion"].is_string(), "{body}");
            assert!(row["details"].is_null(), "{body}");
            let error = errors.iter().find(|e| e["path"] == json!(["caseView", "workAbilityAssessments", i, "details"])).unwrap_or_else(|| panic!("no error at row {i}: {body}"));
            assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{body}");
            assert_eq!(error["extensions"]["reason"], "NO_CONSENT", "{body}");
            assert_eq!(error["message"], "not allowed", "{body}");
            assert!(error["locations"][0]["column"].as_u64().is_some(), "{body}");
        }
        // Kela holds the consent: the same query reads the details, without errors.
        let (_, kela) = app.gql(&app.token_for("KELA_EXPERT"), ASSESSMENTS, json!({ "c": app.fx.shared })).await;
        assert!(kela.get("errors").is_none(), "{kela}");
        assert_eq!(reshaped().await, before, "no field failed, one run: {kela}");
        let read = kela["data"]["caseView"]["workAbilityAssessments"].as_array().unwrap();
        assert_eq!(read.len(), rows.len(), "{kela}");
        assert!(read.iter().any(|r| r["details"].is_string()), "{kela}");

        // Any other field error runs the query again with field errors shaped, and only
        // that answer is sent: a non-null root field that failed nulls `data` whole, though
        // the other root field was read.
        let both = "query B { me { officialId } clients(first: 500) { edges { node { id } } } }";
        let (status, body) = app.gql(&app.token_for("TE_EXPERT"), both, json!({})).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["data"].is_null(), "{body}");
        let errors = body["errors"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["path"], json!(["clients"]), "{body}");
        assert_eq!(errors[0]["extensions"]["code"], "LIMIT_EXCEEDED", "{body}");
        assert_eq!(reshaped().await, before + 1.0, "run again once: {body}");
    }
}

on_both! {
    async fn a_field_outside_the_roles_schema_is_refused_before_anything_runs(app) {
        let te = app.token_for("TE_EXPERT");
        let logged = "SELECT COUNT(*) FROM access_log_entry";
        // TE reads no health data ever: `details` is no field of its schema. Kela's schema
        // has it: the text fits Kela's, which a server remembers with the text, and still
        // not TE's.
        let query = "query A($c: ID!) {\n  caseView(clientId: $c) {\n    workAbilityAssessments {\n      id\n      details\n    }\n  }\n}";
        for _ in 0..2 {
            let (status, kela) = app.gql(&app.token_for("KELA_EXPERT"), query, json!({ "c": app.fx.shared })).await;
            assert_eq!(status, 200, "{kela}");
            assert!(kela["data"]["caseView"]["workAbilityAssessments"].is_array(), "{kela}");
        }
        let before = app.count(logged).await;
        let (status, body) = app.gql(&te, query, json!({ "c": app.fx.shared })).await;
        assert_not_in_schema(status, &body, "details", "WorkAbilityAssessment");
        assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{body}");
        assert_eq!(body["errors"][0]["locations"], json!([{ "line": 5, "column": 7 }]), "{body}");
        assert_eq!(app.count(logged).await, before, "nothing ran, nothing was read");
        // Under application/json the same refusal is a 200.
        let (status, _, text) = post(&app, Some(&te), "application/json", query, json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 200, "{text}");
        let json_body: Json = serde_json::from_str(&text).unwrap();
        assert_not_in_schema_body(&json_body, "details", "WorkAbilityAssessment");
        // A fragment is checked on its own type; a mutation the role never runs likewise.
        let fragment = "query A($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { ...W } } }\nfragment W on WorkAbilityAssessment { id details }";
        let (status, body) = app.gql(&te, fragment, json!({ "c": app.fx.shared })).await;
        assert_not_in_schema(status, &body, "details", "WorkAbilityAssessment");
        assert_eq!(body["errors"][0]["locations"], json!([{ "line": 2, "column": 42 }]), "{body}");
        let open = "mutation O($i: OpenTypCaseInput!) { openTypCase(input: $i) { id } }";
        let (status, body) = app.gql(&te, open, json!({ "i": {} })).await;
        assert_not_in_schema(status, &body, "openTypCase", "Mutation");
        assert_eq!(app.count(logged).await, before);
        // Refused again, not remembered as fitting.
        let (status, body) = app.gql(&te, query, json!({ "c": app.fx.shared })).await;
        assert_not_in_schema(status, &body, "details", "WorkAbilityAssessment");
        // Without the field, the same query runs and is logged.
        let (status, ok) = app.gql(&te, "query A($c: ID!) { caseView(clientId: $c) { workAbilityAssessments { id } } }", json!({ "c": app.fx.shared })).await;
        assert_eq!(status, 200, "{ok}");
        assert!(ok.get("errors").is_none(), "{ok}");
        assert!(app.count(logged).await > before);
    }
}

on_both! {
    async fn an_expired_and_a_missing_token_are_told_apart(app) {
        let q = "{ me { officialId } }";
        let (status, challenge, text) = post(&app, None, "application/json", q, json!({})).await;
        assert_eq!(status, 401, "{text}");
        assert_eq!(challenge.as_deref(), Some("Bearer"), "{text}");
        let body: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
        assert_eq!(body["errors"][0]["message"], "authentication required", "{body}");
        assert!(body["data"].is_null(), "{body}");

        let official = app.fx.official("TE_EXPERT");
        let expired = typgraph::http::auth::sign_hs256(crate::helpers::TEST_SECRET, official, &["TE_EXPERT".to_owned()], -3600, &typgraph::config::JwtConfig::default()).unwrap();
        let (status, challenge, text) = post(&app, Some(&expired), "application/json", q, json!({})).await;
        assert_eq!(status, 401, "{text}");
        assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\", error_description=\"the token has expired\""), "{text}");
        let body: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
        assert_eq!(body["errors"][0]["message"], "invalid token: the token has expired", "{body}");
        assert!(!text.contains(&expired), "the token is never echoed");

        // A forged one is told as such; a valid one answers.
        let forged = format!("{}x", &expired[..expired.len() - 1]);
        let (status, challenge, _) = post(&app, Some(&forged), "application/json", q, json!({})).await;
        assert_eq!(status, 401);
        assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\", error_description=\"the token's signature does not verify\""));
        let (status, challenge, text) = post(&app, Some(&app.token_for("TE_EXPERT")), "application/json", q, json!({})).await;
        assert_eq!((status, challenge), (200, None), "{text}");
    }
}

on_both! {
    async fn a_syntax_error_says_where_without_quoting_the_query(app) {
        let te = app.token_for("TE_EXPERT");
        let query = "query Secret {\n  clients(search: \"Virtanen\") {\n    edges { node { firstName ( } }\n  }\n}";
        let (status, body) = app.gql(&te, query, json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.get("data").is_none(), "{body}");
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED", "{body}");
        assert_eq!(errors[0]["locations"], json!([{ "line": 3, "column": 32 }]), "{body}");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.starts_with("Syntax Error: "), "{body}");
        let text = body.to_string();
        for echoed in ["Virtanen", "firstName", "Secret", "edges"] {
            assert!(!text.contains(echoed), "{echoed} echoed: {body}");
        }
        // Under application/json: the same answer, with 200.
        let (status, _, text) = post(&app, Some(&te), "application/json", query, json!({})).await;
        assert_eq!(status, 200, "{text}");
        assert_eq!(serde_json::from_str::<Json>(&text).unwrap(), body);
        // An unterminated document is located at its end.
        let (_, body) = app.gql(&te, "{\n  me {\n", json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED", "{body}");
        assert_eq!(body["errors"][0]["locations"][0]["line"], 3, "{body}");
    }
}

on_both! {
    async fn the_graphql_js_introspection_query_works_for_every_role(app) {
        assert_eq!(GRAPHQL_JS_INTROSPECTION.matches("ofType").count(), 9);
        // Every official role; the county manager is no fixture official: made here.
        for role in crate::policy::ALL_ROLES.into_iter().chain(["COUNTY_MANAGER"]) {
            let token = token_of(&app, role).await;
            let (status, body) = app.gql(&token, GRAPHQL_JS_INTROSPECTION, json!({})).await;
            assert_eq!(status, 200, "{role}: {body}");
            assert!(body.get("errors").is_none(), "{role}: {body}");
            let schema = &body["data"]["__schema"];
            assert_eq!(schema["queryType"]["name"], "Query", "{role}");
            let types = schema["types"].as_array().unwrap();
            assert!(types.iter().any(|t| t["name"] == "Query"), "{role}");
            assert!(schema["directives"].as_array().is_some_and(|d| !d.is_empty()), "{role}");
            // What introspection shows is what the role's documents are validated against.
            let query_fields: Vec<&str> = types.iter().find(|t| t["name"] == "Query").unwrap()["fields"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
            assert!(query_fields.contains(&"me"), "{role}: {query_fields:?}");
            if !query_fields.contains(&"caseView") {
                let (status, refused) = app.gql(&token, "query V($c: ID!) { caseView(clientId: $c) { client { id } } }", json!({ "c": app.fx.shared })).await;
                assert_not_in_schema(status, &refused, "caseView", "Query");
            }
        }
        // A client's token too, against the client schema.
        let client = app.token(&app.fx.shared, &["CLIENT"]);
        let (status, body) = app.gql(&client, GRAPHQL_JS_INTROSPECTION, json!({})).await;
        assert_eq!(status, 200, "CLIENT: {body}");
        assert!(body.get("errors").is_none() && body["data"]["__schema"]["types"].is_array(), "CLIENT: {body}");
    }
}

on_both! {
    async fn introspection_deeper_or_with_lists_four_deep_is_refused(app) {
        let te = app.token_for("TE_EXPERT");
        // `ofType` 40 deep: beyond any tool's query.
        let mut deep = "kind".to_owned();
        for _ in 0..40 {
            deep = format!("kind ofType {{ {deep} }}");
        }
        let deep = format!("{{ __type(name: \"Client\") {{ fields {{ type {{ {deep} }} }} }} }}");
        // Four introspection lists nested: types, fields, args, and the args' type's fields.
        let lists = "{ __schema { types { fields { args { type { fields { name } } } } } } }";
        let three = "{ __schema { types { fields { args { name } } } } }";
        for (query, what) in [(deep.as_str(), "deeper"), (lists, "lists")] {
            let (status, body) = app.gql(&te, query, json!({})).await;
            assert_eq!(status, 400, "{what}: {body}");
            assert!(body["data"].is_null(), "{what}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "{what}: {body}");
            assert_eq!(body["errors"].as_array().unwrap().len(), 1, "{what}: {body}");
        }
        let (status, body) = app.gql(&te, three, json!({})).await;
        assert_eq!(status, 200, "three lists deep is the standard query's: {body}");
        assert!(body.get("errors").is_none(), "{body}");
    }
}

on_both! {
    async fn the_analysts_introspection_has_no_mutation_type(app) {
        let analyst = app.token_for("ANALYST");
        let (status, body) = app.gql(&analyst, GRAPHQL_JS_INTROSPECTION, json!({})).await;
        assert_eq!(status, 200, "{body}");
        let schema = &body["data"]["__schema"];
        assert!(schema["mutationType"].is_null(), "{body}");
        assert_eq!(schema["queryType"]["name"], "Query");
        assert!(schema["types"].as_array().unwrap().iter().all(|t| t["name"] != "Mutation"), "no Mutation type among the analyst's");
        // ...and a mutation is refused as the schema says: it has none.
        let (status, refused) = app.gql(&analyst, "mutation { breakGlass(input: { clientId: \"x\", reason: \"y\" }) { id } }", json!({})).await;
        crate::helpers::assert_mutation_not_in_schema("ANALYST", status, &refused, "breakGlass");
        // Roles that do write have their mutation type.
        let (_, te) = app.gql(&app.token_for("TE_EXPERT"), "{ __schema { mutationType { name } } }", json!({})).await;
        assert_eq!(te["data"]["__schema"]["mutationType"]["name"], "Mutation", "{te}");
    }
}
