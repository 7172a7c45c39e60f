//! The checker: syntax trees of all files of a policy → one [`CompiledPolicy`], or the
//! list of everything wrong with them. It resolves every name, checks every type, and
//! builds the indexed form the evaluator runs; nothing unchecked reaches evaluation.

mod declare;
pub mod diag;
mod expr;
mod lints;
pub mod market_names;
mod reach;

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;

use crate::policy::{
    Action, ActionPlan, Audience, CompiledPolicy, CompiledRule, Effect, Fact, Field, FieldKind,
    Let, MarketList, Requirement, Role, Template, TemplatePart, Ty,
};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, ActionSet, Declaration};
pub use diag::{Diagnostic, Severity};
use expr::Ctx;

/// The result of checking: the compiled policy when there is no error, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub struct Checked {
    /// The policy, when it has no errors.
    pub policy: Option<CompiledPolicy>,
    /// Errors and warnings, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// What the declarations that the loader skipped for syntax errors would have declared
/// (see `load::recover`): the checker stays quiet about what it cannot know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Names of `let`s, windows, links, facts and market lists in skipped text: their
    /// uses are not reported as unknown.
    pub names: HashSet<String>,
    /// Whether a vocabulary block (actions, roles, input), or text that is no
    /// declaration, was skipped: names may be missing, so unknown names are not reported.
    pub vocabulary: bool,
    /// Whether anything was skipped: unused declarations are then not reported.
    pub anything: bool,
}

impl Skipped {
    /// Adds what another file skipped.
    pub fn merge(&mut self, other: Skipped) {
        self.names.extend(other.names);
        self.vocabulary |= other.vocabulary;
        self.anything |= other.anything;
    }

    /// Whether a diagnostic may be caused only by the skipped declarations.
    fn hides(&self, code: &str) -> bool {
        let needs_everything = matches!(code, "unused" | "fact-not-defined");
        (self.anything && needs_everything) || (self.vocabulary && needs_vocabulary(code))
    }
}

/// Whether a diagnostic may be caused by a vocabulary that is not all known (a block
/// skipped for a syntax error, a name refused for a limit).
fn needs_vocabulary(code: &str) -> bool {
    matches!(
        code,
        "unknown-field"
            | "unknown-name"
            | "unknown-action"
            | "unknown-side"
            | "unknown-role"
            | "unknown-value"
            | "no-input"
            | "no-actions"
            | "never-applies"
    )
}

/// Checks the parsed files of one policy (`files[i]` is file `i` of `sources`).
pub fn check(sources: SourceMap, files: &[ast::PolicyFile]) -> Checked {
    check_partial(sources, files, &Skipped::default())
}

/// Checks the parsed files of a policy of which some declarations were skipped for
/// syntax errors (described by `skipped`). The result never holds a policy when
/// something was skipped: a policy with a syntax error is not usable.
pub fn check_partial(sources: SourceMap, files: &[ast::PolicyFile], skipped: &Skipped) -> Checked {
    let decls: Vec<&Declaration> = files.iter().flat_map(|f| f.declarations.iter()).collect();
    let mut checker = Checker::new(&sources);
    checker.broken.extend(skipped.names.iter().cloned());
    let policy = checker.run(&decls);
    let mut diagnostics = checker.diags;
    diagnostics.retain(|d| !skipped.hides(d.code));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.severity));
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let policy = match (has_errors || skipped.anything, policy) {
        (false, Some(mut p)) => {
            p.sources = sources;
            Some(p)
        }
        _ => None,
    };
    Checked {
        policy,
        diagnostics,
    }
}

/// A window, as expressions need it.
#[derive(Debug, Clone)]
pub(crate) struct WindowInfo {
    start: u16,
    length: TimeDelta,
}

/// A link, as expressions need it.
#[derive(Debug, Clone)]
pub(crate) struct LinkInfo {
    issued: u16,
    used: u16,
    lifetime: TimeDelta,
    limit: u64,
}

/// What expressions need to know about a fact name.
#[derive(Debug, Clone)]
pub(crate) struct FactInfo {
    ty: Ty,
    actions: u64,
    after_decision: bool,
}

impl Default for FactInfo {
    fn default() -> Self {
        FactInfo {
            ty: Ty::Bool,
            actions: 0,
            after_decision: false,
        }
    }
}

#[derive(Debug, Clone)]
enum LetState {
    Pending,
    InProgress,
    Done(Ty),
    Failed,
}

