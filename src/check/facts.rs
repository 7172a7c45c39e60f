//! Facts: values computed for the decision of some actions. A fact name may be defined
//! once per action (for different actions, with one type); a fact that reads `allowed`
//! is computed after the decision. All names are declared before any value is compiled,
//! so messages can refer to any fact.

use std::collections::HashMap;

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::{Checker, Diagnostic, FactInfo};
use crate::policy::Fact;
use crate::source::Span;
use crate::syntax::ast::Declaration;

impl<'s> Checker<'s> {
    /// Compiles the facts; returns each with its action mask.
    pub(super) fn facts(
        &mut self,
        decls: &[&'s Declaration],
        names_seen: &mut HashMap<String, Span>,
    ) -> Vec<(Fact, u64)> {
        // First pass: names, actions and overlap, so messages can refer to any fact.
        let mut pending = Vec::new();
        for decl in decls {
            let Declaration::Fact(f) = decl else { continue };
            let mask = self.action_mask(&f.actions);
            let name = match self.fact_index.get(&f.name.text) {
                Some(&i) => {
                    let info = self
                        .fact_info
                        .get(usize::from(i))
                        .cloned()
                        .unwrap_or_default();
                    if info.actions & mask != 0 {
                        self.report(Diagnostic::error(
                            Code::DuplicateFact,
                            f.name.span,
                            format!(
                                "the fact `{}` is already defined for some of these actions",
                                f.name.text
                            ),
                        ));
                        continue;
                    }
                    i
                }
                None => {
                    self.unique_name(names_seen, &f.name, true);
                    let i = u16::try_from(self.fact_info.len()).unwrap_or(u16::MAX);
                    self.fact_index.insert(f.name.text.clone(), i);
                    self.fact_info.push(FactInfo::default());
                    i
                }
            };
            pending.push((f, name, mask));
        }
        let mut out = Vec::new();
        for (f, name, mask) in pending {
            let ctx = Ctx {
                allowed: true,
                facts_for: None,
            };
            match self.expr(&f.value, ctx) {
                Ok((value, ty)) => {
                    let mut after_decision = false;
                    value.visit(&mut |e| {
                        after_decision |= matches!(e.node, crate::policy::Node::Allowed)
                    });
                    if let Some(info) = self.fact_info.get_mut(usize::from(name)) {
                        if info.actions != 0 && info.ty != ty {
                            self.diags.push(Diagnostic::error(
                                Code::TypeMismatch,
                                f.value.span,
                                format!(
                                    "`{}` is {} for other actions, but {} here",
                                    f.name.text,
                                    info.ty.describe(),
                                    ty.describe()
                                ),
                            ));
                        }
                        info.ty = ty;
                        info.actions |= mask;
                        info.after_decision |= after_decision;
                    }
                    out.push((
                        Fact {
                            name,
                            value,
                            after_decision,
                        },
                        mask,
                    ));
                }
                Err(d) => {
                    // The fact is defined for these actions all the same: its error is
                    // reported here, once, and its uses stay quiet.
                    if let Some(info) = self.fact_info.get_mut(usize::from(name)) {
                        info.actions |= mask;
                        info.broken = true;
                    }
                    self.report(d);
                }
            }
        }
        out
    }
}
