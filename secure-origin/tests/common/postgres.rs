//! A real PostgreSQL for a test: Debian's server binaries, a fresh cluster in a temporary
//! folder (`initdb` as the `postgres` user when the tests run as root, as `initdb` refuses
//! root), on a spare loopback port, stopped when dropped. Never the machine's own cluster.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL cluster of one test.
pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
}

/// The newest installed server's `bin` folder (`/usr/lib/postgresql/<version>/bin`).
fn server_bin() -> PathBuf {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin).expect(
        "PostgreSQL's server is not installed (Debian's postgresql; ./dev test installs it)",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// `program` as the cluster's owner.
fn owner_command(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Runs `program` with `args` as the cluster's owner.
fn as_owner(program: &Path, args: &[&str]) -> std::process::Output {
    let output = owner_command(program)
        .args(args)
        .output()
        .expect("run a PostgreSQL tool");
    assert!(
        output.status.success(),
        "{} {args:?}: {}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// `initdb`, then `pg_ctl start` on a spare port; waits until it takes connections.
    pub fn start() -> Cluster {
        let bin = server_bin();
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let chown = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chown.success(), "chown the cluster's folder to postgres");
        }
        let data = dir.path().join("db");
        let data = data.to_str().unwrap();
        as_owner(
            &bin.join("initdb"),
            &["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.path().display()
        );
        let log = dir.path().join("log");
        as_owner(
            &bin.join("pg_ctl"),
            &[
                "-D",
                data,
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
        Cluster { dir, bin, port }
    }

    /// The URL of a new, empty database `name` in the cluster.
    pub fn database(&self, name: &str) -> String {
        as_owner(
            &self.bin.join("createdb"),
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                name,
            ],
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = owner_command(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.dir.path().join("db"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
