//! The syntax tree of one policy file: plain data with source spans, nothing resolved.
//!
//! Every node that a diagnostic may point at carries a [`Span`]. Names are kept as
//! written; the checker resolves them against the whole policy.

use crate::source::Span;

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The text of the name.
    pub text: String,
    /// Where it stands in the source.
    pub span: Span,
}

/// A dotted path (`order.purchased_at`, `cancellation.end`), with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The segments, in order.
    pub segments: Vec<String>,
    /// Where the whole path stands.
    pub span: Span,
}

impl Path {
    /// The path joined with dots, as written.
    pub fn dotted(&self) -> String {
        self.segments.join(".")
    }
}

/// A string literal with escapes resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// The value after escapes (`\{` is `{`).
    pub value: String,
    /// The text between the quotes as written, escapes unresolved: message templates
    /// read it (`syntax/template.rs`), so that `\{` and `{` stay apart and every
    /// placeholder's span is its place in the source.
    pub raw: String,
    /// Where the literal (quotes included) stands.
    pub span: Span,
}

/// One parsed policy file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyFile {
    /// The declarations in source order.
    pub declarations: Vec<Declaration>,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declaration {
    /// `actions { name "label" ... }`
    Actions(NamedList),
    /// `roles for SIDE { name "label" ... }`
    Roles {
        /// The side these roles belong to (`partner`, `customer`).
        side: Name,
        /// The roles with their display names.
        roles: NamedList,
    },
    /// `input { field "label" is TYPE, note "..." ... }`
    Input(Vec<FieldDecl>),
    /// `markets NAME "title" { AX "Aland Islands" ... }`
    Markets(MarketsDecl),
    /// `window NAME is 60 days from FIELD`
    Window(WindowDecl),
    /// `link NAME expires 14 days after FIELD or after 50 uses counted in FIELD`
    Link(LinkDecl),
    /// `require for ACTIONS { FIELD ... }`
    Require(RequireDecl),
    /// `constant NAME = VALUE`
    Constant(ConstantDecl),
    /// `let NAME = EXPR`
    Let(LetDecl),
    /// `fact NAME for ACTIONS = EXPR`
    Fact(FactDecl),
    /// `rule ID permit|forbid|reject ACTIONS [to ROLES] [when|unless EXPR] because "..."`
    Rule(RuleDecl),
    /// `otherwise deny [ACTIONS] because "..."`
    Otherwise(OtherwiseDecl),
}

/// `otherwise deny [ACTIONS] because "..."`: the default deny's message, for some
/// actions or (without actions) for every action that has no message of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherwiseDecl {
    /// The actions this message is for; `None` is the fallback for all others.
    pub actions: Option<ActionSet>,
    /// The message, with `{value}` placeholders.
    pub message: Text,
}

/// A braced list of `name "display name"` items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedList {
    /// The items in source order.
    pub items: Vec<(Name, Text)>,
    /// The span of the whole declaration.
    pub span: Span,
}

/// One field of the input schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDecl {
    /// The field's path in a request.
    pub path: Path,
    /// A human label used in messages ("order ID").
    pub label: Option<Text>,
    /// The declared type.
    pub ty: FieldType,
    /// Where the type stands.
    pub ty_span: Span,
    /// A note appended to every error about this field.
    pub note: Option<Text>,
}

/// The type of an input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// The request's action (`the action`).
    Action,
    /// The time of the request (`the time of the request`), defaulting to "now".
    RequestTime,
    /// The actor's side (`the actor's side`): one of the sides that have roles.
    Side,
    /// The actor's roles (`the actor's roles`): a list of role names of the actor's side.
    Roles,
    /// One of a fixed set of words.
    OneOf(Vec<Name>),
    /// Free text.
    Text,
    /// An RFC 3339 timestamp.
    Time,
    /// A non-negative decimal amount of money, and the field that gives its ISO 4217
    /// currency (`money in order.currency`), when declared.
    Money(Option<Path>),
    /// A decimal number.
    Number,
    /// A whole number, zero or more.
    Count,
    /// `yes or no`: a boolean.
    Flag,
    /// A GUID, compared case-insensitively.
    Guid,
    /// An ISO 3166-1 alpha-2 code or a display name from one of the policy's market lists.
    Market,
}

/// `markets NAME "title" { names in en, ko  CODE "name" "other name" ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketsDecl {
    /// The list's name, used in conditions (`is in NAME`).
    pub name: Name,
    /// The list's title.
    pub title: Text,
    /// When this version of the list is in force (`in force from ...`), if dated.
    pub in_force: Option<InForce>,
    /// The languages of its display names (`names in en, ko`), as BCP 47 tags; empty
    /// when the list does not say.
    pub languages: Vec<Name>,
    /// Each market code with one or more display names.
    pub entries: Vec<MarketEntry>,
}

