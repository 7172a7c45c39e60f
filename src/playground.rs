//! The playground's one step: policy files and a request, as an author types them, in;
//! `check`'s diagnostics located in the text and the decision (with its explanation and
//! facts) out. The same loader, checker and evaluator as every command, under the same
//! limits as every input, plus the playground's own caps on what one step may carry
//! ([`crate::limits::PLAYGROUND_FILES`], [`crate::limits::PLAYGROUND_BYTES`]). The server
//! (`serve --playground`) answers `POST /v1/playground` with [`run`]'s output as JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::limits::{PLAYGROUND_BYTES, PLAYGROUND_FILES};
use crate::source::{SourceFile, SourceMap, Span};
use crate::stream::Format;

/// One playground step, as the page sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The policy's files, in the order they are read.
    pub files: Vec<InputFile>,
    /// The request, as JSON or YAML text.
    pub request: String,
    /// `json` or `yaml`; by the first character that is not a space when absent (`{`:
    /// JSON).
    #[serde(default)]
    pub format: Option<RequestFormat>,
    /// Whether the decision carries its explanation.
    #[serde(default)]
    pub explain: bool,
}

/// One policy file of an [`Input`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputFile {
    /// Its name, shown in diagnostics.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// How the request is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestFormat {
    /// One JSON object.
    Json,
    /// One YAML document.
    Yaml,
}

/// What one step gives back.
#[derive(Debug, Serialize)]
pub struct Output {
    /// Every diagnostic of the policy, located in its file.
    pub diagnostics: Vec<Located>,
    /// How many of them are errors.
    pub errors: usize,
    /// How many are warnings.
    pub warnings: usize,
    /// The decision, exactly as `eval --format json` writes it (with `explanation` when
    /// asked); `None` when the policy has errors (nothing is decided then).
    pub decision: Option<Box<RawValue>>,
    /// The same decision as `eval --format text` writes it.
    pub decision_text: Option<String>,
}

/// A diagnostic with its place as the page needs it: 1-based lines and columns counted
/// in characters (Unicode scalar values), the end exclusive.
#[derive(Debug, Serialize)]
pub struct Located {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// The stable code (`unknown-field`).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
    /// Where, with the few words shown under it.
    pub at: Place,
    /// Other places that explain this one, each with its words.
    pub related: Vec<Place>,
}

/// A range of one file's text.
#[derive(Debug, Serialize)]
pub struct Place {
    /// The file's name.
    pub file: String,
    /// The file's position among the input's files (0-based).
    pub file_index: u32,
    /// First line (1-based).
    pub line: usize,
    /// First column (1-based, in characters).
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column of the end (exclusive).
    pub end_column: usize,
    /// The words shown under the range.
    pub label: Option<String>,
}

/// Why a step was refused before anything was checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaygroundError {
    /// More files than [`PLAYGROUND_FILES`].
    #[error("{count} policy files: the playground takes at most {PLAYGROUND_FILES}")]
    TooManyFiles {
        /// How many were sent.
        count: usize,
    },
    /// More text than [`PLAYGROUND_BYTES`], policy and request together.
    #[error(
        "{bytes} bytes of policy and request: the playground takes at most {PLAYGROUND_BYTES}"
    )]
    TooLarge {
        /// How many were sent.
        bytes: usize,
    },
    /// No policy file.
    #[error("no policy file: the playground needs at least one")]
    NoFiles,
}

