//! A private PostgreSQL cluster (initdb in a temporary directory, its own port) for the
//! tests that stop, kill and restart the database: the shared server at
//! `TEST_DATABASE_URL` must stay up for every other test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// The PostgreSQL server binaries (`pg_config --bindir`, else Debian's layout).
fn bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("pg_ctl").exists() {
            return Some(dir);
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| d.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    /// A new, running cluster; `None` when the PostgreSQL variants are off (no
    /// `TEST_DATABASE_URL`). With them on, missing server binaries fail the test.
    pub fn start() -> Option<Cluster> {
        std::env::var("TEST_DATABASE_URL").ok()?;
        let cluster = Cluster::empty();
        cluster.run(
            "initdb",
            &[
                "-D",
                &cluster.data().display().to_string(),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ],
        );
        cluster.start_again();
        Some(cluster)
    }

    /// A streaming-replication standby of `primary` (pg_basebackup -R), running.
    pub fn standby_of(primary: &Cluster) -> Cluster {
        let standby = Cluster::empty();
        standby.run(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary.port.to_string(),
                "-U",
                "postgres",
                "-D",
                &standby.data().display().to_string(),
                "-R",
                "-X",
                "stream",
                "--no-sync",
            ],
        );
        standby.start_again();
        standby
    }

    /// A directory for a cluster (owned by `postgres` when we are root) and a free port.
    fn empty() -> Cluster {
        let bin = bindir().expect("PostgreSQL server binaries (pg_ctl, initdb) are installed");
        let dir = tempfile::Builder::new()
            .prefix("typgraph-pg-")
            .tempdir()
            .unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster { dir, bin, port };
        // PostgreSQL insists on a private data directory (initdb fixes this itself;
        // pg_basebackup does not).
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(cluster.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
        if is_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to `postgres`.
            let ok = Command::new("chown")
                .args(["postgres:postgres", &cluster.data().display().to_string()])
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown of the cluster directory");
        }
        cluster
    }

    fn data(&self) -> &Path {
        self.dir.path()
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A command for one of the server tools, run as `postgres` when we are root.
    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}\n{}{}\nserver log:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.data().join("server.log")).unwrap_or_default()
        );
    }

    fn pg_ctl(&self, args: &[&str]) {
        let data = self.data().display().to_string();
        let mut all = vec!["-D", &data];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all);
    }

    /// Starts the (stopped) cluster and waits until it accepts connections.
    pub fn start_again(&self) {
        let data = self.data().display().to_string();
        let opts = format!(
            "-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories={data} -c max_connections=60 -c shared_buffers=16MB",
            self.port
        );
        let log = format!("{data}/server.log");
        self.pg_ctl(&["-w", "-t", "30", "-l", &log, "-o", &opts, "start"]);
    }

    /// Stops the cluster: `fast` ends sessions cleanly, `immediate` is a crash (no
    /// shutdown checkpoint; recovery replays the WAL at the next start).
    pub fn stop(&self, mode: &str) {
        self.pg_ctl(&["-w", "-t", "30", "-m", mode, "stop"]);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "stop"])
            .output();
    }
}
