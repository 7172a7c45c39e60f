//! The conditions of both policies as formulas over shared atoms. `let`s and facts used
//! in conditions are inlined; market lists become shared code sets (so that the two
//! policies' lists compare by content). Each atom is a test the exhaustive search can
//! decide exactly on one dimension of the request: a field against constants, the
//! actor against an audience or a role test, two GUIDs equal, or the order of two times
//! (a field plus a constant duration, the epoch for a time constant), with
//! `whole_days` over two times. Anything else is *opaque*: named in `incomplete`.
//!
//! Every test is false when an operand is absent, negated or not (the evaluator's
//! semantics): a negated test is `present and not test`.

use rust_decimal::Decimal;

use crate::market::MarketSet;
use crate::policy::expr::{Arith, Func, Order};
use crate::policy::{Audience, CompiledPolicy, Expr, FieldKind, Node, Schema};
use crate::value::Value;

/// Sign bits of a time split: below, at, above.
pub const LT: u8 = Order::LT;
/// See [`LT`].
pub const EQ: u8 = Order::EQ;
/// See [`LT`].
pub const GT: u8 = Order::GT;

/// Nanoseconds in a day.
pub const DAY_NS: i128 = 86_400 * 1_000_000_000;

/// A time split: the sign of `x_a - x_b - c` (a field's time in nanoseconds since the
/// epoch; `None` is the epoch itself, 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Split {
    /// The first time.
    pub a: Option<u16>,
    /// The second time.
    pub b: Option<u16>,
    /// The constant, in nanoseconds.
    pub c: i128,
}

impl Split {
    /// The split with `a`, `b` in one order (`a <= b`), and the signs read through it.
    fn normal(a: Option<u16>, b: Option<u16>, c: i128, signs: u8) -> (Split, u8) {
        if a <= b {
            (Split { a, b, c }, signs)
        } else {
            (Split { a: b, b: a, c: -c }, flip(signs))
        }
    }

    /// The fields it reads.
    pub fn fields(&self) -> impl Iterator<Item = u16> {
        self.a.into_iter().chain(self.b)
    }
}

/// `LT` and `GT` swapped.
pub fn flip(signs: u8) -> u8 {
    Order::flip_signs(signs)
}

/// A test on one field against constants.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Equal to one of these.
    OneOf(Vec<Value<'static>>),
    /// A market in the shared set with this index.
    InSet(usize),
    /// `field ORDER constant`.
    Order(Order, Value<'static>),
    /// Text whose key contains this key.
    Contains(String),
}

/// What the search decides exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    /// The field is given.
    Present(u16),
    /// The yes-or-no field is yes.
    Flag(u16),
    /// The field passes the test.
    Test(u16, Test),
    /// Both times given and the sign of the split is one of these.
    Time(Split, u8),
    /// Both GUIDs given and equal.
    SameGuid(u16, u16),
    /// The actor is in the audience.
    Audience(Audience),
    /// Roles given, and any (or all) of the masks met.
    Roles(Vec<u64>, bool),
}

impl Atom {
    /// The fields the atom reads (the actor's for audiences and roles: empty here).
    pub fn fields(&self) -> Vec<u16> {
        match self {
            Atom::Present(f) | Atom::Flag(f) | Atom::Test(f, _) => vec![*f],
            Atom::Time(s, _) => s.fields().collect(),
            Atom::SameGuid(a, b) => vec![*a, *b],
            Atom::Audience(_) | Atom::Roles(..) => Vec::new(),
        }
    }
}

/// A condition over atoms.
#[derive(Debug, Clone, PartialEq)]
pub enum Formula {
    /// Always this.
    Const(bool),
    /// An atom, by index.
    Atom(usize),
    /// Negation.
    Not(Box<Formula>),
    /// All hold.
    All(Vec<Formula>),
    /// Any holds.
    Any(Vec<Formula>),
    /// `if c then a else b`.
    If(Box<Formula>, Box<Formula>, Box<Formula>),
    /// A test the search cannot decide (never equal to another).
    Opaque(usize),
}

