//! `--explain` as data: in JSON and YAML the explanation is a list of entries (rule,
//! effect, outcome, each test with its operands' values), the two renderings read back
//! as the same data, and the text rendering says the same.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::{code, run, run_with_stdin, stderr, stdout, NOW};

use serde_json::{json, Value};

/// The decision `eval --explain --format FORMAT` prints for `args`, read back as data.
fn explained(format: &str, args: &[&str]) -> Value {
    let mut all = vec!["eval", "--explain", "--now", NOW, "--format", format];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let text = stdout(&out);
    match format {
        "json" => serde_json::from_str(text.trim_end()).unwrap_or_else(|e| panic!("{e}: {text}")),
        _ => serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    }
}

/// The entry of `rule` in an explanation.
fn entry<'a>(decision: &'a Value, rule: &str) -> &'a Value {
    decision["explanation"]
        .as_array()
        .expect("the explanation is a list")
        .iter()
        .find(|e| e["rule"] == rule)
        .unwrap_or_else(|| panic!("no entry for {rule}: {decision:#}"))
}

#[test]
fn explain_entries_are_objects_with_rule_effect_outcome_and_tests() {
    let d = explained("json", &["examples/purchase.yaml"]);
    assert_eq!(d["decision"], "allow");
    assert_eq!(
        entry(&d, "partner-admins-purchase"),
        &json!({"rule": "partner-admins-purchase", "effect": "permit", "outcome": "applied",
                "has_condition": false, "tests": []})
    );
    assert_eq!(
        entry(&d, "request-before-purchase"),
        &json!({"rule": "request-before-purchase", "effect": "reject",
                "outcome": "condition-false", "has_condition": true, "tests": [
            {"text": "at is before order.purchased_at", "kind": "compare", "holds": false,
             "operands": [
                {"text": "at", "type": "time", "value": "2026-11-25T12:00:00Z"},
                {"text": "order.purchased_at", "type": "absent", "value": null}]}]})
    );
    let skipped = entry(&d, "customers-cannot-purchase");
    assert_eq!(skipped["outcome"], "audience-not-matched");
    assert_eq!(
        skipped["actor"],
        json!({"side": "partner", "roles": ["admin_agent"]})
    );
    let market = &entry(&d, "reservation-unavailable-market")["tests"][1];
    assert_eq!(market["kind"], "membership");
    assert_eq!(
        market["operands"],
        json!([{"text": "customer.market", "type": "market", "value": "AU"}])
    );
}

#[test]
fn json_and_yaml_explanations_read_back_as_the_same_data() {
    for args in [
        &["examples/purchase.yaml"][..],
        &["examples/cancel.yaml"],
        &["tests/requests/download_50_downloads.yaml"],
    ] {
        let json = explained("json", args);
        let yaml = explained("yaml", args);
        assert!(json["explanation"]
            .as_array()
            .is_some_and(|e| !e.is_empty()));
        assert_eq!(json, yaml, "{args:?}");
    }
}

#[test]
fn money_and_numbers_are_decimal_strings_and_roles_a_list() {
    let d = explained("json", &["examples/cancel.yaml"]);
    let operands: Vec<&Value> = d["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["tests"].as_array().unwrap())
        .flat_map(|t| t["operands"].as_array().unwrap())
        .collect();
    assert!(!operands.is_empty());
    for operand in operands {
        let value = &operand["value"];
        match operand["type"].as_str().unwrap() {
            "absent" => assert!(value.is_null(), "{operand}"),
            "bool" => assert!(value.is_boolean(), "{operand}"),
            "roles" => assert!(value.is_array(), "{operand}"),
            "number" | "money" => {
                let text = value.as_str().unwrap();
                assert!(text.parse::<rust_decimal::Decimal>().is_ok(), "{operand}");
            }
            _ => assert!(value.is_string(), "{operand}"),
        }
    }
}

#[test]
fn a_rule_that_cannot_be_computed_is_explained_as_an_error() {
    let policy = "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  n \"n\" is a number\n  d \"d\" is a number\n}\nrule halves\n  permit go\n  when n / d > 1\n  because \"n is large\"\n";
    let dir = std::env::temp_dir().join(format!("explain-structured-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.policy");
    std::fs::write(&path, policy).unwrap();
    let path = path.to_string_lossy().into_owned();
    let out = run_with_stdin(
        &["eval", "--explain", "--policy", &path, "--now", NOW, "-"],
        b"{\"action\":\"go\",\"n\":3,\"d\":0}\n",
    );
    let d: Value = serde_json::from_str(stdout(&out).trim_end()).unwrap();
    assert_eq!(entry(&d, "halves")["outcome"], "error", "{}", stdout(&out));
    assert_eq!(
        entry(&d, "halves")["error"],
        json!({"code": "division-by-zero", "message": "division by zero in `n / d`"})
    );
    let out = run_with_stdin(
        &[
            "eval",
            "--explain",
            "--format",
            "text",
            "--policy",
            &path,
            "--now",
            NOW,
            "-",
        ],
        b"{\"action\":\"go\",\"n\":3,\"d\":0}\n",
    );
    assert!(
        stdout(&out).contains("    halves (permit) → error: division by zero in `n / d`\n"),
        "{}",
        stdout(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
