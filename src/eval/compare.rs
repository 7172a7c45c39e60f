//! Comparing values in tests: equality (text by its key, [`crate::text`]), order
//! (numbers, money, times, durations), and the operands' keys. Absent or mismatched
//! values compare as nothing, so every test on them is false.

use std::cmp::Ordering;

use crate::policy::expr::Order;
use crate::policy::{Expr, Node};
use crate::text::{self, Keyed};
use crate::value::{Currency, Value};

/// Why two amounts of money have no currency in common.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Clash {
    /// Two currencies.
    Mismatch(&'static str, &'static str),
    /// A currency field (slot) not given.
    Missing(u16),
    /// A currency field (slot) holding no ISO 4217 code.
    Unknown(u16),
    /// A currency not declared, against a known one.
    Undeclared,
}

/// The currency two amounts share: the same code, the same currency field (given or
/// not, valid or not: one field holds one currency), or both undeclared (a policy that
/// declares no currency compares its amounts as before). Anything else is a clash.
pub(super) fn shared_currency(a: Currency, b: Currency) -> Result<Currency, Clash> {
    use Currency::*;
    match (a, b) {
        _ if a == b => Ok(a),
        (Code(x), Code(y)) => Err(Clash::Mismatch(x.code(), y.code())),
        (Missing(slot), _) | (_, Missing(slot)) => Err(Clash::Missing(slot)),
        (Unknown(slot), _) | (_, Unknown(slot)) => Err(Clash::Unknown(slot)),
        _ => Err(Clash::Undeclared),
    }
}

/// The currencies of two operands agree: `Ok` unless both are money without a
/// currency in common.
#[inline]
pub(super) fn currencies_agree(a: &Value<'_>, b: &Value<'_>) -> Result<(), Clash> {
    match (a, b) {
        (Value::Money(_, x), Value::Money(_, y)) => shared_currency(*x, *y).map(|_| ()),
        _ => Ok(()),
    }
}

/// Whether both operands are given.
pub(super) fn both_present(a: &Value<'_>, b: &Value<'_>) -> bool {
    a.is_present() && b.is_present()
}

/// Equality; text compares by its key (docs/request.md "Comparing text", [`crate::text`]).
pub(super) fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => text::same(x, y),
        (Value::Number(x), Value::Number(y)) | (Value::Money(x, _), Value::Money(y, _)) => x == y,
        _ => a == b,
    }
}

/// A text operand of a test, ready to be compared by key: a text constant of the
/// policy is a key already (the checker keys the literals of text tests); any other
/// text is keyed here. `None` when the value is not text.
pub(super) fn keyed<'a>(v: &'a Value<'_>, from: &Expr) -> Option<Keyed<'a>> {
    match v {
        Value::Text(t) if matches!(from.node, Node::Const(_)) => Some(Keyed::key(t)),
        Value::Text(t) => Some(Keyed::text(t)),
        _ => None,
    }
}

/// Equality of two test operands computed from `ea` and `eb`: text by key.
#[inline]
pub(super) fn same_operands(a: &Value<'_>, ea: &Expr, b: &Value<'_>, eb: &Expr) -> bool {
    match (a, b) {
        (Value::Text(_), Value::Text(_)) => same_text_operands(a, ea, b, eb),
        _ => same(a, b),
    }
}

/// [`same_operands`] for two texts.
fn same_text_operands(a: &Value<'_>, ea: &Expr, b: &Value<'_>, eb: &Expr) -> bool {
    match (keyed(a, ea), keyed(b, eb)) {
        (Some(x), Some(y)) => x.same(&y),
        _ => same(a, b),
    }
}

/// Whether `a` and `b` are in `order` (false when either is absent or they do not compare).
#[inline]
pub(super) fn ordered(order: Order, a: &Value<'_>, b: &Value<'_>) -> bool {
    compare(a, b).is_some_and(|o| match order {
        Order::Less => o == Ordering::Less,
        Order::LessOrEqual => o != Ordering::Greater,
        Order::Greater => o == Ordering::Greater,
        Order::GreaterOrEqual => o != Ordering::Less,
        Order::Equal => o == Ordering::Equal,
        Order::NotEqual => o != Ordering::Equal,
    })
}

/// Orders two values of one ordered type; `None` when absent or not comparable.
#[inline]
pub(super) fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x, _), Value::Money(y, _)) => {
            Some(x.cmp(y))
        }
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_compares_by_key() {
        let text = |t: &str| Value::Text(t.to_string().into());
        for (a, b) in [
            ("SUSE", "suse"),
            ("ÉDITION", "édition"),
            ("SUSE ", "suse"),
            ("ＳＵＳＥ", "suse"),
            ("SU\u{200B}SE", "suse"),
            ("RED  HAT", "red hat"),
        ] {
            assert!(same(&text(a), &text(b)), "{a:?} vs {b:?}");
        }
        assert!(!same(&text("red hat"), &text("redhat")));
        // A literal of the policy is compared as the key it was compiled to.
        let literal = Expr::new(Node::Const(text("suse")), crate::source::Span::default());
        let field = Expr::new(Node::Field(0), crate::source::Span::default());
        assert!(same_operands(
            &text("SU\u{200B}SE "),
            &field,
            &text("suse"),
            &literal
        ));
        assert!(same_operands(
            &text("suse"),
            &literal,
            &text("ＳＵＳＥ"),
            &field
        ));
        assert!(!same_operands(
            &text("SUSE"),
            &field,
            &text("redhat"),
            &literal
        ));
        let name = text("WINDOWS\u{00A0}Server  2022");
        let needle = text("windows server");
        assert!(keyed(&name, &field)
            .zip(keyed(&needle, &literal))
            .is_some_and(|(h, n)| h.contains(&n)));
    }
}
