//! The pass driver: runs the checker's passes over all declarations of all files, in an
//! order that makes declaration order across files irrelevant, and assembles the
//! [`CompiledPolicy`]:
//!
//! 1. actions and roles; 2. the input schema; 3. constants, market lists, windows, links
//!    and lets (then every constant and every `let` is compiled, with cycle detection); 4. facts (and each action's
//!    plan of facts); 5. requirements; 6. rules (and the never-applies analysis);
//! 7. the `otherwise` message; 8. the lints.
//!
//! Each pass reports what it finds and goes on, so one `check` shows every problem.

use std::collections::HashMap;

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::markets::MarketNames;
use super::{Checker, Diagnostic};
use crate::policy::{
    ActionPlan, CompiledPolicy, CompiledRule, Effect, Fact, Let, Requirement, Schema, Template,
    TemplatePart,
};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, ActionSet, Declaration};

/// The compiled rules, and where each one's id is written.
#[derive(Default)]
struct Rules {
    compiled: Vec<CompiledRule>,
    id_spans: Vec<Span>,
}

impl<'s> Checker<'s> {
    /// Runs every pass; returns the compiled policy (meaningful only without errors).
    pub(super) fn run(&mut self, decls: &[&'s Declaration]) -> Option<CompiledPolicy> {
        let mut names_seen: HashMap<String, Span> = HashMap::new();
        self.declare_vocabulary(decls);
        let schema = self.declare_input(decls)?;
        self.at_slot = schema.at;
        let markets = self.declare_values(decls, &mut names_seen);
        self.compile_constants();
        self.compile_lets();
        let facts = self.facts(decls, &mut names_seen);
        let mut plans = self.plans_with_facts(&facts);
        let facts: Vec<Fact> = facts.into_iter().map(|(f, _)| f).collect();
        let always_required = self.requirements(decls, &mut plans);
        let rules = self.rules(decls, &schema, &mut plans);
        let default_deny = self.otherwise(decls, &mut plans);
        self.version_gaps();
        self.lint(decls, &rules.compiled, &rules.id_spans, &plans);
        let lets = self
            .let_decls
            .iter()
            .zip(self.let_values.iter())
            .map(|(decl, value)| Let {
                name: decl.name.text.clone(),
                value: value.clone().unwrap_or_else(|| {
                    crate::policy::Expr::new(
                        crate::policy::Node::Const(crate::value::Value::Absent),
                        decl.name.span,
                    )
                }),
            })
            .collect();
        let mut fact_names = vec![String::new(); self.fact_index.len()];
        for (name, index) in &self.fact_index {
            if let Some(slot) = fact_names.get_mut(usize::from(*index)) {
                slot.clone_from(name);
            }
        }
        Some(CompiledPolicy {
            sources: SourceMap::new(),
            schema,
            actions: self.actions.clone(),
            sides: self.sides.clone(),
            roles: self.roles.clone(),
            market_lists: self.lists.clone(),
            market_by_name: markets.by_name,
            market_display: markets.display,
            lets,
            fact_names,
            facts,
            rules: rules.compiled,
            plans,
            always_required,
            default_deny,
            durations: Vec::new(),
        })
    }

    /// Pass 1: actions, then roles.
    fn declare_vocabulary(&mut self, decls: &[&'s Declaration]) {
        for decl in decls {
            match decl {
                Declaration::Actions(list) => self.declare_actions(list),
                Declaration::Roles { side, roles } => self.declare_roles(side, roles),
                _ => {}
            }
        }
    }

    /// Pass 2: the fields of every `input` block, and the schema built from them.
    fn declare_input(&mut self, decls: &[&'s Declaration]) -> Option<Schema> {
        let mut input_seen = false;
        for decl in decls {
            if let Declaration::Input(fields) = decl {
                input_seen = true;
                for field in fields {
                    self.declare_field(field);
                }
            }
        }
        self.schema(input_seen)
    }

    /// Pass 3: market lists, windows, links and lets, in one namespace.
    fn declare_values(
        &mut self,
        decls: &[&'s Declaration],
        names_seen: &mut HashMap<String, Span>,
    ) -> MarketNames {
        let mut markets = MarketNames::default();
        // Constants first, so that windows and links can read them wherever they are
        // declared.
        for decl in decls {
            if let Declaration::Constant(c) = decl {
                self.declare_constant(c);
            }
        }
        for decl in decls {
            match decl {
                Declaration::Constant(c) => self.unique_name(names_seen, &c.name, true),
                Declaration::Markets(m) => {
                    // A later version of a dated list shares its name.
                    if m.in_force.is_none() || !self.dated_lists.contains_key(&m.name.text) {
                        self.unique_name(names_seen, &m.name, false);
                    }
                    let before = self.lists.len();
                    self.declare_markets(m, &mut markets);
                    if let Some(clause) = &m.in_force {
                        self.dated_list(m, clause, before);
                    }
                }
                Declaration::Window(w) => {
                    if w.dated.is_none() || !self.dated_windows.contains_key(&w.name.text) {
                        self.unique_name(names_seen, &w.name, true);
                    }
                    self.declare_window(w);
                }
                Declaration::Link(l) => {
                    if l.dated.is_none() || !self.dated_links.contains_key(&l.name.text) {
                        self.unique_name(names_seen, &l.name, true);
                    }
                    self.declare_link(l);
                }
                Declaration::Let(l) => {
                    self.unique_name(names_seen, &l.name, true);
                    self.declare_let(l);
                }
                _ => {}
            }
        }
        markets
    }

    /// Pass 4 (after [`Checker::facts`]): each action's plan, with the facts computed
    /// for it.
    fn plans_with_facts(&self, facts: &[(Fact, u64)]) -> Vec<ActionPlan> {
        let mut plans: Vec<ActionPlan> = vec![ActionPlan::default(); self.actions.len()];
        for plan in &mut plans {
            plan.fact_by_name = vec![None; self.fact_info.len()];
        }
        for (index, (fact, mask)) in facts.iter().enumerate() {
            for (a, plan) in plans.iter_mut().enumerate() {
                if mask & (1u64 << a) != 0 {
                    let index = u16::try_from(index).unwrap_or(u16::MAX);
                    plan.facts.push(index);
                    if let Some(slot) = plan.fact_by_name.get_mut(usize::from(fact.name)) {
                        *slot = Some(index);
                    }
                }
            }
        }
        plans
    }

    /// Pass 5: the requirements, added to the plans of their actions; returns those
    /// required for every action.
    fn requirements(
        &mut self,
        decls: &[&'s Declaration],
        plans: &mut [ActionPlan],
    ) -> Vec<Requirement> {
        let mut always_required = Vec::new();
        // Unconditional requirements already met, per action: the fields (sorted) and
        // where they were first required.
        let mut seen: Vec<HashMap<Vec<u16>, Span>> = vec![HashMap::new(); plans.len()];
        for decl in decls {
            if let Declaration::Require(req) = decl {
                let mask = self.action_mask(&req.actions);
                // A dated block's requirements hold only while it is in force.
                let in_force = match &req.in_force {
                    Some(clause) => match self.in_force(clause) {
                        Some(read) => Some((read, clause.span)),
                        None => continue,
                    },
                    None => None,
                };
                for item in &req.items {
                    let Some(mut requirement) = self.requirement(item) else {
                        continue;
                    };
                    if let Some((read, span)) = &in_force {
                        let at_name = self
                            .fields
                            .get(usize::from(self.at_slot))
                            .map_or_else(String::new, |f| f.path.clone());
                        let test = crate::check::in_force::in_force_test(
                            self.at_slot,
                            &at_name,
                            read,
                            *span,
                        );
                        requirement.when = Some(match requirement.when.take() {
                            None => test,
                            Some(when) => {
                                let span = when.span;
                                crate::policy::Expr::new(
                                    crate::policy::Node::And(vec![test, when]),
                                    span,
                                )
                            }
                        });
                    }
                    if requirement.when.is_none() {
                        self.required_again(item, &requirement, mask, &mut seen);
                    }
                    if matches!(req.actions, ActionSet::Every(_)) {
                        always_required.push(requirement.clone());
                    }
                    for (a, plan) in plans.iter_mut().enumerate() {
                        if mask & (1u64 << a) != 0 {
                            plan.requirements.push(requirement.clone());
                        }
                    }
                }
            }
        }
        always_required
    }

    /// Warns about an unconditional requirement that every one of its actions already
    /// has (a slip: listed twice, or in two blocks), and records it as met.
    fn required_again(
        &mut self,
        item: &ast::Requirement,
        requirement: &Requirement,
        mask: u64,
        seen: &mut [HashMap<Vec<u16>, Span>],
    ) {
        let mut fields = requirement.any_of.clone();
        fields.sort_unstable();
        fields.dedup();
        let mut first = None;
        let mut all_met = mask != 0;
        for (a, met) in seen.iter_mut().enumerate() {
            if mask & (1u64 << a) == 0 {
                continue;
            }
            match met.get(&fields) {
                Some(span) => first = first.or(Some(*span)),
                None => {
                    all_met = false;
                    met.insert(fields.clone(), item.span);
                }
            }
        }
        if let (true, Some(first)) = (all_met, first) {
            let location = self.sources.location(first);
            self.report(
                Diagnostic::warning(
                    Code::DuplicateRequirement,
                    item.span,
                    format!("this is already required for these actions at {location}"),
                )
                .with_related(first, "first required here")
                .with_help("remove one of them: a field is required once"),
            );
        }
    }

    /// Pass 6: the rules (ids unique), each checked for reachability and added to the
    /// plans of its actions.
    fn rules(
        &mut self,
        decls: &[&'s Declaration],
        schema: &Schema,
        plans: &mut [ActionPlan],
    ) -> Rules {
        let mut rules = Rules::default();
        let mut rule_ids: HashMap<String, Span> = HashMap::new();
        // Ids whose every declaration so far is dated: a dated declaration of one of
        // them is another version.
        let mut dated_ids: std::collections::HashSet<String> = std::collections::HashSet::new();
        for decl in decls {
            let Declaration::Rule(rule) = decl else {
                continue;
            };
            let mask = self.action_mask(&rule.actions);
            let id = &rule.id.text;
            let mut in_force = None;
            let version_of_dated =
                rule.in_force.is_some() && (!rule_ids.contains_key(id) || dated_ids.contains(id));
            if let (Some(clause), true) = (&rule.in_force, version_of_dated) {
                let Some(read) = self.in_force(clause) else {
                    // Still check it, so that its other mistakes show now.
                    let _ = self.rule(rule, mask);
                    continue;
                };
                if !rule_ids.contains_key(id) {
                    rule_ids.insert(id.clone(), rule.id.span);
                    dated_ids.insert(id.clone());
                }
                let version = crate::check::in_force::Version {
                    in_force: read,
                    again: clause.again,
                    span: clause.span,
                };
                self.add_version(&format!("rule:{id}"), version, &format!("rule `{id}`"));
                in_force = Some(read);
            } else if let Some(first) = rule_ids.get(id).copied() {
                let location = self.sources.location(first);
                self.report(
                    Diagnostic::error(
                        Code::DuplicateRule,
                        rule.id.span,
                        format!(
                            "a rule `{}` is already declared at {location}",
                            rule.id.text
                        ),
                    )
                    .with_related(first, "first declared here")
                    .with_help("give every rule its own id: decisions name rules by id"),
                );
                // Still check it, so that its other mistakes show now.
                let _ = self.rule(rule, mask);
                continue;
            } else {
                rule_ids.insert(id.clone(), rule.id.span);
            }
            let Some(mut compiled) = self.rule(rule, mask) else {
                continue;
            };
            compiled.in_force = in_force;
            compiled.version = in_force.map(|i| i.label());
            if mask != 0 {
                self.never_applies(rule, &compiled, mask, schema, plans);
                self.absent_in_message(&compiled, mask, schema, plans);
                self.fail_open(rule, &compiled, mask, schema, plans);
            }
            let index = u16::try_from(rules.compiled.len()).unwrap_or(u16::MAX);
            for (a, plan) in plans.iter_mut().enumerate() {
                if mask & (1u64 << a) != 0 {
                    match compiled.effect {
                        Effect::Permit => plan.permits.push(index),
                        // `deny` is `otherwise`'s effect: no rule has it.
                        Effect::Forbid | Effect::Deny => plan.forbids.push(index),
                        Effect::Reject => plan.rejects.push(index),
                    }
                }
            }
            rules.compiled.push(compiled);
            rules.id_spans.push(rule.id.span);
        }
        rules
    }

    /// Pass 7: the `otherwise deny` messages: one per action (`otherwise deny ACTION
    /// because ...`, kept in the action's plan), and the fallback for the others (the
    /// one without actions, or the default one).
    fn otherwise(&mut self, decls: &[&'s Declaration], plans: &mut [ActionPlan]) -> Template {
        let mut default_deny = None;
        let mut fallback_seen = false;
        let mut action_seen: u64 = 0;
        for decl in decls {
            let Declaration::Otherwise(o) = decl else {
                continue;
            };
            let Some(actions) = &o.actions else {
                if fallback_seen {
                    self.report(Diagnostic::error(
                        Code::DuplicateOtherwise,
                        o.message.span,
                        "the policy already has an `otherwise deny` message",
                    ));
                    continue;
                }
                fallback_seen = true;
                let ctx = Ctx {
                    allowed: false,
                    facts_for: Some(self.every_action()),
                };
                default_deny = self.template(&o.message, ctx);
                continue;
            };
            let mask = self.action_mask(actions);
            if mask & action_seen != 0 {
                let names: Vec<&str> = self
                    .actions
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 64 && mask & action_seen & (1u64 << i) != 0)
                    .map(|(_, a)| a.name.as_str())
                    .collect();
                self.report(Diagnostic::error(
                    Code::DuplicateOtherwise,
                    o.message.span,
                    format!(
                        "the policy already has an `otherwise deny` message for {}",
                        names.join(", ")
                    ),
                ));
                continue;
            }
            action_seen |= mask;
            let ctx = Ctx {
                allowed: false,
                facts_for: Some(mask),
            };
            let Some(template) = self.template(&o.message, ctx) else {
                continue;
            };
            for (i, plan) in plans.iter_mut().enumerate() {
                if i < 64 && mask & (1u64 << i) != 0 {
                    plan.default_deny = Some(template.clone());
                }
            }
        }
        default_deny.unwrap_or_else(|| Template {
            parts: vec![TemplatePart::Literal("No rule permits this action.".into())],
        })
    }
}
