//! `csp-policy fmt`: the canonical layout of policy files, printed from the syntax tree,
//! with the source's comments put back where they were.
//!
//! # The layout
//!
//! - Declarations are separated by one blank line. The one exception keeps the author's
//!   grouping of short definitions: a `let` or `fact` that directly follows a `let` or
//!   `fact` with no blank line between them in the source (comments above it count as
//!   part of it) stays directly below it.
//! - Blocks (`actions`, `roles for`, `input`, `markets`, `require for`) open with `{` on
//!   the declaration's line, hold one item per line indented by two spaces, and close
//!   with `}` on a line of its own; an empty block without comments is `{}`. A blank line
//!   between two items in the source is kept (several become one); none is kept right
//!   after `{` or before `}`.
//! - In `actions`, `roles`, `input` and `markets` blocks the first column (name, field
//!   path, market code) is padded to the longest one of the block plus two spaces. A
//!   field's `note` goes on a continuation line under the label column when the line
//!   would be longer than 100 characters; a market's display names are separated by two
//!   spaces.
//! - A rule is `rule ID` on its own line, then, indented by two spaces, `permit|forbid|
//!   reject ACTIONS [to ROLES]`, the `when`/`unless` condition on its own line, and
//!   `because "..."`.
//! - `let` and `fact` stay on one line when it fits in 100 characters; otherwise the
//!   value goes on a continuation line indented by two spaces. Nothing else is broken:
//!   a line holding one long expression or string may be longer than 100 characters.
//! - Expressions are written on one line with single spaces around operators and the
//!   fewest parentheses that keep the same tree (see `expr.rs`). Durations are written
//!   `1 day`, `2 days`; field types with their usual article (`a time`, `text`, `money`).
//! - Strings are re-escaped: `\"`, `\\`, `\n`, `\t`; brace escapes `\{` `\}` as written;
//!   every other character as itself.
//! - Lines have no trailing spaces; the file ends with one line break (an empty file
//!   stays empty). Line breaks are `\n`; a byte order mark is dropped.
//!
//! # Comments
//!
//! The parser drops comments, so they are read again from the source text (`#` to the
//! end of the line, outside strings). A comment on a line of its own stays above the
//! next declaration, the next item of a block, or the next part of a rule (its `when`
//! line, say); at the end of a block or of the file it stays there. A comment at the end
//! of a line stays at the end of the line that prints the code before it. A comment
//! inside something the formatter writes on one line (an expression spread over several
//! lines, a field whose note was on the next line) moves to just above that line, which
//! for a `let` or a one-line `fact` is above the declaration. Blank lines between
//! comments above a declaration or an item are kept.
//!
//! # Guarantees
//!
//! Formatting is idempotent, and the formatted text parses to the same syntax tree as the
//! original, spans aside ([`without_spans`]): [`format_source`] checks the second on
//! every run (and that no comment was lost) and refuses to produce a text that fails it.

mod comments;
mod expr;
mod layout;
pub mod paths;
mod place;
mod spans;

pub use spans::without_spans;

use crate::syntax::{self, ast::Declaration, ast::PolicyFile, SyntaxError};

/// Why a text could not be formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text does not parse.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// The formatter would have changed the meaning or lost a comment: a bug in the
    /// formatter; the text is left as it is.
    #[error("internal error: {0}; the file is left untouched")]
    Internal(String),
}

fn is_let_or_fact(d: &Declaration) -> bool {
    matches!(
        d,
        Declaration::Constant(_) | Declaration::Let(_) | Declaration::Fact(_)
    )
}

/// Formats a policy file's text: the canonical layout, comments kept.
pub fn format_source(text: &str) -> Result<String, FormatError> {
    let file = syntax::parse(0, text).map_err(|error| {
        // Described as `check` describes it (an unclosed `{` named at its line...).
        FormatError::Syntax(crate::load::first_syntax_error(text).unwrap_or(error))
    })?;
    let lines = comments::Lines::new(text);
    let found = comments::scan(text, &lines);
    let layouts = file
        .declarations
        .iter()
        .map(|d| (layout::declaration(d), is_let_or_fact(d)))
        .collect();
    let (decls, end) = place::place(text, layouts, &found, &lines)
        .ok_or_else(|| FormatError::Internal("the declarations could not be located".into()))?;
    let out = layout::render(&decls, &end);
    verify(&file, &found, &out)?;
    Ok(out)
}

/// Checks that `out` means what `original` means and keeps every comment.
fn verify(
    original: &PolicyFile,
    found: &[comments::Comment],
    out: &str,
) -> Result<(), FormatError> {
    let again = syntax::parse(0, out)
        .map_err(|e| FormatError::Internal(format!("the formatted text does not parse ({e})")))?;
    if without_spans(&again) != without_spans(original) {
        return Err(FormatError::Internal(
            "the formatted text would mean something else".into(),
        ));
    }
    let mut before: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
    let out_lines = comments::Lines::new(out);
    let after_found = comments::scan(out, &out_lines);
    let mut after: Vec<&str> = after_found.iter().map(|c| c.text.as_str()).collect();
    before.sort_unstable();
    after.sort_unstable();
    if before != after {
        return Err(FormatError::Internal("a comment would be lost".into()));
    }
    Ok(())
}

/// Prints a syntax tree in the canonical layout, without comments: `let`s and `fact`s
/// that follow each other are not separated by blank lines.
pub fn format_file(file: &PolicyFile) -> String {
    let decls: Vec<layout::Placed> = file
        .declarations
        .iter()
        .map(|d| layout::Placed {
            lines: layout::declaration(d),
            let_or_fact: is_let_or_fact(d),
        })
        .collect();
    layout::render(&decls, &[])
}

#[cfg(test)]
mod tests;
