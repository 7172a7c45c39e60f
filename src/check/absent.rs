//! Absent values in messages: a rule's message that shows an input field which may be
//! absent when the rule applies, without a fallback, would print `(not given)` to the
//! user. A field is known to be present when the rule applies when the request time or
//! the action is meant, when every action of the rule requires it unconditionally, or
//! when the rule's condition holds only if it is given (a test on it, in every branch:
//! a test on an absent value is false, negated or not). Values computed from fields
//! (lets, facts, window and link members) are not judged.

use super::code::DiagnosticCode as Code;
use super::{Checker, Diagnostic};
use crate::policy::{ActionPlan, CompiledRule, Expr, Node, Schema, TemplatePart};

impl Checker<'_> {
    /// Warns about each placeholder of `rule`'s message that shows an input field which
    /// may be absent when the rule applies and has no fallback.
    pub(super) fn absent_in_message(
        &mut self,
        rule: &CompiledRule,
        mask: u64,
        schema: &Schema,
        plans: &[ActionPlan],
    ) {
        let guaranteed = rule
            .condition
            .as_ref()
            .map(present_when_true)
            .unwrap_or_default();
        for part in &rule.message.parts {
            let e = match part {
                TemplatePart::Value(e) => e,
                TemplatePart::Shown(shown) if shown.fallback.is_none() => &shown.value,
                _ => continue,
            };
            let Some(slot) = shown_field(e) else { continue };
            if slot == schema.at || slot == schema.action || guaranteed.contains(&slot) {
                continue;
            }
            let required = plans.iter().enumerate().all(|(a, plan)| {
                mask & (1u64 << a) == 0
                    || plan
                        .requirements
                        .iter()
                        .any(|r| r.when.is_none() && r.any_of == [slot])
            });
            if required {
                continue;
            }
            let path = self
                .fields
                .get(usize::from(slot))
                .map(|f| f.path.clone())
                .unwrap_or_default();
            self.report(
                Diagnostic::warning(
                    Code::AbsentInMessage,
                    e.span,
                    format!("`{path}` may be absent when this rule applies, and the message would show `(not given)`"),
                )
                .with_label("may be absent")
                .with_help(format!("give a fallback (`{{{path} or ...}}`), require the field, or test it in the condition")),
            );
        }
    }
}

/// The input field a placeholder shows directly (a market's `.name` included).
fn shown_field(e: &Expr) -> Option<u16> {
    match &e.node {
        Node::Field(slot) => Some(*slot),
        Node::MarketName(inner) => shown_field(inner),
        _ => None,
    }
}

/// The fields that are given whenever `e` holds.
fn present_when_true(e: &Expr) -> Vec<u16> {
    match &e.node {
        Node::And(parts) => parts.iter().flat_map(present_when_true).collect(),
        Node::Or(parts) => {
            let mut sets = parts.iter().map(present_when_true);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| {
                acc.into_iter().filter(|f| s.contains(f)).collect()
            })
        }
        Node::Present(a) => shown_field(a).into_iter().collect(),
        Node::Equal(a, b, _) | Node::Compare(_, a, b) | Node::Contains(a, b, _) => {
            shown_field(a).into_iter().chain(shown_field(b)).collect()
        }
        Node::OneOf(a, _, _) | Node::InList(a, _, _) => shown_field(a).into_iter().collect(),
        Node::Range(a, low, high, _) => [a, low, high]
            .into_iter()
            .filter_map(|x| shown_field(x).or_else(|| arith_start(x)))
            .collect(),
        _ => Vec::new(),
    }
}

/// The field of a window's end (`start + length`), lowered to arithmetic on it.
fn arith_start(e: &Expr) -> Option<u16> {
    match &e.node {
        Node::Arith(_, a, _) => shown_field(a),
        _ => None,
    }
}
