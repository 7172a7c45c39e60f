//! The one scanner of policy text: splits a text into code, string and comment regions
//! exactly as the grammar (`grammar/policy.pest`) reads them, so that every part of the
//! engine that looks at raw policy text (the nesting limit, syntax-error recovery, the
//! formatter's comments, the display of spans) skips strings and comments the same way.
//!
//! As the grammar defines them:
//! - a string starts with `"` and ends at the next `"` that is not escaped; `\` escapes
//!   the character after it, whatever it is (a line break too: `escape = "\\" ~ ANY`);
//!   an unescaped line break or the end of the text ends an unterminated string (the
//!   line break itself is not part of the string);
//! - a comment starts with `#` outside strings and runs to the end of its line (the line
//!   break is not part of it) or of the text;
//! - everything else is code.
//!
//! The regions cover the text without gap or overlap, in order; each starts and ends on
//! a character boundary. Only ASCII bytes (`"`, `\`, `#`, line break) delimit regions,
//! and no byte of a multi-byte UTF-8 character is ASCII, so the scanner works on bytes.

/// What a region of policy text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything outside strings and comments.
    Code,
    /// A string literal with its quotes; `closed` when it ends with its closing `"`.
    String {
        /// Whether the closing quote is there.
        closed: bool,
    },
    /// A comment, from `#` to the end of the line (the line break excluded).
    Comment,
}

/// One region of policy text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region<'a> {
    /// What it is.
    pub kind: Kind,
    /// Its byte offset in the scanned text.
    pub start: usize,
    /// Its text.
    pub text: &'a str,
}

impl Region<'_> {
    /// The byte offset just after it.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Whether it is code (neither string nor comment).
    pub fn is_code(&self) -> bool {
        self.kind == Kind::Code
    }
}

/// The regions of a text, in order: see [`regions`].
#[derive(Debug, Clone)]
pub struct Regions<'a> {
    text: &'a str,
    pos: usize,
}

/// Splits `text` into its code, string and comment regions.
pub fn regions(text: &str) -> Regions<'_> {
    Regions { text, pos: 0 }
}

impl<'a> Iterator for Regions<'a> {
    type Item = Region<'a>;

    fn next(&mut self) -> Option<Region<'a>> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        let rest = bytes.get(start..).filter(|rest| !rest.is_empty())?;
        let (kind, len) = match rest.first() {
            Some(b'"') => string(rest),
            Some(b'#') => (
                Kind::Comment,
                memchr::memchr(b'\n', rest).unwrap_or(rest.len()),
            ),
            _ => (
                Kind::Code,
                memchr::memchr2(b'"', b'#', rest).unwrap_or(rest.len()),
            ),
        };
        let end = start + len;
        self.pos = end;
        // Every end is a delimiter (ASCII) or the end of the text: a char boundary.
        let text = self.text.get(start..end)?;
        Some(Region { kind, start, text })
    }
}

