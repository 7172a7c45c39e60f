//! `csp-policy test`: YAML suites of requests with the decisions expected for them.
//!
//! A suite file (unknown keys are refused, so a misspelt key is an error):
//!
//! ```yaml
//! now: 2026-11-25T12:00:00Z        # optional: the time of requests without `at`
//! cases:
//!   - name: the design example      # unique in the suite
//!     request:                      # the request itself, or
//!       action: cancel              #   request_file: requests/cancel.json
//!       # ...                       #   (relative to the suite; JSON or YAML)
//!     expect:
//!       decision: allow             # required: allow or deny
//!       facts: { credit_percent: 84.66, credit_amount: "1015.89" }
//!       rules: [cancel-within-window]   # rule ids among the reasons
//!       errors: [missing-field]         # error codes among the errors
//! ```
//!
//! `decision` is compared whole; `facts`, `rules` and `errors` are subsets (each listed
//! item must be in the decision, which may say more). Fact values are typed as the
//! decision contract types them: a YAML number matches a number fact as a decimal
//! (`100` matches `100.00`), YAML text matches a text fact exactly (money and times are
//! text: `credit_amount: "1015.89"`), and a number never matches text.
//!
//! **How requests are decided.** A request is decided exactly as `csp-policy eval`
//! decides the same document. A `request_file` is split and decoded by the code `eval`
//! reads its input with. An inline `request` is read from the suite with the request
//! decoder's YAML options (strict booleans, no merge keys, no unknown tags, no duplicate
//! keys: a suite that uses them is refused), kept as YAML nodes with their YAML types
//! ([`node::Node`]), written back as a one-line YAML flow document and decoded by the
//! request decoder's YAML path. (A request that needs a merge key or a duplicate key,
//! to test that it is refused, goes in a `request_file`.)
//!
//! **Coverage.** Each decision records the rules whose audience matched (whose
//! condition was evaluated): a rule is *reached* by such a case. A permit or forbid
//! *decides* a case when its id is among the reasons, a reject when its id is among the
//! error codes; the default deny is counted apart.
//!
//! **Exit codes**: 0 every case passed, 1 a case failed, 2 a suite (or a request file)
//! cannot be read or is invalid (nothing is run then), 3 the policy has errors.

pub mod node;
pub mod parse;
pub mod report;
pub mod run;

use std::path::{Path, PathBuf};

use crate::cli::output::say;
use crate::cli::{exit, SuiteFormat};
pub use parse::{Case, Expected, ExpectedValue, Suite, SuiteError, Verdict};
pub use run::{CaseResult, Coverage, Mismatch, RuleCoverage};

/// The extensions of suite files looked for in a folder.
pub const SUITE_EXTENSIONS: [&str; 2] = ["yaml", "yml"];

/// Runs the suites against the policy and returns the exit code.
pub fn run_cli(
    policies: &[PathBuf],
    suites: &[PathBuf],
    coverage: bool,
    format: SuiteFormat,
) -> i32 {
    let policy = match crate::cli::load_policy(policies, "no case was run") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let loaded = match load_all(suites) {
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
    let results = run::run(&policy, &loaded, chrono::Utc::now());
    let coverage = coverage.then(|| run::coverage(policy.compiled(), &results));
    let output = match format {
        SuiteFormat::Text => report::text(&results, coverage.as_ref()),
        SuiteFormat::Json => report::json(&results, coverage.as_ref()),
        SuiteFormat::Junit => report::junit(&results, coverage.as_ref()),
    };
    // A closed pipe (`| head`) ends the output quietly (141); a full disk is said (2).
    if let Err(e) = crate::cli::output::stdout_all(output.as_bytes()) {
        return e.report("standard output");
    }
    if results.iter().all(CaseResult::passed) {
        exit::OK
    } else {
        exit::DENIED_OR_FAILED
    }
}

/// Reads every suite named (files, or folders whose `*.yaml` / `*.yml` files are read in
/// name order); every problem in every file is returned.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Suite>, Vec<SuiteError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match suite_files(path) {
            Ok(found) => files.extend(found),
            Err(e) => errors.push(e),
        }
    }
    let mut suites = Vec::new();
    for file in files {
        match parse::load(&file) {
            Ok(suite) => suites.push(suite),
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(suites)
    } else {
        Err(errors)
    }
}

/// The suite files a command-line path stands for.
fn suite_files(path: &Path) -> Result<Vec<PathBuf>, SuiteError> {
    let problem = |message: String| SuiteError {
        file: path.display().to_string(),
        line: None,
        column: None,
        message,
    };
    if !path.is_dir() {
        if path.exists() {
            return Ok(vec![path.to_path_buf()]);
        }
        return Err(problem("no such file or folder".into()));
    }
    // Links out of the folder are not followed (a warning names each one skipped).
    let listing =
        crate::files::list(path, &SUITE_EXTENSIONS, None).map_err(|e| problem(e.to_string()))?;
    for skipped in &listing.skipped {
        say!("warning: {skipped}\n");
    }
    let found = listing.files;
    if found.is_empty() {
        return Err(problem("holds no .yaml or .yml suite file".into()));
    }
    Ok(found)
}
