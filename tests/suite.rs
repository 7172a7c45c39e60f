//! `csp-policy test`, run as a user runs it: the default policy's suites pass with every
//! rule reached and deciding; a fixture with deliberate failures (`tests/suite/`) prints
//! expected and actual side by side and exits 1; the JSON and JUnit reports parse; broken
//! suites exit 2 with their location; a broken policy exits 3; and an inline request is
//! decided exactly as `eval` decides the same YAML (checked over the request corpus).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const NOW: &str = "2026-11-25T12:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary from the crate root (so that paths in its output are relative).
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_csp-policy"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code")
}

#[test]
fn the_default_suites_pass_with_full_rule_coverage() {
    let output = run(&["test", "--coverage", "policies/csp-software/tests"]);
    let out = stdout(&output);
    assert_eq!(code(&output), 0, "{out}{}", stderr(&output));
    let last = out.lines().last().unwrap();
    assert!(
        last.ends_with(" passed, 0 failed"),
        "the summary is the last line: {last}"
    );
    assert!(out.contains("never reached: (none)\n"), "{out}");
    assert!(
        out.contains("reached but never deciding: (none)\n"),
        "{out}"
    );
    assert!(!out.contains("FAIL "), "{out}");

    // The same through the JSON report: every rule reached and deciding a case.
    let output = run(&[
        "test",
        "--coverage",
        "--format",
        "json",
        "policies/csp-software/tests",
    ]);
    assert_eq!(code(&output), 0);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["failed"], 0);
    assert!(report["passed"].as_u64().unwrap() >= 100);
    let coverage = &report["coverage"];
    let total = coverage["total"].as_u64().unwrap();
    assert!(total > 0);
    assert_eq!(coverage["reached"].as_u64(), Some(total));
    assert_eq!(coverage["decided"].as_u64(), Some(total));
    assert_eq!(coverage["reached_percent"], 100);
    assert_eq!(coverage["decided_percent"], 100);
    assert!(coverage["default_deny"].as_u64().unwrap() > 0);
    let rules = coverage["rules"].as_array().unwrap();
    assert_eq!(rules.len() as u64, total);
    assert!(rules
        .iter()
        .all(|r| r["reached"].as_u64() > Some(0) && r["decided"].as_u64() > Some(0)));
}

