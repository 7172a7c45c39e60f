//! A condition as cases: an `or` of `and`s of constraints ([`Lit`]), each on one value
//! (the set of values it allows, and whether it may be absent) or on the order of two
//! values, with `let`s inlined (at most [`REACH_LET_DEPTH`] deep) and at most
//! [`REACH_CASES`] cases. The semantics follow the evaluator: every test is false on an
//! absent value, negated or not; `not` is plain negation.

use super::sets::{bound, flip, order_bits, test, Cons, Set, EQ, GT, LT};
use crate::limits::{REACH_CASES, REACH_LET_DEPTH};
use crate::policy::{Expr, Node};
use crate::source::Span;
use crate::value::Value;

/// One constraint that a test puts on the request, with where it comes from.
#[derive(Debug, Clone)]
pub(super) struct Lit {
    /// The test it comes from (none for audiences and requirements).
    pub(super) span: Option<Span>,
    /// Why it holds, for messages, when it has no span.
    pub(super) why: Option<String>,
    /// The constraint.
    pub(super) kind: Kind,
}

/// What a constraint says.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    /// Never holds (`false`).
    False,
    /// The value of an expression (spans removed) is in a set, or absent if allowed.
    Value(Expr, Cons),
    /// The order of two expressions (spans removed): bits of [`LT`], [`EQ`], [`GT`].
    Rel(Expr, Expr, bool, u8),
}

/// The expression with every span cleared, so that two writings of one value compare
/// equal.
pub(super) fn strip(e: &Expr) -> Expr {
    let b = |x: &Expr| Box::new(strip(x));
    let node = match &e.node {
        Node::Const(_) | Node::Field(_) | Node::Let(_) | Node::Fact(_) | Node::Allowed => {
            e.node.clone()
        }
        Node::MarketName(a) => Node::MarketName(b(a)),
        Node::Not(a) => Node::Not(b(a)),
        Node::And(l) => Node::And(l.iter().map(strip).collect()),
        Node::Or(l) => Node::Or(l.iter().map(strip).collect()),
        Node::Present(a) => Node::Present(b(a)),
        Node::Missing(a) => Node::Missing(b(a)),
        Node::Equal(x, y, n) => Node::Equal(b(x), b(y), *n),
        Node::OneOf(x, l, n) => Node::OneOf(b(x), l.iter().map(strip).collect(), *n),
        Node::InList(x, i, n) => Node::InList(b(x), *i, *n),
        Node::HasRoles(x, m, all, n) => Node::HasRoles(b(x), m.clone(), *all, *n),
        Node::Range(x, l, h, n) => Node::Range(b(x), b(l), b(h), *n),
        Node::Compare(o, x, y) => Node::Compare(*o, b(x), b(y)),
        Node::Contains(x, y, n) => Node::Contains(b(x), b(y), *n),
        Node::Arith(o, x, y) => Node::Arith(*o, b(x), b(y)),
        Node::Negate(a) => Node::Negate(b(a)),
        Node::If(c, x, y) => Node::If(b(c), b(x), b(y)),
        Node::Call(f, l) => Node::Call(*f, l.iter().map(strip).collect()),
        Node::Versions(v) => Node::Versions(v.clone()),
    };
    Expr::new(node, Span::default())
}

/// Whether two expressions compute the same thing, wherever they are written.
pub(in crate::check) fn same_shape(a: &Expr, b: &Expr) -> bool {
    strip(a) == strip(b)
}

/// The value of a constant expression.
fn constant(e: &Expr) -> Option<&Value<'static>> {
    match &e.node {
        Node::Const(v) => Some(v),
        _ => None,
    }
}

/// What the analysis needs from the checker.
pub(super) struct Env<'a> {
    /// The compiled `let`s, by index (inlined into conditions).
    pub(super) lets: &'a [Option<Expr>],
    /// The market lists, by index.
    pub(super) markets: &'a [crate::policy::MarketList],
}

