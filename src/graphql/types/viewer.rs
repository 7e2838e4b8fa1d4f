//! The signed-in official.

use async_graphql::{SimpleObject, ID};

use crate::domain::{Agency, Role};

/// The signed-in official, as the server knows them (agency from the official's row).
#[derive(SimpleObject)]
#[graphql(name = "Viewer")]
pub struct Viewer {
    /// The official's id.
    pub official_id: ID,
    /// The official's name.
    pub name: String,
    /// The official's agency.
    pub agency: Agency,
    /// Effective roles: those in the token that the official's row also grants.
    pub roles: Vec<Role>,
    /// The provider of a provider official.
    pub provider_id: Option<ID>,
}
