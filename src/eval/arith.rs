//! Arithmetic and the built-in functions: decimals are checked (overflow and division
//! by zero are errors naming the expression), a computed time must be writable (years
//! 0000-9999), durations are exact and whole days are their floor.

use std::cmp::Ordering;

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::policy::expr::{Arith, Func};
use crate::policy::Expr;
use crate::value::{self, round_half_away, Value};

use super::compare::{compare, currencies_agree, shared_currency, Clash};
use super::env::Env;
use super::error::ExprError;

impl<'v> Env<'_, 'v> {
    /// `Ok` unless `a` and `b` are amounts of money without a currency in common: then
    /// the error names the expression `e` and the currencies (or the currency field).
    #[inline]
    pub(super) fn agree(&self, a: &Value<'_>, b: &Value<'_>, e: &Expr) -> Result<(), ExprError> {
        currencies_agree(a, b).map_err(|clash| self.clash(clash, e))
    }

    /// The error for a currency clash in `e`.
    #[cold]
    pub(super) fn clash(&self, clash: Clash, e: &Expr) -> ExprError {
        let expr = self.policy.sources.snippet(e.span).to_string();
        let field = |slot: u16| {
            self.policy
                .schema
                .fields
                .get(usize::from(slot))
                .map_or_else(String::new, |f| f.path.clone())
        };
        match clash {
            Clash::Mismatch(left, right) => ExprError::CurrencyMismatch { expr, left, right },
            Clash::Missing(slot) => ExprError::MissingCurrency {
                expr,
                field: field(slot),
            },
            Clash::Unknown(slot) => ExprError::UnknownCurrency {
                expr,
                field: field(slot),
            },
            Clash::Undeclared => ExprError::UndeclaredCurrency { expr },
        }
    }

    /// `a op b` for the expression `e`: decimals (money stays money, money ÷ money is a
    /// number), a time shifted by a duration, the duration between two times, the sum
    /// or difference of durations; absent for anything else.
    pub(super) fn arith(
        &self,
        op: Arith,
        a: Value<'v>,
        b: Value<'v>,
        e: &Expr,
    ) -> Result<Value<'v>, ExprError> {
        let expr = || self.policy.sources.snippet(e.span).to_string();
        let overflow = || ExprError::Overflow { expr: expr() };
        let zero = || ExprError::DivisionByZero { expr: expr() };
        let dec = |x: Decimal, y: Decimal| -> Result<Decimal, ExprError> {
            match op {
                Arith::Add => x.checked_add(y).ok_or_else(overflow),
                Arith::Sub => x.checked_sub(y).ok_or_else(overflow),
                Arith::Mul => x.checked_mul(y).ok_or_else(overflow),
                Arith::Div => {
                    if y.is_zero() {
                        Err(zero())
                    } else {
                        x.checked_div(y).ok_or_else(overflow)
                    }
                }
            }
        };
        Ok(match (a, b) {
            (Value::Number(x), Value::Number(y)) => Value::Number(dec(x, y)?),
            (Value::Money(x, cx), Value::Money(y, cy)) => {
                let currency = shared_currency(cx, cy).map_err(|c| self.clash(c, e))?;
                if op == Arith::Div {
                    Value::Number(dec(x, y)?)
                } else {
                    Value::Money(dec(x, y)?, currency)
                }
            }
            (Value::Money(x, c), Value::Number(y)) | (Value::Number(x), Value::Money(y, c)) => {
                Value::Money(dec(x, y)?, c)
            }
            (Value::Time(t), Value::Duration(d)) | (Value::Duration(d), Value::Time(t)) => {
                let shifted = if op == Arith::Sub {
                    t.checked_sub_signed(d)
                } else {
                    t.checked_add_signed(d)
                };
                // Every time held is writable (see `value::read_time`): one computed
                // outside the years RFC 3339 writes is an error, never printed.
                match shifted {
                    Some(t) if value::is_writable_time(&t) => Value::Time(t),
                    _ => return Err(ExprError::TimeOutOfRange { expr: expr() }),
                }
            }
            (Value::Time(x), Value::Time(y)) => Value::Duration(x.signed_duration_since(y)),
            (Value::Duration(x), Value::Duration(y)) if op == Arith::Div => {
                Value::Number(dec(seconds_of(x), seconds_of(y))?)
            }
            (Value::Duration(d), Value::Number(n)) | (Value::Number(n), Value::Duration(d)) => {
                let scaled = dec(seconds_of(d), n)?;
                Value::Duration(from_seconds(scaled).ok_or_else(overflow)?)
            }
            (Value::Duration(x), Value::Duration(y)) => {
                let d = if op == Arith::Sub {
                    x.checked_sub(&y)
                } else {
                    x.checked_add(&y)
                };
                Value::Duration(d.ok_or_else(overflow)?)
            }
            _ => Value::Absent,
        })
    }

    /// A built-in function of the policy language; absent when an argument is. Amounts
    /// compared by `clamp`, `min` and `max` must share their currency.
    pub(super) fn call(
        &self,
        func: Func,
        args: &[Value<'v>],
        e: &Expr,
    ) -> Result<Value<'v>, ExprError> {
        if args.iter().any(|a| !a.is_present()) {
            return Ok(Value::Absent);
        }
        if matches!(func, Func::Clamp | Func::Min | Func::Max) {
            for pair in args.windows(2) {
                if let [a, b] = pair {
                    self.agree(a, b, e)?;
                }
            }
        }
        Ok(match (func, args) {
            (Func::WholeIn, [Value::Duration(d), Value::Duration(unit)]) => {
                match whole_units(*d, *unit) {
                    Some(n) => Value::Number(n),
                    None => Value::Absent,
                }
            }
            (Func::WholeDays, [Value::Time(from), Value::Time(to)]) => {
                Value::Number(Decimal::from(whole_days(to.signed_duration_since(*from))))
            }
            (Func::Round, [x, Value::Number(places)]) => {
                let places = u32::try_from(places.trunc().mantissa()).unwrap_or(2);
                match x {
                    Value::Number(n) => Value::Number(round_half_away(*n, places)),
                    Value::Money(n, c) => Value::Money(round_half_away(*n, places), *c),
                    _ => Value::Absent,
                }
            }
            (Func::Clamp, [x, low, high]) => {
                let capped = if compare(x, high) == Some(Ordering::Greater) {
                    high
                } else {
                    x
                };
                if compare(capped, low) == Some(Ordering::Less) {
                    low.clone()
                } else {
                    capped.clone()
                }
            }
            (Func::Min, [a, b]) => (if compare(b, a) == Some(Ordering::Less) {
                b
            } else {
                a
            })
            .clone(),
            (Func::Max, [a, b]) => (if compare(b, a) == Some(Ordering::Greater) {
                b
            } else {
                a
            })
            .clone(),
            _ => Value::Absent,
        })
    }
}

