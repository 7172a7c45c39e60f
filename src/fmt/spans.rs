//! A span-insensitive view of a syntax tree: the same tree with every [`Span`] reset to
//! `Span::default()`, so that two parses of differently laid out texts compare equal
//! exactly when they mean the same thing.

use crate::source::Span;
use crate::syntax::ast::*;

/// `file` with every span reset to `Span::default()`.
pub fn without_spans(file: &PolicyFile) -> PolicyFile {
    PolicyFile {
        declarations: file.declarations.iter().map(declaration).collect(),
    }
}

fn name(n: &Name) -> Name {
    Name {
        text: n.text.clone(),
        span: Span::default(),
    }
}

fn path(p: &Path) -> Path {
    Path {
        segments: p.segments.clone(),
        span: Span::default(),
    }
}

/// A string without its span; its spelling as written does not count, only its value.
fn text(t: &Text) -> Text {
    Text {
        value: t.value.clone(),
        raw: String::new(),
        span: Span::default(),
    }
}

/// A message without its span: its value and its spelling in canonical form count
/// (placeholders and literal braces are told apart only there).
fn message(t: &Text) -> Text {
    Text {
        value: t.value.clone(),
        raw: super::expr::canonical_message(&t.raw),
        span: Span::default(),
    }
}

fn duration(d: &DurationLit) -> DurationLit {
    DurationLit {
        amount: d.amount,
        unit: d.unit,
        span: Span::default(),
    }
}

fn fixed_duration(d: &Fixed<DurationLit>) -> Fixed<DurationLit> {
    match d {
        Fixed::Literal(d) => Fixed::Literal(duration(d)),
        Fixed::Named(n) => Fixed::Named(name(n)),
    }
}

fn named_list(list: &NamedList) -> NamedList {
    NamedList {
        items: list.items.iter().map(|(n, t)| (name(n), text(t))).collect(),
        span: Span::default(),
    }
}

fn actions(set: &ActionSet) -> ActionSet {
    match set {
        ActionSet::Every(_) => ActionSet::Every(Span::default()),
        ActionSet::Listed(names) => ActionSet::Listed(names.iter().map(name).collect()),
    }
}

fn field(f: &FieldDecl) -> FieldDecl {
    FieldDecl {
        path: path(&f.path),
        label: f.label.as_ref().map(text),
        ty: match &f.ty {
            FieldType::OneOf(words) => FieldType::OneOf(words.iter().map(name).collect()),
            FieldType::Money(currency) => FieldType::Money(currency.as_ref().map(path)),
            other => other.clone(),
        },
        ty_span: Span::default(),
        note: f.note.as_ref().map(text),
    }
}

fn declaration(d: &Declaration) -> Declaration {
    match d {
        Declaration::Actions(list) => Declaration::Actions(named_list(list)),
        Declaration::Roles { side, roles } => Declaration::Roles {
            side: name(side),
            roles: named_list(roles),
        },
        Declaration::Input(fields) => Declaration::Input(fields.iter().map(field).collect()),
        Declaration::Markets(m) => Declaration::Markets(MarketsDecl {
            name: name(&m.name),
            title: text(&m.title),
            in_force: m.in_force.as_ref().map(in_force),
            languages: m.languages.iter().map(name).collect(),
            entries: m
                .entries
                .iter()
                .map(|e| MarketEntry {
                    code: name(&e.code),
                    names: e
                        .names
                        .iter()
                        .map(|n| MarketName {
                            text: text(&n.text),
                            own_spelling: n.own_spelling,
                        })
                        .collect(),
                })
                .collect(),
        }),
        Declaration::Window(w) => Declaration::Window(WindowDecl {
            name: name(&w.name),
            length: fixed_duration(&w.length),
            start: path(&w.start),
            dated: w.dated.as_ref().map(dated),
        }),
        Declaration::Link(l) => Declaration::Link(LinkDecl {
            name: name(&l.name),
            lifetime: fixed_duration(&l.lifetime),
            issued: path(&l.issued),
            limit: match &l.limit {
                Fixed::Literal(n) => Fixed::Literal(*n),
                Fixed::Named(n) => Fixed::Named(name(n)),
            },
            limit_span: Span::default(),
            used: path(&l.used),
            dated: l.dated.as_ref().map(dated),
        }),
        Declaration::Require(r) => Declaration::Require(RequireDecl {
            actions: actions(&r.actions),
            in_force: r.in_force.as_ref().map(in_force),
            items: r
                .items
                .iter()
                .map(|item| Requirement {
                    any_of: item.any_of.iter().map(path).collect(),
                    when: item.when.as_ref().map(expr),
                    span: Span::default(),
                })
                .collect(),
        }),
        Declaration::Constant(c) => Declaration::Constant(ConstantDecl {
            name: name(&c.name),
            value: expr(&c.value),
        }),
        Declaration::Let(l) => Declaration::Let(LetDecl {
            name: name(&l.name),
            value: expr(&l.value),
        }),
        Declaration::Fact(f) => Declaration::Fact(FactDecl {
            name: name(&f.name),
            actions: actions(&f.actions),
            in_force: f.in_force.as_ref().map(in_force),
            value: expr(&f.value),
        }),
        Declaration::Rule(r) => Declaration::Rule(RuleDecl {
            id: name(&r.id),
            in_force: r.in_force.as_ref().map(in_force),
            effect: r.effect,
            effect_span: Span::default(),
            actions: actions(&r.actions),
            audience: r.audience.as_ref().map(|groups| {
                groups
                    .iter()
                    .map(|g| RoleGroup {
                        side: name(&g.side),
                        roles: g.roles.iter().map(name).collect(),
                        all: g.all,
                    })
                    .collect()
            }),
            condition: r.condition.as_ref().map(|c| match c {
                Condition::When(e) => Condition::When(expr(e)),
                Condition::Unless(e) => Condition::Unless(expr(e)),
            }),
            message: message(&r.message),
            span: Span::default(),
        }),
        Declaration::Otherwise(o) => Declaration::Otherwise(OtherwiseDecl {
            actions: o.actions.as_ref().map(actions),
            message: message(&o.message),
        }),
    }
}

