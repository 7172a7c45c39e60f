//! Constants and messages (issue 9): named constants usable wherever a literal of their
//! type is, message formats and fallbacks, escapes in messages, and a broken `let`
//! reported once, at the `let`. Each policy text is loaded after the default policy's
//! files; the codes of every diagnostic are compared.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::policy::{compile_with, NOW_UTC as NOW};

/// Loads the default policy's files followed by `text` and returns the codes of every
/// diagnostic, in order, with the line each one points at.
fn diagnostics(text: &str) -> Vec<(&'static str, usize)> {
    let loaded = compile_with(text);
    loaded
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str(), loaded.sources.location(d.span).line))
        .collect()
}

#[test]
fn a_broken_let_is_reported_once_at_the_let_not_where_a_fact_reads_it() {
    let text = "let broken_days = whole_days(order.purchased_at, order.nope)\n\
                fact broken_fact for cancel = broken_days\n\
                rule shows-broken-fact\n  reject cancel when order.id is \"X-1\"\n  because \"Fact: {broken_fact}.\"\n";
    assert_eq!(diagnostics(text), [("unknown-field", 1)]);
}

/// Decides one JSON request with the default policy's files followed by `text`.
fn decide(text: &str, request: &str) -> serde_json::Value {
    let policy = common::policy::policy_with(text);
    serde_json::from_str(&policy.decide_json(request, NOW).to_json()).unwrap()
}

/// A download request: the link was issued 5 days before `NOW` and used `downloads`
/// times.
fn download(downloads: u32) -> String {
    format!(
        r#"{{"action":"download","at":"2026-11-25T12:00:00Z","actor":{{"kind":"partner","roles":["admin_agent"]}},"product":{{"category":"server_subscription"}},"link":{{"issued_at":"2026-11-20T12:00:00Z","downloads":{downloads}}}}}"#
    )
}

/// A policy that uses four values; `constants` declares them by name, or not at all
/// when the values are written out.
fn policy_with(constants: &str, life: &str, uses: &str, grace: &str) -> String {
    format!(
        "{constants}\
         link short_link expires {life} after link.issued_at or after {uses} uses counted in link.downloads\n\
         window grace is {grace} from link.issued_at\n\
         fact short_uses_left for download = short_link.uses_left\n\
         fact short_cap for download = {uses} * 2\n\
         rule short-link-used-up\n  reject download when link.downloads >= {uses} and at is within grace\n  because \"Used {{link.downloads}} of {{short_link.limit}} uses within {{grace.length}}.\"\n"
    )
}

#[test]
fn constants_decide_exactly_as_the_literals_they_name() {
    let constants =
        "constant link_life = 7 days\nconstant link_uses = 4\nconstant grace_length = 1 week\n";
    let named = policy_with(constants, "link_life", "link_uses", "grace_length");
    let literal = policy_with("", "7 days", "4", "1 week");
    for downloads in [0, 3, 4, 9] {
        let request = download(downloads);
        assert_eq!(
            decide(&named, &request),
            decide(&literal, &request),
            "{downloads}"
        );
    }
    let used_up = decide(&named, &download(4));
    assert_eq!(used_up["decision"], "deny");
    assert_eq!(used_up["facts"]["short_cap"], 8);
    let errors = used_up["errors"].to_string();
    assert!(
        errors.contains("Used 4 of 4 uses within 7 days."),
        "{errors}"
    );
}

#[test]
fn a_constant_is_usable_in_conditions_facts_and_messages_by_its_name() {
    let text = "constant uses_cap = 4\nconstant cap_note = \"the cap\"\nconstant minus_one = -1\n\
                fact cap_left for download = uses_cap - link.downloads + minus_one\n\
                rule cap-reached\n  reject download when link.downloads >= uses_cap\n  because \"{cap_note}: {uses_cap} uses.\"\n";
    let decided = decide(text, &download(5));
    assert_eq!(decided["facts"]["cap_left"], -2);
    assert!(
        decided["errors"].to_string().contains("the cap: 4 uses."),
        "{decided}"
    );
    assert_eq!(decide(text, &download(1))["facts"]["cap_left"], 2);
}

#[test]
fn mistakes_with_constants_are_located() {
    // A cycle: one diagnostic, at the name the cycle comes back to.
    assert_eq!(
        diagnostics("constant a = b\nconstant b = a\nfact f for cancel = a\n"),
        [("cyclic-constant", 1)]
    );
    // A value that reads the request.
    assert_eq!(
        diagnostics("constant a = link.downloads\nfact f for download = a\n"),
        [("constant-not-fixed", 1)]
    );
    // A window length that names no constant.
    assert_eq!(
        diagnostics("window w is grace_days from order.purchased_at\nfact f for cancel = w.end\n"),
        [("unknown-constant", 1)]
    );
    // A name declared twice.
    assert_eq!(
        diagnostics("constant a = 1\nconstant a = 2\nfact f for cancel = a\n"),
        [("duplicate-name", 2)]
    );
    // Unused.
    assert_eq!(diagnostics("constant a = 1\n"), [("unused", 1)]);
    // A constant of the wrong type for a window, and a limit that is not whole.
    assert_eq!(
        diagnostics(
            "constant n = 3\nwindow w is n from order.purchased_at\nfact f for cancel = w.end\n"
        ),
        [("type-mismatch", 2)]
    );
    assert_eq!(
        diagnostics("constant n = 2.5\nlink l expires 1 day after link.issued_at or after n uses counted in link.downloads\nfact f for download = l.expired\n"),
        [("type-mismatch", 2)]
    );
    // An unknown name in a constant's value.
    assert_eq!(
        diagnostics("constant a = nope\nfact f for cancel = a\n"),
        [("unknown-name", 1)]
    );
}

