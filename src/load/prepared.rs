//! The embedded policy prepared ahead: its compiled form, checked once and written as
//! bytes (`policies/csp-software.prepared`, postcard through serde, see
//! `crate::policy::serial`), so that a start reads it back instead of parsing and
//! checking the policy again (the parser and the checker are nine tenths of a start).
//!
//! The bytes are checked in beside the policy and can never be used stale: they carry
//! the revision of the sources they were compiled from (`crate::revision`), and a
//! policy whose embedded sources have another revision is compiled from its sources as
//! before. The unit test below fails when the bytes differ from a fresh compile of the
//! sources (a changed policy, or a changed compiled form); `CSP_PREPARE=1 cargo test
//! --lib load::prepared` writes them anew. `csp-policy check`, a user's own policy and
//! every other source still go through the whole checker.

use serde::{Deserialize, Serialize};

use crate::policy::CompiledPolicy;
use crate::revision::Revision;
use crate::source::SourceMap;

/// The prepared bytes of the embedded policy, as checked in.
const PREPARED: &[u8] = include_bytes!("../../policies/csp-software.prepared");

/// The first field of the bytes: names the format, so that bytes of another format are
/// never read as this one. Change it when the layout changes in a way the revision
/// and the field order would not show.
const FORMAT: &str = "csp-policy prepared 1";

/// What the bytes hold.
#[derive(Serialize, Deserialize)]
struct Prepared<'a> {
    /// [`FORMAT`].
    format: &'a str,
    /// The revision of the sources the policy was compiled from.
    revision: &'a str,
    /// The compiled policy, without its sources.
    compiled: CompiledPolicy,
}

/// The prepared policy for `sources`, when the embedded bytes were compiled from
/// exactly these sources (same revision) and read back whole; `None` otherwise (the
/// caller then compiles the sources).
pub(super) fn read(sources: &SourceMap, revision: &Revision) -> Option<CompiledPolicy> {
    read_from(PREPARED, sources, revision)
}

fn read_from(bytes: &[u8], sources: &SourceMap, revision: &Revision) -> Option<CompiledPolicy> {
    let (prepared, rest) = postcard::take_from_bytes::<Prepared<'_>>(bytes).ok()?;
    if !rest.is_empty() || prepared.format != FORMAT || prepared.revision != revision.as_str() {
        return None;
    }
    let mut compiled = prepared.compiled;
    compiled.sources = sources.clone();
    Some(compiled)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::load::{compile, embedded_sources};

    /// The prepared bytes of `sources`: parsed, checked (any diagnostic, even a
    /// warning, refuses them) and compiled.
    fn prepare(sources: SourceMap) -> Vec<u8> {
        let loaded = compile(sources);
        assert!(
            loaded.diagnostics.is_empty(),
            "{}",
            loaded.render_diagnostics().join("\n")
        );
        let policy = loaded.policy.expect("a policy without diagnostics");
        let prepared = Prepared {
            format: FORMAT,
            revision: policy.revision.as_str(),
            compiled: policy.compiled,
        };
        postcard::to_allocvec(&prepared).expect("the compiled form is written")
    }

    /// The checked-in bytes are exactly a fresh compile of the embedded sources: a
    /// changed policy or compiled form fails here until the bytes are written anew
    /// (`CSP_PREPARE=1`).
    #[test]
    fn the_prepared_bytes_are_a_fresh_compile_of_the_sources() {
        let fresh = prepare(embedded_sources());
        if std::env::var_os("CSP_PREPARE").is_some_and(|v| v == "1") {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/policies/csp-software.prepared"
            );
            std::fs::write(path, &fresh).expect("the prepared bytes are written");
            return;
        }
        assert!(
            fresh == PREPARED,
            "policies/csp-software.prepared is not the compiled form of \
             policies/csp-software/ (a changed policy or compiled form): write it anew with \
             `CSP_PREPARE=1 cargo test --lib load::prepared` and commit it"
        );
    }

    /// What the embedded bytes read back to is the fresh compile itself: written again,
    /// it gives the same bytes (the round trip loses nothing), and the sources are
    /// the embedded ones.
    #[test]
    fn the_prepared_bytes_read_back_to_the_fresh_compile() {
        let sources = embedded_sources();
        let revision = Revision::of(&sources);
        let compiled = read(&sources, &revision).expect("the prepared bytes are read");
        let again = Prepared {
            format: FORMAT,
            revision: revision.as_str(),
            compiled,
        };
        assert_eq!(
            postcard::to_allocvec(&again).unwrap(),
            prepare(sources.clone())
        );
        assert_eq!(again.compiled.sources.files().len(), sources.files().len());
        for (a, b) in again.compiled.sources.files().iter().zip(sources.files()) {
            assert_eq!((&a.name, &a.text), (&b.name, &b.text));
        }
    }

    /// Bytes compiled from other sources, of another format, cut short or followed by
    /// anything are never read: the caller compiles the sources instead.
    #[test]
    fn other_or_damaged_bytes_are_not_read() {
        let sources = embedded_sources();
        let revision = Revision::of(&sources);
        assert!(read_from(PREPARED, &sources, &revision).is_some());

        let mut edited = SourceMap::new();
        for (i, file) in sources.files().iter().enumerate() {
            let text = if i == 0 {
                format!("{}\n// edited\n", file.text)
            } else {
                file.text.clone()
            };
            edited.add(crate::source::SourceFile::new(file.name.clone(), text));
        }
        assert!(read_from(PREPARED, &edited, &Revision::of(&edited)).is_none());

        let cut = PREPARED.get(..PREPARED.len() - 1).unwrap();
        assert!(read_from(cut, &sources, &revision).is_none());
        let mut longer = PREPARED.to_vec();
        longer.push(0);
        assert!(read_from(&longer, &sources, &revision).is_none());

        let compiled = read(&sources, &revision).unwrap();
        let other_format = Prepared {
            format: "csp-policy prepared 0",
            revision: revision.as_str(),
            compiled,
        };
        let bytes = postcard::to_allocvec(&other_format).unwrap();
        assert!(read_from(&bytes, &sources, &revision).is_none());
    }
}