/// The Kleene truth of a conjunction (`decisive` false) or a disjunction (`decisive`
/// true): `decisive` as soon as one member is, unknown if a member is, else the other.
fn kleene_list(
    list: &[Formula],
    truth: &dyn Fn(usize) -> Option<bool>,
    decisive: bool,
) -> Option<bool> {
    let mut unknown = false;
    for f in list {
        match f.kleene(truth) {
            Some(b) if b == decisive => return Some(decisive),
            None => unknown = true,
            Some(_) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(!decisive)
    }
}

impl Formula {
    /// Three-valued (Kleene) truth, given each atom's truth where known.
    pub fn kleene(&self, truth: &dyn Fn(usize) -> Option<bool>) -> Option<bool> {
        match self {
            Formula::Const(b) => Some(*b),
            Formula::Atom(i) => truth(*i),
            Formula::Not(f) => f.kleene(truth).map(|b| !b),
            Formula::All(list) => kleene_list(list, truth, false),
            Formula::Any(list) => kleene_list(list, truth, true),
            Formula::If(c, a, b) => match c.kleene(truth) {
                Some(true) => a.kleene(truth),
                Some(false) => b.kleene(truth),
                None => match (a.kleene(truth), b.kleene(truth)) {
                    (Some(x), Some(y)) if x == y => Some(x),
                    _ => None,
                },
            },
            Formula::Opaque(_) => None,
        }
    }

    /// The atoms it reads.
    pub fn atoms(&self, out: &mut Vec<usize>) {
        match self {
            Formula::Const(_) | Formula::Opaque(_) => {}
            Formula::Atom(i) => out.push(*i),
            Formula::Not(f) => f.atoms(out),
            Formula::All(l) | Formula::Any(l) => l.iter().for_each(|f| f.atoms(out)),
            Formula::If(c, a, b) => {
                c.atoms(out);
                a.atoms(out);
                b.atoms(out);
            }
        }
    }
}

/// The atoms, code sets and time splits of both policies, and what could not be read.
#[derive(Debug, Default)]
pub struct Table {
    /// Atoms by index.
    pub atoms: Vec<Atom>,
    /// Market code sets by index (lists of both policies, by content).
    pub sets: Vec<MarketSet>,
    /// Splits that no condition tests but that decide an error: a time plus a duration
    /// that leaves the years a time may have.
    pub splitters: Vec<Split>,
    /// Why the search is not exact, in words.
    pub opaque: Vec<String>,
}

/// The earliest and latest time the engine holds, in nanoseconds since the epoch.
pub fn time_range() -> (i128, i128) {
    use chrono::{NaiveDate, TimeZone, Utc};
    let ns = |y: i32, m: u32, d: u32, h: u32, mi: u32, s: u32, n: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_nano_opt(h, mi, s, n))
            .map(|t| Utc.from_utc_datetime(&t))
            .and_then(|t| {
                t.timestamp_nanos_opt().map(i128::from).or_else(|| {
                    Some(
                        i128::from(t.timestamp()) * 1_000_000_000
                            + i128::from(t.timestamp_subsec_nanos()),
                    )
                })
            })
            .unwrap_or(0)
    };
    (
        ns(crate::limits::TIME_FIRST_YEAR, 1, 1, 0, 0, 0, 0),
        ns(
            crate::limits::TIME_LAST_YEAR,
            12,
            31,
            23,
            59,
            59,
            999_999_999,
        ),
    )
}

/// Reads one policy's expressions for one action into the shared table.
pub struct Reader<'p, 't> {
    /// The policy.
    pub policy: &'p CompiledPolicy,
    /// The action's index (for facts used in conditions).
    pub action: usize,
    /// The shared table.
    pub table: &'t mut Table,
    /// Where a construct comes from, for `opaque` reasons.
    pub context: String,
}