/// A duration as a decimal number of seconds, exact to the nanosecond (every duration
/// the engine holds fits: a `TimeDelta` is at most about 2^63 milliseconds).
pub(crate) fn seconds_of(d: TimeDelta) -> Decimal {
    let n = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    Decimal::try_from_i128_with_scale(n, 9).unwrap_or(Decimal::MAX)
}

/// The duration of `seconds` seconds, rounded half away from zero to the nanosecond;
/// `None` when no duration is that long.
pub(crate) fn from_seconds(seconds: Decimal) -> Option<TimeDelta> {
    let seconds = round_half_away(seconds, 9);
    let whole = seconds.trunc();
    let fraction = seconds
        .checked_sub(whole)?
        .checked_mul(Decimal::from(1_000_000_000))?;
    let whole = i64::try_from(whole).ok()?;
    let fraction = i64::try_from(fraction).ok()?;
    TimeDelta::try_seconds(whole)?.checked_add(&TimeDelta::nanoseconds(fraction))
}

/// How many whole `unit`s `d` holds: the floor of `d ÷ unit` (negative durations go
/// down: -90 minutes is -2 whole hours). `None` for a zero unit (never written).
pub(crate) fn whole_units(d: TimeDelta, unit: TimeDelta) -> Option<Decimal> {
    let n =
        |d: TimeDelta| i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    let unit = n(unit);
    if unit == 0 {
        return None;
    }
    Decimal::try_from_i128_with_scale(n(d).div_euclid(unit), 0).ok()
}

