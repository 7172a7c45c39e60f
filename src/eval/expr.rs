//! Evaluating compiled expressions against one request. Absent values make every test
//! false; arithmetic on an absent value is absent; failures (division by zero,
//! overflow) are errors, never panics. With tracing on, each test records its
//! operands for `--explain`.

use std::cmp::Ordering;

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::policy::expr::{Arith, Func, Order};
use crate::policy::{CompiledPolicy, Expr, Node};
use crate::request::Record;
use crate::value::{self, round_half_away, Value};

/// Why an expression could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// Division by zero.
    #[error("division by zero in `{0}`")]
    DivisionByZero(String),
    /// A number or time went out of range.
    #[error("`{0}` is out of range")]
    Overflow(String),
}

/// The state of one evaluation: the request, memoized `let`s, computed facts.
pub struct Env<'p, 'r, 'a> {
    /// The policy.
    pub policy: &'p CompiledPolicy,
    /// The request.
    pub record: &'r Record<'a>,
    /// The actor's roles, resolved against the side.
    pub actor_roles: u64,
    /// The action's plan index.
    pub action: u16,
    /// Memoized `let` values with whether they read an absent field.
    lets: Vec<Option<(Value<'a>, bool)>>,
    /// Fact values by declaration index, once computed.
    pub facts: Vec<Option<Value<'a>>>,
    /// The decision, once known (for facts that read `allowed`).
    pub allowed: Option<bool>,
    /// Set when an absent field was read (outside `is present`/`is missing`).
    pub touched_absent: bool,
    /// Test-by-test notes, when explaining.
    pub trace: Option<Vec<String>>,
}

impl<'p, 'r, 'a> Env<'p, 'r, 'a> {
    /// A fresh environment.
    pub fn new(
        policy: &'p CompiledPolicy,
        record: &'r Record<'a>,
        actor_roles: u64,
        action: u16,
        explain: bool,
    ) -> Self {
        Env {
            policy,
            record,
            actor_roles,
            action,
            lets: vec![None; policy.lets.len()],
            facts: vec![None; policy.facts.len()],
            allowed: None,
            touched_absent: false,
            trace: explain.then(Vec::new),
        }
    }

