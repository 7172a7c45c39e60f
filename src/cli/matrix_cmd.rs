//! `csp-policy matrix`: who may do what, roles × actions, from the policy itself
//! ([`csp_policy::matrix`]), written as text, Markdown, JSON or a self-contained HTML
//! page, to standard output or to `--output FILE` (written whole through a temporary
//! file in the same folder, so a failed write leaves no half page).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use csp_policy::matrix::{self, render};

use super::args::MatrixFormat;
use super::exit;
use super::output::{say, stdout_all};

/// `matrix`'s exit codes, after its options in `--help`.
pub const HELP: &str = "Exit codes:
  0  the matrix was written (an incomplete matrix says so in its output)
  2  bad usage, or output that cannot be written
  3  the policy has errors and no matrix was made
  141  the output is a closed pipe";

/// Runs `matrix` and returns the exit code.
pub fn run(
    policies: &[PathBuf],
    now: Option<&str>,
    format: MatrixFormat,
    output: Option<&Path>,
) -> i32 {
    let now = match super::time::now_or_current(now) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let policy = match super::policy::load_policy(policies, "no matrix was made") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let m = matrix::matrix(&policy, now);
    let text = match format {
        MatrixFormat::Text => render::text(&m),
        MatrixFormat::Markdown => render::markdown(&m),
        MatrixFormat::Json => render::json(&m),
        MatrixFormat::Html => render::html(&m),
    };
    match output {
        None => match stdout_all(text.as_bytes()) {
            Ok(()) => exit::OK,
            Err(e) => e.report("standard output"),
        },
        Some(path) => match write_file(path, &text) {
            Ok(()) => exit::OK,
            Err(e) => {
                say!("error: cannot write {}: {e}\n", path.display());
                exit::USAGE
            }
        },
    }
}

/// Writes `text` to `path` through a temporary file in its folder, renamed over it.
fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temporary = tempfile::Builder::new()
        .prefix(".csp-policy-matrix-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(text.as_bytes())?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}
