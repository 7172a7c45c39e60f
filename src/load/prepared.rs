//! The embedded policy prepared ahead: its compiled form, checked once and written as
//! bytes (`policies/csp-software.prepared`, postcard through serde, see
//! `crate::policy::serial`), so that a start reads it back instead of parsing and
//! checking the policy again (the parser and the checker are nine tenths of a start).
//!
//! The bytes are checked in beside the policy and can never be used stale: they carry
//! the names and texts of the files they were compiled from, and are read only when
//! those are exactly the embedded files (a comparison of bytes, no hashing); otherwise
//! the embedded sources are parsed and checked as before. They also carry the
//! revision of those files (`crate::revision`), so a start computes no SHA-256. The unit test below fails when the bytes differ from a fresh compile of the
//! sources (a changed policy, or a changed compiled form); `CSP_PREPARE=1 cargo test
//! --lib load::prepared` writes them anew. `csp-policy check`, a user's own policy and
//! every other source still go through the whole checker.

use serde::{Deserialize, Serialize};

use crate::policy::CompiledPolicy;
use crate::revision::{file_name, Revision};
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
    /// The files the policy was compiled from, in order: the last component of each
    /// name (as the revision reads it) and the text.
    #[serde(borrow)]
    files: Vec<(&'a str, &'a str)>,
    /// The revision of those files.
    revision: &'a str,
    /// The compiled policy, without its sources.
    compiled: CompiledPolicy,
}

/// The prepared policy for `sources` (without them: the caller gives it its sources)
/// and its revision, when the embedded bytes were compiled from exactly these files and
/// read back whole; `None` otherwise (the caller then compiles the sources).
pub(super) fn read(sources: &SourceMap) -> Option<(CompiledPolicy, Revision)> {
    read_from(PREPARED, sources)
}

fn read_from(bytes: &[u8], sources: &SourceMap) -> Option<(CompiledPolicy, Revision)> {
    let (prepared, rest) = postcard::take_from_bytes::<Prepared<'_>>(bytes).ok()?;
    let same_files = prepared.files.len() == sources.files().len()
        && prepared
            .files
            .iter()
            .zip(sources.files())
            .all(|(&(name, text), file)| name == file_name(&file.name) && text == file.text);
    if !rest.is_empty() || prepared.format != FORMAT || !same_files {
        return None;
    }
    Some((prepared.compiled, Revision::known(prepared.revision)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::load::{compile, embedded_sources};
    use crate::source::SourceFile;

    /// The files of `sources` as the prepared bytes name them.
    fn files(sources: &SourceMap) -> Vec<(&str, &str)> {
        sources
            .files()
            .iter()
            .map(|f| (file_name(&f.name), f.text.as_str()))
            .collect()
    }

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
            files: files(&loaded.sources),
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
    /// it gives the same bytes (the round trip loses nothing), and its revision is the
    /// sources' own.
    #[test]
    fn the_prepared_bytes_read_back_to_the_fresh_compile() {
        let sources = embedded_sources();
        let (compiled, revision) = read(&sources).expect("the prepared bytes are read");
        assert_eq!(revision, Revision::of(&sources));
        let again = Prepared {
            format: FORMAT,
            files: files(&sources),
            revision: revision.as_str(),
            compiled,
        };
        assert_eq!(
            postcard::to_allocvec(&again).unwrap(),
            prepare(sources.clone())
        );
    }

    /// Bytes compiled from other files (another text, another name, one file more or
    /// less), of another format, cut short or followed by anything are never read: the
    /// caller compiles the sources instead.
    #[test]
    fn other_or_damaged_bytes_are_not_read() {
        let sources = embedded_sources();
        assert!(read_from(PREPARED, &sources).is_some());

        fn edit(
            sources: &SourceMap,
            f: impl Fn(usize, &SourceFile) -> Option<(String, String)>,
        ) -> SourceMap {
            let mut edited = SourceMap::new();
            for (i, file) in sources.files().iter().enumerate() {
                if let Some((name, text)) = f(i, file) {
                    edited.add(SourceFile::new(name, text));
                }
            }
            edited
        }
        let text_edited = edit(&sources, |i, file| {
            let extra = if i == 0 { "\n// edited\n" } else { "" };
            Some((file.name.clone(), format!("{}{extra}", file.text)))
        });
        let renamed = edit(&sources, |i, file| {
            let name = if i == 0 {
                "renamed.policy".into()
            } else {
                file.name.clone()
            };
            Some((name, file.text.clone()))
        });
        let fewer = edit(&sources, |i, file| {
            (i > 0).then(|| (file.name.clone(), file.text.clone()))
        });
        for other in [text_edited, renamed, fewer] {
            assert!(read_from(PREPARED, &other).is_none());
        }
        let mut more = embedded_sources();
        more.add(SourceFile::new("zz.policy", ""));
        assert!(read_from(PREPARED, &more).is_none());

        let cut = PREPARED.get(..PREPARED.len() - 1).unwrap();
        assert!(read_from(cut, &sources).is_none());
        let mut longer = PREPARED.to_vec();
        longer.push(0);
        assert!(read_from(&longer, &sources).is_none());

        let (compiled, revision) = read(&sources).unwrap();
        let other_format = Prepared {
            format: "csp-policy prepared 0",
            files: files(&sources),
            revision: revision.as_str(),
            compiled,
        };
        let bytes = postcard::to_allocvec(&other_format).unwrap();
        assert!(read_from(&bytes, &sources).is_none());
    }
}
