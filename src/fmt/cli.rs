//! The `fmt` command: formats files and folders of policy files in place, or with
//! `--check` prints a unified diff of each file that would change.
//!
//! Exit codes (see `EXIT_CODES` in `src/cli/mod.rs`): 0 when every file is formatted (or
//! was rewritten), 1 when a file would change under `--check` or a file does not parse
//! (it is reported as `check` reports it and left untouched), 2 when a file or folder
//! cannot be read or written, or standard output cannot be written. The highest applies;
//! standard output being a closed pipe gives 141 (see [`crate::cli::output`]): `--check`
//! stops there, a rewrite goes on with every file (its output is only a log).
//!
//! **Reading**: a file named on the command line is read whatever it is, at most
//! [`POLICY_FILE_BYTES`]; a folder gives its `*.policy` regular files, and links to regular
//! files inside it, never a link out of it ([`crate::files::list`]; what is skipped is
//! named in a warning).
//!
//! **Writing** never loses the file: the new text goes to a temporary file beside it,
//! flushed to disk and given the original's permissions (and owner, where allowed), then
//! renamed over it. A failed write (a full disk) leaves the original as it was and no
//! temporary file behind. A file named through a symbolic link is rewritten where the
//! link points, and the link stays a link.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::{format_source, FormatError};
use crate::check::Diagnostic;
use crate::cli::exit;
use crate::cli::output::{say, Stdout};
use crate::files;
use crate::limits::POLICY_FILE_BYTES;
use crate::load::POLICY_EXTENSION;
use crate::source::{SourceFile, SourceMap};
use crate::syntax::SyntaxError;

/// What happened to the files, for the exit code.
#[derive(Debug, Default)]
struct Outcome {
    /// A file would change (with `--check`), or could not be formatted.
    failed: bool,
    /// A file or folder could not be read or written.
    unreadable: bool,
}

/// Runs `fmt` over `files` (policy files, or folders whose `*.policy` files are taken,
/// not recursively); with `check`, only reports the files that would change, as
/// unified diffs on standard output. Returns the exit code.
pub fn run_cli(files: &[PathBuf], check: bool) -> i32 {
    let mut outcome = Outcome::default();
    let mut out = Stdout::new();
    let mut changed = 0usize;
    let mut total = 0usize;
    for path in expand(files, &mut outcome) {
        total += 1;
        if format_one(&path, check, &mut outcome, &mut out) {
            changed += 1;
        }
        if check && out.failed() {
            break;
        }
    }
    if let Some(code) = out.finish() {
        return code;
    }
    if check && changed > 0 {
        say!("{changed} of {total} file(s) would be reformatted\n");
    }
    if outcome.unreadable {
        exit::USAGE
    } else if outcome.failed {
        exit::DENIED_OR_FAILED
    } else {
        exit::OK
    }
}

/// The files named on the command line, folders replaced by their `*.policy` files in
/// name order (links out of a folder skipped, with a warning).
fn expand(paths: &[PathBuf], outcome: &mut Outcome) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        if !path.is_dir() {
            found.push(path.clone());
            continue;
        }
        let listing = match files::list(path, &[POLICY_EXTENSION], None) {
            Ok(listing) => listing,
            Err(e) => {
                say!("error: {e}\n");
                outcome.unreadable = true;
                continue;
            }
        };
        for skipped in &listing.skipped {
            say!("warning: {skipped}\n");
        }
        if listing.files.is_empty() {
            say!(
                "error: {} holds no .{POLICY_EXTENSION} file\n",
                path.display()
            );
            outcome.unreadable = true;
        }
        found.extend(listing.files);
    }
    found
}

/// Formats one file; returns whether it changed (or would change).
fn format_one(path: &Path, check: bool, outcome: &mut Outcome, out: &mut Stdout) -> bool {
    let name = path.display().to_string();
    let text = match files::read_text(path, POLICY_FILE_BYTES as u64) {
        Ok(text) => text,
        Err(e) => {
            say!("error: {e}\n");
            outcome.unreadable = true;
            return false;
        }
    };
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(e)) => {
            say!("{}", render_syntax_error(&name, text, &e));
            outcome.failed = true;
            return false;
        }
        Err(e @ FormatError::Internal(_)) => {
            say!("error: {name}: {e}\n");
            outcome.failed = true;
            return false;
        }
    };
    if formatted == text {
        return false;
    }
    if check {
        // A deadline keeps a diff of a huge, thoroughly messy file from taking long; past
        // it the diff is still correct, only less minimal.
        let diff = similar::TextDiff::configure()
            .timeout(std::time::Duration::from_secs(2))
            .diff_lines(&text, &formatted);
        out.write(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&name, &format!("{name} (formatted)"))
                .to_string(),
        );
        outcome.failed = true;
        return true;
    }
    match replace_file(path, &formatted) {
        Ok(()) => {
            out.write(&format!("formatted {name}\n"));
            true
        }
        Err(e) => {
            say!("error: cannot write {name}: {e}; the file is left as it was\n");
            outcome.unreadable = true;
            false
        }
    }
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

/// A syntax error as `csp-policy check` prints it: `file:line:col`, the line, a caret.
fn render_syntax_error(name: &str, text: String, error: &SyntaxError) -> String {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(name, text));
    Diagnostic::from(error).render(&sources)
}
