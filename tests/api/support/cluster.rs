//! A PostgreSQL server of one test's own, on a free port of 127.0.0.1, that the test can stop and
//! start again: what a database outage looks like to Sesame. `initdb` refuses to run as root, so
//! as root the cluster belongs to the `postgres` user and every command runs through `runuser`.

use std::os::unix::fs::MetadataExt as _;
use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;

use super::environment;

/// The data directory, inside the cluster's directory (every command runs there).
const DATA: &str = "data";

/// A running (or stopped) cluster; stopped for good when dropped.
pub struct PgCluster {
    dir: TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PgCluster {
    /// Creates and starts a cluster, or `None` when PostgreSQL's programs are not installed.
    pub fn start() -> Option<PgCluster> {
        let bin = environment::postgres_server_binaries()?;
        let dir = TempDir::new().expect("temp dir");
        // Files this process makes are owned by its user: uid 0 means root.
        let as_postgres = dir.path().metadata().expect("temp dir").uid() == 0;
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()));
        }
        let port = free_port();
        let cluster = PgCluster {
            dir,
            bin,
            port,
            as_postgres,
        };
        cluster.pg(
            "initdb",
            &["-A", "trust", "-U", "postgres", "--no-sync", "-D"],
            &[DATA],
        );
        cluster.resume();
        Some(cluster)
    }

    /// The URL the app connects with.
    pub fn url(&self) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?sslmode=disable",
            self.port
        )
    }

    /// Stops the server the way an operator's restart does (`pg_ctl stop -m fast`): sessions
    /// are ended and the port refuses connections.
    pub fn stop(&self) {
        self.pg_ctl(&["stop", "-m", "fast", "-w"]);
    }

    /// Starts the stopped server again on the same port, and waits until it accepts sessions.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        let log = log.to_str().expect("utf-8 path");
        self.pg_ctl(&["start", "-w", "-l", log, "-o", &options]);
    }

    fn pg_ctl(&self, args: &[&str]) {
        self.pg("pg_ctl", &["-D", DATA], args);
    }

    /// Runs PostgreSQL's `program` in the cluster's directory, as `postgres` when this is root.
    fn pg(&self, program: &str, first: &[&str], rest: &[&str]) {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        command.args(first).args(rest).current_dir(self.dir.path());
        run(&mut command);
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.dir.path().join("data/postmaster.pid").exists() {
            self.pg_ctl(&["stop", "-m", "immediate", "-w"]);
        }
    }
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a PostgreSQL program");
    assert!(
        output.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}