#[test]
fn failures_are_shown_side_by_side_and_exit_1() {
    let output = run(&["test", "tests/suite/failing.yaml"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let out = stdout(&output);
    assert_eq!(out.lines().last(), Some("1 passed, 3 failed"));
    insta::assert_snapshot!("failing_text", out);
}

#[test]
fn coverage_counts_reached_and_deciding_rules_and_names_the_rest() {
    let output = run(&["test", "--coverage", "tests/suite/failing.yaml"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    // Failures first, then the coverage, then the summary alone on the last line.
    let coverage_at = out.find("coverage of ").unwrap();
    assert!(out.rfind("FAIL ").unwrap() < coverage_at);
    assert!(out.ends_with("\n\n1 passed, 3 failed\n"), "{out}");
    let row = |id: &str| -> Vec<String> {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("a row for {id}: {out}"));
        line.split_whitespace().map(str::to_string).collect()
    };
    // Rule, effect, reached, decided, where.
    assert_eq!(row("partner-admins-purchase")[1..4], ["permit", "2", "1"]);
    assert_eq!(
        row("reservation-unavailable-market")[1..4],
        ["forbid", "2", "1"]
    );
    assert_eq!(row("cancel-within-window")[1..4], ["permit", "1", "1"]);
    assert_eq!(row("range-out-of-order")[1..4], ["reject", "4", "0"]);
    assert_eq!(row("activity-log-viewers")[1..4], ["permit", "0", "0"]);
    assert!(row("activity-log-viewers")[4].contains("06-activity-log.policy:"));
    assert_eq!(row("default-deny")[1..4], ["deny", "-", "0"]);
    assert!(out.contains("never reached: customers-cannot-purchase, customer-admins-own-server-subscriptions, activity-log-viewers, hybrid-benefit-by-partner-admins"), "{out}");
    assert!(
        out.contains("reached but never deciding: request-before-purchase,"),
        "{out}"
    );
}

/// Regression (issue 9, found writing the example policy): `--coverage` exits 0 with
/// rules never reached, so CI had to read the report to require full coverage.
#[test]
fn require_full_coverage_exits_1_when_a_rule_is_never_reached_or_never_decides() {
    let partial = run(&[
        "test",
        "--require-full-coverage",
        "policies/csp-software/tests/exchange.yaml",
    ]);
    assert_eq!(code(&partial), 1, "{}", stdout(&partial));
    assert!(stdout(&partial).contains("never reached: "));
    assert!(
        stderr(&partial).contains("--require-full-coverage"),
        "{}",
        stderr(&partial)
    );
    // The same cases with `--coverage` alone pass.
    let reported = run(&[
        "test",
        "--coverage",
        "policies/csp-software/tests/exchange.yaml",
    ]);
    assert_eq!(code(&reported), 0);
    let full = run(&[
        "test",
        "--require-full-coverage",
        "policies/csp-software/tests",
    ]);
    assert_eq!(code(&full), 0, "{}", stdout(&full));
}

#[test]
fn the_json_report_parses() {
    let output = run(&[
        "test",
        "--format",
        "json",
        "--coverage",
        "tests/suite/failing.yaml",
    ]);
    assert_eq!(code(&output), 1);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "one JSON document on one line");
    let report: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 3);
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    assert_eq!(cases[0]["name"], "a case that passes");
    assert_eq!(cases[0]["passed"], true);
    assert_eq!(cases[0]["mismatches"], serde_json::json!([]));
    assert_eq!(cases[1]["passed"], false);
    assert_eq!(cases[1]["suite"], "tests/suite/failing.yaml");
    assert_eq!(cases[1]["line"], 15);
    assert_eq!(cases[1]["expected"]["decision"], "allow");
    assert_eq!(cases[1]["actual"]["decision"], "deny");
    assert_eq!(
        cases[1]["actual"]["reasons"][0]["rule"],
        "reservation-unavailable-market"
    );
    assert_eq!(cases[1]["mismatches"][0]["check"], "decision");
    // A rule id the policy does not have is pointed out (a likely typo).
    assert_eq!(
        cases[1]["unknown_rules"],
        serde_json::json!(["reservation-unavailable-markets"])
    );
    assert_eq!(cases[0]["unknown_rules"], serde_json::json!([]));
    assert_eq!(cases[0]["request_file"], Value::Null);
    assert_eq!(
        cases[3]["request_file"],
        "tests/suite/requests/download-missing-downloads.json"
    );
    // Expected facts keep their types: text stays text, numbers stay numbers.
    let facts = &cases[2]["expected"]["facts"];
    assert_eq!(facts["credit_percent"], "84.66");
    assert!(facts["credit_amount"].is_number());
    assert_eq!(cases[2]["actual"]["facts"]["credit_amount"], "1015.89");
    assert_eq!(cases[3]["expected"]["rules"][0], "download-link-used-up");
    assert_eq!(cases[0]["expected"]["errors"], Value::Null);
    let coverage = &report["coverage"];
    assert!(coverage["never_reached"]
        .as_array()
        .unwrap()
        .contains(&Value::from("activity-log-viewers")));

    // Without --coverage, the coverage is null.
    let output = run(&["test", "--format", "json", "tests/suite/failing.yaml"]);
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["coverage"], Value::Null);
}

