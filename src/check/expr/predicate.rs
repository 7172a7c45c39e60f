//! Compiling the tests of the language: `is` and `is one of` (whose right side may be a
//! bare word naming an enumerated value, a side, an action or a market code), `is in`,
//! `is within`, `is before` and `is after`, `contains`, and `<`, `<=`, `>`, `>=`, `=`,
//! `!=`. Every test is a condition; the text literals of text tests are keyed here, once
//! ([`keyed`]).

use super::members::window_end;
use super::{type_error, Ctx};
use crate::check::code::DiagnosticCode as Code;
use crate::check::in_force::versions;
use crate::check::suggest::did_you_mean;
use crate::check::WindowInfo;
use crate::check::{Checker, Diagnostic};
use crate::market::MarketCode;
use crate::policy::expr::Order;
use crate::policy::{Expr, Node, Ty};
use crate::syntax::ast::{self, CompareOp, ExprKind};
use crate::text;
use crate::value::Value;

impl Checker<'_> {
    /// Compiles a test. `expr` is one of the test kinds ([`Checker::expr`] sends only
    /// those here); any other expression is compiled as a condition.
    pub(super) fn test(&mut self, expr: &ast::Expr, ctx: Ctx) -> Result<Expr, Diagnostic> {
        let span = expr.span;
        let node = |n: Node| Expr::new(n, span);
        Ok(match &expr.kind {
            ExprKind::Is(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let b = self.operand_like(b, ta, ctx)?;
                node(Node::Equal(
                    Box::new(keyed(a)),
                    Box::new(keyed(b)),
                    *negated,
                ))
            }
            ExprKind::OneOf(a, options, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let options = options
                    .iter()
                    .map(|o| self.operand_like(o, ta, ctx).map(keyed))
                    .collect::<Result<Vec<_>, _>>()?;
                node(Node::OneOf(Box::new(keyed(a)), options, *negated))
            }
            ExprKind::In(a, list, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                if ta != Ty::Market {
                    return Err(type_error(a.span, "a market", ta)
                        .with_help("`is in` tests a market against a market list"));
                }
                if let Some(dated) = self.dated_lists.get(&list.text).cloned() {
                    self.broken_declaration(&list.text, list.span)?;
                    self.used.insert(list.text.clone());
                    return Ok(self.dated_in_list(&list.text, &dated, a, *negated, span));
                }
                let Some(index) = self.list_index.get(&list.text).copied() else {
                    let names = self.lists.iter().map(|l| l.name.as_str());
                    return Err(not_declared(
                        Code::UnknownMarketList,
                        "market list",
                        list,
                        names,
                    ));
                };
                self.used.insert(list.text.clone());
                node(Node::InList(Box::new(a), index, *negated))
            }
            ExprKind::Within(a, window, negated) => {
                self.broken_declaration(&window.text, window.span)?;
                let (a, ta) = self.expr(a, ctx)?;
                if ta != Ty::Time {
                    return Err(type_error(a.span, "a time", ta));
                }
                if let Some(dated) = self.dated_windows.get(&window.text).cloned() {
                    self.used.insert(window.text.clone());
                    let within = |info: &WindowInfo| {
                        let start = Expr::new(Node::Field(info.start), window.span);
                        let end = window_end(info, window.span);
                        Expr::new(
                            Node::Range(
                                Box::new(a.clone()),
                                Box::new(start),
                                Box::new(end),
                                *negated,
                            ),
                            span,
                        )
                    };
                    let choices = dated
                        .all()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(i, info)| (i, within(&info)))
                        .collect();
                    let absent = Expr::new(Node::Const(Value::Absent), span);
                    return Ok(versions(
                        &window.text,
                        dated.time,
                        &dated.time_name,
                        choices,
                        absent,
                        span,
                    ));
                }
                let Some(info) = self.windows.get(&window.text).cloned() else {
                    let names = self.windows.keys().map(String::as_str);
                    return Err(not_declared(Code::UnknownWindow, "window", window, names));
                };
                self.used.insert(window.text.clone());
                let start = Expr::new(Node::Field(info.start), window.span);
                let end = window_end(&info, window.span);
                node(Node::Range(
                    Box::new(a),
                    Box::new(start),
                    Box::new(end),
                    *negated,
                ))
            }
            ExprKind::Before(a, b, negated) | ExprKind::After(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                both(&a, ta, &b, tb, Ty::Time, "a time")
                    .map_err(|d| d.with_help("`is before` and `is after` compare two times"))?;
                let before = matches!(expr.kind, ExprKind::Before(..));
                let order = match (before, *negated) {
                    (true, false) => Order::Less,
                    (true, true) => Order::GreaterOrEqual,
                    (false, false) => Order::Greater,
                    (false, true) => Order::LessOrEqual,
                };
                node(Node::Compare(order, Box::new(a), Box::new(b)))
            }
            ExprKind::Contains(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                if ta == Ty::Roles {
                    return self.role_test(span, a, std::slice::from_ref(&**b), false, *negated);
                }
                let (b, tb) = self.expr(b, ctx)?;
                both(&a, ta, &b, tb, Ty::Text, "text")?;
                node(Node::Contains(
                    Box::new(keyed(a)),
                    Box::new(keyed(b)),
                    *negated,
                ))
            }
            ExprKind::Compare(op, a, b) => {
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                let ordered = matches!(ta, Ty::Number | Ty::Money | Ty::Time | Ty::Duration);
                if ta != tb || !ordered {
                    return Err(Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!("cannot compare {} with {}", ta.describe(), tb.describe()),
                    )
                    .with_label(format!("{} compared with {}", ta.describe(), tb.describe()))
                    .with_help("`<`, `<=`, `>`, `>=`, `=` and `!=` compare two numbers, two amounts, two times or two durations"));
                }
                let order = match op {
                    CompareOp::Less => Order::Less,
                    CompareOp::LessOrEqual => Order::LessOrEqual,
                    CompareOp::Greater => Order::Greater,
                    CompareOp::GreaterOrEqual => Order::GreaterOrEqual,
                    CompareOp::Equal => Order::Equal,
                    CompareOp::NotEqual => Order::NotEqual,
                };
                node(Node::Compare(order, Box::new(a), Box::new(b)))
            }
            _ => return self.condition(expr, ctx),
        })
    }

    /// Compiles the right side of `is` / `is one of`: a bare word names a value of the
    /// left side's type (an enum word, a side, an action, a market code).
    fn operand_like(&mut self, expr: &ast::Expr, want: Ty, ctx: Ctx) -> Result<Expr, Diagnostic> {
        let word = match &expr.kind {
            ExprKind::Path(p) if p.segments.len() == 1 => p.segments.first().cloned(),
            ExprKind::Text(t) => Some(t.clone()),
            _ => None,
        };
        let is_bare = matches!(&expr.kind, ExprKind::Path(p) if p.segments.len() == 1);
        if let Some(word) = word {
            let words: Option<Vec<String>> = match want {
                Ty::Enum(field) => match &self.fields.get(usize::from(field)).map(|f| &f.kind) {
                    Some(crate::policy::FieldKind::Enum(values)) => Some(values.clone()),
                    _ => None,
                },
                Ty::Side => Some(self.sides.clone()),
                Ty::Action => Some(self.actions.iter().map(|a| a.name.clone()).collect()),
                _ => None,
            };
            if let Some(words) = words {
                let Some(index) = words.iter().position(|w| *w == word) else {
                    return Err(Diagnostic::error(
                        Code::UnknownValue,
                        expr.span,
                        format!(
                            "`{word}` is not one of the possible values: {}",
                            words.join(", ")
                        ),
                    )
                    .with_optional_help(did_you_mean(&word, words.iter().map(String::as_str))));
                };
                let index = u16::try_from(index).unwrap_or(u16::MAX);
                let value = match want {
                    Ty::Enum(field) => Value::Enum(field, index),
                    Ty::Side => Value::Side(u8::try_from(index).unwrap_or(u8::MAX)),
                    _ => Value::Action(index),
                };
                return Ok(Expr::new(Node::Const(value), expr.span));
            }
            if want == Ty::Market
                && (is_bare || matches!(expr.kind, ExprKind::Text(_)))
                && word.len() == 2
            {
                let code = MarketCode::parse(&word).ok_or_else(|| {
                    Diagnostic::error(
                        Code::UnknownMarket,
                        expr.span,
                        format!("`{word}` is not an ISO 3166-1 alpha-2 code"),
                    )
                })?;
                return Ok(Expr::new(Node::Const(Value::Market(code)), expr.span));
            }
        }
        let (e, ty) = self.expr(expr, ctx)?;
        if ty != want {
            return Err(Diagnostic::error(
                Code::TypeMismatch,
                expr.span,
                format!(
                    "this is {}, but it is compared with {}",
                    ty.describe(),
                    want.describe()
                ),
            ));
        }
        Ok(e)
    }
}

