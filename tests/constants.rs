//! Constants and messages (issue 9): named constants usable wherever a literal of their
//! type is, message formats and fallbacks, escapes in messages, and a broken `let`
//! reported once, at the `let`. Each policy text is loaded after the default policy's
//! files; the codes of every diagnostic are compared.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::load;
use csp_policy::source::SourceFile;

/// Loads the default policy's files followed by `text` and returns the codes of every
/// diagnostic, in order, with the line each one points at.
fn diagnostics(text: &str) -> Vec<(&'static str, usize)> {
    let mut sources = load::embedded_sources();
    sources.add(SourceFile::new("extra.policy", text));
    let loaded = load::compile(sources);
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