impl Env<'_> {
    /// The cases of `e` (when `positive`) or of `not e`: each a list of constraints that
    /// all hold in that case. `None` when there are too many cases to look at.
    pub(super) fn cases(&self, e: &Expr, positive: bool, depth: usize) -> Option<Vec<Vec<Lit>>> {
        let one = |kind: Kind| Some(vec![vec![lit(e.span, kind)]]);
        match &e.node {
            Node::Let(i) if depth < REACH_LET_DEPTH => {
                match self.lets.get(usize::from(*i)).and_then(Option::as_ref) {
                    Some(value) => {
                        let mut cases = self.cases(value, positive, depth + 1)?;
                        // Point at the use of the let, not inside its declaration.
                        for case in &mut cases {
                            for l in case.iter_mut() {
                                l.span = Some(e.span);
                            }
                        }
                        Some(cases)
                    }
                    None => Some(vec![Vec::new()]),
                }
            }
            Node::Not(a) => self.cases(a, !positive, depth),
            Node::And(parts) | Node::Or(parts) => {
                let all = matches!(e.node, Node::And(_)) == positive;
                let mut out: Vec<Vec<Lit>> = vec![Vec::new()];
                if !all {
                    out.clear();
                }
                for part in parts {
                    let cases = self.cases(part, positive, depth)?;
                    if all {
                        let mut next = Vec::new();
                        for left in &out {
                            for right in &cases {
                                let mut case = left.clone();
                                case.extend(right.iter().cloned());
                                next.push(case);
                            }
                        }
                        out = next;
                    } else {
                        out.extend(cases);
                    }
                    if out.len() > REACH_CASES {
                        return None;
                    }
                }
                Some(out)
            }
            Node::Const(Value::Bool(b)) => {
                if *b == positive {
                    Some(vec![Vec::new()])
                } else {
                    one(Kind::False)
                }
            }
            Node::Present(a) | Node::Missing(a) => {
                let present = matches!(e.node, Node::Present(_)) == positive;
                let cons = if present {
                    Cons {
                        absent_ok: false,
                        set: Set::all(),
                    }
                } else {
                    Cons {
                        absent_ok: true,
                        set: Set::nothing(),
                    }
                };
                one(Kind::Value(strip(a), cons))
            }
            Node::Equal(a, b, negated) => match (constant(a), constant(b)) {
                (None, Some(c)) | (Some(c), None) => {
                    let subject = if constant(a).is_none() { a } else { b };
                    let value = vec![c.clone()];
                    one(Kind::Value(strip(subject), test(positive, *negated, value)))
                }
                (None, None) => {
                    let bits = if positive != *negated { EQ } else { LT | GT };
                    Some(vec![self.relation(e.span, a, b, positive, bits)])
                }
                (Some(_), Some(_)) => Some(vec![Vec::new()]),
            },
            Node::OneOf(a, options, negated) => {
                let values: Option<Vec<Value<'static>>> =
                    options.iter().map(|o| constant(o).cloned()).collect();
                match (constant(a), values) {
                    (None, Some(values)) => {
                        one(Kind::Value(strip(a), test(positive, *negated, values)))
                    }
                    _ => Some(vec![Vec::new()]),
                }
            }
            Node::InList(a, list, negated) => {
                let codes: Vec<Value<'static>> = self
                    .markets
                    .get(usize::from(*list))
                    .map(|l| l.codes.iter().map(Value::Market).collect())
                    .unwrap_or_default();
                one(Kind::Value(strip(a), test(positive, *negated, codes)))
            }
            Node::Range(x, low, high, negated) => {
                if positive && !*negated {
                    let mut case = self.relation(e.span, x, low, true, GT | EQ);
                    case.extend(self.relation(e.span, x, high, true, LT | EQ));
                    Some(vec![case])
                } else if positive {
                    let case = [x, low, high]
                        .iter()
                        .filter(|v| constant(v).is_none())
                        .map(|v| lit(e.span, present(v)))
                        .collect();
                    Some(vec![case])
                } else {
                    Some(vec![Vec::new()])
                }
            }
            Node::Compare(order, a, b) => Some(vec![self.relation(
                e.span,
                a,
                b,
                positive,
                order_bits(*order),
            )]),
            Node::Contains(a, b, _) if positive => {
                let case = [a, b]
                    .iter()
                    .filter(|v| constant(v).is_none())
                    .map(|v| lit(e.span, present(v)))
                    .collect();
                Some(vec![case])
            }
            Node::Field(_) => {
                // A yes-or-no field used as a condition: it holds when it is yes.
                let cons = if positive {
                    Cons {
                        absent_ok: false,
                        set: Set::only(vec![Value::Bool(true)]),
                    }
                } else {
                    Cons {
                        absent_ok: true,
                        set: Set::only(vec![Value::Bool(false)]),
                    }
                };
                one(Kind::Value(strip(e), cons))
            }
            _ => Some(vec![Vec::new()]),
        }
    }

    /// The constraints of `a REL b` (or its negation): on their order, on a constant
    /// side as a bound, and on both being given.
    fn relation(&self, span: Span, a: &Expr, b: &Expr, positive: bool, bits: u8) -> Vec<Lit> {
        let bits = if positive {
            bits
        } else {
            !bits & (LT | EQ | GT)
        };
        let absent_ok = !positive;
        let mut out = Vec::new();
        match (constant(a), constant(b)) {
            (None, Some(c)) => {
                out.push(lit(span, Kind::Value(strip(a), bound(c, bits, absent_ok))))
            }
            (Some(c), None) => {
                out.push(lit(
                    span,
                    Kind::Value(strip(b), bound(c, flip(bits), absent_ok)),
                ));
            }
            (None, None) => {
                out.push(lit(span, Kind::Rel(strip(a), strip(b), absent_ok, bits)));
                if positive {
                    out.push(lit(span, present(a)));
                    out.push(lit(span, present(b)));
                }
            }
            (Some(_), Some(_)) => {}
        }
        out
    }
}

/// A constraint that comes from the test at `span`.
fn lit(span: Span, kind: Kind) -> Lit {
    Lit {
        span: Some(span),
        why: None,
        kind,
    }
}

/// The expression is given.
pub(super) fn present(e: &Expr) -> Kind {
    Kind::Value(
        strip(e),
        Cons {
            absent_ok: false,
            set: Set::all(),
        },
    )
}
