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
//! Nothing here prints or decides an exit code: suites are read into values
//! ([`load_all`]), run into [`CaseResult`]s ([`run::run`], [`run::coverage`]) and written as
//! reports ([`report`]); the `test` command of the binary says them.

pub mod node;
pub mod parse;
pub mod report;
pub mod run;

use std::path::{Path, PathBuf};

use crate::files::Skipped;
pub use parse::{Case, Expected, ExpectedValue, Suite, SuiteError, Verdict};
pub use run::{CaseResult, Coverage, Mismatch, RuleCoverage};

/// The extensions of suite files looked for in a folder.
pub const SUITE_EXTENSIONS: [&str; 2] = ["yaml", "yml"];

/// Reads every suite named; see [`load_all_reporting`] (whose skipped entries this drops).
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Suite>, Vec<SuiteError>> {
    load_all_reporting(paths, &mut |_| {})
}

/// Reads every suite named (files, or folders whose `*.yaml` / `*.yml` files are read in
/// name order, without following a link out of the folder: each entry skipped is given
/// to `skipped`, for a warning); every problem in every file is returned.
pub fn load_all_reporting(
    paths: &[PathBuf],
    skipped: &mut dyn FnMut(&Skipped),
) -> Result<Vec<Suite>, Vec<SuiteError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match suite_files(path, skipped) {
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
fn suite_files(path: &Path, skipped: &mut dyn FnMut(&Skipped)) -> Result<Vec<PathBuf>, SuiteError> {
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
    // Links out of the folder are not followed (each one skipped is reported).
    let listing =
        crate::files::list(path, &SUITE_EXTENSIONS, None).map_err(|e| problem(e.to_string()))?;
    listing.skipped.iter().for_each(&mut *skipped);
    let found = listing.files;
    if found.is_empty() {
        return Err(problem("holds no .yaml or .yml suite file".into()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_out_of_a_folder_are_reported_not_read() {
        let outside = tempfile::tempdir().unwrap();
        let folder = tempfile::tempdir().unwrap();
        let suite = "cases:\n  - name: a\n    request: { action: purchase }\n    expect: { decision: deny }\n";
        std::fs::write(folder.path().join("a.yaml"), suite).unwrap();
        std::fs::write(outside.path().join("b.yaml"), suite).unwrap();
        std::os::unix::fs::symlink(outside.path().join("b.yaml"), folder.path().join("b.yaml"))
            .unwrap();
        let mut skipped = Vec::new();
        let suites = load_all_reporting(&[folder.path().to_path_buf()], &mut |s| {
            skipped.push(s.path.clone());
        })
        .unwrap();
        assert_eq!(suites.len(), 1);
        assert_eq!(skipped, [folder.path().join("b.yaml")]);
        // The quiet form reads the same.
        assert_eq!(load_all(&[folder.path().to_path_buf()]).unwrap().len(), 1);
    }

    #[test]
    fn every_problem_of_every_path_is_returned() {
        let empty = tempfile::tempdir().unwrap();
        let errors = load_all(&[
            PathBuf::from("no/such/suite.yaml"),
            empty.path().to_path_buf(),
        ])
        .unwrap_err();
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].contains("no such file or folder"));
        assert!(messages[1].contains("holds no .yaml or .yml suite file"));
    }
}
