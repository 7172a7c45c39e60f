//! The `fmt` command: formats files and folders of policy files in place, or with
//! `--check` prints a unified diff of each file that would change.
//!
//! Exit codes (see `EXIT_CODES` in `src/cli/mod.rs`): 0 when every file is formatted (or
//! was rewritten), 1 when a file would change under `--check` or a file does not parse
//! (it is reported as `check` reports it and left untouched), 2 when a file or folder
//! cannot be read or written. The highest applies.

use std::path::{Path, PathBuf};

use super::{format_source, FormatError};
use crate::check::Diagnostic;
use crate::cli::exit;
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
    let mut changed = 0usize;
    let mut total = 0usize;
    for path in expand(files, &mut outcome) {
        total += 1;
        if format_one(&path, check, &mut outcome) {
            changed += 1;
        }
    }
    if check && changed > 0 {
        eprintln!("{changed} of {total} file(s) would be reformatted");
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
/// name order.
fn expand(paths: &[PathBuf], outcome: &mut Outcome) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                outcome.unreadable = true;
                continue;
            }
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == POLICY_EXTENSION))
            .collect();
        if found.is_empty() {
            eprintln!(
                "error: {} holds no .{POLICY_EXTENSION} file",
                path.display()
            );
            outcome.unreadable = true;
        }
        found.sort();
        files.extend(found);
    }
    files
}

/// Formats one file; returns whether it changed (or would change).
fn format_one(path: &Path, check: bool, outcome: &mut Outcome) -> bool {
    let name = path.display().to_string();
    let text = match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            eprintln!("error: cannot read {name}: the file is not UTF-8 text");
            outcome.unreadable = true;
            return false;
        }
        Err(e) => {
            eprintln!("error: cannot read {name}: {e}");
            outcome.unreadable = true;
            return false;
        }
    };
    let formatted = match format_source(&text) {
        Ok(formatted) => formatted,
        Err(FormatError::Syntax(e)) => {
            eprint!("{}", render_syntax_error(&name, text, &e));
            outcome.failed = true;
            return false;
        }
        Err(e @ FormatError::Internal(_)) => {
            eprintln!("error: {name}: {e}");
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
        print!(
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&name, &format!("{name} (formatted)"))
        );
        outcome.failed = true;
        return true;
    }
    match std::fs::write(path, &formatted) {
        Ok(()) => {
            println!("formatted {name}");
            true
        }
        Err(e) => {
            eprintln!("error: cannot write {name}: {e}");
            outcome.unreadable = true;
            false
        }
    }
}

/// A syntax error as `csp-policy check` prints it: `file:line:col`, the line, a caret.
fn render_syntax_error(name: &str, text: String, error: &SyntaxError) -> String {
    let mut sources = SourceMap::new();
    sources.add(SourceFile::new(name, text));
    Diagnostic::from(error).render(&sources)
}
