//! `csp-policy diff --decision-log`: a log written by `serve` replayed. Under the policy
//! that made it nothing changes (requests without `at` are decided at their entry's
//! time, to the microsecond); under an edited policy the changes show, exit 1; with
//! `--old` each request is decided again under both sides; filters; exit 2 for a log
//! that cannot be read.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{code, edited_copy, exe, run, stderr, stdout};

/// A get_keys without `at`: its fact `link_expires_at` is the decision's time + 14 days.
const KEYS: &str = r#"{"action":"get_keys","actor":{"kind":"partner","roles":["admin_agent"]},"order":{"status":"active"}}"#;
/// A cancel without `at`, inside the 60-day window at any time near the purchase.
const CANCEL: &str = "action: cancel\nactor: {kind: partner, roles: [admin_agent]}\ncustomer: {name: Contoso}\nproduct: {name: Windows Server, category: perpetual_software}\norder: {id: ORD-1, purchased_at: 2020-01-01T00:00:00Z, status: active, price: \"10.00\"}\nat: 2020-01-20T00:00:00Z\n";

/// Runs `serve` (without `--now`: requests without `at` are decided at the current
/// time) with a decision log, posts `bodies`, and stops it with SIGTERM.
fn serve_and_log(db: &Path, bodies: &[(&str, &str)]) {
    let mut child = Command::new(exe())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-watch",
            "--decision-log",
        ])
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    err.read_line(&mut first).unwrap();
    let base = first
        .trim()
        .strip_prefix("csp-policy serve: listening on ")
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for (content_type, body) in bodies {
        let mut reply = agent
            .post(&format!("{base}/v1/decide"))
            .header("content-type", *content_type)
            .send(*body)
            .unwrap();
        assert_eq!(
            reply.status(),
            200,
            "{}",
            reply.body_mut().read_to_string().unwrap()
        );
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_log_written_by_serve_replays_without_change_under_its_policy_and_shows_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    serve_and_log(
        &db,
        &[
            ("application/json", KEYS),
            ("application/yaml", CANCEL),
            ("application/x-ndjson", &format!("{KEYS}\n{KEYS}\n")),
        ],
    );
    let log = db.to_str().unwrap();

    let same = run(&["diff", "--decision-log", log]);
    assert_eq!(code(&same), 0, "{}{}", stdout(&same), stderr(&same));
    assert_eq!(
        stdout(&same),
        "4 requests, 0 changed (0 changed decision)\n"
    );

    // A shorter window: the logged cancel (19 days after purchase) is now denied.
    let edited = edited_copy(
        dir.path(),
        "07-cancel.policy",
        "is 60 days from",
        "is 10 days from",
    );
    let e = edited.to_str().unwrap();
    let changed = run(&["diff", "--decision-log", log, "--new", e]);
    assert_eq!(code(&changed), 1, "{}", stderr(&changed));
    let out = stdout(&changed);
    assert!(out.contains("cancel: 1 request changed\n  allow (cancel-within-window) -> deny (cancel-window-ended): 1 request\n    line 2: decision, reasons, facts\n"), "{out}");
    assert!(
        out.ends_with("4 requests, 1 changed (1 changed decision)\n"),
        "{out}"
    );

    let json = run(&[
        "diff",
        "--decision-log",
        log,
        "--new",
        e,
        "--format",
        "json",
    ]);
    assert_eq!(code(&json), 1);
    let lines: Vec<serde_json::Value> = stdout(&json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", stdout(&json));
    assert_eq!(lines[0]["kind"], "change");
    assert_eq!(lines[0]["request"], CANCEL, "a YAML request as received");
    assert_eq!(lines[0]["old"]["decision"], "allow");
    assert_eq!(lines[0]["new"]["decision"], "deny");
    assert!(lines[0]["decision_id"].as_str().unwrap().len() == 36);
    assert_eq!(lines[1]["kind"], "summary");
    assert_eq!(lines[1]["not_replayed"], 0);

    // With --old: both sides decided again (the same change); filters select entries.
    let both = run(&[
        "diff",
        "--decision-log",
        log,
        "--old",
        "@embedded",
        "--new",
        e,
    ]);
    assert_eq!(code(&both), 1);
    assert!(stdout(&both).ends_with("4 requests, 1 changed (1 changed decision)\n"));
    let keys_only = run(&[
        "diff",
        "--decision-log",
        log,
        "--new",
        e,
        "--action",
        "get_keys",
    ]);
    assert_eq!(code(&keys_only), 0, "{}", stdout(&keys_only));
    assert_eq!(
        stdout(&keys_only),
        "3 requests, 0 changed (0 changed decision)\n"
    );
}

#[test]
fn a_log_that_cannot_be_read_or_a_bad_filter_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let out = run(&["diff", "--decision-log", missing.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no decision log there"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "diff",
        "--decision-log",
        missing.to_str().unwrap(),
        "--from",
        "soon",
    ]);
    assert_eq!(code(&out), 2);
    // A decision log and a request file are one source too many.
    let out = run(&[
        "diff",
        "--decision-log",
        missing.to_str().unwrap(),
        "requests.jsonl",
    ]);
    assert_eq!(code(&out), 2);
}
