//! Drawing a diagnostic with its source text. A [`Diagnostic`] implements
//! [`miette::Diagnostic`] (code, severity, help, labelled spans). [`Diagnostic::report`]
//! pairs it with its file's text (columns counted in characters, as in the header: miette
//! alone counts bytes), and [`Diagnostic::render`] draws it with miette's
//! [`GraphicalReportHandler`]. miette starts a report with the code
//! alone; we replace that first line with `file:line:col: severity[code]`, so the
//! location is on the first line as compilers print it, and editors, CI logs and `grep`
//! find it. A line longer than [`DIAGNOSTIC_LINE_CHARS`] is drawn as a window around the
//! column ([`Excerpt`]).

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

use super::diag::{Diagnostic, Severity};
use crate::limits::DIAGNOSTIC_LINE_CHARS;
use crate::source::{SourceMap, Span};

impl Diagnostic {
    /// This diagnostic with the text of its file, ready for any miette handler. A line
    /// longer than [`DIAGNOSTIC_LINE_CHARS`] is cut down to a window around the
    /// diagnostic's place on it (its cut ends marked `…`); the header keeps the exact location.
    pub fn report(&self, sources: &SourceMap) -> Report {
        let (name, text) = match sources.file(self.span.file) {
            Some(file) => (file.name.clone(), file.text.as_str()),
            None => ("<unknown>".to_string(), ""),
        };
        let mut diagnostic = self.clone();
        diagnostic.span = sources.display_span(self.span);
        for (span, _) in &mut diagnostic.related {
            *span = sources.display_span(*span);
        }
        let header = format!(
            "{}: {}[{}]",
            sources.location(diagnostic.span),
            self.severity.as_str(),
            self.code
        );
        let mut focus = vec![diagnostic.span.start as usize];
        focus.extend(
            diagnostic
                .related
                .iter()
                .filter(|(span, _)| span.file == diagnostic.span.file)
                .map(|(span, _)| span.start as usize),
        );
        let excerpt = Excerpt::new(text, &focus, DIAGNOSTIC_LINE_CHARS);
        let map = |span: &mut Span| {
            let start = excerpt.offset(span.start as usize);
            let end = excerpt.offset(span.end as usize).max(start);
            *span = Span::new(span.file, start, end);
        };
        map(&mut diagnostic.span);
        for (span, _) in &mut diagnostic.related {
            map(span);
        }
        let text_len = excerpt.text.len();
        Report {
            header,
            diagnostic,
            cut: !excerpt.cuts.is_empty(),
            source: Source {
                name,
                text: excerpt.text,
            },
            text_len,
        }
    }

    /// Renders it without colours: `file:line:col: severity[code]`, then the message,
    /// the source lines with the offending text underlined and labelled, and the hint.
    pub fn render(&self, sources: &SourceMap) -> String {
        self.render_styled(sources, false)
    }

