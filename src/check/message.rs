//! Messages: the placeholders of a `because "..."` message (read by
//! [`crate::syntax::template`]) resolved to compiled expressions, with their formats
//! (`as money`, `as number`, `as date`, `as time`) checked against the value's type and
//! their fallbacks (`or the customer`) kept for when the value is absent.

use super::code::DiagnosticCode as Code;
use super::expr::Ctx;
use super::{Checker, Diagnostic};
use crate::policy::{Expr, Format, Shown, Template, TemplatePart, Ty};
use crate::source::Span;
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
                Ok(Piece::Placeholder(slot)) => {
                    let span = slot.path.span;
                    let expr = ast::Expr {
                        kind: ast::ExprKind::Path(slot.path),
                        span,
                    };
                    let shown = self
                        .expr(&expr, ctx)
                        .and_then(|(e, ty)| shown(e, ty, slot.format, slot.fallback));
                    match shown {
                        Ok(part) => parts.push(part),
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

/// A placeholder's compiled value with its format (checked against the value's type)
/// and fallback; a plain value when it has neither.
fn shown(
    value: Expr,
    ty: Ty,
    format: Option<(String, Span)>,
    fallback: Option<String>,
) -> Result<TemplatePart, Diagnostic> {
    let format = match format {
        None => None,
        Some((word, span)) => {
            let Some(format) = Format::ALL
                .iter()
                .find(|(name, _)| *name == word)
                .map(|(_, f)| *f)
            else {
                return Err(Diagnostic::error(
                    Code::BadPlaceholder,
                    span,
                    format!("`{word}` is not a format"),
                )
                .with_label("not a format")
                .with_help("the formats are `as money`, `as number` (money or numbers), `as date` and `as time` (times)"));
            };
            let fits = match format {
                Format::Money | Format::Number => matches!(ty, Ty::Money | Ty::Number),
                Format::Date | Format::Time => ty == Ty::Time,
            };
            if !fits {
                return Err(Diagnostic::error(
                    Code::TypeMismatch,
                    span,
                    format!("`as {word}` cannot write {}", ty.describe()),
                )
                .with_label(format!("the value is {}", ty.describe())));
            }
            Some(format)
        }
    };
    if format.is_none() && fallback.is_none() {
        return Ok(TemplatePart::Value(value));
    }
    Ok(TemplatePart::Shown(Shown {
        value,
        format,
        fallback,
    }))
}
