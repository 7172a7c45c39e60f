//! Facts: values computed for the decision of some actions. A fact name may be defined
//! once per action (for different actions, with one type); a fact that reads `allowed`
//! is computed after the decision. All names are declared before any value is compiled,
//! so messages can refer to any fact.

use std::collections::HashMap;

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::in_force::{versions, Version};
use super::{Checker, Diagnostic, FactInfo};
use crate::policy::{Expr, Fact, Node};
use crate::source::Span;
use crate::syntax::ast::Declaration;
use crate::value::Value;

impl<'s> Checker<'s> {
    /// Compiles the facts; returns each with its action mask.
    pub(super) fn facts(
        &mut self,
        decls: &[&'s Declaration],
        names_seen: &mut HashMap<String, Span>,
    ) -> Vec<(Fact, u64)> {
        // First pass: names, actions and overlap, so messages can refer to any fact.
        let mut pending = Vec::new();
        // Dated facts by name and actions: a dated declaration for the same actions is
        // another version of it.
        let mut dated: HashMap<String, ()> = HashMap::new();
        // The actions each fact name is declared for so far (its values are compiled
        // in the second pass, so `FactInfo::actions` is not known yet here).
        let mut declared: HashMap<u16, u64> = HashMap::new();
        for decl in decls {
            let Declaration::Fact(f) = decl else { continue };
            let mask = self.action_mask(&f.actions);
            let key = format!("fact:{}:{mask}", f.name.text);
            let in_force = match &f.in_force {
                None => None,
                Some(clause) => match self.in_force(clause) {
                    Some(read) => Some(read),
                    None => continue,
                },
            };
            if let (Some(read), Some(clause)) = (in_force, &f.in_force) {
                let version = Version {
                    in_force: read,
                    again: clause.again,
                    span: clause.span,
                };
                let what = format!("the fact `{}`", f.name.text);
                let versioned = dated.contains_key(&key);
                if versioned || !self.fact_index.contains_key(&f.name.text) {
                    self.add_version(&key, version, &what);
                    dated.insert(key.clone(), ());
                }
                if versioned {
                    if let Some(&i) = self.fact_index.get(&f.name.text) {
                        pending.push((f, i, mask, Some((key, read))));
                        continue;
                    }
                }
            }
            let name = match self.fact_index.get(&f.name.text) {
                Some(&i) => {
                    let info = self
                        .fact_info
                        .get(usize::from(i))
                        .cloned()
                        .unwrap_or_default();
                    let so_far = declared.get(&i).copied().unwrap_or(0) | info.actions;
                    if so_far & mask != 0 {
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
            *declared.entry(name).or_default() |= mask;
            let version = in_force.map(|read| (key, read));
            pending.push((f, name, mask, version));
        }
        let mut out: Vec<(Fact, u64)> = Vec::new();
        // Where the first version of each dated fact is in `out`.
        let mut first_version: HashMap<String, usize> = HashMap::new();
        for (f, name, mask, version) in pending {
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
                    let value = match version {
                        Some((key, read)) => {
                            let at = self.at_slot;
                            let span = f.value.span;
                            match first_version.get(&key).and_then(|&i| out.get_mut(i)) {
                                Some((fact, _)) => {
                                    if let Node::Versions(v) = &mut fact.value.node {
                                        v.choices.push((read, value));
                                        v.choices.sort_by_key(|(i, _)| i.from);
                                    }
                                    fact.after_decision |= after_decision;
                                    continue;
                                }
                                None => {
                                    let at_name = self
                                        .fields
                                        .get(usize::from(at))
                                        .map_or_else(String::new, |f| f.path.clone());
                                    let absent = Expr::new(Node::Const(Value::Absent), span);
                                    first_version.insert(key, out.len());
                                    versions(
                                        &f.name.text,
                                        at,
                                        &at_name,
                                        vec![(read, value)],
                                        absent,
                                        span,
                                    )
                                }
                            }
                        }
                        None => value,
                    };
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