/// Both operands of a test must have type `want` (`expected`, in words): the first that
/// does not is the error.
fn both(a: &Expr, ta: Ty, b: &Expr, tb: Ty, want: Ty, expected: &str) -> Result<(), Diagnostic> {
    for (operand, ty) in [(a, ta), (b, tb)] {
        if ty != want {
            return Err(type_error(operand.span, expected, ty));
        }
    }
    Ok(())
}

/// "there is no WHAT `NAME`", with the closest of `names` as a hint.
fn not_declared<'a>(
    code: Code,
    what: &str,
    name: &ast::Name,
    names: impl IntoIterator<Item = &'a str>,
) -> Diagnostic {
    Diagnostic::error(
        code,
        name.span,
        format!("there is no {what} `{}`", name.text),
    )
    .with_optional_help(did_you_mean(&name.text, names))
}

/// An operand of a text test: a text literal becomes its key (docs/request.md "Comparing
/// text"), once, here; the evaluator compares request text against it as it is (see
/// `eval::expr`). Any other operand is returned unchanged.
fn keyed(mut e: Expr) -> Expr {
    if let Node::Const(Value::Text(literal)) = &mut e.node {
        let key = text::key(literal).into_owned();
        *literal = key.into();
    }
    e
}

#[cfg(test)]
mod tests {
    use crate::load;
    use crate::policy::{CompiledPolicy, Expr, Node};
    use crate::source::SourceFile;
    use crate::text;
    use crate::value::Value;

