//! `csp-policy serve`, the real binary on a loopback port: every endpoint and status
//! code, decisions byte for byte as `eval --format json` gives them (plus a
//! `decision_id`), NDJSON streams (order, count, nothing dropped), the token, and the
//! limits on bodies and heads. The decision log is in `serve_log.rs`, reloads and
//! signals in `serve_reload.rs`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use std::collections::HashSet;
use std::time::Duration;

use harness::*;

/// Every single-request file of the request corpus and the examples, decided by the
/// server (JSON or YAML body by its extension), is `eval`'s line plus a decision id.
#[test]
fn decisions_are_evals_byte_for_byte_with_a_decision_id() {
    let server = Server::start(&[]);
    let mut files: Vec<_> = std::fs::read_dir(root().join("tests/requests"))
        .unwrap()
        .chain(std::fs::read_dir(root().join("examples")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "yaml"))
        .collect();
    files.sort();
    let mut ids = HashSet::new();
    let mut compared = 0;
    for file in &files {
        let expected = eval(file, &["--format", "json"]);
        if expected.lines().count() != 1 {
            continue; // a stream: the NDJSON tests cover streams
        }
        let body = std::fs::read_to_string(file).unwrap();
        let content_type = if file.extension().unwrap() == "json" {
            "application/json"
        } else {
            "application/yaml"
        };
        let reply = post(&server.url("/v1/decide"), content_type, &body, None);
        assert_eq!(reply.status, 200, "{}: {}", file.display(), reply.body);
        assert_eq!(reply.content_type, "application/json");
        let (decision, id) = split_id(reply.body.trim_end());
        assert_eq!(decision, expected.trim_end(), "{}", file.display());
        assert!(ids.insert(id), "ids are unique");
        compared += 1;
    }
    assert!(compared > 150, "only {compared} files compared");
}

