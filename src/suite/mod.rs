//! `csp-policy test`: YAML suites of requests and expected decisions (being written).

use std::path::PathBuf;

use crate::cli::SuiteFormat;

/// Runs the suites against the policy and returns the exit code.
pub fn run_cli(
    policies: &[PathBuf],
    suites: &[PathBuf],
    coverage: bool,
    format: SuiteFormat,
) -> i32 {
    let _ = (policies, suites, coverage, format);
    eprintln!("error: test is not available yet");
    crate::cli::exit::USAGE
}