    /// The default policy with `extra` added as one more file.
    fn compiled(extra: &str) -> CompiledPolicy {
        let mut sources = load::embedded_sources();
        sources.add(SourceFile::new("t.policy", extra.to_string()));
        let loaded = load::compile(sources);
        match loaded.policy {
            Some(policy) => policy.compiled,
            None => panic!("{:?}", loaded.diagnostics),
        }
    }

    /// Every text literal that is an operand of a text test.
    fn test_literals(e: &Expr, out: &mut Vec<String>) {
        e.visit(&mut |e| {
            let operands: Vec<&Expr> = match &e.node {
                Node::Equal(a, b, _) | Node::Contains(a, b, _) => vec![a, b],
                Node::OneOf(a, options, _) => std::iter::once(&**a).chain(options).collect(),
                _ => Vec::new(),
            };
            for operand in operands {
                if let Node::Const(Value::Text(t)) = &operand.node {
                    out.push(t.to_string());
                }
            }
        });
    }

    #[test]
    fn literals_of_text_tests_are_keyed_once_at_load() {
        let policy = compiled(concat!(
            "let shouted = \"Not  A Key\"\n",
            "fact label for cancel = if product.name is \"ＳＵＳＥ \" then \"Full  Credit\" else shouted\n",
            "rule t forbid cancel when product.publisher is one of \"Red\\u{A0}Hat\", \" SU\\u{200B}SE\"",
            " or product.name contains \"WINDOWS  Server\" or \"ＸＹ\" is product.edition\n",
            "  because \"t\"\n",
        ));
        let mut literals = Vec::new();
        for rule in &policy.rules {
            if let Some(c) = &rule.condition {
                test_literals(c, &mut literals);
            }
        }
        for fact in &policy.facts {
            test_literals(&fact.value, &mut literals);
        }
        for expected in ["red hat", "suse", "windows server", "xy"] {
            assert!(
                literals.iter().any(|l| l == expected),
                "{expected}: {literals:?}"
            );
        }
        for literal in &literals {
            assert_eq!(
                text::key(literal),
                literal.as_str(),
                "not a key: {literal:?}"
            );
        }
        // Text that is a value, not an operand of a test, stays as written.
        let mut values = Vec::new();
        for e in policy
            .facts
            .iter()
            .map(|f| &f.value)
            .chain(policy.lets.iter().map(|l| &l.value))
        {
            e.visit(&mut |e| {
                if let Node::Const(Value::Text(t)) = &e.node {
                    values.push(t.to_string());
                }
            });
        }
        assert!(values.iter().any(|v| v == "Full  Credit"), "{values:?}");
        assert!(values.iter().any(|v| v == "Not  A Key"), "{values:?}");
    }
}
