//! Money in a currency: money literals (`10000.00 USD`: an ISO 4217 code, at most the
//! currency's decimals, within the limits of `src/limits.rs`), and the rule that money
//! whose currency the policy does not declare (`is money`, without `in FIELD`) never
//! meets money in a currency (a literal, or a field declared `money in FIELD`): the
//! evaluator could not tell whether the two are in one currency.

use super::Typed;
use crate::check::code::DiagnosticCode as Code;
use crate::check::suggest::did_you_mean;
use crate::check::{Checker, Diagnostic};
use crate::limits::{MONEY_LITERAL_INTEGER_DIGITS, MONEY_LITERAL_SCALE};
use crate::policy::expr::Func;
use crate::policy::{Expr, FieldKind, Node, Ty};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::currency::{all_codes, minor_digits, Iso};
use crate::value::{read_decimal, Currency, Value};

/// What the checker knows of a money expression's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// Not money, or nothing known (a branch of both kinds is reported where it meets).
    Nothing,
    /// It reads the money field in this slot, whose currency is not declared.
    Undeclared(u16),
    /// In a currency: a literal, or a field declared `money in FIELD`.
    InCurrency,
}

impl Checker<'_> {
    /// A money literal: a known ISO 4217 code, and an amount with at most the
    /// currency's decimals and at most [`MONEY_LITERAL_INTEGER_DIGITS`] digits before
    /// the point.
    pub(super) fn money_literal(&self, amount: &str, code: &ast::Name, span: Span) -> Typed {
        let Some(currency) = Iso::from_code(&code.text) else {
            let help = did_you_mean(&code.text, all_codes()).unwrap_or_else(|| {
                "write an ISO 4217 currency code in capitals: USD, EUR, JPY, KRW...".into()
            });
            return Err(Diagnostic::error(
                Code::UnknownCurrency,
                code.span,
                format!("`{}` is not an ISO 4217 currency code", code.text),
            )
            .with_help(help));
        };
        let value = read_decimal(amount).map_err(|why| {
            Diagnostic::error(
                Code::BadNumber,
                span,
                format!("the amount `{amount}` {why}"),
            )
        })?;
        let digits = currency.exponent().map_or(MONEY_LITERAL_SCALE, u32::from);
        if value.scale() > digits {
            let what = match digits {
                0 => format!("{} has no decimals", currency.code()),
                1 => format!("{} has one decimal", currency.code()),
                n => format!("{} has {n} decimals", currency.code()),
            };
            return Err(Diagnostic::error(
                Code::MoneyDecimals,
                span,
                format!(
                    "`{amount} {}` has more decimals than its currency: {what}",
                    code.text
                ),
            )
            .with_help(match digits {
                0 => format!(
                    "write a whole amount: `{} {}`",
                    value.trunc(),
                    currency.code()
                ),
                n => format!(
                    "write the amount with at most {n} decimals (amounts in {} print with {})",
                    currency.code(),
                    minor_digits(currency)
                ),
            }));
        }
        let whole = amount
            .split('.')
            .next()
            .unwrap_or(amount)
            .trim_start_matches('0');
        if whole.len() > MONEY_LITERAL_INTEGER_DIGITS as usize {
            return Err(Diagnostic::error(
                Code::BadNumber,
                span,
                format!(
                    "the amount `{amount}` has more than {MONEY_LITERAL_INTEGER_DIGITS} digits before the decimal point"
                ),
            )
            .with_label("too large an amount")
            .with_help("a money literal is at most 999999999999999 and its decimals"));
        }
        let value = Value::Money(value, Currency::Code(currency));
        Ok((Expr::new(Node::Const(value), span), Ty::Money))
    }

    /// Refuses `e` when it brings money whose currency is not declared together with
    /// money in a currency (a test, arithmetic, `min`, `max`, `clamp`).
    pub(super) fn check_currencies(&self, e: &Expr) -> Result<(), Diagnostic> {
        let operands: Vec<&Expr> = match &e.node {
            Node::Compare(_, a, b) | Node::Equal(a, b, _) | Node::Arith(_, a, b) => vec![a, b],
            Node::OneOf(a, list, _) => std::iter::once(&**a).chain(list).collect(),
            Node::Range(a, b, c, _) => vec![a, b, c],
            Node::Call(Func::Min | Func::Max | Func::Clamp, args) => args.iter().collect(),
            _ => return Ok(()),
        };
        let known: Vec<(Known, Span)> = operands
            .iter()
            .map(|o| (self.currency_of(o), o.span))
            .collect();
        let undeclared = known.iter().find_map(|(k, span)| match k {
            Known::Undeclared(slot) => Some((*slot, *span)),
            _ => None,
        });
        let in_currency = known.iter().any(|(k, _)| *k == Known::InCurrency);
        let (Some((slot, span)), true) = (undeclared, in_currency) else {
            return Ok(());
        };
        let path = self
            .fields
            .get(usize::from(slot))
            .map_or_else(String::new, |f| f.path.clone());
        Err(Diagnostic::error(
            Code::CurrencyNotDeclared,
            span,
            format!(
                "`{path}` is money whose currency the policy does not declare, here with money in a currency"
            ),
        )
        .with_help(format!(
            "declare the field that gives its currency in the input schema: `{path} is money in order.currency` (a text field, or one of ISO 4217 codes)"
        )))
    }

    /// What is known of the currency of `e`'s value.
    fn currency_of(&self, e: &Expr) -> Known {
        match &e.node {
            Node::Const(Value::Money(_, Currency::Code(_))) => Known::InCurrency,
            Node::Field(slot) => match self.fields.get(usize::from(*slot)) {
                Some(f) if f.kind == FieldKind::Money && f.currency.is_some() => Known::InCurrency,
                Some(f) if f.kind == FieldKind::Money => Known::Undeclared(*slot),
                _ => Known::Nothing,
            },
            Node::Let(i) => match self.let_values.get(usize::from(*i)) {
                Some(Some(value)) => self.currency_of(value),
                _ => Known::Nothing,
            },
            Node::Negate(a) => self.currency_of(a),
            // Money ÷ money is a number; money × number keeps the money's currency.
            Node::Arith(crate::policy::expr::Arith::Div, a, b) => {
                match (self.currency_of(a), self.currency_of(b)) {
                    (known, Known::Nothing) => known,
                    _ => Known::Nothing,
                }
            }
            Node::Arith(_, a, b) => self.combine([self.currency_of(a), self.currency_of(b)]),
            Node::If(_, a, b) => self.combine([self.currency_of(a), self.currency_of(b)]),
            Node::Call(Func::Round, args) => {
                args.first().map_or(Known::Nothing, |a| self.currency_of(a))
            }
            Node::Call(Func::Min | Func::Max | Func::Clamp, args) => {
                let mut known = Known::Nothing;
                for a in args {
                    known = self.combine([known, self.currency_of(a)]);
                }
                known
            }
            _ => Known::Nothing,
        }
    }

    /// The currency of a value made of parts: undeclared wins (it is what a check
    /// reports), then in a currency.
    fn combine(&self, parts: [Known; 2]) -> Known {
        parts
            .iter()
            .find(|k| matches!(k, Known::Undeclared(_)))
            .or_else(|| parts.iter().find(|k| **k == Known::InCurrency))
            .copied()
            .unwrap_or(Known::Nothing)
    }
}
