//! Following brackets and quotes across lines, so that a splitter can tell where a JSON
//! value or a flow-style YAML document ends without parsing it, and whether a line is
//! inside an open flow collection or quoted scalar.
//!
//! Only ASCII bytes matter here, and in UTF-8 no byte of a longer character is ASCII, so
//! the scanner reads bytes. It is deliberately not a parser: a document it cuts is handed
//! whole to serde_json or serde-saphyr, which say precisely what is wrong with it.

/// Which language's rules the scanner follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rules {
    /// JSON: every `"` opens a string (with `\` escapes), every bracket counts, no
    /// comments; a string cannot go past the end of its line.
    Json,
    /// YAML: a quote opens a quoted scalar only where a node may start (`"` with `\`
    /// escapes, `'` with `''`); outside flow collections a bracket counts only where a
    /// node starts (`name: a[1]` is plain text); `#` after a blank starts a comment.
    Yaml,
}

/// The scanner's state: open brackets and quote, carried from line to line.
#[derive(Debug, Clone)]
pub(super) struct Scan {
    rules: Rules,
    /// Open `{`/`[` outside quotes.
    depth: usize,
    /// The open quote (`"` or `'`), if any.
    quote: Option<u8>,
    /// The previous byte was a `\` inside a `"` string.
    escape: bool,
    /// A node may start here (YAML): line start, after `{ [ , :`, `- `, `? ` or a
    /// tag or anchor.
    node_start: bool,
    /// Inside a tag (`!t`) or anchor (`&a`) that precedes a node.
    property: bool,
    /// The previous byte was blank or the line start (a `#` here starts a comment).
    after_blank: bool,
}

impl Scan {
    /// A scanner at the start of a line, with nothing open.
    pub fn new(rules: Rules) -> Self {
        Scan {
            rules,
            depth: 0,
            quote: None,
            escape: false,
            node_start: true,
            property: false,
            after_blank: true,
        }
    }

    /// Forgets everything open (a new document).
    pub fn reset(&mut self) {
        *self = Scan::new(self.rules);
    }

    /// Whether a flow collection or a quoted scalar is open.
    pub fn is_open(&self) -> bool {
        self.depth > 0 || self.quote.is_some()
    }

    /// Scans `text`, part of one line. When a bracket closes the outermost collection,
    /// stops just past it and returns that offset; else scans to the end (or to a
    /// comment) and returns `None`.
    pub fn feed(&mut self, text: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        let json = self.rules == Rules::Json;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            i += 1;
            if let Some(quote) = self.quote {
                if quote == b'"' {
                    if self.escape {
                        self.escape = false;
                    } else if b == b'\\' {
                        self.escape = true;
                    } else if b == b'"' {
                        self.quote = None;
                    }
                } else if b == b'\'' {
                    if bytes.get(i) == Some(&b'\'') {
                        i += 1;
                    } else {
                        self.quote = None;
                    }
                }
                self.node_start = false;
                self.after_blank = false;
                continue;
            }
            if b == b' ' || b == b'\t' {
                self.after_blank = true;
                if self.property {
                    self.property = false;
                    self.node_start = true;
                }
                continue;
            }
            let after_blank = std::mem::replace(&mut self.after_blank, false);
            match b {
                b'#' if !json && after_blank => return None,
                b'"' if json || self.node_start => {
                    self.quote = Some(b'"');
                    self.node_start = false;
                }
                b'\'' if !json && self.node_start => {
                    self.quote = Some(b'\'');
                    self.node_start = false;
                }
                b'{' | b'[' if json || self.depth > 0 || self.node_start => {
                    self.depth += 1;
                    self.node_start = true;
                }
                b'}' | b']' if self.depth > 0 => {
                    self.depth -= 1;
                    self.node_start = false;
                    if self.depth == 0 {
                        return Some(i);
                    }
                }
                b',' if json || self.depth > 0 => self.node_start = true,
                b':' => self.node_start = true,
                b'-' | b'?' if self.node_start => {}
                b'!' | b'&' if !json && self.node_start => self.property = true,
                _ if self.property => {}
                _ => self.node_start = false,
            }
        }
        None
    }

    /// Scans a whole line (or its rest) and ends it: whether the outermost collection
    /// closed on it with nothing after it but blanks or a comment.
    pub fn line(&mut self, text: &str) -> bool {
        let mut rest = text;
        let mut closed_clean = false;
        while let Some(end) = self.feed(rest) {
            rest = rest.get(end..).unwrap_or("");
            closed_clean = is_blank_or_comment(rest);
        }
        self.end_line();
        closed_clean
    }

    /// Ends the line. A JSON string cannot go past its line, so one left open is closed
    /// here (the document is malformed anyway; this keeps the next lines' brackets).
    pub fn end_line(&mut self) {
        self.escape = false;
        self.node_start = true;
        self.property = false;
        self.after_blank = true;
        if self.rules == Rules::Json {
            self.quote = None;
        }
    }
}

/// Whether a line holds nothing, or only a comment.
pub(super) fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closes(rules: Rules, lines: &[&str]) -> Vec<bool> {
        let mut scan = Scan::new(rules);
        lines.iter().map(|l| scan.line(l)).collect()
    }

    #[test]
    fn brackets_inside_strings_and_quoted_scalars_do_not_count() {
        assert_eq!(closes(Rules::Json, &[r#"{"a": "}{", "b": ["]"]}"#]), [true]);
        assert_eq!(closes(Rules::Yaml, &["{a: '}}', b: \"]\\\"}\"}"]), [true]);
        assert_eq!(closes(Rules::Yaml, &["{a: 'it''s }'}"]), [true]);
    }

    #[test]
    fn a_collection_may_close_lines_later() {
        assert_eq!(
            closes(Rules::Json, &["{", "  \"a\": [1,", "  2]", "} "]),
            [false, false, false, true]
        );
        assert_eq!(
            closes(Rules::Yaml, &["{a: 1,", " b: 'x", "y}'}", "# c"]),
            [false, false, true, false]
        );
    }

    #[test]
    fn yaml_plain_text_is_not_a_quote_or_a_bracket() {
        let mut scan = Scan::new(Rules::Yaml);
        for line in ["name: O'Brien {EU", "note: rock 'n roll [", "url: a#b # {"] {
            scan.line(line);
            assert!(!scan.is_open(), "{line}");
        }
        // A quote or a bracket where a node starts does count.
        scan.line("key: 'open");
        assert!(scan.is_open());
        let mut scan = Scan::new(Rules::Yaml);
        scan.line("- !tag {a: 1,");
        assert!(scan.is_open());
    }

    #[test]
    fn a_trailing_value_after_the_close_is_not_a_clean_close() {
        assert_eq!(closes(Rules::Yaml, &["{a: 1} # fine"]), [true]);
        assert_eq!(closes(Rules::Yaml, &["{a: 1}: x"]), [false]);
        assert_eq!(closes(Rules::Json, &["{} {}"]), [true]);
        assert_eq!(closes(Rules::Json, &["{} x"]), [false]);
    }

    #[test]
    fn an_open_json_string_ends_with_its_line() {
        let mut scan = Scan::new(Rules::Json);
        scan.line(r#"{"a": "x}"#);
        assert!(scan.is_open(), "the brace is still open");
        assert_eq!(scan.feed("}"), Some(1));
    }
}