/// One market of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketEntry {
    /// The code as written.
    pub code: Name,
    /// Its display names as written in the source document.
    pub names: Vec<MarketName>,
}

/// One display name of a market: `"중국"`, or `"영국령 버전 아일랜드" (own spelling)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketName {
    /// The name.
    pub text: Text,
    /// Marked `(own spelling)`: the policy's own spelling, checked against no source.
    pub own_spelling: bool,
}

/// A length of time written in a policy (`60 days`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationLit {
    /// How many units.
    pub amount: u64,
    /// The unit, singular (`day`, `week`, ...).
    pub unit: TimeUnit,
    /// Where it stands.
    pub span: Span,
}

/// Units of exact durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// 1 second.
    Second,
    /// 60 seconds.
    Minute,
    /// 60 minutes.
    Hour,
    /// Exactly 24 hours.
    Day,
    /// Exactly 7 × 24 hours.
    Week,
}

impl TimeUnit {
    /// The unit's length in seconds.
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3_600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        }
    }

    /// The unit's name, plural when `amount` is not one.
    pub fn name(self, amount: u64) -> &'static str {
        let (one, many) = match self {
            TimeUnit::Second => ("second", "seconds"),
            TimeUnit::Minute => ("minute", "minutes"),
            TimeUnit::Hour => ("hour", "hours"),
            TimeUnit::Day => ("day", "days"),
            TimeUnit::Week => ("week", "weeks"),
        };
        if amount == 1 {
            one
        } else {
            many
        }
    }
}

/// A value a declaration writes either as a literal or as the name of a constant
/// (`60 days` or `cancellation_days`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fixed<T> {
    /// Written as a literal.
    Literal(T),
    /// The name of a constant.
    Named(Name),
}

/// `window NAME is DURATION from FIELD`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowDecl {
    /// The window's name.
    pub name: Name,
    /// How long it lasts.
    pub length: Fixed<DurationLit>,
    /// The timestamp field it starts from.
    pub start: Path,
    /// When this version is in force, and the time that selects it, if dated.
    pub dated: Option<Dated>,
}

/// `in force [again] from DATE [until DATE]` / `in force until DATE`: when a
/// declaration is in force, `from` inclusive, `until` exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InForce {
    /// The first instant it is in force (a date or instant literal as written).
    pub from: Option<Name>,
    /// The first instant it is no longer in force.
    pub until: Option<Name>,
    /// Written `in force again from`: it follows a time when it was not in force, on
    /// purpose (no gap warning).
    pub again: bool,
    /// Where the clause stands.
    pub span: Span,
}

/// The dating of a window or link: `, in force ... [, as in force at FIELD]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated {
    /// When this version is in force.
    pub in_force: InForce,
    /// The time field that selects the version (`as in force at order.purchased_at`);
    /// `None`: the request's time.
    pub selected_at: Option<Path>,
}

/// `link NAME expires DURATION after FIELD or after N uses counted in FIELD`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDecl {
    /// The link's name.
    pub name: Name,
    /// How long a link lives.
    pub lifetime: Fixed<DurationLit>,
    /// The timestamp field it was issued at.
    pub issued: Path,
    /// How many uses it allows.
    pub limit: Fixed<u64>,
    /// Where the limit stands.
    pub limit_span: Span,
    /// The count field holding the uses made so far.
    pub used: Path,
    /// When this version is in force, and the time that selects it, if dated.
    pub dated: Option<Dated>,
}

/// A set of actions a declaration applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSet {
    /// `every action`
    Every(Span),
    /// A list of action names.
    Listed(Vec<Name>),
}

/// `require for ACTIONS { ... }`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireDecl {
    /// The actions this applies to.
    pub actions: ActionSet,
    /// When these requirements are in force, if dated.
    pub in_force: Option<InForce>,
    /// The required fields.
    pub items: Vec<Requirement>,
}

/// One required field, or a group of which one suffices, maybe conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// One path, or several of which one must be present.
    pub any_of: Vec<Path>,
    /// Required only when this holds.
    pub when: Option<Expr>,
    /// Where the item stands.
    pub span: Span,
}

/// `constant NAME = VALUE`: a value fixed by the policy, computed once at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstantDecl {
    /// The name.
    pub name: Name,
    /// Its value: a literal or another constant.
    pub value: Expr,
}

/// `let NAME = EXPR`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetDecl {
    /// The name.
    pub name: Name,
    /// Its value.
    pub value: Expr,
}

