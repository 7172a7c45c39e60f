//! The policy a command runs: the files named by `--policy`, or the embedded one, read
//! (with a warning for each folder entry skipped) and loaded, its errors printed.

use std::path::PathBuf;

use csp_policy::source::SourceMap;
use csp_policy::{load, Policy};

use super::exit;
use super::output::say;

/// Reads the sources named on the command line, or the embedded policy's.
pub fn sources(policies: &[PathBuf]) -> Result<SourceMap, i32> {
    if policies.is_empty() {
        return Ok(load::embedded_sources());
    }
    load::read_sources_reporting(policies, &mut |skipped| say!("warning: {skipped}\n")).map_err(
        |e| {
            say!("{}", e.render());
            exit::USAGE
        },
    )
}

/// Loads the policy named on the command line (or the embedded one) for a command that
/// runs it; on errors prints every diagnostic and says what was not done.
///
/// The embedded policy is its prepared compiled form ([`Policy::embedded`]); `check`
/// reads its sources instead ([`sources`]) and runs the whole checker.
pub fn load_policy(policies: &[PathBuf], not_done: &str) -> Result<Policy, i32> {
    let loaded = if policies.is_empty() {
        Policy::embedded()
    } else {
        Policy::from_sources(sources(policies)?)
    };
    match loaded {
        Ok(policy) => Ok(policy),
        Err(e) => {
            say!("{}", e.render());
            say!("error: the policy has errors; {not_done}\n");
            Err(exit::BAD_POLICY)
        }
    }
}
