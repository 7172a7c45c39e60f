//! Order between times across tests: `at is before order.purchased_at and at is after
//! cancellation.end` can never hold, because the window's end is 60 days after the
//! purchase. Each ordering test (and each bound a time constant puts on a time) is read
//! as a difference constraint between two *bases* (a field, a `let`'s value, any other
//! expression) each shifted by an exact duration (`order.purchased_at + 60 days` is the
//! base `order.purchased_at` shifted by 60 days; a window's end and a link's expiry are
//! written so by the checker); the constraints can all hold exactly when their graph
//! has no negative cycle (Bellman–Ford). A strict order (`<`) counts as "less by an
//! infinitely small amount", so `a < b and b <= a` is a cycle of weight 0⁻.
//!
//! Sound like the rest of the analysis: a constraint is used only where it must hold.
//! A positive test needs its values given; a negated one (`not (at is after t)`) holds
//! when a value is absent, so it is used only when both values are known to be given
//! (another test of the case needs them). `≠`, lists of times and arithmetic other than
//! adding or subtracting a constant duration say nothing here.

use super::sets::{Cons, EQ, GT, LT};
use super::strip;
use crate::limits::REACH_LET_DEPTH;
use crate::policy::expr::Arith;
use crate::policy::{Expr, Node};
use crate::value::Value;

/// A weight: nanoseconds, and whether the bound is strict (less by an infinitely small
/// amount). Ordered lexicographically, strict below non-strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Weight {
    nanos: i128,
    /// 0 for `<=`; -1 for `<`, summed along a path.
    strict: i64,
}

impl Weight {
    fn add(self, other: Weight) -> Option<Weight> {
        Some(Weight {
            nanos: self.nanos.checked_add(other.nanos)?,
            strict: self.strict.checked_add(other.strict)?,
        })
    }
}

/// The constraints of one case as a graph: `to - from <= weight` (or `<`) per edge.
#[derive(Default)]
struct Graph {
    /// The bases; `None` is the zero of time (for bounds by time constants).
    nodes: Vec<Option<Expr>>,
    edges: Vec<(usize, usize, Weight)>,
    /// A constraint that can never hold on its own (no order allowed at all).
    impossible: bool,
}

impl Graph {
    fn node(&mut self, base: Option<Expr>) -> usize {
        match self.nodes.iter().position(|n| *n == base) {
            Some(i) => i,
            None => {
                self.nodes.push(base);
                self.nodes.len() - 1
            }
        }
    }

    /// `(a + a_off) REL (b + b_off)`, `REL` given as bits of `<`, `=`, `>`.
    fn relate(&mut self, a: usize, a_off: i128, b: usize, b_off: i128, bits: u8) {
        let (Some(ab), Some(ba)) = (b_off.checked_sub(a_off), a_off.checked_sub(b_off)) else {
            return;
        };
        let weight = |nanos: i128, strict: bool| Weight {
            nanos,
            strict: if strict { -1 } else { 0 },
        };
        match bits & (LT | EQ | GT) {
            0 => self.impossible = true,
            // a - b < b_off - a_off: an edge from b to a.
            LT => self.edges.push((b, a, weight(ab, true))),
            x if x == LT | EQ => self.edges.push((b, a, weight(ab, false))),
            GT => self.edges.push((a, b, weight(ba, true))),
            x if x == GT | EQ => self.edges.push((a, b, weight(ba, false))),
            EQ => {
                self.edges.push((b, a, weight(ab, false)));
                self.edges.push((a, b, weight(ba, false)));
            }
            // `≠` or no constraint at all.
            _ => {}
        }
    }

    /// Whether all constraints can hold: no negative cycle (Bellman–Ford from a virtual
    /// source at distance 0 from every node). An overflow gives up (says yes).
    fn consistent(&self) -> bool {
        if self.impossible {
            return false;
        }
        let zero = Weight {
            nanos: 0,
            strict: 0,
        };
        let mut dist = vec![zero; self.nodes.len()];
        for _ in 0..=self.nodes.len() {
            let mut changed = false;
            for &(from, to, w) in &self.edges {
                let (Some(&d_from), Some(&d_to)) = (dist.get(from), dist.get(to)) else {
                    continue;
                };
                let Some(through) = d_from.add(w) else {
                    return true;
                };
                if through < d_to {
                    if let Some(slot) = dist.get_mut(to) {
                        *slot = through;
                    }
                    changed = true;
                }
            }
            if !changed {
                return true;
            }
        }
        // Still shortening after one round more than there are nodes: a negative cycle.
        false
    }
}

