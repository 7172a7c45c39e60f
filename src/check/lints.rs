//! Warnings about policies that work but probably not as meant: declarations that
//! nothing reads, and permits that can never allow anything because a forbid or a
//! reject always applies with them. (Rules whose own condition can never hold, and
//! forbids that a missing field turns off, are found in `reach.rs`.)
//!
//! Deliberately not linted: roles, actions and input fields that no rule names. They
//! are the vocabulary of requests, not of rules: a request from a sales agent must be
//! recognised (and denied by default) rather than rejected as naming an unknown role,
//! and the default policy declares `sales_agent` and the `exchange` action exactly so.

use super::code::DiagnosticCode as Code;
use super::{Checker, Diagnostic};
use crate::policy::{ActionPlan, Audience, CompiledRule, Effect, Expr, Node};
use crate::source::Span;
use crate::syntax::ast::Declaration;

impl Checker<'_> {
    /// Runs every lint over the checked declarations (`id_spans[i]`: where rule `i`'s
    /// id is written).
    pub(super) fn lint(
        &mut self,
        decls: &[&Declaration],
        rules: &[CompiledRule],
        id_spans: &[Span],
        plans: &[ActionPlan],
    ) {
        self.unused_declarations(decls);
        self.shadowed_permits(rules, id_spans, plans);
    }

    fn unused_declarations(&mut self, decls: &[&Declaration]) {
        for decl in decls {
            let (name, what) = match decl {
                Declaration::Markets(m) => (&m.name, "market list"),
                Declaration::Window(w) => (&w.name, "window"),
                Declaration::Link(l) => (&l.name, "link"),
                Declaration::Constant(c) => (&c.name, "constant"),
                Declaration::Let(l) => (&l.name, "let"),
                _ => continue,
            };
            if !self.used.contains(&name.text) {
                self.report(
                    Diagnostic::warning(
                        Code::Unused,
                        name.span,
                        format!("the {what} `{}` is never used", name.text),
                    )
                    .with_help("use it in a rule, fact or message, or remove it"),
                );
            }
        }
    }

    /// A permit can never allow an action when, for that action, a forbid or a reject
    /// applies whenever the permit does: its audience covers the permit's, and its
    /// condition is absent or made only of tests the permit's condition also requires.
    fn shadowed_permits(
        &mut self,
        rules: &[CompiledRule],
        id_spans: &[Span],
        plans: &[ActionPlan],
    ) {
        let role_sides: Vec<u8> = self.roles.iter().map(|r| r.side).collect();
        // (permit, blocker) → the actions it blocks, in order.
        let mut found: Vec<(u16, u16, Vec<String>)> = Vec::new();
        for (action, plan) in plans.iter().enumerate() {
            let action_name = self
                .actions
                .get(action)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            for &p in &plan.permits {
                let Some(permit) = rules.get(usize::from(p)) else {
                    continue;
                };
                let blocker = plan
                    .rejects
                    .iter()
                    .chain(plan.forbids.iter())
                    .copied()
                    .find(|&b| {
                        rules
                            .get(usize::from(b))
                            .is_some_and(|b| blocks(b, permit, &role_sides))
                    });
                let Some(b) = blocker else { continue };
                match found.iter_mut().find(|(fp, fb, _)| *fp == p && *fb == b) {
                    Some((_, _, actions)) => actions.push(action_name.clone()),
                    None => found.push((p, b, vec![action_name.clone()])),
                }
            }
        }
        for (p, b, actions) in found {
            let (Some(permit), Some(blocker)) =
                (rules.get(usize::from(p)), rules.get(usize::from(b)))
            else {
                continue;
            };
            let permit_span = id_spans.get(usize::from(p)).copied().unwrap_or(permit.span);
            let blocker_span = id_spans
                .get(usize::from(b))
                .copied()
                .unwrap_or(blocker.span);
            let always = blocker.audience.is_none() && is_unconditional(blocker);
            let verb = match blocker.effect {
                Effect::Reject => "rejects the request",
                _ => "forbids it",
            };
            let actions = actions.join(", ");
            let message = if always {
                format!(
                    "`{}` can never allow {actions}: `{}` {verb} for everyone, always",
                    permit.id, blocker.id
                )
            } else {
                format!(
                    "`{}` can never allow {actions}: whenever it applies, `{}` {verb} too",
                    permit.id, blocker.id
                )
            };
            let mut d = Diagnostic::warning(Code::ShadowedRule, permit_span, message)
                .with_label(format!("can never allow {actions}"))
                .with_help(if always {
                    format!(
                        "add a condition or an audience to `{}` (at {}), or remove the permit",
                        blocker.id,
                        self.sources.location(blocker_span)
                    )
                } else {
                    format!(
                        "`{}` covers every actor and case of this permit (at {}): narrow it, or remove the permit",
                        blocker.id,
                        self.sources.location(blocker_span)
                    )
                });
            if blocker_span.file == permit_span.file {
                d = d.with_related(blocker_span, verb.to_string());
            }
            self.report(d);
        }
    }
}

