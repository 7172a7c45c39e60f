//! `eval --decision-log` and `log --actor` on an SQLite log: eval logs every decision
//! it writes (its output and exit code unchanged), masks apply, a log that cannot be
//! opened stops eval before it decides anything, and `--actor` finds the entries of
//! one actor (never a masked one).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[path = "serve/harness.rs"]
mod harness;

use std::process::Command;

use harness::*;

fn eval_status(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(exe())
        .args(["eval", "--now", NOW])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn by(actor: &str, request: &str) -> String {
    request.replace("ops@partner.example", actor)
}

#[test]
fn eval_logs_every_decision_and_prints_what_it_prints_without_a_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let input = dir.path().join("requests.jsonl");
    // More than one chunk of the batch (512 requests), on several threads.
    let mut text = String::new();
    for n in 0..1500 {
        let actor = format!("user{}@x", n % 3);
        text.push_str(&by(&actor, if n % 2 == 0 { ALLOW } else { DENY }));
        text.push('\n');
    }
    std::fs::write(&input, &text).unwrap();
    let input = input.to_str().unwrap();
    let db_arg = db.to_str().unwrap();
    for format in ["json", "yaml", "text"] {
        let plain = eval_status(&["--format", format, "--jobs", "2", input]);
        let logged = eval_status(&[
            "--format",
            format,
            "--jobs",
            "2",
            "--decision-log",
            db_arg,
            input,
        ]);
        assert_eq!(plain.0, Some(1));
        assert_eq!(plain, logged, "{format}");
    }
    let entries = log_entries(&db, &[]);
    assert_eq!(entries.len(), 3 * 1500);
    // The first run's entries are its requests and decisions (chunks decided on two
    // threads are committed as they finish: the order within a chunk is the input's).
    let decisions = eval_status(&[input]).1;
    let mut expected: Vec<(serde_json::Value, serde_json::Value)> = text
        .lines()
        .zip(decisions.lines())
        .map(|(request, decision)| (json(request), json(decision)))
        .collect();
    let mut got: Vec<(serde_json::Value, serde_json::Value)> = entries
        .iter()
        .take(1500)
        .map(|e| (e["request"].clone(), e["decision"].clone()))
        .collect();
    let key = |p: &(serde_json::Value, serde_json::Value)| format!("{}{}", p.0, p.1);
    expected.sort_by_key(key);
    got.sort_by_key(key);
    assert!(expected == got);
    let ids: std::collections::HashSet<_> = entries
        .iter()
        .map(|e| e["decision_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), entries.len());
    // An allowed request: exit code 0, as without a log.
    let one = dir.path().join("one.json");
    std::fs::write(&one, ALLOW).unwrap();
    let (code, _, _) = eval_status(&["--decision-log", db_arg, one.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    // --actor, alone and with the other filters.
    assert_eq!(log_entries(&db, &["--actor", "user1@x"]).len(), 3 * 500);
    assert_eq!(
        log_entries(
            &db,
            &[
                "--actor",
                "user1@x",
                "--actor",
                "user2@x",
                "--decision",
                "allow"
            ]
        )
        .len(),
        3 * 500
    );
    assert_eq!(
        log_entries(&db, &["--actor", "ops@partner.example"]).len(),
        1
    );
    assert!(log_entries(&db, &["--actor", "nobody"]).is_empty());
}

#[test]
fn a_masked_actor_is_not_logged_and_cannot_be_found() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("decisions.db");
    let db_arg = db.to_str().unwrap();
    let input = dir.path().join("requests.jsonl");
    std::fs::write(&input, format!("{}\n", by("secret@x", ALLOW))).unwrap();
    let (code, _, stderr) = eval_status(&[
        "--decision-log",
        db_arg,
        "--log-mask",
        "actor.id",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let entries = log_entries(&db, &[]);
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].to_string().contains("secret@x"));
    assert!(log_entries(&db, &["--actor", "secret@x"]).is_empty());
    // serve: the same.
    let server = Server::start(&["--decision-log", db_arg, "--log-mask", "actor.id"]);
    post(
        &server.url("/v1/decide"),
        "application/json",
        &by("secret@x", ALLOW),
        None,
    );
    post(
        &server.url("/v1/decide"),
        "application/json",
        &by("ann@x", ALLOW),
        None,
    );
    assert!(log_entries(&db, &["--actor", "secret@x"]).is_empty());
    assert!(log_entries(&db, &["--actor", "ann@x"]).is_empty());
    assert!(!String::from_utf8_lossy(&std::fs::read(&db).unwrap()).contains("secret@x"));
}

#[test]
fn eval_stops_before_deciding_when_its_log_cannot_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("requests.jsonl");
    std::fs::write(&input, format!("{ALLOW}\n")).unwrap();
    let not_a_db = dir.path().join("not.db");
    std::fs::write(&not_a_db, "hello, not a database").unwrap();
    let missing_dir = dir.path().join("missing/decisions.db");
    for target in [not_a_db.to_str().unwrap(), missing_dir.to_str().unwrap()] {
        let (code, stdout, stderr) =
            eval_status(&["--decision-log", target, input.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(stdout, "");
        assert!(
            stderr.contains("decision log") && stderr.contains("nothing was evaluated"),
            "{stderr}"
        );
    }
    let (code, _, stderr) = eval_status(&["--log-mask", "actor.id", input.to_str().unwrap()]);
    assert_eq!(code, Some(2), "--log-mask needs --decision-log: {stderr}");
    // A mask that is not a field path: said, nothing evaluated, no log created.
    let db = dir.path().join("never.db");
    let (code, stdout, stderr) = eval_status(&[
        "--decision-log",
        db.to_str().unwrap(),
        "--log-mask",
        "actor..id",
        input.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("\"actor..id\" is not a field path"),
        "{stderr}"
    );
    assert!(!db.exists());
}

/// A log written before `actor_id` existed: reading it works (its entries have no
/// actor), and writing to it adds the column.
#[test]
fn an_older_log_without_actors_is_read_and_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("old.db");
    let old = rusqlite::Connection::open(&db).unwrap();
    old.execute_batch(
        "CREATE TABLE decisions (seq INTEGER PRIMARY KEY, decision_id TEXT NOT NULL UNIQUE,
            time_us INTEGER NOT NULL, revision TEXT NOT NULL, action TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'deny')), request TEXT,
            request_format TEXT NOT NULL, decision TEXT NOT NULL);
         INSERT INTO decisions VALUES (1, 'old-1', 0, 'r', 'purchase', 'allow', '{}', 'json', '{}');",
    )
    .unwrap();
    drop(old);
    assert_eq!(log_entries(&db, &[]).len(), 1);
    assert!(log_entries(&db, &["--actor", "ops@partner.example"]).is_empty());
    let input = dir.path().join("one.json");
    std::fs::write(&input, ALLOW).unwrap();
    let (code, _, stderr) = eval_status(&[
        "--decision-log",
        db.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(log_entries(&db, &[]).len(), 2);
    assert_eq!(
        log_entries(&db, &["--actor", "ops@partner.example"]).len(),
        1
    );
}
