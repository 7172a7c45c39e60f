//! `csp-policy fmt`: formats files and folders of policy files in place, or with
//! `--check` prints a unified diff of each file that would change. The files, the
//! formatting and the safe rewrite are the library's ([`csp_policy::fmt::paths`]); this
//! says what happened and decides the exit code.
//!
//! Exit codes ([`super::exit`]): 0 when every file is formatted (or was rewritten), 1 when
//! a file would change under `--check` or a file does not parse (it is reported as
//! `check` reports it and left untouched), 2 when a file or folder cannot be read or
//! written, or standard output cannot be written. The highest applies; standard output
//! being a closed pipe gives 141 (see [`super::output`]): `--check` stops there, a
//! rewrite goes on with every file (its output is only a log).

use std::path::PathBuf;

use csp_policy::fmt::paths::{self, Formatted, Mode};

use super::exit;
use super::output::{say, Stdout};

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
pub fn run(files: &[PathBuf], check: bool) -> i32 {
    let mut outcome = Outcome::default();
    let expanded = paths::expand(files);
    for problem in &expanded.problems {
        if problem.is_error() {
            say!("error: {problem}\n");
            outcome.unreadable = true;
        } else {
            say!("warning: {problem}\n");
        }
    }
    let mode = if check { Mode::Check } else { Mode::Write };
    let mut out = Stdout::new();
    let mut changed = 0usize;
    let mut total = 0usize;
    for path in &expanded.files {
        total += 1;
        match paths::format_path(path, mode) {
            Ok(Formatted::Unchanged) => {}
            Ok(Formatted::WouldChange { diff }) => {
                out.write(&diff);
                outcome.failed = true;
                changed += 1;
            }
            Ok(Formatted::Rewritten) => {
                out.write(&format!("formatted {}\n", path.display()));
                changed += 1;
            }
            Err(problem) => {
                say!("{}", problem.render());
                if problem.is_io() {
                    outcome.unreadable = true;
                } else {
                    outcome.failed = true;
                }
            }
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
