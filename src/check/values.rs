//! Named values: windows and links (bound to the time and count fields they read, their
//! lengths and limits written out or named by constants, see `constants.rs`) and
//! `let`s (compiled on first use, so that they may be declared in any order; a cycle is
//! an error).

use super::code::DiagnosticCode as Code;
use super::expr::{self, Ctx};
use super::in_force::{Dated, Version};
use super::{Checker, Diagnostic, LetState, LinkInfo, WindowInfo};
use crate::policy::{FieldKind, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl<'s> Checker<'s> {
    /// Declares a window; one whose start is not a time field is broken (its uses stay
    /// quiet).
    pub(super) fn declare_window(&mut self, w: &ast::WindowDecl) {
        let start = self.time_field(&w.start);
        let length = self.fixed_duration(&w.length);
        let info = match (start, length) {
            (Some(start), Some(length)) => Some(WindowInfo { start, length }),
            _ => None,
        };
        if let Some(dated) = &w.dated {
            let entry = self.dated_windows.remove(&w.name.text);
            let entry = self.dated_version(&w.name, dated, entry, info);
            self.dated_windows.insert(w.name.text.clone(), entry);
            return;
        }
        match info {
            Some(info) => {
                self.windows.insert(w.name.text.clone(), info);
            }
            None => {
                self.broken.insert(w.name.text.clone());
            }
        }
    }

    /// Adds a version of the dated window or link `name` to its `entry` (a new one when
    /// `None`); a version with an error (`value` is `None`) makes the name broken.
    fn dated_version<T>(
        &mut self,
        name: &ast::Name,
        dated: &ast::Dated,
        entry: Option<Dated<T>>,
        value: Option<T>,
    ) -> Dated<T> {
        let in_force = self.in_force(&dated.in_force);
        let time = self.version_time(dated);
        let mut entry = entry.unwrap_or_else(|| Dated {
            time: time.as_ref().map_or(self.at_slot, |t| t.0),
            time_name: time.as_ref().map_or_else(String::new, |t| t.1.clone()),
            versions: Vec::new(),
        });
        let (Some(in_force), Some(time)) = (in_force, time) else {
            self.broken.insert(name.text.clone());
            return entry;
        };
        if value.is_none() {
            self.broken.insert(name.text.clone());
        }
        let version = Version {
            in_force,
            again: dated.in_force.again,
            span: dated.in_force.span,
        };
        self.add_version(
            &format!("value:{}", name.text),
            version,
            &format!("`{}`", name.text),
        );
        self.add_dated(&mut entry, time, in_force, value, dated.in_force.span);
        entry
    }

    /// Declares a link; one whose fields are not a time and a count is broken.
    pub(super) fn declare_link(&mut self, l: &ast::LinkDecl) {
        let lifetime = self.fixed_duration(&l.lifetime);
        let issued = self.time_field(&l.issued);
        let limit = self.fixed_count(&l.limit);
        let used = self.count_field(&l.used);
        if limit == Some(0) {
            self.report(Diagnostic::error(
                Code::EmptyLink,
                l.limit_span,
                "a link that allows 0 uses can never be used",
            ));
        }
        let info = match (lifetime, issued, limit, used) {
            (Some(lifetime), Some(issued), Some(limit), Some(used)) => Some(LinkInfo {
                issued,
                used,
                lifetime,
                limit,
            }),
            _ => None,
        };
        if let Some(dated) = &l.dated {
            let entry = self.dated_links.remove(&l.name.text);
            let entry = self.dated_version(&l.name, dated, entry, info);
            self.dated_links.insert(l.name.text.clone(), entry);
            return;
        }
        match info {
            Some(info) => {
                self.links.insert(l.name.text.clone(), info);
            }
            None => {
                self.broken.insert(l.name.text.clone());
            }
        }
    }

    /// Declares a `let`, to be compiled by [`Checker::compile_lets`] or on first use.
    pub(super) fn declare_let(&mut self, l: &'s ast::LetDecl) {
        let index = u16::try_from(self.let_decls.len()).unwrap_or(u16::MAX);
        self.let_decls.push(l);
        self.let_index.insert(l.name.text.clone(), index);
        self.let_state.push(LetState::Pending);
        self.let_values.push(None);
    }

    /// Compiles every `let` not compiled yet, in declaration order.
    pub(super) fn compile_lets(&mut self) {
        for index in 0..self.let_decls.len() {
            let _ = self.let_type(u16::try_from(index).unwrap_or(u16::MAX));
        }
    }

    /// The type of a `let`, compiling it on first use (cycles are errors).
    pub(super) fn let_type(&mut self, index: u16) -> Result<Ty, Diagnostic> {
        let i = usize::from(index);
        let Some(decl) = self.let_decls.get(i).copied() else {
            return Err(Diagnostic::error(
                Code::UnknownName,
                Span::default(),
                "unknown let",
            ));
        };
        match self.let_state.get(i).cloned() {
            Some(LetState::Done(ty)) => return Ok(ty),
            Some(LetState::Failed) => {
                return Err(Diagnostic::error(
                    Code::BrokenLet,
                    decl.name.span,
                    format!("`{}` has an error", decl.name.text),
                ))
            }
            Some(LetState::InProgress) => {
                return Err(Diagnostic::error(
                    Code::CyclicLet,
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
        let ctx = Ctx::PLAIN;
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
                self.report(diagnostic);
                Err(Diagnostic::error(
                    Code::BrokenLet,
                    decl.name.span,
                    format!("`{}` has an error", decl.name.text),
                ))
            }
        }
    }

    /// The slot of the time field `path` names; reports anything else.
    fn time_field(&mut self, path: &ast::Path) -> Option<u16> {
        self.field_of(path, Ty::Time, "a time")
    }

    /// The slot of the count field `path` names; reports anything else.
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

    /// The slot of the field `path` names, when it has type `ty` (`what`, in words).
    fn field_of(&mut self, path: &ast::Path, ty: Ty, what: &str) -> Option<u16> {
        let slot = self.field_slot(path)?;
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
}