/// A time term: a field (or the epoch) and an offset in nanoseconds.
type Lin = (Option<u16>, i128);

impl Reader<'_, '_> {
    fn atom(&mut self, atom: Atom) -> Formula {
        let index = match self.table.atoms.iter().position(|a| *a == atom) {
            Some(i) => i,
            None => {
                self.table.atoms.push(atom);
                self.table.atoms.len() - 1
            }
        };
        Formula::Atom(index)
    }

    fn opaque(&mut self, e: &Expr, why: &str) -> Formula {
        let snippet = self.policy.sources.snippet(e.span);
        let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        let reason = format!("{}: `{snippet}` {why}", self.context);
        if !self.table.opaque.contains(&reason) {
            self.table.opaque.push(reason);
        }
        Formula::Opaque(self.table.opaque.len())
    }

    /// The audience as a formula.
    pub fn audience(&mut self, audience: &Audience) -> Formula {
        self.atom(Atom::Audience(audience.clone()))
    }

    /// A condition as a formula.
    pub fn formula(&mut self, e: &Expr, depth: usize) -> Formula {
        let Some(e) = inline(self.policy, self.action, e, depth) else {
            return self.opaque(e, "is nested too deeply");
        };
        let depth = depth + 1;
        match &e.node {
            Node::Const(Value::Bool(b)) => Formula::Const(*b),
            Node::Not(a) => Formula::Not(Box::new(self.formula(a, depth))),
            Node::And(list) => Formula::All(list.iter().map(|x| self.formula(x, depth)).collect()),
            Node::Or(list) => Formula::Any(list.iter().map(|x| self.formula(x, depth)).collect()),
            Node::If(c, a, b) => Formula::If(
                Box::new(self.formula(c, depth)),
                Box::new(self.formula(a, depth)),
                Box::new(self.formula(b, depth)),
            ),
            Node::Present(x) | Node::Missing(x) => {
                let present = match self.field(x, depth) {
                    Some(f) => self.atom(Atom::Present(f)),
                    None => return self.opaque(e, "tests the presence of a computed value"),
                };
                if matches!(e.node, Node::Missing(_)) {
                    Formula::Not(Box::new(present))
                } else {
                    present
                }
            }
            Node::Field(f) => self.atom(Atom::Flag(*f)),
            Node::Equal(a, b, negated) => {
                if let Some(f) = self.time_relation(a, b, Order::Equal, depth) {
                    return if *negated {
                        self.negated_time(a, b, depth)
                    } else {
                        f
                    };
                }
                match (self.field(a, depth), self.field(b, depth)) {
                    (Some(x), Some(y)) if self.is_guid(x) && self.is_guid(y) => {
                        let same = self.atom(Atom::SameGuid(x.min(y), x.max(y)));
                        self.negate(vec![x, y], same, *negated)
                    }
                    _ => match self.field_and_const(a, b, depth) {
                        Some((f, c)) => {
                            let test = self.atom(Atom::Test(f, Test::OneOf(vec![c])));
                            self.negate(vec![f], test, *negated)
                        }
                        None => self.opaque(e, "compares computed values"),
                    },
                }
            }
            Node::OneOf(a, options, negated) => {
                let consts: Option<Vec<Value<'static>>> =
                    options.iter().map(|o| self.constant(o, depth)).collect();
                match (self.field(a, depth), consts) {
                    (Some(f), Some(values)) => {
                        let test = self.atom(Atom::Test(f, Test::OneOf(values)));
                        self.negate(vec![f], test, *negated)
                    }
                    _ => self.opaque(e, "compares computed values"),
                }
            }
            Node::InList(a, list, negated) => {
                let Some(f) = self.field(a, depth) else {
                    return self.opaque(e, "tests a computed market");
                };
                let Some(codes) = self.policy.market_lists.get(usize::from(*list)) else {
                    return self.opaque(e, "names an unknown list");
                };
                let set = match self.table.sets.iter().position(|s| *s == codes.codes) {
                    Some(i) => i,
                    None => {
                        self.table.sets.push(codes.codes.clone());
                        self.table.sets.len() - 1
                    }
                };
                let test = self.atom(Atom::Test(f, Test::InSet(set)));
                self.negate(vec![f], test, *negated)
            }
            Node::Compare(order, a, b) => {
                if let Some(f) = self.time_relation(a, b, *order, depth) {
                    return f;
                }
                if let Some(f) = self.whole_days(a, b, *order, depth) {
                    return f;
                }
                if let Some((f, c)) = self.field_and_const(a, b, depth) {
                    // `c ORDER f` reads as `f (flipped ORDER) c`.
                    let order = if self.field(a, depth).is_some() {
                        *order
                    } else {
                        flip_order(*order)
                    };
                    return self.atom(Atom::Test(f, Test::Order(order, c)));
                }
                self.opaque(e, "compares computed values")
            }
            Node::Range(x, low, high, negated) => {
                let lower = Expr::new(
                    Node::Compare(Order::GreaterOrEqual, x.clone(), low.clone()),
                    e.span,
                );
                let upper = Expr::new(
                    Node::Compare(Order::LessOrEqual, x.clone(), high.clone()),
                    e.span,
                );
                if *negated {
                    let below =
                        Expr::new(Node::Compare(Order::Less, x.clone(), low.clone()), e.span);
                    let above = Expr::new(
                        Node::Compare(Order::Greater, x.clone(), high.clone()),
                        e.span,
                    );
                    Formula::Any(vec![
                        self.formula(&below, depth),
                        self.formula(&above, depth),
                    ])
                } else {
                    Formula::All(vec![
                        self.formula(&lower, depth),
                        self.formula(&upper, depth),
                    ])
                }
            }
            Node::Contains(a, b, negated) => {
                match (self.field(a, depth), self.constant(b, depth)) {
                    (Some(f), Some(Value::Text(key))) => {
                        let test = self.atom(Atom::Test(f, Test::Contains(key.into_owned())));
                        self.negate(vec![f], test, *negated)
                    }
                    _ => self.opaque(e, "tests computed text"),
                }
            }
            Node::HasRoles(_, masks, all, negated) => {
                let roles = self.atom(Atom::Roles(masks.clone(), *all));
                match self.policy.schema.roles {
                    Some(slot) => self.negate(vec![slot], roles, *negated),
                    None => roles,
                }
            }
            _ => self.opaque(e, "is not a test the comparison can enumerate"),
        }
    }

