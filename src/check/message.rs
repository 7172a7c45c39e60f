//! Messages: the placeholders of a `because "..."` message (read by
//! [`crate::syntax::template`]) resolved to compiled expressions.

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::{Checker, Diagnostic};
use crate::policy::{Template, TemplatePart};
use crate::syntax::ast;
use crate::syntax::template::{self, Piece, TemplateError};

impl Checker<'_> {
    /// Compiles a message: each `{path}` placeholder becomes an expression, read in
    /// `ctx`. Reports every placeholder that cannot be read or resolved.
    pub(super) fn template(&mut self, text: &ast::Text, ctx: Ctx) -> Option<Template> {
        let mut parts = Vec::new();
        let mut ok = true;
        for piece in template::pieces(text) {
            match piece {
                Ok(Piece::Literal(literal)) => parts.push(TemplatePart::Literal(literal)),
                Ok(Piece::Placeholder(path)) => {
                    let span = path.span;
                    let expr = ast::Expr {
                        kind: ast::ExprKind::Path(path),
                        span,
                    };
                    match self.expr(&expr, ctx) {
                        Ok((e, _)) => parts.push(TemplatePart::Value(e)),
                        Err(mut d) => {
                            d.message = format!("in this message: {}", d.message);
                            self.report(d);
                            ok = false;
                        }
                    }
                }
                Err(error) => {
                    self.report(
                        Diagnostic::error(Code::BadPlaceholder, error.span(), error.to_string())
                            .with_help(error.help()),
                    );
                    if matches!(error, TemplateError::Unclosed { .. }) {
                        return None;
                    }
                    ok = false;
                }
            }
        }
        ok.then_some(Template { parts })
    }
}
