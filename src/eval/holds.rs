//! Deciding a condition ([`Env::holds`]) without building values: the common tests
//! (`and`, `or`, `not`, comparisons, equality, market lists) are decided here directly on
//! their operands (a field or a constant looked at where it is, [`Env::in_place`]); anything else, and everything when explaining, goes through
//! [`Env::eval`], which gives the same answer.

use crate::policy::{Expr, Node};
use crate::value::Value;

use super::compare::{both_present, ordered, same_operands};
use super::env::{Env, Operand};
use super::error::ExprError;

impl<'v> Env<'_, 'v> {
    /// Evaluates a condition: true only when it holds (absent is false).
    ///
    /// The common tests are decided here directly (no value is built); when explaining,
    /// everything goes through [`Env::eval`], which records each test.
    pub(super) fn holds(&mut self, e: &'v Expr) -> Result<bool, ExprError> {
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
            Node::Compare(order, ea, eb) => {
                if let (Some(a), Some(b)) = (self.in_place(ea), self.in_place(eb)) {
                    self.agree(a, b, e)?;
                    return Ok(ordered(*order, a, b));
                }
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                self.agree(&a, &b, e)?;
                Ok(ordered(*order, &a, &b))
            }
            Node::Equal(ea, eb, negated) => {
                if let (Some(a), Some(b)) = (self.in_place(ea), self.in_place(eb)) {
                    self.agree(a, b, e)?;
                    return Ok(both_present(a, b) && (same_operands(a, ea, b, eb) != *negated));
                }
                let (a, b) = (self.operand(ea)?, self.operand(eb)?);
                self.agree(&a, &b, e)?;
                Ok(both_present(&a, &b) && (same_operands(&a, ea, &b, eb) != *negated))
            }
            Node::InList(a, list, negated) => {
                let a = match self.in_place(a) {
                    Some(a) => Operand::Borrowed(a),
                    None => self.operand(a)?,
                };
                let list = self.policy.market_lists.get(usize::from(*list));
                Ok(match (&*a, list) {
                    (Value::Market(code), Some(list)) => list.codes.contains(*code) != *negated,
                    _ => false,
                })
            }
            Node::HasRoles(subject, masks, all, negated) => {
                let roles = self.operand(subject)?;
                Ok(super::expr::has_roles(&roles, masks, *all, *negated))
            }
            _ => Ok(self.eval(e)?.truthy()),
        }
    }
}
