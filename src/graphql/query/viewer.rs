//! The signed-in official.

use async_graphql::{Context, Object, Result, ID};

use super::request;
use crate::graphql::types::viewer::Viewer;

#[derive(Default)]
pub struct ViewerQueries;

#[Object]
impl ViewerQueries {
    /// The signed-in official.
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        let rc = request(ctx, "me")?;
        let p = rc.principal();
        Ok(Viewer {
            official_id: ID(p.official_id.clone()),
            name: p.name.clone(),
            agency: p.agency,
            roles: p.roles.clone(),
            provider_id: p.provider_id.clone().map(ID),
        })
    }
}