/// The kind and length of the string that starts `rest` (which starts with `"`).
fn string(rest: &[u8]) -> (Kind, usize) {
    let mut i = 1;
    while let Some(&b) = rest.get(i) {
        match b {
            // The escaped character may be a line break or a quote: skip it either way.
            // A multi-byte character has no ASCII byte, so skipping its first byte
            // alone is harmless.
            b'\\' => i += 2,
            b'"' => return (Kind::String { closed: true }, i + 1),
            b'\n' => return (Kind::String { closed: false }, i),
            _ => i += 1,
        }
    }
    // The end of the text (after a trailing `\`, `i` may be one past it).
    (Kind::String { closed: false }, rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The regions as (kind, text) pairs, checking that they cover the text in order.
    fn split(text: &str) -> Vec<(Kind, &str)> {
        let mut at = 0;
        let mut out = Vec::new();
        for region in regions(text) {
            assert_eq!(region.start, at, "regions are contiguous in {text:?}");
            assert!(!region.text.is_empty(), "no empty region in {text:?}");
            at = region.end();
            out.push((region.kind, region.text));
        }
        assert_eq!(at, text.len(), "regions cover {text:?}");
        out
    }

    const CLOSED: Kind = Kind::String { closed: true };
    const OPEN: Kind = Kind::String { closed: false };

    #[test]
    fn code_strings_and_comments() {
        assert_eq!(
            split("let x = \"a\" # note\nlet y = 1"),
            [
                (Kind::Code, "let x = "),
                (CLOSED, "\"a\""),
                (Kind::Code, " "),
                (Kind::Comment, "# note"),
                (Kind::Code, "\nlet y = 1"),
            ]
        );
        assert_eq!(split(""), []);
    }

    #[test]
    fn escapes_are_skipped_with_the_character_they_escape() {
        assert_eq!(
            split(r#""a \" b \\" c"#),
            [(CLOSED, r#""a \" b \\""#), (Kind::Code, " c")]
        );
        assert_eq!(split(r#""\\""#), [(CLOSED, r#""\\""#)]);
        assert_eq!(split(r#""\{x\}""#), [(CLOSED, r#""\{x\}""#)]);
    }

    #[test]
    fn a_hash_inside_a_string_is_no_comment() {
        assert_eq!(
            split("\"# not a comment\" # one"),
            [
                (CLOSED, "\"# not a comment\""),
                (Kind::Code, " "),
                (Kind::Comment, "# one"),
            ]
        );
    }

    #[test]
    fn a_quote_inside_a_comment_starts_no_string() {
        assert_eq!(
            split("# it's \"quoted\nx"),
            [(Kind::Comment, "# it's \"quoted"), (Kind::Code, "\nx")]
        );
    }

    #[test]
    fn unterminated_strings_end_at_the_line_break_or_the_end() {
        assert_eq!(
            split("\"open\nlet x = 1"),
            [(OPEN, "\"open"), (Kind::Code, "\nlet x = 1")]
        );
        assert_eq!(split("x \"open"), [(Kind::Code, "x "), (OPEN, "\"open")]);
        assert_eq!(split("\""), [(OPEN, "\"")]);
        // A trailing backslash escapes nothing and stays in the string.
        assert_eq!(split("\"a\\"), [(OPEN, "\"a\\")]);
    }

    #[test]
    fn an_escaped_line_break_continues_the_string_as_the_grammar_reads_it() {
        assert_eq!(
            split("\"a\\\nb\" # c"),
            [
                (CLOSED, "\"a\\\nb\""),
                (Kind::Code, " "),
                (Kind::Comment, "# c")
            ]
        );
    }

    #[test]
    fn comments_at_the_end_of_the_text_without_a_line_break() {
        assert_eq!(
            split("x # end"),
            [(Kind::Code, "x "), (Kind::Comment, "# end")]
        );
        assert_eq!(split("#"), [(Kind::Comment, "#")]);
        assert_eq!(
            split("# a\r\n"),
            [(Kind::Comment, "# a\r"), (Kind::Code, "\n")]
        );
    }

    #[test]
    fn non_ascii_text_keeps_char_boundaries() {
        assert_eq!(
            split("é \"ü\\é # ß\" # ñ\n¿"),
            [
                (Kind::Code, "é "),
                (CLOSED, "\"ü\\é # ß\""),
                (Kind::Code, " "),
                (Kind::Comment, "# ñ"),
                (Kind::Code, "\n¿"),
            ]
        );
        // An escaped multi-byte character at the end of the text.
        assert_eq!(split("\"\\é"), [(OPEN, "\"\\é")]);
    }

    #[test]
    fn any_text_is_covered_without_a_panic() {
        let pieces = ["\"", "\\", "#", "\n", "é", "a", " ", "{", "\r"];
        // Every text of up to four pieces.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
                .collect();
            texts.extend(longer);
            texts.dedup();
        }
        for text in &texts {
            split(text);
        }
    }
}
