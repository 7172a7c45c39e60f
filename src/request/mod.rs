//! Requests: decoding one JSON or YAML document into a typed [`Record`] against the
//! policy's input schema (`decode`: the entry points; `walk`: the schema-driven serde
//! walk; `scalar` and `convert`: values as written and their typed form; `yaml`: the
//! one YAML path, shared with suites), splitting a stream into documents (`stream`),
//! and the errors that make a request unusable.

mod convert;
pub mod decode;
mod json_fast;
pub mod number;
mod scalar;
pub mod stream;
mod walk;
pub(crate) mod yaml;

use std::borrow::Cow;

use crate::limits::POLICY_FIELDS;
use crate::value::Value;

/// A request decoded against the schema: one value per field slot, and what was wrong.
///
/// Text borrows from the document where the format allows (`'a`). A batch reuses one
/// record's buffers for every document: see [`Record::recycle`].
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    /// Values by field slot; `Value::Absent` where not given or not valid.
    pub values: Vec<Value<'a>>,
    /// Bit per slot whose value was given but not valid (so "missing" is not said too);
    /// one word holds [`POLICY_FIELDS`] slots.
    pub invalid: u128,
    /// The action as written, for the decision (even when unknown).
    pub action_text: Option<Cow<'a, str>>,
    /// The candidate roles of each name in `actor.roles` (a bit per role of any side
    /// bearing the name), resolved once the side is known.
    pub role_candidates: Vec<(u64, Cow<'a, str>)>,
    /// What makes the request unusable.
    pub errors: Vec<RequestError>,
}

impl<'a> Record<'a> {
    /// The value in a slot.
    pub fn get(&self, slot: u16) -> &Value<'a> {
        self.values.get(usize::from(slot)).unwrap_or(&Value::Absent)
    }

    /// Whether a slot held a value that was not valid.
    pub fn is_invalid(&self, slot: u16) -> bool {
        usize::from(slot) < POLICY_FIELDS && self.invalid & (1u128 << slot) != 0
    }

    /// Marks a slot as holding a value that was not valid. A policy has at most
    /// [`POLICY_FIELDS`] fields (the checker refuses more), so every slot has its bit.
    pub fn mark_invalid(&mut self, slot: u16) {
        if usize::from(slot) < POLICY_FIELDS {
            self.invalid |= 1u128 << slot;
        }
    }

    /// Empties the record for a new document with `fields` slots, keeping its buffers.
    pub fn clear(&mut self, fields: usize) {
        if self.values.len() == fields {
            // A recycled record is already all absent: this only reads the tags.
            for v in self.values.iter_mut().filter(|v| v.is_present()) {
                *v = Value::Absent;
            }
        } else {
            self.values.clear();
            self.values.resize_with(fields, || Value::Absent);
        }
        self.invalid = 0;
        self.action_text = None;
        self.role_candidates.clear();
        self.errors.clear();
    }

    /// The same buffers, emptied, for a document of another lifetime: the vectors keep
    /// their allocations (a vector mapped to a type of the same layout is collected in
    /// place), so deciding many documents with one record allocates nothing for it after
    /// the first. Values keep their number of slots, all absent.
    pub fn recycle<'b>(self) -> Record<'b> {
        let values = self.values;
        let mut roles = self.role_candidates;
        roles.clear();
        let mut errors = self.errors;
        errors.clear();
        Record {
            values: values.into_iter().map(|_| Value::Absent).collect(),
            invalid: 0,
            action_text: None,
            role_candidates: roles.into_iter().map(|_| (0, Cow::Borrowed(""))).collect(),
            errors,
        }
    }
}

