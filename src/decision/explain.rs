//! The `--explain` trace as data: one [`ExplainEntry`] per rule considered, in the order
//! the evaluator considered it, each test with the values of its operands. The JSON and
//! YAML renderings write these entries as objects and mappings (`shape.rs`); the text
//! rendering (`text.rs`) reads the same entries, so the three always agree.

use crate::eval::ExprError;
use crate::policy::Effect;

/// One rule considered for the request, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainEntry {
    /// The rule id.
    pub rule: String,
    /// The version of a dated rule (`from 2021-02-01 until 2023-01-01`); `None` for
    /// an undated rule (and then not written).
    pub in_force: Option<String>,
    /// The rule's effect: permit, forbid or reject.
    pub effect: Effect,
    /// How the rule went.
    pub outcome: Outcome,
    /// Whether the rule has a `when` condition (a rule without one applies to everyone
    /// its audience takes in).
    pub has_condition: bool,
    /// The actor as the audience saw it, when the audience did not take it in.
    pub actor: Option<Actor>,
    /// What could not be computed, when the outcome is [`Outcome::Error`].
    pub error: Option<ExprError>,
    /// The condition's tests in the order they ran, each with its operands' values
    /// (tests that `and`/`or` did not need to run are not there).
    pub tests: Vec<TestTrace>,
}

/// How a rule went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum Outcome {
    /// The audience took the actor in and the condition held: the rule applied.
    Applied,
    /// The audience took the actor in and the condition did not hold.
    ConditionFalse,
    /// The audience did not take the actor in; the condition was not looked at.
    AudienceNotMatched,
    /// The condition could not be computed (the request has an `evaluation-error`).
    Error,
    /// A dated version of the rule not in force at the request's time; neither its
    /// audience nor its condition was looked at.
    NotInForce,
}

impl Outcome {
    /// The outcome's stable name: `applied`, `condition-false`, `audience-not-matched`,
    /// `error` or `not-in-force`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::ConditionFalse => "condition-false",
            Outcome::AudienceNotMatched => "audience-not-matched",
            Outcome::Error => "error",
            Outcome::NotInForce => "not-in-force",
        }
    }
}

/// The actor as an audience sees it: its side and its roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The actor's side, when given.
    pub side: Option<String>,
    /// The actor's roles (those of its side), in the policy's order.
    pub roles: Vec<String>,
}

/// One test of a condition, with the values it compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestTrace {
    /// The test as the policy writes it (spaces collapsed).
    pub text: String,
    /// The shape of the test, which says what its operands are.
    pub kind: TestKind,
    /// Whether the test held.
    pub holds: bool,
    /// The operands' values, in the order the test is written.
    pub operands: Vec<Operand>,
}

/// The shape of a test, which says what its operands are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum TestKind {
    /// Two operands compared: `=`, `<`, `is before`, `contains` and their negations.
    Compare,
    /// A value and the options it is looked for among (`is one of`).
    OneOf,
    /// A value, then the range's low and high ends (`is between`).
    Range,
    /// One operand whose presence is tested (`is present`, `is missing`).
    Presence,
    /// One operand looked for in a market list or a set of roles named by the test.
    Membership,
    /// A dated value (a window, a link, a fact): the version in force at its one
    /// operand, the time that selects it; the test's text names the version, and it
    /// holds when one is in force.
    Version,
}

impl TestKind {
    /// The kind's stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::Compare => "compare",
            TestKind::OneOf => "one-of",
            TestKind::Range => "range",
            TestKind::Presence => "presence",
            TestKind::Membership => "membership",
            TestKind::Version => "version",
        }
    }
}

/// One operand of a test: its source text and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operand {
    /// The operand as the policy writes it (spaces collapsed).
    pub text: String,
    /// Its value for this request.
    pub value: ExplainValue,
}

/// A value as an explanation holds it: every kind as the decision writes it (numbers
/// and money as exact decimal strings, times in RFC 3339 UTC), absence explicit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainValue {
    /// Not given (every test on it is false).
    Absent,
    /// A condition's value.
    Bool(bool),
    /// A single value of `kind`, as the decision and messages write it.
    Written {
        /// What kind of value it is.
        kind: ValueKind,
        /// The value as written.
        text: String,
    },
    /// A set of roles, by name, in the policy's order.
    Roles(Vec<String>),
}

/// The kind of a [`ExplainValue::Written`] value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum ValueKind {
    /// A decimal number, without trailing zeros.
    Number,
    /// An amount, with two decimals.
    Money,
    /// Free text.
    Text,
    /// An RFC 3339 UTC time ending in `Z`.
    Time,
    /// An exact duration in whole units (`14 days`).
    Duration,
    /// A lower-case GUID.
    Guid,
    /// An ISO 3166-1 alpha-2 market code.
    Market,
    /// One of a field's enumerated words.
    Word,
    /// A side of the actor.
    Side,
    /// An action.
    Action,
}

impl ValueKind {
    /// The kind's stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Number => "number",
            ValueKind::Money => "money",
            ValueKind::Text => "text",
            ValueKind::Time => "time",
            ValueKind::Duration => "duration",
            ValueKind::Guid => "guid",
            ValueKind::Market => "market",
            ValueKind::Word => "word",
            ValueKind::Side => "side",
            ValueKind::Action => "action",
        }
    }
}

impl ExplainValue {
    /// The value's type name: `absent`, `bool`, `roles` or its [`ValueKind`].
    pub fn type_name(&self) -> &'static str {
        match self {
            ExplainValue::Absent => "absent",
            ExplainValue::Bool(_) => "bool",
            ExplainValue::Written { kind, .. } => kind.as_str(),
            ExplainValue::Roles(_) => "roles",
        }
    }

    /// Whether the value was given.
    pub fn is_present(&self) -> bool {
        !matches!(self, ExplainValue::Absent)
    }
}
