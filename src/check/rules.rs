//! Requirements and rules: the fields each action needs, and each rule's actions,
//! audience (sides and roles), condition and message.

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::{suggest, Checker, Diagnostic};
use crate::policy::{Audience, CompiledRule, Effect, Expr, Node, Requirement};
use crate::syntax::ast::{self, ActionSet};

impl Checker<'_> {
    /// The actions a declaration names, as a mask; reports unknown names.
    pub(super) fn action_mask(&mut self, set: &ActionSet) -> u64 {
        match set {
            ActionSet::Every(_) => self.every_action(),
            ActionSet::Listed(names) => {
                let mut mask = 0;
                for name in names {
                    match self.action_index.get(&name.text) {
                        Some(&i) => mask |= 1u64 << i,
                        None => {
                            let names: Vec<&str> =
                                self.actions.iter().map(|a| a.name.as_str()).collect();
                            let help = suggest::did_you_mean(&name.text, names.iter().copied())
                                .unwrap_or_else(|| {
                                    format!(
                                        "the declared actions are {}; a new action is declared in `actions {{ ... }}`",
                                        names.join(", ")
                                    )
                                });
                            self.report(
                                Diagnostic::error(
                                    Code::UnknownAction,
                                    name.span,
                                    format!("`{}` is not a declared action", name.text),
                                )
                                .with_help(help),
                            );
                        }
                    }
                }
                mask
            }
        }
    }

    /// Compiles one requirement item (`field`, or `one of ...`, maybe with `when`).
    pub(super) fn requirement(&mut self, item: &ast::Requirement) -> Option<Requirement> {
        let mut any_of = Vec::new();
        for path in &item.any_of {
            any_of.push(self.field_slot(path)?);
        }
        let when = match &item.when {
            Some(expr) => {
                let ctx = Ctx::PLAIN;
                match self.condition(expr, ctx) {
                    Ok(e) => Some(e),
                    Err(d) => {
                        self.report(d);
                        return None;
                    }
                }
            }
            None => None,
        };
        Some(Requirement { any_of, when })
    }

    /// Compiles a rule; reports the mistakes of its audience, condition and message
    /// all at once.
    pub(super) fn rule(&mut self, rule: &ast::RuleDecl, mask: u64) -> Option<CompiledRule> {
        let audience = match &rule.audience {
            None => Some(None),
            Some(groups) => self.audience(groups).map(Some),
        };
        let ctx = Ctx::PLAIN;
        let condition = match &rule.condition {
            None => Ok(None),
            Some(ast::Condition::When(e)) => self.condition(e, ctx).map(Some),
            Some(ast::Condition::Unless(e)) => self.condition(e, ctx).map(|c| {
                let span = c.span;
                Some(crate::policy::Expr::new(
                    crate::policy::Node::Not(Box::new(c)),
                    span,
                ))
            }),
        };
        let condition = match condition {
            Ok(c) => Some(c),
            Err(d) => {
                self.report(d);
                None
            }
        };
        if let (Some(Some(audience)), Some(Some(condition))) = (&audience, &condition) {
            self.roles_of_audience_sides(audience, condition);
        }
        if rule.effect == Effect::Reject && rule.audience.is_some() {
            self.report(Diagnostic::error(
                Code::RejectAudience,
                rule.effect_span,
                "a `reject` rule applies to every actor; remove `to ...`",
            ));
        }
        let message = self.template(
            &rule.message,
            Ctx {
                allowed: false,
                facts_for: Some(mask),
            },
        );
        Some(CompiledRule {
            id: rule.id.text.clone(),
            effect: rule.effect,
            audience: audience?,
            condition: condition?,
            message: message?,
            span: rule.span,
            in_force: None,
            version: None,
        })
    }

    /// Reports each role test of `condition` that names only roles of sides `audience`
    /// leaves out: the actor's roles are resolved against the actor's side, so a
    /// customer role is never among a partner's roles and the test could never hold
    /// (or, negated, would always hold).
    fn roles_of_audience_sides(&mut self, audience: &Audience, condition: &Expr) {
        let mut sides = audience.any_of_sides;
        let held = audience.all_of.iter().fold(audience.roles, |m, g| m | g);
        for (bit, role) in self.roles.iter().enumerate().take(64) {
            if held & (1u64 << bit) != 0 {
                sides |= 1u8.checked_shl(u32::from(role.side)).unwrap_or(0);
            }
        }
        let mut found = Vec::new();
        condition.visit(&mut |e| {
            if let Node::HasRoles(_, masks, _, _) = &e.node {
                for &mask in masks {
                    let admitted = self.roles.iter().enumerate().take(64).any(|(bit, r)| {
                        mask & (1u64 << bit) != 0
                            && sides & 1u8.checked_shl(u32::from(r.side)).unwrap_or(0) != 0
                    });
                    if !admitted {
                        found.push((e.span, mask));
                    }
                }
            }
        });
        for (span, mask) in found {
            let role = self
                .roles
                .iter()
                .enumerate()
                .find(|(bit, _)| *bit < 64 && mask & (1u64 << bit) != 0)
                .map(|(_, r)| r);
            let Some(role) = role else { continue };
            let side = self
                .sides
                .get(usize::from(role.side))
                .cloned()
                .unwrap_or_default();
            let audience_sides: Vec<&str> = self
                .sides
                .iter()
                .enumerate()
                .filter(|(i, _)| sides & 1u8.checked_shl(*i as u32).unwrap_or(0) != 0)
                .map(|(_, s)| s.as_str())
                .collect();
            self.report(
                Diagnostic::error(
                    Code::RoleOfOtherSide,
                    span,
                    format!(
                        "`{}` is a {side} role, but this rule applies only to {} actors",
                        role.name,
                        audience_sides.join(" and ")
                    ),
                )
                .with_help(format!(
                    "an actor's roles are those of its own side, so this test can never hold for a {} actor; test a role of that side, or add `{side}` to the audience",
                    audience_sides.join(" or ")
                )),
            );
        }
    }

    /// Compiles a rule's `to ...` list into side and role bits.
    fn audience(&mut self, groups: &[ast::RoleGroup]) -> Option<Audience> {
        let mut audience = Audience {
            any_of_sides: 0,
            roles: 0,
            all_of: Vec::new(),
        };
        let mut ok = true;
        for group in groups {
            let Some(side) = self.sides.iter().position(|s| *s == group.side.text) else {
                let role_side = self
                    .roles
                    .iter()
                    .find(|r| r.name == group.side.text)
                    .and_then(|r| self.sides.get(usize::from(r.side)));
                let help = match role_side {
                    Some(side) => format!(
                        "`{}` is a {side} role: write its side first, `to {side} {}`",
                        group.side.text, group.side.text
                    ),
                    None => suggest::did_you_mean(
                        &group.side.text,
                        self.sides.iter().map(String::as_str),
                    )
                    .unwrap_or_else(|| {
                        format!(
                            "a role group starts with its side ({}), then the roles joined by `or`",
                            self.sides.join(", ")
                        )
                    }),
                };
                self.report(
                    Diagnostic::error(
                        Code::UnknownSide,
                        group.side.span,
                        format!("`{}` is not a side", group.side.text),
                    )
                    .with_help(help),
                );
                ok = false;
                continue;
            };
            if group.roles.is_empty() {
                audience.any_of_sides |= 1 << side;
            }
            let mut all = 0u64;
            for role in &group.roles {
                match self
                    .roles
                    .iter()
                    .position(|r| usize::from(r.side) == side && r.name == role.text)
                {
                    Some(bit) if group.all => all |= 1u64 << bit,
                    Some(bit) => audience.roles |= 1u64 << bit,
                    None => {
                        let other_side = self
                            .roles
                            .iter()
                            .find(|r| r.name == role.text)
                            .map(|r| r.side);
                        let names = self
                            .roles
                            .iter()
                            .filter(|r| usize::from(r.side) == side)
                            .map(|r| r.name.as_str());
                        let mut d = Diagnostic::error(
                            Code::UnknownRole,
                            role.span,
                            format!(
                                "`{}` is not a role of the {} side",
                                role.text, group.side.text
                            ),
                        );
                        d = match other_side.and_then(|s| self.sides.get(usize::from(s))) {
                            Some(other) => d.with_help(format!(
                                "`{}` is a {other} role: write `{other} {}`",
                                role.text, role.text
                            )),
                            None => d.with_optional_help(suggest::did_you_mean(&role.text, names)),
                        };
                        self.report(d);
                        ok = false;
                    }
                }
            }
            if all != 0 {
                audience.all_of.push(all);
            }
        }
        ok.then_some(audience)
    }
}
