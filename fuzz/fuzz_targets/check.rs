//! `check`: policy text (any bytes, read as UTF-8 with bad bytes replaced) through the
//! loader behind `csp-policy check`: parsed, recovered, checked, every diagnostic
//! located and rendered. Never a panic or a hang; a policy comes out exactly when no
//! diagnostic is an error.
//!
//! The input is one mode byte, then the text. The text is always checked as a one-file
//! policy; when the mode byte is odd it is also checked added after the default
//! policy's files. Parsing and checking the default policy is most of the cost of an
//! input (about 20 times the one-file check), so the fuzzer spends it only on the
//! inputs that ask for it. `seed.sh` writes every seed in both modes.

#![no_main]

use csp_policy::Severity;
use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((mode, text)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(text);
    let mut alone = SourceMap::new();
    alone.add(SourceFile::new("fuzz.policy", text.as_ref()));
    check(alone);
    if mode & 1 == 1 {
        let mut after_default = load::embedded_sources();
        after_default.add(SourceFile::new("fuzz.policy", text.into_owned()));
        check(after_default);
    }
});

fn check(sources: SourceMap) {
    let loaded = load::compile(sources);
    for diagnostic in &loaded.diagnostics {
        let _ = diagnostic.location(&loaded.sources);
        let _ = diagnostic.render(&loaded.sources);
    }
    let errors = loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    assert_eq!(
        loaded.policy.is_some(),
        !errors,
        "a policy must come out exactly when there is no error"
    );
}
