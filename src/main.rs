//! `typgraph`: the command line (contract §1). Parses flags, reads the configuration once,
//! initialises logging and calls into the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use typgraph::app::{connect_and_migrate, one_line, App};
use typgraph::config::{
    env_flag, Config, JwtConfig, Secret, DEFAULT_DATABASE_URL, DEFAULT_LISTEN, DEMO_JWT_SECRET,
};
use typgraph::domain::settings::Settings;
use typgraph::domain::Role;
use typgraph::http::auth::{parse_ttl, sign_hs256};
use typgraph::http::dashboard::DemoLogin;
use typgraph::http::ratelimit::RateConfig;
use typgraph::http::transport::TransportConfig;
use typgraph::{demo, graphql, services, telemetry};

// mimalloc instead of the system allocator: a request allocates thousands of small objects
// (parsed documents, rows, response values) across worker threads, and glibc malloc was a
// fifth of the server's CPU per case view (docs/benchmarks.md, "Load: the case view").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "typgraph", version, about = "Shared client case graph for TYP")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate the database, then serve HTTP.
    Serve {
        #[arg(long, env = "TYPGRAPH_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// Load the demo data set into an empty database, enable the explorer and print a
        /// token per role (refused over a database holding any other data).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate {
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Print the full SDL (identical to schema.graphql), or what one role sees.
    Schema {
        /// Print the schema as this role sees it under the policy in config/authz
        /// (identical to schema/roles/ROLE.graphql).
        #[arg(long)]
        role: Option<String>,
        /// Write every role's schema into this directory as ROLE.graphql.
        #[arg(long, conflicts_with = "role")]
        roles_dir: Option<PathBuf>,
    },
    /// Print a signed JWT for an existing official.
    Token {
        #[arg(long)]
        sub: String,
        #[arg(long)]
        role: Vec<String>,
        #[arg(long, default_value = "8h")]
        ttl: String,
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// Load a synthetic data set of N clients (deterministic for a seed).
    Seed {
        #[arg(long)]
        clients: usize,
        #[arg(long, default_value_t = 1)]
        rng_seed: u64,
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// List (--dry-run) or erase (--apply) what is past its retention period.
    Retention {
        /// Only list what is due; change nothing.
        #[arg(long, conflicts_with = "apply", required_unless_present = "apply")]
        dry_run: bool,
        /// Erase what is due (needs TYPGRAPH_PSEUDONYM_KEY).
        #[arg(long)]
        apply: bool,
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
    },
    /// The audit logs' hash chains.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the access log's and the record chain's hashes; exit 1 naming the first
    /// broken row, or a chain that ends before the published head given.
    Verify {
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// A head of the record chain published earlier (the sealer's "audit chain head"
        /// log line, or the `typgraph_audit_head` metric), as SEQ:HASH: the chain must
        /// reach it and pass through it.
        #[arg(long)]
        head: Option<typgraph::audit::records::Head>,
    },
}

/// A start-up or command failure: printed as one line, exit status 1.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string().replace('\n', " "))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match std::env::var("TYPGRAPH_LOG_FORMAT")
        .unwrap_or_default()
        .parse::<telemetry::LogFormat>()
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("typgraph: {e}");
            return ExitCode::FAILURE;
        }
    };
    let otlp = std::env::var("TYPGRAPH_OTLP_ENDPOINT")
        .ok()
        .filter(|v| !v.trim().is_empty());
    let _telemetry = match telemetry::init_logging(format, otlp.as_deref()) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("typgraph: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("typgraph: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(reason)) => {
            eprintln!("typgraph: {reason}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve {
            listen,
            database_url,
            demo,
        } => serve(listen, database_url, demo).await,
        Command::Migrate { database_url } => {
            connect_and_migrate(&database_url, None, None).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Schema { role, roles_dir } => role_schemas(role, roles_dir).await,
        Command::Token {
            sub,
            role,
            ttl,
            database_url,
        } => token(sub, role, ttl, database_url).await,
        Command::Seed {
            clients,
            rng_seed,
            database_url,
        } => seed(clients, rng_seed, database_url).await,
        Command::Audit {
            action: AuditCommand::Verify { database_url, head },
        } => audit_verify(database_url, head).await,
        Command::Retention {
            dry_run: _,
            apply,
            database_url,
        } => retention(apply, database_url).await,
    }
}

