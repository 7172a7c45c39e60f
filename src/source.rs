//! Policy source files and positions in them: the [`SourceMap`] owns the text of every
//! file of a policy, a [`Span`] points into one of them, and [`Location`] is the
//! `file:line:col` a person reads.

use std::fmt;

/// A byte range in one file of a [`SourceMap`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// Index of the file in its source map.
    pub file: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: u32, start: usize, end: usize) -> Self {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One policy file: its display name and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown in diagnostics (a path, or `<embedded>/name`).
    pub name: String,
    /// The file's text.
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }
}

/// All files of one policy, in load order.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// A resolved position: file name, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a file and returns its index for spans.
    pub fn add(&mut self, file: SourceFile) -> u32 {
        self.files.push(file);
        u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX)
    }

    /// The file with this index, if any.
    pub fn file(&self, index: u32) -> Option<&SourceFile> {
        self.files.get(index as usize)
    }

    /// All files, in load order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Where a span starts.
    pub fn location(&self, span: Span) -> Location {
        match self.file(span.file) {
            Some(file) => {
                let (line, column) = file.line_col(span.start as usize);
                Location {
                    file: file.name.clone(),
                    line,
                    column,
                }
            }
            None => Location {
                file: "<unknown>".into(),
                line: 0,
                column: 0,
            },
        }
    }

    /// The span as diagnostics show it: without the blanks and comments at its ends
    /// (the parser's spans may take in the layout after an expression), and, when it
    /// points past the last word of the file, just after that word (where the text
    /// stops, rather than on an empty last line).
    pub fn display_span(&self, span: Span) -> Span {
        let Some(file) = self.file(span.file) else {
            return span;
        };
        let text = file.text.as_str();
        let start = (span.start as usize).min(text.len());
        let end = (span.end as usize).clamp(start, text.len());
        let Some(inside) = text.get(start..end) else {
            return span;
        };
        let content_end = text.trim_end().len();
        if start >= content_end && content_end > 0 {
            return Span::new(span.file, content_end, content_end);
        }
        let trimmed_end = start + trim_layout_end(inside).len();
        let lead = inside.len() - inside.trim_start().len();
        let new_start = (start + lead).min(trimmed_end);
        Span::new(span.file, new_start, trimmed_end.max(new_start))
    }

    /// The source text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        self.file(span.file)
            .and_then(|f| f.text.get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }

    /// Renders `file:line:col: message`, the source line and a caret under the span.
    pub fn render(&self, span: Span, severity: &str, message: &str, help: Option<&str>) -> String {
        let location = self.location(span);
        let mut out = format!("{location}: {severity}: {message}\n");
        if let Some(file) = self.file(span.file) {
            let line = file.line_text(location.line);
            let gutter = location.line.to_string();
            let pad = " ".repeat(gutter.len());
            let width = self
                .snippet(span)
                .lines()
                .next()
                .map_or(1, |s| s.chars().count().max(1));
            let width = width.min(
                line.chars()
                    .count()
                    .saturating_sub(location.column - 1)
                    .max(1),
            );
            out.push_str(&format!("{pad} |\n{gutter} | {line}\n{pad} | "));
            out.push_str(&" ".repeat(location.column.saturating_sub(1)));
            out.push_str(&"^".repeat(width));
            out.push('\n');
        }
        if let Some(help) = help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

/// `text` without trailing blanks and trailing `#` comments.
fn trim_layout_end(text: &str) -> &str {
    let mut rest = text.trim_end();
    loop {
        // A comment is the last line's text from a `#` outside strings.
        let line_start = rest.rfind('\n').map_or(0, |i| i + 1);
        let line = rest.get(line_start..).unwrap_or("");
        match comment_start(line) {
            Some(hash) => rest = rest.get(..line_start + hash).unwrap_or(rest).trim_end(),
            None => return rest,
        }
    }
}

/// Where a `#` comment starts in a line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    crate::syntax::scan::regions(line)
        .find(|region| region.kind == crate::syntax::scan::Kind::Comment)
        .map(|region| region.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("a.policy", "ab\nçd ef\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        // "ç" is two bytes; "e" is the fourth character of line 2.
        assert_eq!(file.line_col(7), (2, 4));
        assert_eq!(file.line_text(2), "çd ef");
    }

    #[test]
    fn display_spans_leave_out_layout_and_stop_at_the_last_word() {
        let mut map = SourceMap::new();
        let text = "when a is b  # note\n  because \"x\"\n\n";
        let id = map.add(SourceFile::new("p.policy", text));
        let trimmed = map.display_span(Span::new(id, 5, 22));
        assert_eq!(map.snippet(trimmed), "a is b");
        let end = map.display_span(Span::new(id, text.len(), text.len()));
        assert_eq!(end.start as usize, text.trim_end().len());
    }

    #[test]
    fn render_puts_a_caret_under_the_span() {
        let mut map = SourceMap::new();
        let id = map.add(SourceFile::new("p.policy", "window w is 60 dayz from at\n"));
        let text = map.render(
            Span::new(id, 15, 19),
            "error",
            "unknown unit",
            Some("use days"),
        );
        assert_eq!(
            text,
            "p.policy:1:16: error: unknown unit\n  |\n1 | window w is 60 dayz from at\n  |                ^^^^\n  = help: use days\n"
        );
    }
}
