//! Reloads and signals of `csp-policy serve`: SIGHUP and file changes reload the
//! policy while requests keep flowing (none fails, each is decided wholly by the old
//! or the new policy); a broken policy is refused (diagnostics on standard error, in
//! `/health` and `/metrics`) and the old one keeps serving; SIGTERM stops accepting,
//! finishes the requests in flight, flushes the log and exits 0.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::*;

const OLD: &str = "No rule permits exchange for a partner with the roles: admin_agent.";
const NEW: &str = "Nothing permits exchange for a partner with the roles: admin_agent.";

/// Clients sending `DENY` until stopped; every answer must be a 200 deny whose message
/// is the old policy's or the new one's.
struct Load {
    stop: Arc<AtomicBool>,
    failures: Arc<Mutex<Vec<String>>>,
    old: Arc<AtomicUsize>,
    new: Arc<AtomicUsize>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(server: &Server) -> Load {
        let load = Load {
            stop: Arc::new(AtomicBool::new(false)),
            failures: Arc::new(Mutex::new(Vec::new())),
            old: Arc::new(AtomicUsize::new(0)),
            new: Arc::new(AtomicUsize::new(0)),
            threads: Vec::new(),
        };
        let mut load = load;
        for n in 0..4 {
            let url = server.url("/v1/decide");
            let (stop, failures, old, new) = (
                load.stop.clone(),
                load.failures.clone(),
                load.old.clone(),
                load.new.clone(),
            );
            load.threads.push(std::thread::spawn(move || {
                let agent = agent();
                while !stop.load(Ordering::SeqCst) {
                    let (content_type, body) = if n == 0 {
                        ("application/x-ndjson", format!("{DENY}\n{DENY}\n"))
                    } else {
                        ("application/json", DENY.to_string())
                    };
                    let result = agent
                        .post(&url)
                        .header("Content-Type", content_type)
                        .send(&body);
                    let text = match result {
                        Ok(mut r) if r.status() == 200 => r.body_mut().read_to_string(),
                        Ok(r) => {
                            failures
                                .lock()
                                .unwrap()
                                .push(format!("status {}", r.status()));
                            continue;
                        }
                        Err(e) => {
                            failures.lock().unwrap().push(e.to_string());
                            continue;
                        }
                    };
                    match text {
                        Ok(text) => {
                            for line in text.lines() {
                                if line.contains(OLD) {
                                    old.fetch_add(1, Ordering::SeqCst);
                                } else if line.contains(NEW) {
                                    new.fetch_add(1, Ordering::SeqCst);
                                } else {
                                    failures.lock().unwrap().push(line.to_string());
                                }
                            }
                        }
                        Err(e) => failures.lock().unwrap().push(e.to_string()),
                    }
                }
            }));
        }
        load
    }

