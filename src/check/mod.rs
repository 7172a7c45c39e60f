//! The checker: syntax trees of all files of a policy → one [`CompiledPolicy`], or the
//! list of everything wrong with them. It resolves every name, checks every type, and
//! builds the indexed form the evaluator runs; nothing unchecked reaches evaluation.

pub mod diag;
mod expr;
mod lints;

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;

use crate::market::{MarketCode, MarketSet};
use crate::policy::{
    Action, ActionPlan, Audience, CompiledPolicy, CompiledRule, Effect, Fact, Field, FieldKind,
    Let, MarketList, Requirement, Role, Schema, SchemaNode, Template, TemplatePart, Ty,
};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, ActionSet, Declaration, FieldType};
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

/// Checks the parsed files of one policy (`files[i]` is file `i` of `sources`).
pub fn check(sources: SourceMap, files: &[ast::PolicyFile]) -> Checked {
    let decls: Vec<&Declaration> = files.iter().flat_map(|f| f.declarations.iter()).collect();
    let mut checker = Checker::new(&sources);
    let policy = checker.run(&decls);
    let mut diagnostics = checker.diags;
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.severity));
    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    let policy = match (has_errors, policy) {
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
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        // A broken `let` is reported once, where it breaks, not at every use.
        if diagnostic.code == "broken-let" {
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
                    self.unique_name(&mut names_seen, &m.name);
                    self.declare_markets(m, &mut market_by_name, &mut market_display);
                }
                Declaration::Window(w) => {
                    self.unique_name(&mut names_seen, &w.name);
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
                    self.unique_name(&mut names_seen, &l.name);
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
                    self.unique_name(&mut names_seen, &l.name);
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
        let mut rule_ids: HashMap<String, Span> = HashMap::new();
        for decl in decls {
            if let Declaration::Rule(rule) = decl {
                if let Some(first) = rule_ids.get(&rule.id.text) {
                    let first = self.sources.location(*first);
                    self.report(
                        Diagnostic::error(
                            "duplicate-rule",
                            rule.id.span,
                            format!("a rule `{}` is already declared at {first}", rule.id.text),
                        )
                        .with_help("give every rule its own id: decisions name rules by id"),
                    );
                    continue;
                }
                rule_ids.insert(rule.id.text.clone(), rule.id.span);
                let mask = self.action_mask(&rule.actions);
                let Some(compiled) = self.rule(rule, mask) else {
                    continue;
                };
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
        self.lint(decls, &rules, &plans);
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

    fn unique_name(&mut self, seen: &mut HashMap<String, Span>, name: &ast::Name) {
        if let Some(first) = seen.get(&name.text) {
            let first = self.sources.location(*first);
            self.report(Diagnostic::error(
                "duplicate-name",
                name.span,
                format!("`{}` is already declared at {first}", name.text),
            ));
        } else {
            seen.insert(name.text.clone(), name.span);
        }
    }

    fn declare_actions(&mut self, list: &ast::NamedList) {
        for (name, label) in &list.items {
            if self.action_index.contains_key(&name.text) {
                self.report(Diagnostic::error(
                    "duplicate-action",
                    name.span,
                    format!("the action `{}` is declared twice", name.text),
                ));
                continue;
            }
            if self.actions.len() >= 64 {
                self.report(Diagnostic::error(
                    "too-many-actions",
                    name.span,
                    "a policy may declare at most 64 actions",
                ));
                continue;
            }
            self.action_index.insert(
                name.text.clone(),
                u16::try_from(self.actions.len()).unwrap_or(u16::MAX),
            );
            self.actions.push(Action {
                name: name.text.clone(),
                label: label.value.clone(),
            });
        }
    }

    fn declare_roles(&mut self, side: &ast::Name, roles: &ast::NamedList) {
        let side_index = match self.sides.iter().position(|s| *s == side.text) {
            Some(i) => i,
            None => {
                if self.sides.len() >= 8 {
                    self.report(Diagnostic::error(
                        "too-many-sides",
                        side.span,
                        "a policy may declare at most 8 sides",
                    ));
                    return;
                }
                self.sides.push(side.text.clone());
                self.sides.len() - 1
            }
        };
        let side_index = u8::try_from(side_index).unwrap_or(u8::MAX);
        for (name, label) in &roles.items {
            if self
                .roles
                .iter()
                .any(|r| r.side == side_index && r.name == name.text)
            {
                self.report(Diagnostic::error(
                    "duplicate-role",
                    name.span,
                    format!(
                        "the role `{}` is declared twice for {}",
                        name.text, side.text
                    ),
                ));
                continue;
            }
            if self.roles.len() >= 64 {
                self.report(Diagnostic::error(
                    "too-many-roles",
                    name.span,
                    "a policy may declare at most 64 roles",
                ));
                continue;
            }
            self.roles.push(Role {
                side: side_index,
                name: name.text.clone(),
                label: label.value.clone(),
            });
        }
    }

    fn declare_field(&mut self, decl: &ast::FieldDecl) {
        let path = decl.path.dotted();
        if self.field_index.contains_key(&path) {
            self.report(Diagnostic::error(
                "duplicate-field",
                decl.path.span,
                format!("the field `{path}` is declared twice"),
            ));
            return;
        }
        let clash = self.field_index.keys().find(|other| {
            other.starts_with(&format!("{path}.")) || path.starts_with(&format!("{other}."))
        });
        if let Some(other) = clash {
            let message =
                format!("`{path}` and `{other}` cannot both be fields: one would hold the other");
            self.report(Diagnostic::error("field-clash", decl.path.span, message));
            return;
        }
        let kind = match &decl.ty {
            FieldType::Action => FieldKind::Action,
            FieldType::RequestTime => FieldKind::RequestTime,
            FieldType::Side => FieldKind::Side,
            FieldType::Roles => FieldKind::Roles,
            FieldType::OneOf(words) => {
                let mut seen = HashSet::new();
                for word in words {
                    if !seen.insert(word.text.as_str()) {
                        self.report(Diagnostic::error(
                            "duplicate-value",
                            word.span,
                            format!("`{}` is listed twice", word.text),
                        ));
                    }
                }
                FieldKind::Enum(words.iter().map(|w| w.text.clone()).collect())
            }
            FieldType::Text => FieldKind::Text,
            FieldType::Time => FieldKind::Time,
            FieldType::Money => FieldKind::Money,
            FieldType::Number => FieldKind::Number,
            FieldType::Count => FieldKind::Count,
            FieldType::Flag => FieldKind::Flag,
            FieldType::Guid => FieldKind::Guid,
            FieldType::Market => FieldKind::Market,
        };
        let special = matches!(
            kind,
            FieldKind::Action | FieldKind::RequestTime | FieldKind::Side | FieldKind::Roles
        );
        if special && self.fields.iter().any(|f| f.kind == kind) {
            self.report(Diagnostic::error(
                "duplicate-field",
                decl.ty_span,
                "only one field can have this role in a request",
            ));
            return;
        }
        let slot = u16::try_from(self.fields.len()).unwrap_or(u16::MAX);
        self.field_index.insert(path.clone(), slot);
        self.field_types.push(ty_of(&kind, slot));
        self.fields.push(Field {
            path,
            label: decl.label.as_ref().map(|l| l.value.clone()),
            kind,
            note: decl.note.as_ref().map(|n| n.value.clone()),
        });
    }

    /// Builds the schema tree; reports a missing `input` block or special fields.
    fn schema(&mut self, input_seen: bool) -> Option<Schema> {
        let start = Span::new(0, 0, 0);
        if !input_seen {
            self.report(Diagnostic::error("no-input", start, "the policy has no `input` block")
                .with_help("declare the request's fields: `input { action is the action  at is the time of the request ... }`"));
            return None;
        }
        let find = |kind: FieldKind| {
            self.fields
                .iter()
                .position(|f| f.kind == kind)
                .and_then(|i| u16::try_from(i).ok())
        };
        let (action, at, side, roles) = (
            find(FieldKind::Action),
            find(FieldKind::RequestTime),
            find(FieldKind::Side),
            find(FieldKind::Roles),
        );
        let (Some(action), Some(at)) = (action, at) else {
            self.report(
                Diagnostic::error(
                    "no-input",
                    start,
                    "the `input` block must declare `the action` and `the time of the request`",
                )
                .with_help("add `action is the action` and `at is the time of the request`"),
            );
            return None;
        };
        if self.actions.is_empty() {
            self.report(
                Diagnostic::error("no-actions", start, "the policy declares no actions")
                    .with_help("add `actions { name \"label\" ... }`"),
            );
        }
        let mut root: Vec<(String, SchemaNode)> = Vec::new();
        for (slot, field) in self.fields.iter().enumerate() {
            let slot = u16::try_from(slot).unwrap_or(u16::MAX);
            let segments: Vec<&str> = field.path.split('.').collect();
            insert_path(&mut root, "", &segments, slot);
        }
        Some(Schema {
            fields: self.fields.clone(),
            root,
            action,
            at,
            side,
            roles,
        })
    }

    fn declare_markets(
        &mut self,
        decl: &ast::MarketsDecl,
        by_name: &mut HashMap<String, MarketCode>,
        display: &mut HashMap<MarketCode, String>,
    ) {
        let mut codes = MarketSet::default();
        for entry in &decl.entries {
            let text = &entry.code.text;
            let Some(code) = MarketCode::parse(text) else {
                self.report(
                    Diagnostic::error(
                        "unknown-market",
                        entry.code.span,
                        format!("`{text}` is not an ISO 3166-1 alpha-2 code"),
                    )
                    .with_help(
                        "market codes are two letters such as `AX` or `CN` (`XK` for Kosovo)",
                    ),
                );
                continue;
            };
            if code.as_str() != *text {
                self.report(Diagnostic::error(
                    "market-case",
                    entry.code.span,
                    format!("write the market code in upper case: `{code}`"),
                ));
            }
            if !codes.insert(code) {
                self.report(
                    Diagnostic::error("duplicate-market", entry.code.span, format!("`{code}` is listed twice in `{}`", decl.name.text))
                        .with_help(format!("give all of {code}'s display names on one line: `{code} \"name\" \"other name\"`")),
                );
            }
            for name in &entry.names {
                match by_name.get(&name.value) {
                    Some(other) if *other != code => self.report(Diagnostic::error(
                        "market-name-clash",
                        name.span,
                        format!(
                            "the display name \"{}\" already stands for {other}",
                            name.value
                        ),
                    )),
                    _ => {
                        by_name.insert(name.value.clone(), code);
                    }
                }
                display.entry(code).or_insert_with(|| name.value.clone());
            }
        }
        self.list_index.insert(
            decl.name.text.clone(),
            u16::try_from(self.lists.len()).unwrap_or(u16::MAX),
        );
        self.lists.push(MarketList {
            name: decl.name.text.clone(),
            title: decl.title.value.clone(),
            codes,
        });
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
                ))
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
                            let help = diag::did_you_mean(
                                &name.text,
                                self.actions.iter().map(|a| a.name.as_str()),
                            );
                            self.report(
                                Diagnostic::error(
                                    "unknown-action",
                                    name.span,
                                    format!("`{}` is not a declared action", name.text),
                                )
                                .with_optional_help(help),
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
                    self.unique_name(names_seen, &f.name);
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

    fn rule(&mut self, rule: &ast::RuleDecl, mask: u64) -> Option<CompiledRule> {
        let audience = match &rule.audience {
            None => None,
            Some(groups) => Some(self.audience(groups, rule.effect)?),
        };
        let ctx = Ctx {
            allowed: false,
            facts_for: None,
        };
        let condition = match &rule.condition {
            None => None,
            Some(ast::Condition::When(e)) => Some(self.condition(e, ctx)),
            Some(ast::Condition::Unless(e)) => Some(self.condition(e, ctx).map(|c| {
                let span = c.span;
                crate::policy::Expr::new(crate::policy::Node::Not(Box::new(c)), span)
            })),
        };
        let condition = match condition {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(d)) => {
                self.report(d);
                return None;
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
        )?;
        Some(CompiledRule {
            id: rule.id.text.clone(),
            effect: rule.effect,
            audience,
            condition,
            message,
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
                let help =
                    diag::did_you_mean(&group.side.text, self.sides.iter().map(String::as_str))
                        .unwrap_or_else(|| {
                            format!(
                        "a role group starts with its side ({}), then the roles joined by `or`",
                        self.sides.join(", ")
                    )
                        });
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

fn insert_path(nodes: &mut Vec<(String, SchemaNode)>, prefix: &str, segments: &[&str], slot: u16) {
    let [first, rest @ ..] = segments else { return };
    if rest.is_empty() {
        nodes.push(((*first).to_string(), SchemaNode::Leaf(slot)));
        return;
    }
    let path = if prefix.is_empty() {
        (*first).to_string()
    } else {
        format!("{prefix}.{first}")
    };
    let position = nodes
        .iter()
        .position(|(k, n)| k == first && matches!(n, SchemaNode::Group(..)));
    let index = match position {
        Some(i) => i,
        None => {
            nodes.push((
                (*first).to_string(),
                SchemaNode::Group(path.clone(), Vec::new()),
            ));
            nodes.len() - 1
        }
    };
    if let Some((_, SchemaNode::Group(_, children))) = nodes.get_mut(index) {
        insert_path(children, &path, rest, slot);
    }
}
