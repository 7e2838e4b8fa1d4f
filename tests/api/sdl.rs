//! A small reader of the generated SDL, for tests that walk every field.

/// One field definition: type, field, return type name, declared field group.
#[derive(Debug, Clone)]
pub struct SdlField {
    pub type_name: String,
    pub field: String,
    pub returns: String,
    pub group: Option<String>,
    /// The field may be null (its type has no `!` outside).
    pub nullable: bool,
}

pub fn fields(sdl: &str) -> Vec<SdlField> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut in_description = false;
    for line in sdl.lines() {
        let t = line.trim();
        if t.starts_with("\"\"\"") {
            // A one-line description opens and closes on the same line.
            if !(t.len() > 3 && t.ends_with("\"\"\"")) {
                in_description = !in_description;
            }
            continue;
        }
        if in_description {
            continue;
        }
        if let Some(rest) = t.strip_prefix("type ") {
            current = rest.split_whitespace().next().map(str::to_owned);
            continue;
        }
        if t == "}" {
            current = None;
            continue;
        }
        let Some(type_name) = &current else { continue };
        let Some(colon) = colon_outside_parens(t) else {
            continue;
        };
        let field = t[..colon].split('(').next().unwrap_or("").trim().to_owned();
        let after = t[colon + 1..].trim();
        let returns: String = after
            .split_whitespace()
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let group = after
            .split("@fieldGroup(name: \"")
            .nth(1)
            .and_then(|g| g.split('"').next())
            .map(str::to_owned);
        out.push(SdlField {
            type_name: type_name.clone(),
            field,
            returns,
            group,
            nullable: !after.split_whitespace().next().unwrap_or("").ends_with('!'),
        });
    }
    out
}

fn colon_outside_parens(t: &str) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in t.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ':' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Names of object types (which need a sub-selection).
pub fn object_types(sdl: &str) -> Vec<String> {
    sdl.lines()
        .filter_map(|l| l.strip_prefix("type "))
        .filter_map(|r| r.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}
