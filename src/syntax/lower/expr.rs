//! Lowering of expressions: `and`/`or`/`not`, tests, arithmetic, calls and `if`, with
//! the expression limits (`EXPR_DEPTH`) enforced on the tree.

use pest::iterators::Pair;

use super::super::ast::*;
use super::super::{Rule, SyntaxError};
use super::literal::time_unit;
use super::{Lower, Result};
use crate::limits::EXPR_DEPTH;

impl Lower {
    pub(super) fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let expr = self.expr_inner(pair)?;
        if depth(&expr) > EXPR_DEPTH {
            return Err(SyntaxError::TooDeep {
                limit: EXPR_DEPTH,
                span: expr.span,
            });
        }
        Ok(expr)
    }

    pub(super) fn expr_inner(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.clone().into_inner();
        let kind = match rule {
            Rule::expr => return self.expr_inner(self.next(&mut inner, &pair)?),
            Rule::or_expr | Rule::and_expr => {
                let parts: Vec<Expr> = inner
                    .filter(|p| !matches!(p.as_rule(), Rule::kw_and | Rule::kw_or))
                    .map(|p| self.expr_inner(p))
                    .collect::<Result<_>>()?;
                if parts.len() > EXPR_DEPTH {
                    return Err(SyntaxError::TooDeep {
                        limit: EXPR_DEPTH,
                        span,
                    });
                }
                match (parts.len(), rule) {
                    (1, _) => return parts.into_iter().next().ok_or_else(|| self.shape(&pair)),
                    (_, Rule::or_expr) => ExprKind::Or(parts),
                    _ => ExprKind::And(parts),
                }
            }
            Rule::not_expr => {
                let first = self.next(&mut inner, &pair)?;
                if first.as_rule() == Rule::kw_not {
                    ExprKind::Not(Box::new(self.expr_inner(self.next(&mut inner, &pair)?)?))
                } else {
                    return self.expr_inner(first);
                }
            }
            Rule::comparison => {
                let subject = self.expr_inner(self.next(&mut inner, &pair)?)?;
                match inner.next() {
                    None => return Ok(subject),
                    Some(test) => self.test(subject, test)?,
                }
            }
            Rule::sum | Rule::product => {
                // An operand's own span leaves out its parentheses (`(n - 2)` is `n - 2`);
                // the operation's span runs from its first operand's pair to its last's,
                // parentheses included.
                let first = self.next(&mut inner, &pair)?;
                let start = self.span(&first);
                let mut acc = self.expr_inner(first)?;
                let mut count = 0;
                while let Some(op) = inner.next() {
                    count += 1;
                    if count > EXPR_DEPTH {
                        return Err(SyntaxError::TooDeep {
                            limit: EXPR_DEPTH,
                            span,
                        });
                    }
                    let rhs_pair = self.next(&mut inner, &pair)?;
                    let span = start.to(self.span(&rhs_pair));
                    let rhs = self.expr_inner(rhs_pair)?;
                    let op = match op.as_str() {
                        "+" => ArithOp::Add,
                        "-" => ArithOp::Sub,
                        "*" => ArithOp::Mul,
                        _ => ArithOp::Div,
                    };
                    acc = Expr {
                        kind: ExprKind::Arith(op, Box::new(acc), Box::new(rhs)),
                        span,
                    };
                }
                return Ok(acc);
            }
            Rule::unary => {
                let first = self.next(&mut inner, &pair)?;
                if first.as_rule() == Rule::neg_op {
                    ExprKind::Negate(Box::new(self.expr_inner(self.next(&mut inner, &pair)?)?))
                } else {
                    return self.expr_inner(first);
                }
            }
            Rule::duration
            | Rule::number
            | Rule::money
            | Rule::instant
            | Rule::date
            | Rule::string => self.literal(&pair)?,
            Rule::whole_in => {
                let _whole = self.next(&mut inner, &pair)?;
                let unit = time_unit(self.next(&mut inner, &pair)?.as_str());
                let _in = self.next(&mut inner, &pair)?;
                ExprKind::Whole(
                    unit,
                    Box::new(self.expr_inner(self.next(&mut inner, &pair)?)?),
                )
            }
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::path => ExprKind::Path(self.path(&pair)),
            Rule::if_expr => {
                let parts: Vec<Expr> = inner
                    .filter(|p| !matches!(p.as_rule(), Rule::kw_if | Rule::kw_then | Rule::kw_else))
                    .map(|p| self.expr_inner(p))
                    .collect::<Result<_>>()?;
                let mut parts = parts.into_iter();
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(c), Some(a), Some(b)) => {
                        ExprKind::If(Box::new(c), Box::new(a), Box::new(b))
                    }
                    _ => return Err(self.shape(&pair)),
                }
            }
            Rule::call => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let args = inner.map(|p| self.expr_inner(p)).collect::<Result<_>>()?;
                ExprKind::Call(name, args)
            }
            _ => return Err(self.shape(&pair)),
        };
        Ok(Expr { kind, span })
    }

    fn test(&self, subject: Expr, test: Pair<'_, Rule>) -> Result<ExprKind> {
        let rule = test.as_rule();
        let parts: Vec<Pair<'_, Rule>> = test.clone().into_inner().collect();
        let negated = parts.iter().any(|p| p.as_rule() == Rule::negated);
        let mut operands = parts.into_iter().filter(|p| {
            !matches!(
                p.as_rule(),
                Rule::negated
                    | Rule::kw_is
                    | Rule::kw_one
                    | Rule::kw_of
                    | Rule::kw_in
                    | Rule::kw_within
                    | Rule::kw_before
                    | Rule::kw_after
                    | Rule::kw_contains
                    | Rule::kw_does
                    | Rule::kw_not
                    | Rule::kw_present
                    | Rule::kw_missing
                    | Rule::kw_any
                    | Rule::kw_all
            )
        });
        let subject = Box::new(subject);
        let mut operand = |this: &Self| -> Result<Expr> {
            let p = operands.next().ok_or_else(|| this.shape(&test))?;
            this.expr_inner(p)
        };
        Ok(match rule {
            Rule::test_present => ExprKind::Present(subject),
            Rule::test_missing => ExprKind::Missing(subject),
            Rule::test_one_of => {
                let mut options = Vec::new();
                while let Ok(e) = operand(self) {
                    options.push(e);
                }
                ExprKind::OneOf(subject, options, negated)
            }
            Rule::test_in | Rule::test_within => {
                let p = operands.next().ok_or_else(|| self.shape(&test))?;
                let name = self.name(&p);
                if rule == Rule::test_in {
                    ExprKind::In(subject, name, negated)
                } else {
                    ExprKind::Within(subject, name, negated)
                }
            }
            Rule::test_before => ExprKind::Before(subject, Box::new(operand(self)?), negated),
            Rule::test_after => ExprKind::After(subject, Box::new(operand(self)?), negated),
            Rule::test_is => ExprKind::Is(subject, Box::new(operand(self)?), negated),
            Rule::test_contains_of => {
                let all = test
                    .clone()
                    .into_inner()
                    .any(|p| p.as_rule() == Rule::kw_all);
                let mut options = Vec::new();
                while let Ok(e) = operand(self) {
                    options.push(e);
                }
                ExprKind::ContainsOf(subject, options, all)
            }
            Rule::test_contains => ExprKind::Contains(subject, Box::new(operand(self)?), false),
            Rule::test_not_contains => ExprKind::Contains(subject, Box::new(operand(self)?), true),
            Rule::test_compare => {
                let mut inner = test.clone().into_inner();
                let op = match self.next(&mut inner, &test)?.as_str() {
                    "<" => CompareOp::Less,
                    "<=" => CompareOp::LessOrEqual,
                    ">" => CompareOp::Greater,
                    ">=" => CompareOp::GreaterOrEqual,
                    "=" => CompareOp::Equal,
                    _ => CompareOp::NotEqual,
                };
                let rhs = self.expr_inner(self.next(&mut inner, &test)?)?;
                ExprKind::Compare(op, subject, Box::new(rhs))
            }
            _ => return Err(self.shape(&test)),
        })
    }
}

