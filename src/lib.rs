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
pub mod decision;
pub mod eval;
pub mod files;
pub mod fmt;
pub mod json;
pub mod limits;
pub mod load;
pub mod market;
pub mod policy;
pub mod request;
pub mod source;
pub mod suite;
pub mod syntax;
pub mod text;
pub mod value;

use chrono::{DateTime, Utc};

pub use decision::Decision;
pub use load::LoadError;
use request::stream::{Document, Format, RawRecord};

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

    /// A policy from sources already read (see [`load::read_sources_reporting`] and
    /// [`load::embedded_sources`]): parsed and checked; any error makes it unusable.
    pub fn from_sources(sources: source::SourceMap) -> Result<Policy, LoadError> {
        load::load(sources).map(|compiled| Policy { compiled })
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
        self.decide_text(text, Format::Json, &eval::Options::at(now))
    }

    /// Decides one YAML request; `now` stands in for a missing `at`.
    pub fn decide_yaml(&self, text: &str, now: DateTime<Utc>) -> Decision {
        self.decide_text(text, Format::Yaml, &eval::Options::at(now))
    }

    fn decide_text(&self, text: &str, format: Format, options: &eval::Options) -> Decision {
        let document = Document {
            text,
            line: 1,
            format,
            oversized: None,
            not_utf8: false,
        };
        self.decide_document(&document, options)
    }

    /// Decides one document of a stream.
    pub fn decide_raw(&self, raw: &RawRecord, options: &eval::Options) -> Decision {
        self.decide_document(&raw.document(), options)
    }

    /// Decides one document (borrowed text). Only the returned decision is allocated:
    /// the decoding and evaluation buffers are this thread's, reused from call to call.
    /// To decide many requests, [`eval::Context`] also reuses the decision, and
    /// [`eval::batch`] runs a whole stream on several threads.
    pub fn decide_document(&self, document: &Document<'_>, options: &eval::Options) -> Decision {
        eval::decide_document(&self.compiled, document, options)
    }
}