/// `fact NAME for ACTIONS = EXPR`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactDecl {
    /// The fact's name in the decision.
    pub name: Name,
    /// The actions whose decisions carry it.
    pub actions: ActionSet,
    /// When this version is in force, if dated.
    pub in_force: Option<InForce>,
    /// Its value.
    pub value: Expr,
}

/// What a declaration does when it decides, as the language writes it: a rule's
/// `permit`, `forbid` or `reject`, or the `deny` of `otherwise deny`. The same value
/// goes from the syntax tree to the compiled rule, the evaluator and the decision's
/// reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Allows the action unless a forbid or an error applies.
    Permit,
    /// Denies the action.
    Forbid,
    /// Marks the request as unusable: an error, so a deny.
    Reject,
    /// The default deny (`otherwise deny`), the effect of the reason `default-deny`
    /// when no rule permits the action. No rule has it: the grammar gives a rule only
    /// the three others.
    Deny,
}

impl Effect {
    /// The effect's keyword, as policies and decisions write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Permit => "permit",
            Effect::Forbid => "forbid",
            Effect::Reject => "reject",
            Effect::Deny => "deny",
        }
    }
}

impl std::fmt::Display for Effect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A group of roles of one side in a rule's audience: `partner admin_agent or global_admin`.
/// No roles means every actor of that side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGroup {
    /// The side.
    pub side: Name,
    /// The roles; empty means any.
    pub roles: Vec<Name>,
    /// Whether the roles are joined by `and` (the actor holds all of them) rather than
    /// `or` (any of them).
    pub all: bool,
}

/// A rule's condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Applies when the expression holds.
    When(Expr),
    /// Applies when the expression does not hold.
    Unless(Expr),
}

/// `rule ID EFFECT ACTIONS [to ROLES] [when|unless EXPR] because "MESSAGE"`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDecl {
    /// The rule id shown in decisions.
    pub id: Name,
    /// When this version of the rule is in force, if dated.
    pub in_force: Option<InForce>,
    /// Permit, forbid or reject.
    pub effect: Effect,
    /// Where the effect keyword stands.
    pub effect_span: Span,
    /// The actions it applies to.
    pub actions: ActionSet,
    /// The actors it applies to; `None` means every actor.
    pub audience: Option<Vec<RoleGroup>>,
    /// Its condition, if any.
    pub condition: Option<Condition>,
    /// The message, with `{value}` placeholders.
    pub message: Text,
    /// The span of the whole rule.
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it stands.
    pub span: Span,
}

/// Binary arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Ordering comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind {
    /// A decimal literal, as written.
    Number(String),
    /// A money literal: the amount as written and the currency code (`10000.00 USD`).
    Money(String, Name),
    /// A string literal.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// A duration literal.
    Duration(DurationLit),
    /// An instant literal (RFC 3339) as written, `T` and `Z` in capitals: `2026-01-01T00:00:00Z`.
    Instant(String),
    /// A date literal (midnight UTC), as written: `2026-01-01`.
    Date(String),
    /// `whole UNIT in X`: how many whole units the duration `X` holds (the floor).
    Whole(TimeUnit, Box<Expr>),
    /// A name or dotted path.
    Path(Path),
    /// A call of a built-in function.
    Call(Name, Vec<Expr>),
    /// `if C then A else B`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `-X`
    Negate(Box<Expr>),
    /// `A op B`
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// `not X`
    Not(Box<Expr>),
    /// `A and B and ...`
    And(Vec<Expr>),
    /// `A or B or ...`
    Or(Vec<Expr>),
    /// `X is present`
    Present(Box<Expr>),
    /// `X is missing`
    Missing(Box<Expr>),
    /// `X is [not] Y`
    Is(Box<Expr>, Box<Expr>, bool),
    /// `X is [not] one of A, B, ...`
    OneOf(Box<Expr>, Vec<Expr>, bool),
    /// `X is [not] in LIST`
    In(Box<Expr>, Name, bool),
    /// `X is [not] within WINDOW`
    Within(Box<Expr>, Name, bool),
    /// `X is [not] before Y`
    Before(Box<Expr>, Box<Expr>, bool),
    /// `X is [not] after Y`
    After(Box<Expr>, Box<Expr>, bool),
    /// `X contains Y` / `X does not contain Y`
    Contains(Box<Expr>, Box<Expr>, bool),
    /// `X contains any of A, B` (`false`) / `X contains all of A, B` (`true`)
    ContainsOf(Box<Expr>, Vec<Expr>, bool),
    /// `A < B` and friends
    Compare(CompareOp, Box<Expr>, Box<Expr>),
}
