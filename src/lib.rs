//! csp-policy: a declarative policy engine for selling software through the Microsoft
//! Cloud Solution Provider program.
//!
//! The data flows one way: policy text → [`syntax`] (syntax tree with spans) →
//! [`check`] (names, types) → [`policy::CompiledPolicy`] → [`eval`] (decisions), with
//! requests decoded by [`request`] against the policy's input schema. Nothing about CSP
//! is written in Rust: the default policy lives in `policies/csp-software/` and is
//! embedded in the binary.
//!
//! ```
//! let policy = csp_policy::Policy::embedded().expect("the embedded policy is valid");
//! let now = chrono::Utc::now();
//! let decision = policy.decide_json(
//!     r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},
//!        "customer":{"market":"AU"},"product":{"category":"server_subscription"}}"#,
//!     now,
//! );
//! assert!(decision.is_allow());
//! ```

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod check;
pub mod cli;
pub mod decision;
pub mod eval;
pub mod fmt;
pub mod load;
pub mod market;
pub mod policy;
pub mod request;
pub mod source;
pub mod suite;
pub mod syntax;
pub mod value;

use chrono::{DateTime, Utc};

pub use decision::Decision;
pub use load::LoadError;
use request::stream::{Format, RawRecord};
use request::{decode, RequestError};

/// A checked policy, ready to decide requests.
#[derive(Debug, Clone)]
pub struct Policy {
    compiled: policy::CompiledPolicy,
}

impl Policy {
    /// The default CSP policy embedded in the binary.
    pub fn embedded() -> Result<Policy, LoadError> {
        load::load_embedded().map(|compiled| Policy { compiled })
    }

    /// A policy read from files and folders of `.policy` files.
    pub fn from_paths(paths: &[std::path::PathBuf]) -> Result<Policy, LoadError> {
        load::load_paths(paths).map(|compiled| Policy { compiled })
    }

    /// Wraps an already compiled policy.
    pub fn from_compiled(compiled: policy::CompiledPolicy) -> Policy {
        Policy { compiled }
    }

    /// The compiled form.
    pub fn compiled(&self) -> &policy::CompiledPolicy {
        &self.compiled
    }

    /// Decides one JSON request; `now` stands in for a missing `at`.
    pub fn decide_json(&self, text: &str, now: DateTime<Utc>) -> Decision {
        let record = decode::decode_json(&self.compiled, text, 1);
        eval::decide(&self.compiled, record, &eval::Options::at(now))
    }

    /// Decides one YAML request; `now` stands in for a missing `at`.
    pub fn decide_yaml(&self, text: &str, now: DateTime<Utc>) -> Decision {
        let record = decode::decode_yaml(&self.compiled, text, 1);
        eval::decide(&self.compiled, record, &eval::Options::at(now))
    }

    /// Decides one document of a stream.
    pub fn decide_raw(&self, raw: &RawRecord, options: &eval::Options) -> Decision {
        if let Some(size) = raw.oversized {
            return error_decision(RequestError::TooLarge {
                size,
                limit: decode::MAX_REQUEST_BYTES,
                line: Some(raw.line),
            });
        }
        if raw.not_utf8 {
            return error_decision(RequestError::Malformed {
                message: "the request is not UTF-8 text".into(),
                line: Some(raw.line),
                column: None,
            });
        }
        let record = match raw.format {
            Format::Json => decode::decode_json(&self.compiled, &raw.text, raw.line),
            Format::Yaml => decode::decode_yaml(&self.compiled, &raw.text, raw.line),
        };
        eval::decide(&self.compiled, record, options)
    }
}

fn error_decision(error: RequestError) -> Decision {
    eval::unusable(None, vec![error])
}
