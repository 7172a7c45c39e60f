//! The compiled policy: the one form the evaluator runs. Built only by the checker
//! (`crate::check`), so everything in it is resolved, typed and indexed: fields by slot,
//! roles as bits, market lists as bit sets, rules grouped by action.

pub mod expr;
pub mod in_force;
pub(crate) mod serial;

use std::collections::HashMap;

use chrono::TimeDelta;

use crate::market::{MarketCode, MarketSet};
use crate::source::{SourceMap, Span};
pub use expr::{Expr, Node, Ty};
pub use in_force::{InForce, Versions};

/// The type of one input field, as the request decoder needs it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FieldKind {
    /// The request's action.
    Action,
    /// The request time; `--now` when absent.
    RequestTime,
    /// The actor's side.
    Side,
    /// The actor's roles.
    Roles,
    /// One of these words (exact match).
    Enum(Vec<String>),
    /// Text.
    Text,
    /// RFC 3339 time.
    Time,
    /// Non-negative decimal, string or number, no exponent.
    Money,
    /// Decimal, string or number, no exponent.
    Number,
    /// Whole number ≥ 0 (a JSON integer).
    Count,
    /// Boolean.
    Flag,
    /// GUID.
    Guid,
    /// Market code or display name.
    Market,
}

/// One field of the input schema.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// Dotted path in the request.
    pub path: String,
    /// Label for messages ("order ID").
    pub label: Option<String>,
    /// Its type.
    pub kind: FieldKind,
    /// A note appended to errors about it.
    pub note: Option<String>,
    /// For money declared `money in FIELD`: the slot of the field giving its currency.
    pub currency: Option<u16>,
}

impl Field {
    /// `path (label)` or just the path.
    pub fn describe(&self) -> String {
        match &self.label {
            Some(label) if *label != self.path => format!("{} ({label})", self.path),
            Some(_) => self.path.clone(),
            None => self.path.clone(),
        }
    }
}

/// A node of the schema tree used to walk a request's nested objects.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum SchemaNode {
    /// A field: its slot.
    Leaf(u16),
    /// An object: its dotted path and its keys.
    Group(String, Vec<(String, SchemaNode)>),
}

/// The input schema: fields by slot, and the tree of keys.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// Fields, indexed by slot.
    pub fields: Vec<Field>,
    /// The top-level object's keys.
    pub root: Vec<(String, SchemaNode)>,
    /// The slot of `the action`.
    pub action: u16,
    /// The slot of `the time of the request`.
    pub at: u16,
    /// The slot of `the actor's side`, if declared.
    pub side: Option<u16>,
    /// The slot of `the actor's roles`, if declared.
    pub roles: Option<u16>,
    /// Money fields declared `money in FIELD`: (amount slot, currency slot).
    pub currencies: Vec<(u16, u16)>,
}

/// A declared action.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Action {
    /// Its name in requests.
    pub name: String,
    /// Its display name.
    pub label: String,
}

/// A declared role.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Role {
    /// The side (index into `sides`).
    pub side: u8,
    /// Its name in requests.
    pub name: String,
    /// Its display name.
    pub label: String,
}

/// A market list.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MarketList {
    /// Its name in conditions.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its codes.
    pub codes: MarketSet,
}

/// Who a rule applies to: sides, each with any role or a set of roles.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Audience {
    /// Bit per side whose every actor is included.
    pub any_of_sides: u8,
    /// Bit per role that is included.
    pub roles: u64,
    /// All-of groups (`partner a and b`): role masks of which the actor must hold every
    /// bit. Empty for most rules, so the common audience test costs nothing more.
    pub all_of: Vec<u64>,
}

impl Audience {
    /// Whether an actor of `side` (a side index, if known) with the roles `held`
    /// belongs to this audience.
    #[inline]
    pub fn admits(&self, side: Option<u8>, held: u64) -> bool {
        let by_side = side
            .is_some_and(|s| self.any_of_sides & 1u8.checked_shl(u32::from(s)).unwrap_or(0) != 0);
        by_side
            || self.roles & held != 0
            || self.all_of.iter().any(|&all| all != 0 && held & all == all)
    }
}

/// What a rule does.
pub use crate::syntax::ast::Effect;

