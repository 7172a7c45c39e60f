//! The decision: what the engine answers for one request. Its three renderings are in
//! `json` (one line: the contract of docs/decision.md, `decision`, `action`, `reasons`,
//! `errors`, `facts`, and `explanation` on request), `yaml` (the same data as a YAML
//! document) and `text` (for people). JSON and YAML write one shape (`shape.rs`: the
//! keys in order) in two syntaxes (`emit.rs`); `escape` is the one table of characters
//! written as escapes; `explain` holds the explanation's entries. Values are written by
//! `value::write`, strings by `crate::json` and [`yaml_str`].

mod emit;
mod escape;
mod explain;
mod json;
mod shape;
mod text;
mod yaml;

use rust_decimal::Decimal;

use crate::policy::Effect;
use crate::request::RequestError;

pub use explain::{
    Actor, ExplainEntry, ExplainValue, Operand, Outcome, TestKind, TestTrace, ValueKind,
};
pub(crate) use text::{error_line, reason_line, visible};
pub use yaml::yaml_str;

/// The rule id of the default deny's reason (effect [`Effect::Deny`]).
pub const DEFAULT_DENY: &str = "default-deny";

/// Allow or deny, with why, what went wrong, and the computed facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Decision {
    /// True for allow.
    pub allow: bool,
    /// The action as written in the request, if any.
    pub action: Option<String>,
    /// The rules that decided it.
    pub reasons: Vec<Reason>,
    /// What made the request unusable (any error means deny).
    pub errors: Vec<RequestError>,
    /// Computed facts, in the policy's declaration order.
    pub facts: Vec<(String, FactValue)>,
    /// Each rule considered and how it went, in the order considered: `Some` when an
    /// explanation was asked for and the request got as far as its action's rules.
    pub explanation: Option<Vec<ExplainEntry>>,
    /// Indices of the rules whose audience matched, so that their condition was
    /// evaluated (only when coverage was asked for; never written out).
    pub reached: Vec<u16>,
}

/// One rule that decided a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The rule id (`default-deny` when no rule permits the action).
    pub rule: String,
    /// The version of a dated rule that decided (`from 2021-02-01 until 2023-01-01`);
    /// `None` for an undated rule (and then not written).
    pub in_force: Option<String>,
    /// [`Effect::Permit`], [`Effect::Forbid`], or [`Effect::Deny`] for the default.
    pub effect: Effect,
    /// The rule's message with its values filled in.
    pub message: String,
}

/// A fact's value as it appears in the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    /// A JSON boolean.
    Bool(bool),
    /// A JSON number (written exactly from a decimal).
    Number(Decimal),
    /// A JSON string (money, times, words, text).
    Text(String),
    /// A JSON array of strings.
    List(Vec<String>),
}

impl Decision {
    /// True when the decision is allow.
    pub fn is_allow(&self) -> bool {
        self.allow
    }

    /// `allow` or `deny`.
    pub fn verdict(&self) -> &'static str {
        if self.allow {
            "allow"
        } else {
            "deny"
        }
    }

    /// The value of a fact, if given.
    pub fn fact(&self, name: &str) -> Option<&FactValue> {
        self.facts.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The decision as one line of JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256);
        self.write_json(&mut out);
        out
    }
}

#[cfg(test)]
mod roundtrip;