    /// Renders it, with ANSI colours when `colour` is set (for a terminal).
    pub fn render_styled(&self, sources: &SourceMap, colour: bool) -> String {
        let report = self.report(sources);
        let theme = if colour {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_wrap_lines(false)
            .with_context_lines(1);
        if report.cut {
            // miette would give the column in the cut line; the header has the true one.
            handler = handler.without_primary_span_start();
        }
        let mut drawn = String::new();
        if handler.render_report(&mut drawn, &report).is_err() {
            // miette could not draw the snippet: fall back to the plain form.
            drawn.clear();
            let head = format!("{}[{}]", self.severity.as_str(), self.code);
            return sources.render(self.span, &head, &self.message, self.help.as_deref());
        }
        let header = if colour {
            let style = match self.severity {
                Severity::Error => "\u{1b}[1;31m",
                Severity::Warning => "\u{1b}[1;33m",
            };
            format!("{style}{}\u{1b}[0m", report.header)
        } else {
            report.header.clone()
        };
        // miette's first line is the code followed by a blank line: put the location there.
        let body = match drawn.split_once("\n\n") {
            Some((_, body)) => body,
            None => drawn.as_str(),
        };
        format!("{header}\n{body}")
    }
}

/// A file's text as a diagnostic draws it: every line longer than a limit is cut down to
/// a window of that many characters around the first place of interest on it (or its
/// start), with `…` at each cut end; other lines are kept as they are, so line numbers do
/// not change. [`Excerpt::offset`] maps a byte offset of the file into the excerpt.
#[derive(Debug)]
struct Excerpt {
    text: String,
    cuts: Vec<Cut>,
}

/// One cut line: its range in the file (without the line break), the part kept, and
/// where the kept part and the line's end are in the excerpt.
#[derive(Debug)]
struct Cut {
    line: std::ops::Range<usize>,
    kept: std::ops::Range<usize>,
    new_kept_start: usize,
    new_line_end: usize,
}

/// The mark at a cut end.
const ELLIPSIS: &str = "…";

impl Excerpt {
    /// Cuts the lines of `text` longer than `width` characters; `focus` holds the byte
    /// offsets the window of their line is placed around (the first one on a line wins).
    fn new(text: &str, focus: &[usize], width: usize) -> Self {
        let mut out = String::with_capacity(text.len().min(1 << 16));
        let mut cuts = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches('\n');
            let end = start + body.len();
            // Counting stops past `width`: a short line costs its length, a long one `width`.
            if body.chars().nth(width).is_none() {
                out.push_str(line);
                start += line.len();
                continue;
            }
            let point = focus
                .iter()
                .copied()
                .find(|&f| (start..=end).contains(&f))
                .unwrap_or(start);
            let (kept_from, kept_to) = window(body, point - start, width);
            let new_line_start = out.len();
            if kept_from > 0 {
                out.push_str(ELLIPSIS);
            }
            let new_kept_start = out.len();
            out.push_str(body.get(kept_from..kept_to).unwrap_or(""));
            if kept_to < body.len() {
                out.push_str(ELLIPSIS);
            }
            let new_line_end = out.len();
            debug_assert!(new_line_end >= new_line_start);
            out.push_str(line.get(body.len()..).unwrap_or(""));
            cuts.push(Cut {
                line: start..end,
                kept: start + kept_from..start + kept_to,
                new_kept_start,
                new_line_end,
            });
            start += line.len();
        }
        Excerpt { text: out, cuts }
    }

    /// Where byte `offset` of the file is in the excerpt (a place in the cut-away part
    /// of a line goes to the nearer end of the kept part).
    fn offset(&self, offset: usize) -> usize {
        let before = self.cuts.partition_point(|c| c.line.start <= offset);
        let Some(cut) = before.checked_sub(1).and_then(|i| self.cuts.get(i)) else {
            return offset.min(self.text.len());
        };
        let mapped = if offset > cut.line.end {
            offset - cut.line.end + cut.new_line_end
        } else {
            let inside = offset.clamp(cut.kept.start, cut.kept.end);
            cut.new_kept_start + (inside - cut.kept.start)
        };
        mapped.min(self.text.len())
    }
}

/// The byte range of `line` to keep: `width` characters, a quarter of them before the
/// character at byte `point`, on character boundaries.
fn window(line: &str, point: usize, width: usize) -> (usize, usize) {
    let boundaries: Vec<usize> = line
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(line.len()))
        .collect();
    let chars = boundaries.len() - 1;
    let at = boundaries.partition_point(|&b| b < point).min(chars);
    let first = at.saturating_sub(width / 4);
    let last = (first + width).min(chars);
    (
        boundaries.get(first).copied().unwrap_or(0),
        boundaries.get(last).copied().unwrap_or(line.len()),
    )
}

/// A [`Diagnostic`] with the text of its file: what a miette handler needs to draw it.
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    header: String,
    /// A long line was cut down: columns in the drawn text are not the file's.
    cut: bool,
    source: Source,
    text_len: usize,
}

