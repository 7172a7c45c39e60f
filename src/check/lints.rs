//! Warnings about policies that work but probably not as meant: declarations that
//! nothing reads, and rules that can never decide anything.

use super::{Checker, Diagnostic};
use crate::policy::{ActionPlan, CompiledRule, Effect, Node};
use crate::syntax::ast::Declaration;

impl Checker<'_> {
    /// Runs every lint over the checked declarations.
    pub(super) fn lint(
        &mut self,
        decls: &[&Declaration],
        rules: &[CompiledRule],
        plans: &[ActionPlan],
    ) {
        self.unused_declarations(decls);
        self.shadowed_permits(rules, plans);
    }

    fn unused_declarations(&mut self, decls: &[&Declaration]) {
        for decl in decls {
            let (name, what) = match decl {
                Declaration::Markets(m) => (&m.name, "market list"),
                Declaration::Window(w) => (&w.name, "window"),
                Declaration::Link(l) => (&l.name, "link"),
                Declaration::Let(l) => (&l.name, "let"),
                _ => continue,
            };
            if !self.used.contains(&name.text) {
                self.report(
                    Diagnostic::warning(
                        "unused",
                        name.span,
                        format!("the {what} `{}` is never used", name.text),
                    )
                    .with_help("use it in a rule, fact or message, or remove it"),
                );
            }
        }
    }

    /// A permit can never allow anything when an unconditional forbid for everyone
    /// covers the same action.
    fn shadowed_permits(&mut self, rules: &[CompiledRule], plans: &[ActionPlan]) {
        for (action, plan) in plans.iter().enumerate() {
            let blanket = plan
                .forbids
                .iter()
                .filter_map(|&i| rules.get(usize::from(i)))
                .find(|r| {
                    r.audience.is_none()
                        && r.condition.as_ref().is_none_or(|c| {
                            matches!(c.node, Node::Const(crate::value::Value::Bool(true)))
                        })
                });
            let Some(blanket) = blanket else { continue };
            for &i in &plan.permits {
                let Some(permit) = rules.get(usize::from(i)) else {
                    continue;
                };
                if permit.effect != Effect::Permit {
                    continue;
                }
                let action_name = self
                    .actions
                    .get(action)
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                self.report(
                    Diagnostic::warning(
                        "shadowed-rule",
                        permit.span,
                        format!("`{}` can never allow {action_name}: `{}` forbids it for everyone, always", permit.id, blanket.id),
                    )
                    .with_help("add a condition to the forbid, or remove the permit"),
                );
            }
        }
    }
}
