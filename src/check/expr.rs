//! Compiling expressions: syntax-tree expressions become compiled [`Expr`]s with every
//! name bound (field slot, `let`, fact, window or link member, market list) and every
//! operator checked against its operand types.
//!
//! This file holds the entry points ([`Checker::condition`], [`Checker::expr`]), the
//! literals and the conditions (`and`, `or`, `not`, `if`, `is present`, `is missing`).
//! Each family of operators has its own module: `expr/resolve.rs` (names and paths),
//! `expr/members.rs` (window and link members, lowered to arithmetic), `expr/roles.rs`
//! (role tests: `contains`, `contains any of`, `contains all of` on the actor's roles),
//! `expr/predicate.rs` (the tests: `is`, `is one of`, `is in`, `is within`, `is before`,
//! `is after`, `contains`, `<` ...), `expr/arith.rs` (arithmetic and functions) and
//! `expr/currency.rs` (money literals, and money whose currency is not declared never
//! meeting money in a currency).

mod arith;
mod currency;
mod literal;
mod members;
mod predicate;
mod resolve;
mod roles;

use super::code::DiagnosticCode as Code;
use super::diag::Diagnostic;
use super::Checker;
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};
use crate::value::Value;

/// Where an expression is written, which decides what it may read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx {
    /// May read `allowed` (fact values only).
    pub allowed: bool,
    /// May read facts defined for all of these actions (bit mask), if any.
    pub facts_for: Option<u64>,
}

impl Ctx {
    /// Where neither facts nor `allowed` may be read: conditions, requirements, lets.
    pub(super) const PLAIN: Ctx = Ctx {
        allowed: false,
        facts_for: None,
    };
}

/// A compiled expression and its type, or why it cannot be compiled.
type Typed = Result<(Expr, Ty), Diagnostic>;

/// A date or instant literal of an `in force` clause, read as the expression literals
/// are (a date is its midnight UTC).
pub(super) fn time_literal(
    text: &str,
    span: crate::source::Span,
) -> Result<chrono::DateTime<chrono::Utc>, Diagnostic> {
    let (e, _) = if text.contains('T') {
        literal::instant(text, span)?
    } else {
        literal::date(text, span)?
    };
    match e.node {
        Node::Const(crate::value::Value::Time(t)) => Ok(t),
        _ => Err(Diagnostic::error(
            Code::BadTime,
            span,
            format!("`{text}` is not a date"),
        )),
    }
}

impl Checker<'_> {
    /// Compiles an expression that must be a condition.
    pub(super) fn condition(&mut self, expr: &ast::Expr, ctx: Ctx) -> Result<Expr, Diagnostic> {
        let (e, ty) = self.expr(expr, ctx)?;
        if ty != Ty::Bool {
            return Err(type_error(expr.span, "a condition", ty)
                .with_help("write a test such as `x is y`, `x is after y` or `x is present`"));
        }
        Ok(e)
    }

    /// Compiles an expression and returns its type.
    pub(super) fn expr(&mut self, expr: &ast::Expr, ctx: Ctx) -> Typed {
        let span = expr.span;
        let node = |n: Node| Expr::new(n, span);
        let typed = match &expr.kind {
            ExprKind::Number(text) => literal::number(text, span)?,
            ExprKind::Money(amount, code) => self.money_literal(amount, code, span)?,
            ExprKind::Instant(text) => literal::instant(text, span)?,
            ExprKind::Date(text) => literal::date(text, span)?,
            ExprKind::Whole(unit, x) => self.whole(*unit, x, span, ctx)?,
            ExprKind::Text(text) => (
                node(Node::Const(Value::Text(text.clone().into()))),
                Ty::Text,
            ),
            ExprKind::Bool(b) => (node(Node::Const(Value::Bool(*b))), Ty::Bool),
            ExprKind::Duration(d) => (
                node(Node::Const(Value::Duration(super::delta(d)))),
                Ty::Duration,
            ),
            ExprKind::Path(path) => self.path(path, ctx)?,
            ExprKind::Call(name, args) => self.call(name, args, span, ctx)?,
            ExprKind::If(c, a, b) => {
                let c = self.condition(c, ctx)?;
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                if ta != tb {
                    return Err(Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "the two branches differ: `then` gives {}, `else` gives {}",
                            ta.describe(),
                            tb.describe()
                        ),
                    ));
                }
                (node(Node::If(Box::new(c), Box::new(a), Box::new(b))), ta)
            }
            ExprKind::Negate(a) => self.negate(a, span, ctx)?,
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, span, ctx)?,
            ExprKind::Not(a) => (node(Node::Not(Box::new(self.condition(a, ctx)?))), Ty::Bool),
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                // Every part is checked, so that all of their mistakes show at once.
                let mut compiled = Vec::with_capacity(parts.len());
                let mut first_error = None;
                for part in parts {
                    match self.condition(part, ctx) {
                        Ok(c) => compiled.push(c),
                        Err(d) if first_error.is_none() => first_error = Some(d),
                        Err(d) => self.report(d),
                    }
                }
                if let Some(d) = first_error {
                    return Err(d);
                }
                let n = if matches!(expr.kind, ExprKind::And(_)) {
                    Node::And(compiled)
                } else {
                    Node::Or(compiled)
                };
                (node(n), Ty::Bool)
            }
            ExprKind::Present(a) => (
                node(Node::Present(Box::new(self.expr(a, ctx)?.0))),
                Ty::Bool,
            ),
            ExprKind::Missing(a) => (
                node(Node::Missing(Box::new(self.expr(a, ctx)?.0))),
                Ty::Bool,
            ),
            ExprKind::Is(..)
            | ExprKind::OneOf(..)
            | ExprKind::In(..)
            | ExprKind::Within(..)
            | ExprKind::Before(..)
            | ExprKind::After(..)
            | ExprKind::Contains(..)
            | ExprKind::Compare(..) => (self.test(expr, ctx)?, Ty::Bool),
            ExprKind::ContainsOf(a, roles, all) => {
                (self.contains_of(expr, a, roles, *all, ctx)?, Ty::Bool)
            }
        };
        self.check_currencies(&typed.0)?;
        Ok(typed)
    }
}

/// "expected X, but this is Y".
pub(super) fn type_error(span: Span, expected: &str, found: Ty) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        span,
        format!("expected {expected}, but this is {}", found.describe()),
    )
    .with_label(format!("this is {}", found.describe()))
}
