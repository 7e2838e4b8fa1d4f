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
    ("MeetingBrief", "meeting"), // the NetworkMeeting object
    ("MeetingBrief", "agencies"), // participating agencies, a list of AgencyBrief objects
    ("AgencyBrief", "agency"), // the participating agency's code
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