fn in_force(c: &InForce) -> InForce {
    InForce {
        from: c.from.as_ref().map(name),
        until: c.until.as_ref().map(name),
        again: c.again,
        span: Span::default(),
    }
}

fn dated(d: &Dated) -> Dated {
    Dated {
        in_force: in_force(&d.in_force),
        selected_at: d.selected_at.as_ref().map(path),
    }
}

fn boxed(e: &Expr) -> Box<Expr> {
    Box::new(expr(e))
}

fn expr(e: &Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::Number(n) => ExprKind::Number(n.clone()),
        ExprKind::Money(n, code) => ExprKind::Money(n.clone(), name(code)),
        ExprKind::Text(t) => ExprKind::Text(t.clone()),
        ExprKind::Bool(b) => ExprKind::Bool(*b),
        ExprKind::Duration(d) => ExprKind::Duration(duration(d)),
        ExprKind::Instant(t) => ExprKind::Instant(t.clone()),
        ExprKind::Date(t) => ExprKind::Date(t.clone()),
        ExprKind::Whole(unit, x) => ExprKind::Whole(*unit, boxed(x)),
        ExprKind::Path(p) => ExprKind::Path(path(p)),
        ExprKind::Call(n, args) => ExprKind::Call(name(n), args.iter().map(expr).collect()),
        ExprKind::If(c, a, b) => ExprKind::If(boxed(c), boxed(a), boxed(b)),
        ExprKind::Negate(x) => ExprKind::Negate(boxed(x)),
        ExprKind::Arith(op, a, b) => ExprKind::Arith(*op, boxed(a), boxed(b)),
        ExprKind::Not(x) => ExprKind::Not(boxed(x)),
        ExprKind::And(parts) => ExprKind::And(parts.iter().map(expr).collect()),
        ExprKind::Or(parts) => ExprKind::Or(parts.iter().map(expr).collect()),
        ExprKind::Present(x) => ExprKind::Present(boxed(x)),
        ExprKind::Missing(x) => ExprKind::Missing(boxed(x)),
        ExprKind::Is(a, b, n) => ExprKind::Is(boxed(a), boxed(b), *n),
        ExprKind::OneOf(x, options, n) => {
            ExprKind::OneOf(boxed(x), options.iter().map(expr).collect(), *n)
        }
        ExprKind::In(x, list, n) => ExprKind::In(boxed(x), name(list), *n),
        ExprKind::Within(x, window, n) => ExprKind::Within(boxed(x), name(window), *n),
        ExprKind::Before(a, b, n) => ExprKind::Before(boxed(a), boxed(b), *n),
        ExprKind::After(a, b, n) => ExprKind::After(boxed(a), boxed(b), *n),
        ExprKind::Contains(a, b, n) => ExprKind::Contains(boxed(a), boxed(b), *n),
        ExprKind::ContainsOf(a, list, all) => {
            ExprKind::ContainsOf(boxed(a), list.iter().map(expr).collect(), *all)
        }
        ExprKind::Compare(op, a, b) => ExprKind::Compare(*op, boxed(a), boxed(b)),
    };
    Expr {
        kind,
        span: Span::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    #[test]
    fn layout_does_not_matter_but_meaning_does() {
        let a = parse(0, "let x = a + 1\nrule r permit p because \"m\"").unwrap();
        let b = parse(
            3,
            "\n\n  let   x =\n (a) + 1 # c\nrule r\n permit p\n because \"m\"",
        )
        .unwrap();
        let c = parse(0, "let x = a + 2\nrule r permit p because \"m\"").unwrap();
        assert_ne!(a, b);
        assert_eq!(without_spans(&a), without_spans(&b));
        assert_ne!(without_spans(&a), without_spans(&c));
    }
}
