//! The field-group page of the docs states the policy file's rights, group by group and
//! role by role: a change to either without the other fails here.

use std::collections::BTreeMap;

fn root(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The cell the policy file gives `role` for `group`: r, rw, c, f (named fields only) or -.
fn cell(policy: &[(String, String, String)], role: &str, group: &str) -> String {
    let rules: Vec<&(String, String, String)> =
        policy.iter().filter(|(r, _, _)| r == role).collect();
    let whole = |action: &str| {
        rules
            .iter()
            .any(|(_, o, a)| o == &format!("{group}/*") && a == action)
    };
    let fields = rules.iter().any(|(_, o, a)| {
        o.starts_with(&format!("{group}/")) && o != &format!("{group}/*") && a == "read"
    });
    match (whole("read"), whole("write"), whole("consent")) {
        (true, true, _) => "rw",
        (true, false, _) => "r",
        (false, _, true) => "c",
        _ if fields => "f",
        _ => "-",
    }
    .to_owned()
}

#[test]
fn the_field_group_page_states_the_policy_of_every_group_and_role() {
    let policy: Vec<(String, String, String)> = root("config/authz/policy.csv")
        .lines()
        .filter(|l| l.starts_with("p,"))
        .map(|l| {
            let p: Vec<&str> = l.split(',').map(str::trim).collect();
            (p[1].to_owned(), p[2].to_owned(), p[3].to_owned())
        })
        .collect();
    let page = root("docs/field-groups.md");
    let mut rows = page.lines().filter(|l| l.starts_with("| "));
    let header: Vec<String> = rows
        .next()
        .expect("the table's header")
        .split('|')
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(header[0], "group");
    let roles = &header[1..];
    let mut stated: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let cells: Vec<String> = row
            .split('|')
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        stated.insert(cells[0].clone(), cells[1..].to_vec());
    }
    // Every group of the server is on the page, and only those.
    let groups: Vec<String> = typgraph::authz::FieldGroup::ALL
        .iter()
        .map(|g| g.code().to_owned())
        .collect();
    assert_eq!(
        stated.keys().cloned().collect::<Vec<_>>(),
        {
            let mut g = groups.clone();
            g.sort();
            g
        },
        "the page lists every field group"
    );
    // Every role the policy names for a group is a column.
    for (role, object, _) in &policy {
        let group = object.split('/').next().unwrap_or_default();
        if groups.iter().any(|g| g == group) {
            assert!(
                roles.contains(role),
                "{role} has rights on {group} but no column"
            );
        }
    }
    for (group, cells) in &stated {
        assert_eq!(cells.len(), roles.len(), "{group}: a cell for every role");
        for (role, stated) in roles.iter().zip(cells) {
            assert_eq!(
                stated,
                &cell(&policy, role, group),
                "{group} for {role}: the page and the policy differ"
            );
        }
    }
}
