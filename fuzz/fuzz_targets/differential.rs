//! `differential`: a request built from the fuzz input (`csp_policy_fuzz::request`:
//! every part drawn from the corpus generator's vocabularies) is decided by csp-policy,
//! Cedar and Rego through `csp_peers::Engines`; the three must agree on allow/deny.
//! One request per input (Rego takes about 200 µs), so the work per input is bounded.

#![no_main]

use arbitrary::Unstructured;
use csp_peers::Engines;
use csp_policy_fuzz::{now, request};
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// The three engines, loaded once (the Rego peer is used from one thread).
    static ENGINES: Engines = match Engines::new(now()) {
        Ok(engines) => engines,
        Err(e) => panic!("the engines do not load: {e}"),
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = request::generate(&mut Unstructured::new(data)) else {
        return;
    };
    ENGINES.with(|engines| {
        let answers = engines.answers(&line);
        assert!(
            answers.agree(),
            "the engines disagree:\n{}",
            engines.describe(&line, answers)
        );
    });
});
