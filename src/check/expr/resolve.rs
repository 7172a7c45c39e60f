//! Resolving names: a path in an expression is a constant (replaced by its value), a `let`, a fact, `allowed`, a window or
//! link member (`members.rs`), or an input field (with `.name` for a market); anything
//! else is an unknown name, with the closest declared name as a hint.

use super::{Ctx, Typed};
use crate::check::code::DiagnosticCode as Code;
use crate::check::suggest::did_you_mean;
use crate::check::{Checker, Diagnostic, LinkInfo, WindowInfo};
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast;

impl Checker<'_> {
    /// Resolves a name or dotted path.
    pub(super) fn path(&mut self, path: &ast::Path, ctx: Ctx) -> Typed {
        let span = path.span;
        let first = path.segments.first().map(String::as_str).unwrap_or("");
        let rest = path.segments.get(1..).unwrap_or(&[]);
        if let Some(&index) = self.const_index.get(first) {
            no_members(path, rest)?;
            self.used.insert(first.to_string());
            let (value, ty) = self.constant(index)?;
            return Ok((Expr::new(Node::Const(value), span), ty));
        }
        if let Some(&index) = self.let_index.get(first) {
            no_members(path, rest)?;
            self.used.insert(first.to_string());
            let ty = self.let_type(index)?;
            return Ok((Expr::new(Node::Let(index), span), ty));
        }
        if let Some(&name) = self.fact_index.get(first) {
            no_members(path, rest)?;
            return self.fact_ref(name, first, span, ctx);
        }
        self.broken_declaration(first, span)?;
        if first == "allowed" && rest.is_empty() {
            if !ctx.allowed {
                return Err(Diagnostic::error(
                    Code::AllowedOutsideFact,
                    span,
                    "`allowed` can only be read in a fact's value",
                )
                .with_help("rules decide `allowed`, so they cannot read it"));
            }
            return Ok((Expr::new(Node::Allowed, span), Ty::Bool));
        }
        if let Some(dated) = self.dated_windows.get(first).cloned() {
            self.used.insert(first.to_string());
            let member = |c: &Self, info: &WindowInfo| c.window_member(info, path, rest);
            return self.dated_member(first, &dated, member, span);
        }
        if let Some(dated) = self.dated_links.get(first).cloned() {
            self.used.insert(first.to_string());
            let member = |c: &Self, info: &LinkInfo| c.link_member(info, path, rest);
            return self.dated_member(first, &dated, member, span);
        }
        if let Some(info) = self.windows.get(first).cloned() {
            self.used.insert(first.to_string());
            return self.window_member(&info, path, rest);
        }
        if let Some(info) = self.links.get(first).cloned() {
            self.used.insert(first.to_string());
            return self.link_member(&info, path, rest);
        }
        // The longest prefix that is a field; what follows must be a member of it.
        for split in (1..=path.segments.len()).rev() {
            let (head, tail) = path.segments.split_at(split);
            let dotted = head.join(".");
            let Some(&slot) = self.field_index.get(&dotted) else {
                continue;
            };
            let ty = self
                .field_types
                .get(usize::from(slot))
                .copied()
                .unwrap_or(Ty::Text);
            let field = Expr::new(Node::Field(slot), span);
            return match (tail, ty) {
                ([], _) => Ok((field, ty)),
                ([member], Ty::Market) if member == "name" => {
                    Ok((Expr::new(Node::MarketName(Box::new(field)), span), Ty::Text))
                }
                _ => Err(Diagnostic::error(
                    Code::UnknownField,
                    span,
                    format!(
                        "`{dotted}` is {} and has no member `{}`",
                        ty.describe(),
                        tail.join(".")
                    ),
                )
                .with_optional_help(
                    (ty == Ty::Market).then(|| "a market has one member: `.name`".to_string()),
                )),
            };
        }
        Err(self.unknown_name(path))
    }

    /// A window or link whose declaration failed: its error is already reported, so
    /// uses of it stay quiet (the `broken-let` code is never shown).
    pub(super) fn broken_declaration(&mut self, name: &str, span: Span) -> Result<(), Diagnostic> {
        if self.broken.contains(name) {
            self.used.insert(name.to_string());
            return Err(Diagnostic::error(
                Code::BrokenLet,
                span,
                format!("`{name}` has an error"),
            ));
        }
        Ok(())
    }

    fn fact_ref(&mut self, name: u16, text: &str, span: Span, ctx: Ctx) -> Typed {
        let Some(actions) = ctx.facts_for else {
            return Err(Diagnostic::error(
                Code::FactInExpression,
                span,
                format!("`{text}` is a fact; facts can be read only in messages"),
            )
            .with_help("declare the value with `let` and use it in both places"));
        };
        let info = self
            .fact_info
            .get(usize::from(name))
            .cloned()
            .unwrap_or_default();
        if info.broken {
            return Err(Diagnostic::error(
                Code::BrokenLet,
                span,
                format!("`{text}` has an error"),
            ));
        }
        if info.after_decision {
            return Err(Diagnostic::error(
                Code::FactAfterDecision,
                span,
                format!(
                    "`{text}` depends on the decision (`allowed`), so a message cannot show it"
                ),
            ));
        }
        let missing = actions & !info.actions;
        if missing != 0 {
            let names: Vec<String> = (0..64)
                .filter(|i| missing & (1u64 << i) != 0)
                .filter_map(|i| self.actions.get(i).map(|a| a.name.clone()))
                .collect();
            return Err(Diagnostic::error(
                Code::FactNotDefined,
                span,
                format!("the fact `{text}` is not defined for {}", names.join(", ")),
            ));
        }
        Ok((Expr::new(Node::Fact(name), span), info.ty))
    }

    fn unknown_name(&self, path: &ast::Path) -> Diagnostic {
        let dotted = path.dotted();
        let mut candidates: Vec<&str> = self.field_index.keys().map(String::as_str).collect();
        candidates.extend(self.const_index.keys().map(String::as_str));
        candidates.extend(self.let_index.keys().map(String::as_str));
        candidates.extend(self.fact_index.keys().map(String::as_str));
        candidates.extend(self.windows.keys().map(String::as_str));
        candidates.extend(self.links.keys().map(String::as_str));
        let help = did_you_mean(&dotted, candidates.iter().copied());
        let message = if path.segments.len() > 1 {
            format!("`{dotted}` is not a field of the input schema")
        } else {
            format!("`{dotted}` is not a field, let, fact, window or link")
        };
        Diagnostic::error(
            if path.segments.len() > 1 {
                Code::UnknownField
            } else {
                Code::UnknownName
            },
            path.span,
            message,
        )
        .with_help(help.unwrap_or_else(|| "declare it in the `input` block, or with `let`".into()))
    }
}

