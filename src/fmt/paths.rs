//! Formatting policy files on disk: the files some paths stand for ([`expand`]), and one
//! file formatted in place or only compared with its canonical layout ([`format_path`]).
//! Nothing here prints: what happened is returned, and the caller (the `fmt` command)
//! says it.
//!
//! **Reading**: a file named directly is read whatever it is, at most
//! [`POLICY_FILE_BYTES`]; a folder gives its `*.policy` regular files, and links to regular
//! files inside it, never a link out of it (`files::list`; each entry skipped is
//! returned as a [`PathProblem::Skipped`]).
//!
//! **Writing** never loses the file: the new text goes to a temporary file beside it,
//! flushed to disk and given the original's permissions (and owner, where allowed), then
//! renamed over it. A failed write (a full disk) leaves the original as it was and no
//! temporary file behind. A file named through a symbolic link is rewritten where the
//! link points, and the link stays a link.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{format_source, FormatError};
use crate::files::{self, FileError, Skipped};
use crate::limits::POLICY_FILE_BYTES;
use crate::load::POLICY_EXTENSION;
use crate::source::{SourceFile, SourceMap};
use crate::syntax::SyntaxError;

/// What is asked of each file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite a file that is not in the canonical layout.
    Write,
    /// Leave every file as it is; give the diff of each one that would change.
    Check,
}

/// The files some paths stand for, and what listing their folders met, in the order met.
#[derive(Debug, Default)]
pub struct Expanded {
    /// The files, in the order of the paths; a folder's in name order.
    pub files: Vec<PathBuf>,
    /// Entries skipped (warnings) and folders that gave no file (errors).
    pub problems: Vec<PathProblem>,
}

/// Something met while listing a folder.
#[derive(Debug, thiserror::Error)]
pub enum PathProblem {
    /// An entry was not taken (a link out of the folder): a warning.
    #[error("{0}")]
    Skipped(Skipped),
    /// The folder could not be listed.
    #[error("{0}")]
    Unlistable(FileError),
    /// The folder holds no policy file.
    #[error("{} holds no .{POLICY_EXTENSION} file", .0.display())]
    NoPolicyFile(PathBuf),
}

impl PathProblem {
    /// Whether it is an error (a folder that gives nothing), not a warning.
    pub fn is_error(&self) -> bool {
        !matches!(self, PathProblem::Skipped(_))
    }
}

/// What formatting one file did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Formatted {
    /// The file is in the canonical layout already.
    Unchanged,
    /// The file would change ([`Mode::Check`]): the unified diff from it to its
    /// canonical layout, headed `NAME` and `NAME (formatted)`.
    WouldChange {
        /// The diff, as text.
        diff: String,
    },
    /// The file was rewritten in the canonical layout ([`Mode::Write`]).
    Rewritten,
}

/// Why a file could not be formatted; it is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum FileProblem {
    /// It could not be read.
    #[error("{0}")]
    Read(FileError),
    /// It does not parse.
    #[error("{name}: {error}")]
    Syntax {
        /// The file's name as given.
        name: String,
        /// Its text.
        text: String,
        /// The first syntax error.
        error: SyntaxError,
    },
    /// The formatter refused its own output (a bug in the formatter).
    #[error("{name}: {error}")]
    Format {
        /// The file's name as given.
        name: String,
        /// What was wrong.
        error: FormatError,
    },
    /// The formatted text could not be written.
    #[error("cannot write {name}: {error}; the file is left as it was")]
    Write {
        /// The file's name as given.
        name: String,
        /// The error.
        error: std::io::Error,
    },
}

impl FileProblem {
    /// Whether the file could not be read or written (rather than formatted).
    pub fn is_io(&self) -> bool {
        matches!(self, FileProblem::Read(_) | FileProblem::Write { .. })
    }

    /// The problem as the command line says it: a syntax error as `csp-policy check`
    /// prints it (`file:line:col`, the line, a caret), anything else as `error: ...`.
    pub fn render(&self) -> String {
        match self {
            FileProblem::Syntax { name, text, error } => {
                let mut sources = SourceMap::new();
                sources.add(SourceFile::new(name.as_str(), text.as_str()));
                crate::load::syntax_diagnostic(error, text).render(&sources)
            }
            other => format!("error: {other}\n"),
        }
    }
}

/// The files `paths` stand for: a path that is not a folder stands for itself; a folder
/// for its `*.policy` files in name order (not recursively; links out of it skipped).
pub fn expand(paths: &[PathBuf]) -> Expanded {
    let mut expanded = Expanded::default();
    for path in paths {
        if !path.is_dir() {
            expanded.files.push(path.clone());
            continue;
        }
        let listing = match files::list(path, &[POLICY_EXTENSION], None) {
            Ok(listing) => listing,
            Err(e) => {
                expanded.problems.push(PathProblem::Unlistable(e));
                continue;
            }
        };
        expanded
            .problems
            .extend(listing.skipped.into_iter().map(PathProblem::Skipped));
        if listing.files.is_empty() {
            expanded
                .problems
                .push(PathProblem::NoPolicyFile(path.clone()));
        }
        expanded.files.extend(listing.files);
    }
    expanded
}

