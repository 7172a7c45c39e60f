//! Evaluating compiled expressions against one request. Absent values make every test
//! false; arithmetic on an absent value is absent; failures (division by zero,
//! overflow) are errors, never panics. With tracing on, each test records its
//! operands for `--explain`.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt::Write as _;

use chrono::TimeDelta;
use rust_decimal::Decimal;

use crate::limits::{TIME_FIRST_YEAR, TIME_LAST_YEAR};
use crate::policy::expr::{Arith, Func, Order};
use crate::policy::{CompiledPolicy, Expr, Node};
use crate::request::Record;
use crate::text::{self, Keyed};
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
    /// A computed time falls outside the years RFC 3339 can write.
    #[error(
        "`{0}` gives a time outside the years {TIME_FIRST_YEAR:04}-{TIME_LAST_YEAR}, which RFC 3339 cannot write"
    )]
    TimeOutOfRange(String),
}

/// The state of one evaluation: the request, memoized `let`s, computed facts. `'v` is
/// the shorter of the policy's and the request text's lifetimes: values borrow text from
/// either (request fields, policy constants), so evaluating copies no text; `'r` is the
/// borrow of the decoded record.
pub struct Env<'r, 'v> {
    /// The policy.
    pub policy: &'v CompiledPolicy,
    /// The request.
    pub record: &'r Record<'v>,
    /// The actor's roles, resolved against the side.
    pub actor_roles: u64,
    /// The action's plan index.
    pub action: u16,
    /// Memoized `let` values with whether they read an absent field.
    lets: Vec<Option<(Value<'v>, bool)>>,
    /// Fact values by declaration index, once computed.
    pub facts: Vec<Option<Value<'v>>>,
    /// The decision, once known (for facts that read `allowed`).
    pub allowed: Option<bool>,
    /// Set when an absent field was read (outside `is present`/`is missing`).
    pub touched_absent: bool,
    /// Test-by-test notes, when explaining.
    pub trace: Option<Vec<String>>,
}

/// Makes `slots` hold `len` empty slots, writing only the slots that are not empty.
fn reset<T>(slots: &mut Vec<Option<T>>, len: usize) {
    if slots.len() == len {
        for slot in slots.iter_mut().filter(|s| s.is_some()) {
            *slot = None;
        }
    } else {
        slots.clear();
        slots.resize_with(len, || None);
    }
}

/// An operand of a test: borrowed from the request or the policy, or computed.
enum Operand<'r, 'v> {
    Borrowed(&'r Value<'v>),
    Computed(Value<'v>),
}

impl<'v> std::ops::Deref for Operand<'_, 'v> {
    type Target = Value<'v>;

    fn deref(&self) -> &Value<'v> {
        match self {
            Operand::Borrowed(v) => v,
            Operand::Computed(v) => v,
        }
    }
}

/// A value that borrows the text of `v` instead of copying it.
pub fn view<'v>(v: &'v Value<'_>) -> Value<'v> {
    match v {
        Value::Text(t) => Value::Text(Cow::Borrowed(t.as_ref())),
        other => other.clone(),
    }
}

impl<'r, 'v> Env<'r, 'v> {
    /// A fresh environment.
    pub fn new(
        policy: &'v CompiledPolicy,
        record: &'r Record<'v>,
        actor_roles: u64,
        action: u16,
        explain: bool,
    ) -> Self {
        Self::with_buffers(
            policy,
            record,
            actor_roles,
            action,
            explain,
            Vec::new(),
            Vec::new(),
        )
    }