#[test]
fn explain_true_adds_evals_explanation() {
    let server = Server::start(&[]);
    let file = root().join("examples/cancel.yaml");
    let expected = eval(&file, &["--format", "json", "--explain"]);
    assert!(expected.contains("\"explanation\""));
    let body = std::fs::read_to_string(&file).unwrap();
    let reply = post(
        &server.url("/v1/decide?explain=true"),
        "application/yaml",
        &body,
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(split_id(&reply.body).0, expected.trim_end());
    let plain = post(
        &server.url("/v1/decide?explain=false"),
        "application/yaml",
        &body,
        None,
    );
    assert!(!plain.body.contains("\"explanation\""));
    let bad = post(
        &server.url("/v1/decide?explain=maybe"),
        "application/yaml",
        &body,
        None,
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("explain=true|false"));
}

/// A malformed request is a 200 deny with its error, exactly as eval decides it.
#[test]
fn a_malformed_request_is_a_200_deny_like_evals() {
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    for (name, body, content_type) in [
        (
            "broken.json",
            "{\"action\": \"purchase\", ",
            "application/json",
        ),
        ("broken.yaml", "action: [", "application/yaml"),
        ("empty.json", "", "application/json"),
        (
            "two.json",
            "{\"action\":\"purchase\"} {\"action\":\"cancel\"}",
            "application/json",
        ),
        (
            "two.yaml",
            "action: purchase\n---\naction: cancel\n",
            "application/yaml",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        let reply = post(&server.url("/v1/decide"), content_type, body, None);
        assert_eq!(reply.status, 200, "{name}");
        let (decision, _) = split_id(reply.body.trim_end());
        assert!(decision.starts_with("{\"decision\":\"deny\""), "{decision}");
        let expected = eval(&file, &["--format", "json"]);
        if expected.lines().count() == 1 {
            assert_eq!(decision, expected.trim_end(), "{name}");
        } else {
            // No request, or two: one body is one request (a stream is NDJSON).
            assert!(decision.contains("malformed-request"), "{name}: {decision}");
        }
    }
}

/// A body that is not UTF-8 is a deny naming it, not a 4xx or a panic.
#[test]
fn a_body_that_is_not_utf8_is_a_deny() {
    let server = Server::start(&[]);
    let response = agent()
        .post(&server.url("/v1/decide"))
        .header("Content-Type", "application/json")
        .send(&[0xff, 0xfe, b'{', b'}'][..])
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.into_body().read_to_string().unwrap();
    assert!(body.contains("not UTF-8"), "{body}");
    assert!(body.starts_with("{\"decision\":\"deny\""));
}

/// An NDJSON stream: one decision per non-blank line, in order, each eval's line, with
/// malformed and oversized lines their own denies; nothing dropped.
#[test]
fn an_ndjson_stream_gets_evals_decisions_in_order() {
    let server = Server::start(&[]);
    let mut stream = String::new();
    let big = format!(
        "{{\"action\":\"purchase\",\"pad\":\"{}\"}}",
        "x".repeat(1 << 20)
    );
    for i in 0..3000 {
        match i % 7 {
            0 => stream.push_str(DENY),
            1 => stream.push_str("{\"action\": broken"),
            2 => stream.push_str(""), // a blank line: not a record
            3 if i == 3 => stream.push_str(&big),
            _ => stream.push_str(ALLOW),
        }
        stream.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stream.ndjson");
    std::fs::write(&file, &stream).unwrap();
    let expected = eval(&file, &["--format", "json"]);
    let reply = post(
        &server.url("/v1/decide"),
        "application/x-ndjson",
        &stream,
        None,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let got: Vec<&str> = reply.body.lines().collect();
    let want: Vec<&str> = expected.lines().collect();
    assert_eq!(got.len(), want.len());
    assert!(want.len() > 2500);
    let mut ids = HashSet::new();
    for (n, (got, want)) in got.iter().zip(&want).enumerate() {
        let (decision, id) = split_id(got);
        assert_eq!(&decision, want, "line {n}");
        assert!(ids.insert(id));
    }
}

/// Answers of a stream come while the client is still sending: a client that writes
/// one line and waits gets its answer.
#[test]
fn an_ndjson_stream_is_answered_line_by_line() {
    let server = Server::start(&[]);
    let mut stream = NdjsonStream::open(&server.base);
    let mut answers = Vec::new();
    for request in [ALLOW, DENY, ALLOW] {
        stream.send(request);
        answers.push(stream.answer());
    }
    stream.end();
    assert_eq!(answers.len(), 3);
    assert!(answers[0].starts_with("{\"decision\":\"allow\""));
    assert!(answers[1].starts_with("{\"decision\":\"deny\""));
}

#[test]
fn the_opa_endpoint_answers_result_and_decision_id() {
    let server = Server::start(&[]);
    let url = server.url("/v1/data/csp/decision");
    let reply = post(
        &url,
        "application/json",
        &format!("{{\"input\": {ALLOW}}}"),
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("allow.json");
    std::fs::write(&file, ALLOW).unwrap();
    let expected = eval(&file, &["--format", "json"]);
    let body = reply.body.trim_end();
    let (outer, id) = split_id(body);
    assert_eq!(outer, format!("{{\"result\":{}}}", expected.trim_end()));
    assert_eq!(json(body)["decision_id"], id.as_str());
    // A broken input is a deny like eval's; a body without input is a 400.
    let broken = post(
        &url,
        "application/json",
        "{\"input\": {\"action\": 7}}",
        None,
    );
    assert_eq!(broken.status, 200);
    assert_eq!(json(&broken.body)["result"]["decision"], "deny");
    for bad in ["{}", "[1]", "{\"input\": ", "not json"] {
        let reply = post(&url, "application/json", bad, None);
        assert_eq!(reply.status, 400, "{bad}: {}", reply.body);
        assert_eq!(json(&reply.body)["error"]["code"], "invalid_parameter");
    }
    assert_eq!(
        post(&url, "application/yaml", "input: {}", None).status,
        415
    );
}

#[test]
fn transport_problems_get_their_status_codes() {
    let server = Server::start(&[]);
    let decide = server.url("/v1/decide");
    // 405: a wrong method.
    assert_eq!(get(&decide, None).status, 405);
    assert_eq!(
        post(&server.url("/health"), "application/json", "{}", None).status,
        405
    );
    // 415: no or another content type.
    let reply = post(&decide, "text/plain", ALLOW, None);
    assert_eq!(reply.status, 415);
    assert!(reply.body.contains("application/json"), "{}", reply.body);
    let no_type = raw(
        &server.base,
        format!("POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ALLOW}", ALLOW.len()).as_bytes(),
        Duration::from_secs(5),
    );
    assert!(no_type.starts_with("HTTP/1.1 415"), "{no_type}");
    // A content type with parameters is fine.
    assert_eq!(
        post(&decide, "application/json; charset=utf-8", ALLOW, None).status,
        200
    );
    // 404: no such endpoint.
    assert_eq!(get(&server.url("/v1/nothing"), None).status, 404);
}

#[test]
fn a_body_over_the_limit_is_413() {
    let server = Server::start(&[]);
    let limit = csp_policy::limits::SERVE_BODY_BYTES;
    let prefix = "{\"action\":\"purchase\",\"pad\":\"";
    let at_limit = format!("{prefix}{}\"}}", "x".repeat(limit - prefix.len() - 2));
    assert_eq!(at_limit.len(), limit);
    let reply = post(
        &server.url("/v1/decide"),
        "application/json",
        &at_limit,
        None,
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        &reply.body[..200.min(reply.body.len())]
    );
    // Refused by its Content-Length, before the body is read (only the head is sent,
    // so that the server's early close does not reset the connection).
    let head = format!(
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        limit + 1
    );
    let answer = raw(&server.base, head.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body-too-large"), "{answer}");
    // Without a Content-Length (chunked): refused while reading, once past the limit.
    let over = format!("{at_limit} ");
    let chunked = format!(
        "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{over}",
        over.len()
    );
    let answer = raw(&server.base, chunked.as_bytes(), Duration::from_secs(5));
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(300)]
    );
    // The OPA endpoint too.
    let head = format!(
        "POST /v1/data/csp/decision HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        limit + 20
    );
    let answer = raw(&server.base, head.as_bytes(), Duration::from_secs(5));
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[test]
fn headers_over_the_limit_are_refused() {
    let server = Server::start(&[]);
    let big = "a".repeat(csp_policy::limits::SERVE_HEADER_BYTES + 1);
    let answer = raw(
        &server.base,
        format!("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n").as_bytes(),
        Duration::from_secs(5),
    );
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    // The server goes on.
    assert_eq!(get(&server.url("/health"), None).status, 200);
}

#[test]
fn health_policy_and_metrics_describe_the_server() {
    let server = Server::start(&[]);
    post(&server.url("/v1/decide"), "application/json", ALLOW, None);
    post(&server.url("/v1/decide"), "application/json", DENY, None);
    post(
        &server.url("/v1/decide"),
        "application/json",
        "{\"action\":\"no-such\"}",
        None,
    );
    let health = get(&server.url("/health"), None);
    assert_eq!(health.status, 200);
    let health = json(&health.body);
    assert_eq!(health["status"], "ok");
    let revision = health["revision"].as_str().unwrap().to_string();
    assert_eq!(revision.len(), 64);
    assert!(health["refused_reload"].is_null());
    let policy = json(&get(&server.url("/v1/policy"), None).body);
    assert_eq!(policy["revision"], revision.as_str());
    assert_eq!(policy["files"].as_array().unwrap().len(), 8);
    assert!(policy["actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "purchase"));
    assert!(policy["loaded_at"].as_str().unwrap().ends_with('Z'));
    let metrics = get(&server.url("/metrics"), None);
    assert_eq!(metrics.status, 200);
    assert!(metrics
        .content_type
        .starts_with("application/openmetrics-text"));
    let text = metrics.body;
    for expected in [
        "csp_policy_decisions_total{action=\"purchase\",decision=\"allow\"} 1",
        "csp_policy_decisions_total{action=\"exchange\",decision=\"deny\"} 1",
        "csp_policy_decisions_total{action=\"other\",decision=\"deny\"} 1",
        "csp_policy_decision_seconds_count 3",
        "csp_policy_policy_reloads_total 0",
        "csp_policy_policy_reloads_refused_total 0",
        "csp_policy_decision_log_backlog 0",
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
    assert!(text.contains(&format!(
        "csp_policy_policy_revision{{revision=\"{revision}\"}} 1"
    )));
    // Same files, same revision: eval's policy and the server's agree.
    let again = Server::start(&[
        "--policy",
        root().join("policies/csp-software").to_str().unwrap(),
    ]);
    let from_disk = json(&get(&again.url("/v1/policy"), None).body);
    assert_eq!(from_disk["revision"], revision.as_str());
}

#[test]
fn the_token_guards_v1_and_not_health() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "s3cret-token\n").unwrap();
    let server = Server::start(&["--token-file", token_file.to_str().unwrap()]);
    let decide = server.url("/v1/decide");
    let none = post(&decide, "application/json", ALLOW, None);
    assert_eq!(none.status, 401);
    assert!(none
        .headers
        .iter()
        .any(|(k, v)| k == "www-authenticate" && v == "Bearer"));
    assert_eq!(
        post(&decide, "application/json", ALLOW, Some("wrong")).status,
        401
    );
    assert_eq!(
        post(&decide, "application/json", ALLOW, Some("s3cret-tokenx")).status,
        401
    );
    assert_eq!(
        post(&decide, "application/json", ALLOW, Some("s3cret-token")).status,
        200
    );
    assert_eq!(get(&server.url("/v1/policy"), None).status, 401);
    assert_eq!(
        get(&server.url("/v1/policy"), Some("s3cret-token")).status,
        200
    );
    let opa = server.url("/v1/data/csp/decision");
    assert_eq!(
        post(&opa, "application/json", "{\"input\":{}}", None).status,
        401
    );
    assert_eq!(get(&server.url("/health"), None).status, 200);
    assert_eq!(get(&server.url("/metrics"), None).status, 200);
    // An empty token file is refused at start.
    std::fs::write(&token_file, "\n").unwrap();
    let output = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--token-file",
        token_file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("holds no token"));
}

#[test]
fn a_broken_policy_or_bad_options_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.policy");
    std::fs::write(&broken, "actions { purchase }\npermit purchse to anyone\n").unwrap();
    let output = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--policy",
        broken.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("broken.policy:1:20: error[syntax]"),
        "{stderr}"
    );
    for args in [
        &["serve", "--listen", "nowhere"][..],
        &["serve", "--listen", "127.0.0.1:0", "--now", "yesterday"],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--decision-log",
            "postgres://x/y",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--decision-log",
            "/nonexistent-dir/x.db",
        ],
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--decision-log",
            "x.db",
            "--log-mask",
            "actor..id",
        ],
    ] {
        let output = run(args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The port in use.
    let server = Server::start(&[]);
    let addr = server.base.strip_prefix("http://").unwrap();
    let output = run(&["serve", "--listen", addr]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen"));
}
