//! The comparison itself: one request decided by `csp-policy` (the embedded default
//! policy), Cedar and Rego, and whether they agree on allow/deny. Used by
//! `csp-peers-compare` on a generated corpus and by the differential fuzz target
//! (`fuzz/fuzz_targets/differential.rs`) on generated requests.

use chrono::{DateTime, Utc};

use crate::{CedarPeer, PeerError, RegoPeer};

/// The three engines, each loaded once.
pub struct Engines {
    ours: csp_policy::Policy,
    cedar: CedarPeer,
    rego: RegoPeer,
    now: DateTime<Utc>,
}

/// The three answers for one request (`true` is allow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answers {
    /// `csp-policy` with the embedded default policy.
    pub ours: bool,
    /// The Cedar peer.
    pub cedar: bool,
    /// The Rego peer.
    pub rego: bool,
}

impl Answers {
    /// Whether the three engines gave the same answer.
    pub fn agree(&self) -> bool {
        self.ours == self.cedar && self.ours == self.rego
    }
}

impl Engines {
    /// Loads the three engines; `now` stands in for a missing `at` in every one of them.
    pub fn new(now: DateTime<Utc>) -> Result<Self, PeerError> {
        let ours =
            csp_policy::Policy::embedded().map_err(|e| PeerError::new("csp-policy", e.render()))?;
        Ok(Engines {
            ours,
            cedar: CedarPeer::new(now)?,
            rego: RegoPeer::new(now)?,
            now,
        })
    }

    /// `csp-policy`'s answer for one request given as JSON text.
    pub fn ours(&self, line: &str) -> bool {
        self.ours.decide_json(line, self.now).is_allow()
    }

    /// The Cedar peer.
    pub fn cedar(&self) -> &CedarPeer {
        &self.cedar
    }

    /// The Rego peer.
    pub fn rego(&self) -> &RegoPeer {
        &self.rego
    }

    /// The three answers for one request given as JSON text.
    pub fn answers(&self, line: &str) -> Answers {
        Answers {
            ours: self.ours(line),
            cedar: self.cedar.decide_json(line),
            rego: self.rego.decide_json(line),
        }
    }

    /// A report of a disagreement: the request, the three answers, and the Rego rules
    /// that applied (one item per line, indented).
    pub fn describe(&self, line: &str, answers: Answers) -> String {
        let word = |allow: bool| if allow { "allow" } else { "deny" };
        format!(
            "{line}\n  csp-policy      {}\n  cedar           {}\n  rego (regorus)  {}\n  \
             rego rules      {}",
            word(answers.ours),
            word(answers.cedar),
            word(answers.rego),
            self.rego.explain(line)
        )
    }
}