/// The tables built while checking, and the diagnostics found.
pub(crate) struct Checker<'s> {
    sources: &'s SourceMap,
    diags: Vec<Diagnostic>,
    actions: Vec<Action>,
    action_index: HashMap<String, u16>,
    sides: Vec<String>,
    roles: Vec<Role>,
    fields: Vec<Field>,
    field_types: Vec<Ty>,
    field_index: HashMap<String, u16>,
    at_slot: u16,
    lists: Vec<MarketList>,
    list_index: HashMap<String, u16>,
    windows: HashMap<String, WindowInfo>,
    links: HashMap<String, LinkInfo>,
    let_decls: Vec<&'s ast::LetDecl>,
    let_index: HashMap<String, u16>,
    let_state: Vec<LetState>,
    let_values: Vec<Option<crate::policy::Expr>>,
    fact_index: HashMap<String, u16>,
    fact_info: Vec<FactInfo>,
    /// Names of declarations read somewhere (for unused-declaration warnings).
    used: HashSet<String>,
    /// Windows and links whose declaration has an error (reported there, once).
    broken: HashSet<String>,
    /// Where each action (`action:NAME`), role (`role:SIDE:NAME`) and field
    /// (`field:PATH`) was first declared, to point at it from a duplicate.
    declared_at: HashMap<String, Span>,
    /// Set when an action, side, role or field was refused for a limit (reported
    /// there, once): its uses are then not reported as unknown.
    over_limit: bool,
}

/// Converts a duration literal to an exact duration.
pub(crate) fn delta(d: &ast::DurationLit) -> TimeDelta {
    let seconds =
        i64::try_from(d.amount.saturating_mul(d.unit.seconds())).unwrap_or(i64::MAX / 1_000);
    TimeDelta::try_seconds(seconds).unwrap_or(TimeDelta::MAX)
}

fn ty_of(kind: &FieldKind, slot: u16) -> Ty {
    match kind {
        FieldKind::Action => Ty::Action,
        FieldKind::RequestTime | FieldKind::Time => Ty::Time,
        FieldKind::Side => Ty::Side,
        FieldKind::Roles => Ty::Roles,
        FieldKind::Enum(_) => Ty::Enum(slot),
        FieldKind::Text => Ty::Text,
        FieldKind::Money => Ty::Money,
        FieldKind::Number | FieldKind::Count => Ty::Number,
        FieldKind::Flag => Ty::Bool,
        FieldKind::Guid => Ty::Guid,
        FieldKind::Market => Ty::Market,
    }
}

