//! Rows of the registers (employers, programmes) by id: no client's data, read for the
//! nodes that name them.

use std::collections::HashMap;

use entity::{employer, programme};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub async fn employers_by_id(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, employer::Model>, DbErr> {
    let rows = employer::Entity::find()
        .filter(employer::Column::Id.is_in(ids.iter().map(String::as_str)))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}

pub async fn programmes_by_id(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, programme::Model>, DbErr> {
    let rows = programme::Entity::find()
        .filter(programme::Column::Id.is_in(ids.iter().map(String::as_str)))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}