/// `typgraph schema [--role ROLE | --roles-dir DIR]`.
async fn role_schemas(role: Option<String>, roles_dir: Option<PathBuf>) -> Result<(), Failure> {
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
            graphql::role_sdl::role_sdl(&policy, role)
                .await
                .map_err(Failure)?
        );
        return Ok(());
    }
    if let Some(dir) = roles_dir {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
        for (role, sdl) in graphql::role_sdl::all_role_sdls(&policy)
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

/// `typgraph retention --dry-run|--apply`: one line per due item (client ids, never names).
async fn retention(apply: bool, database_url: String) -> Result<(), Failure> {
    use typgraph::services::retention;
    let settings = Settings::from_env().map_err(Failure)?;
    let key = if apply {
        let key = std::env::var("TYPGRAPH_PSEUDONYM_KEY").unwrap_or_default();
        if key.len() < 32 {
            return Err(Failure(
                "--apply needs TYPGRAPH_PSEUDONYM_KEY (at least 32 characters): erased identities become keyed pseudonyms".into(),
            ));
        }
        Some(key)
    } else {
        None
    };
    let db = connect_and_migrate(&database_url, None, None).await?;
    let today = chrono::Utc::now().date_naive();
    let due = retention::due(&db, &settings, today)
        .await
        .map_err(|e| Failure(format!("cannot read what is due: {}", one_line(&e))))?;
    for item in &due {
        match &key {
            None => println!(
                "due {} client {} since {} ({})",
                item.class.code(),
                item.client_id,
                item.due_on,
                item.basis
            ),
            Some(key) => {
                let rows = retention::erase(&db, key, &settings, today, item)
                    .await
                    .map_err(|e| {
                        Failure(format!(
                            "erasing {} of client {} failed (nothing of it changed): {}",
                            item.class.code(),
                            item.client_id,
                            one_line(&e)
                        ))
                    })?;
                println!(
                    "erased {} client {} ({} rows)",
                    item.class.code(),
                    item.client_id,
                    rows
                );
            }
        }
    }
    println!(
        "{} due{}",
        due.len(),
        if key.is_none() {
            " (dry run: nothing changed)"
        } else {
            ", erased"
        }
    );
    Ok(())
}

/// `typgraph audit verify`: both chains from the first seal to the last, and the record
/// chain against a published head when one is given.
async fn audit_verify(
    database_url: String,
    published: Option<typgraph::audit::records::Head>,
) -> Result<(), Failure> {
    let db = typgraph::db::connect(&database_url, None, None)
        .await
        .map_err(|e| Failure(format!("cannot connect to the database: {}", one_line(&e))))?;
    let v = typgraph::audit::chain::verify_against(&db, published.as_ref())
        .await
        .map_err(|e| Failure(format!("cannot read the audit logs: {}", one_line(&e))))?;
    if let Some(b) = &v.broken {
        return Err(Failure(format!(
            "access log broken at seal {}{}: {} ({} seals verified before it)",
            b.seq,
            b.access_log_id
                .map(|id| format!(" (access-log row {id})"))
                .unwrap_or_default(),
            b.problem,
            v.sealed
        )));
    }
    let r = &v.records;
    if let Some(b) = &r.broken {
        return Err(Failure(format!(
            "record chain broken at seal {}{}: {} ({} seals verified before it)",
            b.seq,
            b.record
                .as_ref()
                .map(|(kind, key)| format!(" ({kind} {key})"))
                .unwrap_or_default(),
            b.problem,
            r.sealed
        )));
    }
    println!(
        "access log intact: {} rows sealed, {} not yet sealed, head {}; records intact: {} seals, {} records not yet sealed, head {}{}",
        v.sealed,
        v.unsealed,
        v.head,
        r.sealed,
        r.unsealed,
        r.head,
        published
            .map(|p| format!("; passes through the published head {p}"))
            .unwrap_or_default()
    );
    Ok(())
}

/// A whole number of at least `least` from the variable `name`; `None` when it is unset or
/// empty; anything else stops start-up naming the variable.
fn whole_number_from_env(name: &str, least: u32) -> Result<Option<u32>, Failure> {
    match typgraph::config::number_from::<u32>(&|n| std::env::var(n).ok(), name) {
        Ok(None) => Ok(None),
        Ok(Some(n)) if n >= least => Ok(Some(n)),
        _ => Err(Failure(format!(
            "{name} must be a whole number from {least} up"
        ))),
    }
}

/// A variable's value, `None` when unset or blank.
fn set_in_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Rate limits from `TYPGRAPH_RATE_*` (0 turns one off).
fn rate_from_env() -> Result<RateConfig, Failure> {
    let d = RateConfig::default();
    let read =
        |name: &str, default: u32| whole_number_from_env(name, 0).map(|n| n.unwrap_or(default));
    Ok(RateConfig {
        requests_per_minute: read("TYPGRAPH_RATE_REQUESTS_PER_MINUTE", d.requests_per_minute)?,
        objects_per_minute: read("TYPGRAPH_RATE_OBJECTS_PER_MINUTE", d.objects_per_minute)?,
    })
}

/// Connection deadlines and the per-address cap from `TYPGRAPH_*` (seconds; 0 connections
/// per address turns the cap off).
fn transport_from_env() -> Result<TransportConfig, Failure> {
    let d = TransportConfig::default();
    let secs = |name: &str, default: std::time::Duration| {
        whole_number_from_env(name, 1)
            .map(|n| n.map_or(default, |n| std::time::Duration::from_secs(u64::from(n))))
    };
    Ok(TransportConfig {
        header_timeout: secs("TYPGRAPH_HEADER_TIMEOUT_SECS", d.header_timeout)?,
        body_timeout: secs("TYPGRAPH_BODY_TIMEOUT_SECS", d.body_timeout)?,
        connections_per_address: whole_number_from_env("TYPGRAPH_CONNECTIONS_PER_ADDRESS", 0)?
            .unwrap_or(d.connections_per_address),
    })
}

async fn serve(listen: String, database_url: String, demo: bool) -> Result<(), Failure> {
    if cfg!(feature = "bench-no-authz") {
        if std::env::var("TYPGRAPH_BENCH_NO_AUTHZ").as_deref() != Ok("yes-this-is-a-benchmark") {
            return Err(Failure(
                "this build has authorization compiled out (feature bench-no-authz) and serves only benchmarks".into(),
            ));
        }
        tracing::warn!("AUTHORIZATION COMPILED OUT: benchmark build");
    }
    let config = Config {
        database_url: database_url.clone(),
        listen,
        demo,
        explorer: env_flag("TYPGRAPH_EXPLORER"),
        introspection: env_flag("TYPGRAPH_INTROSPECTION"),
        jwt: JwtConfig::from_env().map_err(Failure)?,
        authz_dir: std::env::var_os("TYPGRAPH_AUTHZ_DIR").map(PathBuf::from),
        settings: Settings::from_env().map_err(Failure)?,
        cors_origins: std::env::var("TYPGRAPH_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        rate: rate_from_env()?,
        transport: transport_from_env()?,
        trusted_proxies: typgraph::http::proxies::parse_list(
            &std::env::var("TYPGRAPH_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|e| Failure(format!("TYPGRAPH_TRUSTED_PROXIES: {e}")))?,
        reports_database_url: std::env::var("TYPGRAPH_REPORTS_DATABASE_URL")
            .ok()
            .filter(|v| !v.trim().is_empty()),
        database_max_connections: whole_number_from_env("TYPGRAPH_DATABASE_MAX_CONNECTIONS", 1)?,
        cursor_key: set_in_env("TYPGRAPH_CURSOR_KEY").map(Secret),
        metrics_token: set_in_env("TYPGRAPH_METRICS_TOKEN").map(Secret),
        metrics_listen: set_in_env("TYPGRAPH_METRICS_LISTEN"),
    };
    let jwt = config.jwt.clone();
    // Demo tokens last a working day, or the longest lifetime the server accepts.
    let demo_ttl = (8 * 3600).min(jwt.max_lifetime_secs);
    let app = App::build(config).await?;
    if demo {
        let db = &app.state.db;
        if demo::is_empty(db).await? {
            let summary = demo::load(db, demo::DEMO_CLIENTS, demo::DEMO_SEED, true).await?;
            tracing::info!(
                clients = summary.clients,
                attendance = summary.attendance_rows,
                "demo data loaded"
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
            if let Some(client) = services::own::demo_client(db).await? {
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

async fn token(
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
    let jwt = JwtConfig::from_env().map_err(Failure)?;
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
        if !services::own::exists(&db, &sub).await? {
            return Err(Failure(format!("no living client with id {sub}")));
        }
    } else if !services::officials::exists(&db, &sub).await? {
        return Err(Failure(format!("no active official with id {sub}")));
    }
    println!("{}", sign_hs256(&secret, &sub, &roles, ttl, &jwt)?);
    Ok(())
}

async fn seed(clients: usize, rng_seed: u64, database_url: String) -> Result<(), Failure> {
    let db = connect_and_migrate(&database_url, None, None).await?;
    if !demo::is_empty(&db).await? {
        return Err(Failure(
            "the database already holds data; seed an empty database".into(),
        ));
    }
    let summary = demo::load(&db, clients, rng_seed, false).await?;
    for (role, official) in summary.official_per_role() {
        println!("official {} {}", role.code(), official.id);
    }
    eprintln!(
        "seeded {} clients, {} attendance rows",
        summary.clients, summary.attendance_rows
    );
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