/// The code and the text under the underline of each diagnostic of `text`.
fn underlined(text: &str) -> Vec<(&'static str, String)> {
    let loaded = compile_with(text);
    loaded
        .diagnostics
        .iter()
        .map(|d| {
            let under = text
                .get(d.span.start as usize..d.span.end as usize)
                .unwrap_or("(elsewhere)");
            (d.code.as_str(), under.to_string())
        })
        .collect()
}

#[test]
fn a_placeholder_is_underlined_exactly_after_escapes() {
    for message in [
        r#"a \"quoted\" {nope}"#,
        r#"a \\ backslash {nope}"#,
        r#"a \{brace\} {nope}"#,
        r#"a \u{e9} {nope}"#,
        r#"tab\t{nope}"#,
    ] {
        let text = format!(
            "rule escaped\n  reject download when link.downloads > 1000\n  because \"{message}\"\n"
        );
        assert_eq!(
            underlined(&text),
            [("unknown-name", "nope".to_string())],
            "{message}"
        );
    }
}

#[test]
fn a_backslash_before_a_placeholder_is_a_backslash_and_the_placeholder_is_read() {
    let text = "rule backslash\n  reject download when link.downloads > 3\n  because \"path \\\\{link.downloads} and \\{literal\\}\"\n";
    let decided = decide(text, &download(5));
    let errors = decided["errors"].to_string();
    // JSON escapes the backslash: `path \5` is `path \\5` in JSON text.
    assert!(errors.contains(r#"path \\5 and {literal}"#), "{errors}");
}

#[test]
fn a_text_literal_has_its_brace_escapes_resolved() {
    let text = "fact braces for download = \"a\\{b\\}\"\n";
    let decided = decide(text, &download(0));
    assert_eq!(decided["facts"]["braces"], "a{b}");
}

#[test]
fn messages_format_money_numbers_and_dates_and_fall_back_when_a_value_is_absent() {
    let text = "constant fee = 1200\n\
                rule formatted\n  reject download when link.downloads > 3\n  because \"fee {fee as money}, {fee as number}, issued {link.issued_at as date} ({link.issued_at as time}), name {customer.name or the customer}, tenant {customer.tenant_id or none}.\"\n";
    let decided = decide(text, &download(5));
    let errors = decided["errors"].to_string();
    assert!(
        errors.contains("fee 1200.00, 1200, issued 2026-11-20 (2026-11-20T12:00:00Z), name the customer, tenant none."),
        "{errors}"
    );
}

#[test]
fn a_format_that_does_not_fit_the_value_is_located() {
    let text = "rule bad-format\n  reject download when link.downloads > 3\n  because \"{link.issued_at as money} {link.downloads as percent}\"\n";
    assert_eq!(
        underlined(text),
        [
            ("type-mismatch", "money".to_string()),
            ("bad-placeholder", "percent".to_string())
        ]
    );
}

#[test]
fn a_field_that_may_be_absent_without_a_fallback_is_a_warning() {
    let rule = |message: &str, condition: &str| {
        format!("rule shows\n  reject download when {condition}\n  because \"{message}\"\n")
    };
    // Only `absent-in-message` here: a reject that a missing field turns off
    // (`fail-open`) is tested with the checker.
    let absent_only = |text: &str| {
        underlined(text)
            .into_iter()
            .filter(|(code, _)| *code != "fail-open")
            .collect::<Vec<_>>()
    };
    let absent = [("absent-in-message", "customer.domain".to_string())];
    // Neither required for `download` nor tested by the condition.
    assert_eq!(
        absent_only(&rule("{customer.domain}", "link.downloads > 3")),
        absent
    );
    // A fallback, a test in the condition (in every branch), or a requirement: no warning.
    assert_eq!(
        absent_only(&rule("{customer.domain or none}", "link.downloads > 3")),
        []
    );
    assert_eq!(
        absent_only(&rule(
            "{customer.domain}",
            "link.downloads > 3 and customer.domain contains \"x\""
        )),
        []
    );
    assert_eq!(
        absent_only(&rule(
            "{customer.domain}",
            "customer.domain is present or link.downloads > 3"
        )),
        absent
    );
    assert_eq!(
        absent_only(&rule("{link.downloads} at {at}", "link.downloads > 3")),
        []
    );
}
