//! Sign-in: token tampering, deactivated officials, forged roles, issuer and audience, RS256.

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use typgraph::config::{JwtConfig, Secret};

use crate::helpers::{test_config, Backend, TEST_SECRET};
use crate::on_both;

const ME: &str = "{ me { officialId agency roles } }";

fn claims(sub: &str, roles: &[&str], exp_offset: i64) -> serde_json::Value {
    json!({ "sub": sub, "roles": roles, "exp": chrono::Utc::now().timestamp() + exp_offset })
}

fn hs256(secret: &str, claims: &serde_json::Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

fn assert_refused(status: u16, body: &serde_json::Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );
    assert!(body.get("data").is_none());
}

on_both! {
    async fn tampered_tokens_are_refused(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        // Missing token: 401 with WWW-Authenticate.
        let res = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").body(r#"{"query":"{ me { name } }"}"#).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        // Expired (beyond the 30 s leeway).
        let (s, b) = app.gql(&hs256(TEST_SECRET, &claims(&te, &["TE_EXPERT"], -120)), ME, json!({})).await;
        assert_refused(s, &b);
        // Wrong key.
        let (s, b) = app.gql(&hs256("another-secret-of-sufficient-length-000", &claims(&te, &["TE_EXPERT"], 600)), ME, json!({})).await;
        assert_refused(s, &b);
        // alg: none.
        let b64 = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let none = format!("{}.{}.", b64(json!({ "alg": "none", "typ": "JWT" })), b64(claims(&te, &["TE_EXPERT"], 600)));
        let (s, b) = app.gql(&none, ME, json!({})).await;
        assert_refused(s, &b);
        // A valid signature over a modified payload.
        let good = app.token(&te, &["TE_EXPERT"]);
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!("{}.{}.{}", parts[0], b64(claims(&te, &["TE_EXPERT", "AUDITOR"], 600)), parts[2]);
        let (s, b) = app.gql(&forged, ME, json!({})).await;
        assert_refused(s, &b);
        // Garbage.
        let (s, b) = app.gql("not-a-jwt", ME, json!({})).await;
        assert_refused(s, &b);
    }
}

on_both! {
    async fn roles_and_agency_come_from_the_officials_row(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        // A role the row does not grant is dropped; with none left, sign-in fails.
        let (s, b) = app.gql(&app.token(&te, &["TE_EXPERT", "AUDITOR"]), ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["data"]["me"]["roles"], json!(["TE_EXPERT"]));
        assert_eq!(b["data"]["me"]["agency"], "TE");
        let (s, b) = app.gql(&app.token(&te, &["AUDITOR"]), ME, json!({})).await;
        assert_refused(s, &b);
        // An agency claim in the token is ignored.
        let token = hs256(TEST_SECRET, &json!({ "sub": te, "roles": ["TE_EXPERT"], "agency": "KELA", "exp": chrono::Utc::now().timestamp() + 600 }));
        let (_, b) = app.gql(&token, ME, json!({})).await;
        assert_eq!(b["data"]["me"]["agency"], "TE");
        // Deactivated and unknown officials.
        let (s, b) = app.gql(&app.token(&app.fx.inactive, &["EKSOTE_WORKER"]), ME, json!({})).await;
        assert_refused(s, &b);
        let (s, b) = app.gql(&app.token("no-such-official", &["TE_EXPERT"]), ME, json!({})).await;
        assert_refused(s, &b);
        // Deactivation takes effect on the next request.
        app.exec(&format!("UPDATE official SET active = FALSE WHERE id = '{te}'")).await;
        let (s, b) = app.gql(&app.token(&te, &["TE_EXPERT"]), ME, json!({})).await;
        assert_refused(s, &b);
    }
}

fn with_issuer(url: &str) -> typgraph::config::Config {
    let mut c = test_config(url);
    c.jwt.issuer = Some("https://idp.test".into());
    c.jwt.audience = Some("typgraph".into());
    c
}

fn with_rs256(url: &str) -> typgraph::config::Config {
    let public = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rs256-test-public.pem"
    ))
    .unwrap();
    let mut c = test_config(url);
    c.jwt = JwtConfig {
        public_key_pem: Some(public),
        secret: None,
        ..JwtConfig::default()
    };
    // No shared secret to derive the cursor key from: it is set of its own.
    c.cursor_key = Some(typgraph::config::Secret(
        "typgraph-test-cursor-key-0123456789".into(),
    ));
    c
}

on_both! {
    with with_issuer;
    async fn issuer_and_audience_are_checked_when_configured(app) {
        let te = app.fx.official("TE_EXPERT").to_owned();
        let exp = chrono::Utc::now().timestamp() + 600;
        let (s, b) = app.gql(&hs256(TEST_SECRET, &claims(&te, &["TE_EXPERT"], 600)), ME, json!({})).await;
        assert_refused(s, &b);
        let wrong = hs256(TEST_SECRET, &json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp, "iss": "https://other.test", "aud": "typgraph" }));
        let (s, b) = app.gql(&wrong, ME, json!({})).await;
        assert_refused(s, &b);
        let right = hs256(TEST_SECRET, &json!({ "sub": te, "roles": ["TE_EXPERT"], "exp": exp, "iss": "https://idp.test", "aud": "typgraph" }));
        let (s, b) = app.gql(&right, ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
    }
}

on_both! {
    with with_rs256;
    async fn rs256_tokens_of_an_identity_provider_are_verified_with_its_public_key(app) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let private = std::fs::read(format!("{dir}/rs256-test-private.pem")).unwrap();
        let te = app.fx.official("TE_EXPERT").to_owned();
        let rs = encode(&Header::new(Algorithm::RS256), &claims(&te, &["TE_EXPERT"], 600), &EncodingKey::from_rsa_pem(&private).unwrap()).unwrap();
        let (s, b) = app.gql(&rs, ME, json!({})).await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["data"]["me"]["officialId"], te);
        // An HS256 token (even one signed with the public key as secret) is refused.
        let (s, b) = app.gql(&app.token(&te, &["TE_EXPERT"]), ME, json!({})).await;
        assert_refused(s, &b);
        let public = std::fs::read_to_string(format!("{dir}/rs256-test-public.pem")).unwrap();
        let confused = hs256(&public, &claims(&te, &["TE_EXPERT"], 600));
        let (s, b) = app.gql(&confused, ME, json!({})).await;
        assert_refused(s, &b);
    }
}

#[tokio::test]
async fn a_short_hs256_secret_is_refused_at_start() {
    let (url, _guard) = crate::helpers::fresh_database(Backend::Sqlite)
        .await
        .unwrap();
    let mut c = test_config(&url);
    c.jwt.secret = Some(Secret("short".into()));
    let err = typgraph::app::App::build(c).await.err().expect("refused");
    assert!(err.0.contains("32 bytes"), "{}", err.0);
}
