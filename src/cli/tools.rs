//! The one-shot commands: the schema, tokens and synthetic data.

use std::path::PathBuf;

use typgraph::app::connect_and_migrate;
use typgraph::config::{self, parse_ttl, DEMO_JWT_SECRET};
use typgraph::domain::Role;
use typgraph::http::auth::sign_hs256;
use typgraph::{demo, graphql, services};

use super::Failure;

/// `typgraph schema [--role ROLE | --roles-dir DIR]`.
pub(super) async fn role_schemas(
    role: Option<String>,
    roles_dir: Option<PathBuf>,
) -> Result<(), Failure> {
    if role.is_none() && roles_dir.is_none() {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    let policy = typgraph::authz::Policy::load(None)
        .await
        .map_err(|e| Failure(e.to_string()))?;
    if let Some(role) = role {
        let role = role
            .parse::<Role>()
            .map_err(|_| Failure(format!("unknown role {role}")))?;
        print!(
            "{}",
            graphql::engine::role_sdl::role_sdl(&policy, role)
                .await
                .map_err(Failure)?
        );
        return Ok(());
    }
    if let Some(dir) = roles_dir {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
        for (role, sdl) in graphql::engine::role_sdl::all_role_sdls(&policy)
            .await
            .map_err(Failure)?
        {
            let path = dir.join(format!("{}.graphql", role.code()));
            std::fs::write(&path, sdl)
                .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

pub(super) async fn token(
    sub: String,
    roles: Vec<String>,
    ttl: String,
    database_url: String,
) -> Result<(), Failure> {
    let ttl = parse_ttl(&ttl)
        .ok_or_else(|| Failure("--ttl is a number with s, m, h or d (e.g. 8h)".into()))?;
    if roles.is_empty() {
        return Err(Failure("--role is required".into()));
    }
    for r in &roles {
        r.parse::<Role>()
            .map_err(|_| Failure(format!("unknown role {r}")))?;
    }
    let jwt = config::env::jwt().map_err(Failure)?;
    if ttl > jwt.max_lifetime_secs {
        return Err(Failure(format!(
            "--ttl is longer than TYPGRAPH_JWT_MAX_LIFETIME ({}s): the server would refuse the token",
            jwt.max_lifetime_secs
        )));
    }
    let db = connect_and_migrate(&database_url, None, None).await?;
    let secret =
        match &jwt.secret {
            Some(s) => s.0.clone(),
            None if demo::is_demo(&db).await? => DEMO_JWT_SECRET.to_owned(),
            None => return Err(Failure(
                "no TYPGRAPH_JWT_SECRET configured and the database does not hold the demo data"
                    .into(),
            )),
        };
    if roles.iter().any(|r| r == Role::Client.code()) {
        if roles.len() != 1 {
            return Err(Failure(
                "a CLIENT token carries no other role (its subject is a client)".into(),
            ));
        }
        if !services::self_service::exists(&db, &sub).await? {
            return Err(Failure(format!("no living client with id {sub}")));
        }
    } else if !services::officials::exists(&db, &sub).await? {
        return Err(Failure(format!("no active official with id {sub}")));
    }
    println!("{}", sign_hs256(&secret, &sub, &roles, ttl, &jwt)?);
    Ok(())
}

pub(super) async fn seed(
    clients: Option<usize>,
    profile: Option<String>,
    scale: f64,
    rng_seed: u64,
    database_url: String,
) -> Result<(), Failure> {
    let profile = profile
        .map(|p| p.parse::<demo::Profile>())
        .transpose()
        .map_err(Failure)?;
    if profile.is_some() && !(scale > 0.0 && scale <= 1.0) {
        return Err(Failure(format!(
            "--scale {scale} must be within 0 < F <= 1"
        )));
    }
    let db = connect_and_migrate(&database_url, None, None).await?;
    if !demo::is_empty(&db).await? {
        return Err(Failure(
            "the database already holds data; seed an empty database".into(),
        ));
    }
    let started = std::time::Instant::now();
    let summary = match (profile, clients) {
        (Some(profile), _) => demo::load_profile(&db, profile, scale, rng_seed, false).await?,
        (None, Some(clients)) => demo::load(&db, clients, rng_seed, false).await?,
        (None, None) => return Err(Failure("give --clients N or --profile NAME".into())),
    };
    demo::analyze(&db).await?;
    for (role, official) in summary.official_per_role() {
        println!("official {} {}", role.code(), official.id);
    }
    eprintln!(
        "seeded {} clients, {} attendance rows in {:.1} s",
        summary.clients,
        summary.attendance_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
