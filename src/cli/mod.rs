//! The command line's commands: what each parses (clap) and does. `main` reads the
//! logging configuration, starts the runtime and dispatches here.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use typgraph::app::connect_and_migrate;
use typgraph::config::{DEFAULT_DATABASE_URL, DEFAULT_LISTEN};

mod audit;
mod serve;
mod tools;

#[derive(Parser)]
#[command(name = "typgraph", version, about = "Shared client case graph for TYP")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP.
    Serve {
        #[arg(long, env = "TYPGRAPH_LISTEN", default_value = DEFAULT_LISTEN)]
        listen: String,
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// Load the demo data set into an empty database, enable the explorer and print a
        /// token per role (refused over a database holding any other data). The demo data
        /// set is the South Karelia profile at a fraction of the region (see --demo-scale).
        #[arg(long)]
        demo: bool,
        /// The fraction of the South Karelia region the demo loads (0 < F <= 1; 1 is the
        /// full region, slower to load: docs/demo-data.md).
        #[arg(long, requires = "demo", value_name = "F")]
        demo_scale: Option<f64>,
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
    /// Load a synthetic data set of N clients, or a profile (deterministic for a seed).
    Seed {
        /// Clients drawn one by one.
        #[arg(long, required_unless_present = "profile", conflicts_with = "profile")]
        clients: Option<usize>,
        /// A profile whose reports show a region's published figures: south-karelia.
        #[arg(long)]
        profile: Option<String>,
        /// The fraction of the profile's region to load (0 < F <= 1).
        #[arg(long, requires = "profile", default_value_t = 1.0, value_name = "F")]
        scale: f64,
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
pub enum AuditCommand {
    /// Recompute the access log's and the record chain's hashes; exit 1 naming the first
    /// broken row, or a chain that ends before the published head given.
    Verify {
        #[arg(long, env = "TYPGRAPH_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
        database_url: String,
        /// A head of the record chain published earlier (the sealer's "audit chain head"
        /// log line, or the `typgraph_audit_head` metric), as SEQ:HASH: the chain must
        /// reach it and pass through it.
        #[arg(long)]
        head: Option<typgraph::audit::record_seal::Head>,
    },
}

/// A start-up or command failure: printed as one line, exit status 1.
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string().replace('\n', " "))
    }
}

pub async fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Serve {
            listen,
            database_url,
            demo,
            demo_scale,
        } => serve::serve(listen, database_url, demo, demo_scale).await,
        Command::Migrate { database_url } => {
            connect_and_migrate(&database_url, None, None).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Schema { role, roles_dir } => tools::role_schemas(role, roles_dir).await,
        Command::Token {
            sub,
            role,
            ttl,
            database_url,
        } => tools::token(sub, role, ttl, database_url).await,
        Command::Seed {
            clients,
            profile,
            scale,
            rng_seed,
            database_url,
        } => tools::seed(clients, profile, scale, rng_seed, database_url).await,
        Command::Audit {
            action: AuditCommand::Verify { database_url, head },
        } => audit::verify(database_url, head).await,
        Command::Retention {
            dry_run: _,
            apply,
            database_url,
        } => audit::retention(apply, database_url).await,
    }
}
