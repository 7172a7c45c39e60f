//! What every command shares: its own one-line summary in `csp-policy --help`, and one
//! way of refusing a bad time option (`cli/time.rs`). (A merge
//! once moved `diff`'s doc comment onto `matrix`, and clap then gave `diff` the doc
//! comment of a struct it flattens: `matrix` said it compared two policies and `diff`
//! that it replayed a log.)

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// `(command, summary)` for every command `csp-policy --help` lists.
fn summaries() -> Vec<(String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_csp-policy"))
        .arg("--help")
        .output()
        .expect("csp-policy runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8 help");
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let l = l.trim();
            let (name, summary) = l.split_once(char::is_whitespace)?;
            Some((name.to_string(), summary.trim().to_string()))
        })
        .filter(|(name, _)| name != "help")
        .collect()
}

#[test]
fn every_command_has_a_summary_of_its_own() {
    let all = summaries();
    assert!(all.len() >= 9, "{all:?}");
    for (name, summary) in &all {
        assert!(
            !summary.starts_with('`'),
            "{name}: the summary is a flattened struct's doc comment: {summary}"
        );
        for (other, theirs) in &all {
            assert!(
                other == name || !summary.contains(theirs.as_str()),
                "{name}'s summary holds {other}'s: {summary}"
            );
        }
    }
}

#[test]
fn each_command_help_opens_with_its_summary() {
    for (name, summary) in summaries() {
        let out = Command::new(env!("CARGO_BIN_EXE_csp-policy"))
            .args([name.as_str(), "--help"])
            .output()
            .expect("csp-policy runs");
        let text = String::from_utf8(out.stdout).expect("UTF-8 help");
        assert_eq!(text.lines().next(), Some(summary.as_str()), "{name}");
    }
}

#[test]
fn every_time_option_refuses_a_bad_time_alike() {
    let dir = std::env::temp_dir();
    let log = dir.join("csp-policy-cli-help-no-such.db");
    let log = log.to_str().expect("a UTF-8 temporary path");
    for (args, option) in [
        (
            &["eval", "--now", "x", "examples/purchase.yaml"][..],
            "--now",
        ),
        (&["matrix", "--now", "x"][..], "--now"),
        (
            &["snapshot", "check", "--now", "x", "tests/requests"][..],
            "--now",
        ),
        (&["diff", "--now", "x"][..], "--now"),
        (&["diff", "--old-at", "x"][..], "--old-at"),
        (&["diff", "--new-at", "x"][..], "--new-at"),
        (&["log", "--decision-log", log, "--from", "x"][..], "--from"),
        (&["log", "--decision-log", log, "--to", "x"][..], "--to"),
        (&["serve", "--now", "x"][..], "--now"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_csp-policy"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("csp-policy runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with(&format!(
                "error: {option} \"x\" is not an RFC 3339 time with an offset"
            )),
            "{args:?}: {err}"
        );
    }
}
