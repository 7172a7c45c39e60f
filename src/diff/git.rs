//! A policy side read from a git revision (`--old REV:policies/csp-software`): the
//! `*.policy` files of a folder (or one file) as they are at `REV`, read with the `git`
//! command (`git cat-file`, `git ls-tree`) run in the current directory, with the limits
//! of policy files on disk ([`POLICY_FILES`], [`POLICY_FILE_BYTES`],
//! [`POLICY_TOTAL_BYTES`]) checked from the sizes git gives before a blob is read.

use std::process::{Command, Stdio};

use crate::limits::{POLICY_FILES, POLICY_FILE_BYTES, POLICY_TOTAL_BYTES};
use crate::source::{SourceFile, SourceMap};

/// A policy at a git revision: `REV:PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The revision (`HEAD`, `main`, `v1.2`, a commit).
    pub rev: String,
    /// The folder or file in the repository, from its top (git's `REV:PATH`).
    pub path: String,
}

impl Revision {
    /// Reads `REV:PATH` (both parts not empty, the revision not starting with `-`).
    pub fn parse(spec: &str) -> Option<Revision> {
        let (rev, path) = spec.split_once(':')?;
        if rev.is_empty() || path.is_empty() || rev.starts_with('-') {
            return None;
        }
        Some(Revision {
            rev: rev.to_string(),
            path: path.trim_end_matches('/').to_string(),
        })
    }

    fn spec(&self) -> String {
        format!("{}:{}", self.rev, self.path)
    }
}

/// Why a policy could not be read from git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// `git` could not be run.
    #[error("cannot run git to read {spec}: {error}")]
    NoGit {
        /// The revision asked for.
        spec: String,
        /// Why it could not be run.
        error: std::io::Error,
    },
    /// git refused (no repository, an unknown revision, no such path).
    #[error("cannot read {spec} from git: {message}")]
    Refused {
        /// The revision asked for.
        spec: String,
        /// What git said.
        message: String,
    },
    /// The path is neither a folder nor a file.
    #[error("{spec} is a {kind}, not a policy folder or file")]
    NotPolicy {
        /// The revision asked for.
        spec: String,
        /// What git says it is.
        kind: String,
    },
    /// The folder holds no `*.policy` file.
    #[error("{spec} holds no .policy file")]
    Empty {
        /// The revision asked for.
        spec: String,
    },
    /// Past a limit of policy files.
    #[error("{spec}: {what}")]
    TooLarge {
        /// The revision asked for.
        spec: String,
        /// Which limit.
        what: String,
    },
    /// A file is not UTF-8 text.
    #[error("{name} is not UTF-8 text")]
    NotUtf8 {
        /// The file.
        name: String,
    },
}

/// Runs git with `args`; its standard output, or what it said on standard error.
fn git(spec: &str, args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| GitError::NoGit {
            spec: spec.to_string(),
            error,
        })?;
    if !output.status.success() {
        let said = String::from_utf8_lossy(&output.stderr);
        let message = said
            .lines()
            .map(|l| l.trim_start_matches("fatal: ").trim())
            .find(|l| !l.is_empty())
            .unwrap_or("git failed")
            .to_string();
        return Err(GitError::Refused {
            spec: spec.to_string(),
            message,
        });
    }
    Ok(output.stdout)
}

/// One blob to read.
struct Blob {
    name: String,
    object: String,
    size: usize,
}

/// The policy files of `revision`, in name order, named `REV:PATH/FILE`.
pub fn sources(revision: &Revision) -> Result<SourceMap, GitError> {
    let spec = revision.spec();
    let kind = git(&spec, &["cat-file", "-t", &spec])?;
    let kind = String::from_utf8_lossy(&kind).trim().to_string();
    let blobs = match kind.as_str() {
        "tree" => listed(&spec)?,
        "blob" => {
            let size = git(&spec, &["cat-file", "-s", &spec])?;
            let size = String::from_utf8_lossy(&size)
                .trim()
                .parse()
                .unwrap_or(usize::MAX);
            vec![Blob {
                name: spec.clone(),
                object: spec.clone(),
                size,
            }]
        }
        _ => return Err(GitError::NotPolicy { spec, kind }),
    };
    if blobs.is_empty() {
        return Err(GitError::Empty { spec });
    }
    let mut total = 0usize;
    let mut sources = SourceMap::new();
    for blob in blobs {
        if blob.size > POLICY_FILE_BYTES {
            return Err(GitError::TooLarge {
                spec,
                what: format!(
                    "{} is larger than the limit of {POLICY_FILE_BYTES} bytes",
                    blob.name
                ),
            });
        }
        total = total.saturating_add(blob.size);
        if total > POLICY_TOTAL_BYTES {
            return Err(GitError::TooLarge {
                spec,
                what: format!(
                    "the policy files are larger than the limit of {POLICY_TOTAL_BYTES} bytes together"
                ),
            });
        }
        let bytes = git(&spec, &["cat-file", "blob", &blob.object])?;
        let text = String::from_utf8(bytes).map_err(|_| GitError::NotUtf8 {
            name: blob.name.clone(),
        })?;
        sources.add(SourceFile::new(blob.name, text));
    }
    Ok(sources)
}

/// The `*.policy` regular files of a tree (not its subtrees, not its links), in name
/// order.
fn listed(spec: &str) -> Result<Vec<Blob>, GitError> {
    let listing = git(spec, &["ls-tree", "-z", "-l", spec])?;
    let mut blobs = Vec::new();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        // `<mode> <type> <object> <size>\t<name>`
        let Some((meta, name)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split_whitespace().collect();
        let [mode, "blob", object, size] = fields.as_slice() else {
            continue;
        };
        if !matches!(*mode, "100644" | "100755") || !name.ends_with(".policy") {
            continue;
        }
        if blobs.len() == POLICY_FILES {
            return Err(GitError::TooLarge {
                spec: spec.to_string(),
                what: format!("the folder holds more than {POLICY_FILES} .policy files"),
            });
        }
        blobs.push(Blob {
            name: format!("{spec}/{name}"),
            object: (*object).to_string(),
            size: size.parse().unwrap_or(usize::MAX),
        });
    }
    blobs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(blobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_is_rev_colon_path() {
        assert_eq!(
            Revision::parse("HEAD~1:policies/csp-software/"),
            Some(Revision {
                rev: "HEAD~1".into(),
                path: "policies/csp-software".into()
            })
        );
        for bad in ["policies", ":x", "HEAD:", "--output=x:y"] {
            assert_eq!(Revision::parse(bad), None, "{bad}");
        }
    }
}
