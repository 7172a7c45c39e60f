//! Named values: windows and links (bound to the time and count fields they read, their
//! lengths and limits written out or named by constants, see `constants.rs`) and
//! `let`s (compiled on first use, so that they may be declared in any order; a cycle is
//! an error).

use super::code::DiagnosticCode as Code;
use super::expr::{self, Ctx};
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
        if let (Some(start), Some(length)) = (start, length) {
            let info = WindowInfo { start, length };
            self.windows.insert(w.name.text.clone(), info);
        } else {
            self.broken.insert(w.name.text.clone());
        }
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
        let (Some(lifetime), Some(issued), Some(limit), Some(used)) =
            (lifetime, issued, limit, used)
        else {
            self.broken.insert(l.name.text.clone());
            return;
        };
        {
            let info = LinkInfo {
                issued,
                used,
                lifetime,
                limit,
            };
            self.links.insert(l.name.text.clone(), info);
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