/// Whether the order constraints among `values` (a value's constraint, merged) and
/// `relations` (`a REL b`, `absent_ok`: it also holds when a value is absent) can all
/// hold. `lets` are the compiled lets, read through when a base is one.
pub(super) fn consistent(
    values: &[(&Expr, Cons)],
    relations: &[(&Expr, &Expr, bool, u8)],
    lets: &[Option<Expr>],
) -> bool {
    let mut graph = Graph::default();
    // The bases known to be given in this case.
    let mut given: Vec<Expr> = Vec::new();
    let mut bounds = Vec::new();
    for (subject, cons) in values {
        let Some((base, offset)) = term(subject, lets, 0) else {
            continue;
        };
        if !cons.absent_ok {
            given.push(base.clone());
        }
        bounds.push((base, offset, cons));
    }
    for (a, b, absent_ok, _) in relations {
        if !absent_ok {
            for side in [a, b] {
                if let Some((base, _)) = term(side, lets, 0) {
                    given.push(base);
                }
            }
        }
    }
    for (base, offset, cons) in bounds {
        if cons.absent_ok && !given.contains(&base) {
            continue;
        }
        let mut bound = |limit: &Option<(Value<'static>, bool)>, below: bool| {
            let Some((Value::Time(t), strict)) = limit else {
                return;
            };
            let Some(at) = time_nanos(t) else { return };
            let bits = match (below, strict) {
                (true, true) => LT,
                (true, false) => LT | EQ,
                (false, true) => GT,
                (false, false) => GT | EQ,
            };
            let node = graph.node(Some(base.clone()));
            let zero = graph.node(None);
            graph.relate(node, offset, zero, at, bits);
        };
        bound(&cons.set.lower, false);
        bound(&cons.set.upper, true);
    }
    for (a, b, absent_ok, bits) in relations {
        let (Some((a, a_off)), Some((b, b_off))) = (term(a, lets, 0), term(b, lets, 0)) else {
            continue;
        };
        if *absent_ok && !(given.contains(&a) && given.contains(&b)) {
            continue;
        }
        let a = graph.node(Some(a));
        let b = graph.node(Some(b));
        graph.relate(a, a_off, b, b_off, *bits);
    }
    graph.consistent()
}

/// An expression as a base shifted by a constant duration (in nanoseconds), spans
/// removed: `order.purchased_at + 60 days` is `(order.purchased_at, 60 days)`; a `let`
/// is read through. `None` for a constant (constants are bounds, not bases).
fn term(e: &Expr, lets: &[Option<Expr>], depth: usize) -> Option<(Expr, i128)> {
    match &e.node {
        Node::Const(_) => None,
        Node::Arith(op @ (Arith::Add | Arith::Sub), x, y) => {
            let shift = |c: &Expr| match &c.node {
                Node::Const(Value::Duration(d)) => duration_nanos(*d),
                _ => None,
            };
            match (op, shift(y), shift(x)) {
                (_, Some(d), _) => {
                    let (base, offset) = term(x, lets, depth)?;
                    let offset = if matches!(op, Arith::Add) {
                        offset.checked_add(d)?
                    } else {
                        offset.checked_sub(d)?
                    };
                    Some((base, offset))
                }
                (Arith::Add, None, Some(d)) => {
                    let (base, offset) = term(y, lets, depth)?;
                    Some((base, offset.checked_add(d)?))
                }
                _ => Some((strip(e), 0)),
            }
        }
        Node::Let(i) if depth < REACH_LET_DEPTH => {
            match lets.get(usize::from(*i)).and_then(Option::as_ref) {
                Some(value) => term(value, lets, depth + 1),
                None => Some((strip(e), 0)),
            }
        }
        _ => Some((strip(e), 0)),
    }
}

fn duration_nanos(d: chrono::TimeDelta) -> Option<i128> {
    i128::from(d.num_seconds())
        .checked_mul(1_000_000_000)?
        .checked_add(i128::from(d.subsec_nanos()))
}

fn time_nanos(t: &chrono::DateTime<chrono::Utc>) -> Option<i128> {
    i128::from(t.timestamp())
        .checked_mul(1_000_000_000)?
        .checked_add(i128::from(t.timestamp_subsec_nanos()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(nanos: i128, strict: bool) -> Weight {
        Weight {
            nanos,
            strict: if strict { -1 } else { 0 },
        }
    }

    #[test]
    fn a_cycle_of_weight_zero_is_negative_only_when_strict() {
        let mut g = Graph {
            nodes: vec![None, None],
            ..Graph::default()
        };
        g.edges = vec![(0, 1, w(0, false)), (1, 0, w(0, false))];
        assert!(g.consistent(), "a <= b and b <= a: a = b");
        g.edges = vec![(0, 1, w(0, true)), (1, 0, w(0, false))];
        assert!(!g.consistent(), "a < b and b <= a");
        g.edges = vec![(0, 1, w(5, false)), (1, 0, w(-6, false))];
        assert!(!g.consistent());
        g.edges = vec![(0, 1, w(5, false)), (1, 0, w(-5, false))];
        assert!(g.consistent());
    }
}