/// Whether `blocker` (a forbid or reject) applies whenever `permit` does
/// (`role_sides[r]`: the side of role `r`).
fn blocks(blocker: &CompiledRule, permit: &CompiledRule, role_sides: &[u8]) -> bool {
    if blocker.effect == Effect::Permit || permit.effect != Effect::Permit {
        return false;
    }
    let audience_covered = match (&blocker.audience, &permit.audience) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(b), Some(p)) => covers(b, p, role_sides),
    };
    if !audience_covered {
        return false;
    }
    if is_unconditional(blocker) {
        return true;
    }
    let (Some(b), Some(p)) = (&blocker.condition, &permit.condition) else {
        return false;
    };
    let needed = conjuncts(b);
    let given = conjuncts(p);
    needed.iter().all(|n| given.iter().any(|g| same_expr(n, g)))
}

fn is_unconditional(rule: &CompiledRule) -> bool {
    rule.condition
        .as_ref()
        .is_none_or(|c| matches!(c.node, Node::Const(crate::value::Value::Bool(true))))
}

/// Whether every actor in audience `p` is in audience `b`. Roles are side-specific
/// bits, so a role is covered by itself or by its whole side.
fn covers(b: &Audience, p: &Audience, role_sides: &[u8]) -> bool {
    if p.any_of_sides & !b.any_of_sides != 0 {
        return false;
    }
    let side_in_b = |side: u8| b.any_of_sides & 1u8.checked_shl(u32::from(side)).unwrap_or(0) != 0;
    let any_of_covered = role_sides.iter().enumerate().all(|(r, side)| {
        let in_p = p.roles & (1u64 << r) != 0;
        let in_b = b.roles & (1u64 << r) != 0;
        !in_p || in_b || side_in_b(*side)
    });
    // An all-of group of `p` (an actor holding every one of its roles) is covered by a
    // side of `b`, a role of `b` among them, or an all-of group of `b` inside it.
    let all_of_covered = p.all_of.iter().all(|&group| {
        let side = role_sides
            .iter()
            .enumerate()
            .find(|(r, _)| group & (1u64 << r) != 0)
            .map(|(_, s)| *s);
        side.is_some_and(side_in_b)
            || b.roles & group != 0
            || b.all_of.iter().any(|&h| h != 0 && h & group == h)
    });
    // An all-of group of `b` alone never covers an any-of role of `p`.
    any_of_covered && all_of_covered
}

/// The tests of an `and` (nested ones flattened); a condition that is no `and` is one test.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &e.node {
        Node::And(parts) => parts.iter().flat_map(conjuncts).collect(),
        _ => vec![e],
    }
}

/// Structural equality ignoring where things are written.
fn same_expr(a: &Expr, b: &Expr) -> bool {
    super::reach::same_shape(a, b)
}
