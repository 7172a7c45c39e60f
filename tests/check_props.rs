//! Property tests: neither the parser nor the whole loader (parse, syntax-error
//! recovery, check, diagnostic rendering) panics on any text. Inputs are random text,
//! and random mutations of the default policy's files (characters and tokens deleted,
//! duplicated or inserted), which reach much deeper into the checker than noise does.
//! Case counts are moderate so that `cargo test` stays fast.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use csp_policy::syntax;
use csp_policy::Severity;
use proptest::prelude::*;

/// Words and marks of the policy language, for insertions that stay close to a policy.
const TOKENS: &[&str] = &[
    "rule ",
    "permit ",
    "forbid ",
    "reject ",
    "to ",
    "when ",
    "unless ",
    "because ",
    "\"",
    "\"x\" ",
    "{",
    "}",
    "(",
    ")",
    ",",
    ".",
    "=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "#",
    "\n",
    " and ",
    " or ",
    " not ",
    " is ",
    " is not ",
    " is missing",
    " is present",
    " is in ",
    " is within ",
    " is before ",
    " is after ",
    " contains ",
    " one of ",
    "let ",
    "fact ",
    "window ",
    "link ",
    "markets ",
    "roles for ",
    "actions ",
    "input ",
    "require for ",
    "otherwise deny ",
    "every action ",
    "60 days ",
    "0 ",
    "99999999999999999999999999999 ",
    "1.5 ",
    "AU ",
    "ZZ ",
    "\"Austria\" ",
    "partner ",
    "customer ",
    "admin_agent ",
    "at ",
    "order.price ",
    "order.status ",
    "cancellation ",
    "download_link.expired ",
    "allowed ",
    "whole_days(",
    "round(",
    "clamp(",
    "if ",
    " then ",
    " else ",
    "é",
    "\\",
    "{order.id}",
];

/// One edit of a text, described by where it happens (a fraction of the length) and
/// what it does.
#[derive(Debug, Clone)]
enum Edit {
    Delete(f64, usize),
    Duplicate(f64, usize),
    InsertToken(f64, usize),
    InsertChar(f64, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0f64, 1usize..40).prop_map(|(at, n)| Edit::Delete(at, n)),
        (0.0..1.0f64, 1usize..200).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        (0.0..1.0f64, 0..TOKENS.len()).prop_map(|(at, t)| Edit::InsertToken(at, t)),
        (0.0..1.0f64, any::<char>()).prop_map(|(at, c)| Edit::InsertChar(at, c)),
    ]
}

/// The char boundary nearest below `fraction` of the text.
fn boundary(text: &str, fraction: f64) -> usize {
    let mut at = ((text.len() as f64) * fraction) as usize;
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, edit: &Edit) {
    match edit {
        Edit::Delete(at, n) | Edit::Duplicate(at, n) => {
            let start = boundary(text, *at);
            let mut end = (start + n).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            let piece = text[start..end].to_string();
            if matches!(edit, Edit::Delete(..)) {
                text.replace_range(start..end, "");
            } else {
                text.insert_str(end, &piece);
            }
        }
        Edit::InsertToken(at, t) => {
            let start = boundary(text, *at);
            text.insert_str(start, TOKENS[*t]);
        }
        Edit::InsertChar(at, c) => {
            let start = boundary(text, *at);
            text.insert(start, *c);
        }
    }
}

/// Loads `sources` and checks what every caller relies on: a policy exactly when there
/// is no error, and every diagnostic renders (plain and coloured) with its location.
fn load_and_render(sources: SourceMap) {
    let loaded = load::compile(sources);
    let has_errors = loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    assert_eq!(loaded.policy.is_some(), !has_errors);
    for d in &loaded.diagnostics {
        let text = d.render(&loaded.sources);
        let location = d.location(&loaded.sources).to_string();
        assert!(
            text.lines()
                .next()
                .is_some_and(|l| l.starts_with(&location)),
            "{text}"
        );
        let _ = d.render_styled(&loaded.sources, true);
    }
}

/// The default policy with file `index` (modulo the file count) replaced by `text`.
fn default_with(index: usize, text: String) -> SourceMap {
    let embedded = load::embedded_sources();
    let count = embedded.files().len();
    let mut sources = SourceMap::new();
    for (i, file) in embedded.files().iter().enumerate() {
        if i == index % count {
            sources.add(SourceFile::new(file.name.clone(), text.clone()));
        } else {
            sources.add(file.clone());
        }
    }
    sources
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_parser_never_panics_on_random_text(text in "\\PC{0,300}") {
        let _ = syntax::parse(0, &text);
    }

    #[test]
    fn the_parser_never_panics_on_policy_like_text(
        tokens in proptest::collection::vec(0..TOKENS.len(), 0..60)
    ) {
        let text: String = tokens.iter().map(|&t| TOKENS[t]).collect();
        let _ = syntax::parse(0, &text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn loading_never_panics_on_random_text(text in "(\\PC|\\n){0,400}") {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new("random.policy", text));
        load_and_render(sources);
    }

    #[test]
    fn loading_never_panics_on_mutated_default_policy_files(
        file in 0usize..8,
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let embedded = load::embedded_sources();
        let count = embedded.files().len();
        let mut text = embedded.files()[file % count].text.clone();
        for e in &edits {
            apply(&mut text, e);
        }
        load_and_render(default_with(file, text));
    }
}

#[test]
fn a_truncated_default_policy_file_never_panics_at_any_length() {
    // Every prefix of the rules of one file, in steps: unfinished declarations of
    // every kind.
    let embedded = load::embedded_sources();
    for (index, file) in embedded.files().iter().enumerate() {
        let text = &file.text;
        let step = (text.len() / 16).max(1);
        let mut at = 0;
        while at <= text.len() {
            if text.is_char_boundary(at) {
                load_and_render(default_with(index, text[..at].to_string()));
            }
            at += step;
        }
    }
}
