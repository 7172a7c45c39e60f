//! Diagnostics: what the checker (and the parser, through it) reports about a policy,
//! each with a severity, a stable code, a located message, a label under the offending
//! text and an optional hint; their rendering through `miette`; and the "did you mean"
//! matcher.
//!
//! Rendering: a [`Diagnostic`] implements [`miette::Diagnostic`] (code, severity, help,
//! labelled spans). [`Diagnostic::report`] pairs it with its file as a
//! [`miette::NamedSource`], and [`Diagnostic::render`] draws it with miette's
//! [`GraphicalReportHandler`]. miette starts a report with the code alone; we replace
//! that first line with `file:line:col: severity[code]`, so the location is on the first
//! line as compilers print it, and editors, CI logs and `grep` find it.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::code::DiagnosticCode;
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

    /// This diagnostic with the text of its file, ready for any miette handler.
    pub fn report(&self, sources: &SourceMap) -> Report {
        let (name, text) = match sources.file(self.span.file) {
            Some(file) => (file.name.clone(), file.text.clone()),
            None => ("<unknown>".to_string(), String::new()),
        };
        let mut diagnostic = self.clone();
        diagnostic.span = sources.display_span(self.span);
        for (span, _) in &mut diagnostic.related {
            *span = sources.display_span(*span);
        }
        Report {
            header: format!(
                "{}: {}[{}]",
                sources.location(diagnostic.span),
                self.severity.as_str(),
                self.code
            ),
            diagnostic,
            source: NamedSource::new(name, text),
            text_len: sources.file(self.span.file).map_or(0, |f| f.text.len()),
        }
    }

    /// Where it is shown: the start of [`SourceMap::display_span`].
    pub fn location(&self, sources: &SourceMap) -> crate::source::Location {
        sources.location(sources.display_span(self.span))
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
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_wrap_lines(false)
            .with_context_lines(1);
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

/// A [`Diagnostic`] with the text of its file: what a miette handler needs to draw it.
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    header: String,
    source: NamedSource<String>,
    text_len: usize,
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
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    let lower = name.to_lowercase();
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let candidate_lower = candidate.to_lowercase();
        let score = if candidate_lower == lower {
            2.0
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

/// Jaro-Winkler similarity, raised above the bar for names of five letters or more
/// that are at most two edits apart.
fn similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let near = a.chars().count() >= 5 && strsim::damerau_levenshtein(a, b) <= 2;
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
}
