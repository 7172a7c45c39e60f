//! The checker: syntax trees of all files of a policy → one [`CompiledPolicy`], or the
//! list of everything wrong with them. It resolves every name, checks every type, and
//! builds the indexed form the evaluator runs; nothing unchecked reaches evaluation.
//!
//! This file holds the entry point (`check_partial`) and the `Checker`'s tables.
//! `passes.rs` runs the passes in order; each kind of declaration has its own module:
//! `declare.rs` (actions, roles, input), `markets.rs` (market lists, with
//! `market_names.rs` matching display names to codes), `constants.rs` (constants,
//! folded to their values at load), `values.rs` (windows, links, lets), `facts.rs`,
//! `rules.rs` (requirements, rules, audiences) and
//! `message.rs` (message placeholders). `expr.rs` compiles expressions, with one module
//! per family in `expr/` (names, window and link members, tests, arithmetic);
//! `reach.rs` (with `reach/`), `absent.rs` (absent values in messages) and `lints.rs` warn; `skip.rs` silences what
//! syntax-error recovery made unknowable. `diag.rs` and `code.rs` are the diagnostics
//! and their codes, `render.rs` draws them and `suggest.rs` finds the "did you mean" of
//! their hints.
mod absent;
mod code;
mod constants;
mod declare;
mod diag;
mod expr;
mod facts;
mod in_force;
mod lints;
mod market_names;
mod markets;
mod message;
mod passes;
mod reach;
mod render;
mod rules;
mod skip;
mod suggest;
mod values;

use std::collections::{HashMap, HashSet};

use chrono::TimeDelta;

use crate::policy::{Action, CompiledPolicy, Field, FieldKind, MarketList, Role, Ty};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, Declaration};
pub use code::DiagnosticCode;
use code::DiagnosticCode as Code;
pub use diag::{Diagnostic, Severity};
pub use render::Report;
pub(crate) use skip::Skipped;

/// The result of checking: the compiled policy when there is no error, and every
/// diagnostic (warnings included) either way.
#[derive(Debug)]
pub(crate) struct Checked {
    /// The policy, when it has no errors.
    pub(crate) policy: Option<CompiledPolicy>,
    /// Errors and warnings, in source order.
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Checks the parsed files of a policy (`files[i]` is file `i` of `sources`) of which
/// some declarations may have been skipped for syntax errors (described by `skipped`).
/// The result never holds a policy when something was skipped: a policy with a syntax
/// error is not usable.
pub(crate) fn check_partial(
    sources: SourceMap,
    files: &[ast::PolicyFile],
    skipped: &Skipped,
) -> Checked {
    let decls: Vec<&Declaration> = files.iter().flat_map(|f| f.declarations.iter()).collect();
    let mut checker = Checker::new(&sources);
    checker.broken.extend(skipped.names.iter().cloned());
    let policy = checker.run(&decls);
    let mut diagnostics = checker.diags;
    diagnostics.retain(|d| !skipped.hides(d.code, sources.snippet(d.span)));
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
struct WindowInfo {
    start: u16,
    length: TimeDelta,
}

/// A link, as expressions need it.
#[derive(Debug, Clone)]
struct LinkInfo {
    issued: u16,
    used: u16,
    lifetime: TimeDelta,
    limit: u64,
}

/// What expressions need to know about a fact name.
#[derive(Debug, Clone)]
struct FactInfo {
    ty: Ty,
    actions: u64,
    after_decision: bool,
    /// Some declaration of it has an error (reported there): its uses stay quiet.
    broken: bool,
}

impl Default for FactInfo {
    fn default() -> Self {
        FactInfo {
            ty: Ty::Bool,
            actions: 0,
            after_decision: false,
            broken: false,
        }
    }
}

/// Where the compilation of a `let` stands (lets are compiled on first use).
#[derive(Debug, Clone)]
enum LetState {
    Pending,
    InProgress,
    Done(Ty),
    Failed,
}

/// The tables built while checking, and the diagnostics found.
struct Checker<'s> {
    sources: &'s SourceMap,
    diags: Vec<Diagnostic>,
    actions: Vec<Action>,
    action_index: HashMap<String, u16>,
    sides: Vec<String>,
    roles: Vec<Role>,
    fields: Vec<Field>,
    field_types: Vec<Ty>,
    field_index: HashMap<String, u16>,
    /// Money fields declared `money in FIELD`: the amount's slot and the currency path,
    /// resolved with the schema.
    money_in: Vec<(u16, ast::Path)>,
    at_slot: u16,
    lists: Vec<MarketList>,
    list_index: HashMap<String, u16>,
    windows: HashMap<String, WindowInfo>,
    links: HashMap<String, LinkInfo>,
    const_decls: Vec<&'s ast::ConstantDecl>,
    const_index: HashMap<String, u16>,
    const_state: Vec<constants::ConstState>,
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
    /// The versions of every dated declaration (`in force ...`), for the overlap and
    /// gap checks.
    versions: in_force::VersionTable,
    /// Dated windows, links and market lists (the undated ones are in `windows`,
    /// `links` and `list_index`).
    dated_windows: HashMap<String, in_force::Dated<WindowInfo>>,
    dated_links: HashMap<String, in_force::Dated<LinkInfo>>,
    dated_lists: HashMap<String, in_force::Dated<u16>>,
}

/// Converts a duration literal to an exact duration.
fn delta(d: &ast::DurationLit) -> TimeDelta {
    let seconds =
        i64::try_from(d.amount.saturating_mul(d.unit.seconds())).unwrap_or(i64::MAX / 1_000);
    TimeDelta::try_seconds(seconds).unwrap_or(TimeDelta::MAX)
}

/// The static type of a field of this kind in slot `slot`.
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
            money_in: Vec::new(),
            at_slot: 0,
            lists: Vec::new(),
            list_index: HashMap::new(),
            windows: HashMap::new(),
            links: HashMap::new(),
            const_decls: Vec::new(),
            const_index: HashMap::new(),
            const_state: Vec::new(),
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
            versions: HashMap::new(),
            dated_windows: HashMap::new(),
            dated_links: HashMap::new(),
            dated_lists: HashMap::new(),
        }
    }

    /// Records a diagnostic.
    fn report(&mut self, diagnostic: Diagnostic) {
        // A broken `let` is reported once, where it breaks, not at every use.
        if diagnostic.code == Code::BrokenLet {
            return;
        }
        if self.over_limit && skip::needs_vocabulary(diagnostic.code) {
            return;
        }
        self.diags.push(diagnostic);
    }

    /// The slot of the input field `path` names; reports a path that is not a field
    /// (with the closest field as a hint).
    fn field_slot(&mut self, path: &ast::Path) -> Option<u16> {
        let dotted = path.dotted();
        let slot = self.field_index.get(&dotted).copied();
        if slot.is_none() {
            let help = suggest::did_you_mean(&dotted, self.field_index.keys().map(String::as_str));
            self.report(
                Diagnostic::error(
                    Code::UnknownField,
                    path.span,
                    format!("`{dotted}` is not a field of the input schema"),
                )
                .with_optional_help(help),
            );
        }
        slot
    }

    /// The mask of every declared action.
    fn every_action(&self) -> u64 {
        if self.actions.len() >= 64 {
            u64::MAX
        } else {
            (1u64 << self.actions.len()) - 1
        }
    }
}
