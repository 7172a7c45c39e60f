//! Literals that need reading: decimal numbers (the request's decimal rule: a value a
//! decimal cannot hold exactly is refused, with the reason), instants (RFC 3339, any
//! offset converted exactly to UTC), dates (midnight UTC), and `whole UNIT in X`.

use chrono::NaiveDate;

use super::{type_error, Ctx, Typed};
use crate::check::code::DiagnosticCode as Code;
use crate::check::{Checker, Diagnostic};
use crate::limits::TIME_LAST_YEAR;
use crate::policy::expr::Func;
use crate::policy::{Expr, Node, Ty};
use crate::source::Span;
use crate::syntax::ast::{self, TimeUnit};
use crate::value::{self, read_decimal, read_time, TimeError, Value};

/// A number literal: exactly as written, or an error saying why it cannot be held.
pub(super) fn number(text: &str, span: Span) -> Typed {
    let n = read_decimal(text).map_err(|why| {
        Diagnostic::error(Code::BadNumber, span, format!("the number `{text}` {why}"))
            .with_label("more than a decimal holds")
            .with_help("a number holds at most 28 significant digits")
    })?;
    Ok((Expr::new(Node::Const(Value::Number(n)), span), Ty::Number))
}

/// An instant literal (`2026-01-01T00:00:00Z`, `2026-01-01T09:00:00+09:00`): RFC 3339,
/// converted exactly to UTC.
pub(super) fn instant(text: &str, span: Span) -> Typed {
    let bad = |message: String| Diagnostic::error(Code::BadTime, span, message);
    let (date, clock) = text.split_once('T').unwrap_or((text, ""));
    check_year(date, span)?;
    let has_offset = clock.ends_with('Z') || clock.contains(['+', '-']);
    if !has_offset {
        return Err(bad(format!("the time `{text}` has no offset"))
            .with_label("no offset")
            .with_help(format!("write it in UTC with `Z`: `{text}Z`")));
    }
    let time = read_time(text).map_err(|why| match why {
        TimeError::NotRfc3339 if calendar_day(date).is_none() => not_a_day(date, span),
        TimeError::NotRfc3339 => bad(format!("the time `{text}` is not an RFC 3339 instant"))
            .with_help(
            "write hours 00-23, minutes and seconds 00-59, and an offset: `2026-01-01T00:00:00Z`",
        ),
        other => bad(format!("the time `{text}` {other}")),
    })?;
    Ok((Expr::new(Node::Const(Value::Time(time)), span), Ty::Time))
}

/// A date literal (`2026-01-01`): the instant at midnight UTC that day begins.
pub(super) fn date(text: &str, span: Span) -> Typed {
    check_year(text, span)?;
    let day = calendar_day(text).ok_or_else(|| not_a_day(text, span))?;
    let time = day
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .filter(value::is_writable_time)
        .ok_or_else(|| not_a_day(text, span))?;
    Ok((Expr::new(Node::Const(Value::Time(time)), span), Ty::Time))
}

/// The day `YYYY-MM-DD` names, if the calendar has it.
fn calendar_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// A year of more than four digits: past the years RFC 3339 writes.
fn check_year(date: &str, span: Span) -> Result<(), Diagnostic> {
    let year_digits = date.split('-').next().map_or(0, str::len);
    if year_digits > 4 {
        return Err(Diagnostic::error(
            Code::BadTime,
            span,
            format!(
                "the date `{date}` is past the year {TIME_LAST_YEAR}, which RFC 3339 cannot write"
            ),
        )
        .with_label("year past 9999"));
    }
    Ok(())
}

/// "`2026-02-30` is not a day of the calendar".
fn not_a_day(date: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::BadTime,
        span,
        format!("`{date}` is not a day of the calendar"),
    )
    .with_label("no such day")
    .with_help("write the year, month 01-12 and a day the month has: `2026-02-28`")
}

/// One unit of time as an exact duration.
fn unit_delta(unit: TimeUnit) -> chrono::TimeDelta {
    let seconds = i64::try_from(unit.seconds()).unwrap_or(i64::MAX);
    chrono::TimeDelta::try_seconds(seconds).unwrap_or(chrono::TimeDelta::MAX)
}

impl Checker<'_> {
    /// `whole UNIT in X`: the floor of the duration `X` in units, a number.
    pub(super) fn whole(&mut self, unit: TimeUnit, x: &ast::Expr, span: Span, ctx: Ctx) -> Typed {
        let (ex, ty) = self.expr(x, ctx)?;
        if ty != Ty::Duration {
            return Err(type_error(x.span, "a duration", ty).with_help(
                "`whole hours in (end - start)` counts the whole hours of a duration; subtract two times to get one",
            ));
        }
        let one = Expr::new(Node::Const(Value::Duration(unit_delta(unit))), span);
        Ok((
            Expr::new(Node::Call(Func::WholeIn, vec![ex, one]), span),
            Ty::Number,
        ))
    }
}
