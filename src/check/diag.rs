//! Diagnostics: what the checker (and the parser, through it) reports about a policy,
//! each with a severity, a stable code, a located message, a label under the offending
//! text and an optional hint; and their records (`check --format json|yaml`).
//!
//! Drawing a diagnostic with its source text is `render.rs`; the "did you mean" matcher
//! is `suggest.rs`; the codes are `code.rs`.

use std::fmt;
use std::fmt::Write as _;

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
            crate::json::write_str
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
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

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
}
