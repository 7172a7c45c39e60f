//! `check`: policy text (any bytes, read as UTF-8 with bad bytes replaced) through the
//! loader behind `csp-policy check`: parsed, recovered, checked, every diagnostic
//! located and rendered. Once as a one-file policy, once after the default policy's
//! files. Never a panic or a hang; a policy comes out exactly when no diagnostic is an
//! error.

#![no_main]

use csp_policy::check::Severity;
use csp_policy::load;
use csp_policy::source::{SourceFile, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut alone = SourceMap::new();
    alone.add(SourceFile::new("fuzz.policy", text.as_ref()));
    check(alone);
    let mut after_default = load::embedded_sources();
    after_default.add(SourceFile::new("fuzz.policy", text.into_owned()));
    check(after_default);
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
