//! Window and link members (`cancellation.end`, `download_link.expired`), lowered to
//! plain arithmetic and comparisons over the fields they read, so that the evaluator
//! knows nothing of windows and links.

use chrono::TimeDelta;
use rust_decimal::Decimal;

use super::Typed;
use crate::check::code::DiagnosticCode as Code;
use crate::check::in_force::{versions, Dated};
use crate::check::suggest::did_you_mean;
use crate::check::{Checker, Diagnostic, LinkInfo, WindowInfo};
use crate::policy::expr::{Arith, Func, Order};
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::Value;

/// The members of a window, in the order the hint lists them.
const WINDOW_MEMBERS: [&str; 4] = ["start", "end", "length", "days_left"];

/// The members of a link, in the order the hint lists them.
const LINK_MEMBERS: [&str; 8] = [
    "issued_at",
    "expires_at",
    "lifetime",
    "limit",
    "used",
    "uses_left",
    "expired",
    "used_up",
];

impl Checker<'_> {
    /// `WINDOW.member` (`rest` is what follows the window's name in `path`).
    pub(super) fn window_member(
        &self,
        info: &WindowInfo,
        path: &ast::Path,
        rest: &[String],
    ) -> Typed {
        let span = path.span;
        let member = rest.first().map(String::as_str).unwrap_or("");
        let at = Expr::new(Node::Field(self.at_slot), span);
        let end = window_end(info, span);
        let e = |n: Node| Expr::new(n, span);
        Ok(match (member, rest.len()) {
            ("start", 1) => (e(Node::Field(info.start)), Ty::Time),
            ("end", 1) => (end, Ty::Time),
            ("length", 1) => (e(Node::Const(Value::Duration(info.length))), Ty::Duration),
            ("days_left", 1) => {
                let days = e(Node::Call(Func::WholeDays, vec![at, end]));
                (zero_at_least(days, span), Ty::Number)
            }
            _ => return Err(unknown_member(path, "window", &WINDOW_MEMBERS)),
        })
    }

    /// `LINK.member` (`rest` is what follows the link's name in `path`).
    pub(super) fn link_member(&self, info: &LinkInfo, path: &ast::Path, rest: &[String]) -> Typed {
        let span = path.span;
        let member = rest.first().map(String::as_str).unwrap_or("");
        let e = |n: Node| Expr::new(n, span);
        let at = e(Node::Field(self.at_slot));
        let expires = shifted(info.issued, info.lifetime, span);
        let limit = e(Node::Const(Value::Number(Decimal::from(info.limit))));
        let used = e(Node::Field(info.used));
        Ok(match (member, rest.len()) {
            ("issued_at", 1) => (e(Node::Field(info.issued)), Ty::Time),
            ("expires_at", 1) => (expires, Ty::Time),
            ("lifetime", 1) => (e(Node::Const(Value::Duration(info.lifetime))), Ty::Duration),
            ("limit", 1) => (limit, Ty::Number),
            ("used", 1) => (used, Ty::Number),
            ("uses_left", 1) => {
                let left = e(Node::Arith(Arith::Sub, Box::new(limit), Box::new(used)));
                (zero_at_least(left, span), Ty::Number)
            }
            ("expired", 1) => (not_below(at, expires, span), Ty::Bool),
            ("used_up", 1) => (not_below(used, limit, span), Ty::Bool),
            _ => return Err(unknown_member(path, "link", &LINK_MEMBERS)),
        })
    }
}

impl Checker<'_> {
    /// A member of a dated window or link: of each version, the member, selected by
    /// the version's time (absent when no version is in force).
    pub(super) fn dated_member<T: Clone>(
        &self,
        name: &str,
        dated: &Dated<T>,
        member: impl Fn(&Self, &T) -> Typed,
        span: Span,
    ) -> Typed {
        let mut choices = Vec::new();
        let mut ty = None;
        for (in_force, version) in dated.all().unwrap_or_default() {
            let (e, t) = member(self, &version)?;
            ty = Some(t);
            choices.push((in_force, e));
        }
        let Some(ty) = ty else {
            // Every version has an error, reported there.
            return Err(Diagnostic::error(
                Code::BrokenLet,
                span,
                format!("`{name}` has an error"),
            ));
        };
        let absent = Expr::new(Node::Const(Value::Absent), span);
        Ok((
            versions(name, dated.time, &dated.time_name, choices, absent, span),
            ty,
        ))
    }

    /// `market is [not] in LIST` for a dated list: the version in force at the request's
    /// time; when none is, the list holds no market.
    pub(in crate::check) fn dated_in_list(
        &self,
        name: &str,
        dated: &Dated<u16>,
        a: Expr,
        negated: bool,
        span: Span,
    ) -> Expr {
        let choices = dated
            .all()
            .unwrap_or_default()
            .into_iter()
            .map(|(i, list)| {
                let test = Node::InList(Box::new(a.clone()), list, negated);
                (i, Expr::new(test, span))
            })
            .collect();
        let otherwise = if negated {
            Expr::new(Node::Present(Box::new(a)), span)
        } else {
            Expr::new(Node::Const(Value::Bool(false)), span)
        };
        versions(name, dated.time, &dated.time_name, choices, otherwise, span)
    }
}

fn unknown_member(path: &ast::Path, what: &str, members: &[&str]) -> Diagnostic {
    let member = path
        .segments
        .get(1..)
        .map(|s| s.join("."))
        .unwrap_or_default();
    Diagnostic::error(
        Code::UnknownMember,
        path.span,
        format!("a {what} has no member `{member}`"),
    )
    .with_help(
        did_you_mean(&member, members.iter().copied())
            .unwrap_or_else(|| format!("a {what}'s members are {}", members.join(", "))),
    )
}

/// `start` + `length` of a window.
pub(super) fn window_end(info: &WindowInfo, span: Span) -> Expr {
    shifted(info.start, info.length, span)
}

/// The time field in slot `field` + `by`.
fn shifted(field: u16, by: TimeDelta, span: Span) -> Expr {
    let e = |n: Node| Expr::new(n, span);
    e(Node::Arith(
        Arith::Add,
        Box::new(e(Node::Field(field))),
        Box::new(e(Node::Const(Value::Duration(by)))),
    ))
}

/// `max(x, 0)`.
fn zero_at_least(x: Expr, span: Span) -> Expr {
    let e = |n: Node| Expr::new(n, span);
    e(Node::Call(
        Func::Max,
        vec![x, e(Node::Const(Value::Number(Decimal::ZERO)))],
    ))
}

/// `a >= b`.
fn not_below(a: Expr, b: Expr, span: Span) -> Expr {
    Expr::new(
        Node::Compare(Order::GreaterOrEqual, Box::new(a), Box::new(b)),
        span,
    )
}