/// A message with `{value}` placeholders compiled to expressions.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Template {
    /// Literal text and values, in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Calls `f` on the expression of every placeholder.
    pub fn visit_mut(&mut self, f: &dyn Fn(&mut Expr)) {
        for part in &mut self.parts {
            match part {
                TemplatePart::Literal(_) => {}
                TemplatePart::Value(e) => f(e),
                TemplatePart::Shown(s) => f(&mut s.value),
            }
        }
    }
}

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// A value to write, as its type is written by default.
    Value(Expr),
    /// A value to write in a format the message asks for, or a fallback text when it
    /// is absent (`{order.price as money or unknown}`).
    Shown(Shown),
}

/// A placeholder with a format or a fallback.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shown {
    /// The value.
    pub value: Expr,
    /// How to write it; `None` is its type's default.
    pub format: Option<Format>,
    /// What to write when the value is absent; `None` is `(not given)`.
    pub fallback: Option<String>,
}

/// A format a message may ask for (`{x as money}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Format {
    /// Money or a number, two decimals, rounded half away from zero: `1200.00`.
    Money,
    /// Money or a number, exactly, without trailing zeros: `1200`, `84.66`.
    Number,
    /// A time's UTC date: `2026-11-25`.
    Date,
    /// A time in RFC 3339, UTC: `2026-11-25T12:00:00Z`.
    Time,
}

impl Format {
    /// Every format with its name in messages.
    pub const ALL: [(&'static str, Format); 4] = [
        ("money", Format::Money),
        ("number", Format::Number),
        ("date", Format::Date),
        ("time", Format::Time),
    ];
}

/// A compiled rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CompiledRule {
    /// The rule id.
    pub id: String,
    /// Permit, forbid or reject.
    pub effect: Effect,
    /// Who it applies to; `None` is everyone.
    pub audience: Option<Audience>,
    /// Its condition (`unless` already turned into `not`).
    pub condition: Option<Expr>,
    /// Its message.
    pub message: Template,
    /// Where it was written.
    pub span: Span,
    /// When this version of the rule is in force (selected by the request's time);
    /// `None`: always (also a version fixed by [`CompiledPolicy::as_of`]).
    pub in_force: Option<InForce>,
    /// The version a dated rule's reasons, errors and explanations name (`from
    /// 2021-02-01 until 2023-01-01`); `None` for an undated rule.
    pub version: Option<String>,
}

/// A required field (or one of several) for an action, maybe conditional.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Requirement {
    /// Slots of which one must be present.
    pub any_of: Vec<u16>,
    /// Required only when this holds (a dated `require` block's interval is part of
    /// it).
    pub when: Option<Expr>,
}

/// A compiled fact declaration.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Fact {
    /// Index of the fact's name in `fact_names`.
    pub name: u16,
    /// Its value.
    pub value: Expr,
    /// Whether it reads `allowed` (so is computed after the decision).
    pub after_decision: bool,
}

/// Everything that applies to one action, in declaration order.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ActionPlan {
    /// Required fields.
    pub requirements: Vec<Requirement>,
    /// Indices of reject rules.
    pub rejects: Vec<u16>,
    /// Indices of forbid rules.
    pub forbids: Vec<u16>,
    /// Indices of permit rules.
    pub permits: Vec<u16>,
    /// Indices of facts, in declaration order.
    pub facts: Vec<u16>,
    /// For each fact name, the fact declaration that applies to this action.
    pub fact_by_name: Vec<Option<u16>>,
    /// The action's own default-deny message (`otherwise deny ACTION because ...`);
    /// `None`: the policy's fallback, [`CompiledPolicy::default_deny`].
    pub default_deny: Option<Template>,
}

/// A `let` declaration.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Let {
    /// Its name.
    pub name: String,
    /// Its value.
    pub value: Expr,
}