/// The depth of an expression tree, without recursion limits of its own: the grammar
/// has already bounded parenthesis nesting.
fn depth(expr: &Expr) -> usize {
    let children: Vec<&Expr> = match &expr.kind {
        ExprKind::Number(_)
        | ExprKind::Money(..)
        | ExprKind::Text(_)
        | ExprKind::Bool(_)
        | ExprKind::Duration(_)
        | ExprKind::Instant(_)
        | ExprKind::Date(_)
        | ExprKind::Path(_) => {
            vec![]
        }
        ExprKind::Whole(_, a) => vec![a],
        ExprKind::Call(_, args) | ExprKind::And(args) | ExprKind::Or(args) => args.iter().collect(),
        ExprKind::ContainsOf(a, list, _) => std::iter::once(&**a).chain(list).collect(),
        ExprKind::If(a, b, c) => vec![a, b, c],
        ExprKind::Negate(a) | ExprKind::Not(a) | ExprKind::Present(a) | ExprKind::Missing(a) => {
            vec![a]
        }
        ExprKind::In(a, _, _) | ExprKind::Within(a, _, _) => vec![a],
        ExprKind::OneOf(a, rest, _) => std::iter::once(a.as_ref()).chain(rest.iter()).collect(),
        ExprKind::Arith(_, a, b)
        | ExprKind::Is(a, b, _)
        | ExprKind::Before(a, b, _)
        | ExprKind::After(a, b, _)
        | ExprKind::Contains(a, b, _)
        | ExprKind::Compare(_, a, b) => vec![a, b],
    };
    1 + children.into_iter().map(depth).max().unwrap_or(0)
}
