//! Helpers shared by the library-level tests: the default policy's files followed by
//! extra policy text, compiled, and what the checker said about it.

use csp_policy::load::{self, Loaded};
use csp_policy::source::SourceFile;
use csp_policy::Policy;

/// The `--now` of the tests (2026-11-25T12:00:00Z).
pub const NOW_UTC: chrono::DateTime<chrono::Utc> =
    chrono::DateTime::from_timestamp_nanos(1_795_608_000_000_000_000);

/// Loads and checks the default policy's files followed by `extra` files (name, text).
pub fn compile_files(extra: &[(&str, &str)]) -> Loaded {
    let mut sources = load::embedded_sources();
    for (name, text) in extra {
        sources.add(SourceFile::new(*name, *text));
    }
    load::compile(sources)
}

/// Loads and checks the default policy's files followed by `text` as `extra.policy`.
pub fn compile_with(text: &str) -> Loaded {
    compile_files(&[("extra.policy", text)])
}

/// The default policy with `text` as one more file; panics with the rendered
/// diagnostics when the checker says anything (an error or a warning).
pub fn policy_with(text: &str) -> Policy {
    try_policy_with(text).unwrap_or_else(|rendered| panic!("{rendered}"))
}

/// The codes of the diagnostics `text` gets after the default policy's files, in order.
pub fn codes_with(text: &str) -> Vec<&'static str> {
    compile_with(text)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect()
}

/// The default policy with `text` as one more file, or every diagnostic rendered when
/// the checker says anything (an error or a warning).
pub fn try_policy_with(text: &str) -> Result<Policy, String> {
    let loaded = compile_with(text);
    let rendered = loaded.render_diagnostics();
    match loaded.policy {
        Some(policy) if rendered.is_empty() => Ok(policy),
        _ => Err(rendered.join("\n")),
    }
}
