//! The example policies (`policies/examples/*/`), through the library: each folder
//! checks with no diagnostic at all (no error, no warning: what `check --deny-warnings`
//! asks), each of its files is formatted (what `fmt --check` asks), and its suites
//! (`tests/` inside the folder) pass with every rule reached and deciding a case, and
//! reached by a case it does not decide (what `test --coverage` shows). `.ci/run` runs
//! the same through the binary; this keeps `cargo test` covering them too.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use csp_policy::suite::{self, report, CaseResult};
use csp_policy::{load, Policy};

/// The time of suite requests without `at` in suites that give no `now`: fixed, so that
/// a run does not depend on the day it runs.
const NOW: &str = "2026-11-25T12:00:00Z";

/// Every folder under `policies/examples/`, in name order.
fn example_folders() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/examples");
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    folders.sort();
    assert!(
        !folders.is_empty(),
        "no example policy under {}",
        root.display()
    );
    folders
}

/// The folder's policy, checked: panics with every diagnostic rendered if there is one.
fn clean_policy(folder: &Path) -> Policy {
    let sources = load::read_sources(&[folder.to_path_buf()])
        .unwrap_or_else(|e| panic!("{}: {}", folder.display(), e.render()));
    let loaded = load::compile(sources);
    let rendered: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.render(&loaded.sources))
        .collect();
    assert!(
        rendered.is_empty(),
        "{} has diagnostics:\n{}",
        folder.display(),
        rendered.join("\n")
    );
    loaded
        .policy
        .unwrap_or_else(|| panic!("{} did not compile", folder.display()))
}

#[test]
fn every_example_policy_checks_clean() {
    for folder in example_folders() {
        clean_policy(&folder);
    }
}

#[test]
fn every_example_policy_file_is_formatted() {
    for folder in example_folders() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "policy"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{} has no policy file", folder.display());
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let formatted = csp_policy::fmt::format_source(&text)
                .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
            assert!(
                formatted == text,
                "{} is not formatted: run `csp-policy fmt {}`",
                file.display(),
                file.display()
            );
        }
    }
}

#[test]
fn every_example_policy_passes_its_suites_with_full_rule_coverage() {
    let now = csp_policy::parse_time(NOW).unwrap();
    for folder in example_folders() {
        let policy = clean_policy(&folder);
        let tests = folder.join("tests");
        assert!(tests.is_dir(), "{} has no tests/ folder", folder.display());
        let suites = suite::load_all(std::slice::from_ref(&tests)).unwrap_or_else(|errors| {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            panic!("{}: {}", tests.display(), errors.join("\n"))
        });
        let results = suite::run::run(&policy, &suites, now);
        assert!(!results.is_empty(), "{} holds no case", tests.display());

        let failed: Vec<&CaseResult<'_>> = results.iter().filter(|r| !r.passed()).collect();
        if !failed.is_empty() {
            let mut out = String::new();
            for result in &failed {
                report::failure_text(&mut out, result);
            }
            panic!(
                "{}: {} of {} case(s) failed:\n{out}",
                tests.display(),
                failed.len(),
                results.len()
            );
        }

        let coverage = suite::run::coverage(&policy, &results);
        assert!(
            !coverage.rules.is_empty(),
            "{} has no rule",
            folder.display()
        );
        let never_reached: Vec<&str> = coverage.never_reached().map(|r| r.id.as_str()).collect();
        assert!(
            never_reached.is_empty(),
            "{}: rules no case reached: {never_reached:?}",
            folder.display()
        );
        let never_decided: Vec<&str> = coverage.never_decided().map(|r| r.id.as_str()).collect();
        assert!(
            never_decided.is_empty(),
            "{}: rules that decided no case: {never_decided:?}",
            folder.display()
        );
        // Both sides of every rule: some case it decides, and some case that reaches it
        // (its audience matched) without its deciding.
        let one_sided: Vec<&str> = coverage
            .rules
            .iter()
            .filter(|r| r.reached <= r.decided)
            .map(|r| r.id.as_str())
            .collect();
        assert!(
            one_sided.is_empty(),
            "{}: rules with no case that reaches them without their deciding: {one_sided:?}",
            folder.display()
        );
    }
}
