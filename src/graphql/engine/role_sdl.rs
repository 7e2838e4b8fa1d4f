//! The schema as one role sees it: introspection run as that role (field visibility follows
//! the role's compiled field mask), printed as SDL with each client-data field's group.
//! Checked in as `schema/roles/ROLE.graphql`; a test fails when a policy change alters what
//! a role can see without the snapshot being updated.

use serde_json::Value as Json;
use std::fmt::Write as _;

use crate::authz::{FieldId, Policy, Principal};
use crate::domain::{Agency, Role};

const INTROSPECTION: &str = r#"{ __schema { directives { name } types { kind name description
  fields(includeDeprecated: true) { name description args { name description type { ...T } defaultValue } type { ...T } }
  inputFields { name description type { ...T } defaultValue }
  enumValues(includeDeprecated: true) { name description }
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

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

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

/// Writes `item`'s description, if it has one, as a block string at `indent`.
fn description(out: &mut String, indent: &str, item: &Json) {
    let Some(text) = item["description"].as_str().filter(|d| !d.is_empty()) else {
        return;
    };
    let text = text.replace("\"\"\"", "\\\"\"\"");
    if text.contains('\n') {
        let _ = writeln!(out, "{indent}\"\"\"");
        for line in text.lines() {
            let _ = writeln!(out, "{indent}{line}");
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{text}\"\"\"");
    }
}

/// An input value (argument or input field): `name: Type = default`.
fn input_value(v: &Json) -> String {
    let default = v["defaultValue"]
        .as_str()
        .map(|d| format!(" = {d}"))
        .unwrap_or_default();
    format!(
        "{}: {}{default}",
        v["name"].as_str().unwrap_or_default(),
        type_ref(&v["type"])
    )
}

fn print(json: &Json) -> String {
    let empty = Vec::new();
    let list = |v: &Json| v.as_array().unwrap_or(&empty).clone();
    let mut types: Vec<Json> = list(&json["__schema"]["types"])
        .into_iter()
        .filter(|t| !t["name"].as_str().unwrap_or("__").starts_with("__"))
        .collect();
    types.sort_by_key(|t| t["name"].as_str().unwrap_or_default().to_owned());
    // A standalone schema: the directive its fields carry is declared, the built-in
    // scalars are not (every GraphQL tool has them).
    let mut out = String::new();
    let declares_group = list(&json["__schema"]["directives"])
        .iter()
        .any(|d| d["name"] == "fieldGroup");
    if declares_group {
        let text = crate::graphql::engine::directive::DESCRIPTION;
        description(&mut out, "", &serde_json::json!({ "description": text }));
        out.push_str("directive @fieldGroup(name: String!) on FIELD_DEFINITION\n\n");
    }
    for t in &types {
        let name = t["name"].as_str().unwrap_or_default();
        let names = |key: &str| -> Vec<String> {
            list(&t[key])
                .iter()
                .filter_map(|v| v["name"].as_str().map(str::to_owned))
                .collect()
        };
        let kind = t["kind"].as_str().unwrap_or_default();
        if kind == "SCALAR" && BUILT_IN_SCALARS.contains(&name) {
            continue;
        }
        description(&mut out, "", t);
        match kind {
            "SCALAR" => {
                let _ = writeln!(out, "scalar {name}\n");
            }
            "ENUM" => {
                let _ = writeln!(out, "enum {name} {{");
                for v in list(&t["enumValues"]) {
                    description(&mut out, "  ", &v);
                    let _ = writeln!(out, "  {}", v["name"].as_str().unwrap_or_default());
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
                for f in list(&t["inputFields"]) {
                    description(&mut out, "  ", &f);
                    let _ = writeln!(out, "  {}", input_value(&f));
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
                for f in list(&t["fields"]) {
                    let field = f["name"].as_str().unwrap_or_default();
                    description(&mut out, "  ", &f);
                    let args = list(&f["args"]);
                    let args = if args.is_empty() {
                        String::new()
                    } else if args.iter().any(|a| a["description"].is_string()) {
                        let mut block = String::from("(\n");
                        for a in &args {
                            description(&mut block, "    ", a);
                            let _ = writeln!(block, "    {}", input_value(a));
                        }
                        block.push_str("  )");
                        block
                    } else {
                        let args: Vec<String> = args.iter().map(input_value).collect();
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