    /// Evaluates a condition: true only when it holds (absent is false).
    pub fn holds(&mut self, e: &Expr) -> Result<bool, EvalError> {
        Ok(self.eval(e)?.truthy())
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr) -> Result<Value<'a>, EvalError> {
        Ok(match &e.node {
            Node::Const(v) => v.clone(),
            Node::Field(slot) => {
                let v = self.field(*slot);
                if !v.is_present() {
                    self.touched_absent = true;
                }
                v
            }
            Node::Let(i) => {
                let i = usize::from(*i);
                if let Some(Some((v, absent))) = self.lets.get(i) {
                    let (v, absent) = (v.clone(), *absent);
                    self.touched_absent |= absent;
                    return Ok(v);
                }
                let Some(decl) = self.policy.lets.get(i) else {
                    return Ok(Value::Absent);
                };
                let outer = std::mem::replace(&mut self.touched_absent, false);
                let v = self.eval(&decl.value)?;
                let absent = self.touched_absent;
                self.touched_absent = outer || absent;
                if let Some(slot) = self.lets.get_mut(i) {
                    *slot = Some((v.clone(), absent));
                }
                v
            }
            Node::Fact(name) => {
                let decl = self
                    .policy
                    .plans
                    .get(usize::from(self.action))
                    .and_then(|p| p.fact_by_name.get(usize::from(*name)).copied().flatten());
                decl.and_then(|d| self.facts.get(usize::from(d)).cloned().flatten())
                    .unwrap_or(Value::Absent)
            }
            Node::Allowed => self.allowed.map_or(Value::Absent, Value::Bool),
            Node::MarketName(inner) => match self.eval(inner)? {
                Value::Market(code) => Value::Text(self.policy.market_name(code).into()),
                _ => Value::Absent,
            },
            Node::Not(inner) => Value::Bool(!self.holds(inner)?),
            Node::And(parts) => {
                for p in parts {
                    if !self.holds(p)? {
                        return Ok(Value::Bool(false));
                    }
                }
                Value::Bool(true)
            }
            Node::Or(parts) => {
                for p in parts {
                    if self.holds(p)? {
                        return Ok(Value::Bool(true));
                    }
                }
                Value::Bool(false)
            }
            Node::Present(inner) | Node::Missing(inner) => {
                let outer = self.touched_absent;
                let present = self.eval(inner)?.is_present();
                self.touched_absent = outer;
                let result = present == matches!(e.node, Node::Present(_));
                self.note(e, |_| {
                    format!(
                        "{} → {}",
                        if present { "given" } else { "not given" },
                        yes(result)
                    )
                });
                Value::Bool(result)
            }
            Node::Equal(a, b, negated) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let result = both_present(&a, &b) && (same(&a, &b) != *negated);
                self.note(e, |p| {
                    format!("{} vs {} → {}", render(p, &a), render(p, &b), yes(result))
                });
                Value::Bool(result)
            }
            Node::OneOf(a, options, negated) => {
                let a = self.eval(a)?;
                let mut found = false;
                let mut shown = Vec::new();
                for o in options {
                    let o = self.eval(o)?;
                    found |= same(&a, &o) && o.is_present();
                    if self.trace.is_some() {
                        shown.push(render(self.policy, &o));
                    }
                }
                let result = a.is_present() && (found != *negated);
                self.note(e, |p| {
                    format!(
                        "{} among [{}] → {}",
                        render(p, &a),
                        shown.join(", "),
                        yes(result)
                    )
                });
                Value::Bool(result)
            }
            Node::InList(a, list, negated) => {
                let a = self.eval(a)?;
                let list = self.policy.market_lists.get(usize::from(*list));
                let result = match (&a, list) {
                    (Value::Market(code), Some(list)) => list.codes.contains(*code) != *negated,
                    _ => false,
                };
                self.note(e, |p| format!("{} → {}", render(p, &a), yes(result)));
                Value::Bool(result)
            }
            Node::Range(x, low, high, negated) => {
                let (x, low, high) = (self.eval(x)?, self.eval(low)?, self.eval(high)?);
                let result = match (compare(&x, &low), compare(&x, &high)) {
                    (Some(lo), Some(hi)) => {
                        (lo != Ordering::Less && hi != Ordering::Greater) != *negated
                    }
                    _ => false,
                };
                self.note(e, |p| {
                    format!(
                        "{} in {} .. {} → {}",
                        render(p, &x),
                        render(p, &low),
                        render(p, &high),
                        yes(result)
                    )
                });
                Value::Bool(result)
            }
            Node::Compare(order, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let result = compare(&a, &b).is_some_and(|o| match order {
                    Order::Less => o == Ordering::Less,
                    Order::LessOrEqual => o != Ordering::Greater,
                    Order::Greater => o == Ordering::Greater,
                    Order::GreaterOrEqual => o != Ordering::Less,
                    Order::Equal => o == Ordering::Equal,
                    Order::NotEqual => o != Ordering::Equal,
                });
                self.note(e, |p| {
                    format!("{} vs {} → {}", render(p, &a), render(p, &b), yes(result))
                });
                Value::Bool(result)
            }
            Node::Contains(a, b, negated) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                let result = match (&a, &b) {
                    (Value::Text(a), Value::Text(b)) => contains_ignoring_case(a, b) != *negated,
                    _ => false,
                };
                self.note(e, |p| {
                    format!("{} vs {} → {}", render(p, &a), render(p, &b), yes(result))
                });
                Value::Bool(result)
            }
            Node::Arith(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.arith(*op, a, b, e)?
            }
            Node::Negate(a) => match self.eval(a)? {
                Value::Number(n) => Value::Number(-n),
                Value::Money(n) => Value::Money(-n),
                Value::Duration(d) => Value::Duration(-d),
                _ => Value::Absent,
            },
            Node::If(c, a, b) => {
                if self.holds(c)? {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Node::Call(func, args) => {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.eval(a)?);
                }
                self.call(*func, &values, e)?
            }
        })
    }

    fn field(&self, slot: u16) -> Value<'a> {
        match self.record.values.get(usize::from(slot)) {
            // Roles are resolved against the side after decoding.
            Some(Value::Roles(_)) => Value::Roles(self.actor_roles),
            Some(v) => v.clone(),
            None => Value::Absent,
        }
    }

    fn arith(
        &self,
        op: Arith,
        a: Value<'a>,
        b: Value<'a>,
        e: &Expr,
    ) -> Result<Value<'a>, EvalError> {
        let overflow = || EvalError::Overflow(self.policy.sources.snippet(e.span).to_string());
        let zero = || EvalError::DivisionByZero(self.policy.sources.snippet(e.span).to_string());
        let dec = |x: Decimal, y: Decimal| -> Result<Decimal, EvalError> {
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
            (Value::Money(x), Value::Money(y)) if op == Arith::Div => Value::Number(dec(x, y)?),
            (Value::Money(x), Value::Money(y))
            | (Value::Money(x), Value::Number(y))
            | (Value::Number(x), Value::Money(y)) => Value::Money(dec(x, y)?),
            (Value::Time(t), Value::Duration(d)) | (Value::Duration(d), Value::Time(t)) => {
                let shifted = if op == Arith::Sub {
                    t.checked_sub_signed(d)
                } else {
                    t.checked_add_signed(d)
                };
                Value::Time(shifted.ok_or_else(overflow)?)
            }
            (Value::Time(x), Value::Time(y)) => Value::Duration(x.signed_duration_since(y)),
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

    fn call(&self, func: Func, args: &[Value<'a>], e: &Expr) -> Result<Value<'a>, EvalError> {
        if args.iter().any(|a| !a.is_present()) {
            return Ok(Value::Absent);
        }
        Ok(match (func, args) {
            (Func::WholeDays, [Value::Time(from), Value::Time(to)]) => {
                Value::Number(Decimal::from(whole_days(to.signed_duration_since(*from))))
            }
            (Func::Round, [x, Value::Number(places)]) => {
                let places = u32::try_from(places.trunc().mantissa()).unwrap_or(2);
                match x {
                    Value::Number(n) => Value::Number(round_half_away(*n, places)),
                    Value::Money(n) => Value::Money(round_half_away(*n, places)),
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
            _ => {
                let _ = e;
                Value::Absent
            }
        })
    }

    fn note(&mut self, e: &Expr, detail: impl FnOnce(&CompiledPolicy) -> String) {
        if self.trace.is_some() {
            let policy = self.policy;
            let line = format!(
                "{}: {}",
                policy
                    .sources
                    .snippet(e.span)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                detail(policy)
            );
            if let Some(trace) = self.trace.as_mut() {
                trace.push(line);
            }
        }
    }

    /// A value as written in messages.
    pub fn show(&self, v: &Value<'_>) -> String {
        render(self.policy, v)
    }
}

/// Floor of a duration in whole 24-hour days.
pub fn whole_days(d: TimeDelta) -> i64 {
    let nanos = i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos());
    i64::try_from(nanos.div_euclid(86_400 * 1_000_000_000)).unwrap_or(0)
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn both_present(a: &Value<'_>, b: &Value<'_>) -> bool {
    a.is_present() && b.is_present()
}

/// Equality; text ignores case.
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => {
            x.eq_ignore_ascii_case(y) || (!x.is_ascii() && x.to_lowercase() == y.to_lowercase())
        }
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => x == y,
        _ => a == b,
    }
}

fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    if haystack.is_ascii() && needle.is_ascii() {
        let n = needle.len();
        n == 0
            || haystack
                .as_bytes()
                .windows(n)
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        haystack.to_lowercase().contains(&needle.to_lowercase())
    }
}

/// Orders two values of one ordered type; `None` when absent or not comparable.
fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Writes a value as messages show it.
pub fn render(policy: &CompiledPolicy, v: &Value<'_>) -> String {
    match v {
        Value::Absent => "(not given)".into(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => value::format_number(*n),
        Value::Money(m) => value::format_money(*m),
        Value::Text(t) => t.to_string(),
        Value::Time(t) => value::format_time(t),
        Value::Duration(d) => value::format_duration(*d),
        Value::Guid(g) => value::format_guid(*g),
        Value::Market(m) => m.as_str(),
        Value::Enum(field, i) => match policy
            .schema
            .fields
            .get(usize::from(*field))
            .map(|f| &f.kind)
        {
            Some(crate::policy::FieldKind::Enum(words)) => {
                words.get(usize::from(*i)).cloned().unwrap_or_default()
            }
            _ => String::new(),
        },
        Value::Side(s) => policy
            .sides
            .get(usize::from(*s))
            .cloned()
            .unwrap_or_default(),
        Value::Roles(mask) => {
            let mut out = String::new();
            value::join_or_none(&mut out, role_names(policy, *mask));
            out
        }
        Value::Action(a) => policy
            .actions
            .get(usize::from(*a))
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    }
}

/// The names of the roles in a mask.
pub fn role_names(policy: &CompiledPolicy, mask: u64) -> impl Iterator<Item = &str> {
    policy
        .roles
        .iter()
        .enumerate()
        .filter(move |(bit, _)| *bit < 64 && mask & (1u64 << bit) != 0)
        .map(|(_, r)| r.name.as_str())
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
    fn text_comparison_ignores_case() {
        assert!(same(
            &Value::Text("SUSE".into()),
            &Value::Text("suse".into())
        ));
        assert!(same(
            &Value::Text("ÉDITION".into()),
            &Value::Text("édition".into())
        ));
        assert!(contains_ignoring_case(
            "Windows Server 2022 Datacenter",
            "windows server"
        ));
        assert!(!contains_ignoring_case("Windows 11", "windows server"));
    }
}
