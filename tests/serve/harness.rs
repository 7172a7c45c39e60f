//! The server under test: the real binary, `csp-policy serve` on a free loopback port
//! (port 0; the port is read from its first line on standard error), an HTTP client
//! (ureq, loopback only), signals by `kill`, and `eval`/`log` for comparison.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `--now` of these tests.
pub const NOW: &str = "2026-11-25T12:00:00Z";

/// One request the default policy allows.
pub const ALLOW: &str = r#"{"action":"purchase","actor":{"id":"ops@partner.example","kind":"partner","roles":["admin_agent"]},"customer":{"market":"KR"},"product":{"category":"server_subscription"}}"#;

/// One request the default policy denies (no rule permits it).
pub const DENY: &str = r#"{"action":"exchange","actor":{"id":"ops@partner.example","kind":"partner","roles":["admin_agent"]},"product":{"category":"server_subscription"}}"#;

/// The built binary.
pub fn exe() -> &'static str {
    env!("CARGO_BIN_EXE_csp-policy")
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running server.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it wrote on standard error after its first line.
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    /// `csp-policy serve --listen 127.0.0.1:0 --now NOW ARGS...`, once it listens.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(exe())
            .args(["serve", "--listen", "127.0.0.1:0", "--now", NOW])
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut first = String::new();
        stderr.read_line(&mut first).expect("a line on stderr");
        let base = match first.trim().strip_prefix("csp-policy serve: listening on ") {
            Some(base) => base.to_string(),
            None => {
                let mut rest = String::new();
                let _ = stderr.read_to_string(&mut rest);
                let _ = child.kill();
                panic!("the server did not start: {first}{rest}");
            }
        };
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            while stderr.read_line(&mut line).unwrap_or(0) > 0 {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        Server {
            child,
            base,
            stderr: log,
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a signal (`HUP`, `TERM`, `KILL`).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                started.elapsed() < limit,
                "the server did not exit in {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until standard error holds `text`, at most 10 s.
    pub fn wait_for_stderr(&self, text: &str) {
        let started = Instant::now();
        while !self.stderr.lock().unwrap().contains(text) {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "stderr never said {text:?}: {}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that reports every status as a response.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A response: status, content type and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

fn reply(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response
        .body_mut()
        .with_config()
        .limit(1 << 30)
        .read_to_string()
        .unwrap();
    Reply {
        status,
        content_type,
        body,
        headers,
    }
}

/// POSTs `body` with `content_type` (and a token, if given).
pub fn post(url: &str, content_type: &str, body: &str, token: Option<&str>) -> Reply {
    let mut request = agent().post(url).header("Content-Type", content_type);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    reply(request.send(body).expect("the request is sent"))
}

/// GETs `url`.
pub fn get(url: &str, token: Option<&str>) -> Reply {
    let mut request = agent().get(url);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    reply(request.call().expect("the request is sent"))
}

/// The answer line without its `,"decision_id":"…"` member, and the id.
pub fn split_id(line: &str) -> (String, String) {
    let start = line
        .rfind(",\"decision_id\":\"")
        .unwrap_or_else(|| panic!("no decision_id in {line}"));
    let id = line[start + 16..]
        .trim_end()
        .strip_suffix("\"}")
        .unwrap_or_else(|| panic!("the id is not last in {line}"))
        .to_string();
    (format!("{}}}", &line[..start]), id)
}

/// `csp-policy ARGS` run to the end.
pub fn run(args: &[&str]) -> Output {
    Command::new(exe())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// `csp-policy log --decision-log TARGET ARGS...` (exit 0 required): its entries as
/// JSON values, and its standard error.
pub fn log_with_stderr(
    target: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
) -> (Vec<serde_json::Value>, String) {
    let output = Command::new(exe())
        .arg("log")
        .arg("--decision-log")
        .arg(target)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let entries = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(json)
        .collect();
    (entries, stderr)
}

/// `csp-policy log --decision-log TARGET ARGS...`'s entries as JSON values.
pub fn log_entries(target: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Vec<serde_json::Value> {
    log_with_stderr(target, args).0
}

/// `csp-policy eval --now NOW ARGS... FILE`'s standard output.
pub fn eval(file: &Path, args: &[&str]) -> String {
    let output = Command::new(exe())
        .args(["eval", "--now", NOW])
        .args(args)
        .arg(file)
        .output()
        .expect("eval runs");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Sends raw bytes on a new connection and returns what comes back until the server
/// closes or `limit` passes.
pub fn raw(base: &str, bytes: &[u8], limit: Duration) -> String {
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(limit)).unwrap();
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A copy of the default policy's files in a new temporary folder.
pub fn policy_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("policies/csp-software")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "policy") {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// The JSON of a response body.
pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A chunked NDJSON stream to `/v1/decide` on its own connection, written a line at a
/// time, its answers read as they come.
pub struct NdjsonStream {
    /// The connection, for writing.
    pub stream: std::net::TcpStream,
    reader: BufReader<std::net::TcpStream>,
}

impl NdjsonStream {
    /// Opens the connection and sends the head (answers wait 10 s at most).
    pub fn open(base: &str) -> NdjsonStream {
        let addr = base.strip_prefix("http://").unwrap();
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        NdjsonStream { stream, reader }
    }

    /// Sends `line` (and its newline) as one chunk.
    pub fn send(&mut self, line: &str) {
        let line = format!("{line}\n");
        write!(self.stream, "{:x}\r\n{line}\r\n", line.len()).unwrap();
        self.stream.flush().unwrap();
    }

    /// The next decision line (past the head and chunk sizes).
    pub fn answer(&mut self) -> String {
        loop {
            let mut text = String::new();
            assert!(
                self.reader.read_line(&mut text).unwrap() > 0,
                "the stream ended early"
            );
            if text.starts_with("{\"decision\"") {
                return text;
            }
        }
    }

    /// Ends the stream (the last, empty chunk).
    pub fn end(&mut self) {
        write!(self.stream, "0\r\n\r\n").unwrap();
    }
}

/// Clients sending decisions to a server as fast as they can (single requests and
/// NDJSON streams) until stopped; the id of every whole answer they receive is kept.
pub struct Clients {
    answered: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
    clients: Vec<std::thread::JoinHandle<()>>,
}

impl Clients {
    /// Six clients against `server`'s `/v1/decide`; a client stops at its first error
    /// (the server gone, a status other than 200).
    pub fn start(server: &Server) -> Clients {
        let answered = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let clients = (0..6)
            .map(|n| {
                let (url, answered, stop) =
                    (server.url("/v1/decide"), answered.clone(), stop.clone());
                std::thread::spawn(move || client(n, &url, &answered, &stop))
            })
            .collect();
        Clients {
            answered,
            stop,
            clients,
        }
    }

    /// How many answers the clients have received so far.
    pub fn count(&self) -> usize {
        self.answered.lock().unwrap().len()
    }

    /// Waits until the clients have received `count` answers (at most 60 s).
    pub fn wait_for(&self, count: usize) {
        let started = Instant::now();
        while self.count() < count {
            assert!(started.elapsed() < Duration::from_secs(60), "too slow");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the clients and returns the ids of every answer they received.
    pub fn stop(self) -> Vec<String> {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        for client in self.clients {
            client.join().unwrap();
        }
        let answered = self.answered.lock().unwrap().clone();
        answered
    }
}

/// One client of [`Clients`]: every third sends a three-line NDJSON stream, the others a
/// single JSON request; only whole answer lines count as answered.
fn client(
    n: usize,
    url: &str,
    answered: &Mutex<Vec<String>>,
    stop: &std::sync::atomic::AtomicBool,
) {
    let agent = agent();
    while !stop.load(std::sync::atomic::Ordering::SeqCst) {
        let (content_type, body) = if n.is_multiple_of(3) {
            (
                "application/x-ndjson",
                format!("{ALLOW}\n{DENY}\n{ALLOW}\n"),
            )
        } else {
            ("application/json", ALLOW.to_string())
        };
        let Ok(mut response) = agent
            .post(url)
            .header("Content-Type", content_type)
            .send(&body)
        else {
            break; // the server is gone
        };
        let Ok(text) = response.body_mut().read_to_string() else {
            break;
        };
        if response.status() != 200 {
            break;
        }
        let mut answered = answered.lock().unwrap();
        for line in text.split_inclusive('\n') {
            if line.ends_with('\n') || content_type == "application/json" {
                answered.push(split_id(line.trim_end()).1);
            }
        }
    }
}

/// Every id of `answered` is in the log at `target` (the message counts those missing).
pub fn assert_all_logged(target: impl AsRef<std::ffi::OsStr>, answered: &[String]) {
    let logged: std::collections::HashSet<String> = log_entries(target, &[])
        .iter()
        .map(|e| e["decision_id"].as_str().unwrap().to_string())
        .collect();
    let missing = answered.iter().filter(|id| !logged.contains(*id)).count();
    assert_eq!(
        missing,
        0,
        "{missing} of {} answered decisions are not in the log",
        answered.len()
    );
}
