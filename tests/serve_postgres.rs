//! The PostgreSQL decision log (`--decision-log postgres://...`), against a real server
//! the tests start (`common/postgres.rs`): `serve` logs every answered decision and `log`
//! reads them with its filters; two servers write one log; `kill -9` under load loses no
//! answered decision; a lost connection and a restarted PostgreSQL make decisions wait,
//! never answered unlogged; masks; `eval --decision-log`; the password is never printed.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

#[path = "common/postgres.rs"]
mod pg;

use std::collections::HashSet;
use std::time::Duration;

use harness::*;
use pg::{Postgres, PASSWORD};

/// `csp-policy log --decision-log URL ARGS...`'s entries; the password never printed.
fn log_entries(url: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let (entries, stderr) = log_with_stderr(url, args);
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    entries
}

fn logged_ids(url: &str) -> HashSet<String> {
    log_entries(url, &[])
        .iter()
        .map(|e| e["decision_id"].as_str().unwrap().to_string())
        .collect()
}

/// A request the default policy allows, by `actor`.
fn allow_by(actor: &str) -> String {
    ALLOW.replace("ops@partner.example", actor)
}

#[test]
fn decisions_are_logged_in_postgres_and_read_back_with_filters() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let server = Server::start(&["--decision-log", &url]);
    let allow = post(
        &server.url("/v1/decide"),
        "application/json",
        &allow_by("ann@x"),
        None,
    );
    let deny = post(
        &server.url("/v1/decide"),
        "application/yaml",
        "action: exchange\nactor: {id: bob@x, kind: partner, roles: [admin_agent]}\n",
        None,
    );
    let stream = post(
        &server.url("/v1/decide"),
        "application/x-ndjson",
        &format!("{}\n{DENY}\n", allow_by("bob@x")),
        None,
    );
    // PostgreSQL text cannot hold NUL: such a request is still answered and logged.
    let nul = post(
        &server.url("/v1/decide"),
        "application/json",
        "{\"action\":\"purchase\u{0}\"}",
        None,
    );
    assert_eq!(nul.status, 200, "{}", nul.body);
    let mut answers: Vec<String> = vec![allow.body, deny.body];
    answers.extend(stream.body.lines().map(str::to_string));
    answers.push(nul.body);
    let entries = log_entries(&url, &[]);
    assert_eq!(entries.len(), 5);
    for (entry, answer) in entries.iter().zip(&answers) {
        let (decision, id) = split_id(answer.trim_end());
        assert_eq!(entry["decision_id"], id.as_str());
        assert_eq!(entry["decision"], json(&decision));
    }
    assert_eq!(entries[0]["request"], json(&allow_by("ann@x")));
    assert_eq!(entries[1]["request_format"], "yaml");
    // The filters, the same as on an SQLite log.
    assert_eq!(log_entries(&url, &["--decision", "allow"]).len(), 2);
    assert_eq!(log_entries(&url, &["--decision", "deny"]).len(), 3);
    assert_eq!(log_entries(&url, &["--action", "exchange"]).len(), 2);
    assert_eq!(log_entries(&url, &["--actor", "bob@x"]).len(), 2);
    assert_eq!(
        log_entries(&url, &["--actor", "ann@x", "--actor", "bob@x"]).len(),
        3
    );
    assert_eq!(
        log_entries(&url, &["--actor", "bob@x", "--decision", "deny"]).len(),
        1
    );
    assert_eq!(log_entries(&url, &["--actor", "nobody@x"]).len(), 0);
    assert_eq!(
        log_entries(&url, &["--from", "2999-01-01T00:00:00Z"]).len(),
        0
    );
    let first = entries[1]["time"].as_str().unwrap();
    assert_eq!(log_entries(&url, &["--from", first]).len(), 4);
    assert_eq!(log_entries(&url, &["--to", first]).len(), 2);
    // The password is never printed.
    for path in ["/health", "/v1/policy", "/metrics"] {
        assert!(
            !get(&server.url(path), None).body.contains(PASSWORD),
            "{path}"
        );
    }
    let mut server = server;
    server.signal("TERM");
    assert!(server.wait(Duration::from_secs(10)).success());
    assert!(!server.stderr.lock().unwrap().contains(PASSWORD));
}

