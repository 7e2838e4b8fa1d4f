//! The `@fieldGroup` type-system directive that marks every client-data field in the SDL.

use async_graphql::TypeDirective;

use crate::authz::FieldId;

/// The directive's description in the role schemas (the same as its doc comment).
pub const DESCRIPTION: &str = "Marks a client-data field with its field group, so that the policy can be\naudited from `schema.graphql`.";

/// Marks a client-data field with its field group, so that the policy can be
/// audited from `schema.graphql`.
#[TypeDirective(location = "FieldDefinition", name = "fieldGroup")]
#[allow(non_snake_case)]
pub fn fieldGroup(name: String) {}

/// The group name written into the schema for a field.
pub fn group_of(field: FieldId) -> String {
    field.meta().declared_group().code().to_owned()
}
