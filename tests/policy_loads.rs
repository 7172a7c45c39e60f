//! The embedded default policy parses and checks without any diagnostic.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

#[test]
fn the_default_policy_is_clean() {
    let loaded = csp_policy::load::compile(csp_policy::load::embedded_sources());
    let rendered = loaded.render_diagnostics();
    assert!(rendered.is_empty(), "{}", rendered.join("\n"));
    assert!(loaded.policy.is_some());
}