/// A file's text (or its excerpt) as miette reads it: named, with the column of a span
/// counted in characters, as the header counts it. miette counts bytes, so on a line
/// with a letter of several bytes (`Ísland`, `중국`) before the place its column would
/// differ from the header's.
#[derive(Debug)]
struct Source {
    name: String,
    text: String,
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        // miette gives a column only when it reads no line before the span.
        let column = if contents.column() == 0 {
            0
        } else {
            let offset = span.offset().min(self.text.len());
            let before = self.text.get(..offset).unwrap_or("");
            let line_start = before.rfind(['\n', '\r']).map_or(0, |i| i + 1);
            before
                .get(line_start..)
                .map_or(0, |line| line.chars().count())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

impl Report {
    /// The diagnostic.
    pub fn diagnostic(&self) -> &Diagnostic {
        &self.diagnostic
    }

    /// `file:line:col: severity[code]`.
    pub fn header(&self) -> &str {
        &self.header
    }

    fn labeled(&self, span: Span, label: &str, primary: bool) -> LabeledSpan {
        // Spans always lie inside their file; clamp anyway so that drawing never fails.
        let start = (span.start as usize).min(self.text_len);
        let end = (span.end as usize).clamp(start, self.text_len);
        let label = Some(label.to_string());
        if primary {
            LabeledSpan::new_primary_with_span(label, start..end)
        } else {
            LabeledSpan::new_with_span(label, start..end)
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.diagnostic, f)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(&self.diagnostic)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic.help()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let d = &self.diagnostic;
        let primary = std::iter::once(self.labeled(d.span, d.label_text(), true));
        let related = d
            .related
            .iter()
            .filter(|(span, _)| span.file == d.span.file)
            .map(|(span, label)| self.labeled(*span, label, false));
        Some(Box::new(primary.chain(related)))
    }
}

/// The diagnostic without its source text: code, severity, help and labels. Pair it
/// with its file through [`Diagnostic::report`] (or `miette::Report::with_source_code`
/// and the file's text) to draw the snippet.
impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = |s: Span| s.start as usize..(s.end.max(s.start) as usize);
        let primary = std::iter::once(LabeledSpan::new_primary_with_span(
            Some(self.label_text().to_string()),
            span(self.span),
        ));
        let related = self
            .related
            .iter()
            .filter(|(s, _)| s.file == self.span.file)
            .map(move |(s, label)| LabeledSpan::new_with_span(Some(label.clone()), span(*s)));
        Some(Box::new(primary.chain(related)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::DiagnosticCode;
    use crate::source::SourceFile;

    #[test]
    fn the_first_line_holds_the_location_and_the_rest_is_drawn_by_miette() {
        let mut map = SourceMap::new();
        let id = map.add(SourceFile::new(
            "p.policy",
            "let a = 1\nwindow w is 60 dayz from at\n",
        ));
        let d = Diagnostic::error(
            DiagnosticCode::Syntax,
            Span::new(id, 25, 29),
            "unknown unit",
        )
        .with_label("not a unit")
        .with_help("use days");
        let text = d.render(&map);
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(first, "p.policy:2:16: error[syntax]");
        assert!(text.contains("× unknown unit"), "{text}");
        assert!(text.contains("2 │ window w is 60 dayz from at"), "{text}");
        assert!(text.contains("not a unit"), "{text}");
        assert!(text.contains("help: use days"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour: {text}");
        assert!(d.render_styled(&map, true).contains('\u{1b}'));
    }

    #[test]
    fn the_drawn_column_is_the_header_column_after_letters_of_several_bytes() {
        // Regression: miette counted bytes, so after `Í` (two bytes) its column was one
        // more than the header's.
        let mut map = SourceMap::new();
        let text = "let x = 1\nmarkets m \"Ísland, 중국\" {\n";
        let id = map.add(SourceFile::new("p.policy", text));
        let brace = text.find('{').unwrap_or(0);
        let d = Diagnostic::error(
            DiagnosticCode::Syntax,
            Span::new(id, brace, brace + 1),
            "open",
        );
        let out = d.render(&map);
        assert!(out.starts_with("p.policy:2:24: error[syntax]"), "{out}");
        assert!(out.contains("╭─[p.policy:2:24]"), "{out}");
    }

    #[test]
    fn spans_at_the_end_of_the_file_are_drawn() {
        let mut map = SourceMap::new();
        let text = "rule r permit a\n";
        let id = map.add(SourceFile::new("p.policy", text));
        let d = Diagnostic::error(
            DiagnosticCode::Syntax,
            Span::new(id, text.len(), text.len()),
            "eof",
        );
        let out = d.render(&map);
        // Shown just after the last word, on the last line that has text.
        assert!(out.starts_with("p.policy:1:16: error[syntax]"), "{out}");
        assert!(out.contains("here"), "the label is drawn: {out}");
    }

    #[test]
    fn a_very_long_line_is_cut_around_the_column() {
        // Regression: miette's drawing panicked on a column past 65,535.
        let mut map = SourceMap::new();
        let text = format!("let a = 1\nlet b = {}zzz\nlet c = 3\n", " ".repeat(70_000));
        let id = map.add(SourceFile::new("p.policy", text.as_str()));
        let start = text.find("zzz").unwrap();
        let d = Diagnostic::error(
            DiagnosticCode::UnknownName,
            Span::new(id, start, start + 3),
            "no `zzz`",
        )
        .with_related(Span::new(id, 4, 5), "a")
        .with_help("declare it");
        let coloured = d.render_styled(&map, true);
        assert!(coloured.contains("p.policy:2:70009: error[unknown-name]"));
        assert!(coloured.len() < 4_000, "{} bytes", coloured.len());
        let out = d.render(&map);
        assert!(
            out.starts_with("p.policy:2:70009: error[unknown-name]\n"),
            "{out}"
        );
        assert!(out.contains("help: declare it"), "{out}");
        assert!(out.len() < 4_000, "{} bytes", out.len());
        let line = out
            .lines()
            .find(|l| l.starts_with(" 2 │"))
            .unwrap_or_default();
        assert!(line.starts_with(" 2 │ …") && line.ends_with("zzz"), "{out}");
        let spaces = line.chars().filter(|&c| c == ' ').count();
        assert_eq!(
            spaces,
            3 + 100,
            "the gutter, then 100 characters before: {line}"
        );
        // The lines before and after keep their numbers and text.
        assert!(out.contains("1 │ let a = 1"), "{out}");
        assert!(out.contains("3 │ let c = 3"), "{out}");
    }

    #[test]
    fn offsets_map_into_the_excerpt() {
        let text = format!("ab\n{}X{}\ncd\n", "y".repeat(500), "z".repeat(500));
        let x = text.find('X').unwrap();
        let excerpt = Excerpt::new(&text, &[x], 40);
        assert_eq!(excerpt.cuts.len(), 1);
        let line2 = excerpt.text.lines().nth(1).unwrap();
        assert_eq!(
            line2.chars().count(),
            42,
            "40 characters and two marks: {line2}"
        );
        assert!(line2.starts_with('…') && line2.ends_with('…'));
        // Before the cut line: unchanged; the point itself; after: shifted.
        assert_eq!(excerpt.offset(1), 1);
        assert_eq!(
            excerpt
                .text
                .get(excerpt.offset(x)..)
                .unwrap()
                .chars()
                .next(),
            Some('X')
        );
        let c = text.find("cd").unwrap();
        assert_eq!(excerpt.text.get(excerpt.offset(c)..), Some("cd\n"));
        assert_eq!(excerpt.offset(text.len()), excerpt.text.len());
        // A place cut away goes to the nearer end of what is kept.
        let kept_start = excerpt.offset(3);
        assert_eq!(
            excerpt.text.get(kept_start..).unwrap().chars().next(),
            Some('y')
        );
        // Short lines are kept as they are.
        let short = Excerpt::new("a\nb\n", &[0], 40);
        assert!(short.cuts.is_empty());
        assert_eq!(short.text, "a\nb\n");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any line lengths, tabs and wide characters, any span: the drawing never
        /// panics, starts with the exact location, and stays bounded.
        #[test]
        fn drawing_never_panics_and_starts_with_the_location(
            lines in proptest::collection::vec(
                (0usize..20_000, proptest::sample::select(vec!['a', '\t', '日', ' ', '\u{85}'])),
                1..5,
            ),
            start in 0usize..80_000,
            len in 0usize..5000,
        ) {
            let text: String = lines
                .iter()
                .map(|(n, c)| format!("{}\n", c.to_string().repeat(*n)))
                .collect();
            let mut map = SourceMap::new();
            let id = map.add(SourceFile::new("p.policy", text.as_str()));
            let mut start = start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let d = Diagnostic::error(DiagnosticCode::Syntax, Span::new(id, start, end), "m")
                .with_related(Span::new(id, 0, 1), "first");
            let out = d.render(&map);
            let location = d.location(&map);
            let header = format!("{location}: error[syntax]");
            proptest::prop_assert_eq!(out.lines().next(), Some(header.as_str()));
            proptest::prop_assert!(out.len() < 40_000, "{} bytes", out.len());
        }
    }
}