/// A policy ready for evaluation.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CompiledPolicy {
    /// The policy's source files (for explanations and messages); not part of its
    /// prepared bytes (`serial`): the texts are embedded beside them.
    #[serde(skip)]
    pub sources: SourceMap,
    /// The input schema.
    pub schema: Schema,
    /// Actions, by index.
    pub actions: Vec<Action>,
    /// Sides, by index.
    pub sides: Vec<String>,
    /// Roles, by bit.
    pub roles: Vec<Role>,
    /// Market lists, by index.
    pub market_lists: Vec<MarketList>,
    /// The text key (`crate::text::key`) of every display name in every list → its
    /// code; see [`CompiledPolicy::market_named`].
    #[serde(serialize_with = "serial::sorted")]
    pub market_by_name: HashMap<String, MarketCode>,
    /// Code → its first display name in the policy.
    #[serde(serialize_with = "serial::sorted")]
    pub market_display: HashMap<MarketCode, String>,
    /// `let` declarations, by index.
    pub lets: Vec<Let>,
    /// Fact names, by index.
    pub fact_names: Vec<String>,
    /// Fact declarations, by index.
    pub facts: Vec<Fact>,
    /// Rules, by index.
    pub rules: Vec<CompiledRule>,
    /// What applies to each action, by action index.
    pub plans: Vec<ActionPlan>,
    /// Requirements of `every action`, checked even when the action is unknown.
    pub always_required: Vec<Requirement>,
    /// The message of the default deny for actions without their own (an action's own
    /// is in its [`ActionPlan`]).
    pub default_deny: Template,
    /// Durations used by windows and links, for explanations (name → length).
    pub durations: Vec<(String, TimeDelta)>,
}

impl CompiledPolicy {
    /// This policy with every version selected by the request's time fixed to the one
    /// in force at `t`: the rules, facts, requirements and market lists in force then
    /// (others removed, or holding nothing), and the windows and links in force then
    /// unless they are selected by another time (`as in force at FIELD`, which stays a
    /// choice at decision time). Dated rules keep naming their version.
    pub fn as_of(&self, t: chrono::DateTime<chrono::Utc>) -> CompiledPolicy {
        let mut out = self.clone();
        let at = out.schema.at;
        let keep: Vec<bool> = out
            .rules
            .iter()
            .map(|r| r.in_force.is_none_or(|i| i.contains(t)))
            .collect();
        // Rules not in force are removed from the plans (indices stay valid).
        for plan in &mut out.plans {
            for list in [&mut plan.rejects, &mut plan.forbids, &mut plan.permits] {
                list.retain(|&i| keep.get(usize::from(i)).copied().unwrap_or(false));
            }
        }
        let fix = |e: &mut Expr| in_force::fix_versions(e, at, t);
        for rule in &mut out.rules {
            rule.in_force = None;
            if let Some(c) = &mut rule.condition {
                fix(c);
            }
            rule.message.visit_mut(&fix);
        }
        for fact in &mut out.facts {
            fix(&mut fact.value);
        }
        for l in &mut out.lets {
            fix(&mut l.value);
        }
        for req in out
            .plans
            .iter_mut()
            .flat_map(|p| p.requirements.iter_mut())
            .chain(out.always_required.iter_mut())
        {
            if let Some(w) = &mut req.when {
                fix(w);
            }
        }
        for plan in &mut out.plans {
            if let Some(t) = &mut plan.default_deny {
                t.visit_mut(&fix);
            }
        }
        out.default_deny.visit_mut(&fix);
        out
    }

    /// The market a request's text names: an ISO 3166-1 alpha-2 code in any case (or
    /// `XK`), else a display name of one of the lists, compared by its text key (case,
    /// Unicode form and width do not count: `중국`, `CHINA`, `ｃｈｉｎａ`).
    pub fn market_named(&self, text: &str) -> Option<MarketCode> {
        let code = if text.len() == 2 {
            MarketCode::parse(text)
        } else {
            None
        };
        code.or_else(|| {
            self.market_by_name
                .get(crate::text::key(text).as_ref())
                .copied()
        })
    }

    /// The action with this name.
    pub fn action_index(&self, name: &str) -> Option<u16> {
        self.actions
            .iter()
            .position(|a| a.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The display name of a market: its first name in the policy, else the ISO name,
    /// else the code.
    pub fn market_name(&self, code: MarketCode) -> String {
        self.market_display
            .get(&code)
            .cloned()
            .or_else(|| code.iso_name())
            .unwrap_or_else(|| code.as_str())
    }
}
