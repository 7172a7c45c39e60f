//! Compiling the role tests of conditions: `actor.roles contains global_admin`,
//! `actor.roles does not contain global_admin`, `actor.roles contains any of a, b` and
//! `actor.roles contains all of a, b`. The subject is the actor's roles; each role is a
//! bare name or a quoted one, resolved here against the declared roles (of every side:
//! the rule's audience narrows the side, see `check/rules.rs`) into a bit mask, so the
//! evaluator tests bits and never looks a name up.

use super::{type_error, Ctx};
use crate::check::code::DiagnosticCode as Code;
use crate::check::suggest::did_you_mean;
use crate::check::{Checker, Diagnostic};
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};

impl Checker<'_> {
    /// Compiles a role test: `subject` must be the actor's roles; `roles` are role
    /// names. `all`: every role must be held (else any one); `negated`: the test is
    /// `does not contain`.
    pub(super) fn role_test(
        &mut self,
        span: Span,
        subject: Expr,
        roles: &[ast::Expr],
        all: bool,
        negated: bool,
    ) -> Result<Expr, Diagnostic> {
        let mut masks = Vec::with_capacity(roles.len());
        for role in roles {
            masks.push(self.role_mask(role)?);
        }
        Ok(Expr::new(
            Node::HasRoles(Box::new(subject), masks, all, negated),
            span,
        ))
    }

    /// Compiles `X contains any of ...` / `X contains all of ...`: only the actor's
    /// roles hold several values.
    pub(super) fn contains_of(
        &mut self,
        expr: &ast::Expr,
        subject: &ast::Expr,
        roles: &[ast::Expr],
        all: bool,
        ctx: Ctx,
    ) -> Result<Expr, Diagnostic> {
        let (a, ta) = self.expr(subject, ctx)?;
        if ta != Ty::Roles {
            let form = if all { "all of" } else { "any of" };
            return Err(type_error(a.span, "the actor's roles", ta).with_help(format!(
                "`contains {form}` tests the actor's roles; for text write `x contains \"a\" or x contains \"b\"`"
            )));
        }
        self.role_test(expr.span, a, roles, all, false)
    }

    /// The bits of the role a bare or quoted name stands for: one bit per side that
    /// declares a role of that name.
    fn role_mask(&mut self, role: &ast::Expr) -> Result<u64, Diagnostic> {
        let name = match &role.kind {
            ExprKind::Text(text) => text.as_str(),
            ExprKind::Path(path) if path.segments.len() == 1 => {
                path.segments.first().map_or("", String::as_str)
            }
            _ => {
                let help = match self.roles.first() {
                    Some(first) => format!(
                        "write a declared role by its name, such as `{}`",
                        first.name
                    ),
                    None => "write a declared role by its name".to_string(),
                };
                return Err(Diagnostic::error(
                    Code::UnknownRole,
                    role.span,
                    "expected the name of a role",
                )
                .with_help(help));
            }
        };
        let mask = self
            .roles
            .iter()
            .enumerate()
            .take(64)
            .filter(|(_, r)| r.name == name)
            .fold(0u64, |m, (bit, _)| m | (1u64 << bit));
        if mask == 0 {
            let names = self.roles.iter().map(|r| r.name.as_str());
            let help = did_you_mean(name, names)
                .unwrap_or_else(|| "roles are declared in `roles for SIDE { ... }`".to_string());
            return Err(Diagnostic::error(
                Code::UnknownRole,
                role.span,
                format!("`{name}` is not a declared role"),
            )
            .with_label("not a declared role")
            .with_help(help));
        }
        Ok(mask)
    }
}