/// Formats the policy file at `path`: with [`Mode::Write`] it is rewritten when it is not
/// in the canonical layout; with [`Mode::Check`] it is only compared.
pub fn format_path(path: &Path, mode: Mode) -> Result<Formatted, FileProblem> {
    let name = path.display().to_string();
    let text = files::read_text(path, POLICY_FILE_BYTES as u64).map_err(FileProblem::Read)?;
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(error)) => return Err(FileProblem::Syntax { name, text, error }),
        Err(error @ FormatError::Internal(_)) => return Err(FileProblem::Format { name, error }),
    };
    if formatted == text {
        return Ok(Formatted::Unchanged);
    }
    match mode {
        Mode::Check => Ok(Formatted::WouldChange {
            diff: unified_diff(&name, &text, &formatted),
        }),
        Mode::Write => match replace_file(path, &formatted) {
            Ok(()) => Ok(Formatted::Rewritten),
            Err(error) => Err(FileProblem::Write { name, error }),
        },
    }
}

/// The unified diff (three lines of context) from `before` to `after`, headed `name` and
/// `name (formatted)`.
fn unified_diff(name: &str, before: &str, after: &str) -> String {
    // A deadline keeps a diff of a huge, thoroughly messy file from taking long; past it
    // the diff is still correct, only less minimal.
    let diff = similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(before, after);
    diff.unified_diff()
        .context_radius(3)
        .header(name, &format!("{name} (formatted)"))
        .to_string()
}

/// Replaces the contents of the regular file at `path` (through links) with `text`
/// without ever leaving it half-written: a temporary file in the same folder, flushed,
/// given the original's permissions and owner, renamed over it.
fn replace_file(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let metadata = std::fs::metadata(&target)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let folder = target.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::Builder::new()
        .prefix(".csp-policy-fmt-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only the superuser (or the owner, for the group) may give the file away:
        // where that is not allowed, the new file stays the writer's.
        let _ = std::os::unix::fs::fchown(
            temporary.as_file(),
            Some(metadata.uid()),
            Some(metadata.gid()),
        );
    }
    temporary
        .as_file()
        .set_permissions(metadata.permissions())?;
    temporary.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(folder: &Path, name: &str, text: &str) -> PathBuf {
        let path = folder.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_folder_stands_for_its_policy_files_in_name_order() {
        let folder = tempfile::tempdir().unwrap();
        write(folder.path(), "b.policy", "");
        write(folder.path(), "a.policy", "");
        write(folder.path(), "notes.txt", "");
        let empty = tempfile::tempdir().unwrap();
        let single = PathBuf::from("anything.txt");
        let expanded = expand(&[
            single.clone(),
            folder.path().to_path_buf(),
            empty.path().to_path_buf(),
        ]);
        assert_eq!(
            expanded.files,
            [
                single,
                folder.path().join("a.policy"),
                folder.path().join("b.policy")
            ]
        );
        assert!(matches!(
            expanded.problems.as_slice(),
            [PathProblem::NoPolicyFile(p)] if p == empty.path()
        ));
        assert!(expanded.problems.iter().all(PathProblem::is_error));
    }

    #[test]
    fn check_compares_and_write_rewrites() {
        let folder = tempfile::tempdir().unwrap();
        let messy = "actions{purchase   \"Buy software\"}\n";
        let path = write(folder.path(), "a.policy", messy);
        let Ok(Formatted::WouldChange { diff }) = format_path(&path, Mode::Check) else {
            panic!("a messy file would change");
        };
        assert!(diff.contains("(formatted)") && diff.contains("-actions{purchase"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), messy);
        assert!(matches!(
            format_path(&path, Mode::Write),
            Ok(Formatted::Rewritten)
        ));
        assert!(matches!(
            format_path(&path, Mode::Check),
            Ok(Formatted::Unchanged)
        ));
    }

    #[test]
    fn problems_say_whether_the_file_could_be_read() {
        let folder = tempfile::tempdir().unwrap();
        let missing = format_path(&folder.path().join("gone.policy"), Mode::Write);
        let Err(problem) = missing else {
            panic!("a missing file is a problem");
        };
        assert!(problem.is_io());
        assert!(problem.render().starts_with("error: cannot read "));

        let path = write(folder.path(), "broken.policy", "rule x\n  permit &&\n");
        let Err(problem) = format_path(&path, Mode::Write) else {
            panic!("a file that does not parse is a problem");
        };
        assert!(!problem.is_io());
        assert!(problem.render().contains("broken.policy:"));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "rule x\n  permit &&\n"
        );
    }
}
