//! Diagnostic snapshots: each `tests/policies/err_*.policy` is loaded after the default
//! policy's files, so that it holds exactly one mistake, and every diagnostic the
//! checker prints for it is pinned.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

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
        let loaded = load::compile(sources);
        let rendered: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.render(&loaded.sources))
            .collect();
        assert!(
            !rendered.is_empty(),
            "{} should produce a diagnostic",
            path.display()
        );
        insta::assert_snapshot!(rendered.join("\n"));
    });
}
