//! Lowering of declarations: actions, roles, the input schema, markets, windows, links,
//! requirements, constants, `let`s, facts, rules and `otherwise`.

use pest::iterators::{Pair, Pairs};

use super::super::ast::*;
use super::super::Rule;
use super::{Lower, Result};
use crate::source::Span;

impl Lower {
    pub(super) fn declaration(&self, pair: Pair<'_, Rule>) -> Result<Declaration> {
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
                let mut in_force = None;
                for item in inner {
                    if item.as_rule() == Rule::in_force {
                        in_force = Some(self.in_force(&item)?);
                        continue;
                    }
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
                    in_force,
                    languages,
                    entries,
                })
            }
            Rule::window_decl => {
                let name = self.name(&self.next(&mut inner, &pair)?);
                let length = self.fixed_duration(&self.next(&mut inner, &pair)?)?;
                let start = self.path(&self.next(&mut inner, &pair)?);
                let dated = inner.next().map(|p| self.dated(&p)).transpose()?;
                Declaration::Window(WindowDecl {
                    name,
                    length,
                    start,
                    dated,
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
                let dated = inner.next().map(|p| self.dated(&p)).transpose()?;
                Declaration::Link(LinkDecl {
                    name,
                    lifetime,
                    issued,
                    limit,
                    limit_span: self.span(&limit_pair),
                    used,
                    dated,
                })
            }
            Rule::require_decl => {
                let actions = self.action_set(self.next(&mut inner, &pair)?)?;
                let mut inner = inner.peekable();
                let in_force = match inner.peek() {
                    Some(p) if p.as_rule() == Rule::in_force => {
                        let p = p.clone();
                        inner.next();
                        Some(self.in_force(&p)?)
                    }
                    _ => None,
                };
                let items = inner
                    .map(|p| self.requirement(p))
                    .collect::<Result<Vec<_>>>()?;
                Declaration::Require(RequireDecl {
                    actions,
                    in_force,
                    items,
                })
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
                let mut next = self.next(&mut inner, &pair)?;
                let mut in_force = None;
                if next.as_rule() == Rule::in_force {
                    in_force = Some(self.in_force(&next)?);
                    next = self.next(&mut inner, &pair)?;
                }
                let value = self.expr(next)?;
                Declaration::Fact(FactDecl {
                    name,
                    actions,
                    in_force,
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
            Rule::type_money => FieldType::Money(
                next.into_inner()
                    .find(|p| p.as_rule() == Rule::path)
                    .map(|p| self.path(&p)),
            ),
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
        let mut effect_pair = self.next(&mut inner, &pair)?;
        let mut in_force = None;
        if effect_pair.as_rule() == Rule::in_force {
            in_force = Some(self.in_force(&effect_pair)?);
            effect_pair = self.next(&mut inner, &pair)?;
        }
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
            in_force,
            effect,
            effect_span: self.span(&effect_pair),
            actions,
            audience,
            condition,
            message,
            span,
        })
    }

    /// `in force [again] from DATE [until DATE]` or `in force until DATE`.
    fn in_force(&self, pair: &Pair<'_, Rule>) -> Result<InForce> {
        let mut clause = InForce {
            from: None,
            until: None,
            again: false,
            span: self.span(pair),
        };
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::kw_in | Rule::kw_force => {}
                Rule::kw_again => clause.again = true,
                Rule::in_force_from | Rule::in_force_until => {
                    let literal = part
                        .clone()
                        .into_inner()
                        .find(|p| matches!(p.as_rule(), Rule::date | Rule::instant))
                        .ok_or_else(|| self.shape(&part))?;
                    let mut name = self.name(&literal);
                    if literal.as_rule() == Rule::instant {
                        name.text.make_ascii_uppercase();
                    }
                    if part.as_rule() == Rule::in_force_from {
                        clause.from = Some(name);
                    } else {
                        clause.until = Some(name);
                    }
                }
                _ => return Err(self.shape(&part)),
            }
        }
        Ok(clause)
    }

    /// `, in force ... [, as in force at FIELD]` after a window or a link.
    fn dated(&self, pair: &Pair<'_, Rule>) -> Result<Dated> {
        let mut in_force = None;
        let mut selected_at = None;
        for part in pair.clone().into_inner() {
            match part.as_rule() {
                Rule::in_force => in_force = Some(self.in_force(&part)?),
                Rule::as_in_force => {
                    let path = part
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::path)
                        .ok_or_else(|| self.shape(&part))?;
                    selected_at = Some(self.path(&path));
                }
                _ => return Err(self.shape(&part)),
            }
        }
        let in_force = in_force.ok_or_else(|| self.shape(pair))?;
        Ok(Dated {
            in_force,
            selected_at,
        })
    }

    /// A market's display name, and whether it is marked `(own spelling)`.
    fn market_name(&self, pair: Pair<'_, Rule>) -> Result<MarketName> {
        let mut parts = pair.clone().into_inner();
        let text = self.text(&self.next(&mut parts, &pair)?)?;
        let own_spelling = parts.any(|p| p.as_rule() == Rule::own_spelling);
        Ok(MarketName { text, own_spelling })
    }
}
