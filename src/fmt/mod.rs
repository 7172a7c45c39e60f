//! `csp-policy fmt`: canonical layout of policy files (being written).

use std::path::PathBuf;

/// Runs `fmt` over `files`; with `check`, only reports files that would change.
pub fn run_cli(files: &[PathBuf], check: bool) -> i32 {
    let _ = (files, check);
    eprintln!("error: fmt is not available yet");
    crate::cli::exit::USAGE
}
