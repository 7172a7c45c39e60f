//! csp-policy: a declarative policy engine for selling software through the Microsoft
//! Cloud Solution Provider program.
//!
//! The data flows one way: policy text → syntax tree ([`syntax`]) → checked and
//! compiled policy ([`Policy`]) → [`Decision`]. Requests are decoded against the
//! policy's input schema as they are read, and streams of them are split by [`stream`]
//! and decided on several threads by [`batch`]. Nothing about CSP is written in Rust:
//! the default policy lives in `policies/csp-software/` and is embedded in the binary.
//!
//! [`Policy`] is the front door: load a policy, decide requests.
//!
//! ```
//! let policy = csp_policy::Policy::embedded().expect("the embedded policy is valid");
//! let now = csp_policy::parse_time("2026-11-25T12:00:00Z").expect("an RFC 3339 time");
//! let decision = policy.decide_json(
//!     r#"{"action":"purchase","actor":{"kind":"partner","roles":["admin_agent"]},
//!        "customer":{"market":"AU"},"product":{"category":"server_subscription"}}"#,
//!     now,
//! );
//! assert!(decision.is_allow());
//! assert!(decision.fact("price_includes_tax").is_some());
//! ```
//!
//! A broken request is a deny that names the error, never a panic:
//!
//! ```
//! # let policy = csp_policy::Policy::embedded().unwrap();
//! # let now = csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap();
//! let decision = policy.decide_yaml("action: cancel\nactor: [", now);
//! assert!(!decision.is_allow());
//! assert!(decision.to_json().contains("malformed-request"));
//! ```
//!
//! Checking a policy (what `csp-policy check` prints) gives every diagnostic:
//!
//! ```
//! use csp_policy::source::{SourceFile, SourceMap};
//!
//! let mut sources = SourceMap::new();
//! sources.add(SourceFile::new("broken.policy", "actions { purchase }\npermit purchse to anyone"));
//! let checked = csp_policy::load::compile(sources);
//! assert!(checked.policy.is_none());
//! assert!(checked.diagnostics.iter().any(|d| d.severity == csp_policy::Severity::Error));
//! ```
//!
//! A whole stream (JSON Lines or YAML documents), one decision per record, in order:
//!
//! ```
//! use csp_policy::batch::{self, Rendering, Settings};
//! use csp_policy::stream::Records;
//!
//! let policy = csp_policy::Policy::embedded().unwrap();
//! let input = "{\"action\":\"purchase\"}\n\n{\"action\":\"cancel\"}\n";
//! let mut out = Vec::new();
//! let options = csp_policy::Options::at(csp_policy::parse_time("2026-11-25T12:00:00Z").unwrap());
//! let settings = Settings { jobs: 2, rendering: Rendering::Json };
//! let summary = batch::run(&policy, &mut Records::new(input.as_bytes()), &mut out, &options, settings, &mut |_| {});
//! assert_eq!(summary.count, 2);
//! assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
//! ```
//!
//! The modules not listed below are the engine's own stages (checker, compiled policy,
//! evaluator, request decoder): private, so that they can change freely.

#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod check;
pub mod decision;
#[cfg(feature = "serve")]
pub mod decision_log;
pub mod diff;
mod eval;
mod files;
pub mod fmt;
mod json;
pub mod limits;
pub mod load;
mod market;
pub mod matrix;
pub mod playground;
mod policy;
mod request;
pub mod revision;
#[cfg(feature = "serve")]
pub mod serve;
pub mod snapshot;
pub mod source;
pub mod suite;
pub mod syntax;
pub mod text;
mod value;

/// Splitting an input stream into request records (JSON Lines, JSON, YAML documents),
/// without reading it whole; see `docs/request.md`, "Input framing".
pub mod stream {
    pub use crate::request::stream::{
        Document, Format, Framing, Input, LiveInput, RawRecord, Records,
    };
}

pub use check::{Diagnostic, DiagnosticCode, Report, Severity};
pub use decision::Decision;
pub use eval::batch;
pub use eval::{Context, Options};
pub use load::LoadError;
pub use value::parse_time;

/// Stages of the engine that the benchmarks and the peers' tests look inside. Not part
/// of the API: anything here may change in any release.
#[doc(hidden)]
pub mod internals {
    pub use crate::market::MarketCode;
    pub use crate::policy::{CompiledPolicy, FieldKind};
    pub use crate::request::{decode, Record};

    /// The compiled form of a policy.
    pub fn compiled(policy: &crate::Policy) -> &CompiledPolicy {
        &policy.compiled
    }
}

use chrono::{DateTime, Utc};
use request::stream::{Document, Format, RawRecord};

/// A checked policy, ready to decide requests.
#[derive(Debug, Clone)]
pub struct Policy {
    compiled: policy::CompiledPolicy,
    /// The SHA-256 of its files' names and contents.
    revision: revision::Revision,
    /// Its files' names, in the order they were read.
    files: Vec<String>,
}

impl Policy {
    /// The default CSP policy embedded in the binary.
    pub fn embedded() -> Result<Policy, LoadError> {
        load::load_embedded()
    }

    /// This policy as it stood at `t`: every dated declaration selected by the
    /// request's time fixed to its version in force at `t` (rules, facts, requirements
    /// and market lists not in force then are gone or empty); a window or link selected
    /// by another time (`as in force at FIELD`) stays a choice made per request. Deciding
    /// a request under `policy.as_of(t)` is deciding it under the rules of `t`, whatever
    /// its own `at`: the diff compares `p.as_of(old)` with `p.as_of(new)`. Its revision
    /// and files are this policy's (the same files, read at another date).
    pub fn as_of(&self, t: DateTime<Utc>) -> Policy {
        Policy {
            compiled: self.compiled.as_of(t),
            revision: self.revision.clone(),
            files: self.files.clone(),
        }
    }

    /// A policy read from files and folders of `.policy` files.
    pub fn from_paths(paths: &[std::path::PathBuf]) -> Result<Policy, LoadError> {
        load::load_paths(paths)
    }

    /// A policy from sources already read (see [`load::read_sources_reporting`] and
    /// [`load::embedded_sources`]): parsed and checked; any error makes it unusable.
    pub fn from_sources(sources: source::SourceMap) -> Result<Policy, LoadError> {
        load::load(sources)
    }

    /// The policy's revision: the SHA-256 of its files' names and contents
    /// ([`revision::Revision`]), the same for the same files wherever they are.
    pub fn revision(&self) -> &revision::Revision {
        &self.revision
    }

    /// The names of the policy's files, in the order they were read.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// The names of the actions the policy declares, in declaration order.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.compiled.actions.iter().map(|a| a.name.as_str())
    }

    /// The compiled form.
    pub(crate) fn compiled(&self) -> &policy::CompiledPolicy {
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
        let document = Document::whole(text, format);
        self.decide_document(&document, options)
    }

    /// Decides one document of a stream.
    pub fn decide_raw(&self, raw: &RawRecord, options: &eval::Options) -> Decision {
        self.decide_document(&raw.document(), options)
    }

    /// Decides one document (borrowed text). Only the returned decision is allocated:
    /// the decoding and evaluation buffers are this thread's, reused from call to call.
    /// To decide many requests, [`Context`] also reuses the decision, and [`batch`]
    /// runs a whole stream on several threads.
    pub fn decide_document(&self, document: &Document<'_>, options: &eval::Options) -> Decision {
        eval::decide_document(&self.compiled, document, options)
    }
}