/// Two servers started at once on one new database (the schema is created under an
/// advisory lock), both writing: every decision of both is in the one log.
#[test]
fn two_servers_write_one_log() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let servers: Vec<Server> = {
        let starting: Vec<_> = (0..2)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || Server::start(&["--decision-log", &url]))
            })
            .collect();
        starting.into_iter().map(|s| s.join().unwrap()).collect()
    };
    let mut ids = HashSet::new();
    let clients: Vec<_> = servers
        .iter()
        .map(|server| {
            let url = server.url("/v1/decide");
            std::thread::spawn(move || {
                (0..40)
                    .map(|n| {
                        let body = if n % 2 == 0 { ALLOW } else { DENY };
                        let reply = post(&url, "application/json", body, None);
                        assert_eq!(reply.status, 200, "{}", reply.body);
                        split_id(reply.body.trim_end()).1
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for client in clients {
        ids.extend(client.join().unwrap());
    }
    assert_eq!(ids.len(), 80);
    assert_eq!(logged_ids(&url), ids);
}

/// Clients sending as fast as they can to a server writing to PostgreSQL, then
/// `kill -9`: every decision a client received is in the log.
#[test]
fn after_kill_9_under_load_every_answered_decision_is_in_postgres() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let server = Server::start(&["--decision-log", &url]);
    let clients = Clients::start(&server);
    clients.wait_for(300);
    let mut server = server;
    server.signal("KILL");
    server.wait(Duration::from_secs(10));
    let answered = clients.stop();
    assert!(answered.len() >= 300);
    assert_all_logged(&url, &answered);
}

/// The writer's connection is cut under load (`pg_terminate_backend`), then PostgreSQL
/// itself is stopped and started again: the server reconnects, decisions wait while the
/// log is unreachable (none is answered unlogged), and every answered one is logged.
#[test]
fn a_lost_connection_makes_decisions_wait_and_loses_none() {
    let Some(mut pg) = Postgres::start() else {
        return;
    };
    let url = pg.url();
    let server = Server::start(&["--decision-log", &url]);
    let clients = Clients::start(&server);
    clients.wait_for(100);
    let terminated: i64 = pg
        .client()
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'csp-policy'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(terminated >= 1);
    clients.wait_for(clients.count() + 100);
    let mut answered = clients.stop();
    // PostgreSQL goes away: a decision waits for it rather than being answered unlogged.
    pg.stop();
    let waiting = {
        let url = server.url("/v1/decide");
        std::thread::spawn(move || post(&url, "application/json", ALLOW, None))
    };
    std::thread::sleep(Duration::from_secs(2));
    assert!(!waiting.is_finished(), "answered while the log was down");
    pg.restart();
    let reply = waiting.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    answered.push(split_id(reply.body.trim_end()).1);
    assert_all_logged(&url, &answered);
    let stderr = server.stderr.lock().unwrap().clone();
    assert!(stderr.contains("reachable again"), "{stderr}");
    assert!(stderr.contains("postgres://csp:***@127.0.0.1"), "{stderr}");
    assert!(!stderr.contains(PASSWORD), "{stderr}");
}

/// A log that cannot be reached or logged into: the server does not start, and says why
/// without the password.
#[test]
fn a_server_whose_log_cannot_be_reached_does_not_start() {
    let Some(pg) = Postgres::start() else { return };
    let wrong = pg.url().replace(PASSWORD, "wrong-password");
    let unreachable = format!("postgres://csp:{PASSWORD}@127.0.0.1:1/postgres");
    for url in [&wrong, &unreachable] {
        let output = run(&["serve", "--listen", "127.0.0.1:0", "--decision-log", url]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("cannot connect to the decision log postgres://csp:***@127.0.0.1:"),
            "{stderr}"
        );
        assert!(
            !stderr.contains(PASSWORD) && !stderr.contains("wrong-password"),
            "{stderr}"
        );
        let output = run(&["log", "--decision-log", url]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            !stderr.contains(PASSWORD) && !stderr.contains("wrong-password"),
            "{stderr}"
        );
    }
}

/// `--log-mask actor.id`: the id is in no column of the log, and `--actor` cannot find
/// the entry.
#[test]
fn a_masked_actor_is_not_in_postgres() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let server = Server::start(&["--decision-log", &url, "--log-mask", "actor.id"]);
    let reply = post(
        &server.url("/v1/decide"),
        "application/json",
        &allow_by("secret@x"),
        None,
    );
    assert_eq!(reply.status, 200);
    let entries = log_entries(&url, &[]);
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].to_string().contains("secret@x"));
    assert!(log_entries(&url, &["--actor", "secret@x"]).is_empty());
    let rows = pg
        .client()
        .query("SELECT decisions::text FROM decisions", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row: String = rows[0].get(0);
    assert!(!row.contains("secret@x"), "{row}");
}

/// `eval --decision-log postgres://...`: each decision logged; the output unchanged.
#[test]
fn eval_logs_its_decisions_in_postgres() {
    let Some(pg) = Postgres::start() else { return };
    let url = pg.url();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("requests.jsonl");
    std::fs::write(&input, format!("{ALLOW}\n{DENY}\n{}\n", allow_by("ann@x"))).unwrap();
    let plain = eval(&input, &[]);
    let logged = eval(&input, &["--decision-log", &url]);
    assert_eq!(plain, logged);
    let entries = log_entries(&url, &[]);
    assert_eq!(entries.len(), 3);
    for (entry, line) in entries.iter().zip(plain.lines()) {
        assert_eq!(entry["decision"], json(line));
    }
    assert_eq!(log_entries(&url, &["--actor", "ann@x"]).len(), 1);
}
