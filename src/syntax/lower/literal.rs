//! Lowering of literals: whole numbers, durations (with their limit), number, money,
//! date and instant literals (kept as written: the checker reads them), and strings with
//! their escapes resolved.

use pest::iterators::Pair;

use super::super::ast::*;
use super::super::{Rule, SyntaxError};
use super::{Lower, Result};
use crate::limits::DURATION_LITERAL_SECONDS;

impl Lower {
    /// A literal in an expression: a duration, a number, an instant, a date or a string.
    pub(super) fn literal(&self, pair: &Pair<'_, Rule>) -> Result<ExprKind> {
        Ok(match pair.as_rule() {
            Rule::duration => ExprKind::Duration(self.duration(pair)?),
            Rule::number => ExprKind::Number(pair.as_str().to_string()),
            Rule::instant => ExprKind::Instant(pair.as_str().to_ascii_uppercase()),
            Rule::date => ExprKind::Date(pair.as_str().to_string()),
            Rule::money => {
                let mut inner = pair.clone().into_inner();
                let amount = self.next(&mut inner, pair)?.as_str().to_string();
                let code = self.name(&self.next(&mut inner, pair)?);
                ExprKind::Money(amount, code)
            }
            Rule::string => ExprKind::Text(self.text(pair)?.value),
            _ => return Err(self.shape(pair)),
        })
    }

    pub(super) fn duration(&self, pair: &Pair<'_, Rule>) -> Result<DurationLit> {
        let span = self.span(pair);
        let mut inner = pair.clone().into_inner();
        let amount = self.integer(&self.next(&mut inner, pair)?)?;
        let unit = time_unit(self.next(&mut inner, pair)?.as_str());
        if amount.saturating_mul(unit.seconds()) > DURATION_LITERAL_SECONDS {
            return Err(SyntaxError::BadLiteral {
                message: "this duration is longer than a thousand years".into(),
                span,
            });
        }
        Ok(DurationLit { amount, unit, span })
    }

    /// A duration written as a literal or as a constant's name.
    pub(super) fn fixed_duration(&self, pair: &Pair<'_, Rule>) -> Result<Fixed<DurationLit>> {
        if pair.as_rule() == Rule::ident {
            return Ok(Fixed::Named(self.name(pair)));
        }
        Ok(Fixed::Literal(self.duration(pair)?))
    }

    pub(super) fn integer(&self, pair: &Pair<'_, Rule>) -> Result<u64> {
        pair.as_str().parse().map_err(|_| SyntaxError::BadLiteral {
            message: format!("`{}` is too large a number", pair.as_str()),
            span: self.span(pair),
        })
    }

    /// A string literal with its escapes resolved.
    pub(super) fn text(&self, pair: &Pair<'_, Rule>) -> Result<Text> {
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
pub(super) fn time_unit(text: &str) -> TimeUnit {
    match text.trim_end_matches('s') {
        "second" => TimeUnit::Second,
        "minute" => TimeUnit::Minute,
        "hour" => TimeUnit::Hour,
        "day" => TimeUnit::Day,
        _ => TimeUnit::Week,
    }
}
