//! `eval --with-revision`: every decision names the policy revision that made it (the
//! SHA-256 that `serve`'s `/v1/policy` and the decision log give), in JSON, YAML and
//! text; without the option the output is byte for byte what it was.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{code, run, stdout, NOW};

const STREAM: &str = "examples/stream.jsonl";

fn eval(args: &[&str]) -> String {
    let mut all = vec!["eval", "--now", NOW];
    all.extend_from_slice(args);
    all.push(STREAM);
    let out = run(&all);
    assert!(matches!(code(&out), 0 | 1), "{}", common::stderr(&out));
    stdout(&out)
}

fn revision() -> String {
    csp_policy::Policy::embedded()
        .unwrap()
        .revision()
        .as_str()
        .to_string()
}

#[test]
fn every_json_and_yaml_decision_carries_the_revision_after_its_facts() {
    let revision = revision();
    let plain = eval(&[]);
    let with = eval(&["--with-revision"]);
    assert_eq!(plain.lines().count(), with.lines().count());
    for (p, w) in plain.lines().zip(with.lines()) {
        // The plain line with the revision added after the facts, nothing else.
        let expected = format!("{},\"policy_revision\":\"{revision}\"}}", &p[..p.len() - 1]);
        assert_eq!(w, expected);
        let value: serde_json::Value = serde_json::from_str(w).unwrap();
        assert_eq!(value["policy_revision"], revision.as_str());
    }
    let yaml = eval(&["--format", "yaml", "--with-revision"]);
    let documents = yaml.matches("---\n").count();
    assert_eq!(documents, plain.lines().count());
    assert_eq!(
        yaml.matches(&format!("\npolicy_revision: \"{revision}\"\n"))
            .count(),
        documents,
        "{yaml}"
    );
    let text = eval(&["--format", "text", "--with-revision"]);
    assert_eq!(
        text.matches(&format!("\n  policy revision {revision}\n"))
            .count(),
        documents,
        "{text}"
    );
    // With --explain, the revision still comes right after the facts, before the
    // explanation (a request that cannot be read has none: the revision ends it).
    let explained = eval(&["--explain", "--with-revision"]);
    let stamp = format!(",\"policy_revision\":\"{revision}\"");
    for line in explained.lines() {
        let at = line.find(&stamp).unwrap();
        let after = &line[at + stamp.len()..];
        assert!(
            after.starts_with(",\"explanation\":") || after == "}",
            "{line}"
        );
    }
    assert!(explained.contains(&format!("{stamp},\"explanation\":")));
}

#[test]
fn without_the_option_nothing_changes() {
    for format in ["json", "yaml", "text"] {
        assert!(!eval(&["--format", format]).contains("revision"));
    }
}

#[test]
fn the_revision_follows_the_policy_files() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.policy");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("policies/csp-software"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    for f in files {
        text.push_str(&std::fs::read_to_string(f).unwrap());
        text.push('\n');
    }
    std::fs::write(&policy, text).unwrap();
    let out = eval(&["--with-revision", "--policy", policy.to_str().unwrap()]);
    assert!(!out.contains(&revision()));
    let other = csp_policy::Policy::from_paths(&[policy]).unwrap();
    assert!(out.contains(other.revision().as_str()));
}