fn no_members(path: &ast::Path, rest: &[String]) -> Result<(), Diagnostic> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Diagnostic::error(
            Code::UnknownField,
            path.span,
            format!(
                "`{}` has no member `{}`",
                path.segments.first().map(String::as_str).unwrap_or(""),
                rest.join(".")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::load;
    use crate::source::SourceFile;

    /// Regression: the hint of an unknown name depended on the order of hash maps, which
    /// changes from run to run, when two declared names were equally close.
    #[test]
    fn the_hint_for_an_unknown_name_is_the_same_every_time() {
        let policy = "let g_let_1 = 1\nlet g_let_2 = 2\nfact f for purchase = g_let_0\n";
        let hints: std::collections::BTreeSet<Option<String>> = (0..24)
            .map(|_| {
                let mut sources = load::embedded_sources();
                sources.add(SourceFile::new("t.policy", policy));
                let loaded = load::compile(sources);
                let unknown = loaded
                    .diagnostics
                    .iter()
                    .find(|d| d.code == crate::check::DiagnosticCode::UnknownName);
                unknown.and_then(|d| d.help.clone())
            })
            .collect();
        assert_eq!(
            hints.into_iter().collect::<Vec<_>>(),
            [Some("did you mean `g_let_1`?".to_string())]
        );
    }
}
