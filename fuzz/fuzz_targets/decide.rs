//! `decide`: request bytes (read as UTF-8 with bad bytes replaced) decided by the
//! embedded policy as JSON and as YAML, and as JSON with an explanation. Never a panic;
//! a decision with errors is always deny; the decision renders as JSON, YAML and text;
//! the JSON parses with serde_json and says what the decision holds, and the YAML
//! parses too. The JSON request decodes to the same record on the fast path (with
//! serde_json reading what it gives up) as with serde_json alone.

#![no_main]

use csp_policy::internals::{compiled, decode};
use csp_policy::Options;
use csp_policy::stream::{Document, Format};
use csp_policy::Decision;
use csp_policy_fuzz::{now, policy};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let policy = policy();
    let fast = decode::decode_json(compiled(policy), &text, 1);
    let reference = decode::decode_json_reference(compiled(policy), &text, 1);
    assert_eq!(
        format!("{fast:?}"),
        format!("{reference:?}"),
        "the fast path and serde_json read {text:?} differently"
    );
    check(&policy.decide_json(&text, now()));
    check(&policy.decide_yaml(&text, now()));
    let explain = Options {
        explain: true,
        ..Options::at(now())
    };
    let document = Document::whole(&text, Format::Json);
    check(&policy.decide_document(&document, &explain));
});

fn check(decision: &Decision) {
    assert!(
        decision.errors.is_empty() || !decision.is_allow(),
        "a decision with errors must be deny: {decision:?}"
    );
    let json = decision.to_json();
    let parsed: Value = match serde_json::from_str(&json) {
        Ok(value) => value,
        Err(e) => panic!("the decision's JSON does not parse ({e}): {json}"),
    };
    assert_eq!(parsed["decision"], decision.verdict(), "{json}");
    assert_eq!(count(&parsed["errors"]), decision.errors.len(), "{json}");
    assert_eq!(count(&parsed["reasons"]), decision.reasons.len(), "{json}");

    let mut yaml = String::new();
    decision.write_yaml(&mut yaml);
    let parsed: Value = match serde_saphyr::from_str(&yaml) {
        Ok(value) => value,
        Err(e) => panic!("the decision's YAML does not parse ({e}):\n{yaml}"),
    };
    assert_eq!(parsed["decision"], decision.verdict(), "{yaml}");
    assert_eq!(count(&parsed["errors"]), decision.errors.len(), "{yaml}");

    let mut text = String::new();
    decision.write_text(&mut text);
    assert!(
        text.starts_with(&decision.verdict().to_uppercase()),
        "{text}"
    );
}

fn count(list: &Value) -> usize {
    list.as_array().map_or(usize::MAX, Vec::len)
}