    /// An environment that reuses the buffers of an earlier one (see [`Env::into_buffers`]).
    pub fn with_buffers(
        policy: &'v CompiledPolicy,
        record: &'r Record<'v>,
        actor_roles: u64,
        action: u16,
        explain: bool,
        mut lets: Vec<Option<(Value<'v>, bool)>>,
        mut facts: Vec<Option<Value<'v>>>,
    ) -> Self {
        reset(&mut lets, policy.lets.len());
        reset(&mut facts, policy.facts.len());
        Env {
            policy,
            record,
            actor_roles,
            action,
            lets,
            facts,
            allowed: None,
            touched_absent: false,
            trace: explain.then(Vec::new),
        }
    }

    /// The `let` and fact buffers, for the next environment.
    #[allow(clippy::type_complexity)]
    pub fn into_buffers(self) -> (Vec<Option<(Value<'v>, bool)>>, Vec<Option<Value<'v>>>) {
        (self.lets, self.facts)
    }

    /// Evaluates a condition: true only when it holds (absent is false).
    ///
    /// The common tests are decided here directly (no value is built); when explaining,
    /// everything goes through [`Env::eval`], which records each test.
    pub fn holds(&mut self, e: &'v Expr) -> Result<bool, EvalError> {
        if self.trace.is_some() {
            return Ok(self.eval(e)?.truthy());
        }
        match &e.node {
            Node::And(parts) => {
                for p in parts {
                    if !self.holds(p)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Node::Or(parts) => {
                for p in parts {
                    if self.holds(p)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Node::Not(inner) => Ok(!self.holds(inner)?),
            Node::Compare(order, a, b) => {
                let (a, b) = (self.operand(a)?, self.operand(b)?);
                Ok(ordered(*order, &a, &b))
            }
            Node::Equal(ea, eb, negated) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                Ok(both_present(&a, &b) && (same_operands(&a, ea, &b, eb) != *negated))
            }
            Node::InList(a, list, negated) => {
                let a = self.operand(a)?;
                let list = self.policy.market_lists.get(usize::from(*list));
                Ok(match (&*a, list) {
                    (Value::Market(code), Some(list)) => list.codes.contains(*code) != *negated,
                    _ => false,
                })
            }
            _ => Ok(self.eval(e)?.truthy()),
        }
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &'v Expr) -> Result<Value<'v>, EvalError> {
        Ok(match &e.node {
            Node::Const(v) => view(v),
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
                Value::Market(code) => Value::Text(match self.policy.market_display.get(&code) {
                    Some(name) => Cow::Borrowed(name.as_str()),
                    None => Cow::Owned(self.policy.market_name(code)),
                }),
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
            Node::Equal(ea, eb, negated) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                let result = both_present(&a, &b) && (same_operands(&a, ea, &b, eb) != *negated);
                self.note(e, |p| {
                    format!("{} vs {} → {}", render(p, &a), render(p, &b), yes(result))
                });
                Value::Bool(result)
            }
            Node::OneOf(ea, options, negated) => {
                let a = self.operand(ea)?;
                // Text is keyed once for all the options.
                let a_key = keyed(&a, ea);
                let mut found = false;
                let mut shown = Vec::new();
                for eo in options {
                    let o = self.operand(eo)?;
                    found |= o.is_present()
                        && match (&a_key, keyed(&o, eo)) {
                            (Some(x), Some(y)) => x.same(&y),
                            _ => same(&a, &o),
                        };
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
                let a = self.operand(a)?;
                let list = self.policy.market_lists.get(usize::from(*list));
                let result = match (&*a, list) {
                    (Value::Market(code), Some(list)) => list.codes.contains(*code) != *negated,
                    _ => false,
                };
                self.note(e, |p| format!("{} → {}", render(p, &a), yes(result)));
                Value::Bool(result)
            }
            Node::Range(x, low, high, negated) => {
                let (x, low, high) = (self.operand(x)?, self.operand(low)?, self.operand(high)?);
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
                let (a, b) = (self.operand(a)?, self.operand(b)?);
                let result = ordered(*order, &a, &b);
                self.note(e, |p| {
                    format!("{} vs {} → {}", render(p, &a), render(p, &b), yes(result))
                });
                Value::Bool(result)
            }
            Node::Contains(ea, eb, negated) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                let result = match (keyed(&a, ea), keyed(&b, eb)) {
                    (Some(haystack), Some(needle)) => haystack.contains(&needle) != *negated,
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
                // Built-in functions take at most three arguments: no vector needed.
                let mut values = [Value::Absent, Value::Absent, Value::Absent];
                if args.len() > values.len() {
                    let mut values = Vec::with_capacity(args.len());
                    for a in args {
                        values.push(self.eval(a)?);
                    }
                    return self.call(*func, &values, e);
                }
                for (slot, a) in values.iter_mut().zip(args) {
                    *slot = self.eval(a)?;
                }
                self.call(*func, values.get(..args.len()).unwrap_or(&[]), e)?
            }
        })
    }

    fn field(&self, slot: u16) -> Value<'v> {
        match self.record.values.get(usize::from(slot)) {
            // Roles are resolved against the side after decoding.
            Some(Value::Roles(_)) => Value::Roles(self.actor_roles),
            // Text borrowed from the request stays borrowed.
            Some(v) => v.clone(),
            None => Value::Absent,
        }
    }

    fn arith(
        &self,
        op: Arith,
        a: Value<'v>,
        b: Value<'v>,
        e: &Expr,
    ) -> Result<Value<'v>, EvalError> {
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
                // Every time held is writable (see `value::read_time`): one computed
                // outside the years RFC 3339 writes is an error, never printed.
                match shifted {
                    Some(t) if value::is_writable_time(&t) => Value::Time(t),
                    _ => {
                        let expr = self.policy.sources.snippet(e.span).to_string();
                        return Err(EvalError::TimeOutOfRange(expr));
                    }
                }
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

    fn call(&self, func: Func, args: &[Value<'v>], e: &Expr) -> Result<Value<'v>, EvalError> {
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

    /// An operand of a test: a field or a constant is looked at where it is, anything
    /// else is computed.
    fn operand(&mut self, e: &'v Expr) -> Result<Operand<'r, 'v>, EvalError> {
        match &e.node {
            Node::Field(slot) => Ok(match self.record.values.get(usize::from(*slot)) {
                // Roles are resolved against the side after decoding.
                Some(Value::Roles(_)) => Operand::Computed(Value::Roles(self.actor_roles)),
                Some(v) => {
                    if !v.is_present() {
                        self.touched_absent = true;
                    }
                    Operand::Borrowed(v)
                }
                None => {
                    self.touched_absent = true;
                    Operand::Computed(Value::Absent)
                }
            }),
            Node::Const(v) => Ok(Operand::Borrowed(v)),
            _ => self.eval(e).map(Operand::Computed),
        }
    }

    #[inline]
    fn note(&mut self, e: &Expr, detail: impl FnOnce(&CompiledPolicy) -> String) {
        if self.trace.is_some() {
            self.note_line(e, detail(self.policy));
        }
    }

    #[cold]
    fn note_line(&mut self, e: &Expr, detail: String) {
        {
            let policy = self.policy;
            let line = format!(
                "{}: {}",
                policy
                    .sources
                    .snippet(e.span)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                detail
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

/// Equality; text compares by its key (docs/request.md "Comparing text", [`crate::text`]).
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) => text::same(x, y),
        (Value::Number(x), Value::Number(y)) | (Value::Money(x), Value::Money(y)) => x == y,
        _ => a == b,
    }
}

/// A text operand of a test, ready to be compared by key: a text constant of the
/// policy is a key already (the checker keys the literals of text tests); any other
/// text is keyed here. `None` when the value is not text.
fn keyed<'a>(v: &'a Value<'_>, from: &Expr) -> Option<Keyed<'a>> {
    match v {
        Value::Text(t) if matches!(from.node, Node::Const(_)) => Some(Keyed::key(t)),
        Value::Text(t) => Some(Keyed::text(t)),
        _ => None,
    }
}

/// Equality of two test operands computed from `ea` and `eb`: text by key.
#[inline]
fn same_operands(a: &Value<'_>, ea: &Expr, b: &Value<'_>, eb: &Expr) -> bool {
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
fn ordered(order: Order, a: &Value<'_>, b: &Value<'_>) -> bool {
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
    let mut out = String::new();
    render_into(&mut out, policy, v);
    out
}

/// Appends a value as messages show it (what [`render`] returns), without allocating
/// for the common kinds.
pub fn render_into(out: &mut String, policy: &CompiledPolicy, v: &Value<'_>) {
    match v {
        Value::Absent => out.push_str("(not given)"),
        Value::Bool(b) => out.push_str(if *b { "yes" } else { "no" }),
        Value::Number(n) => value::write_number(out, *n),
        Value::Money(m) => value::write_money(out, *m),
        Value::Text(t) => out.push_str(t),
        Value::Time(t) => value::write_time(out, t),
        Value::Duration(d) => value::write_duration(out, *d),
        Value::Guid(g) => value::write_guid(out, *g),
        Value::Market(m) => {
            let _ = write!(out, "{m}");
        }
        Value::Enum(field, i) => {
            if let Some(crate::policy::FieldKind::Enum(words)) = policy
                .schema
                .fields
                .get(usize::from(*field))
                .map(|f| &f.kind)
            {
                out.push_str(words.get(usize::from(*i)).map_or("", String::as_str));
            }
        }
        Value::Side(s) => {
            out.push_str(policy.sides.get(usize::from(*s)).map_or("", String::as_str))
        }
        Value::Roles(mask) => value::join_or_none(out, role_names(policy, *mask)),
        Value::Action(a) => out.push_str(
            policy
                .actions
                .get(usize::from(*a))
                .map_or("", |a| a.name.as_str()),
        ),
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

    /// Decides a YAML request with a policy whose fact `later` is `t + 1 days` and
    /// `earlier` is `t - 1 days`.
    fn decide_shifted(request: &str) -> crate::Decision {
        let text = "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n  t \"t\" is a time\n}\nfact later for go = t + 1 days\nfact earlier for go = t - 1 days\n";
        let mut sources = crate::source::SourceMap::new();
        sources.add(crate::source::SourceFile::new("t.policy", text));
        let policy = crate::load::load(sources).map_err(|e| e.render()).unwrap();
        let now = value::parse_time("2026-11-25T12:00:00Z").unwrap();
        crate::Policy::from_compiled(policy).decide_yaml(request, now)
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
