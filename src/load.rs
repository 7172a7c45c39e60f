//! Loading a policy: files and folders from disk, or the default policy embedded in the
//! binary, through the parser and the checker into a [`Policy`](crate::Policy). A syntax
//! error does not stop the loading: the broken declaration is skipped
//! (`load/recover.rs`) and the rest of every file is still checked, so `check` shows
//! every problem at once.
//!
//! Reading is bounded and stays where it was sent (`files`): each file at most
//! [`POLICY_FILE_BYTES`], all together at most [`POLICY_TOTAL_BYTES`], a folder at most
//! [`POLICY_FILES`] files, and never a symbolic link out of a folder.

mod prepared;
mod recover;

use std::path::PathBuf;

use crate::check::{self, Diagnostic, Severity};
use crate::files::{self, FileError, Skipped};
use crate::limits::{POLICY_FILES, POLICY_FILE_BYTES, POLICY_TOTAL_BYTES};
use crate::source::{SourceFile, SourceMap};
use crate::syntax;

include!(concat!(env!("OUT_DIR"), "/embedded_policy.rs"));

/// The extension of policy files.
pub(crate) const POLICY_EXTENSION: &str = "policy";

/// Why a policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A file or folder could not be read (or was refused: too large, not text, a
    /// folder with too many files).
    #[error(transparent)]
    File(#[from] FileError),
    /// A folder holds no policy file.
    #[error("{} holds no .{POLICY_EXTENSION} file", path.display())]
    Empty {
        /// The folder.
        path: PathBuf,
    },
    /// The files together hold more policy text than
    /// [`crate::limits::POLICY_TOTAL_BYTES`].
    #[error("the policy files hold more than {POLICY_TOTAL_BYTES} bytes together (the limit); {} is past it", path.display())]
    TooMuchText {
        /// The file that went past the limit.
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
    pub policy: Option<crate::Policy>,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// Every diagnostic rendered against the sources (file, line, the text underlined),
    /// in the order the checker found them.
    pub fn render_diagnostics(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.sources))
            .collect()
    }
}

/// Reads the policy files named by `paths` (files, or folders whose `*.policy` files are
/// read in name order); see [`read_sources_reporting`].
pub fn read_sources(paths: &[PathBuf]) -> Result<SourceMap, LoadError> {
    read_sources_reporting(paths, &mut |_| {})
}

/// Reads the policy files named by `paths`: a file is read whatever it is; a folder gives
/// its `*.policy` files in name order, without following a symbolic link out of it
/// (each entry skipped is given to `skipped`, for a warning), at most
/// [`POLICY_FILES`] of them. Every file is read up to [`POLICY_FILE_BYTES`] and all
/// together up to [`POLICY_TOTAL_BYTES`], enforced while reading.
pub fn read_sources_reporting(
    paths: &[PathBuf],
    skipped: &mut dyn FnMut(&Skipped),
) -> Result<SourceMap, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let listing = files::list(path, &[POLICY_EXTENSION], Some(POLICY_FILES))?;
            listing.skipped.iter().for_each(&mut *skipped);
            if listing.files.is_empty() {
                return Err(LoadError::Empty { path: path.clone() });
            }
            files.extend(listing.files);
        } else {
            files.push(path.clone());
        }
        if files.len() > POLICY_FILES {
            return Err(LoadError::File(FileError::TooMany {
                folder: path.clone(),
                limit: POLICY_FILES,
                extension: POLICY_EXTENSION.to_string(),
            }));
        }
    }
    let mut sources = SourceMap::new();
    let mut total = 0usize;
    for file in files {
        let text = files::read_text(&file, POLICY_FILE_BYTES as u64)?;
        total += text.len();
        if total > POLICY_TOTAL_BYTES {
            return Err(LoadError::TooMuchText { path: file });
        }
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
    let revision = crate::revision::Revision::of(&sources);
    diagnostics.extend(checked.diagnostics);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.severity));
    let policy = if diagnostics.iter().any(|d| d.severity == Severity::Error) {
        None
    } else {
        checked.policy.map(|compiled| crate::Policy {
            compiled,
            revision,
            files: sources.files().iter().map(|f| f.name.clone()).collect(),
        })
    };
    Loaded {
        sources,
        policy,
        diagnostics,
    }
}

/// The first syntax error of a policy file's text, in the words `check` reports it
/// (the one description: `fmt` uses it too). `None` when the text parses.
pub(crate) fn first_syntax_error(text: &str) -> Option<syntax::SyntaxError> {
    recover::first_error(0, text)
}

/// A syntax error as a diagnostic, with a label saying what was found there (the one
/// rendering of syntax errors: `check` and `fmt` both use it).
pub(crate) fn syntax_diagnostic(error: &syntax::SyntaxError, text: &str) -> Diagnostic {
    let span = error.span();
    let under = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let label = match error {
        syntax::SyntaxError::Grammar { message, .. }
            if under == "{" && message.ends_with("is never closed") =>
        {
            "this `{` is never closed"
        }
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
pub(crate) fn load(sources: SourceMap) -> Result<crate::Policy, LoadError> {
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
pub(crate) fn load_paths(paths: &[PathBuf]) -> Result<crate::Policy, LoadError> {
    load(read_sources(paths)?)
}

/// Loads the embedded default policy: its prepared compiled form (`load/prepared.rs`)
/// when that was compiled from exactly these sources, else parsed and checked.
pub(crate) fn load_embedded() -> Result<crate::Policy, LoadError> {
    let sources = embedded_sources();
    match prepared::read(&sources) {
        Some((mut compiled, revision)) => {
            let files = sources.files().iter().map(|f| f.name.clone()).collect();
            compiled.sources = sources;
            Ok(crate::Policy {
                compiled,
                revision,
                files,
            })
        }
        None => load(sources),
    }
}
