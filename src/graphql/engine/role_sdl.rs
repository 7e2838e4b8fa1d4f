//! The schema as one role sees it: introspection run as that role (field visibility follows
//! the role's compiled field mask), printed as SDL with each client-data field's group.
//! Checked in as `schema/roles/ROLE.graphql`; a test fails when a policy change alters what
//! a role can see without the snapshot being updated.

use serde_json::Value as Json;
use std::fmt::Write as _;

use crate::authz::{FieldId, Policy, Principal};
use crate::domain::{Agency, Role};

const INTROSPECTION: &str = r#"{ __schema { types { kind name
  fields(includeDeprecated: true) { name args { name type { ...T } defaultValue } type { ...T } }
  inputFields { name type { ...T } defaultValue }
  enumValues(includeDeprecated: true) { name }
  possibleTypes { name } interfaces { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

/// The SDL `role` sees under `policy`. CLIENT sees the client schema, nothing else.
pub async fn role_sdl(policy: &Policy, role: Role) -> Result<String, String> {
    let data = if role == Role::Client {
        let schema = crate::graphql::self_service::build_client_schema(true);
        schema.execute(INTROSPECTION).await
    } else {
        let agency = Agency::ALL
            .into_iter()
            .find(|a| role.allowed_for(*a))
            .unwrap_or(Agency::Te);
        let principal = Principal {
            official_id: String::new(),
            name: String::new(),
            agency,
            provider_id: None,
            roles: vec![role],
            mask: policy.mask(role),
            emergency: Vec::new(),
        };
        let schema = crate::graphql::build_schema(true);
        schema
            .execute(async_graphql::Request::new(INTROSPECTION).data(principal))
            .await
    };
    if !data.errors.is_empty() {
        return Err(format!("introspection failed: {:?}", data.errors));
    }
    let json = data.data.into_json().map_err(|e| e.to_string())?;
    Ok(print(&json))
}

/// The schema of every role under `policy`, for `schema/roles/`.
pub async fn all_role_sdls(policy: &Policy) -> Result<Vec<(Role, String)>, String> {
    let mut out = Vec::new();
    for role in Role::ALL {
        out.push((role, role_sdl(policy, role).await?));
    }
    Ok(out)
}

fn type_ref(t: &Json) -> String {
    match t["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_ref(&t["ofType"])),
        Some("LIST") => format!("[{}]", type_ref(&t["ofType"])),
        _ => t["name"].as_str().unwrap_or("?").to_owned(),
    }
}

fn group_mark(type_name: &str, field: &str) -> String {
    FieldId::ALL
        .iter()
        .map(|f| f.meta())
        .find(|m| m.type_name == type_name && m.field_name == field)
        .map(|m| format!(" @fieldGroup(name: \"{}\")", m.declared_group().code()))
        .unwrap_or_default()
}

fn print(json: &Json) -> String {
    let empty = Vec::new();
    let mut types: Vec<&Json> = json["__schema"]["types"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .filter(|t| !t["name"].as_str().unwrap_or("__").starts_with("__"))
        .collect();
    types.sort_by_key(|t| t["name"].as_str().unwrap_or_default().to_owned());
    let mut out = String::new();
    for t in types {
        let name = t["name"].as_str().unwrap_or_default();
        let names = |key: &str| -> Vec<String> {
            t[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        };
        match t["kind"].as_str().unwrap_or_default() {
            "SCALAR" => {
                let _ = writeln!(out, "scalar {name}\n");
            }
            "ENUM" => {
                let _ = writeln!(out, "enum {name} {{");
                for v in names("enumValues") {
                    let _ = writeln!(out, "  {v}");
                }
                out.push_str("}\n\n");
            }
            "UNION" => {
                let _ = writeln!(
                    out,
                    "union {name} = {}\n",
                    names("possibleTypes").join(" | ")
                );
            }
            "INPUT_OBJECT" => {
                let _ = writeln!(out, "input {name} {{");
                for f in t["inputFields"].as_array().unwrap_or(&empty) {
                    let default = f["defaultValue"]
                        .as_str()
                        .map(|d| format!(" = {d}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "  {}: {}{default}",
                        f["name"].as_str().unwrap_or_default(),
                        type_ref(&f["type"])
                    );
                }
                out.push_str("}\n\n");
            }
            kind => {
                let keyword = if kind == "INTERFACE" {
                    "interface"
                } else {
                    "type"
                };
                let interfaces = names("interfaces");
                let implements = if interfaces.is_empty() {
                    String::new()
                } else {
                    format!(" implements {}", interfaces.join(" & "))
                };
                let _ = writeln!(out, "{keyword} {name}{implements} {{");
                for f in t["fields"].as_array().unwrap_or(&empty) {
                    let field = f["name"].as_str().unwrap_or_default();
                    let args: Vec<String> = f["args"]
                        .as_array()
                        .unwrap_or(&empty)
                        .iter()
                        .map(|a| {
                            let default = a["defaultValue"]
                                .as_str()
                                .map(|d| format!(" = {d}"))
                                .unwrap_or_default();
                            format!(
                                "{}: {}{default}",
                                a["name"].as_str().unwrap_or_default(),
                                type_ref(&a["type"])
                            )
                        })
                        .collect();
                    let args = if args.is_empty() {
                        String::new()
                    } else {
                        format!("({})", args.join(", "))
                    };
                    let _ = writeln!(
                        out,
                        "  {field}{args}: {}{}",
                        type_ref(&f["type"]),
                        group_mark(name, field)
                    );
                }
                out.push_str("}\n\n");
            }
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}
