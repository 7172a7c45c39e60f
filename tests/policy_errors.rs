//! Diagnostic snapshots: each `tests/policies/err_*.policy` is loaded after the default
//! policy's files, so that it holds exactly one mistake, and every diagnostic the
//! checker prints for it is pinned.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::policy::compile_files;
use csp_policy::load;
use csp_policy::source::SourceFile;

#[test]
fn diagnostics() {
    insta::glob!("policies/err_*.policy", |path| {
        let mut sources = load::embedded_sources();
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = format!(
            "tests/policies/{}",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        sources.add(SourceFile::new(name, text));
        let rendered = load::compile(sources).render_diagnostics();
        assert!(
            !rendered.is_empty(),
            "{} should produce a diagnostic",
            path.display()
        );
        insta::assert_snapshot!(rendered.join("\n"));
    });
}

/// The codes of every diagnostic of the default policy's files followed by `extra`
/// files (name, text), in order.
fn codes_with(extra: &[(&str, &str)]) -> Vec<&'static str> {
    let loaded = compile_files(extra);
    assert!(loaded.policy.is_none() || loaded.diagnostics.is_empty());
    loaded.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn a_syntax_error_does_not_hide_the_other_files_problems() {
    let codes = codes_with(&[
        ("a.policy", "rule r\n  allow cancel\n  because \"x\"\n"),
        ("b.policy", "fact f for cancel = order.purchase_at\n"),
        ("c.policy", "markets m \"M\" {\n  AU \"Austria\"\n}\nfact g for purchase = customer.market is in m\n"),
    ]);
    assert_eq!(codes, ["syntax", "unknown-field", "market-name-wrong-code"]);
}

#[test]
fn every_syntax_error_of_a_file_is_reported_and_the_rest_is_checked() {
    let text = "let a = 1 +\n\nrule r\n  allow cancel\n  because \"x\"\n\nrule s\n  forbid cancel when order.stauts is canceled\n  because \"y\"\n\nlet b = (2\n";
    let codes = codes_with(&[("a.policy", text)]);
    assert_eq!(codes, ["syntax", "syntax", "unknown-field", "syntax"]);
}

#[test]
fn uses_of_a_declaration_with_a_syntax_error_are_not_called_unknown() {
    // `grace` cannot be read, so its uses say nothing; `typo` is still reported.
    let codes = codes_with(&[
        ("a.policy", "window grace is 30 dayz from order.purchased_at\n"),
        ("b.policy", "rule r\n  forbid cancel when at is within grace\n  because \"x\"\n\nfact f for cancel = typo\n"),
    ]);
    assert_eq!(codes, ["syntax", "unknown-name"]);
}

#[test]
fn a_vocabulary_block_with_a_syntax_error_silences_unknown_names_only() {
    // The broken `roles` block might have declared `auditor`: no unknown-role error;
    // the market name is checked all the same.
    let codes = codes_with(&[
        ("a.policy", "roles for partner {\n  auditor \"Auditor\n}\n"),
        ("b.policy", "rule r\n  permit view_activity_log to partner auditor\n  because \"x\"\n\nmarkets m \"M\" {\n  AU \"Austria\"\n}\nfact g for purchase = customer.market is in m\n"),
    ]);
    assert_eq!(codes, ["syntax", "market-name-wrong-code"]);
}

#[test]
fn the_default_policy_has_no_diagnostic_at_all() {
    assert_eq!(codes_with(&[]), Vec::<&str>::new());
}
