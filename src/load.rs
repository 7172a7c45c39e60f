//! Loading a policy: files and folders from disk, or the default policy embedded in the
//! binary, through the parser and the checker into a [`CompiledPolicy`]. A syntax
//! error does not stop the loading: the broken declaration is skipped
//! (`load/recover.rs`) and the rest of every file is still checked, so `check` shows
//! every problem at once.

mod recover;

use std::path::PathBuf;

use crate::check::{self, Diagnostic, Severity};
use crate::policy::CompiledPolicy;
use crate::source::{SourceFile, SourceMap};
use crate::syntax;

include!(concat!(env!("OUT_DIR"), "/embedded_policy.rs"));

/// The extension of policy files.
pub(crate) const POLICY_EXTENSION: &str = "policy";

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A folder holds no policy file.
    #[error("{path} holds no .{POLICY_EXTENSION} file")]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// The policy has syntax or checking errors.
    #[error("the policy has {} error(s)", .diagnostics.iter().filter(|d| d.severity == Severity::Error).count())]
    Invalid {
        /// The sources, for rendering.
        sources: Box<SourceMap>,
        /// Every diagnostic, errors and warnings.
        diagnostics: Vec<Diagnostic>,
    },
}

impl LoadError {
    /// Renders the error for a terminal: every diagnostic with its source line and caret.
    pub fn render(&self) -> String {
        match self {
            LoadError::Invalid {
                sources,
                diagnostics,
            } => diagnostics
                .iter()
                .map(|d| d.render(sources))
                .collect::<Vec<_>>()
                .join("\n"),
            other => format!("error: {other}\n"),
        }
    }
}

/// The outcome of loading and checking: the policy (if it has no errors) and all
/// diagnostics, for `check`.
pub struct Loaded {
    /// The sources read.
    pub sources: SourceMap,
    /// The policy, when there is no error.
    pub policy: Option<CompiledPolicy>,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the policy files named by `paths` (files, or folders whose `*.policy` files are
/// read in name order).
pub(crate) fn read_sources(paths: &[PathBuf]) -> Result<SourceMap, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == POLICY_EXTENSION))
                .collect();
            if found.is_empty() {
                return Err(LoadError::Empty { path: path.clone() });
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut sources = SourceMap::new();
    for file in files {
        let bytes = std::fs::read(&file).map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| LoadError::Io {
            path: file.clone(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the file is not UTF-8 text",
            ),
        })?;
        sources.add(SourceFile::new(file.display().to_string(), text));
    }
    Ok(sources)
}

/// The sources of the embedded default policy.
pub fn embedded_sources() -> SourceMap {
    let mut sources = SourceMap::new();
    for (name, text) in EMBEDDED_POLICY {
        sources.add(SourceFile::new(
            format!("<embedded>/csp-software/{name}"),
            *text,
        ));
    }
    sources
}

/// Parses and checks the given sources, collecting every diagnostic: syntax errors of
/// every file, and the checker's findings on everything that parsed.
pub fn compile(sources: SourceMap) -> Loaded {
    let mut parsed = Vec::new();
    let mut diagnostics = Vec::new();
    let mut skipped = recover::Skipped::default();
    for (index, file) in sources.files().iter().enumerate() {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        let (tree, errors, file_skipped) = recover::parse(index, &file.text);
        diagnostics.extend(errors.iter().map(|e| syntax_diagnostic(e, &file.text)));
        skipped.merge(file_skipped);
        parsed.push(tree);
    }
    let checked = check::check_partial(sources.clone(), &parsed, &skipped);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.severity));
    let policy = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        None
    } else {
        checked.policy
    };
    Loaded {
        sources,
        policy,
        diagnostics,
    }
}

/// A syntax error as a diagnostic, with a label saying what was found there.
fn syntax_diagnostic(error: &syntax::SyntaxError, text: &str) -> Diagnostic {
    let span = error.span();
    let label = match error {
        syntax::SyntaxError::Grammar { .. } if span.start as usize >= text.trim_end().len() => {
            "the file ends here"
        }
        syntax::SyntaxError::Grammar { message, help, .. } => {
            let new_declaration = message.starts_with("the `{`")
                || help
                    .as_deref()
                    .is_some_and(|h| h.contains("starts a new declaration"));
            if new_declaration {
                "a new declaration starts here"
            } else if message == "this string is never closed" {
                "no closing `\"` on this line"
            } else {
                "not expected here"
            }
        }
        syntax::SyntaxError::TooLarge { .. } => "the file starts here",
        syntax::SyntaxError::TooDeep { .. } => "one level too deep",
        syntax::SyntaxError::BadLiteral { .. } => "cannot be used",
    };
    Diagnostic::from(error).with_label(label)
}

/// Loads and checks a policy; any error makes it unusable.
pub(crate) fn load(sources: SourceMap) -> Result<CompiledPolicy, LoadError> {
    let loaded = compile(sources);
    match loaded.policy {
        Some(policy) => Ok(policy),
        None => Err(LoadError::Invalid {
            sources: Box::new(loaded.sources),
            diagnostics: loaded.diagnostics,
        }),
    }
}

/// Loads the policy from files and folders.
pub(crate) fn load_paths(paths: &[PathBuf]) -> Result<CompiledPolicy, LoadError> {
    load(read_sources(paths)?)
}

/// Loads the embedded default policy.
pub(crate) fn load_embedded() -> Result<CompiledPolicy, LoadError> {
    load(embedded_sources())
}
