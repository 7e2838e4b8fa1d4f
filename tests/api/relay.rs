//! Relay: `node(id:)` / `nodes(ids:)` through the scoped reads, and connections paged both ways.

use serde_json::{json, Value as Json};

use crate::on_both;

const NODE: &str = "query N($id: ID!) { node(id: $id) { __typename id ... on Client { firstName } ... on TypCase { phase } ... on NetworkMeeting { status } } }";

on_both! {
    async fn node_finds_each_kind_in_scope_and_answers_null_alike_outside(app) {
        let officer = app.token_for("TYP_OFFICER");
        let (_, view) = app.gql(&officer, "query V($c: ID!) { caseView(clientId: $c) { typCase { id } } }", json!({ "c": app.fx.shared })).await;
        let case_id = view["data"]["caseView"]["typCase"]["id"].as_str().unwrap_or_else(|| panic!("{view}")).to_owned();
        for (id, kind) in [
            (app.fx.shared.as_str(), "Client"),
            (case_id.as_str(), "TypCase"),
            (app.fx.held_meeting.as_str(), "NetworkMeeting"),
        ] {
            let (s, b) = app.gql(&officer, NODE, json!({ "id": id })).await;
            assert_eq!(s, 200, "{b}");
            assert_eq!(b["data"]["node"]["__typename"], kind, "{b}");
            assert_eq!(b["data"]["node"]["id"], id, "{b}");
        }
        // A client at another provider and an id that exists nowhere: the same answer.
        let coach = app.token_for("PROVIDER_COACH");
        let plain = "query N($id: ID!) { node(id: $id) { id } }";
        let (_, own) = app.gql(&coach, plain, json!({ "id": app.fx.shared })).await;
        assert_eq!(own["data"]["node"]["id"], app.fx.shared, "{own}");
        let (_, other) = app.gql(&coach, plain, json!({ "id": app.fx.other_placement })).await;
        let (_, missing) = app.gql(&coach, plain, json!({ "id": "no-such-id" })).await;
        assert_eq!(other, missing);
        assert_eq!(other, json!({ "data": { "node": null } }));
        // nodes keeps the order and answers each id as node does.
        let (_, b) = app.gql(&coach, "query M($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": [app.fx.other_placement, app.fx.shared, "no-such-id"] })).await;
        assert_eq!(b["data"]["nodes"], json!([null, { "id": app.fx.shared }, null]), "{b}");
        let many: Vec<String> = (0..101).map(|i| format!("id-{i}")).collect();
        let (_, b) = app.gql(&coach, "query M($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": many })).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED", "{b}");
    }
}

on_both! {
    async fn a_node_read_is_logged_like_the_clients_own_query(app) {
        let te = app.token_for("TE_EXPERT");
        let logged = || async {
            let (_, b) = app.gql(&app.token_for("AUDITOR"), "query L($c: ID!) { accessLog(clientId: $c, first: 100) { edges { node { operation } } } }", json!({ "c": app.fx.shared })).await;
            b["data"]["accessLog"]["edges"].as_array().unwrap().iter().filter(|e| e["node"]["operation"] == "node (N)").count()
        };
        let before = logged().await;
        let (_, b) = app.gql(&te, NODE, json!({ "id": app.fx.shared })).await;
        assert_eq!(b["data"]["node"]["__typename"], "Client", "{b}");
        assert_eq!(logged().await, before + 1);
    }
}

/// The ids of a page and its page information.
fn page(b: &Json) -> (Vec<String>, Json) {
    let c = &b["data"]["clients"];
    let ids = c["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{b}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, c["pageInfo"].clone())
}

on_both! {
    async fn clients_page_forward_with_first_and_backward_with_last_to_the_same_list(app) {
        let te = app.token_for("TE_EXPERT");
        let q = "query P($first: Int, $after: String, $last: Int, $before: String) { clients(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
        let (_, all) = app.gql(&te, q, json!({ "first": 100 })).await;
        let (all, info) = page(&all);
        assert!(all.len() >= 3, "{all:?}");
        assert_eq!(info["hasPreviousPage"], false);
        assert_eq!(info["hasNextPage"], false);
        // Forward by two.
        let mut forward = Vec::new();
        let mut after = Json::Null;
        loop {
            let (_, b) = app.gql(&te, q, json!({ "first": 2, "after": after })).await;
            let (ids, info) = page(&b);
            assert_eq!(info["hasPreviousPage"], !after.is_null(), "{b}");
            assert_eq!(info["startCursor"], b["data"]["clients"]["edges"][0]["cursor"]);
            forward.extend(ids);
            if info["hasNextPage"] == false { break; }
            after = info["endCursor"].clone();
        }
        assert_eq!(forward, all);
        // Backward by two from the end, each page in list order.
        let mut backward: Vec<Vec<String>> = Vec::new();
        let mut before = Json::Null;
        loop {
            let (_, b) = app.gql(&te, q, json!({ "last": 2, "before": before })).await;
            let (ids, info) = page(&b);
            assert_eq!(info["hasNextPage"], !before.is_null(), "{b}");
            backward.push(ids);
            if info["hasPreviousPage"] == false { break; }
            before = info["startCursor"].clone();
        }
        backward.reverse();
        assert_eq!(backward.concat(), all);
        // Both kinds at once are refused; a cursor of this connection bounds the other way too.
        let (_, b) = app.gql(&te, q, json!({ "first": 2, "last": 2 })).await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{b}");
    }
}
