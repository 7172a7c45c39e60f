//! A policy's revision: the SHA-256 of its files' names and contents, so that a decision
//! (and a decision-log entry) names exactly the policy text that made it. The same files
//! give the same revision wherever they are on disk: only the file name, not the folder,
//! goes into the hash, with each file's length so that no two different policies can
//! spell the same bytes.

use sha2::{Digest, Sha256};

use crate::source::SourceMap;

/// The revision of a policy: 64 lower-case hex digits of SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Revision(String);

impl Revision {
    /// The revision of these sources, in their order: for each file, its name (the last
    /// component of its path), then its text, each preceded by its length in bytes.
    pub fn of(sources: &SourceMap) -> Revision {
        let mut hash = Sha256::new();
        for file in sources.files() {
            let name = file_name(&file.name);
            for part in [name.as_bytes(), file.text.as_bytes()] {
                hash.update((part.len() as u64).to_le_bytes());
                hash.update(part);
            }
        }
        let digest = hash.finalize();
        let mut hex = String::with_capacity(64);
        for byte in digest {
            hex.push(hex_digit(byte >> 4));
            hex.push(hex_digit(byte & 0xf));
        }
        Revision(hex)
    }

    /// A revision computed before (the embedded policy's prepared form carries its
    /// own, computed from the same files: `load/prepared.rs`).
    pub(crate) fn known(hex: &str) -> Revision {
        Revision(hex.to_string())
    }

    /// The 64 hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The last component of a file's name as the sources hold it (`/` or `\` separated).
pub(crate) fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn sources(files: &[(&str, &str)]) -> SourceMap {
        let mut map = SourceMap::new();
        for (name, text) in files {
            map.add(SourceFile::new(*name, *text));
        }
        map
    }

    #[test]
    fn the_revision_is_the_sha256_of_names_and_contents_whatever_the_folder() {
        let a = Revision::of(&sources(&[("a/x.policy", "actions { p }")]));
        let b = Revision::of(&sources(&[("other/place/x.policy", "actions { p }")]));
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert!(a
            .as_str()
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }

    #[test]
    fn a_changed_name_text_or_split_changes_the_revision() {
        let base = Revision::of(&sources(&[("x.policy", "ab"), ("y.policy", "c")]));
        for other in [
            sources(&[("x.policy", "ab"), ("y.policy", "d")]),
            sources(&[("z.policy", "ab"), ("y.policy", "c")]),
            sources(&[("x.policy", "a"), ("y.policy", "bc")]),
            sources(&[("x.policy", "ab")]),
        ] {
            assert_ne!(base, Revision::of(&other));
        }
    }
}