    /// Waits until `counter` moved past what it is now by `more`.
    fn wait_for_more(counter: &AtomicUsize, more: usize) {
        let target = counter.load(Ordering::SeqCst) + more;
        let started = Instant::now();
        while counter.load(Ordering::SeqCst) < target {
            assert!(started.elapsed() < Duration::from_secs(20), "no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
        let failures = self.failures.lock().unwrap().clone();
        failures
    }
}

fn revision(server: &Server) -> String {
    json(&get(&server.url("/v1/policy"), None).body)["revision"]
        .as_str()
        .unwrap()
        .to_string()
}

fn edit(dir: &std::path::Path, from: &str, to: &str) {
    let file = dir.join("01-vocabulary.policy");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(from));
    // Written whole to a temporary file and renamed over, as editors save.
    let temporary = dir.join(".01-vocabulary.policy.tmp");
    std::fs::write(&temporary, text.replace(from, to)).unwrap();
    std::fs::rename(&temporary, &file).unwrap();
}

#[test]
fn sighup_reloads_while_requests_flow_and_none_fails() {
    let dir = policy_copy();
    let server = Server::start(&["--no-watch", "--policy", dir.path().to_str().unwrap()]);
    let before = revision(&server);
    let load = Load::start(&server);
    Load::wait_for_more(&load.old, 200);
    edit(dir.path(), "No rule permits", "Nothing permits");
    std::thread::sleep(Duration::from_millis(300));
    // Not watched: still the old policy.
    assert_eq!(revision(&server), before);
    server.signal("HUP");
    server.wait_for_stderr("SIGHUP: reloaded the policy");
    Load::wait_for_more(&load.new, 200);
    let (old, new) = (load.old.clone(), load.new.clone());
    let failures = load.stop();
    assert!(
        failures.is_empty(),
        "{} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(old.load(Ordering::SeqCst) >= 200 && new.load(Ordering::SeqCst) >= 200);
    assert_ne!(revision(&server), before);
    let metrics = get(&server.url("/metrics"), None).body;
    assert!(
        metrics.contains("csp_policy_policy_reloads_total 1"),
        "{metrics}"
    );
    // A SIGHUP with nothing changed keeps the policy (and says so).
    server.signal("HUP");
    server.wait_for_stderr("SIGHUP: the policy is unchanged");
}

#[test]
fn a_file_change_reloads_while_requests_flow() {
    let dir = policy_copy();
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let before = revision(&server);
    let load = Load::start(&server);
    Load::wait_for_more(&load.old, 200);
    edit(dir.path(), "No rule permits", "Nothing permits");
    server.wait_for_stderr("file change: reloaded the policy");
    Load::wait_for_more(&load.new, 200);
    let failures = load.stop();
    assert!(failures.is_empty(), "{failures:?}");
    assert_ne!(revision(&server), before);
}

#[test]
fn a_broken_policy_is_refused_and_the_old_one_keeps_serving() {
    let dir = policy_copy();
    let server = Server::start(&["--policy", dir.path().to_str().unwrap()]);
    let before = revision(&server);
    let load = Load::start(&server);
    Load::wait_for_more(&load.old, 100);
    edit(
        dir.path(),
        "otherwise deny because",
        "otherwise deny becuse",
    );
    server.wait_for_stderr("file change: the new policy is refused");
    server.signal("HUP");
    server.wait_for_stderr("SIGHUP: the new policy is refused");
    Load::wait_for_more(&load.old, 100);
    let new = load.new.clone();
    let failures = load.stop();
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(new.load(Ordering::SeqCst), 0);
    assert_eq!(revision(&server), before);
    let stderr = server.stderr.lock().unwrap().clone();
    assert!(stderr.contains("01-vocabulary.policy:33:"), "{stderr}");
    let health = get(&server.url("/health"), None);
    assert_eq!(health.status, 200);
    let health = json(&health.body);
    assert_eq!(health["revision"], before.as_str());
    let refused = &health["refused_reload"];
    // The last refusal: the SIGHUP's, unless the watcher saw the save once more after it
    // (an editor's save may be seen as more than one change; seen once under load).
    let trigger = refused["trigger"].as_str().unwrap_or_default();
    assert!(["SIGHUP", "file change"].contains(&trigger), "{refused}");
    let diagnostic = &refused["diagnostics"][0];
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["line"], 33);
    assert!(diagnostic["file"]
        .as_str()
        .unwrap()
        .ends_with("01-vocabulary.policy"));
    let metrics = get(&server.url("/metrics"), None).body;
    // One refusal per SIGHUP, and at least one for the file change (an editor's save
    // may be seen as more than one change).
    let refused: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("csp_policy_policy_reloads_refused_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(refused >= 2, "{metrics}");
    assert!(
        metrics.contains("csp_policy_policy_reloads_total 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("csp_policy_policy_last_reload_ok 0"),
        "{metrics}"
    );
    // Fixed: the next reload takes effect and clears the refusal.
    edit(
        dir.path(),
        "otherwise deny becuse",
        "otherwise deny because",
    );
    server.wait_for_stderr("file change: the policy is unchanged");
    assert!(json(&get(&server.url("/health"), None).body)["refused_reload"].is_null());
}

/// SIGTERM in the middle of a stream: the stream still gets every decision, new
/// connections are refused, every decision is in the log, and the exit is 0.
#[test]
fn sigterm_drains_requests_in_flight_flushes_the_log_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let mut server = Server::start(&["--decision-log", db.to_str().unwrap()]);
    let addr = server.base.strip_prefix("http://").unwrap().to_string();
    let mut stream = NdjsonStream::open(&server.base);
    let mut ids = Vec::new();
    stream.send(ALLOW);
    ids.push(split_id(stream.answer().trim_end()).1);
    server.signal("TERM");
    server.wait_for_stderr("stopping");
    // New connections are refused (the listener is closed)...
    let started = Instant::now();
    while std::net::TcpStream::connect(&addr).is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "still accepting"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // ... while the stream in flight goes on to its end.
    for request in [DENY, ALLOW] {
        stream.send(request);
        ids.push(split_id(stream.answer().trim_end()).1);
    }
    stream.end();
    let status = server.wait(Duration::from_secs(20));
    assert_eq!(status.code(), Some(0));
    assert!(server
        .stderr
        .lock()
        .unwrap()
        .contains("the decision log is flushed"));
    let output = run(&["log", "--decision-log", db.to_str().unwrap()]);
    let logged: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| json(l)["decision_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(logged, ids);
}

#[test]
fn sigterm_on_an_idle_server_exits_0_at_once() {
    let mut server = Server::start(&[]);
    // An idle keep-alive connection does not hold the stop.
    let _idle = std::net::TcpStream::connect(server.base.strip_prefix("http://").unwrap()).unwrap();
    let started = Instant::now();
    server.signal("TERM");
    assert_eq!(server.wait(Duration::from_secs(20)).code(), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
