//! A real PostgreSQL server for the tests of the PostgreSQL decision log: a new cluster
//! in a temporary directory (`initdb`), `postgres` on a free loopback port with its unix
//! socket in that directory, password authentication (SCRAM) for the user `csp`, and a
//! fast shutdown when the value is dropped.
//!
//! The binaries are Debian's (`postgresql` package: `/usr/lib/postgresql/N/bin`), or
//! `pg_config --bindir`, or `$PG_BIN`. PostgreSQL refuses to run as root: when the
//! tests do, the cluster is made and run as the user `postgres` (or `nobody`). Without
//! any PostgreSQL binaries [`Postgres::start`] returns `None` and says so: CI installs
//! the package (`.ci/run`), so it never skips there.
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The password of the user `csp` (the tests check that it is never printed).
pub const PASSWORD: &str = "pw-Zq7-never-printed";

/// A running PostgreSQL server (stopped on drop).
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    owner: Option<(u32, u32)>,
    child: Option<Child>,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

impl Postgres {
    /// A new cluster, started; `None` (with a message) only when no PostgreSQL binaries
    /// are installed.
    pub fn start() -> Option<Postgres> {
        let Some(bin) = binaries() else {
            eprintln!(
                "SKIPPED: no PostgreSQL binaries (initdb, postgres) were found: install Debian's \
                 `postgresql` package or set PG_BIN; .ci/run installs it"
            );
            return None;
        };
        let dir = tempfile::tempdir().expect("a temporary directory");
        let owner = if id(&["-u"]) == 0 {
            Some(
                ["postgres", "nobody"]
                    .iter()
                    .find_map(|user| Some((id_of(&["-u", user])?, id_of(&["-g", user])?)))
                    .expect("a user postgres or nobody to run PostgreSQL as (it refuses root)"),
            )
        } else {
            None
        };
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
        }
        let pwfile = dir.path().join("pw");
        std::fs::write(&pwfile, PASSWORD).unwrap();
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(dir.path().join("data"))
            .args([
                "-U",
                "csp",
                "--auth=scram-sha-256",
                "--no-locale",
                "-E",
                "UTF8",
                "-N",
            ])
            .arg(format!("--pwfile={}", pwfile.display()))
            .current_dir(dir.path());
        let output = as_owner(&mut initdb, owner).output().expect("initdb runs");
        assert!(
            output.status.success(),
            "initdb failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let mut pg = Postgres {
            dir,
            bin,
            owner,
            child: None,
            port: 0,
        };
        pg.launch(None);
        Some(pg)
    }

    /// Starts `postgres` (on `port`, or a free one) and waits until it accepts logins.
    fn launch(&mut self, port: Option<u16>) {
        for attempt in 0..5 {
            let port = port.unwrap_or_else(free_port);
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.dir.path().join("server.log"))
                .unwrap();
            if let Some((uid, gid)) = self.owner {
                std::os::unix::fs::chown(self.dir.path().join("server.log"), Some(uid), Some(gid))
                    .unwrap();
            }
            let mut command = Command::new(self.bin.join("postgres"));
            command
                .arg("-D")
                .arg(self.dir.path().join("data"))
                .arg("-p")
                .arg(port.to_string())
                .arg("-k")
                .arg(self.dir.path())
                .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
                .args(["-c", "max_connections=40", "-c", "shared_buffers=16MB"])
                .current_dir(self.dir.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log);
            let child = as_owner(&mut command, self.owner)
                .spawn()
                .expect("postgres starts");
            self.child = Some(child);
            self.port = port;
            if self.wait_ready() {
                return;
            }
            self.kill();
            // The port may have been taken between choosing and binding it: another one.
            assert!(attempt < 4, "postgres did not start: {}", self.server_log());
        }
    }

    /// Waits until a login works (true), or the process exits (false).
    fn wait_ready(&mut self) -> bool {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(child) = self.child.as_mut() {
                if child.try_wait().unwrap().is_some() {
                    return false;
                }
            }
            if postgres::Client::connect(&self.url(), postgres::NoTls).is_ok() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "postgres did not accept logins in 60 s: {}",
            self.server_log()
        );
    }

    /// `postgres://csp:PASSWORD@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://csp:{PASSWORD}@127.0.0.1:{}/postgres", self.port)
    }

    /// A client for checking what the log holds.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).expect("a test connection")
    }

    /// What the server wrote to its log.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// Stops the server (fast shutdown: clients are disconnected), keeping its data.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            let started = Instant::now();
            while child.try_wait().ok().flatten().is_none() {
                if started.elapsed() > Duration::from_secs(20) {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Starts the stopped server again on the same port, with the same data.
    pub fn restart(&mut self) {
        let port = self.port;
        self.launch(Some(port));
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `command` as `owner` when given (the tests run as root).
fn as_owner(command: &mut Command, owner: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = owner {
        command
            .uid(uid)
            .gid(gid)
            .env("HOME", "/tmp")
            .env_remove("PGDATA");
    }
    command
}

/// `id ARGS` as a number.
fn id_of(args: &[&str]) -> Option<u32> {
    let output = Command::new("id").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()?.trim().parse().ok()
}

fn id(args: &[&str]) -> u32 {
    id_of(args).expect("id runs")
}

/// The folder holding `initdb` and `postgres`.
fn binaries() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let output = Command::new("pg_config").arg("--bindir").output().ok()?;
    let dir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    has(&dir).then_some(dir)
}
