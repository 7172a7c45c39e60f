//! Message templates: the text of a `because "..."` or `otherwise deny because "..."`
//! message, split into literal text and `{path}` placeholders. It reads the message as
//! written ([`Text::raw`]), so that a placeholder's span is its exact place in the source
//! whatever escapes come before it; in literal runs every escape is resolved as in any
//! string (`lower::unescape`): `\{` and `\}` are literal braces, and `\\{x}` is a
//! backslash followed by the placeholder `{x}`. This module only reads the shape of the
//! text; the checker resolves the names the placeholders give.

use super::lower::unescape;
use crate::source::Span;
use crate::syntax::ast::{Path, Text};

/// One piece of a message template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text, braces unescaped; never empty.
    Literal(String),
    /// A `{path}` placeholder, maybe with a format and a fallback.
    Placeholder(Slot),
}

/// What a placeholder says: `{PATH [as FORMAT] [or FALLBACK]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The dotted name it gives, spanning that name.
    pub path: Path,
    /// `as FORMAT`: the format's word, spanning it.
    pub format: Option<(String, Span)>,
    /// `or FALLBACK`: the text to show when the value is absent (trimmed, not empty).
    pub fallback: Option<String>,
}

/// A placeholder that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `{` with no `}` after it. Nothing after it is read.
    #[error("this `{{` is never closed")]
    Unclosed {
        /// The `{`.
        span: Span,
    },
    /// The text between the braces is not a dotted name.
    #[error("`{{{inner}}}` is not a value name")]
    NotAName {
        /// The text between the braces, trimmed.
        inner: String,
        /// The text between the braces.
        span: Span,
    },
}

impl TemplateError {
    /// Where the problem is.
    pub fn span(&self) -> Span {
        match self {
            TemplateError::Unclosed { span } | TemplateError::NotAName { span, .. } => *span,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            TemplateError::Unclosed { .. } => "write `\\{` for a literal brace",
            TemplateError::NotAName { .. } => {
                "placeholders name a field, constant, let, fact, window or link member, maybe with a format and a fallback: `{order.price as money or not priced yet}`"
            }
        }
    }
}

/// The pieces of a message, in order: literal runs, placeholders and unreadable
/// placeholders. After [`TemplateError::Unclosed`] there is nothing more.
pub fn pieces(text: &Text) -> Pieces<'_> {
    Pieces {
        rest: &text.raw,
        offset: 0,
        file: text.span.file,
        base: text.span.start as usize,
    }
}

/// The iterator of [`pieces`].
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    /// What is left to read of the message as written.
    rest: &'a str,
    /// How far into the message as written `rest` starts.
    offset: usize,
    /// The file of the message.
    file: u32,
    /// The offset of the message's opening quote in its file. A placeholder's span is
    /// this plus one (the quote) plus its offset in the message as written.
    base: usize,
}

impl Pieces<'_> {
    /// Consumes `n` bytes of `rest`.
    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or("");
        self.offset += n;
    }

    /// The span of `len` bytes that start `at` bytes into the value.
    fn span(&self, at: usize, len: usize) -> Span {
        let start = self.base + 1 + at;
        Span::new(self.file, start, start + len)
    }

    /// Reads the placeholder that starts `rest` (with its `{`).
    fn placeholder(&mut self) -> Result<Piece, TemplateError> {
        let after = self.rest.get(1..).unwrap_or("");
        let Some(close) = after.find('}') else {
            let span = self.span(self.offset, 1);
            self.rest = "";
            return Err(TemplateError::Unclosed { span });
        };
        let raw = after.get(..close).unwrap_or("");
        let start = self.offset + 1;
        let span = self.span(start, close);
        self.advance(close + 2);
        // `PATH [as FORMAT] [or FALLBACK]`: the fallback is everything after the first
        // ` or `; the format one word after ` as `.
        let (head, fallback) = match raw.find(" or ") {
            Some(i) => (
                raw.get(..i).unwrap_or(""),
                Some(raw.get(i + 4..).unwrap_or("").trim()),
            ),
            None => (raw, None),
        };
        let (name, format) = match head.find(" as ") {
            Some(i) => (
                head.get(..i).unwrap_or(""),
                Some((i + 4, head.get(i + 4..).unwrap_or(""))),
            ),
            None => (head, None),
        };
        let inner = name.trim();
        let bad = || TemplateError::NotAName {
            inner: raw.trim().to_string(),
            span,
        };
        if !is_dotted_name(inner) || fallback == Some("") {
            return Err(bad());
        }
        let lead = name.len() - name.trim_start().len();
        let path = Path {
            segments: inner.split('.').map(str::to_string).collect(),
            span: self.span(start + lead, inner.len()),
        };
        let format = match format {
            Some((at, word)) => {
                let trimmed = word.trim();
                let lead = word.len() - word.trim_start().len();
                if trimmed.is_empty()
                    || !trimmed
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    return Err(bad());
                }
                Some((
                    trimmed.to_string(),
                    self.span(start + at + lead, trimmed.len()),
                ))
            }
            None => None,
        };
        Ok(Piece::Placeholder(Slot {
            path,
            format,
            fallback: fallback.map(str::to_string),
        }))
    }
}

