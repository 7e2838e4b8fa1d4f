//! Persisted operations: Apollo's automatic persisted queries, and trusted documents.

use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

use crate::helpers::{test_config, TestApp};
use crate::on_both;

const ME: &str = "{ me { name } }";

fn sha(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Posts `body` as TE_EXPERT under the GraphQL response media type.
async fn post(app: &TestApp, body: Json) -> (u16, Json) {
    let res = app
        .http
        .post(app.endpoint("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .bearer_auth(app.token_for("TE_EXPERT"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn apq(hash: &str) -> Json {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

on_both! {
    async fn an_unknown_hash_is_not_found_with_200_until_its_text_is_sent(app) {
        let (s, b) = post(&app, json!({ "extensions": apq(&sha(ME)) })).await;
        // 200 even under application/graphql-response+json: Apollo's link resends the text.
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{b}");
        assert_eq!(b["errors"][0]["message"], "PersistedQueryNotFound");
        let (s, b) = post(&app, json!({ "query": ME, "extensions": apq(&sha(ME)) })).await;
        assert_eq!(s, 200, "{b}");
        assert!(b["data"]["me"]["name"].is_string(), "{b}");
        let (s, b) = post(&app, json!({ "extensions": apq(&sha(ME)) })).await;
        assert_eq!(s, 200, "{b}");
        assert!(b["data"]["me"]["name"].is_string(), "{b}");
    }
}

on_both! {
    async fn a_text_under_another_hash_is_refused_and_not_registered(app) {
        let other = "{ me { agency } }";
        let (s, b) = post(&app, json!({ "query": ME, "extensions": apq(&sha(other)) })).await;
        assert_eq!(s, 400, "{b}");
        assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
        let (_, b) = post(&app, json!({ "extensions": apq(&sha(other)) })).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{b}");
        // Another protocol version is refused, not guessed at.
        let (s, b) = post(&app, json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": sha(ME) } } })).await;
        assert_eq!(s, 400, "{b}");
        assert_eq!(b["errors"][0]["extensions"]["field"], "extensions", "{b}");
    }
}

/// The trusted documents of the test below: the name query only.
fn trusted(url: &str) -> typgraph::config::Config {
    let dir = std::env::temp_dir().join(format!("typgraph-trusted-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("persisted-documents.json");
    std::fs::write(&file, json!({ sha(ME): ME }).to_string()).unwrap();
    let mut config = test_config(url);
    config.trusted_documents = Some(file);
    config
}

on_both! {
    with trusted;
    async fn with_trusted_documents_only_listed_documents_run(app) {
        // Named by hash, as codegen's client preset sends it.
        let (s, b) = post(&app, json!({ "documentId": format!("sha256:{}", sha(ME)) })).await;
        assert_eq!(s, 200, "{b}");
        assert!(b["data"]["me"]["name"].is_string(), "{b}");
        // The same text in full runs too.
        let (_, b) = post(&app, json!({ "query": ME })).await;
        assert!(b["data"]["me"]["name"].is_string(), "{b}");
        // Any other text is refused before it is parsed, and is not registered by sending it.
        let other = "{ clients(first: 1) { edges { node { id } } } }";
        for body in [
            json!({ "query": other }),
            json!({ "query": other, "extensions": apq(&sha(other)) }),
        ] {
            let (s, b) = post(&app, body).await;
            assert_eq!(s, 400, "{b}");
            assert_eq!(b["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_IN_LIST", "{b}");
            assert!(b.get("data").is_none(), "{b}");
        }
        let (_, b) = post(&app, json!({ "extensions": apq(&sha(other)) })).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND", "{b}");
    }
}

#[tokio::test]
async fn a_trusted_documents_file_with_a_wrong_hash_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("typgraph-trusted-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("list.json");
    std::fs::write(&file, json!({ sha("{ other }"): ME }).to_string()).unwrap();
    let db = dir.join("db.sqlite");
    let mut config = test_config(&format!("sqlite://{}?mode=rwc", db.display()));
    config.trusted_documents = Some(file);
    let err = typgraph::app::App::build(config)
        .await
        .err()
        .expect("refused");
    assert!(format!("{err:?}").contains("another SHA-256"), "{err:?}");
}
