//! Nested lists load through per-request DataLoaders: the statement count of a page does not
//! depend on its size.

use serde_json::json;

use crate::on_both;

on_both! {
    async fn a_page_of_clients_with_cases_takes_the_same_statements_for_ten_or_a_hundred(app) {
        typgraph::demo::load(&app.db, 160, 7, false).await.unwrap();
        let te = app.token_for("TE_EXPERT");
        let q = "query P($n: Int) { clients(first: $n) { edges { node { id lastName cases { phase openedOn responsibleOfficer } } } } }";
        let mut counts = Vec::new();
        for n in [10, 100] {
            // The counter is the process's: the policy watcher's poll (every second on
            // SQLite) can land inside one measurement, so the least of three is the page's.
            let mut least = f64::MAX;
            for _ in 0..3 {
                let before = app.metric("typgraph_sql_statements_total").await;
                let (_, body) = app.gql(&te, q, json!({ "n": n })).await;
                let after = app.metric("typgraph_sql_statements_total").await;
                let edges = body["data"]["clients"]["edges"].as_array().unwrap();
                assert_eq!(edges.len(), n as usize, "{body}");
                assert!(edges.iter().any(|e| !e["node"]["cases"].as_array().unwrap().is_empty()));
                least = least.min(after - before);
            }
            counts.push(least);
        }
        assert_eq!(counts[0], counts[1], "statements for 10 and 100 clients: {counts:?}");
        assert!(counts[0] > 0.0);
    }
}
