//! The `csp-policy` binary, run as a user runs it: exit codes, output formats, streams
//! (JSON Lines and multi-document YAML) with broken records, `--now`, `--policy`
//! (broken and custom policies), `check`, and inputs built to crash a parser.
//! Fixtures live in `tests/cli/`; very large inputs are generated here and piped in.
//! Tests marked `Regression (fixed)` pin bugs these tests found.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{code, decisions, run, run_with_stdin, stderr, stdout, ALLOW_LINE, NOW};

use std::process::Output;

use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("{}/tests/cli/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn only_decision(output: &Output) -> Value {
    let mut all = decisions(output);
    assert_eq!(all.len(), 1, "one decision expected:\n{}", stdout(output));
    all.remove(0)
}

fn error_codes(decision: &Value) -> Vec<String> {
    decision["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors is a list: {decision}"))
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn reason_rules(decision: &Value) -> Vec<String> {
    decision["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("reasons is a list: {decision}"))
        .iter()
        .map(|r| r["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The error with `code` in a decision.
fn error<'a>(decision: &'a Value, code: &str) -> &'a Value {
    decision["errors"]
        .as_array()
        .and_then(|errors| errors.iter().find(|e| e["code"] == code))
        .unwrap_or_else(|| panic!("no `{code}` error in {decision}"))
}

// ---------------------------------------------------------------------------------
// One request, JSON output, exit codes 0 and 1.

#[test]
fn an_allowed_request_exits_0_with_a_json_decision() {
    let out = run(&["eval", &fixture("purchase-allow.yaml")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = only_decision(&out);
    assert_eq!(d["decision"], "allow");
    assert_eq!(d["action"], "purchase");
    assert_eq!(reason_rules(&d), ["partner-admins-purchase"]);
    assert_eq!(d["reasons"][0]["effect"], "permit");
    assert!(d["reasons"][0]["message"].is_string());
    assert_eq!(d["errors"], serde_json::json!([]));
    assert_eq!(d["facts"]["price_includes_tax"], false);
}

#[test]
fn a_denied_request_exits_1() {
    let out = run(&["eval", &fixture("purchase-deny.yaml")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = only_decision(&out);
    assert_eq!(d["decision"], "deny");
    assert_eq!(d["action"], "purchase");
    assert_eq!(reason_rules(&d), ["default-deny"]);
    assert_eq!(d["errors"], serde_json::json!([]));
    assert!(d["facts"].is_object());
}

#[test]
fn the_design_example_gives_exactly_the_design_facts() {
    let out = run(&["eval", &fixture("design-example.yaml")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = only_decision(&out);
    assert_eq!(d["decision"], "allow");
    assert_eq!(d["action"], "cancel");
    assert_eq!(reason_rules(&d), ["cancel-within-window"]);
    assert_eq!(d["errors"], serde_json::json!([]));
    let facts = d["facts"].as_object().expect("facts is an object");
    let names: Vec<&str> = facts.keys().map(String::as_str).collect();
    assert_eq!(names.len(), 5, "exactly the five cancel facts: {names:?}");
    assert_eq!(facts["days_left_to_cancel"].to_string(), "4");
    assert_eq!(facts["early_termination_fee"], false);
    assert_eq!(facts["credit_kind"], "prorated");
    // A JSON number, written exactly (no float noise).
    assert!(facts["credit_percent"].is_number());
    assert_eq!(facts["credit_percent"].to_string(), "84.66");
    // Money is a string with two decimals.
    assert_eq!(facts["credit_amount"], "1015.89");
}

// ---------------------------------------------------------------------------------
// Streams.

#[test]
fn a_json_lines_stream_keeps_every_record_in_order_with_its_own_errors() {
    let out = run(&["eval", &fixture("stream.jsonl")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 5, "one decision per record, blank line skipped");

    assert_eq!(d[0]["decision"], "allow");
    assert_eq!(d[0]["facts"]["price_includes_tax"], false);

    assert_eq!(d[1]["decision"], "deny");
    assert_eq!(reason_rules(&d[1]), ["default-deny"]);
    assert_eq!(d[1]["errors"], serde_json::json!([]));

    // The broken record is on input line 4 (line 3 is blank).
    assert_eq!(d[2]["decision"], "deny");
    assert!(error_codes(&d[2]).contains(&"malformed-request".to_string()));
    assert_eq!(error(&d[2], "malformed-request")["line"], 4);

    assert_eq!(d[3]["decision"], "deny");
    assert_eq!(d[3]["action"], "purchase");
    assert_eq!(error_codes(&d[3]), ["unknown-market"]);
    assert_eq!(error(&d[3], "unknown-market")["field"], "customer.market");

    assert_eq!(d[4]["decision"], "allow");
    assert_eq!(d[4]["facts"]["price_includes_tax"], true, "AU includes tax");
}

#[test]
fn a_yaml_stream_refuses_duplicate_keys_merge_keys_and_tags_per_document() {
    let out = run(&["eval", "--now", NOW, &fixture("stream.yaml")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 5, "one decision per document");

    assert_eq!(d[0]["decision"], "allow");
    assert_eq!(d[0]["facts"]["price_includes_tax"], false);

    for (i, what) in [(1, "duplicate"), (2, "merge"), (3, "tag")] {
        assert_eq!(d[i]["decision"], "deny", "document {}", i + 1);
        assert_eq!(d[i]["facts"], serde_json::json!({}), "document {}", i + 1);
        let malformed = error(&d[i], "malformed-request");
        let message = malformed["message"].as_str().unwrap_or_default();
        assert!(message.contains(what), "document {}: {message}", i + 1);
    }
    // The second `action:` of document 2 is on line 10 of the file.
    assert_eq!(error(&d[1], "malformed-request")["line"], 10);

    assert_eq!(d[4]["decision"], "allow");
    assert_eq!(d[4]["facts"]["price_includes_tax"], true, "BR includes tax");
}

#[test]
fn a_broken_first_json_line_does_not_swallow_the_stream() {
    // Regression (fixed): the stream format is decided from the first line. When the first JSON line
    // is broken (it starts with `{` but does not end with `}`), the whole JSON Lines
    // stream is read as ONE YAML document: 3 records in, 1 decision out. docs/request.md:
    // "a broken one is that record's own deny ... the rest go on; nothing is dropped".
    let out = run(&["eval", &fixture("stream-first-line-broken.jsonl")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 3, "one decision per line:\n{}", stdout(&out));
    assert!(error_codes(&d[0]).contains(&"malformed-request".to_string()));
    assert_eq!(d[1]["decision"], "allow");
    assert_eq!(d[2]["decision"], "deny");
}

// ---------------------------------------------------------------------------------
// Standard input.

#[test]
fn a_dash_reads_standard_input() {
    let input = std::fs::read(fixture("purchase-allow.yaml")).expect("fixture");
    let out = run_with_stdin(&["eval", "-"], &input);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(only_decision(&out)["decision"], "allow");
}

#[test]
fn no_input_argument_reads_standard_input() {
    let input = std::fs::read(fixture("purchase-deny.yaml")).expect("fixture");
    let out = run_with_stdin(&["eval"], &input);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_eq!(only_decision(&out)["decision"], "deny");
}

#[test]
fn stdin_and_file_give_the_same_output() {
    let input = std::fs::read(fixture("stream.jsonl")).expect("fixture");
    let from_stdin = run_with_stdin(&["eval"], &input);
    let from_file = run(&["eval", &fixture("stream.jsonl")]);
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert_eq!(code(&from_stdin), code(&from_file));
}

// ---------------------------------------------------------------------------------
// Output formats and --explain.

#[test]
fn format_yaml_writes_one_yaml_document_per_decision() {
    let out = run(&["eval", "--format", "yaml", &fixture("design-example.yaml")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("---\ndecision: allow\n"), "{text}");
    assert!(text.contains("credit_percent: 84.66"), "{text}");
    assert!(text.contains("credit_amount: \"1015.89\""), "{text}");
}

#[test]
fn format_yaml_on_a_stream_writes_one_document_per_record() {
    let out = run(&["eval", "--format", "yaml", &fixture("stream.jsonl")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.matches("---\ndecision: ").count(), 5, "{text}");
    assert!(text.contains("code: \"malformed-request\""), "{text}");
}

#[test]
fn format_text_writes_the_verdict_reasons_and_facts() {
    let out = run(&["eval", "--format", "text", &fixture("design-example.yaml")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ALLOW cancel"), "{text}");
    assert!(text.contains("cancel-within-window"), "{text}");
    assert!(text.contains("credit_amount"), "{text}");
    assert!(text.contains("1015.89"), "{text}");
}

#[test]
fn format_text_names_the_input_line_of_each_request() {
    let out = run(&["eval", "--format", "text", &fixture("stream.jsonl")]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    for line in [1, 2, 4, 5, 6] {
        assert!(text.contains(&format!("request at line {line}:")), "{text}");
    }
    assert!(text.contains("malformed-request"), "{text}");
}

#[test]
fn explain_in_text_names_every_rule_considered() {
    let out = run(&[
        "eval",
        "--explain",
        "--format",
        "text",
        &fixture("design-example.yaml"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for rule in [
        "request-before-purchase",
        "canceled-order-revoked",
        "cancel-window-ended",
        "suse-redhat-plans-are-final",
        "cancel-within-window",
    ] {
        assert!(text.contains(rule), "`{rule}` not explained:\n{text}");
    }
}

#[test]
fn explain_in_json_adds_an_explanation_list() {
    let out = run(&["eval", "--explain", &fixture("design-example.yaml")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let d = only_decision(&out);
    let entries = d["explanation"].as_array().expect("explanation is a list");
    assert!(entries.iter().any(|e| e["rule"] == "cancel-window-ended"));
}

#[test]
fn without_explain_there_is_no_explanation() {
    let out = run(&["eval", &fixture("design-example.yaml")]);
    assert!(only_decision(&out).get("explanation").is_none());
}

// ---------------------------------------------------------------------------------
// --now, unreadable and empty inputs.

#[test]
fn now_is_used_when_the_request_has_no_at() {
    let inside = run(&["eval", "--now", NOW, &fixture("design-example-no-at.yaml")]);
    assert_eq!(code(&inside), 0, "{}", stderr(&inside));
    let d = only_decision(&inside);
    assert_eq!(d["facts"]["days_left_to_cancel"], 4);
    assert_eq!(d["facts"]["credit_amount"], "1015.89");

    let after = run(&[
        "eval",
        "--now",
        "2026-12-25T12:00:00Z",
        &fixture("design-example-no-at.yaml"),
    ]);
    assert_eq!(code(&after), 1, "{}", stderr(&after));
    let d = only_decision(&after);
    assert_eq!(reason_rules(&d), ["cancel-window-ended"]);
    assert_eq!(d["facts"]["early_termination_fee"], true);
}

#[test]
fn the_request_at_wins_over_now() {
    let out = run(&[
        "eval",
        "--now",
        "2027-06-01T00:00:00Z",
        &fixture("design-example.yaml"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(only_decision(&out)["facts"]["days_left_to_cancel"], 4);
}

#[test]
fn now_accepts_lower_case_t_and_z() {
    let out = run(&[
        "eval",
        "--now",
        "2026-11-25t12:00:00z",
        &fixture("design-example-no-at.yaml"),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn a_bad_now_exits_2() {
    for bad in ["yesterday", "2026-11-25T12:00:00", "2026-11-25"] {
        let out = run(&["eval", "--now", bad, &fixture("purchase-allow.yaml")]);
        assert_eq!(code(&out), 2, "--now {bad}");
        assert!(stdout(&out).is_empty());
        assert!(stderr(&out).contains("--now"), "{}", stderr(&out));
    }
}

#[test]
fn a_missing_input_file_exits_2() {
    let out = run(&["eval", &fixture("no-such-request.yaml")]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("no-such-request.yaml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_input_file_exits_2() {
    let out = run(&["eval", &fixture("empty.yaml")]);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
}

#[test]
fn blank_standard_input_exits_2() {
    for input in ["", "\n\n", "  \n# only a comment\n"] {
        let out = run_with_stdin(&["eval"], input.as_bytes());
        assert_eq!(code(&out), 2, "input {input:?}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn an_unknown_format_exits_2() {
    let out = run(&["eval", "--format", "xml", &fixture("purchase-allow.yaml")]);
    assert_eq!(code(&out), 2);
}

// ---------------------------------------------------------------------------------
// Policies: broken, default, custom.

#[test]
fn eval_with_a_broken_policy_exits_3_and_shows_where() {
    let policy = fixture("broken/broken.policy");
    let out = run(&["eval", "--policy", &policy, &fixture("design-example.yaml")]);
    assert_eq!(code(&out), 3);
    assert!(stdout(&out).is_empty(), "nothing is evaluated");
    let err = stderr(&out);
    assert!(err.contains(&format!("{policy}:20:57")), "{err}");
    assert!(err.contains("order.purchase_at"), "{err}");
    assert!(
        err.contains("permit cancel to partner admin_agent when at is after order.purchase_at"),
        "the source line: {err}"
    );
    // miette underlines the span on a line of the `·` gutter.
    assert!(
        err.lines()
            .any(|l| l.trim_start().starts_with('·') && l.contains("───")),
        "an underline: {err}"
    );
    assert!(err.contains("order.purchased_at"), "the hint: {err}");
}

#[test]
fn check_on_a_broken_policy_exits_1_with_the_location() {
    let out = run(&["check", "--policy", &fixture("broken")]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("broken.policy:20:57"), "{err}");
    assert!(err.contains("unknown-field"), "{err}");
    assert!(
        err.contains("────────┬────────"),
        "an underline as wide as the field: {err}"
    );
    assert!(err.contains("did you mean `order.purchased_at`?"), "{err}");
}

#[test]
fn check_on_the_embedded_policy_exits_0() {
    let out = run(&["check"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stderr(&out).contains("0 error(s)"), "{}", stderr(&out));
}

#[test]
fn check_deny_warnings_on_the_embedded_policy_exits_0() {
    let out = run(&["check", "--deny-warnings"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[test]
fn check_format_json_prints_one_diagnostic_per_line() {
    let policy = fixture("broken/broken.policy");
    let out = run(&["check", "--format", "json", "--policy", &policy]);
    assert_eq!(code(&out), 1);
    let diagnostics = decisions(&out);
    assert_eq!(diagnostics.len(), 1, "{}", stdout(&out));
    let d = &diagnostics[0];
    assert_eq!(d["file"], policy.as_str());
    assert_eq!(d["line"], 20);
    assert_eq!(d["column"], 57);
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "unknown-field");
    assert!(d["message"]
        .as_str()
        .unwrap_or_default()
        .contains("order.purchase_at"));
    assert!(d["help"]
        .as_str()
        .unwrap_or_default()
        .contains("order.purchased_at"));
}

#[test]
fn check_format_json_on_the_embedded_policy_prints_nothing() {
    let out = run(&["check", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).trim().is_empty(), "{}", stdout(&out));
}

#[test]
fn check_does_not_call_a_used_window_unused() {
    // Regression (fixed): a window measured from a misspelt field (`order.purchase_at`) gets the right
    // error, plus two false ones: "the window `cancellation` is never used" (line 22
    // uses it) and "there is no window `cancellation`" (line 19 declares it).
    let out = run(&[
        "check",
        "--format",
        "json",
        "--policy",
        &fixture("broken-window"),
    ]);
    assert_eq!(code(&out), 1);
    let codes: Vec<String> = decisions(&out)
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(codes, ["unknown-field"], "{}", stdout(&out));
}

#[test]
fn a_missing_policy_path_exits_2() {
    let out = run(&[
        "eval",
        "--policy",
        &fixture("no-such.policy"),
        &fixture("purchase-allow.yaml"),
    ]);
    assert_eq!(code(&out), 2);
}

#[test]
fn a_custom_policy_folder_replaces_the_default() {
    let out = run(&["check", "--policy", &fixture("custom")]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = run(&[
        "eval",
        "--policy",
        &fixture("custom"),
        &fixture("library-stream.jsonl"),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 3);

    assert_eq!(d[0]["decision"], "allow");
    assert_eq!(d[0]["action"], "borrow");
    assert_eq!(reason_rules(&d[0]), ["readers-borrow"]);

    assert_eq!(d[1]["decision"], "deny");
    assert_eq!(reason_rules(&d[1]), ["default-deny"]);
    assert_eq!(d[1]["errors"], serde_json::json!([]));

    // CSP words mean nothing to this policy.
    assert_eq!(d[2]["decision"], "deny");
    assert!(error_codes(&d[2]).contains(&"unknown-action".to_string()));
}

#[test]
fn a_custom_policy_does_not_know_the_csp_actions() {
    let out = run(&[
        "eval",
        "--policy",
        &fixture("custom"),
        &fixture("purchase-allow.yaml"),
    ]);
    assert_eq!(code(&out), 1);
    let d = only_decision(&out);
    assert_eq!(d["decision"], "deny");
    assert!(error_codes(&d).contains(&"unknown-action".to_string()));
}

// ---------------------------------------------------------------------------------
// Hostile inputs: deep nesting and huge records never crash the process.

#[test]
fn a_json_line_nested_10000_deep_is_a_deny_and_the_stream_goes_on() {
    let deep = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let input = format!("{deep}\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["decision"], "deny");
    assert!(!error_codes(&d[0]).is_empty(), "{}", d[0]);
    assert_eq!(d[1]["decision"], "allow");
}

#[test]
fn a_json_field_nested_10000_deep_is_a_deny() {
    let deep = format!(
        "{{\"action\":\"purchase\",\"actor\":{{\"kind\":\"partner\",\"roles\":{}{}}}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let input = format!("{deep}\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["decision"], "deny");
    assert!(!error_codes(&d[0]).is_empty(), "{}", d[0]);
    assert_eq!(d[1]["decision"], "allow");
}

#[test]
fn a_yaml_flow_value_nested_10000_deep_is_a_deny() {
    let input = format!("actor: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = only_decision(&out);
    assert_eq!(d["decision"], "deny");
    assert!(error_codes(&d).contains(&"malformed-request".to_string()));
}

#[test]
fn a_yaml_block_mapping_nested_200_deep_is_a_deny_and_the_stream_goes_on() {
    let mut deep = String::new();
    for i in 0..200 {
        deep.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
    }
    deep.push_str(&format!("{}x: 1\n", "  ".repeat(200)));
    let ok = "action: purchase\nat: 2026-11-25T12:00:00Z\nactor: { kind: partner, roles: [admin_agent] }\ncustomer: { market: KR }\nproduct: { category: server_subscription }\n";
    let input = format!("{deep}---\n{ok}");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["decision"], "deny");
    assert!(error_codes(&d[0]).contains(&"malformed-request".to_string()));
    assert_eq!(d[1]["decision"], "allow");
}

#[test]
fn a_yaml_alias_bomb_is_a_deny() {
    let mut input = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 9].join(", ");
        input.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    input.push_str("action: purchase\n");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = only_decision(&out);
    assert!(error_codes(&d).contains(&"malformed-request".to_string()));
}

#[test]
fn a_2_mb_json_line_is_its_own_deny_and_the_next_record_is_decided() {
    let huge = format!(
        "{{\"action\":\"purchase\",\"pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let input = format!("{ALLOW_LINE}\n{huge}\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 3);
    assert_eq!(d[0]["decision"], "allow");
    assert_eq!(d[1]["decision"], "deny");
    assert_eq!(error_codes(&d[1]), ["request-too-large"]);
    assert_eq!(error(&d[1], "request-too-large")["line"], 2);
    assert_eq!(d[2]["decision"], "allow");
}

#[test]
fn a_2_mb_first_json_line_still_opens_json_lines() {
    let huge = format!(
        "{{\"action\":\"purchase\",\"pad\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let input = format!("{huge}\n{ALLOW_LINE}\n");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 2);
    assert_eq!(error_codes(&d[0]), ["request-too-large"]);
    assert_eq!(d[1]["decision"], "allow");
}

#[test]
fn a_2_mb_yaml_document_is_its_own_deny_and_the_next_is_decided() {
    let ok = "action: purchase\nat: 2026-11-25T12:00:00Z\nactor: { kind: partner, roles: [admin_agent] }\ncustomer: { market: KR }\nproduct: { category: server_subscription }\n";
    let mut huge = String::from("action: purchase\n");
    for i in 0..2100 {
        huge.push_str(&format!("pad{i}: {}\n", "x".repeat(1000)));
    }
    let input = format!("{ok}---\n{huge}---\n{ok}");
    let out = run_with_stdin(&["eval"], input.as_bytes());
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 3);
    assert_eq!(d[0]["decision"], "allow");
    assert_eq!(error_codes(&d[1]), ["request-too-large"]);
    assert_eq!(d[2]["decision"], "allow");
}

#[test]
fn a_line_that_is_not_utf8_is_its_own_deny() {
    let mut input = Vec::new();
    input.extend_from_slice(ALLOW_LINE.as_bytes());
    input.extend_from_slice(b"\n{\"action\":\"purch\xff\"}\n");
    input.extend_from_slice(ALLOW_LINE.as_bytes());
    input.push(b'\n');
    let out = run_with_stdin(&["eval"], &input);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let d = decisions(&out);
    assert_eq!(d.len(), 3);
    assert_eq!(error(&d[1], "malformed-request")["line"], 2);
    assert_eq!(d[2]["decision"], "allow");
}

// ---------------------------------------------------------------------------------
// Help.

#[test]
fn help_documents_the_exit_codes() {
    for args in [
        &["--help"][..],
        &["eval", "--help"][..],
        &["check", "--help"][..],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 0, "{args:?}");
        let text = stdout(&out);
        assert!(text.contains("Exit codes"), "{args:?}: {text}");
        for n in ["0 ", "1 ", "2 ", "3 "] {
            assert!(
                text.lines().any(|l| l.trim_start().starts_with(n)),
                "{args:?}: exit code {n}missing:\n{text}"
            );
        }
    }
}
