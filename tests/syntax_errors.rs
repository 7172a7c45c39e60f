//! One diagnostic per syntax mistake: a mistake is reported once, at the place to fix
//! (an unclosed `{` at its own line), in the same words by `check` and `fmt`, and a file
//! that does not parse does not make the checker report, in other files, the names it
//! would have declared.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

mod common;

use common::policy::compile_files;

use csp_policy::fmt::paths::{format_path, Mode};
use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};

/// Every diagnostic of the default policy's files followed by `extra` (name, text),
/// rendered.
fn rendered_with(extra: &[(&str, &str)]) -> Vec<String> {
    compile_files(extra).render_diagnostics()
}

#[test]
fn a_market_list_left_open_in_one_file_is_not_called_missing_in_another() {
    let open = "markets nordic_markets \"Nordic markets\" {\n  DK  \"Denmark\"\n  SE  \"Sweden\"\n";
    let uses = "fact nordic_market for purchase = customer.market is in nordic_markets\n\nrule nordic-reservations\n  forbid purchase\n  when product.category is azure_reservation and customer.market is in nordic_markets\n  because \"No reservations in {customer.market.name}.\"\n";
    let rendered = rendered_with(&[("a.policy", open), ("b.policy", uses)]);
    insta::assert_snapshot!(rendered.join("\n"));
}

#[test]
fn a_declaration_that_does_not_end_is_reported_once() {
    // Before the fix, every declaration above the broken link was skipped in turn and
    // the same error was printed once for each of them.
    let mut text = String::new();
    for i in 0..8 {
        text.push_str(&format!("let value_{i} = {i}\n\n"));
    }
    text.push_str("link trial expires 7 days after link.issued_at or after 3 uses\n\nrule r\n  forbid download\n  when trial.used_up\n  because \"used up\"\n");
    let rendered = rendered_with(&[("a.policy", &text)]);
    let syntax: Vec<&String> = rendered
        .iter()
        .filter(|r| r.contains("error[syntax]"))
        .collect();
    assert_eq!(syntax.len(), 1, "{rendered:#?}");
    // It names what is missing, where the next declaration starts, and the line of the
    // declaration that did not end.
    assert!(
        syntax[0].starts_with("a.policy:19:1: error[syntax]\n  × expected `counted`, found `rule`"),
        "{}",
        syntax[0]
    );
    assert!(syntax[0].contains("the one before it (line 17) is not finished"));
}

/// The first syntax error of a file as `check` prints it (the file checked alone).
fn check_says(name: &str, text: &str) -> String {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(name, text));
    let loaded = load::compile(sources);
    loaded
        .diagnostics
        .iter()
        .find(|d| d.code.as_str() == "syntax")
        .map(|d| d.render(&loaded.sources))
        .unwrap_or_else(|| panic!("{name}: check finds no syntax error"))
}

#[test]
fn fmt_and_check_describe_a_syntax_error_in_the_same_words() {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir("tests/policies")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("err_syntax_") || name == "err_unclosed_string.policy"
        })
        .collect();
    files.push("tests/fmt/err_broken.policy".into());
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let fmt_says = match format_path(Path::new(&path), Mode::Check) {
            Err(problem) => problem.render(),
            Ok(_) => panic!("{name}: fmt formats a file with a syntax error"),
        };
        assert_eq!(fmt_says, check_says(&name, &text), "{name}");
    }
}
