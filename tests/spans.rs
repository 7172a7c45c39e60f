//! Spans as errors and explanations quote them (issue 8): an expression is quoted from
//! its first token to its last, parentheses included, layout and comments after it left
//! out. Each policy here is loaded after the default policy's files.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::source::SourceFile;
use csp_policy::stream::{Format, RawRecord};
use csp_policy::{load, Decision, Options, Policy};

fn with_extra(extra: &str) -> Policy {
    let mut sources = load::embedded_sources();
    sources.add(SourceFile::new("extra.policy", extra));
    let loaded = load::compile(sources);
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.is_empty(), "{codes:?}");
    loaded.policy.unwrap()
}

const CANCEL: &str = "action: cancel\nat: 2026-11-25T12:00:00Z\n\
    actor: { kind: partner, roles: [admin_agent] }\ncustomer: { name: Contoso }\n\
    product: { name: Office, category: perpetual_software }\n\
    order: { id: ORD-1, purchased_at: 2026-10-01T09:30:00Z, status: active, price: \"1200.00\" }\n";

fn decide(policy: &Policy, explain: bool) -> Decision {
    let options = Options {
        explain,
        ..Options::at(csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap())
    };
    let raw = RawRecord {
        text: CANCEL.to_string(),
        line: 1,
        format: Format::Yaml,
        oversized: None,
        not_utf8: false,
    };
    policy.decide_raw(&raw, &options)
}

#[test]
fn a_division_by_zero_quotes_the_parenthesised_divisor_whole() {
    // Issue 8: the error read "division by zero in `100 / (n - 2`".
    let policy = with_extra("let n = 2\nfact f for cancel = 100 / (n - 2)\n");
    let d = decide(&policy, false);
    let errors: Vec<String> = d.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        ["cannot compute f: division by zero in `100 / (n - 2)`"]
    );
}

#[test]
fn an_explanation_quotes_a_condition_without_the_layout_after_it() {
    // Issue 8: a condition was quoted with the layout after it: its line break and
    // indentation, and a comment there.
    let policy = with_extra(
        "rule r forbid cancel when order.id contains \"x\"  # not x\n  \n  because \"m\"\n",
    );
    let d = decide(&policy, true);
    let quoted: Vec<&String> = d
        .explanation
        .iter()
        .filter(|line| line.contains("order.id contains"))
        .collect();
    assert!(!quoted.is_empty(), "{:#?}", d.explanation);
    for line in quoted {
        assert!(line.starts_with("  order.id contains \"x\": "), "{line:?}");
    }
}
