//! `csp-policy snapshot record|check|update` as a policy author runs it: record then
//! check is clean; an edited policy shows the changed request and exits 1; update
//! accepts it; new request files and orphan snapshots; every exit code (2 for what
//! cannot be read, 3 for a broken policy); a request that does not parse is
//! snapshotted as its deny with the error.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{code, edited_copy, run, stderr, stdout, NOW};

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap()
}

/// A folder of requests in every framing: YAML, multi-document YAML, JSON, JSON Lines,
/// in a subfolder too.
fn requests(dir: &Path) -> PathBuf {
    let folder = dir.join("requests");
    std::fs::create_dir_all(folder.join("streams")).unwrap();
    std::fs::write(folder.join("cancel.yaml"), example("cancel.yaml")).unwrap();
    std::fs::write(
        folder.join("streams/two.yaml"),
        format!(
            "{}---\n{}",
            example("purchase.yaml"),
            example("exchange.yaml")
        ),
    )
    .unwrap();
    std::fs::write(
        folder.join("one.json"),
        r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"AU"},"product":{"category":"server_subscription"}}"#,
    )
    .unwrap();
    std::fs::write(folder.join("streams/lines.jsonl"), example("stream.jsonl")).unwrap();
    folder
}

fn snapshot(args: &[&str]) -> std::process::Output {
    let mut all = vec!["snapshot"];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn record_check_edit_update_check() {
    let dir = tempfile::tempdir().unwrap();
    let folder = requests(dir.path());
    let f = folder.to_str().unwrap();
    let recorded = snapshot(&["record", "--now", NOW, f]);
    assert_eq!(code(&recorded), 0, "{}", stderr(&recorded));
    for name in [
        "cancel.yaml",
        "one.json",
        "streams/two.yaml",
        "streams/lines.jsonl",
    ] {
        let snap = std::fs::read_to_string(folder.join(format!("{name}.snap"))).unwrap();
        assert!(
            snap.starts_with(&format!("# csp-policy snapshot of {name}\n")),
            "{snap}"
        );
        assert!(snap.contains(&format!("# now: {NOW}\n")), "{snap}");
        // Nothing of the machine: the temporary folder's path is not in it.
        assert!(!snap.contains(dir.path().to_str().unwrap()), "{snap}");
    }
    let two = std::fs::read_to_string(folder.join("streams/two.yaml.snap")).unwrap();
    assert_eq!(two.matches("\n--- # line ").count(), 2, "{two}");
    let lines = std::fs::read_to_string(folder.join("streams/lines.jsonl.snap")).unwrap();
    assert_eq!(lines.matches("\n--- # line ").count(), 6, "{lines}");

    // Without --now: the time each snapshot recorded.
    let clean = snapshot(&["check", f]);
    assert_eq!(code(&clean), 0, "{}{}", stdout(&clean), stderr(&clean));
    assert!(
        stdout(&clean).ends_with("4 files, 10 requests: every decision is as its snapshot\n"),
        "{}",
        stdout(&clean)
    );

    // A shorter cancel window changes the example cancel's decision.
    let policy = edited_copy(
        dir.path(),
        "07-cancel.policy",
        "is 60 days from",
        "is 3 days from",
    );
    let p = policy.to_str().unwrap();
    let changed = snapshot(&["check", "--policy", p, f]);
    assert_eq!(code(&changed), 1, "{}", stderr(&changed));
    let out = stdout(&changed);
    assert!(out.contains("changed: cancel.yaml\n  request 1 (line 1): decision, reasons, facts changed: allow (cancel-within-window) -> deny (cancel-window-ended)\n"), "{out}");
    assert!(
        out.contains("    -decision: allow\n    +decision: deny\n"),
        "{out}"
    );
    assert!(out.contains("    -  days_left_to_cancel: 4\n"), "{out}");
    assert!(out.contains("changed: streams/lines.jsonl\n"), "{out}");
    assert!(
        out.contains("2 requests changed in 2 files (1 of them allow <-> deny)"),
        "{out}"
    );
    // check changes nothing.
    assert_eq!(code(&snapshot(&["check", "--policy", p, f])), 1);

    let updated = snapshot(&["update", "--policy", p, f]);
    assert_eq!(code(&updated), 0, "{}", stderr(&updated));
    assert!(
        stdout(&updated).contains("2 rewritten, 0 added, 0 removed, 2 unchanged"),
        "{}",
        stdout(&updated)
    );
    let again = snapshot(&["check", "--policy", p, f]);
    assert_eq!(code(&again), 0, "{}", stdout(&again));
    // And back under the default policy, the changes show again.
    assert_eq!(code(&snapshot(&["check", f])), 1);
}

#[test]
fn new_request_files_and_orphan_snapshots_are_told_and_update_settles_them() {
    let dir = tempfile::tempdir().unwrap();
    let folder = requests(dir.path());
    let snaps = dir.path().join("snaps");
    let (f, s) = (folder.to_str().unwrap(), snaps.to_str().unwrap());
    assert_eq!(
        code(&snapshot(&["record", "--now", NOW, "--snapshots", s, f])),
        0
    );
    assert!(snaps.join("streams/two.yaml.snap").is_file());
    assert!(!folder.join("cancel.yaml.snap").exists());
    std::fs::remove_file(folder.join("one.json")).unwrap();
    std::fs::write(folder.join("streams/new.yml"), example("exchange.yaml")).unwrap();
    // A .snap file that is not ours is never an orphan, nor removed.
    std::fs::write(snaps.join("notes.snap"), "someone else's\n").unwrap();

    let checked = snapshot(&["check", "--snapshots", s, f]);
    assert_eq!(code(&checked), 1, "{}", stderr(&checked));
    let out = stdout(&checked);
    assert!(
        out.contains("new: streams/new.yml (1 request, no snapshot)\n"),
        "{out}"
    );
    assert!(
        out.contains("one.json.snap: its request file one.json is gone\n"),
        "{out}"
    );
    assert!(out.contains("0 requests changed in 0 files (0 of them allow <-> deny), 1 file without a snapshot, 1 orphan snapshot\n"), "{out}");

    let updated = snapshot(&["update", "--snapshots", s, f]);
    assert_eq!(code(&updated), 0, "{}", stderr(&updated));
    let out = stdout(&updated);
    assert!(out.contains("removed "), "{out}");
    assert!(
        out.contains("0 rewritten, 1 added, 1 removed, 3 unchanged"),
        "{out}"
    );
    assert!(!snaps.join("one.json.snap").exists());
    assert!(snaps.join("streams/new.yml.snap").is_file());
    assert!(snaps.join("notes.snap").is_file());
    assert_eq!(code(&snapshot(&["check", "--snapshots", s, f])), 0);
}

#[test]
fn a_request_that_does_not_parse_is_snapshotted_as_its_deny_with_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("requests");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("broken.yaml"), "action: cancel\nactor: [\n").unwrap();
    std::fs::write(
        folder.join("lines.jsonl"),
        "{\"action\":\"purchase\"}\n{\"action\":\n",
    )
    .unwrap();
    let f = folder.to_str().unwrap();
    assert_eq!(code(&snapshot(&["record", "--now", NOW, f])), 0);
    let broken = std::fs::read_to_string(folder.join("broken.yaml.snap")).unwrap();
    assert!(broken.contains("--- # line 1\ndecision: deny\naction: null\nreasons: []\nerrors:\n  - code: \"malformed-request\"\n    line: 2\n"), "{broken}");
    let lines = std::fs::read_to_string(folder.join("lines.jsonl.snap")).unwrap();
    assert!(
        lines.contains("--- # line 2\ndecision: deny\naction: null\n"),
        "{lines}"
    );
    assert!(lines.contains("malformed-request"), "{lines}");
    assert_eq!(code(&snapshot(&["check", f])), 0);
}

