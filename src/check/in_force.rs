//! Effective dates: the `in force` clauses of rules, market lists, windows, links, facts
//! and requirements read into intervals, the versions of each dated name (none may
//! overlap another; a time between two of them when nothing is in force is a warning
//! unless the later one says `again`), and the dated values compiled into the
//! expression that selects the version in force at a time ([`Versions`]).

use std::collections::HashMap;

use super::code::DiagnosticCode as Code;
use super::expr::time_literal;
use super::{Checker, Diagnostic};
use crate::policy::{Expr, InForce, Node, Versions};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::Value;

/// One version of a dated declaration, as the version checks need it.
#[derive(Debug, Clone)]
pub(super) struct Version {
    /// When it is in force.
    pub(super) in_force: InForce,
    /// Written `in force again`: a gap before it is intended.
    pub(super) again: bool,
    /// Where its clause stands.
    pub(super) span: Span,
}

/// The versions of every dated declaration, by kind and name (`rule:ID`,
/// `value:NAME`, `fact:NAME`).
pub(super) type VersionTable = HashMap<String, Vec<Version>>;

/// A dated window, link or market list: the time field that selects its version (its
/// slot and path) and each version (`None`: a version with an error, reported there).
#[derive(Debug, Clone)]
pub(super) struct Dated<T> {
    pub(super) time: u16,
    pub(super) time_name: String,
    pub(super) versions: Vec<(InForce, Option<T>)>,
}

impl<T: Clone> Dated<T> {
    /// Every version's value, when none has an error.
    pub(super) fn all(&self) -> Option<Vec<(InForce, T)>> {
        self.versions
            .iter()
            .map(|(i, v)| v.clone().map(|v| (*i, v)))
            .collect()
    }
}

