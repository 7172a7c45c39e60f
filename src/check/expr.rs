//! Resolving and type-checking expressions: syntax-tree expressions become compiled
//! [`Expr`]s with every name bound (field slot, `let`, fact, window or link member,
//! market list) and every operator checked against its operand types.

use std::str::FromStr;

use rust_decimal::Decimal;

use super::code::DiagnosticCode as Code;
use super::diag::Diagnostic;
use super::suggest::did_you_mean;
use super::Checker;
use crate::market::MarketCode;
use crate::policy::expr::{Arith, Func, Order};
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, ArithOp, CompareOp, ExprKind};
use crate::text;
use crate::value::Value;

/// Where an expression is written, which decides what it may read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ctx {
    /// May read `allowed` (fact values only).
    pub allowed: bool,
    /// May read facts defined for all of these actions (bit mask), if any.
    pub facts_for: Option<u64>,
}

type Typed = Result<(Expr, Ty), Diagnostic>;

impl Checker<'_> {
    /// Compiles an expression that must be a condition.
    pub(super) fn condition(&mut self, expr: &ast::Expr, ctx: Ctx) -> Result<Expr, Diagnostic> {
        let (e, ty) = self.expr(expr, ctx)?;
        if ty != Ty::Bool {
            return Err(type_error(expr.span, "a condition", ty)
                .with_help("write a test such as `x is y`, `x is after y` or `x is present`"));
        }
        Ok(e)
    }

    /// Compiles an expression and returns its type.
    pub(super) fn expr(&mut self, expr: &ast::Expr, ctx: Ctx) -> Typed {
        let span = expr.span;
        let node = |n: Node| Expr::new(n, span);
        Ok(match &expr.kind {
            ExprKind::Number(text) => {
                let n = Decimal::from_str(text).map_err(|_| {
                    Diagnostic::error(
                        Code::BadNumber,
                        span,
                        format!("`{text}` is not a number this engine can hold"),
                    )
                })?;
                (node(Node::Const(Value::Number(n))), Ty::Number)
            }
            ExprKind::Text(text) => (
                node(Node::Const(Value::Text(text.clone().into()))),
                Ty::Text,
            ),
            ExprKind::Bool(b) => (node(Node::Const(Value::Bool(*b))), Ty::Bool),
            ExprKind::Duration(d) => (
                node(Node::Const(Value::Duration(super::delta(d)))),
                Ty::Duration,
            ),
            ExprKind::Path(path) => self.path(path, ctx)?,
            ExprKind::Call(name, args) => self.call(name, args, span, ctx)?,
            ExprKind::If(c, a, b) => {
                let c = self.condition(c, ctx)?;
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                if ta != tb {
                    return Err(Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!(
                            "the two branches differ: `then` gives {}, `else` gives {}",
                            ta.describe(),
                            tb.describe()
                        ),
                    ));
                }
                (node(Node::If(Box::new(c), Box::new(a), Box::new(b))), ta)
            }
            ExprKind::Negate(a) => {
                let (a, ty) = self.expr(a, ctx)?;
                if !matches!(ty, Ty::Number | Ty::Money | Ty::Duration) {
                    return Err(type_error(span, "a number, money or a duration", ty));
                }
                (node(Node::Negate(Box::new(a))), ty)
            }
            ExprKind::Arith(op, a, b) => self.arith(*op, a, b, span, ctx)?,
            ExprKind::Not(a) => (node(Node::Not(Box::new(self.condition(a, ctx)?))), Ty::Bool),
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                // Every part is checked, so that all of their mistakes show at once.
                let mut compiled = Vec::with_capacity(parts.len());
                let mut first_error = None;
                for part in parts {
                    match self.condition(part, ctx) {
                        Ok(c) => compiled.push(c),
                        Err(d) if first_error.is_none() => first_error = Some(d),
                        Err(d) => self.report(d),
                    }
                }
                if let Some(d) = first_error {
                    return Err(d);
                }
                let n = if matches!(expr.kind, ExprKind::And(_)) {
                    Node::And(compiled)
                } else {
                    Node::Or(compiled)
                };
                (node(n), Ty::Bool)
            }
            ExprKind::Present(a) => (
                node(Node::Present(Box::new(self.expr(a, ctx)?.0))),
                Ty::Bool,
            ),
            ExprKind::Missing(a) => (
                node(Node::Missing(Box::new(self.expr(a, ctx)?.0))),
                Ty::Bool,
            ),
            ExprKind::Is(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let b = self.operand_like(b, ta, ctx)?;
                (
                    node(Node::Equal(
                        Box::new(keyed(a)),
                        Box::new(keyed(b)),
                        *negated,
                    )),
                    Ty::Bool,
                )
            }
            ExprKind::OneOf(a, options, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let options = options
                    .iter()
                    .map(|o| self.operand_like(o, ta, ctx).map(keyed))
                    .collect::<Result<Vec<_>, _>>()?;
                (
                    node(Node::OneOf(Box::new(keyed(a)), options, *negated)),
                    Ty::Bool,
                )
            }
            ExprKind::In(a, list, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                if ta != Ty::Market {
                    return Err(type_error(a.span, "a market", ta)
                        .with_help("`is in` tests a market against a market list"));
                }
                let Some(index) = self.list_index.get(&list.text).copied() else {
                    let names: Vec<&str> = self.lists.iter().map(|l| l.name.as_str()).collect();
                    return Err(Diagnostic::error(
                        Code::UnknownMarketList,
                        list.span,
                        format!("there is no market list `{}`", list.text),
                    )
                    .with_optional_help(did_you_mean(&list.text, names)));
                };
                self.used.insert(list.text.clone());
                (node(Node::InList(Box::new(a), index, *negated)), Ty::Bool)
            }
            ExprKind::Within(a, window, negated) => {
                self.broken_declaration(&window.text, window.span)?;
                let (a, ta) = self.expr(a, ctx)?;
                if ta != Ty::Time {
                    return Err(type_error(a.span, "a time", ta));
                }
                let Some(info) = self.windows.get(&window.text).cloned() else {
                    let names: Vec<&str> = self.windows.keys().map(String::as_str).collect();
                    return Err(Diagnostic::error(
                        Code::UnknownWindow,
                        window.span,
                        format!("there is no window `{}`", window.text),
                    )
                    .with_optional_help(did_you_mean(&window.text, names)));
                };
                self.used.insert(window.text.clone());
                let start = Expr::new(Node::Field(info.start), window.span);
                let end = window_end(&info, window.span);
                (
                    node(Node::Range(
                        Box::new(a),
                        Box::new(start),
                        Box::new(end),
                        *negated,
                    )),
                    Ty::Bool,
                )
            }
            ExprKind::Before(a, b, negated) | ExprKind::After(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                if ta != Ty::Time || tb != Ty::Time {
                    let bad = if ta != Ty::Time {
                        (a.span, ta)
                    } else {
                        (b.span, tb)
                    };
                    return Err(type_error(bad.0, "a time", bad.1)
                        .with_help("`is before` and `is after` compare two times"));
                }
                let before = matches!(expr.kind, ExprKind::Before(..));
                let order = match (before, *negated) {
                    (true, false) => Order::Less,
                    (true, true) => Order::GreaterOrEqual,
                    (false, false) => Order::Greater,
                    (false, true) => Order::LessOrEqual,
                };
                (
                    node(Node::Compare(order, Box::new(a), Box::new(b))),
                    Ty::Bool,
                )
            }
            ExprKind::Contains(a, b, negated) => {
                let (a, ta) = self.expr(a, ctx)?;
                let (b, tb) = self.expr(b, ctx)?;
                if ta != Ty::Text || tb != Ty::Text {
                    let bad = if ta != Ty::Text {
                        (a.span, ta)
                    } else {
                        (b.span, tb)
                    };
                    return Err(type_error(bad.0, "text", bad.1));
                }
                (
                    node(Node::Contains(
                        Box::new(keyed(a)),
                        Box::new(keyed(b)),
                        *negated,
                    )),
                    Ty::Bool,
                )
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
                (
                    node(Node::Compare(order, Box::new(a), Box::new(b))),
                    Ty::Bool,
                )
            }
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

    fn arith(&mut self, op: ArithOp, a: &ast::Expr, b: &ast::Expr, span: Span, ctx: Ctx) -> Typed {
        let (ea, ta) = self.expr(a, ctx)?;
        let (eb, tb) = self.expr(b, ctx)?;
        use Ty::*;
        let result = match (op, ta, tb) {
            (ArithOp::Add | ArithOp::Sub | ArithOp::Mul | ArithOp::Div, Number, Number) => {
                Some(Number)
            }
            (ArithOp::Add | ArithOp::Sub, Money, Money) => Some(Money),
            (ArithOp::Mul, Money, Number)
            | (ArithOp::Mul, Number, Money)
            | (ArithOp::Div, Money, Number) => Some(Money),
            (ArithOp::Div, Money, Money) => Some(Number),
            (ArithOp::Add, Time, Duration)
            | (ArithOp::Add, Duration, Time)
            | (ArithOp::Sub, Time, Duration) => Some(Time),
            (ArithOp::Sub, Time, Time) => Some(Duration),
            (ArithOp::Add | ArithOp::Sub, Duration, Duration) => Some(Duration),
            _ => None,
        };
        let Some(result) = result else {
            let verb = match op {
                ArithOp::Add => "add",
                ArithOp::Sub => "subtract",
                ArithOp::Mul => "multiply",
                ArithOp::Div => "divide",
            };
            let sign = match op {
                ArithOp::Add => "+",
                ArithOp::Sub => "-",
                ArithOp::Mul => "*",
                ArithOp::Div => "/",
            };
            return Err(Diagnostic::error(
                Code::TypeMismatch,
                span,
                format!("cannot {verb} {} and {}", ta.describe(), tb.describe()),
            )
            .with_label(format!("{} {sign} {}", ta.describe(), tb.describe()))
            .with_help("times take durations (`at + 14 days`), money takes numbers (`price * 2`), and `whole_days(a, b)` turns two times into a number"));
        };
        Ok((
            Expr::new(Node::Arith(op, Box::new(ea), Box::new(eb)), span),
            result,
        ))
    }

    fn call(&mut self, name: &ast::Name, args: &[ast::Expr], span: Span, ctx: Ctx) -> Typed {
        let Some((_, func)) = Func::ALL.iter().find(|(n, _)| *n == name.text) else {
            return Err(Diagnostic::error(Code::UnknownFunction, name.span, format!("there is no function `{}`", name.text))
                .with_help(did_you_mean(&name.text, Func::ALL.iter().map(|(n, _)| *n)).unwrap_or_else(|| {
                    "the functions are whole_days(from, to), round(x, places), clamp(x, low, high), min(a, b), max(a, b)".into()
                })));
        };
        let mut compiled = Vec::new();
        let mut types = Vec::new();
        for arg in args {
            let (e, t) = self.expr(arg, ctx)?;
            compiled.push(e);
            types.push(t);
        }
        let arity = match func {
            Func::WholeDays | Func::Round | Func::Min | Func::Max => 2,
            Func::Clamp => 3,
        };
        if args.len() != arity {
            return Err(Diagnostic::error(
                Code::WrongArguments,
                span,
                format!(
                    "`{}` takes {arity} arguments, not {}",
                    name.text,
                    args.len()
                ),
            ));
        }
        let ty = match (func, types.as_slice()) {
            (Func::WholeDays, [Ty::Time, Ty::Time]) => Ty::Number,
            (Func::Round, [t @ (Ty::Number | Ty::Money), Ty::Number]) => {
                let places_ok = matches!(compiled.get(1).map(|e| &e.node), Some(Node::Const(Value::Number(n))) if n.is_integer() && *n >= Decimal::ZERO && *n <= Decimal::from(10));
                if !places_ok {
                    return Err(Diagnostic::error(
                        Code::WrongArguments,
                        span,
                        "round's second argument must be a whole number of places from 0 to 10",
                    ));
                }
                *t
            }
            (Func::Clamp, [a, b, c])
                if a == b
                    && b == c
                    && matches!(a, Ty::Number | Ty::Money | Ty::Time | Ty::Duration) =>
            {
                *a
            }
            (Func::Min | Func::Max, [a, b])
                if a == b && matches!(a, Ty::Number | Ty::Money | Ty::Time | Ty::Duration) =>
            {
                *a
            }
            _ => {
                let got: Vec<&str> = types.iter().map(|t| t.describe()).collect();
                let want = match func {
                    Func::WholeDays => "two times",
                    Func::Round => "a number or money, then a number of places",
                    Func::Clamp => "three values of one ordered type",
                    Func::Min | Func::Max => "two values of one ordered type",
                };
                return Err(Diagnostic::error(
                    Code::TypeMismatch,
                    span,
                    format!("`{}` takes {want}, not {}", name.text, got.join(", ")),
                ));
            }
        };
        Ok((Expr::new(Node::Call(*func, compiled), span), ty))
    }

    /// Resolves a name or dotted path.
    fn path(&mut self, path: &ast::Path, ctx: Ctx) -> Typed {
        let span = path.span;
        let first = path.segments.first().map(String::as_str).unwrap_or("");
        let rest = path.segments.get(1..).unwrap_or(&[]);
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
        if let Some(info) = self.windows.get(first).cloned() {
            self.used.insert(first.to_string());
            let member = rest.first().map(String::as_str).unwrap_or("");
            let at = Expr::new(Node::Field(self.at_slot), span);
            let end = window_end(&info, span);
            let e = |n: Node| Expr::new(n, span);
            return Ok(match (member, rest.len()) {
                ("start", 1) => (e(Node::Field(info.start)), Ty::Time),
                ("end", 1) => (end, Ty::Time),
                ("length", 1) => (e(Node::Const(Value::Duration(info.length))), Ty::Duration),
                ("days_left", 1) => {
                    let days = e(Node::Call(Func::WholeDays, vec![at, end]));
                    (
                        e(Node::Call(
                            Func::Max,
                            vec![days, e(Node::Const(Value::Number(Decimal::ZERO)))],
                        )),
                        Ty::Number,
                    )
                }
                _ => {
                    return Err(unknown_member(
                        path,
                        "window",
                        &["start", "end", "length", "days_left"],
                    ))
                }
            });
        }
        if let Some(info) = self.links.get(first).cloned() {
            self.used.insert(first.to_string());
            let member = rest.first().map(String::as_str).unwrap_or("");
            let e = |n: Node| Expr::new(n, span);
            let at = e(Node::Field(self.at_slot));
            let expires = e(Node::Arith(
                Arith::Add,
                Box::new(e(Node::Field(info.issued))),
                Box::new(e(Node::Const(Value::Duration(info.lifetime)))),
            ));
            let limit = e(Node::Const(Value::Number(Decimal::from(info.limit))));
            let used = e(Node::Field(info.used));
            return Ok(match (member, rest.len()) {
                ("issued_at", 1) => (e(Node::Field(info.issued)), Ty::Time),
                ("expires_at", 1) => (expires, Ty::Time),
                ("lifetime", 1) => (e(Node::Const(Value::Duration(info.lifetime))), Ty::Duration),
                ("limit", 1) => (limit, Ty::Number),
                ("used", 1) => (used, Ty::Number),
                ("uses_left", 1) => {
                    let left = e(Node::Arith(Arith::Sub, Box::new(limit), Box::new(used)));
                    (
                        e(Node::Call(
                            Func::Max,
                            vec![left, e(Node::Const(Value::Number(Decimal::ZERO)))],
                        )),
                        Ty::Number,
                    )
                }
                ("expired", 1) => (
                    e(Node::Compare(
                        Order::GreaterOrEqual,
                        Box::new(at),
                        Box::new(expires),
                    )),
                    Ty::Bool,
                ),
                ("used_up", 1) => (
                    e(Node::Compare(
                        Order::GreaterOrEqual,
                        Box::new(used),
                        Box::new(limit),
                    )),
                    Ty::Bool,
                ),
                _ => {
                    return Err(unknown_member(
                        path,
                        "link",
                        &[
                            "issued_at",
                            "expires_at",
                            "lifetime",
                            "limit",
                            "used",
                            "uses_left",
                            "expired",
                            "used_up",
                        ],
                    ))
                }
            });
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
    fn broken_declaration(&mut self, name: &str, span: Span) -> Result<(), Diagnostic> {
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

/// An operand of a text test: a text literal becomes its key (docs/request.md "Comparing
/// text"), once, here; the evaluator compares request text against it as it is (see
/// `eval::expr`). Any other operand is returned unchanged.
pub(super) fn keyed(mut e: Expr) -> Expr {
    if let Node::Const(Value::Text(literal)) = &mut e.node {
        let key = text::key(literal).into_owned();
        *literal = key.into();
    }
    e
}

fn window_end(info: &super::WindowInfo, span: Span) -> Expr {
    let e = |n: Node| Expr::new(n, span);
    e(Node::Arith(
        Arith::Add,
        Box::new(e(Node::Field(info.start))),
        Box::new(e(Node::Const(Value::Duration(info.length)))),
    ))
}

/// "expected X, but this is Y".
pub(super) fn type_error(span: Span, expected: &str, found: Ty) -> Diagnostic {
    Diagnostic::error(
        Code::TypeMismatch,
        span,
        format!("expected {expected}, but this is {}", found.describe()),
    )
    .with_label(format!("this is {}", found.describe()))
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
            Some(policy) => policy,
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
