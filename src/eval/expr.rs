//! Evaluating a compiled expression to its value ([`Env::eval`]): absent operands make
//! tests false, arithmetic on an absent value is absent (`arith.rs`), failures are
//! errors, never panics. With tracing on, each test records its operands for
//! `--explain`. Conditions outside `--explain` take the faster `holds.rs`.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::decision::TestKind;
use crate::policy::{Expr, Node};
use crate::value::Value;

use super::compare::{both_present, compare, keyed, ordered, same, same_operands};
use super::env::{view, Env};
use super::error::ExprError;

impl<'v> Env<'_, 'v> {
    /// Evaluates an expression to its value; when explaining, each test records its
    /// operands.
    pub(super) fn eval(&mut self, e: &'v Expr) -> Result<Value<'v>, ExprError> {
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
                if let Some((v, absent)) = self.memoized_let(i) {
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
                self.memoize_let(i, v.clone(), absent);
                v
            }
            Node::Fact(name) => {
                let decl = self
                    .policy
                    .plans
                    .get(usize::from(self.action))
                    .and_then(|p| p.fact_by_name.get(usize::from(*name)).copied().flatten());
                decl.and_then(|d| self.fact(d).cloned())
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
                let value = self.eval(inner)?;
                let present = value.is_present();
                self.touched_absent = outer;
                let result = present == matches!(e.node, Node::Present(_));
                self.note(e, TestKind::Presence, result, &[(&**inner, &value)]);
                Value::Bool(result)
            }
            Node::Equal(ea, eb, negated) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                self.agree(&a, &b, e)?;
                let result = both_present(&a, &b) && (same_operands(&a, ea, &b, eb) != *negated);
                self.note(e, TestKind::Compare, result, &[(&**ea, &*a), (&**eb, &*b)]);
                Value::Bool(result)
            }
            Node::OneOf(ea, options, negated) => {
                let a = self.operand(ea)?;
                // Text is keyed once for all the options.
                let a_key = keyed(&a, ea);
                let mut found = false;
                let mut shown = Vec::new();
                let tracing = self.trace.is_some();
                for eo in options {
                    let o = self.operand(eo)?;
                    self.agree(&a, &o, e)?;
                    found |= o.is_present()
                        && match (&a_key, keyed(&o, eo)) {
                            (Some(x), Some(y)) => x.same(&y),
                            _ => same(&a, &o),
                        };
                    if tracing {
                        shown.push((eo, (*o).clone()));
                    }
                }
                let result = a.is_present() && (found != *negated);
                if tracing {
                    let mut operands = vec![(&**ea, &*a)];
                    operands.extend(shown.iter().map(|(eo, o)| (*eo, o)));
                    self.note(e, TestKind::OneOf, result, &operands);
                }
                Value::Bool(result)
            }
            Node::InList(ea, list, negated) => {
                let a = self.operand(ea)?;
                let list = self.policy.market_lists.get(usize::from(*list));
                let result = match (&*a, list) {
                    (Value::Market(code), Some(list)) => list.codes.contains(*code) != *negated,
                    _ => false,
                };
                self.note(e, TestKind::Membership, result, &[(&**ea, &*a)]);
                Value::Bool(result)
            }
            Node::HasRoles(subject, masks, all, negated) => {
                let roles = self.operand(subject)?;
                let result = has_roles(&roles, masks, *all, *negated);
                self.note(e, TestKind::Membership, result, &[(&**subject, &*roles)]);
                Value::Bool(result)
            }
            Node::Range(ex, elow, ehigh, negated) => {
                let (x, low, high) = (self.operand(ex)?, self.operand(elow)?, self.operand(ehigh)?);
                self.agree(&x, &low, e)?;
                self.agree(&x, &high, e)?;
                let result = match (compare(&x, &low), compare(&x, &high)) {
                    (Some(lo), Some(hi)) => {
                        (lo != Ordering::Less && hi != Ordering::Greater) != *negated
                    }
                    _ => false,
                };
                self.note(
                    e,
                    TestKind::Range,
                    result,
                    &[(&**ex, &*x), (&**elow, &*low), (&**ehigh, &*high)],
                );
                Value::Bool(result)
            }
            Node::Compare(order, ea, eb) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                self.agree(&a, &b, e)?;
                let result = ordered(*order, &a, &b);
                self.note(e, TestKind::Compare, result, &[(&**ea, &*a), (&**eb, &*b)]);
                Value::Bool(result)
            }
            Node::Contains(ea, eb, negated) => {
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                let result = match (keyed(&a, ea), keyed(&b, eb)) {
                    (Some(haystack), Some(needle)) => haystack.contains(&needle) != *negated,
                    _ => false,
                };
                self.note(e, TestKind::Compare, result, &[(&**ea, &*a), (&**eb, &*b)]);
                Value::Bool(result)
            }
            Node::Arith(op, a, b) => {
                let (a, b) = (self.eval(a)?, self.eval(b)?);
                self.arith(*op, a, b, e)?
            }
            Node::Negate(a) => match self.eval(a)? {
                Value::Number(n) => Value::Number(-n),
                Value::Money(n, c) => Value::Money(-n, c),
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
            Node::Versions(v) => {
                let Value::Time(t) = self.eval(&v.time)? else {
                    return Err(ExprError::NoVersionTime {
                        name: v.name.clone(),
                        field: v.time_name.clone(),
                    });
                };
                match v.at(t) {
                    Some((in_force, value)) => {
                        if self.trace.is_some() {
                            let text = format!("`{}` in force {}", v.name, in_force.label());
                            self.note_version(text, true, &v.time, t);
                        }
                        self.eval(value)?
                    }
                    None => {
                        if self.trace.is_some() {
                            let text = format!("no version of `{}` in force", v.name);
                            self.note_version(text, false, &v.time, t);
                        }
                        self.eval(&v.otherwise)?
                    }
                }
            }
        })
    }
}

/// A role test on the actor's roles: each mask is one named role (its bits on every
/// side); `all` needs every one, else any one; absent roles hold nothing, negated or not.
pub(super) fn has_roles(roles: &Value<'_>, masks: &[u64], all: bool, negated: bool) -> bool {
    let Value::Roles(held) = roles else {
        return false;
    };
    let holds = |m: &u64| held & m != 0;
    let found = if all {
        masks.iter().all(holds)
    } else {
        masks.iter().any(holds)
    };
    found != negated
}
