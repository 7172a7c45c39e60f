//! Diagnostics: what the checker (and the parser, through it) reports about a policy,
//! each with a severity, a stable code, a located message, a label under the offending
//! text and an optional hint; their rendering through `miette`; and the "did you mean"
//! matcher.
//!
//! Rendering: a [`Diagnostic`] implements [`miette::Diagnostic`] (code, severity, help,
//! labelled spans). [`Diagnostic::report`] pairs it with its file's text (columns
//! counted in characters, as in the header: miette alone counts bytes), and
//! [`Diagnostic::render`] draws it with miette's [`GraphicalReportHandler`]. miette starts a report with the code alone; we replace
//! that first line with `file:line:col: severity[code]`, so the location is on the first
//! line as compilers print it, and editors, CI logs and `grep` find it.

use std::fmt;
use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};

use super::code::DiagnosticCode;
use crate::limits::{DIAGNOSTIC_LINE_CHARS, SUGGESTION_CANDIDATES};
use crate::source::{SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but probably not as meant.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What kind of problem it is; shown as a stable kebab-case string
    /// (`unknown-field`, `duplicate-market`).
    pub code: DiagnosticCode,
    /// What is wrong, in plain words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
    /// A few words under the offending text; a default for the code when `None`.
    /// (A boxed `str` keeps diagnostics small: checking returns them in `Result`s.)
    pub label: Option<Box<str>>,
    /// Other places that explain this one (the first declaration of a duplicate, the
    /// other half of a contradiction), each with its label. Only those in the same
    /// file as `span` are drawn; messages name the others' locations.
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            help: None,
            label: None,
            related: Vec::new(),
        }
    }

    /// A warning.
    pub fn warning(code: DiagnosticCode, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// The same diagnostic with this label under the offending text.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into().into_boxed_str());
        self
    }

    /// Adds another labelled place that explains this diagnostic.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    /// The label drawn under the offending text.
    pub fn label_text(&self) -> &str {
        match &self.label {
            Some(label) => label,
            None => self.code.default_label(),
        }
    }

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

    /// Where it is shown: the start of [`SourceMap::display_span`].
    pub fn location(&self, sources: &SourceMap) -> crate::source::Location {
        sources.location(sources.display_span(self.span))
    }

    /// Appends the diagnostic as one flow mapping with `file`, `line`, `column`,
    /// `severity`, `code`, `message` and `help` (null when there is none): a line of JSON,
    /// or with `yaml` a YAML list item (`- {...}`) whose strings are YAML-escaped
    /// ([`crate::decision::yaml_str`]), so that it reads back as the same data.
    pub fn write_record(&self, sources: &SourceMap, out: &mut String, yaml: bool) {
        let string: fn(&mut String, &str) = if yaml {
            crate::decision::yaml_str
        } else {
            crate::decision::json_str
        };
        let location = self.location(sources);
        if yaml {
            out.push_str("- ");
        }
        out.push_str("{\"file\":");
        string(out, &location.file);
        let _ = write!(
            out,
            ",\"line\":{},\"column\":{},\"severity\":",
            location.line, location.column
        );
        string(out, self.severity.as_str());
        out.push_str(",\"code\":");
        string(out, self.code.as_str());
        out.push_str(",\"message\":");
        string(out, &self.message);
        out.push_str(",\"help\":");
        match &self.help {
            Some(h) => string(out, h),
            None => out.push_str("null"),
        }
        out.push('}');
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

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

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

/// `did you mean `x`?` for the closest of `candidates` to `name`, when one is close:
/// the same name in another case first, then the most similar (Jaro-Winkler above 0.8,
/// or at most two edits for names of five letters or more).
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to `name`, when one is close enough to be a slip. Dotted
/// paths must be close in their last part too (`order.number` is no slip for
/// `order.currency`).
///
/// Cost: a candidate that cannot score above the bar is ruled out by counting the
/// characters the two names share (exact, no allocation), and at
/// most [`SUGGESTION_CANDIDATES`] candidates are looked at, so that a policy with
/// thousands of unknown names is still checked in linear time.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    let lower = name.to_lowercase();
    for candidate in candidates.into_iter().take(SUGGESTION_CANDIDATES) {
        if candidate == name {
            continue;
        }
        let candidate_lower: std::borrow::Cow<'_, str> =
            if candidate.chars().any(char::is_uppercase) {
                candidate.to_lowercase().into()
            } else {
                candidate.into()
            };
        let score = if *candidate_lower == *lower {
            2.0
        } else if !could_be_close(&lower, &candidate_lower) {
            continue;
        } else {
            let whole = similarity(&lower, &candidate_lower);
            let last = match (lower.rsplit_once('.'), candidate_lower.rsplit_once('.')) {
                (Some((_, a)), Some((_, b))) => similarity(a, b),
                _ => whole,
            };
            whole.min(last)
        };
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Whether [`similarity`] of `a` and `b` can be above 0.8, judged from the characters
/// they share (as multisets; `m` below), which bound both measures: Jaro-Winkler is at
/// most 0.4 + 0.6 × Jaro, so above 0.8 it needs Jaro above 2/3, which needs
/// `m/|a| + m/|b| > 1` (Jaro's matching characters are shared ones); two edits leave at
/// most two characters of the longer name unshared. Names that are not ASCII are never
/// ruled out.
fn could_be_close(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return true;
    }
    let mut counts = [0u32; 128];
    for byte in a.bytes() {
        if let Some(count) = counts.get_mut(usize::from(byte)) {
            *count += 1;
        }
    }
    let mut shared = 0usize;
    for byte in b.bytes() {
        if let Some(count) = counts.get_mut(usize::from(byte)) {
            if *count > 0 {
                *count -= 1;
                shared += 1;
            }
        }
    }
    let (la, lb) = (a.len(), b.len());
    let jaro_possible = shared * (la + lb) > la * lb;
    let near_possible = la >= 5 && shared + 2 >= la.max(lb);
    jaro_possible || near_possible
}

/// Jaro-Winkler similarity, raised above the bar for names of five letters or more
/// that are at most two edits apart.
fn similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let (la, lb) = (a.chars().count(), b.chars().count());
    // Two edits change the length by two at most: no need to count them otherwise.
    let near = la >= 5 && la.abs_diff(lb) <= 2 && strsim::damerau_levenshtein(a, b) <= 2;
    if near {
        jw.max(0.81)
    } else {
        jw
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn suggests_the_closest_name() {
        let fields = ["order.purchased_at", "order.price", "order.id"];
        assert_eq!(
            did_you_mean("order.purchase_at", fields).as_deref(),
            Some("did you mean `order.purchased_at`?")
        );
        assert_eq!(did_you_mean("zzz", fields), None);
        assert_eq!(did_you_mean("order.number", ["order.currency"]), None);
        assert_eq!(
            did_you_mean("Admin_Agent", ["admin_agent", "sales_agent"]).as_deref(),
            Some("did you mean `admin_agent`?")
        );
    }

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

    /// Characters a writer must escape, for the round-trip tests.
    const AWKWARD: &str =
        "\u{0}\u{1}\t\n\r\u{1b}\"\\:#-\u{7f}\u{85}\u{9f}\u{2028}\u{2029}\u{feff}\u{fffe}\u{ffff}é日😀";

    fn awkward_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let chars: Vec<char> = AWKWARD.chars().collect();
        let character = prop_oneof![any::<char>(), proptest::sample::select(chars)];
        proptest::collection::vec(character, 0..20).prop_map(String::from_iter)
    }

    /// What a record of `d` stands for.
    fn expected(d: &Diagnostic, map: &SourceMap) -> serde_json::Value {
        let location = d.location(map);
        serde_json::json!({
            "file": location.file,
            "line": location.line,
            "column": location.column,
            "severity": d.severity.as_str(),
            "code": d.code.as_str(),
            "message": d.message,
            "help": d.help,
        })
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

        /// JSON and YAML records read back as the same data, whatever the text.
        #[test]
        fn records_read_back_as_the_same_data(
            name in awkward_text(),
            message in awkward_text(),
            help in proptest::option::of(awkward_text()),
        ) {
            let mut map = SourceMap::new();
            let id = map.add(SourceFile::new(name, "let a = 1\n"));
            let mut d = Diagnostic::warning(DiagnosticCode::Unused, Span::new(id, 4, 5), message);
            d.help = help;
            let want = expected(&d, &map);

            let mut json = String::new();
            d.write_record(&map, &mut json, false);
            let read: serde_json::Value = serde_json::from_str(&json)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {json}")))?;
            proptest::prop_assert_eq!(&read, &want);

            let mut yaml = String::new();
            d.write_record(&map, &mut yaml, true);
            yaml.push('\n');
            d.write_record(&map, &mut yaml, true);
            let read: Vec<serde_json::Value> = serde_saphyr::from_str(&yaml)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e}: {yaml}")))?;
            proptest::prop_assert_eq!(read, vec![want.clone(), want]);
        }
    }

    /// The search without the shortcut and without the cap: what [`closest`] must find.
    fn closest_by_brute_force<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let lower = name.to_lowercase();
        let mut best: Option<(f64, &str)> = None;
        for &candidate in candidates {
            if candidate == name {
                continue;
            }
            let c = candidate.to_lowercase();
            let score = if c == lower {
                2.0
            } else {
                let jw = |a: &str, b: &str| {
                    let near = a.chars().count() >= 5 && strsim::damerau_levenshtein(a, b) <= 2;
                    let jw = strsim::jaro_winkler(a, b);
                    if near {
                        jw.max(0.81)
                    } else {
                        jw
                    }
                };
                let whole = jw(&lower, &c);
                let last = match (lower.rsplit_once('.'), c.rsplit_once('.')) {
                    (Some((_, a)), Some((_, b))) => jw(a, b),
                    _ => whole,
                };
                whole.min(last)
            };
            if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, candidate));
            }
        }
        best.map(|(_, c)| c)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Ruling candidates out by their shared characters never changes the answer.
        #[test]
        fn the_shortcut_finds_what_the_full_search_finds(
            name in "[a-dA-D_.]{0,9}",
            candidates in proptest::collection::vec("[a-d_.]{0,9}", 0..12),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(
                closest(&name, candidates.iter().copied()),
                closest_by_brute_force(&name, &candidates)
            );
        }
    }
}
