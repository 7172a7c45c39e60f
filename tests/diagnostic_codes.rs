//! Diagnostic codes are a stable contract: every code `check` can show has its own
//! kebab-case string and is listed in `docs/language.md` ("What `check` catches").

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use csp_policy::DiagnosticCode;

#[test]
fn every_code_that_can_be_shown_is_documented() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md");
    let language = std::fs::read_to_string(path).expect("docs/language.md is readable");
    let missing: Vec<&str> = DiagnosticCode::all()
        .filter(|code| code.is_shown())
        .map(|code| code.as_str())
        .filter(|code| !language.contains(&format!("`{code}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "diagnostic codes not documented in docs/language.md: {missing:?}"
    );
}

#[test]
fn the_strings_are_the_ones_users_already_match() {
    // A few codes pinned by name: renaming a variant must not rename its string.
    assert_eq!(DiagnosticCode::Syntax.as_str(), "syntax");
    assert_eq!(DiagnosticCode::UnknownField.as_str(), "unknown-field");
    assert_eq!(
        DiagnosticCode::UnknownMarketList.as_str(),
        "unknown-market-list"
    );
    assert_eq!(DiagnosticCode::NeverApplies.to_string(), "never-applies");
    assert!(!DiagnosticCode::BrokenLet.is_shown());
}
