//! `typgraph serve`: the server, and under `--demo` the demo data and a token per role.

use typgraph::app::App;
use typgraph::config::{self, DEMO_JWT_SECRET};
use typgraph::domain::Role;
use typgraph::http::auth::sign_hs256;
use typgraph::http::dashboard::DemoLogin;
use typgraph::{demo, services};

use super::Failure;

pub(super) async fn serve(
    listen: String,
    database_url: String,
    demo: bool,
    demo_scale: Option<f64>,
) -> Result<(), Failure> {
    let scale = demo_scale.unwrap_or(demo::DEMO_SCALE);
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(Failure(format!(
            "--demo-scale {scale} must be within 0 < F <= 1"
        )));
    }
    if cfg!(feature = "bench-no-authz") {
        if !config::env::benchmark_without_authz_confirmed() {
            return Err(Failure(
                "this build has authorization compiled out (feature bench-no-authz) and serves only benchmarks".into(),
            ));
        }
        tracing::warn!("AUTHORIZATION COMPILED OUT: benchmark build");
    }
    let config = config::env::serve(listen, database_url, demo).map_err(Failure)?;
    let jwt = config.jwt.clone();
    // Demo tokens last a working day, or the longest lifetime the server accepts.
    let demo_ttl = (8 * 3600).min(jwt.max_lifetime_secs);
    let app = App::build(config).await?;
    if demo {
        let db = &app.state.db;
        if demo::is_empty(db).await? {
            let started = std::time::Instant::now();
            let summary = demo::load_profile(
                db,
                demo::Profile::SouthKarelia,
                scale,
                demo::DEMO_SEED,
                true,
            )
            .await?;
            tracing::info!(
                clients = summary.clients,
                attendance = summary.attendance_rows,
                scale,
                seconds = started.elapsed().as_secs_f64(),
                "demo data loaded (the South Karelia profile)"
            );
        }
        let secret = jwt
            .secret
            .as_ref()
            .map(|s| s.0.clone())
            .unwrap_or_else(|| DEMO_JWT_SECRET.to_owned());
        if jwt.secret.is_none() && jwt.public_key_pem.is_some() {
            println!("# tokens are signed by your identity provider (RS256); none printed");
        } else {
            let mut logins = Vec::new();
            for (role, official) in services::officials::demo_officials(db).await? {
                let token = sign_hs256(
                    &secret,
                    &official,
                    &[role.code().to_owned()],
                    demo_ttl,
                    &jwt,
                )?;
                println!("token {} {} {}", role.code(), official, token);
                logins.push(DemoLogin {
                    role: role.code().to_owned(),
                    token,
                });
            }
            // One demo client's own token: their case and who has read it.
            if let Some(client) = services::self_service::demo_client(db).await? {
                let token = sign_hs256(
                    &secret,
                    &client,
                    &[Role::Client.code().to_owned()],
                    demo_ttl,
                    &jwt,
                )?;
                println!("token {} {} {}", Role::Client.code(), client, token);
            }
            let _ = app.state.demo_logins.set(logins);
            println!("dashboard: http://{}/dashboard", app.local_addr()?);
        }
    }
    let addr = app.local_addr()?;
    println!("listening on http://{addr}");
    tracing::info!(%addr, "serving");
    app.serve(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
