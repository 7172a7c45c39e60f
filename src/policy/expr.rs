//! Compiled expressions: names resolved to slots and indices, types checked, windows and
//! links lowered to plain arithmetic. The evaluator walks these; nothing here is looked
//! up by name at decision time.

use crate::source::Span;
use crate::value::Value;

/// The static type of a compiled expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    /// true/false.
    Bool,
    /// Decimal number.
    Number,
    /// Decimal money.
    Money,
    /// Text.
    Text,
    /// UTC instant.
    Time,
    /// Exact duration.
    Duration,
    /// GUID.
    Guid,
    /// Market code.
    Market,
    /// A word of the enumerated field with this index.
    Enum(u16),
    /// The actor's side.
    Side,
    /// The actor's roles.
    Roles,
    /// An action.
    Action,
}

impl Ty {
    /// How the type is named in diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            Ty::Bool => "yes or no",
            Ty::Number => "a number",
            Ty::Money => "money",
            Ty::Text => "text",
            Ty::Time => "a time",
            Ty::Duration => "a duration",
            Ty::Guid => "a guid",
            Ty::Market => "a market",
            Ty::Enum(_) => "a word from a list",
            Ty::Side => "a side",
            Ty::Roles => "a list of roles",
            Ty::Action => "an action",
        }
    }
}

/// Arithmetic operators: the syntax tree's, operand types already checked.
pub use crate::syntax::ast::ArithOp as Arith;

/// An ordering between two values of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Order {
    /// `<` / `is before`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>` / `is after`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `=` / `is`
    Equal,
    /// `!=`
    NotEqual,
}

impl Order {
    /// The sign bit of "less than", in [`Order::signs`].
    pub const LT: u8 = 1;
    /// The sign bit of "equal".
    pub const EQ: u8 = 2;
    /// The sign bit of "greater than".
    pub const GT: u8 = 4;

    /// The outcomes of a comparison this order accepts, as sign bits.
    pub fn signs(self) -> u8 {
        match self {
            Order::Less => Self::LT,
            Order::LessOrEqual => Self::LT | Self::EQ,
            Order::Greater => Self::GT,
            Order::GreaterOrEqual => Self::GT | Self::EQ,
            Order::Equal => Self::EQ,
            Order::NotEqual => Self::LT | Self::GT,
        }
    }