    /// `test`, or `present and not test` when negated.
    fn negate(&mut self, fields: Vec<u16>, test: Formula, negated: bool) -> Formula {
        if !negated {
            return test;
        }
        let mut all: Vec<Formula> = fields
            .into_iter()
            .map(|f| self.atom(Atom::Present(f)))
            .collect();
        all.push(Formula::Not(Box::new(test)));
        Formula::All(all)
    }

    /// The kind of field `f` in the schema.
    fn field_kind(&self, f: u16) -> Option<&FieldKind> {
        self.policy
            .schema
            .fields
            .get(usize::from(f))
            .map(|x| &x.kind)
    }

    fn is_guid(&self, f: u16) -> bool {
        matches!(self.field_kind(f), Some(FieldKind::Guid))
    }

    fn is_time(&self, f: u16) -> bool {
        matches!(
            self.field_kind(f),
            Some(FieldKind::Time | FieldKind::RequestTime)
        )
    }

    /// The field an expression reads, alone.
    fn field(&self, e: &Expr, depth: usize) -> Option<u16> {
        match &inline(self.policy, self.action, e, depth)?.node {
            Node::Field(f) => Some(*f),
            _ => None,
        }
    }

    /// The constant an expression is.
    fn constant(&self, e: &Expr, depth: usize) -> Option<Value<'static>> {
        match &inline(self.policy, self.action, e, depth)?.node {
            Node::Const(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// A field on one side and a constant (not a time) on the other.
    fn field_and_const(&self, a: &Expr, b: &Expr, depth: usize) -> Option<(u16, Value<'static>)> {
        let pair = match (self.field(a, depth), self.field(b, depth)) {
            (Some(f), None) => (f, self.constant(b, depth)?),
            (None, Some(f)) => (f, self.constant(a, depth)?),
            _ => return None,
        };
        (!self.is_time(pair.0)).then_some(pair)
    }

    /// A time term: a time field or constant, plus or minus constant durations.
    fn lin(&self, e: &Expr, depth: usize) -> Option<Lin> {
        let e = inline(self.policy, self.action, e, depth)?;
        match &e.node {
            Node::Field(f) if self.is_time(*f) => Some((Some(*f), 0)),
            Node::Const(Value::Time(t)) => Some((None, nanos(t)?)),
            Node::Arith(op, x, y) => {
                let duration = |d: &Expr| match &inline(self.policy, self.action, d, depth)?.node {
                    Node::Const(Value::Duration(d)) => d.num_nanoseconds().map(i128::from),
                    _ => None,
                };
                match op {
                    Arith::Add => match (self.lin(x, depth + 1), duration(y)) {
                        (Some((f, o)), Some(d)) => Some((f, o.checked_add(d)?)),
                        _ => {
                            let (f, o) = self.lin(y, depth + 1)?;
                            Some((f, o.checked_add(duration(x)?)?))
                        }
                    },
                    Arith::Sub => {
                        let (f, o) = self.lin(x, depth + 1)?;
                        Some((f, o.checked_sub(duration(y)?)?))
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A duration between two time terms minus a constant: `(a, b, k)` for `a - b - k`.
    fn difference(&self, e: &Expr, depth: usize) -> Option<(Lin, Lin, i128)> {
        let e = inline(self.policy, self.action, e, depth)?;
        match &e.node {
            Node::Arith(Arith::Sub, x, y) => {
                Some((self.lin(x, depth + 1)?, self.lin(y, depth + 1)?, 0))
            }
            _ => None,
        }
    }

    /// `a ORDER b` over times (terms, or a difference of terms against a duration).
    fn time_relation(&mut self, a: &Expr, b: &Expr, order: Order, depth: usize) -> Option<Formula> {
        if let (Some(x), Some(y)) = (self.lin(a, depth), self.lin(b, depth)) {
            // x.f + x.o  ORDER  y.f + y.o  ⇔  sign(x.f - y.f - (y.o - x.o)) in ORDER
            return Some(self.time_atom(x.0, y.0, y.1.checked_sub(x.1)?, signs(order)));
        }
        let duration = |e: &Expr| match &inline(self.policy, self.action, e, depth)?.node {
            Node::Const(Value::Duration(d)) => d.num_nanoseconds().map(i128::from),
            _ => None,
        };
        if let (Some((x, y, _)), Some(d)) = (self.difference(a, depth), duration(b)) {
            // (x - y) ORDER d  ⇔  sign(x.f - y.f - (d - x.o + y.o)) in ORDER
            let c = d.checked_sub(x.1)?.checked_add(y.1)?;
            return Some(self.time_atom(x.0, y.0, c, signs(order)));
        }
        if let (Some(d), Some((x, y, _))) = (duration(a), self.difference(b, depth)) {
            let c = d.checked_sub(x.1)?.checked_add(y.1)?;
            return Some(self.time_atom(x.0, y.0, c, signs(flip_order(order))));
        }
        None
    }

    /// `not (a is b)` over times.
    fn negated_time(&mut self, a: &Expr, b: &Expr, depth: usize) -> Formula {
        self.time_relation(a, b, Order::NotEqual, depth)
            .unwrap_or(Formula::Const(false))
    }

    /// `whole_days(x, y) ORDER k` for an integer `k`.
    fn whole_days(&mut self, a: &Expr, b: &Expr, order: Order, depth: usize) -> Option<Formula> {
        let (call, k, order) = match (
            inline(self.policy, self.action, a, depth).map(|e| &e.node),
            self.constant(b, depth),
        ) {
            (Some(Node::Call(Func::WholeDays, args)), Some(Value::Number(k))) => (args, k, order),
            _ => match (
                inline(self.policy, self.action, b, depth).map(|e| &e.node),
                self.constant(a, depth),
            ) {
                (Some(Node::Call(Func::WholeDays, args)), Some(Value::Number(k))) => {
                    (args, k, flip_order(order))
                }
                _ => return None,
            },
        };
        if k.fract() != Decimal::ZERO {
            return None;
        }
        let k: i128 = k.trunc().try_into().ok()?;
        let [from, to] = call.as_slice() else {
            return None;
        };
        let (x, y) = (self.lin(to, depth)?, self.lin(from, depth)?);
        // d = to - from; whole_days = floor(d / day). d - c = x.f - y.f - (c - x.o + y.o).
        let shift = |c: i128| c.checked_sub(x.1).and_then(|c| c.checked_add(y.1));
        let at_least = |r: &mut Self, n: i128| {
            Some(r.time_atom(x.0, y.0, shift(n.checked_mul(DAY_NS)?)?, GT | EQ))
        };
        let below =
            |r: &mut Self, n: i128| Some(r.time_atom(x.0, y.0, shift(n.checked_mul(DAY_NS)?)?, LT));
        let next = k.checked_add(1)?;
        Some(match order {
            Order::Less => below(self, k)?,
            Order::LessOrEqual => below(self, next)?,
            Order::Greater => at_least(self, next)?,
            Order::GreaterOrEqual => at_least(self, k)?,
            Order::Equal => Formula::All(vec![at_least(self, k)?, below(self, next)?]),
            Order::NotEqual => Formula::Any(vec![below(self, k)?, at_least(self, next)?]),
        })
    }

    fn time_atom(&mut self, a: Option<u16>, b: Option<u16>, c: i128, signs: u8) -> Formula {
        let (split, signs) = Split::normal(a, b, c, signs);
        self.atom(Atom::Time(split, signs))
    }

    /// Every time term plus a duration in `e` (a condition or a fact): each may leave
    /// the years a time may have, an error; its bounds become splitters.
    pub fn time_sums(&mut self, e: &Expr, depth: usize) {
        let Some(e) = inline(self.policy, self.action, e, depth) else {
            return;
        };
        let (first, last) = time_range();
        let mut found = Vec::new();
        e.visit(&mut |x: &Expr| {
            if let Node::Arith(Arith::Add | Arith::Sub, _, _) = &x.node {
                if let Some((Some(f), o)) = self.lin(x, depth) {
                    if o != 0 {
                        found.push(Split {
                            a: Some(f),
                            b: None,
                            c: first - o,
                        });
                        found.push(Split {
                            a: Some(f),
                            b: None,
                            c: last - o,
                        });
                    }
                }
            }
        });
        // Lets and facts inside are read where they are used.
        let mut inner = Vec::new();
        e.visit(&mut |x: &Expr| {
            if matches!(x.node, Node::Let(_) | Node::Fact(_)) {
                inner.push(x.clone());
            }
        });
        for s in found {
            if !self.table.splitters.contains(&s) {
                self.table.splitters.push(s);
            }
        }
        for x in inner {
            self.time_sums(&x, depth + 1);
        }
    }
}

/// The value an expression stands for, with `let`s and facts (of `action`) inlined, at
/// most [`crate::limits::EXPR_DEPTH`] deep.
fn inline<'e>(
    policy: &'e CompiledPolicy,
    action: usize,
    e: &'e Expr,
    depth: usize,
) -> Option<&'e Expr> {
    if depth > crate::limits::EXPR_DEPTH {
        return None;
    }
    match &e.node {
        Node::Let(i) => {
            let value = &policy.lets.get(usize::from(*i))?.value;
            inline(policy, action, value, depth + 1)
        }
        Node::Fact(n) => {
            let plan = policy.plans.get(action)?;
            let index = (*plan.fact_by_name.get(usize::from(*n))?)?;
            let value = &policy.facts.get(usize::from(index))?.value;
            inline(policy, action, value, depth + 1)
        }
        _ => Some(e),
    }
}

/// The signs of an order.
fn signs(order: Order) -> u8 {
    order.signs()
}

/// `a ORDER b` as `b (flipped) a`.
fn flip_order(order: Order) -> Order {
    match order {
        Order::Less => Order::Greater,
        Order::LessOrEqual => Order::GreaterOrEqual,
        Order::Greater => Order::Less,
        Order::GreaterOrEqual => Order::LessOrEqual,
        other => other,
    }
}

/// A time as nanoseconds since the epoch.
pub fn nanos(t: &chrono::DateTime<chrono::Utc>) -> Option<i128> {
    Some(i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos()))
}

/// How the fields that a set of atoms reads are searched: the GUID fields compared with
/// each other (one group), the time fields (with the request's time first) and their
/// splits, and every other field on its own (the actor's side and roles, and the
/// action, are dimensions of their own and left out).
pub(crate) struct FieldUse {
    /// GUID fields compared with each other, sorted.
    pub guid_group: Vec<u16>,
    /// Time fields, `at` among them, sorted.
    pub time_fields: Vec<u16>,
    /// Every other field read, sorted.
    pub single: Vec<u16>,
    /// The time splits the atoms make, in the order first met.
    pub splits: Vec<Split>,
}

impl FieldUse {
    /// The fields read by the atoms `used` (indexes into `table`).
    pub(crate) fn of(table: &Table, schema: &Schema, used: &[usize]) -> FieldUse {
        let is_time = |f: u16| is_time_field(schema, f);
        let is_actor = |f: u16| is_actor_field(schema, f);
        let mut guid_group: Vec<u16> = Vec::new();
        for i in used {
            if let Some(Atom::SameGuid(x, y)) = table.atoms.get(*i) {
                guid_group.extend([*x, *y]);
            }
        }
        guid_group.sort_unstable();
        guid_group.dedup();
        let mut time_fields: Vec<u16> = vec![schema.at];
        let mut single: Vec<u16> = Vec::new();
        let mut splits: Vec<Split> = Vec::new();
        for i in used {
            let Some(atom) = table.atoms.get(*i) else {
                continue;
            };
            if let Atom::Time(split, _) = atom {
                if !splits.contains(split) {
                    splits.push(*split);
                }
            }
            for f in atom.fields() {
                if is_time(f) {
                    time_fields.push(f);
                } else if !is_actor(f) && !guid_group.contains(&f) && f != schema.action {
                    single.push(f);
                }
            }
        }
        time_fields.sort_unstable();
        time_fields.dedup();
        single.sort_unstable();
        single.dedup();
        FieldUse {
            guid_group,
            time_fields,
            single,
            splits,
        }
    }
}

/// The dotted path of field `f` (`customer.market`).
pub(crate) fn field_path(schema: &Schema, f: u16) -> Option<&str> {
    schema.fields.get(usize::from(f)).map(|x| x.path.as_str())
}

/// Whether field `f` holds a time (the request's `at` included).
pub(crate) fn is_time_field(schema: &Schema, f: u16) -> bool {
    matches!(
        schema.fields.get(usize::from(f)).map(|x| &x.kind),
        Some(FieldKind::Time | FieldKind::RequestTime)
    )
}

/// Whether field `f` is the actor's side or roles (dimensions of their own).
pub(crate) fn is_actor_field(schema: &Schema, f: u16) -> bool {
    Some(f) == schema.side || Some(f) == schema.roles
}
