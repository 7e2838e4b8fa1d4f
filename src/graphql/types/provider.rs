//! KTT and coaching providers (not client data).

use async_graphql::{Object, ID};
use entity::provider;

use super::enums::{parse_code, ProviderKind};

/// A provider of rehabilitative work activity or coaching.
pub struct ProviderNode {
    pub row: provider::Model,
}

/// A provider of rehabilitative work activity or job coaching: the county's workshops and
/// activity centres, service-voucher providers and third-sector organisations.
#[Object(name = "Provider")]
impl ProviderNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }

    /// Name of the provider.
    async fn name(&self) -> &str {
        &self.row.name
    }

    /// Kind of provider.
    async fn kind(&self) -> ProviderKind {
        parse_code(&self.row.kind).unwrap_or(ProviderKind::ThirdSector)
    }

    /// Municipality where the provider operates.
    async fn municipality(&self) -> &str {
        &self.row.municipality
    }

    /// Whether the provider takes placements.
    async fn active(&self) -> bool {
        self.row.active
    }
}