impl Checker<'_> {
    /// Reads an `in force` clause; reports a literal that is not a time, and an interval
    /// in which nothing is ever in force.
    pub(super) fn in_force(&mut self, clause: &ast::InForce) -> Option<InForce> {
        let read = |name: &Option<ast::Name>, this: &mut Self| match name {
            None => Some(None),
            Some(n) => match time_literal(&n.text, n.span) {
                Ok(t) => Some(Some(t)),
                Err(d) => {
                    this.report(d);
                    None
                }
            },
        };
        let from = read(&clause.from, self);
        let until = read(&clause.until, self);
        let (from, until) = (from?, until?);
        if let (Some(f), Some(u)) = (from, until) {
            if f >= u {
                self.report(
                    Diagnostic::error(
                        Code::InForceEmpty,
                        clause.span,
                        "this version is never in force: `from` is not before `until`",
                    )
                    .with_help("`from` is the first instant in force and `until` the first instant no longer in force: write a later `until`"),
                );
                return None;
            }
        }
        Some(InForce { from, until })
    }

    /// Records a version of the dated declaration `key`; reports one that is in force
    /// at a time another version is (both located).
    pub(super) fn add_version(&mut self, key: &str, version: Version, what: &str) {
        let clash = self.versions.get(key).and_then(|vs| {
            vs.iter()
                .find(|v| v.in_force.overlaps(&version.in_force))
                .cloned()
        });
        if let Some(other) = clash {
            let location = self.sources.location(other.span);
            self.report(
                Diagnostic::error(
                    Code::InForceOverlap,
                    version.span,
                    format!(
                        "{what} is already in force {} (at {location}): two versions cannot be in force at one time",
                        other.in_force.label()
                    ),
                )
                .with_related(other.span, "the other version")
                .with_help("end one version where the next begins: `until D` and then `from D`"),
            );
            return;
        }
        self.versions
            .entry(key.to_string())
            .or_default()
            .push(version);
    }

    /// Warns, for each dated declaration, about a time between two consecutive versions
    /// when none is in force, unless the later one says `in force again`.
    pub(super) fn version_gaps(&mut self) {
        let mut found = Vec::new();
        for (key, versions) in &self.versions {
            let mut sorted: Vec<&Version> = versions.iter().collect();
            sorted.sort_by_key(|v| v.in_force.from);
            for pair in sorted.windows(2) {
                let [before, after] = pair else { continue };
                if let (Some(until), Some(from)) = (before.in_force.until, after.in_force.from) {
                    if until < from && !after.again {
                        let name = key.split_once(':').map_or(key.as_str(), |(_, n)| n);
                        found.push((name.to_string(), (*before).clone(), (*after).clone()));
                    }
                }
            }
        }
        found.sort_by_key(|(_, _, after)| (after.span.file, after.span.start));
        for (name, before, after) in found {
            let until = before.in_force.until.map(crate::policy::in_force::moment);
            let from = after.in_force.from.map(crate::policy::in_force::moment);
            self.report(
                Diagnostic::warning(
                    Code::InForceGap,
                    after.span,
                    format!(
                        "`{name}` is not in force from {} until {}: no version covers that time",
                        until.unwrap_or_default(),
                        from.unwrap_or_default()
                    ),
                )
                .with_related(before.span, "the version before ends here")
                .with_help("begin this version where the one before ends, or write `in force again from` if the gap is intended"),
            );
        }
    }

    /// The time field that selects a dated value's version: `as in force at FIELD`, else
    /// the request's time; `None` (reported) when the field is not a time.
    pub(super) fn version_time(&mut self, dated: &ast::Dated) -> Option<(u16, String)> {
        match &dated.selected_at {
            None => {
                let at = self.at_slot;
                let name = self
                    .fields
                    .get(usize::from(at))
                    .map_or_else(|| "at".to_string(), |f| f.path.clone());
                Some((at, name))
            }
            Some(path) => {
                let slot = self.field_slot(path)?;
                let ty = self.field_types.get(usize::from(slot)).copied();
                if ty != Some(crate::policy::Ty::Time) {
                    self.report(
                        Diagnostic::error(
                            Code::InForceTime,
                            path.span,
                            format!("`{}` is not a time: it cannot select a version", path.dotted()),
                        )
                        .with_help("name a time field of the input schema, such as the time a purchase was made"),
                    );
                    return None;
                }
                Some((slot, path.dotted()))
            }
        }
    }

    /// Makes the list just declared (`lists` had `before` lists) a version of the dated
    /// list of its name, selected by the request's time.
    pub(super) fn dated_list(
        &mut self,
        m: &ast::MarketsDecl,
        clause: &ast::InForce,
        before: usize,
    ) {
        let name = &m.name.text;
        let index = if self.lists.len() > before {
            self.list_index.remove(name);
            u16::try_from(before).ok()
        } else {
            None
        };
        let at = self.at_slot;
        let at_name = self
            .fields
            .get(usize::from(at))
            .map_or_else(|| "at".to_string(), |f| f.path.clone());
        let mut entry = self.dated_lists.remove(name).unwrap_or_else(|| Dated {
            time: at,
            time_name: at_name,
            versions: Vec::new(),
        });
        if let Some(in_force) = self.in_force(clause) {
            let version = Version {
                in_force,
                again: clause.again,
                span: clause.span,
            };
            self.add_version(&format!("value:{name}"), version, &format!("`{name}`"));
            entry.versions.push((in_force, index));
        } else {
            self.broken.insert(name.clone());
        }
        if index.is_none() {
            self.broken.insert(name.clone());
        }
        self.dated_lists.insert(name.clone(), entry);
    }

    /// Adds a version of a dated window, link or list to `table`; reports a version
    /// selected by another time than the versions before it.
    pub(super) fn add_dated<T>(
        &mut self,
        table_entry: &mut Dated<T>,
        time: (u16, String),
        in_force: InForce,
        value: Option<T>,
        span: Span,
    ) {
        if table_entry.time != time.0 {
            self.report(
                Diagnostic::error(
                    Code::InForceTime,
                    span,
                    format!(
                        "the versions before this one are selected by `{}`, this one by `{}`",
                        table_entry.time_name, time.1
                    ),
                )
                .with_help("every version of a dated value is selected by the same time: write the same `as in force at` on each"),
            );
        }
        table_entry.versions.push((in_force, value));
    }
}

/// The expression that gives, of several versions, the one in force at the time in slot
/// `time` (`otherwise` when none is).
pub(super) fn versions(
    name: &str,
    time: u16,
    time_name: &str,
    mut choices: Vec<(InForce, Expr)>,
    otherwise: Expr,
    span: Span,
) -> Expr {
    choices.sort_by_key(|(i, _)| i.from);
    Expr::new(
        Node::Versions(Box::new(Versions {
            name: name.to_string(),
            time: Expr::new(Node::Field(time), span),
            time_name: time_name.to_string(),
            choices,
            otherwise,
        })),
        span,
    )
}

/// A test that a dated `require` block is in force at the request's time (slot `at`,
/// named `at_name`): a choice of versions, so that `as_of` fixes it like the others.
pub(super) fn in_force_test(at: u16, at_name: &str, in_force: &InForce, span: Span) -> Expr {
    let yes = Expr::new(Node::Const(Value::Bool(true)), span);
    let no = Expr::new(Node::Const(Value::Bool(false)), span);
    versions("require", at, at_name, vec![(*in_force, yes)], no, span)
}
