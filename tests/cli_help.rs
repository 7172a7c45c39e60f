//! The one-line summaries of `csp-policy --help`: each command has its own. (A merge
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
