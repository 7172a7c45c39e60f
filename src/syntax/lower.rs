//! Lowering of pest pairs into the syntax tree. The grammar guarantees the shape of
//! each pair; where a pair is not what the grammar promises we return an error rather
//! than panic, so a grammar change can never crash the parser.
//!
//! One job per file: this one walks a file and holds what every part shares (the
//! spans, which end at a pair's last token, and the shape error); `decl.rs` lowers the
//! declarations, `expr.rs` expressions and tests, `literal.rs` the literals (numbers,
//! durations, dates and instants, strings and their escapes).

mod decl;
mod expr;
mod literal;

pub(crate) use literal::unescape;

use pest::iterators::{Pair, Pairs};

use super::ast::*;
use super::{scan, Rule, SyntaxError};
use crate::source::Span;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Lowers the pairs of a whole file.
pub(super) fn file(file: u32, mut pairs: Pairs<'_, Rule>) -> Result<PolicyFile> {
    let lower = Lower { file };
    let Some(root) = pairs.next() else {
        return Ok(PolicyFile::default());
    };
    let mut declarations = Vec::new();
    for pair in root.into_inner() {
        if pair.as_rule() == Rule::EOI {
            continue;
        }
        declarations.push(lower.declaration(pair)?);
    }
    Ok(PolicyFile { declarations })
}

struct Lower {
    file: u32,
}

impl Lower {
    /// Where a pair is, from its first token to its last: a pair's text may end with
    /// the blanks and comments the grammar skipped after its last token, which are not
    /// part of it.
    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.start() + token_end(pair.as_str()))
    }

    pub(super) fn shape(&self, pair: &Pair<'_, Rule>) -> SyntaxError {
        SyntaxError::Grammar {
            message: format!("unexpected {:?} here", pair.as_rule()),
            span: self.span(pair),
            help: None,
        }
    }

    pub(super) fn next<'i>(
        &self,
        inner: &mut Pairs<'i, Rule>,
        parent: &Pair<'i, Rule>,
    ) -> Result<Pair<'i, Rule>> {
        inner.next().ok_or_else(|| self.shape(parent))
    }

    pub(super) fn name(&self, pair: &Pair<'_, Rule>) -> Name {
        Name {
            text: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    pub(super) fn path(&self, pair: &Pair<'_, Rule>) -> Path {
        Path {
            segments: pair.as_str().split('.').map(str::to_string).collect(),
            span: self.span(pair),
        }
    }
}

/// The length of `text` up to the end of its last token: without the blanks
/// (`WHITESPACE` of the grammar) and comments after it. Strings are tokens whatever
/// they hold (`"a # b"` ends at its quote).
fn token_end(text: &str) -> usize {
    let layout: &[char] = &[' ', '\t', '\r', '\n', '\u{FEFF}'];
    // Most pairs end at a token: nothing to scan.
    if !text.ends_with(layout) && !text.contains('#') {
        return text.len();
    }
    let mut end = 0;
    for region in scan::regions(text) {
        match region.kind {
            scan::Kind::Code => {
                let code = region.text.trim_end_matches(layout);
                if !code.is_empty() {
                    end = region.start + code.len();
                }
            }
            scan::Kind::String { .. } => end = region.end(),
            scan::Kind::Comment => {}
        }
    }
    end
}

#[cfg(test)]
mod tests;