/// Checks the input's policy and, when it has no error, decides its request at `now`
/// (the time of requests without `at`).
pub fn run(input: &Input, now: DateTime<Utc>) -> Result<Output, PlaygroundError> {
    if input.files.is_empty() {
        return Err(PlaygroundError::NoFiles);
    }
    if input.files.len() > PLAYGROUND_FILES {
        return Err(PlaygroundError::TooManyFiles {
            count: input.files.len(),
        });
    }
    let bytes = input
        .files
        .iter()
        .map(|f| f.text.len() + f.name.len())
        .sum::<usize>()
        + input.request.len();
    if bytes > PLAYGROUND_BYTES {
        return Err(PlaygroundError::TooLarge { bytes });
    }
    let mut sources = SourceMap::new();
    for file in &input.files {
        sources.add(SourceFile::new(file.name.clone(), file.text.clone()));
    }
    let loaded = crate::load::compile(sources);
    let diagnostics: Vec<Located> = loaded
        .diagnostics
        .iter()
        .map(|d| Located {
            severity: d.severity.as_str(),
            code: d.code.as_str(),
            message: d.message.clone(),
            help: d.help.clone(),
            at: place(
                &loaded.sources,
                d.span,
                d.label.as_deref().map(str::to_string),
            ),
            related: d
                .related
                .iter()
                .map(|(span, label)| place(&loaded.sources, *span, Some(label.clone())))
                .collect(),
        })
        .collect();
    let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
    let warnings = diagnostics.len() - errors;
    let (decision, decision_text) = match &loaded.policy {
        Some(policy) => {
            let format = input.format.unwrap_or_else(|| guess_format(&input.request));
            let mut options = crate::Options::at(now);
            options.explain = input.explain;
            let decision = policy.decide_document(
                &crate::stream::Document {
                    text: &input.request,
                    line: 1,
                    format: match format {
                        RequestFormat::Json => Format::Json,
                        RequestFormat::Yaml => Format::Yaml,
                    },
                    oversized: None,
                    not_utf8: false,
                },
                &options,
            );
            let mut text = String::new();
            decision.write_text(&mut text);
            (RawValue::from_string(decision.to_json()).ok(), Some(text))
        }
        None => (None, None),
    };
    Ok(Output {
        diagnostics,
        errors,
        warnings,
        decision,
        decision_text,
    })
}

/// JSON when the request's first character that is not a space is `{`, else YAML.
fn guess_format(request: &str) -> RequestFormat {
    if request.trim_start().starts_with('{') {
        RequestFormat::Json
    } else {
        RequestFormat::Yaml
    }
}

/// The place of `span`, with lines and columns in characters.
fn place(sources: &SourceMap, span: Span, label: Option<String>) -> Place {
    let start = sources.location(span);
    let end = sources.location(Span {
        start: span.end,
        ..span
    });
    Place {
        file: start.file,
        file_index: span.file,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        crate::parse_time("2026-11-25T12:00:00Z").unwrap()
    }

    fn embedded_input(request: &str) -> Input {
        Input {
            files: crate::load::embedded_sources()
                .files()
                .iter()
                .map(|f| InputFile {
                    name: f.name.clone(),
                    text: f.text.clone(),
                })
                .collect(),
            request: request.to_string(),
            format: None,
            explain: true,
        }
    }

    #[test]
    fn the_embedded_policy_decides_as_eval_does() {
        let request = r#"{"action":"purchase","at":"2026-11-25T12:00:00Z","actor":{"kind":"partner","roles":["admin_agent"]},"customer":{"market":"KR"},"product":{"category":"server_subscription"}}"#;
        let out = run(&embedded_input(request), now()).unwrap();
        assert_eq!(out.errors, 0);
        let policy = crate::Policy::embedded().unwrap();
        let mut options = crate::Options::at(now());
        options.explain = true;
        let expected = policy.decide_document(
            &crate::stream::Document::whole(request, Format::Json),
            &options,
        );
        assert_eq!(out.decision.unwrap().get(), expected.to_json());
        assert!(out.decision_text.unwrap().contains("ALLOW purchase"));
    }

    #[test]
    fn a_mistake_is_located_in_characters_and_nothing_is_decided() {
        let mut input = embedded_input("action: purchase\n");
        input.files.push(InputFile {
            name: "mine.policy".into(),
            text: "# 한국어 주석\nfact f for cancel = order.purchase_at\n".into(),
        });
        let out = run(&input, now()).unwrap();
        assert!(out.decision.is_none());
        assert_eq!(out.errors, 1);
        let d = &out.diagnostics[0];
        assert_eq!(d.code, "unknown-field");
        assert_eq!(d.at.file, "mine.policy");
        assert_eq!((d.at.line, d.at.column), (2, 21));
        assert_eq!((d.at.end_line, d.at.end_column), (2, 38));
    }

    #[test]
    fn the_caps_are_checked_before_anything_else() {
        let mut input = embedded_input("{}");
        input.files = Vec::new();
        assert_eq!(run(&input, now()).unwrap_err(), PlaygroundError::NoFiles);
        input.files = (0..=PLAYGROUND_FILES)
            .map(|i| InputFile {
                name: format!("{i}.policy"),
                text: String::new(),
            })
            .collect();
        assert!(matches!(
            run(&input, now()),
            Err(PlaygroundError::TooManyFiles { .. })
        ));
        input.files.truncate(1);
        input.request = "x".repeat(PLAYGROUND_BYTES + 1);
        assert!(matches!(
            run(&input, now()),
            Err(PlaygroundError::TooLarge { .. })
        ));
    }
}
