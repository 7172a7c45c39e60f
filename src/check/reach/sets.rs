//! The value sets of the reachability analysis: what a test allows of one value
//! (maybe absent; present values listed, excluded or bounded), their intersection and
//! emptiness, and the order relations between two values as bits of `<`, `=`, `>`.
//! Equality and order follow the evaluator (text compares by its key, as docs/request.md
//! "Comparing text" says; numbers, money, times and durations are ordered).

use std::cmp::Ordering;

use crate::policy::expr::Order;
use crate::value::Value;

/// The first value is less than the second.
pub(super) const LT: u8 = Order::LT;
/// The two values are equal.
pub(super) const EQ: u8 = Order::EQ;
/// The first value is greater than the second.
pub(super) const GT: u8 = Order::GT;

/// The values a constraint allows: maybe absent, and present values in `set`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Cons {
    pub(super) absent_ok: bool,
    pub(super) set: Set,
}

/// A set of present values: nothing, or those in `include` (when given), outside
/// `exclude`, and between the bounds.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Set {
    pub(super) none: bool,
    pub(super) include: Option<Vec<Value<'static>>>,
    pub(super) exclude: Vec<Value<'static>>,
    pub(super) lower: Option<(Value<'static>, bool)>,
    pub(super) upper: Option<(Value<'static>, bool)>,
}

impl Set {
    pub(super) fn all() -> Set {
        Set::default()
    }

    pub(super) fn nothing() -> Set {
        Set {
            none: true,
            ..Set::default()
        }
    }

    pub(super) fn only(values: Vec<Value<'static>>) -> Set {
        Set {
            include: Some(values),
            ..Set::default()
        }
    }

    pub(super) fn except(values: Vec<Value<'static>>) -> Set {
        Set {
            exclude: values,
            ..Set::default()
        }
    }

    pub(super) fn allows(&self, v: &Value<'_>) -> bool {
        if self.none {
            return false;
        }
        if let Some(include) = &self.include {
            if !include.iter().any(|i| same(i, v)) {
                return false;
            }
        }
        if self.exclude.iter().any(|e| same(e, v)) {
            return false;
        }
        let above = match &self.lower {
            Some((l, strict)) => match compare(v, l) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => !strict,
                Some(Ordering::Less) => false,
                None => true,
            },
            None => true,
        };
        let below = match &self.upper {
            Some((u, strict)) => match compare(v, u) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => !strict,
                Some(Ordering::Greater) => false,
                None => true,
            },
            None => true,
        };
        above && below
    }

    pub(super) fn intersect(&self, other: &Set) -> Set {
        let include = match (&self.include, &other.include) {
            (Some(a), Some(b)) => Some(
                a.iter()
                    .filter(|v| b.iter().any(|w| same(v, w)))
                    .cloned()
                    .collect(),
            ),
            (Some(a), None) | (None, Some(a)) => Some(a.clone()),
            (None, None) => None,
        };
        let mut exclude = self.exclude.clone();
        exclude.extend(other.exclude.iter().cloned());
        Set {
            none: self.none || other.none,
            include,
            exclude,
            lower: tighter(&self.lower, &other.lower, Ordering::Greater),
            upper: tighter(&self.upper, &other.upper, Ordering::Less),
        }
    }

    /// Whether no present value is in the set (`universe`: every value the subject can
    /// take, when it is a closed list).
    pub(super) fn is_empty(&self, universe: Option<&[Value<'static>]>) -> bool {
        if self.none {
            return true;
        }
        let candidates = self.include.as_deref().or(universe);
        if let Some(candidates) = candidates {
            return !candidates.iter().any(|v| self.allows(v));
        }
        match (&self.lower, &self.upper) {
            (Some((l, sl)), Some((u, su))) => match compare(l, u) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => *sl || *su || self.exclude.iter().any(|e| same(e, l)),
                _ => false,
            },
            _ => false,
        }
    }
}

/// The tighter of two bounds (`wanted`: which way is tighter).
pub(super) fn tighter(
    a: &Option<(Value<'static>, bool)>,
    b: &Option<(Value<'static>, bool)>,
    wanted: Ordering,
) -> Option<(Value<'static>, bool)> {
    match (a, b) {
        (Some(x), Some(y)) => match compare(&x.0, &y.0) {
            Some(o) if o == wanted => Some(x.clone()),
            Some(Ordering::Equal) => Some((x.0.clone(), x.1 || y.1)),
            Some(_) => Some(y.clone()),
            None => Some(x.clone()),
        },
        (Some(x), None) | (None, Some(x)) => Some(x.clone()),
        (None, None) => None,
    }
}

/// Equality as the evaluator sees it (text compares by its key, [`crate::text`]).
pub(super) fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => crate::text::same(x, y),
        _ => a == b,
    }
}

pub(super) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Some(x.cmp(y)),
        // Amounts in two currencies do not compare (the evaluator says so).
        (Value::Money(x, cx), Value::Money(y, cy)) if cx == cy => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

pub(super) fn order_bits(order: Order) -> u8 {
    order.signs()
}

pub(super) fn flip(bits: u8) -> u8 {
    Order::flip_signs(bits)
}

/// `x is [not] one of values` as a constraint (`positive`: the test holds; else its
/// `not` holds).
pub(super) fn test(positive: bool, negated: bool, values: Vec<Value<'static>>) -> Cons {
    let member = positive != negated;
    Cons {
        absent_ok: !positive,
        set: if member {
            Set::only(values)
        } else {
            Set::except(values)
        },
    }
}

/// `x REL c` as bounds on `x`.
pub(super) fn bound(c: &Value<'static>, bits: u8, absent_ok: bool) -> Cons {
    let set = match bits {
        LT => Set {
            upper: Some((c.clone(), true)),
            ..Set::default()
        },
        x if x == LT | EQ => Set {
            upper: Some((c.clone(), false)),
            ..Set::default()
        },
        GT => Set {
            lower: Some((c.clone(), true)),
            ..Set::default()
        },
        x if x == GT | EQ => Set {
            lower: Some((c.clone(), false)),
            ..Set::default()
        },
        EQ => Set::only(vec![c.clone()]),
        x if x == LT | GT => Set::except(vec![c.clone()]),
        0 => Set::nothing(),
        _ => Set::all(),
    };
    Cons { absent_ok, set }
}