impl Iterator for Pieces<'_> {
    type Item = Result<Piece, TemplateError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        if self.rest.starts_with('{') {
            return Some(self.placeholder());
        }
        // A literal run: up to the next placeholder, with its escapes resolved.
        let mut literal = String::new();
        while !self.rest.is_empty() && !self.rest.starts_with('{') {
            if self.rest.starts_with('\\') {
                let len = escape_len(self.rest);
                let written = self.rest.get(..len).unwrap_or("");
                // The lowering has resolved this string already, so every escape is
                // valid; should one not be, it is kept as written.
                literal.push_str(&unescape(written).unwrap_or_else(|_| written.to_string()));
                self.advance(len);
                continue;
            }
            let Some(c) = self.rest.chars().next() else {
                break;
            };
            literal.push(c);
            self.advance(c.len_utf8());
        }
        Some(Ok(Piece::Literal(literal)))
    }
}

/// The length in bytes of the escape that starts `text` (with its `\`): `\u{...}` up to
/// its `}`, else the backslash and one character.
fn escape_len(text: &str) -> usize {
    let mut chars = text.chars();
    let _backslash = chars.next();
    match chars.next() {
        Some('u') if text.get(2..3) == Some("{") => text.find('}').map_or(text.len(), |i| i + 1),
        Some(c) => 1 + c.len_utf8(),
        None => 1,
    }
}

/// Whether `text` is a dotted name: parts of ASCII letters, digits and `_`, none empty
/// and none starting with a digit.
fn is_dotted_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|s| {
            !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message whose opening quote is at offset 10 of file 0.
    fn text(value: &str) -> Text {
        Text {
            value: unescape(value).unwrap_or_default(),
            raw: value.to_string(),
            span: Span::new(0, 10, 10 + value.len() + 2),
        }
    }

    fn read(value: &str) -> Vec<Result<Piece, TemplateError>> {
        pieces(&text(value)).collect()
    }

    fn literal(s: &str) -> Result<Piece, TemplateError> {
        Ok(Piece::Literal(s.to_string()))
    }

    fn placeholder(segments: &[&str], start: usize, end: usize) -> Result<Piece, TemplateError> {
        Ok(Piece::Placeholder(Slot {
            path: Path {
                segments: segments.iter().map(|s| s.to_string()).collect(),
                span: Span::new(0, start, end),
            },
            format: None,
            fallback: None,
        }))
    }

    #[test]
    fn formats_and_fallbacks() {
        let got = read("{order.price as money or not yet priced}");
        let Some(Ok(Piece::Placeholder(slot))) = got.first() else {
            panic!("{got:?}")
        };
        assert_eq!(slot.path.dotted(), "order.price");
        assert_eq!(slot.path.span, Span::new(0, 12, 23));
        assert_eq!(
            slot.format,
            Some(("money".to_string(), Span::new(0, 27, 32)))
        );
        assert_eq!(slot.fallback.as_deref(), Some("not yet priced"));
        let got = read("{customer.name or the customer}");
        let Some(Ok(Piece::Placeholder(slot))) = got.first() else {
            panic!("{got:?}")
        };
        assert_eq!(
            (slot.format.is_none(), slot.fallback.as_deref()),
            (true, Some("the customer"))
        );
        for bad in ["{a as}", "{a or }", "{a as two words}", "{ as money}"] {
            assert!(
                matches!(read(bad).first(), Some(Err(TemplateError::NotAName { .. }))),
                "{bad}"
            );
        }
    }

    #[test]
    fn literal_text_and_placeholders() {
        assert_eq!(
            read("Order {order.id} ends {w.end}."),
            [
                literal("Order "),
                placeholder(&["order", "id"], 18, 26),
                literal(" ends "),
                placeholder(&["w", "end"], 34, 39),
                literal("."),
            ]
        );
        assert_eq!(read(""), []);
        assert_eq!(
            read("{a}{b}"),
            [placeholder(&["a"], 12, 13), placeholder(&["b"], 15, 16)]
        );
    }

    #[test]
    fn escaped_braces_are_literal() {
        assert_eq!(
            read("a \\{b\\} {c}"),
            [literal("a {b} "), placeholder(&["c"], 20, 21)]
        );
        assert_eq!(read("ü\\}"), [literal("ü}")]);
    }

    #[test]
    fn spaces_inside_the_braces_are_trimmed() {
        assert_eq!(read("{ a.b }"), [placeholder(&["a", "b"], 13, 16)]);
    }

    #[test]
    fn an_unclosed_brace_ends_the_message() {
        let got = read("x {a} {b");
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(
            got.last(),
            Some(&Err(TemplateError::Unclosed {
                span: Span::new(0, 17, 18)
            }))
        );
        assert_eq!(
            got.last().map(|e| e.as_ref().map_err(ToString::to_string)),
            Some(Err("this `{` is never closed".to_string()))
        );
    }

    #[test]
    fn placeholders_that_are_not_names_are_reported_and_reading_goes_on() {
        for bad in ["{}", "{ }", "{1a}", "{a..b}", "{a-b}", "{a.}", "{é}"] {
            let got = read(&format!("{bad} {{ok}}"));
            let Some(Err(TemplateError::NotAName { .. })) = got.first() else {
                panic!("{bad}: {got:?}");
            };
            assert!(
                matches!(got.last(), Some(Ok(Piece::Placeholder(_)))),
                "{bad}: {got:?}"
            );
        }
        let err = TemplateError::NotAName {
            inner: "a-b".into(),
            span: Span::default(),
        };
        assert_eq!(err.to_string(), "`{a-b}` is not a value name");
    }
}