    /// Sign bits with `LT` and `GT` swapped (`a ORDER b` read as `b ? a`).
    pub fn flip_signs(signs: u8) -> u8 {
        (signs & Self::EQ)
            | if signs & Self::LT != 0 { Self::GT } else { 0 }
            | if signs & Self::GT != 0 { Self::LT } else { 0 }
    }
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Func {
    /// `whole_days(from, to)`: floor of (to - from) / 24 h.
    WholeDays,
    /// `round(x, places)`: half away from zero.
    Round,
    /// `clamp(x, low, high)`: low if x < low, high if x > high (low wins if low > high).
    Clamp,
    /// `min(a, b)`
    Min,
    /// `max(a, b)`
    Max,
    /// `whole UNIT in d` as `(d, unit)`: the floor of the duration `d` ÷ the duration
    /// `unit` (not callable by name: written `whole hours in d`).
    WholeIn,
}

impl Func {
    /// Every function with its name, for lookup and suggestions.
    pub const ALL: [(&'static str, Func); 5] = [
        ("whole_days", Func::WholeDays),
        ("round", Func::Round),
        ("clamp", Func::Clamp),
        ("min", Func::Min),
        ("max", Func::Max),
    ];
}

/// A compiled expression with the span it came from (for explanations and errors).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    /// What to compute.
    pub node: Node,
    /// Where it was written.
    pub span: Span,
}

/// The nodes of compiled expressions.
///
/// Tests (`Equal`, `OneOf`, `InList`, `Range`, `Compare`, `Contains`) are false when any
/// operand is absent, negated or not: a missing value never satisfies a test. `Not` is
/// plain negation, so `not (x is y)` holds when `x` is missing.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Node {
    /// A constant.
    Const(Value<'static>),
    /// A request field by slot.
    Field(u16),
    /// A `let` by index (computed once per decision).
    Let(u16),
    /// A fact by name index (the declaration for the request's action).
    Fact(u16),
    /// Whether the decision is allow (facts only; computed after the rules).
    Allowed,
    /// The display name of a market (from the policy's lists, else the ISO name).
    MarketName(Box<Expr>),
    /// Boolean negation.
    Not(Box<Expr>),
    /// All hold (short-circuit).
    And(Vec<Expr>),
    /// Any holds (short-circuit).
    Or(Vec<Expr>),
    /// The value is given.
    Present(Box<Expr>),
    /// The value is not given.
    Missing(Box<Expr>),
    /// `a is [not] b`: text compares by its key ([`crate::text`]); a text constant
    /// operand of `Equal`, `OneOf` or `Contains` is a key already (the checker keys it).
    Equal(Box<Expr>, Box<Expr>, bool),
    /// `a is [not] one of ...`
    OneOf(Box<Expr>, Vec<Expr>, bool),
    /// `a is [not] in LIST` (list index).
    InList(Box<Expr>, u16, bool),
    /// `a is [not] within` the inclusive range `low..=high`.
    Range(Box<Expr>, Box<Expr>, Box<Expr>, bool),
    /// An ordering test (`<`, `is before`, `is not after`...).
    Compare(Order, Box<Expr>, Box<Expr>),
    /// `a contains b` (the key of `b` in the key of `a`), negated when the flag is set.
    Contains(Box<Expr>, Box<Expr>, bool),
    /// A role test on the actor's roles: one mask per role named (the bits of that role
    /// name, one per side declaring it); `all` (every mask must meet the roles, else
    /// any one), `negated` (`does not contain`). Absent roles make it false.
    HasRoles(Box<Expr>, Vec<u64>, bool, bool),
    /// Arithmetic.
    Arith(Arith, Box<Expr>, Box<Expr>),
    /// `-x`
    Negate(Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A built-in function call.
    Call(Func, Vec<Expr>),
    /// A dated value: the version in force at a time (`in force ...`); the time not
    /// given is an error.
    Versions(Box<super::Versions>),
}

impl Expr {
    /// An expression at `span`.
    pub fn new(node: Node, span: Span) -> Self {
        Expr { node, span }
    }

    /// The direct sub-expressions, to change them.
    pub fn children_mut(&mut self) -> impl Iterator<Item = &mut Expr> {
        let children: Vec<&mut Expr> = match &mut self.node {
            Node::Const(_) | Node::Field(_) | Node::Let(_) | Node::Fact(_) | Node::Allowed => {
                Vec::new()
            }
            Node::MarketName(a)
            | Node::Not(a)
            | Node::Present(a)
            | Node::Missing(a)
            | Node::Negate(a)
            | Node::InList(a, _, _)
            | Node::HasRoles(a, _, _, _) => vec![&mut **a],
            Node::And(list) | Node::Or(list) | Node::Call(_, list) => list.iter_mut().collect(),
            Node::Equal(a, b, _)
            | Node::Compare(_, a, b)
            | Node::Contains(a, b, _)
            | Node::Arith(_, a, b) => vec![&mut **a, &mut **b],
            Node::OneOf(a, list, _) => {
                let mut v = vec![&mut **a];
                v.extend(list.iter_mut());
                v
            }
            Node::Range(a, b, c, _) | Node::If(a, b, c) => vec![&mut **a, &mut **b, &mut **c],
            Node::Versions(v) => {
                let v = &mut **v;
                let mut out = vec![&mut v.time];
                out.extend(v.choices.iter_mut().map(|(_, e)| e));
                out.push(&mut v.otherwise);
                out
            }
        };
        children.into_iter()
    }

    /// Calls `f` on this expression and every sub-expression.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        self.for_each_child(&mut |c| c.visit(&mut *f));
    }

    /// Calls `f` on each direct sub-expression, in the order they are written.
    pub fn for_each_child<'e>(&'e self, f: &mut dyn FnMut(&'e Expr)) {
        match &self.node {
            Node::Const(_) | Node::Field(_) | Node::Let(_) | Node::Fact(_) | Node::Allowed => {}
            Node::MarketName(a)
            | Node::Not(a)
            | Node::Present(a)
            | Node::Missing(a)
            | Node::Negate(a)
            | Node::InList(a, _, _)
            | Node::HasRoles(a, _, _, _) => f(a),
            Node::And(list) | Node::Or(list) | Node::Call(_, list) => list.iter().for_each(f),
            Node::Equal(a, b, _)
            | Node::Compare(_, a, b)
            | Node::Contains(a, b, _)
            | Node::Arith(_, a, b) => {
                f(a);
                f(b);
            }
            Node::OneOf(a, list, _) => {
                f(a);
                list.iter().for_each(f);
            }
            Node::Range(a, b, c, _) | Node::If(a, b, c) => {
                f(a);
                f(b);
                f(c);
            }
            Node::Versions(v) => {
                f(&v.time);
                v.choices.iter().for_each(|(_, e)| f(e));
                f(&v.otherwise);
            }
        }
    }
}