#[test]
fn what_cannot_be_read_is_exit_2_and_a_broken_policy_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let folder = requests(dir.path());
    let f = folder.to_str().unwrap();
    // No such folder; a bad --now.
    let missing = snapshot(&["check", dir.path().join("none").to_str().unwrap()]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("not a folder"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(code(&snapshot(&["check", "--now", "yesterday", f])), 2);
    // A request file that cannot be read (a link to nothing): never silently left out.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.yaml", folder.join("gone.yaml")).unwrap();
        let unreadable = snapshot(&["record", "--now", NOW, f]);
        assert_eq!(code(&unreadable), 2);
        assert!(
            stderr(&unreadable).contains("gone.yaml: a symbolic link to nothing"),
            "{}",
            stderr(&unreadable)
        );
        assert!(
            !folder.join("cancel.yaml.snap").exists(),
            "nothing is written"
        );
        std::fs::remove_file(folder.join("gone.yaml")).unwrap();
    }
    // A file where a snapshot belongs that is not one is never overwritten.
    std::fs::write(folder.join("one.json.snap"), "mine\n").unwrap();
    let foreign = snapshot(&["record", "--now", NOW, f]);
    assert_eq!(code(&foreign), 2);
    assert!(
        stderr(&foreign).contains("is not a csp-policy snapshot"),
        "{}",
        stderr(&foreign)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("one.json.snap")).unwrap(),
        "mine\n"
    );
    std::fs::remove_file(folder.join("one.json.snap")).unwrap();
    // A policy with an error: nothing decided.
    let broken = edited_copy(
        dir.path(),
        "07-cancel.policy",
        "is 60 days from",
        "is 60 dayz from",
    );
    let out = snapshot(&["check", "--policy", broken.to_str().unwrap(), f]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing was decided"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_request_file_past_the_record_limit_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("requests");
    std::fs::create_dir_all(&folder).unwrap();
    let many = "{\"action\":\"purchase\"}\n".repeat(csp_policy::limits::SNAPSHOT_RECORDS + 1);
    std::fs::write(folder.join("many.jsonl"), many).unwrap();
    let out = snapshot(&["record", "--now", NOW, folder.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("holds more than 10000 requests"),
        "{}",
        stderr(&out)
    );
    assert!(!folder.join("many.jsonl.snap").exists());
}

#[test]
fn the_example_policys_snapshots_are_current() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/examples/new-commerce");
    let out = snapshot(&[
        "check",
        "--policy",
        example.to_str().unwrap(),
        "--snapshots",
        example.join("snapshots").to_str().unwrap(),
        example.join("tests/requests").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}
