//! Support for the fuzz targets in `fuzz_targets/`: the fixed clock, the embedded policy
//! loaded once, what a person counts as records in a JSON Lines input, and requests
//! built from fuzz input for the differential target. The properties themselves are in
//! the targets; everything they exercise is in the `csp-policy` library.

pub mod lines;
pub mod request;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};

/// The clock of every target: 2026-11-25T12:00:00Z, the snapshot tests' `--now`.
pub fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_795_608_000, 0).unwrap_or_default()
}

/// The embedded default policy, loaded once per fuzzing process.
pub fn policy() -> &'static csp_policy::Policy {
    static POLICY: OnceLock<csp_policy::Policy> = OnceLock::new();
    POLICY.get_or_init(|| match csp_policy::Policy::embedded() {
        Ok(policy) => policy,
        Err(e) => panic!("the embedded policy does not load:\n{}", e.render()),
    })
}
