//! Input framing (issue 7, "Records lost or invented"), run as a user runs the binary:
//! `--input json|jsonl|yaml`, the file extension, the content rule for standard input,
//! line endings, byte-order marks, YAML directives, `csp-policy test` request files, and
//! decisions written as soon as a live pipe goes quiet. Every test here failed before
//! the framing work (the two-objects-on-one-line test pins a decision instead).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{bin, decisions, run, run_with_stdin, stdout, ALLOW_LINE, NOW};

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// The same request as one line of flow-style YAML (not JSON: the keys are bare).
const ALLOW_FLOW: &str = "{action: purchase, at: 2026-11-25T12:00:00Z, actor: {kind: partner, roles: [admin_agent]}, customer: {market: KR}, product: {category: server_subscription}}";

/// The same request as block-style YAML (five lines).
const ALLOW_BLOCK: &str = "action: purchase\nat: 2026-11-25T12:00:00Z\nactor: { kind: partner, roles: [admin_agent] }\ncustomer: { market: KR }\nproduct: { category: server_subscription }\n";

/// How long a test waits for a decision from a live pipe before it fails.
const LIVE_TIMEOUT: Duration = Duration::from_secs(20);

/// A fresh folder for this test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli_framing")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

/// Writes `contents` to `name` in the test's folder and returns its path.
fn file(test: &str, name: &str, contents: &[u8]) -> String {
    let path = scratch(test).join(name);
    std::fs::write(&path, contents).expect("a scratch file");
    path.display().to_string()
}

