//! Labels of enums and agency names in Finnish, Swedish and English, from the data file.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use crate::on_both;

/// Every enum of a schema's SDL with its values (descriptions stripped).
fn enums(sdl: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut lines = sdl.lines();
    let mut in_description = false;
    while let Some(line) = lines.next() {
        if let Some(name) = line
            .strip_prefix("enum ")
            .and_then(|r| r.split_whitespace().next())
        {
            let mut values = Vec::new();
            for l in lines.by_ref() {
                let t = l.trim();
                if t == "}" {
                    break;
                }
                if t.starts_with("\"\"\"") {
                    let closes_here = t.len() > 3 && t.ends_with("\"\"\"");
                    if !closes_here {
                        in_description = !in_description;
                    }
                    continue;
                }
                if in_description || t.is_empty() || t.starts_with('"') {
                    continue;
                }
                values.push(t.split_whitespace().next().unwrap_or("").to_owned());
            }
            out.insert(name.to_owned(), values);
        }
    }
    out
}

#[test]
fn every_enum_value_of_both_schemas_has_a_label_in_three_languages() {
    let labels = typgraph::labels::labels().unwrap();
    let mut all = enums(&typgraph::graphql::sdl());
    all.extend(enums(&typgraph::graphql::self_service::client_sdl()));
    assert!(
        all.contains_key("Agency")
            && all.contains_key("ReferralStatus")
            && all.contains_key("Language"),
        "{all:?}"
    );
    for (kind, values) in &all {
        let Some(texts) = labels.0.get(kind) else {
            panic!("config/labels.json has no {kind}")
        };
        assert!(!values.is_empty(), "{kind}");
        for v in values {
            let t = texts
                .get(v)
                .unwrap_or_else(|| panic!("config/labels.json: no label for {kind}.{v}"));
            for (lang, text) in [("fi", &t.fi), ("sv", &t.sv), ("en", &t.en)] {
                assert!(!text.trim().is_empty(), "{kind}.{v} has no {lang} label");
            }
        }
    }
}

const Q: &str = "query L($l: Language, $k: [String!]) { labels(language: $l, kinds: $k) { language kinds { kind labels { code label } } } }";

fn label<'a>(b: &'a Json, kind: &str, code: &str) -> &'a Json {
    b["data"]["labels"]["kinds"]
        .as_array()
        .unwrap_or_else(|| panic!("{b}"))
        .iter()
        .find(|k| k["kind"] == kind)
        .and_then(|k| {
            k["labels"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["code"] == code)
        })
        .map(|l| &l["label"])
        .unwrap_or(&Json::Null)
}

on_both! {
    async fn labels_follow_accept_language_or_the_argument(app) {
        let te = app.token_for("TE_EXPERT");
        let post = |lang: Option<&'static str>, vars: Json| {
            let mut req = app.http.post(app.endpoint("/graphql")).header("content-type", "application/json").bearer_auth(&te);
            if let Some(l) = lang { req = req.header("accept-language", l); }
            async move { req.json(&json!({ "query": Q, "variables": vars })).send().await.unwrap().json::<Json>().await.unwrap() }
        };
        let fi = post(None, json!({ "k": ["Agency"] })).await;
        assert_eq!(fi["data"]["labels"]["language"], "fi", "{fi}");
        assert_eq!(label(&fi, "Agency", "KELA"), "Kela");
        let sv = post(Some("sv-FI,sv;q=0.9,en;q=0.5"), json!({ "k": ["Agency", "ReferralStatus"] })).await;
        assert_eq!(sv["data"]["labels"]["language"], "sv");
        assert_eq!(label(&sv, "Agency", "KELA"), "FPA");
        assert_eq!(label(&sv, "ReferralStatus", "DONE"), "Klar");
        let en = post(Some("sv"), json!({ "l": "en", "k": ["Role"] })).await;
        assert_eq!(label(&en, "Role", "AUDITOR"), "Data protection officer", "the argument wins: {en}");
        let all = post(Some("de"), json!({})).await;
        assert_eq!(all["data"]["labels"]["language"], "fi", "unknown languages fall back to Finnish");
        assert!(all["data"]["labels"]["kinds"].as_array().unwrap().len() >= 10);
        let bad = post(None, json!({ "k": ["NoSuchKind"] })).await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "kinds", "{bad}");
        // The client schema has them too.
        let (_, mine) = app.gql(&app.token(&app.fx.shared, &["CLIENT"]), Q, json!({ "l": "sv", "k": ["CasePhase"] })).await;
        assert_eq!(label(&mine, "CasePhase", "MAPPING"), "Kartläggningsperiod", "{mine}");
    }
}
