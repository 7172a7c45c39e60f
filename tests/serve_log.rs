//! The decision log of `csp-policy serve --decision-log` (SQLite) and `csp-policy log`:
//! every answered decision is in the log with its id, time, revision, request and
//! decision; masks remove fields; the filters; and durability: after `kill -9` under
//! load, every decision that was answered is in the log.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use std::time::Duration;

use harness::*;

#[test]
fn every_answered_decision_is_logged_with_its_id_revision_request_and_decision() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let server = Server::start(&["--decision-log", db.to_str().unwrap()]);
    let allow = post(&server.url("/v1/decide"), "application/json", ALLOW, None);
    let deny = post(
        &server.url("/v1/decide"),
        "application/yaml",
        "action: exchange\nactor: {kind: partner, roles: [admin_agent]}\n",
        None,
    );
    let stream = post(
        &server.url("/v1/decide"),
        "application/x-ndjson",
        &format!("{ALLOW}\n{DENY}\n"),
        None,
    );
    let opa = post(
        &server.url("/v1/data/csp/decision"),
        "application/json",
        &format!("{{\"input\":{DENY}}}"),
        None,
    );
    let mut answers: Vec<String> = vec![allow.body, deny.body];
    answers.extend(stream.body.lines().map(str::to_string));
    let revision = json(&get(&server.url("/health"), None).body)["revision"]
        .as_str()
        .unwrap()
        .to_string();
    let entries = log_entries(&db, &[]);
    assert_eq!(entries.len(), 5);
    for (entry, answer) in entries.iter().zip(&answers) {
        let (decision, id) = split_id(answer.trim_end());
        assert_eq!(entry["decision_id"], id.as_str());
        assert_eq!(entry["revision"], revision.as_str());
        assert_eq!(entry["decision"], json(&decision));
        assert!(entry["time"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(entries[0]["request"], json(ALLOW));
    assert_eq!(entries[0]["request_format"], "json");
    assert_eq!(
        entries[1]["request"],
        "action: exchange\nactor: {kind: partner, roles: [admin_agent]}\n"
    );
    assert_eq!(entries[1]["request_format"], "yaml");
    assert_eq!(entries[4]["decision_id"], json(&opa.body)["decision_id"]);
    assert_eq!(entries[4]["request"], json(DENY));
    // Filters.
    assert_eq!(log_entries(&db, &["--decision", "allow"]).len(), 2);
    assert_eq!(log_entries(&db, &["--decision", "deny"]).len(), 3);
    assert_eq!(log_entries(&db, &["--action", "exchange"]).len(), 3);
    assert_eq!(
        log_entries(&db, &["--action", "exchange", "--action", "purchase"]).len(),
        5
    );
    assert_eq!(
        log_entries(&db, &["--from", "2999-01-01T00:00:00Z"]).len(),
        0
    );
    assert_eq!(log_entries(&db, &["--to", "2000-01-01T00:00:00Z"]).len(), 0);
    let first = entries[0]["time"].as_str().unwrap();
    assert_eq!(log_entries(&db, &["--from", first]).len(), 5);
    // Text.
    let text = run(&[
        "log",
        "--decision-log",
        db.to_str().unwrap(),
        "--format",
        "text",
    ]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(
        text.lines().next().unwrap().contains("ALLOW purchase"),
        "{text}"
    );
}

#[test]
fn masked_fields_are_not_logged_and_yaml_under_a_mask_is_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let server = Server::start(&[
        "--decision-log",
        db.to_str().unwrap(),
        "--log-mask",
        "actor.id",
        "--log-mask",
        "customer",
    ]);
    let reply = post(&server.url("/v1/decide"), "application/json", ALLOW, None);
    assert!(reply.body.starts_with("{\"decision\":\"allow\""));
    post(
        &server.url("/v1/decide"),
        "application/yaml",
        "action: purchase\nactor: {id: secret@x}\n",
        None,
    );
    let entries = log_entries(&db, &[]);
    assert_eq!(
        entries[0]["request"],
        json(
            r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"product":{"category":"server_subscription"}}"#
        )
    );
    assert!(entries[1]["request"].is_null());
    let raw = std::fs::read(&db).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains("secret@x"));
}

#[test]
fn the_log_command_refuses_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    let output = run(&["log", "--decision-log", missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no decision log there"));
    assert!(!missing.exists(), "reading does not create a log");
    let not_db = dir.path().join("not.db");
    std::fs::write(&not_db, "hello").unwrap();
    let output = run(&["log", "--decision-log", not_db.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&[
        "log",
        "--decision-log",
        not_db.to_str().unwrap(),
        "--from",
        "soon",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--from \"soon\""));
}

/// `kill -9` while clients send decisions as fast as they can (single requests and
/// NDJSON streams): every decision a client received an answer for is in the log.
#[test]
fn after_kill_9_under_load_every_answered_decision_is_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let server = Server::start(&["--decision-log", db.to_str().unwrap()]);
    let clients = Clients::start(&server);
    clients.wait_for(300);
    let mut server = server;
    server.signal("KILL");
    server.wait(Duration::from_secs(10));
    let answered = clients.stop();
    assert_all_logged(&db, &answered);
    assert!(answered.len() >= 300);
}

/// A decision whose log entry cannot be committed is not given: a single request gets
/// a 503 naming the log, a stream ends broken (never a line the log lacks).
#[test]
fn a_decision_the_log_cannot_commit_is_not_given() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let server = Server::start(&["--decision-log", db.to_str().unwrap()]);
    assert_eq!(
        post(&server.url("/v1/decide"), "application/json", ALLOW, None).status,
        200
    );
    // The table disappears under the writer: every commit fails from now on.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("DROP TABLE decisions").unwrap();
    drop(other);
    let reply = post(&server.url("/v1/decide"), "application/json", ALLOW, None);
    assert_eq!(reply.status, 503, "{}", reply.body);
    assert_eq!(json(&reply.body)["error"]["code"], "decision-log-failed");
    assert!(!reply.body.contains("\"decision\""));
    let reply = post(
        &server.url("/v1/data/csp/decision"),
        "application/json",
        &format!("{{\"input\":{ALLOW}}}"),
        None,
    );
    assert_eq!(reply.status, 503);
    let streamed = agent()
        .post(&server.url("/v1/decide"))
        .header("Content-Type", "application/x-ndjson")
        .send(format!("{ALLOW}\n{DENY}\n"))
        .unwrap()
        .body_mut()
        .read_to_string();
    match streamed {
        Err(_) => {}
        Ok(text) => assert!(
            !text.contains("\"decision\""),
            "answers without a log entry: {text}"
        ),
    }
    let metrics = get(&server.url("/metrics"), None).body;
    let failures: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("csp_policy_decision_log_failures_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(failures >= 3, "{metrics}");
}
