//! Arithmetic (`+ - * /`, unary `-`) and the built-in functions, typed by the table of
//! docs/language.md ("Arithmetic", "Functions").

use rust_decimal::Decimal;

use super::{type_error, Ctx, Typed};
use crate::check::code::DiagnosticCode as Code;
use crate::check::suggest::did_you_mean;
use crate::check::{Checker, Diagnostic};
use crate::policy::expr::Func;
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, ArithOp};
use crate::value::Value;

impl Checker<'_> {
    /// `-X`: a number, money or a duration.
    pub(super) fn negate(&mut self, a: &ast::Expr, span: Span, ctx: Ctx) -> Typed {
        let (a, ty) = self.expr(a, ctx)?;
        if !matches!(ty, Ty::Number | Ty::Money | Ty::Duration) {
            return Err(type_error(span, "a number, money or a duration", ty));
        }
        Ok((Expr::new(Node::Negate(Box::new(a)), span), ty))
    }

    /// `A op B`.
    pub(super) fn arith(
        &mut self,
        op: ArithOp,
        a: &ast::Expr,
        b: &ast::Expr,
        span: Span,
        ctx: Ctx,
    ) -> Typed {
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
            (ArithOp::Div, Duration, Duration) => Some(Number),
            (ArithOp::Mul, Duration, Number)
            | (ArithOp::Mul, Number, Duration)
            | (ArithOp::Div, Duration, Number) => Some(Duration),
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
            .with_help("times take durations (`at + 14 days`), money and durations take numbers (`price * 2`, `1 day * 3`), and a duration divided by a duration is a number (`(end - at) / 1 hour`, `whole hours in (end - at)`)"));
        };
        Ok((
            Expr::new(Node::Arith(op, Box::new(ea), Box::new(eb)), span),
            result,
        ))
    }

    /// A call of a built-in function: its name, arity and argument types.
    pub(super) fn call(
        &mut self,
        name: &ast::Name,
        args: &[ast::Expr],
        span: Span,
        ctx: Ctx,
    ) -> Typed {
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
            Func::WholeDays | Func::Round | Func::Min | Func::Max | Func::WholeIn => 2,
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
                    Func::WholeIn => "a duration",
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
}
