//! Lowering of pest pairs into the syntax tree. The grammar guarantees the shape of
//! each pair; where a pair is not what the grammar promises we return an error rather
//! than panic, so a grammar change can never crash the parser.

use crate::limits::EXPR_DEPTH;
use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::{Rule, SyntaxError};
use crate::source::Span;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Lowers the pairs of a whole file.
pub(super) fn file(file: u32, mut pairs: Pairs<'_, Rule>) -> Result<PolicyFile> {
    let lower = Lower { file };
    let Some(root) = pairs.next() else {
        return Ok(PolicyFile::default());
    };
    let mut declarations = Vec::new();
    for pair in root.into_inner() {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        declarations.push(lower.declaration(pair)?);
    }
    Ok(PolicyFile { declarations })
}

struct Lower {
    file: u32,
}

impl Lower {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn shape(&self, pair: &Pair<'_, Rule>) -> SyntaxError {
        SyntaxError::Grammar {
            message: format!("unexpected {:?} here", pair.as_rule()),
            span: self.span(pair),
            help: None,
        }
    }

    fn next<'i>(
        &self,
        inner: &mut Pairs<'i, Rule>,
        parent: &Pair<'i, Rule>,
    ) -> Result<Pair<'i, Rule>> {
        inner.next().ok_or_else(|| self.shape(parent))
    }

    fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    fn path(&self, pair: &Pair<'_, Rule>) -> Path {
        Path {
            segments: pair.as_str().split('.').map(str::to_string).collect(),
            span: self.span(pair),
        }
    }

    fn declaration(&self, pair: Pair<'_, Rule>) -> Result<Declaration> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.clone().into_inner();
        Ok(match rule {
            Rule::actions_decl => Declaration::Actions(self.named_list(inner, span)?),
            Rule::roles_decl => {
                let side = self.name(&self.next(&mut inner, &pair)?);
                Declaration::Roles {
                    side,
                    roles: self.named_list(inner, span)?,
                }
            }
            Rule::input_decl => Declaration::Input(
                inner
                    .map(|p| self.field_decl(p))
                    .collect::<Result<Vec<_>>>()?,
            ),
            Rule::markets_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let title = self.text(&self.next(&mut inner, &pair)?)?;
                let mut entries = Vec::new();
                let mut languages = Vec::new();
                for item in inner {
                    if item.as_rule() == Rule::name_languages {
                        languages = item.into_inner().map(|p| self.name(&p)).collect();
                        continue;
                    }
                    let mut parts = item.clone().into_inner();
                    let code = self.name(&self.next(&mut parts, &item)?);
                    let names = parts
                        .map(|p| self.market_name(p))
                        .collect::<Result<Vec<_>>>()?;
                    entries.push(MarketEntry { code, names });
                }
                Declaration::Markets(MarketsDecl {
                    name,
                    title,
                    languages,
                    entries,
                })
            }
            Rule::window_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let length = self.fixed_duration(&self.next(&mut inner, &pair)?)?;
                let start = self.path(&self.next(&mut inner, &pair)?);
                Declaration::Window(WindowDecl {
                    name,
                    length,
                    start,
                })
            }
            Rule::link_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let lifetime = self.fixed_duration(&self.next(&mut inner, &pair)?)?;
                let issued = self.path(&self.next(&mut inner, &pair)?);
                let limit_pair = self.next(&mut inner, &pair)?;
                let limit = if limit_pair.as_rule() == Rule::ident {
                    Fixed::Named(self.name(&limit_pair))
                } else {
                    Fixed::Literal(self.integer(&limit_pair)?)
                };
                let used = self.path(&self.next(&mut inner, &pair)?);
                Declaration::Link(LinkDecl {
                    name,
                    lifetime,
                    issued,
                    limit,
                    limit_span: self.span(&limit_pair),
                    used,
                })
            }
            Rule::require_decl => {
                let actions = self.action_set(self.next(&mut inner, &pair)?)?;
                let items = inner
                    .map(|p| self.requirement(p))
                    .collect::<Result<Vec<_>>>()?;
                Declaration::Require(RequireDecl { actions, items })
            }
            Rule::constant_decl => {
                let _keyword = self.next(&mut inner, &pair)?;
                let name = self.name(&self.next(&mut inner, &pair)?);
                let value = self.expr(self.next(&mut inner, &pair)?)?;
                Declaration::Constant(ConstantDecl { name, value })
            }
            Rule::let_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let value = self.expr(self.next(&mut inner, &pair)?)?;
                Declaration::Let(LetDecl { name, value })
            }
            Rule::fact_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let actions = self.action_set(self.next(&mut inner, &pair)?)?;
                let value = self.expr(self.next(&mut inner, &pair)?)?;
                Declaration::Fact(FactDecl {
                    name,
                    actions,
                    value,
                })
            }
            Rule::rule_decl => Declaration::Rule(self.rule(pair, span)?),
            Rule::otherwise_decl => {
                let mut actions = None;
                let mut message = None;
                for part in inner {
                    match part.as_rule() {
                        Rule::kw_deny | Rule::kw_because => {}
                        Rule::action_set => actions = Some(self.action_set(part)?),
                        Rule::string => message = Some(self.text(&part)?),
                        _ => return Err(self.shape(&part)),
                    }
                }
                let message = message.ok_or_else(|| self.shape(&pair))?;
                Declaration::Otherwise(OtherwiseDecl { actions, message })
            }
            _ => return Err(self.shape(&pair)),
        })
    }

    fn named_list(&self, inner: Pairs<'_, Rule>, span: Span) -> Result<NamedList> {
        let mut items = Vec::new();
        for item in inner {
            let mut parts = item.clone().into_inner();
            let name = self.name(&self.next(&mut parts, &item)?);
            let label = self.text(&self.next(&mut parts, &item)?)?;
            items.push((name, label));
        }
        Ok(NamedList { items, span })
    }

    fn field_decl(&self, pair: Pair<'_, Rule>) -> Result<FieldDecl> {
        let mut inner = pair.clone().into_inner();
        let path = self.path(&self.next(&mut inner, &pair)?);
        let mut next = self.next(&mut inner, &pair)?;
        let label = if next.as_rule() == Rule::string {
            let label = self.text(&next)?;
            next = self.next(&mut inner, &pair)?;
            Some(label)
        } else {
            None
        };
        let ty_span = self.span(&next);
        let ty = match next.as_rule() {
            Rule::type_action => FieldType::Action,
            Rule::type_request_time => FieldType::RequestTime,
            Rule::type_side => FieldType::Side,
            Rule::type_roles => FieldType::Roles,
            Rule::type_one_of => FieldType::OneOf(
                next.into_inner()
                    .filter(|p| p.as_rule() == Rule::ident)
                    .map(|p| self.name(&p))
                    .collect(),
            ),
            Rule::type_text => FieldType::Text,
            Rule::type_time => FieldType::Time,
            Rule::type_money => FieldType::Money,
            Rule::type_number => FieldType::Number,
            Rule::type_count => FieldType::Count,
            Rule::type_flag => FieldType::Flag,
            Rule::type_guid => FieldType::Guid,
            Rule::type_market => FieldType::Market,
            _ => return Err(self.shape(&next)),
        };
        let note = inner.next().map(|p| self.text(&p)).transpose()?;
        Ok(FieldDecl {
            path,
            label,
            ty,
            ty_span,
            note,
        })
    }

    fn requirement(&self, pair: Pair<'_, Rule>) -> Result<Requirement> {
        let span = self.span(&pair);
        let mut inner = pair.clone().into_inner();
        let first = self.next(&mut inner, &pair)?;
        let any_of = match first.as_rule() {
            Rule::require_any => first
                .into_inner()
                .filter(|p| p.as_rule() == Rule::path)
                .map(|p| self.path(&p))
                .collect(),
            _ => vec![self.path(&first)],
        };
        let when = inner.next().map(|p| self.expr(p)).transpose()?;
        Ok(Requirement { any_of, when, span })
    }

    fn action_set(&self, pair: Pair<'_, Rule>) -> Result<ActionSet> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().peekable();
        if inner.peek().map(|p| p.as_rule()) == Some(Rule::every_action) {
            return Ok(ActionSet::Every(span));
        }
        Ok(ActionSet::Listed(inner.map(|p| self.name(&p)).collect()))
    }

    fn rule(&self, pair: Pair<'_, Rule>, span: Span) -> Result<RuleDecl> {
        let mut inner = pair.clone().into_inner();
        let id = self.name(&self.next(&mut inner, &pair)?);
        let effect_pair = self.next(&mut inner, &pair)?;
        let effect = match effect_pair.as_str() {
            "permit" => Effect::Permit,
            "forbid" => Effect::Forbid,
            _ => Effect::Reject,
        };
        let actions = self.action_set(self.next(&mut inner, &pair)?)?;
        let mut audience = None;
        let mut condition = None;
        let mut message = None;
        for part in inner {
            match part.as_rule() {
                Rule::audience => {
                    let mut groups = Vec::new();
                    for group in part.into_inner() {
                        let mut names = group.clone().into_inner();
                        let side = self.name(&self.next(&mut names, &group)?);
                        let mut roles = Vec::new();
                        let mut all = false;
                        for p in names {
                            match p.as_rule() {
                                Rule::ident => roles.push(self.name(&p)),
                                Rule::role_all | Rule::role_any => {
                                    all = p.as_rule() == Rule::role_all;
                                    roles.extend(
                                        p.into_inner()
                                            .filter(|p| p.as_rule() == Rule::ident)
                                            .map(|p| self.name(&p)),
                                    );
                                }
                                _ => return Err(self.shape(&p)),
                            }
                        }
                        groups.push(RoleGroup { side, roles, all });
                    }
                    audience = Some(groups);
                }
                Rule::condition => {
                    let clause = part
                        .clone()
                        .into_inner()
                        .next()
                        .ok_or_else(|| self.shape(&part))?;
                    let is_when = clause.as_rule() == Rule::when_clause;
                    let expr_pair = clause
                        .clone()
                        .into_inner()
                        .next()
                        .ok_or_else(|| self.shape(&clause))?;
                    let expr = self.expr(expr_pair)?;
                    condition = Some(if is_when {
                        Condition::When(expr)
                    } else {
                        Condition::Unless(expr)
                    });
                }
                Rule::string => message = Some(self.text(&part)?),
                _ => return Err(self.shape(&part)),
            }
        }
        let message = message.ok_or_else(|| self.shape(&pair))?;
        Ok(RuleDecl {
            id,
            effect,
            effect_span: self.span(&effect_pair),
            actions,
            audience,
            condition,
            message,
            span,
        })
    }

    fn duration(&self, pair: &Pair<'_, Rule>) -> Result<DurationLit> {
        let span = self.span(pair);
        let mut inner = pair.clone().into_inner();
        let amount = self.integer(&self.next(&mut inner, pair)?)?;
        let unit = time_unit(self.next(&mut inner, pair)?.as_str());
        // Keep every duration representable in seconds with room for arithmetic.
        if amount.saturating_mul(unit.seconds()) > 1_000 * 365 * 86_400 {
            return Err(SyntaxError::BadLiteral {
                message: "this duration is longer than a thousand years".into(),
                span,
            });
        }
        Ok(DurationLit { amount, unit, span })
    }

    /// A duration written as a literal or as a constant's name.
    fn fixed_duration(&self, pair: &Pair<'_, Rule>) -> Result<Fixed<DurationLit>> {
        if pair.as_rule() == Rule::ident {
            return Ok(Fixed::Named(self.name(pair)));
        }
        Ok(Fixed::Literal(self.duration(pair)?))
    }

    fn integer(&self, pair: &Pair<'_, Rule>) -> Result<u64> {
        pair.as_str().parse().map_err(|_| SyntaxError::BadLiteral {
            message: format!("`{}` is too large a number", pair.as_str()),
            span: self.span(pair),
        })
    }

    /// A market's display name, and whether it is marked `(own spelling)`.
    fn market_name(&self, pair: Pair<'_, Rule>) -> Result<MarketName> {
        let mut parts = pair.clone().into_inner();
        let text = self.text(&self.next(&mut parts, &pair)?)?;
        let own_spelling = parts.any(|p| p.as_rule() == Rule::own_spelling);
        Ok(MarketName { text, own_spelling })
    }

    /// A string literal with its escapes resolved.
    fn text(&self, pair: &Pair<'_, Rule>) -> Result<Text> {
        let span = self.span(pair);
        let raw = pair.as_str();
        let body = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        let value = unescape(body).map_err(|message| SyntaxError::BadLiteral { message, span })?;
        Ok(Text {
            value,
            raw: body.to_string(),
            span,
        })
    }

    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
        let expr = self.expr_inner(pair)?;
        if depth(&expr) > EXPR_DEPTH {
            return Err(SyntaxError::TooDeep {
                limit: EXPR_DEPTH,
                span: expr.span,
            });
        }
        Ok(expr)
    }

    fn expr_inner(&self, pair: Pair<'_, Rule>) -> Result<Expr> {
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
                let mut acc = self.expr_inner(self.next(&mut inner, &pair)?)?;
                let mut count = 0;
                while let Some(op) = inner.next() {
                    count += 1;
                    if count > EXPR_DEPTH {
                        return Err(SyntaxError::TooDeep {
                            limit: EXPR_DEPTH,
                            span,
                        });
                    }
                    let rhs = self.expr_inner(self.next(&mut inner, &pair)?)?;
                    let op = match op.as_str() {
                        "+" => ArithOp::Add,
                        "-" => ArithOp::Sub,
                        "*" => ArithOp::Mul,
                        _ => ArithOp::Div,
                    };
                    let span = acc.span.to(rhs.span);
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
            Rule::duration => ExprKind::Duration(self.duration(&pair)?),
            Rule::number => ExprKind::Number(pair.as_str().to_string()),
            Rule::instant => ExprKind::Instant(pair.as_str().to_ascii_uppercase()),
            Rule::date => ExprKind::Date(pair.as_str().to_string()),
            Rule::whole_in => {
                let _whole = self.next(&mut inner, &pair)?;
                let unit = time_unit(self.next(&mut inner, &pair)?.as_str());
                let _in = self.next(&mut inner, &pair)?;
                ExprKind::Whole(
                    unit,
                    Box::new(self.expr_inner(self.next(&mut inner, &pair)?)?),
                )
            }
            Rule::string => ExprKind::Text(self.text(&pair)?.value),
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

/// Resolves `\"`, `\\`, `\n`, `\t`, `\{`, `\}` and `\u{...}`. (Message templates read
/// the text as written, [`Text::raw`], to tell a literal brace from a placeholder.)
pub(crate) fn unescape(body: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('{') => out.push('{'),
            Some('}') => out.push('}'),
            Some('u') => {
                let hex: String = chars
                    .by_ref()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                let code = u32::from_str_radix(&hex, 16)
                    .map_err(|_| format!("`\\u{{{hex}}}` is not a hexadecimal code"))?;
                let ch = char::from_u32(code)
                    .ok_or_else(|| format!("`\\u{{{hex}}}` is not a Unicode character"))?;
                out.push(ch);
            }
            other => {
                return Err(format!(
                    "unknown escape `\\{}`; use \\\" \\\\ \\n \\t \\{{ \\}} or \\u{{...}}",
                    other.map(String::from).unwrap_or_default()
                ))
            }
        }
    }
    Ok(out)
}

/// The unit a `time_unit` pair names (singular or plural).
fn time_unit(text: &str) -> TimeUnit {
    match text.trim_end_matches('s') {
        "second" => TimeUnit::Second,
        "minute" => TimeUnit::Minute,
        "hour" => TimeUnit::Hour,
        "day" => TimeUnit::Day,
        _ => TimeUnit::Week,
    }
}

/// The depth of an expression tree, without recursion limits of its own: the grammar
/// has already bounded parenthesis nesting.
fn depth(expr: &Expr) -> usize {
    let children: Vec<&Expr> = match &expr.kind {
        ExprKind::Number(_)
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

#[cfg(test)]
mod tests;
