//! `csp-policy test`: reads the suites, runs them against the policy and writes the
//! report ([`csp_policy::suite`] does each of these and returns values); this prints
//! them and decides the exit code.
//!
//! Exit codes ([`super::exit`]): 0 every case passed, 1 a case failed (or, with
//! `--require-full-coverage`, a rule was never reached or never decided), 2 a suite (or a
//! request file) cannot be read or is invalid (nothing is run then), 3 the policy has
//! errors. Standard output being a closed pipe gives 141, another write error 2.

use std::path::PathBuf;

use csp_policy::suite::{self, report, CaseResult};

use super::args::SuiteFormat;
use super::exit;
use super::output::{self, say};

/// Whether `test` reports the rules' coverage, and whether it must be full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// No coverage report.
    Off,
    /// `--coverage`: reported, the exit code does not depend on it.
    Reported,
    /// `--require-full-coverage`: reported, and exit 1 unless every rule was reached
    /// and decided some case.
    Required,
}

/// Runs the suites against the policy and returns the exit code.
pub fn run(policies: &[PathBuf], suites: &[PathBuf], wanted: Coverage, format: SuiteFormat) -> i32 {
    let policy = match super::policy::load_policy(policies, "no case was run") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let loaded = match suite::load_all_reporting(suites, &mut |skipped| {
        say!("warning: {skipped}\n");
    }) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for e in &errors {
                say!("error: {e}\n");
            }
            say!(
                "error: {} problem(s) in the suites; no case was run\n",
                errors.len()
            );
            return exit::USAGE;
        }
    };
    let results = suite::run::run(&policy, &loaded, chrono::Utc::now());
    let coverage = (wanted != Coverage::Off).then(|| suite::run::coverage(&policy, &results));
    let text = match format {
        SuiteFormat::Text => report::text(&results, coverage.as_ref()),
        SuiteFormat::Json => report::json(&results, coverage.as_ref()),
        SuiteFormat::Junit => report::junit(&results, coverage.as_ref()),
    };
    // A closed pipe (`| head`) ends the output quietly (141); a full disk is said (2).
    if let Err(e) = output::stdout_all(text.as_bytes()) {
        return e.report("standard output");
    }
    let coverage_short =
        wanted == Coverage::Required && coverage.as_ref().is_some_and(|c| !c.is_full());
    if coverage_short {
        say!("error: --require-full-coverage: a rule was never reached or never decided a case (see `never reached` and `reached but never deciding` above)\n");
    }
    if results.iter().all(CaseResult::passed) && !coverage_short {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}