/// Floor of a duration in whole 24-hour days.
pub fn whole_days(d: TimeDelta) -> i64 {
    let nanos = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    i64::try_from(nanos.div_euclid(86_400 * 1_000_000_000)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_days_floor_exact_durations() {
        assert_eq!(whole_days(TimeDelta::days(4) + TimeDelta::hours(23)), 4);
        assert_eq!(whole_days(TimeDelta::days(60)), 60);
        assert_eq!(whole_days(TimeDelta::days(60) - TimeDelta::seconds(1)), 59);
        assert_eq!(
            whole_days(-TimeDelta::seconds(1)),
            -1,
            "floor, not truncation"
        );
        assert_eq!(whole_days(-TimeDelta::milliseconds(1)), -1);
        assert_eq!(
            whole_days(TimeDelta::days(1) - TimeDelta::nanoseconds(1)),
            0
        );
        assert_eq!(whole_days(TimeDelta::zero()), 0);
    }

    #[test]
    fn whole_units_floor_and_durations_scale_exactly() {
        let hour = TimeDelta::hours(1);
        assert_eq!(
            whole_units(TimeDelta::minutes(150), hour),
            Some(Decimal::from(2))
        );
        assert_eq!(
            whole_units(-TimeDelta::minutes(90), hour),
            Some(Decimal::from(-2))
        );
        assert_eq!(
            whole_units(-TimeDelta::nanoseconds(1), hour),
            Some(Decimal::from(-1))
        );
        assert_eq!(whole_units(hour, TimeDelta::zero()), None);
        assert_eq!(
            seconds_of(TimeDelta::milliseconds(-1500)),
            Decimal::new(-1_500_000_000, 9)
        );
        assert_eq!(
            from_seconds(Decimal::new(-15, 1)),
            Some(TimeDelta::milliseconds(-1500))
        );
        // Finer than a nanosecond: rounded half away from zero.
        assert_eq!(
            from_seconds(Decimal::new(15, 10)),
            Some(TimeDelta::nanoseconds(2))
        );
        assert_eq!(from_seconds(Decimal::MAX), None, "no duration is that long");
    }

    /// Decides a YAML request with a policy whose fact `later` is `t + 1 days` and
    /// `earlier` is `t - 1 days`.
    fn decide_shifted(request: &str) -> crate::Decision {
        let text = "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  t \"t\" is a time\n}\nfact later for go = t + 1 days\nfact earlier for go = t - 1 days\n";
        crate::eval::tests::decide_with(text, request)
    }

    #[test]
    fn a_time_computed_outside_years_0000_to_9999_is_an_evaluation_error() {
        let d = decide_shifted("action: go\nt: 9999-12-31T00:00:00Z\n");
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        assert_eq!(d.errors[0].code(), "evaluation-error");
        assert!(d.errors[0].to_string().contains("9999"), "{}", d.errors[0]);
        assert!(!d.to_json().contains("+10000"), "{}", d.to_json());
        let d = decide_shifted("action: go\nt: 0000-01-01T12:00:00Z\n");
        assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
        assert_eq!(d.errors[0].code(), "evaluation-error");
        // At the edge, both facts are written.
        let d = decide_shifted("action: go\nt: 9999-12-30T23:59:59.999999999Z\n");
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            d.fact("later"),
            Some(&crate::decision::FactValue::Text(
                "9999-12-31T23:59:59.999999999Z".into()
            ))
        );
    }
}