fn verdicts(output: &Output) -> Vec<String> {
    decisions(output)
        .iter()
        .map(|d| d["decision"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The `line` of the decision's first error with `code`.
fn error_line(decision: &Value, code: &str) -> Value {
    decision["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["code"] == code))
        .unwrap_or_else(|| panic!("no `{code}` error in {decision}"))["line"]
        .clone()
}

fn all_allow(n: usize) -> Vec<String> {
    vec!["allow".to_string(); n]
}

// ---------------------------------------------------------------------------------
// The file extension decides.

#[test]
fn a_jsonl_file_whose_first_line_is_plain_text_gives_one_decision_per_line() {
    // Before: read as ONE YAML document, 1,010 lines in, 1 decision out.
    let mut input = String::from("this line is not JSON\n");
    for _ in 0..1_009 {
        input.push_str(ALLOW_LINE);
        input.push('\n');
    }
    let path = file("plain_first_line", "stream.jsonl", input.as_bytes());
    let out = run(&["eval", "--now", NOW, &path]);
    let d = decisions(&out);
    assert_eq!(d.len(), 1_010);
    assert_eq!(d[0]["decision"], "deny");
    assert_eq!(error_line(&d[0], "malformed-request"), 1);
    assert!(d[1..].iter().all(|d| d["decision"] == "allow"));
    // The same through `.ndjson`.
    let path = file("plain_first_line_ndjson", "stream.ndjson", input.as_bytes());
    assert_eq!(decisions(&run(&["eval", "--now", NOW, &path])).len(), 1_010);
}

#[test]
fn a_json_file_with_two_concatenated_objects_decides_both() {
    // Before: the lone `{` of a pretty-printed object made it YAML, and the two
    // objects one malformed document.
    let first = "{\n  \"action\": \"purchase\",\n  \"at\": \"2026-11-25T12:00:00Z\",\n  \"actor\": {\"kind\": \"partner\", \"roles\": [\"admin_agent\"]},\n  \"customer\": {\"market\": \"KR\"},\n  \"product\": {\"category\": \"server_subscription\"}\n}\n";
    let input = format!("{first}{first}");
    let path = file("concatenated_json", "requests.json", input.as_bytes());
    let out = run(&["eval", "--now", NOW, "--format", "text", &path]);
    let text = stdout(&out);
    assert!(text.starts_with("request at line 1: ALLOW"), "{text}");
    assert!(text.contains("request at line 8: ALLOW"), "{text}");
    assert_eq!(text.matches("request at line").count(), 2, "{text}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_yaml_file_of_one_flow_style_line_is_yaml() {
    // Before: a first line opening with `{` made the file JSON Lines.
    let input = format!("{ALLOW_FLOW}\n");
    let path = file("flow_yaml_file", "request.yaml", input.as_bytes());
    assert_eq!(verdicts(&run(&["eval", "--now", NOW, &path])), all_allow(1));
}

#[test]
fn a_request_file_of_a_suite_is_framed_by_its_extension() {
    // Before: `test` read this `.yaml` request file as JSON Lines (malformed JSON).
    let dir = scratch("suite_request_file");
    std::fs::write(dir.join("flow.yaml"), format!("{ALLOW_FLOW}\n")).unwrap();
    std::fs::write(
        dir.join("suite.yaml"),
        "cases:\n  - name: a flow-style YAML request file\n    request_file: flow.yaml\n    expect: { decision: allow }\n",
    )
    .unwrap();
    let out = run(&["test", &dir.join("suite.yaml").display().to_string()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------
// `--input` decides, over the extension and the content.

#[test]
fn input_jsonl_reads_standard_input_as_json_lines() {
    let input = format!("plain text\n{ALLOW_LINE}\n\n{ALLOW_LINE}\n");
    let out = run_with_stdin(
        &["eval", "--now", NOW, "--input", "jsonl", "-"],
        input.as_bytes(),
    );
    let d = decisions(&out);
    assert_eq!(d.len(), 3, "{}", stdout(&out));
    assert_eq!(error_line(&d[0], "malformed-request"), 1);
    assert_eq!(d[2]["decision"], "allow");
}

#[test]
fn input_yaml_wins_over_the_extension() {
    let input = format!("{ALLOW_BLOCK}---\n{ALLOW_BLOCK}");
    let path = file("input_yaml", "misnamed.jsonl", input.as_bytes());
    let out = run(&["eval", "--now", NOW, "--input", "yaml", &path]);
    assert_eq!(verdicts(&out), all_allow(2));
}

#[test]
fn input_json_reads_concatenated_json_documents() {
    let input = format!("{ALLOW_LINE}\n  {ALLOW_LINE} {ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval", "--now", NOW, "--input", "json"], input.as_bytes());
    assert_eq!(verdicts(&out), all_allow(3));
}

#[test]
fn an_unknown_input_format_exits_2() {
    let out = run_with_stdin(&["eval", "--input", "xml"], ALLOW_LINE.as_bytes());
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------------------------
// By content (standard input, other names).

#[test]
fn a_flow_style_yaml_stream_is_not_json_lines() {
    // Before: read as JSON Lines: the `---` lines became extra denies and every flow
    // document was refused as malformed JSON.
    let input = format!("{ALLOW_FLOW}\n---\n{ALLOW_FLOW}\n--- # the third\n{ALLOW_FLOW}\n");
    let out = run_with_stdin(&["eval", "--now", NOW], input.as_bytes());
    assert_eq!(verdicts(&out), all_allow(3), "{}", stdout(&out));
}

#[test]
fn a_json_style_yaml_stream_is_not_json_lines() {
    let input = format!("{ALLOW_LINE}\n---\n{ALLOW_LINE}\n---\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval", "--now", NOW], input.as_bytes());
    assert_eq!(verdicts(&out), all_allow(3), "{}", stdout(&out));
}

#[test]
fn a_yaml_directive_is_part_of_the_next_document() {
    // Before: `%YAML 1.2` was a record of its own (a deny).
    let input = format!("%YAML 1.2\n---\n{ALLOW_BLOCK}...\n%YAML 1.2\n---\n{ALLOW_BLOCK}");
    let path = file("directive", "requests.txt", input.as_bytes());
    let out = run(&["eval", "--now", NOW, "--format", "text", &path]);
    let text = stdout(&out);
    assert_eq!(text.matches("request at line").count(), 2, "{text}");
    assert!(text.starts_with("request at line 1: ALLOW"), "{text}");
    assert!(text.contains("request at line 9: ALLOW"), "{text}");
}

#[test]
fn a_bom_before_a_later_separator_does_not_merge_two_documents() {
    let input = format!("\u{feff}{ALLOW_BLOCK}\u{feff}---\n{ALLOW_BLOCK}");
    let out = run_with_stdin(&["eval", "--now", NOW], input.as_bytes());
    assert_eq!(verdicts(&out), all_allow(2), "{}", stdout(&out));
}

#[test]
fn cr_only_line_endings_separate_records() {
    let input = format!("{ALLOW_LINE}\r{ALLOW_LINE}\r\r{ALLOW_LINE}");
    let out = run_with_stdin(
        &["eval", "--now", NOW, "--format", "text"],
        input.as_bytes(),
    );
    let text = stdout(&out);
    for line in [1, 2, 4] {
        assert!(
            text.contains(&format!("request at line {line}: ALLOW")),
            "{text}"
        );
    }
    let crlf = format!("{ALLOW_BLOCK}---\n{ALLOW_BLOCK}").replace('\n', "\r\n");
    let out = run_with_stdin(&["eval", "--now", NOW], crlf.as_bytes());
    assert_eq!(verdicts(&out), all_allow(2));
}

#[test]
fn a_jsonl_stream_whose_first_line_is_plain_text_on_standard_input() {
    let input = format!("garbage\n{ALLOW_LINE}\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval", "--now", NOW], input.as_bytes());
    assert_eq!(
        verdicts(&out),
        ["deny", "allow", "allow"],
        "{}",
        stdout(&out)
    );
}

#[test]
fn two_json_objects_on_one_line_are_one_malformed_record() {
    // A decision, not a fix: in JSON Lines a record is a line (see src/request/stream.rs).
    let input = format!("{ALLOW_LINE}\n{ALLOW_LINE}{ALLOW_LINE}\n{ALLOW_LINE}\n");
    let path = file("two_on_a_line", "stream.jsonl", input.as_bytes());
    let d = decisions(&run(&["eval", "--now", NOW, &path]));
    assert_eq!(d.len(), 3);
    assert_eq!(error_line(&d[1], "malformed-request"), 2);
    assert_eq!(
        (&d[0]["decision"], &d[2]["decision"]),
        (&"allow".into(), &"allow".into())
    );
}

// ---------------------------------------------------------------------------------
// Live pipes: a decision is written as soon as the input goes quiet.

/// Starts `eval` with `args`, writes `input` to its standard input and keeps it open;
/// returns the first line of its output, or `None` after [`LIVE_TIMEOUT`].
fn first_line_while_input_stays_open(args: &[&str], input: &str) -> Option<String> {
    let mut child = bin()
        .arg("eval")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(input.as_bytes())
        .expect("the request is written");
    stdin.flush().expect("flushed");
    let out = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(out).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(LIVE_TIMEOUT).ok();
    // Close the input: the binary ends (and so does the reader thread).
    drop(stdin);
    if line.is_none() {
        let _ = child.kill();
    }
    let _ = child.wait();
    let _ = reader.join();
    line
}

#[test]
fn a_json_line_on_a_live_pipe_is_decided_before_the_input_ends() {
    for jobs in ["1", "2"] {
        let line = first_line_while_input_stays_open(
            &["--now", NOW, "--jobs", jobs, "-"],
            &format!("{ALLOW_LINE}\n"),
        );
        let line =
            line.unwrap_or_else(|| panic!("no decision while the pipe is open (--jobs {jobs})"));
        assert!(line.starts_with(r#"{"decision":"allow""#), "{line}");
    }
}

#[test]
fn a_yaml_document_ended_by_dots_on_a_live_pipe_is_decided_at_once() {
    let line = first_line_while_input_stays_open(
        &["--now", NOW, "--input", "yaml"],
        &format!("{ALLOW_BLOCK}...\n"),
    );
    let line = line.expect("no decision while the pipe is open");
    assert!(line.starts_with(r#"{"decision":"allow""#), "{line}");
}

#[test]
fn a_flow_yaml_document_on_a_live_pipe_is_decided_when_it_closes() {
    let line = first_line_while_input_stays_open(
        &["--now", NOW, "--input", "yaml"],
        &format!("{ALLOW_FLOW}\n"),
    );
    let line = line.expect("no decision while the pipe is open");
    assert!(line.starts_with(r#"{"decision":"allow""#), "{line}");
}

#[test]
fn an_object_left_open_by_a_stray_cr_does_not_swallow_the_requests_after_it() {
    // The fuzzer's first framing finding (`tests/cli/stream-stray-cr.bin`): four JSON
    // lines, the first with a stray CR inside a string (so its object does not close on
    // its line) and quotes off balance in the second. Before: read as YAML, the open
    // objects swallowed the lines after them, two decisions (lines 1 and 3) for four
    // requests. Now every object at column 0 is a record of its own.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/stream-stray-cr.bin");
    let out = run(&["eval", "--now", NOW, "--format", "text", path]);
    let text = stdout(&out);
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("request at line"))
        .collect();
    assert_eq!(
        heads,
        [
            "request at line 1: DENY (no action)",
            "request at line 3: DENY (no action)",
            "request at line 4: DENY purchase",
            "request at line 5: DENY (no action)",
        ],
        "{text}"
    );
}
