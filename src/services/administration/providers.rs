//! Providers: the organisations that run KTT periods and employ coaches.

use entity::{official, provider};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::log::log;
use super::manage;
use crate::authz::Managed;
use crate::domain::provider::ProviderKind;
use crate::error::{AppError, AppResult};
use crate::services::input::required_text;
use crate::services::RequestContext;

async fn provider_named(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<&str>,
) -> AppResult<()> {
    let clash = provider::Entity::find()
        .filter(provider::Column::Name.eq(name))
        .one(db)
        .await?
        .filter(|p| Some(p.id.as_str()) != except);
    match clash {
        Some(_) => Err(AppError::Conflict(
            "a provider with this name exists already".into(),
        )),
        None => Ok(()),
    }
}

async fn find_provider(db: &impl ConnectionTrait, id: &str) -> AppResult<provider::Model> {
    provider::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a provider.
pub async fn create_provider(
    rc: &RequestContext,
    name: &str,
    kind: ProviderKind,
    municipality: &str,
) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let name = required_text("name", name, 200)?;
        let municipality = required_text("municipality", municipality, 100)?;
        provider_named(db, &name, None).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let row = provider::ActiveModel {
            id: Set(id.clone()),
            name: Set(name),
            kind: Set(kind.code().to_owned()),
            municipality: Set(municipality),
            active: Set(true),
            created_at: Set(rc.now),
        };
        provider::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
        log(
            db,
            rc,
            "CREATE_PROVIDER",
            &id,
            &format!("kind {}", kind.code()),
        )
        .await?;
        find_provider(db, &id).await
    })
    .await
}

/// Renames a provider or changes its municipality.
pub async fn update_provider(
    rc: &RequestContext,
    id: &str,
    name: Option<String>,
    municipality: Option<String>,
) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let current = find_provider(db, id).await?;
        let mut update = provider::Entity::update_many().filter(provider::Column::Id.eq(id));
        let mut changed = Vec::new();
        if let Some(name) = name {
            let name = required_text("name", &name, 200)?;
            if name != current.name {
                provider_named(db, &name, Some(id)).await?;
                update = update.col_expr(provider::Column::Name, Expr::value(name));
                changed.push("name");
            }
        }
        if let Some(m) = municipality {
            let m = required_text("municipality", &m, 100)?;
            if m != current.municipality {
                update = update.col_expr(provider::Column::Municipality, Expr::value(m));
                changed.push("municipality");
            }
        }
        if !changed.is_empty() {
            update.exec(db).await?;
            log(db, rc, "UPDATE_PROVIDER", id, &changed.join(", ")).await?;
        }
        find_provider(db, id).await
    })
    .await
}

/// Deactivates a provider: it takes no new KTT periods. Refused while active officials
/// belong to it (deactivate them first, so no coach keeps access by accident).
pub async fn deactivate_provider(rc: &RequestContext, id: &str) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let current = find_provider(db, id).await?;
        if current.active {
            let staff = official::Entity::find()
                .filter(official::Column::ProviderId.eq(id))
                .filter(official::Column::Active.eq(true))
                .all(db)
                .await?;
            if !staff.is_empty() {
                return Err(AppError::Conflict(format!(
                    "{} active officials belong to this provider; deactivate them first",
                    staff.len()
                )));
            }
            provider::Entity::update_many()
                .col_expr(provider::Column::Active, Expr::value(false))
                .filter(provider::Column::Id.eq(id))
                .exec(db)
                .await?;
            log(db, rc, "DEACTIVATE_PROVIDER", id, "active -> inactive").await?;
        }
        find_provider(db, id).await
    })
    .await
}
