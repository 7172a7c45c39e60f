//! Constants: `constant NAME = VALUE`, a value the policy fixes (a literal, or another
//! constant), computed once at load. Every use is replaced by the value itself, so a
//! compiled policy holds no constant by name and a decision does no extra work. A
//! constant may be used wherever a literal of its type may be: in expressions (rules,
//! requirements, lets, facts), in messages, as a window's length, as a link's lifetime
//! and as a link's limit. Constants are compiled on first use, so they may be declared
//! in any order and in any file; a cycle is an error.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::code::DiagnosticCode as Code;
use super::expr::{type_error, Ctx};
use super::suggest::did_you_mean;
use super::{delta, Checker, Diagnostic};
use crate::policy::{Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, Fixed};
use crate::value::Value;

/// Where the compilation of a constant stands.
#[derive(Debug, Clone)]
pub(super) enum ConstState {
    /// Declared, not compiled yet.
    Pending,
    /// Being compiled: meeting it again is a cycle.
    InProgress,
    /// Its value and type.
    Done(Value<'static>, Ty),
    /// Its declaration has an error (reported there).
    Failed,
}

impl<'s> Checker<'s> {
    /// Declares a constant, to be compiled on first use or by
    /// [`Checker::compile_constants`].
    pub(super) fn declare_constant(&mut self, c: &'s ast::ConstantDecl) {
        let index = u16::try_from(self.const_decls.len()).unwrap_or(u16::MAX);
        self.const_decls.push(c);
        self.const_index.insert(c.name.text.clone(), index);
        self.const_state.push(ConstState::Pending);
    }

    /// Compiles every constant not compiled yet, in declaration order, so that an
    /// unused constant's mistakes are reported too.
    pub(super) fn compile_constants(&mut self) {
        for index in 0..self.const_decls.len() {
            let _ = self.constant(u16::try_from(index).unwrap_or(u16::MAX));
        }
    }

    /// The value and type of a constant, compiling it on first use.
    pub(super) fn constant(&mut self, index: u16) -> Result<(Value<'static>, Ty), Diagnostic> {
        let i = usize::from(index);
        let Some(decl) = self.const_decls.get(i).copied() else {
            return Err(broken(Span::default(), "constant"));
        };
        match self.const_state.get(i) {
            Some(ConstState::Done(v, ty)) => return Ok((v.clone(), *ty)),
            Some(ConstState::Failed) => return Err(broken(decl.name.span, &decl.name.text)),
            Some(ConstState::InProgress) => {
                return Err(Diagnostic::error(
                    Code::CyclicConstant,
                    decl.name.span,
                    format!(
                        "the constant `{}` is defined in terms of itself",
                        decl.name.text
                    ),
                )
                .with_label("its value needs its own value")
                .with_help(
                    "write the value of one of them out: `constant cancellation_days = 60 days`",
                ))
            }
            Some(ConstState::Pending) | None => {}
        }
        self.set_const_state(i, ConstState::InProgress);
        let result = self
            .expr(&decl.value, Ctx::PLAIN)
            .and_then(|(e, ty)| fixed(e.node, ty, decl));
        match result {
            Ok((v, ty)) => {
                self.set_const_state(i, ConstState::Done(v.clone(), ty));
                Ok((v, ty))
            }
            Err(d) => {
                self.set_const_state(i, ConstState::Failed);
                self.report(d);
                Err(broken(decl.name.span, &decl.name.text))
            }
        }
    }

    fn set_const_state(&mut self, i: usize, state: ConstState) {
        if let Some(s) = self.const_state.get_mut(i) {
            *s = state;
        }
    }

    /// The value of the constant `name` names, when it has type `ty` (`what`, in
    /// words); reports a name that is not a constant or has another type. `None` also
    /// when the constant's own declaration is broken (reported there).
    fn fixed_constant(&mut self, name: &ast::Name, ty: Ty, what: &str) -> Option<Value<'static>> {
        let Some(&index) = self.const_index.get(&name.text) else {
            if self.broken.contains(&name.text) {
                // Skipped for a syntax error, reported there.
                return None;
            }
            let help = did_you_mean(&name.text, self.const_index.keys().map(String::as_str))
                .unwrap_or_else(|| {
                    format!(
                        "declare it: `constant {} = ...`, or write the value here",
                        name.text
                    )
                });
            self.report(
                Diagnostic::error(
                    Code::UnknownConstant,
                    name.span,
                    format!("`{}` is not a constant; expected {what} here", name.text),
                )
                .with_help(help),
            );
            return None;
        };
        self.used.insert(name.text.clone());
        let (value, found) = self.constant(index).ok()?;
        if found != ty {
            self.report(type_error(name.span, what, found));
            return None;
        }
        Some(value)
    }

    /// A window's length or a link's lifetime, written out or named.
    pub(super) fn fixed_duration(
        &mut self,
        d: &ast::Fixed<ast::DurationLit>,
    ) -> Option<chrono::TimeDelta> {
        match d {
            Fixed::Literal(d) => Some(delta(d)),
            Fixed::Named(name) => match self.fixed_constant(name, Ty::Duration, "a duration")? {
                Value::Duration(d) => Some(d),
                _ => None,
            },
        }
    }

    /// A link's limit of uses, written out or named: a whole number, zero or more.
    pub(super) fn fixed_count(&mut self, n: &ast::Fixed<u64>) -> Option<u64> {
        match n {
            Fixed::Literal(n) => Some(*n),
            Fixed::Named(name) => {
                let Value::Number(n) = self.fixed_constant(name, Ty::Number, "a number of uses")?
                else {
                    return None;
                };
                let whole = (n.fract() == Decimal::ZERO).then(|| n.to_u64()).flatten();
                if whole.is_none() {
                    self.report(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            name.span,
                            format!(
                                "a link's limit is a whole number of uses, but `{}` is {n}",
                                name.text
                            ),
                        )
                        .with_label("not a whole number of uses"),
                    );
                }
                whole
            }
        }
    }
}

/// The value of a compiled constant expression: a literal (maybe negated), or another
/// constant (already a literal); anything that reads the request is refused.
fn fixed(node: Node, ty: Ty, decl: &ast::ConstantDecl) -> Result<(Value<'static>, Ty), Diagnostic> {
    let value = match node {
        Node::Const(v) => Some(v),
        Node::Negate(inner) => match inner.node {
            Node::Const(Value::Number(n)) => Some(Value::Number(-n)),
            Node::Const(Value::Money(m, c)) => Some(Value::Money(-m, c)),
            Node::Const(Value::Duration(d)) => Some(Value::Duration(-d)),
            _ => None,
        },
        _ => None,
    };
    value.map(|v| (v, ty)).ok_or_else(|| {
        Diagnostic::error(
            Code::ConstantNotFixed,
            decl.value.span,
            format!("the value of the constant `{}` is not fixed by the policy", decl.name.text),
        )
        .with_help("a constant is a value written out (`60 days`, `50`, `\"text\"`) or another constant; a value computed from the request is a `let`")
    })
}

/// The silent diagnostic of a use of a constant whose declaration is broken.
fn broken(span: Span, name: &str) -> Diagnostic {
    Diagnostic::error(Code::BrokenLet, span, format!("`{name}` has an error"))
}