/// Why a request (or part of it) cannot be used. Any of these makes the decision deny.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The text is not well-formed JSON or YAML, or uses a forbidden YAML feature.
    #[error("{message}")]
    Malformed {
        /// What the parser said.
        message: String,
        /// Line in the input, 1-based, when known.
        line: Option<usize>,
        /// Column, 1-based, when known.
        column: Option<usize>,
    },
    /// The document is larger than the limit.
    #[error("the request is larger than the limit of {limit} bytes")]
    TooLarge {
        /// Its size (at least).
        size: usize,
        /// The limit.
        limit: usize,
        /// Line where it starts.
        line: Option<usize>,
    },
    /// A value has the wrong type.
    #[error("{field} must be {expected}, not {found}{}", note_suffix(.note))]
    WrongType {
        /// The field path.
        field: String,
        /// What was expected.
        expected: &'static str,
        /// What was found.
        found: String,
        /// The schema's note about the field.
        note: Option<String>,
    },
    /// A value has the right type but cannot be used.
    #[error("{field}: {problem}{}", note_suffix(.note))]
    InvalidValue {
        /// The field path.
        field: String,
        /// What is wrong.
        problem: String,
        /// The schema's note about the field.
        note: Option<String>,
    },
    /// A market that is neither an ISO code nor a display name of the policy.
    #[error("{field}: `{value}` is not a known market (an ISO 3166-1 alpha-2 code such as KR, or a market name as the policy writes it)")]
    UnknownMarket {
        /// The field path.
        field: String,
        /// The value given.
        value: String,
    },
    /// A role that does not exist, or belongs to the other side.
    #[error("{}", describe_role_error(.role, .side.as_deref(), .other_side.as_deref()))]
    UnknownRole {
        /// The role given.
        role: String,
        /// The actor's side, when known.
        side: Option<String>,
        /// The side the role belongs to instead, if any.
        other_side: Option<String>,
    },
    /// The action is not one the policy declares.
    #[error("`{value}` is not an action; the actions are {known}")]
    UnknownAction {
        /// The action given.
        value: String,
        /// The declared actions.
        known: String,
    },
    /// A key is given twice.
    #[error("{field} is given twice")]
    DuplicateKey {
        /// The field path.
        field: String,
    },
    /// A required field is missing.
    #[error("{action} needs {}", describe_missing(.fields))]
    MissingField {
        /// The action.
        action: String,
        /// The fields of which one is needed (with labels).
        fields: Vec<String>,
    },
    /// A `reject` rule of the policy applied.
    #[error("{message}")]
    Rejected {
        /// The rule id.
        rule: String,
        /// Its message.
        message: String,
    },
    /// A rule's condition or a fact could not be computed (a division by zero, an
    /// overflow).
    #[error(transparent)]
    Evaluation(#[from] crate::eval::EvalError),
}

fn note_suffix(note: &Option<String>) -> String {
    note.as_ref().map(|n| format!(". {n}")).unwrap_or_default()
}

fn describe_missing(fields: &[String]) -> String {
    match fields {
        [one] => one.clone(),
        _ => format!("one of {}", fields.join(", ")),
    }
}

fn describe_role_error(role: &str, side: Option<&str>, other: Option<&str>) -> String {
    match (side, other) {
        (Some(side), Some(other)) => format!("`{role}` is a {other} role, not a {side} role"),
        (Some(side), None) => format!("`{role}` is not a {side} role"),
        (None, _) => format!("`{role}` is not a role"),
    }
}

impl RequestError {
    /// A stable kebab-case code for machines.
    pub fn code(&self) -> &str {
        match self {
            RequestError::Malformed { .. } => "malformed-request",
            RequestError::TooLarge { .. } => "request-too-large",
            RequestError::WrongType { .. } => "wrong-type",
            RequestError::InvalidValue { .. } => "invalid-value",
            RequestError::UnknownMarket { .. } => "unknown-market",
            RequestError::UnknownRole { .. } => "unknown-role",
            RequestError::UnknownAction { .. } => "unknown-action",
            RequestError::DuplicateKey { .. } => "duplicate-key",
            RequestError::MissingField { .. } => "missing-field",
            RequestError::Rejected { rule, .. } => rule,
            RequestError::Evaluation(_) => "evaluation-error",
        }
    }

    /// The field concerned, when there is one.
    pub fn field(&self) -> Option<&str> {
        match self {
            RequestError::WrongType { field, .. }
            | RequestError::InvalidValue { field, .. }
            | RequestError::UnknownMarket { field, .. }
            | RequestError::DuplicateKey { field } => Some(field),
            RequestError::MissingField { fields, .. } => {
                fields.first().map(|f| f.split(' ').next().unwrap_or(f))
            }
            _ => None,
        }
    }

    /// The input line, when known.
    pub fn line(&self) -> Option<usize> {
        match self {
            RequestError::Malformed { line, .. } | RequestError::TooLarge { line, .. } => *line,
            _ => None,
        }
    }

    /// The input column, when known.
    pub fn column(&self) -> Option<usize> {
        match self {
            RequestError::Malformed { column, .. } => *column,
            _ => None,
        }
    }
}