impl<'s> Checker<'s> {
    fn new(sources: &'s SourceMap) -> Self {
        Checker {
            sources,
            diags: Vec::new(),
            actions: Vec::new(),
            action_index: HashMap::new(),
            sides: Vec::new(),
            roles: Vec::new(),
            fields: Vec::new(),
            field_types: Vec::new(),
            field_index: HashMap::new(),
            at_slot: 0,
            lists: Vec::new(),
            list_index: HashMap::new(),
            windows: HashMap::new(),
            links: HashMap::new(),
            let_decls: Vec::new(),
            let_index: HashMap::new(),
            let_state: Vec::new(),
            let_values: Vec::new(),
            fact_index: HashMap::new(),
            fact_info: Vec::new(),
            used: HashSet::new(),
            broken: HashSet::new(),
            declared_at: HashMap::new(),
            over_limit: false,
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        // A broken `let` is reported once, where it breaks, not at every use.
        if diagnostic.code == "broken-let" {
            return;
        }
        if self.over_limit && needs_vocabulary(diagnostic.code) {
            return;
        }
        self.diags.push(diagnostic);
    }

    /// Runs every pass; returns the compiled policy (meaningful only without errors).
    fn run(&mut self, decls: &[&'s Declaration]) -> Option<CompiledPolicy> {
        let mut names_seen: HashMap<String, Span> = HashMap::new();
        for decl in decls {
            match decl {
                Declaration::Actions(list) => self.declare_actions(list),
                Declaration::Roles { side, roles } => self.declare_roles(side, roles),
                _ => {}
            }
        }
        let mut input_seen = false;
        for decl in decls {
            if let Declaration::Input(fields) = decl {
                input_seen = true;
                for field in fields {
                    self.declare_field(field);
                }
            }
        }
        let schema = self.schema(input_seen)?;
        self.at_slot = schema.at;
        let mut market_by_name = HashMap::new();
        let mut market_display = HashMap::new();
        for decl in decls {
            match decl {
                Declaration::Markets(m) => {
                    self.unique_name(&mut names_seen, &m.name, false);
                    self.declare_markets(m, &mut market_by_name, &mut market_display);
                }
                Declaration::Window(w) => {
                    self.unique_name(&mut names_seen, &w.name, true);
                    if let Some(start) = self.time_field(&w.start) {
                        let info = WindowInfo {
                            start,
                            length: delta(&w.length),
                        };
                        self.windows.insert(w.name.text.clone(), info);
                    } else {
                        self.broken.insert(w.name.text.clone());
                    }
                }
                Declaration::Link(l) => {
                    self.unique_name(&mut names_seen, &l.name, true);
                    let issued = self.time_field(&l.issued);
                    let used = self.count_field(&l.used);
                    if l.limit == 0 {
                        self.report(Diagnostic::error(
                            "empty-link",
                            l.limit_span,
                            "a link that allows 0 uses can never be used",
                        ));
                    }
                    if issued.is_none() || used.is_none() {
                        self.broken.insert(l.name.text.clone());
                    }
                    if let (Some(issued), Some(used)) = (issued, used) {
                        let info = LinkInfo {
                            issued,
                            used,
                            lifetime: delta(&l.lifetime),
                            limit: l.limit,
                        };
                        self.links.insert(l.name.text.clone(), info);
                    }
                }
                Declaration::Let(l) => {
                    self.unique_name(&mut names_seen, &l.name, true);
                    let index = u16::try_from(self.let_decls.len()).unwrap_or(u16::MAX);
                    self.let_decls.push(l);
                    self.let_index.insert(l.name.text.clone(), index);
                    self.let_state.push(LetState::Pending);
                    self.let_values.push(None);
                }
                _ => {}
            }
        }
        for index in 0..self.let_decls.len() {
            let _ = self.let_type(u16::try_from(index).unwrap_or(u16::MAX));
        }
        let facts = self.facts(decls, &mut names_seen);
        let mut plans: Vec<ActionPlan> = vec![ActionPlan::default(); self.actions.len()];
        for plan in &mut plans {
            plan.fact_by_name = vec![None; self.fact_info.len()];
        }
        for (index, fact) in facts.iter().enumerate() {
            let (fact, mask) = fact;
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
        let facts: Vec<Fact> = facts.into_iter().map(|(f, _)| f).collect();
        let mut always_required = Vec::new();
        for decl in decls {
            if let Declaration::Require(req) = decl {
                let mask = self.action_mask(&req.actions);
                for item in &req.items {
                    let Some(requirement) = self.requirement(item) else {
                        continue;
                    };
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
        let mut rules = Vec::new();
        let mut rule_id_spans = Vec::new();
        let mut rule_ids: HashMap<String, Span> = HashMap::new();
        for decl in decls {
            if let Declaration::Rule(rule) = decl {
                let mask = self.action_mask(&rule.actions);
                if let Some(first) = rule_ids.get(&rule.id.text).copied() {
                    let location = self.sources.location(first);
                    self.report(
                        Diagnostic::error(
                            "duplicate-rule",
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
                }
                rule_ids.insert(rule.id.text.clone(), rule.id.span);
                let Some(compiled) = self.rule(rule, mask) else {
                    continue;
                };
                if mask != 0 {
                    self.never_applies(rule, &compiled, mask, &schema, &plans);
                }
                let index = u16::try_from(rules.len()).unwrap_or(u16::MAX);
                for (a, plan) in plans.iter_mut().enumerate() {
                    if mask & (1u64 << a) != 0 {
                        match compiled.effect {
                            Effect::Permit => plan.permits.push(index),
                            Effect::Forbid => plan.forbids.push(index),
                            Effect::Reject => plan.rejects.push(index),
                        }
                    }
                }
                rules.push(compiled);
                rule_id_spans.push(rule.id.span);
            }
        }
        let mut default_deny = None;
        for decl in decls {
            if let Declaration::Otherwise(text) = decl {
                if default_deny.is_some() {
                    self.report(Diagnostic::error(
                        "duplicate-otherwise",
                        text.span,
                        "the policy already has an `otherwise deny` message",
                    ));
                    continue;
                }
                let all = if self.actions.len() >= 64 {
                    u64::MAX
                } else {
                    (1u64 << self.actions.len()) - 1
                };
                let ctx = Ctx {
                    allowed: false,
                    facts_for: Some(all),
                };
                default_deny = self.template(text, ctx);
            }
        }
        let default_deny = default_deny.unwrap_or_else(|| Template {
            parts: vec![TemplatePart::Literal("No rule permits this action.".into())],
        });
        self.lint(decls, &rules, &rule_id_spans, &plans);
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
            market_by_name,
            market_display,
            lets,
            fact_names,
            facts,
            rules,
            plans,
            always_required,
            default_deny,
            durations: Vec::new(),
        })
    }

    fn time_field(&mut self, path: &ast::Path) -> Option<u16> {
        self.field_of(path, Ty::Time, "a time")
    }

    fn count_field(&mut self, path: &ast::Path) -> Option<u16> {
        let slot = self.field_of(path, Ty::Number, "a count")?;
        match self.fields.get(usize::from(slot)).map(|f| &f.kind) {
            Some(FieldKind::Count) => Some(slot),
            _ => {
                self.report(expr::type_error(path.span, "a count", Ty::Number));
                None
            }
        }
    }

    fn field_of(&mut self, path: &ast::Path, ty: Ty, what: &str) -> Option<u16> {
        let dotted = path.dotted();
        let Some(&slot) = self.field_index.get(&dotted) else {
            let help = diag::did_you_mean(&dotted, self.field_index.keys().map(String::as_str));
            self.report(
                Diagnostic::error(
                    "unknown-field",
                    path.span,
                    format!("`{dotted}` is not a field of the input schema"),
                )
                .with_optional_help(help),
            );
            return None;
        };
        let found = self
            .field_types
            .get(usize::from(slot))
            .copied()
            .unwrap_or(Ty::Text);
        if found != ty {
            self.report(expr::type_error(path.span, what, found));
            return None;
        }
        Some(slot)
    }

    /// The type of a `let`, compiling it on first use (cycles are errors).
    fn let_type(&mut self, index: u16) -> Result<Ty, Diagnostic> {
        let i = usize::from(index);
        let Some(decl) = self.let_decls.get(i).copied() else {
            return Err(Diagnostic::error(
                "unknown-name",
                Span::default(),
                "unknown let",
            ));
        };
        match self.let_state.get(i).cloned() {
            Some(LetState::Done(ty)) => return Ok(ty),
            Some(LetState::Failed) => {
                return Err(Diagnostic::error(
                    "broken-let",
                    decl.name.span,
                    format!("`{}` has an error", decl.name.text),
                ))
            }
            Some(LetState::InProgress) => {
                return Err(Diagnostic::error(
                    "cyclic-let",
                    decl.name.span,
                    format!("`{}` is defined in terms of itself", decl.name.text),
                )
                .with_label("its value needs its own value")
                .with_help("a let can use other lets, but not in a circle: compute one of them from input fields"))
            }
            _ => {}
        }
        if let Some(s) = self.let_state.get_mut(i) {
            *s = LetState::InProgress;
        }
        let ctx = Ctx {
            allowed: false,
            facts_for: None,
        };
        match self.expr(&decl.value, ctx) {
            Ok((value, ty)) => {
                if let Some(s) = self.let_state.get_mut(i) {
                    *s = LetState::Done(ty);
                }
                if let Some(v) = self.let_values.get_mut(i) {
                    *v = Some(value);
                }
                Ok(ty)
            }
            Err(diagnostic) => {
                if let Some(s) = self.let_state.get_mut(i) {
                    *s = LetState::Failed;
                }
                if diagnostic.code != "broken-let" {
                    self.report(diagnostic);
                }
                Err(Diagnostic::error(
                    "broken-let",
                    decl.name.span,
                    format!("`{}` has an error", decl.name.text),
                ))
            }
        }
    }

    fn action_mask(&mut self, set: &ActionSet) -> u64 {
        match set {
            ActionSet::Every(_) => {
                if self.actions.len() >= 64 {
                    u64::MAX
                } else {
                    (1u64 << self.actions.len()) - 1
                }
            }
            ActionSet::Listed(names) => {
                let mut mask = 0;
                for name in names {
                    match self.action_index.get(&name.text) {
                        Some(&i) => mask |= 1u64 << i,
                        None => {
                            let names: Vec<&str> =
                                self.actions.iter().map(|a| a.name.as_str()).collect();
                            let help = diag::did_you_mean(&name.text, names.iter().copied())
                                .unwrap_or_else(|| {
                                    format!(
                                        "the declared actions are {}; a new action is declared in `actions {{ ... }}`",
                                        names.join(", ")
                                    )
                                });
                            self.report(
                                Diagnostic::error(
                                    "unknown-action",
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

    /// Compiles the facts; returns each with its action mask.
    fn facts(
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
                            "duplicate-fact",
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
                                "type-mismatch",
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
                Err(d) => self.report(d),
            }
        }
        out
    }

    fn requirement(&mut self, item: &ast::Requirement) -> Option<Requirement> {
        let mut any_of = Vec::new();
        for path in &item.any_of {
            let dotted = path.dotted();
            match self.field_index.get(&dotted) {
                Some(&slot) => any_of.push(slot),
                None => {
                    let help =
                        diag::did_you_mean(&dotted, self.field_index.keys().map(String::as_str));
                    self.report(
                        Diagnostic::error(
                            "unknown-field",
                            path.span,
                            format!("`{dotted}` is not a field of the input schema"),
                        )
                        .with_optional_help(help),
                    );
                    return None;
                }
            }
        }
        let when = match &item.when {
            Some(expr) => {
                let ctx = Ctx {
                    allowed: false,
                    facts_for: None,
                };
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
    fn rule(&mut self, rule: &ast::RuleDecl, mask: u64) -> Option<CompiledRule> {
        let audience = match &rule.audience {
            None => Some(None),
            Some(groups) => self.audience(groups, rule.effect).map(Some),
        };
        let ctx = Ctx {
            allowed: false,
            facts_for: None,
        };
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
        if rule.effect == Effect::Reject && rule.audience.is_some() {
            self.report(Diagnostic::error(
                "reject-audience",
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
        })
    }

    fn audience(&mut self, groups: &[ast::RoleGroup], effect: Effect) -> Option<Audience> {
        let mut audience = Audience {
            any_of_sides: 0,
            roles: 0,
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
                    None => {
                        diag::did_you_mean(&group.side.text, self.sides.iter().map(String::as_str))
                            .unwrap_or_else(|| {
                                format!(
                            "a role group starts with its side ({}), then the roles joined by `or`",
                            self.sides.join(", ")
                        )
                            })
                    }
                };
                self.report(
                    Diagnostic::error(
                        "unknown-side",
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
            for role in &group.roles {
                match self
                    .roles
                    .iter()
                    .position(|r| usize::from(r.side) == side && r.name == role.text)
                {
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
                            "unknown-role",
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
                            None => d.with_optional_help(diag::did_you_mean(&role.text, names)),
                        };
                        self.report(d);
                        ok = false;
                    }
                }
            }
        }
        let _ = effect;
        ok.then_some(audience)
    }

    /// Compiles a message: `{path}` placeholders become expressions; `\{` is a brace.
    fn template(&mut self, text: &ast::Text, ctx: Ctx) -> Option<Template> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let value = &text.value;
        let mut rest = value.as_str();
        let mut offset = 0usize;
        let mut ok = true;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("\\{") {
                literal.push('{');
                rest = after;
                offset += 2;
                continue;
            }
            if let Some(after) = rest.strip_prefix("\\}") {
                literal.push('}');
                rest = after;
                offset += 2;
                continue;
            }
            if let Some(after) = rest.strip_prefix('{') {
                let Some(close) = after.find('}') else {
                    let at = text.span.start as usize + 1 + offset;
                    self.report(
                        Diagnostic::error(
                            "bad-placeholder",
                            Span::new(text.span.file, at, at + 1),
                            "this `{` is never closed",
                        )
                        .with_help("write `\\{` for a literal brace"),
                    );
                    return None;
                };
                let inner = after.get(..close).unwrap_or("").trim();
                let start = text.span.start as usize + 2 + offset;
                let span = Span::new(text.span.file, start, start + close);
                let valid = !inner.is_empty()
                    && inner.split('.').all(|s| {
                        !s.is_empty()
                            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            && !s.starts_with(|c: char| c.is_ascii_digit())
                    });
                if !valid {
                    self.report(
                        Diagnostic::error("bad-placeholder", span, format!("`{{{inner}}}` is not a value name"))
                            .with_help("placeholders name a field, let, fact, window or link member: `{order.id}`"),
                    );
                    ok = false;
                } else {
                    let path = ast::Path {
                        segments: inner.split('.').map(str::to_string).collect(),
                        span,
                    };
                    let expr = ast::Expr {
                        kind: ast::ExprKind::Path(path),
                        span,
                    };
                    match self.expr(&expr, ctx) {
                        Ok((e, _)) => {
                            if !literal.is_empty() {
                                parts.push(TemplatePart::Literal(std::mem::take(&mut literal)));
                            }
                            parts.push(TemplatePart::Value(e));
                        }
                        Err(mut d) => {
                            d.message = format!("in this message: {}", d.message);
                            self.report(d);
                            ok = false;
                        }
                    }
                }
                offset += close + 2;
                rest = after.get(close + 1..).unwrap_or("");
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            literal.push(c);
            offset += c.len_utf8();
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        ok.then_some(Template { parts })
    }
}