#[test]
fn the_junit_report_is_well_formed() {
    let output = run(&[
        "test",
        "--format",
        "junit",
        "--coverage",
        "tests/suite/failing.yaml",
    ]);
    assert_eq!(code(&output), 1);
    let xml = stdout(&output);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    assert!(xml.trim_end().ends_with("</testsuites>"));
    assert!(xml.contains(r#"tests="4" failures="3""#), "{xml}");
    assert_eq!(xml.matches("<testsuite ").count(), 1);
    assert_eq!(xml.matches("</testsuite>").count(), 1);
    assert_eq!(xml.matches("<testcase ").count(), 4);
    assert_eq!(xml.matches("<failure ").count(), 3);
    assert_eq!(xml.matches("</failure>").count(), 3);
    assert!(
        xml.contains("name=\"a case that passes\" classname=\"tests/suite/failing.yaml\"/>"),
        "{xml}"
    );
    // The case name with markup characters is escaped in its attribute.
    assert!(
        xml.contains(
            "name=\"an error code that is not there &lt;&amp;&gt; &quot;quoted&quot; &apos;too&apos;\""
        ),
        "{xml}"
    );
    assert!(!xml.contains("<&>"));
    assert!(xml.contains("<system-out>coverage of "), "{xml}");
    // Every `<` opens a known element (or the declaration): nothing leaked unescaped.
    for piece in xml.split('<').skip(1) {
        let name: String = piece
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '?' || *c == '-')
            .collect();
        assert!(
            [
                "?xml",
                "testsuites",
                "testsuite",
                "testcase",
                "failure",
                "system-out"
            ]
            .contains(&name.as_str()),
            "unexpected markup <{piece}"
        );
    }
}

#[test]
fn an_invalid_suite_exits_2_with_its_location() {
    let output = run(&["test", "tests/suite/malformed.yaml"]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains("tests/suite/malformed.yaml:7:7: unknown field `rule`"),
        "{err}"
    );

    let output = run(&["test", "tests/suite/broken-yaml.yaml"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("tests/suite/broken-yaml.yaml:4:"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_request_files_exit_2_and_every_problem_is_reported() {
    let output = run(&["test", "tests/suite/bad-request-file.yaml"]);
    assert_eq!(code(&output), 2);
    let err = stderr(&output);
    assert!(
        err.contains("tests/suite/bad-request-file.yaml:4:19: the request file tests/suite/requests/two-requests.yaml holds more than one request"),
        "{err}"
    );
    assert!(
        err.contains("tests/suite/bad-request-file.yaml:7:19: cannot read the request file"),
        "{err}"
    );
    // One broken suite stops the run, even next to a good one.
    let output = run(&[
        "test",
        "tests/suite/failing.yaml",
        "tests/suite/malformed.yaml",
    ]);
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
}

#[test]
fn missing_suites_exit_2() {
    let output = run(&["test", "tests/suite/no-such-suite.yaml"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no such file or folder"));
    // A folder without suite files.
    let output = run(&["test", "tests/cli/custom"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("holds no .yaml or .yml suite file"));
}

#[test]
fn a_broken_policy_exits_3() {
    let output = run(&[
        "test",
        "--policy",
        "tests/cli/broken",
        "policies/csp-software/tests",
    ]);
    assert_eq!(code(&output), 3);
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("no case was run"));
}

#[test]
fn a_policy_can_be_given() {
    // The default policy's files, given explicitly, pass the default suites too.
    let output = run(&[
        "test",
        "--policy",
        "policies/csp-software",
        "policies/csp-software/tests",
    ]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
}

/// Every YAML request of the corpus (`tests/requests/`), pasted inline into one suite,
/// gets from `test` exactly the decision `eval` gives the file. Requests a suite cannot
/// hold (merge keys, tags, duplicate keys: the suite reader refuses them, as the request
/// reader does) are left out: those belong in `request_file:`.
#[test]
fn inline_requests_are_decided_exactly_as_eval_decides_them() {
    let corpus = root().join("tests/requests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut suite = format!("now: {NOW}\ncases:\n");
    let mut expected = Vec::new();
    for file in &files {
        let output = run(&["eval", "--now", NOW, file.to_str().unwrap()]);
        let decision: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        let malformed = decision["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "malformed-request");
        if malformed {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        suite.push_str(&format!(
            "  - name: {:?}\n    expect: {{ decision: deny }}\n    request:\n",
            file.file_name().unwrap().to_str().unwrap()
        ));
        for line in text.lines() {
            suite.push_str("      ");
            suite.push_str(line);
            suite.push('\n');
        }
        expected.push(decision);
    }
    assert!(expected.len() > 100, "the corpus is there");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("suite-inline");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corpus.yaml");
    std::fs::write(&path, &suite).unwrap();
    let output = run(&["test", "--format", "json", path.to_str().unwrap()]);
    assert!(matches!(code(&output), 0 | 1), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), expected.len());
    for (case, eval) in cases.iter().zip(&expected) {
        assert_eq!(&case["actual"], eval, "{}", case["name"]);
    }
}
