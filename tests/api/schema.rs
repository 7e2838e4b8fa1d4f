//! The checked-in schema and its field-group annotations.

use std::collections::BTreeSet;

use typgraph::authz::FieldId;

use crate::sdl;

#[test]
fn schema_graphql_equals_the_generated_sdl() {
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .expect("schema.graphql at the top level");
    let generated = typgraph::graphql::sdl();
    assert!(
        checked_in == generated,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn the_schema_command_prints_the_same_sdl() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_typgraph"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        typgraph::graphql::sdl()
    );
}

/// Fields of client-data types that carry no client data themselves, with the reason.
const NOT_CLIENT_DATA: &[(&str, &str)] = &[
    ("CaseView", "client"), // the Client object, whose fields carry their groups
    ("NetworkMeeting", "client"), // the Client object, as in CaseView
    ("MeetingBrief", "meeting"), // the NetworkMeeting object
    ("MeetingBrief", "agencies"), // participating agencies, a list of AgencyBrief objects
    ("AgencyBrief", "agency"), // the participating agency's code
    ("KttDecision", "document"), // the path of the printable decision, made of its id
    ("KttStartNotice", "client"), // the Client object, whose fields carry their groups
];

#[test]
fn every_client_data_field_carries_its_field_group() {
    let sdl = typgraph::graphql::sdl();
    let fields = sdl::fields(&sdl);
    let table: BTreeSet<(String, String, String)> = FieldId::ALL
        .iter()
        .map(|f| {
            let m = f.meta();
            (
                m.type_name.to_owned(),
                m.field_name.to_owned(),
                m.declared_group().code().to_owned(),
            )
        })
        .collect();
    let client_types: BTreeSet<&str> = table.iter().map(|t| t.0.as_str()).collect();
    let mut annotated = BTreeSet::new();
    for f in &fields {
        if let Some(group) = &f.group {
            annotated.insert((f.type_name.clone(), f.field.clone(), group.clone()));
        } else if client_types.contains(f.type_name.as_str())
            && f.field != "id"
            && !NOT_CLIENT_DATA.contains(&(f.type_name.as_str(), f.field.as_str()))
        {
            panic!(
                "{}.{} carries client data but has no @fieldGroup",
                f.type_name, f.field
            );
        }
    }
    assert_eq!(
        annotated, table,
        "the schema's @fieldGroup marks differ from authz::fields"
    );
    assert!(annotated.len() > 100);
}

#[test]
fn dates_use_the_contracts_date_and_datetime_scalars() {
    let sdl = typgraph::graphql::sdl();
    assert!(sdl.contains("scalar Date\n") && sdl.contains("scalar DateTime\n"));
    assert!(
        !sdl.contains("NaiveDate"),
        "calendar dates are `Date` (contract section 6)"
    );
    assert!(sdl.contains("openedOn: Date!"));
}

/// What each role can see is checked in under `schema/roles/`: a policy change that alters
/// any role's visible schema fails here until the snapshot is updated (and reviewed).
#[tokio::test]
async fn every_roles_visible_schema_equals_its_checked_in_snapshot() {
    let policy = typgraph::authz::Policy::load(None).await.unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/roles");
    for (role, sdl) in typgraph::graphql::engine::role_sdl::all_role_sdls(&policy)
        .await
        .unwrap()
    {
        let path = format!("{dir}/{}.graphql", role.code());
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == sdl,
            "{path} is stale: what {} sees changed; review, then run `cargo run -- schema --roles-dir schema/roles`",
            role.code()
        );
    }
}

#[tokio::test]
async fn a_policy_change_changes_the_visible_schema_of_that_role_only() {
    use typgraph::authz::Policy;
    use typgraph::domain::Role;
    let shipped = Policy::load(None).await.unwrap();
    let (model, text) = typgraph::authz::store::read_files(None).unwrap();
    let narrowed = text.replace("p, TE_EXPERT, BENEFIT/*, read\n", "");
    assert_ne!(narrowed, text);
    let changed = Policy::compile(&model, &narrowed).await.unwrap();
    let role_sdl = typgraph::graphql::engine::role_sdl::role_sdl;
    let before = role_sdl(&shipped, Role::TeExpert).await.unwrap();
    let after = role_sdl(&changed, Role::TeExpert).await.unwrap();
    assert!(before.contains("@fieldGroup(name: \"BENEFIT\")"));
    assert!(!after.contains("@fieldGroup(name: \"BENEFIT\")"), "{after}");
    for role in [Role::KelaExpert, Role::TypOfficer, Role::Client] {
        assert_eq!(
            role_sdl(&shipped, role).await.unwrap(),
            role_sdl(&changed, role).await.unwrap()
        );
    }
    // What the client schema shows is the client schema: no official's type in it.
    let client = role_sdl(&shipped, Role::Client).await.unwrap();
    assert!(client.contains("myCase: MyCase!") && !client.contains("CaseView"));
}
