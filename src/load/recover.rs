//! Syntax-error recovery: one syntax error must not hide the rest of the policy.
//!
//! The parser stops at the first error of a file. To report every problem at once, the
//! loader blanks out the declaration that holds the error (every character but line
//! breaks becomes a space, so byte offsets, lines and columns do not move) and parses
//! the file again, up to [`crate::limits::SYNTAX_ERRORS_PER_FILE`] times. Declarations are found by their
//! keyword at the start of a line, outside braces (`rule`, `constant`, `let`, `window`, `link`,
//! `fact`, `markets`, `roles for`, `actions {`, `input {`, `require for`,
//! `otherwise deny`). An error exactly at such a keyword belongs to the declaration
//! before it (which did not end); an unclosed `{` makes the rest of the file one piece.
//!
//! When the text before that declaration does not parse alone, the mistake is in an
//! earlier declaration that did not end (`let a = 1 +` reads the next `let` as a name):
//! that one is reported and skipped instead. Inside a `{` that is never closed, a line
//! that starts a declaration is reported as the place where a `}` is missing; a `{`
//! still open at the end of the file is reported at its own line. When skipping the
//! declaration before an error leaves the same error, the declaration that holds it is
//! skipped, and the error is not reported again: one mistake, one diagnostic.
//! [`first_error`] describes a file's first error as [`parse`] does, for `fmt`.
//!
//! What the blanked text declared is recorded in [`Skipped`] (the checker's type), so
//! the checker can stay quiet about what it cannot know: uses of a skipped `let`,
//! window, link, fact or market list are not "unknown"; when a vocabulary block
//! (`actions`, `roles`, `input`) or text that is no declaration at all is skipped,
//! name-resolution errors and unused-declaration warnings are not reported.

pub(crate) use crate::check::Skipped;
use crate::limits::SYNTAX_ERRORS_PER_FILE;
use crate::syntax::{self, ast::PolicyFile, scan, SyntaxError};

/// Parses a file, skipping declarations with syntax errors; returns the tree of the
/// rest, every syntax error found, and what the skipped text declared.
pub(crate) fn parse(file: u32, text: &str) -> (PolicyFile, Vec<SyntaxError>, Skipped) {
    let mut skipped = Skipped::default();
    let mut errors: Vec<SyntaxError> = Vec::new();
    let mut work: Option<String> = None;
    // The error of the last parse, as the parser gave it.
    let mut last: Option<SyntaxError> = None;
    // Each round reports an error or meets the last one again; twice the limit ends it.
    for _ in 0..2 * SYNTAX_ERRORS_PER_FILE {
        let current = work.as_deref().unwrap_or(text);
        let error = match syntax::parse(file, current) {
            Ok(tree) => return (tree, errors, skipped),
            Err(e) => e,
        };
        skipped.anything = true;
        // The same error again: skipping the declaration before it did not help, so the
        // mistake is in the one that holds it; it was reported already.
        let again = last.as_ref() == Some(&error);
        last = Some(error.clone());
        let give_up = matches!(error, SyntaxError::TooLarge { .. })
            || errors.len() + 1 >= SYNTAX_ERRORS_PER_FILE;
        let (error, chunk) = if give_up {
            (error, None)
        } else if again {
            let at = error.span().start as usize;
            (error, chunk_holding(current, at))
        } else {
            locate(file, current, error)
        };
        if !again {
            errors.push(error);
        }
        let Some((start, end)) = chunk else {
            break;
        };
        record(current.get(start..end).unwrap_or(""), &mut skipped);
        let blanked = blank(current, start, end);
        if blanked == current {
            // Nothing changed: parsing again would find the same error.
            break;
        }
        work = Some(blanked);
    }
    skipped.vocabulary = true;
    (PolicyFile::default(), errors, skipped)
}

/// The first syntax error of a file, described as [`parse`] reports it (`fmt` says it
/// in the same words as `check`).
pub(crate) fn first_error(file: u32, text: &str) -> Option<SyntaxError> {
    let error = syntax::parse(file, text).err()?;
    if matches!(error, SyntaxError::TooLarge { .. }) {
        return Some(error);
    }
    Some(locate(file, text, error).0)
}

/// The error to report for the parser's `error`, and the declaration to skip: the one
/// that holds it, or an earlier one that did not end.
fn locate(file: u32, text: &str, error: SyntaxError) -> (SyntaxError, Option<(usize, usize)>) {
    let at = error.span().start as usize;
    let chunk = chunk_around(text, at);
    let (error, chunk) = match chunk {
        Some((start, _)) if start > 0 => {
            earlier_cause(file, text, start).map_or((error, chunk), |(e, c)| (e, Some(c)))
        }
        _ => (error, chunk),
    };
    let at = error.span().start as usize;
    let error = with_unclosed_brace_hint(error, text, at);
    let error = with_new_declaration_hint(error, text, chunk);
    (error, chunk)
}

/// When the text before the declaration that holds an error does not parse alone, the
/// error comes from an earlier declaration that did not end (`let a = 1 +` followed by
/// `let b = 2` reads `1 + let` and fails at `b`). Returns the error to report and the
/// declaration to skip instead.
fn earlier_cause(file: u32, text: &str, start: usize) -> Option<(SyntaxError, (usize, usize))> {
    let prefix = text.get(..start)?;
    let error = syntax::parse(file, prefix).err()?;
    let at = error.span().start as usize;
    let chunk = chunk_around(prefix, at)?;
    if at < prefix.trim_end().len() {
        return Some((error, chunk));
    }
    // The prefix ends too early: the next declaration's keyword is what was found.
    let SyntaxError::Grammar { message, .. } = &error else {
        return Some((error, chunk));
    };
    let word_end = text
        .get(start..)
        .and_then(|rest| rest.find(char::is_whitespace))
        .map_or(text.len(), |n| start + n);
    let word = text.get(start..word_end).unwrap_or("");
    let message = match message.strip_suffix("found the end of the file") {
        Some(head) => format!("{head}found `{word}`"),
        None => message.clone(),
    };
    let line = text.get(..chunk.0).map_or(0, |t| t.matches('\n').count()) + 1;
    Some((
        SyntaxError::Grammar {
            message,
            span: crate::source::Span::new(file, start, word_end),
            help: Some(format!(
                "`{word}` starts a new declaration, but the one before it (line {line}) is not finished"
            )),
        },
        chunk,
    ))
}

/// The declaration keywords that may start a line, and what must follow each.
fn starts_declaration(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let (Some(first), second) = (words.next(), words.next()) else {
        return false;
    };
    let second = second.unwrap_or("");
    let is_name = |w: &str| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    match first {
        "actions" | "input" => second.starts_with('{') || second.is_empty(),
        "roles" | "require" => second == "for",
        "otherwise" => second == "deny",
        "rule" | "constant" | "let" | "window" | "link" | "fact" | "markets" => is_name(second),
        _ => false,
    }
}

/// The byte offsets where a declaration starts at the beginning of a line, outside
/// braces (strings and comments do not count), and the line where each still-open
/// `{` was written, at the end.
fn boundaries(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if depth == 0 && starts_declaration(line) {
            out.push(offset + indent);
        }
        depth = depth_after(line, depth);
        offset += line.len();
    }
    out
}

/// The brace depth after one line, ignoring braces in strings and comments.
fn depth_after(line: &str, depth: usize) -> usize {
    scan::regions(line)
        .filter(scan::Region::is_code)
        .flat_map(|region| region.text.bytes())
        .fold(depth, |depth, b| match b {
            b'{' => depth + 1,
            b'}' => depth.saturating_sub(1),
            _ => depth,
        })
}

/// The byte range of the declaration that holds the error at `at`.
fn chunk_around(text: &str, at: usize) -> Option<(usize, usize)> {
    let mut starts = boundaries(text);
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    // The last boundary at or before the error.
    let index = starts.iter().rposition(|&b| b <= at)?;
    // An error right at a keyword means the declaration before it did not end.
    let index = if starts.get(index) == Some(&at) && index > 0 && at < text.len() {
        index - 1
    } else {
        index
    };
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).copied().unwrap_or(text.len());
    (start < end).then_some((start, end))
}

/// The byte range of the declaration that holds `at` itself.
fn chunk_holding(text: &str, at: usize) -> Option<(usize, usize)> {
    let mut starts = boundaries(text);
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    let index = starts.iter().rposition(|&b| b <= at)?;
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).copied().unwrap_or(text.len());
    (start < end).then_some((start, end))
}

/// An error found exactly where a declaration starts (expected `counted`, found
/// `rule`): the declaration before it, which is skipped, did not end. Says so.
fn with_new_declaration_hint(
    error: SyntaxError,
    text: &str,
    chunk: Option<(usize, usize)>,
) -> SyntaxError {
    let SyntaxError::Grammar {
        message,
        span,
        help: None,
    } = error
    else {
        return error;
    };
    let at = span.start as usize;
    let line_start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line = text.get(line_start..).unwrap_or("");
    let starts_here = text
        .get(line_start..at)
        .is_some_and(|indent| indent.trim().is_empty())
        && starts_declaration(line);
    match chunk {
        Some((chunk_start, _)) if starts_here && chunk_start < at => {
            let word = line.split_whitespace().next().unwrap_or("");
            let number = text
                .get(..chunk_start)
                .map_or(0, |t| t.matches('\n').count())
                + 1;
            SyntaxError::Grammar {
                message,
                span,
                help: Some(format!(
                    "`{word}` starts a new declaration, but the one before it (line {number}) is not finished"
                )),
            }
        }
        _ => SyntaxError::Grammar {
            message,
            span,
            help: None,
        },
    }
}

/// `text` with every character of `start..end` but line breaks replaced by spaces (as
/// many as the character's bytes, so that offsets do not move).
fn blank(text: &str, start: usize, end: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if i >= start && i < end && c != '\n' {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Records what a skipped piece of text declared.
fn record(chunk: &str, skipped: &mut Skipped) {
    let mut words = Vec::new();
    for line in chunk.lines() {
        words.extend(code_words(line));
    }
    let mut declares_something = false;
    for pair in words.windows(2) {
        let [keyword, name] = pair else { continue };
        match keyword.as_str() {
            "constant" | "let" | "window" | "link" | "fact" | "markets" => {
                skipped.names.insert(name.clone());
                declares_something = true;
            }
            "rule" | "require" | "otherwise" => declares_something = true,
            _ => {}
        }
    }
    let vocabulary = words
        .iter()
        .any(|w| matches!(w.as_str(), "actions" | "roles" | "input"));
    if vocabulary || !declares_something {
        skipped.vocabulary = true;
    }
}

/// The words of a line outside strings and comments.
fn code_words(line: &str) -> Vec<String> {
    scan::regions(line)
        .filter(scan::Region::is_code)
        .flat_map(|region| {
            region
                .text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| !word.is_empty())
        })
        .map(str::to_string)
        .collect()
}

/// When the error sits inside braces opened before a line that starts a declaration,
/// the real mistake is a missing `}`: report that, at the declaration that the block
/// swallowed.
fn with_unclosed_brace_hint(error: SyntaxError, text: &str, at: usize) -> SyntaxError {
    if !matches!(error, SyntaxError::Grammar { help: None, .. }) {
        return error;
    }
    let file = error.span().file;
    let mut depth = 0usize;
    // The line of the `{` still open, and where that `{` is.
    let mut open: Option<(usize, usize)> = None;
    let mut swallowed: Option<(usize, &str)> = None;
    let mut offset = 0usize;
    // The last line that holds code, for a block left open at the end of the file.
    let mut last_code_line = 0usize;
    for (number, line) in text.split_inclusive('\n').enumerate() {
        if offset > at {
            break;
        }
        if depth > 0 && swallowed.is_none() && starts_declaration(line) {
            let indent = line.len() - line.trim_start().len();
            let word = line.split_whitespace().next().unwrap_or("");
            swallowed = Some((offset + indent, word));
        }
        if scan::regions(line)
            .filter(scan::Region::is_code)
            .any(|r| !r.text.trim().is_empty())
        {
            last_code_line = number + 1;
        }
        let before = depth;
        depth = depth_after(line, depth);
        if before == 0 && depth > 0 {
            open = opening_brace(line).map(|b| (number + 1, offset + b));
            swallowed = None;
        }
        if depth == 0 {
            open = None;
            swallowed = None;
        }
        offset += line.len();
    }
    let at_the_end = at >= text.trim_end().len();
    match (open, swallowed) {
        (Some((line, _)), Some((start, word))) => SyntaxError::Grammar {
            message: format!("the `{{` on line {line} is never closed"),
            span: crate::source::Span::new(file, start, start + word.len()),
            help: Some(format!(
                "add the `}}` that ends the block of line {line} before this `{word}`"
            )),
        },
        (Some((line, brace)), None) if at_the_end => SyntaxError::Grammar {
            message: format!("the `{{` on line {line} is never closed"),
            span: crate::source::Span::new(file, brace, brace + 1),
            help: Some(format!(
                "add the `}}` that ends this block after its last line (line {last_code_line})"
            )),
        },
        _ => error,
    }
}

/// Where, in a line that opens a block, the `{` that opens it is: the last one that
/// takes the depth from 0 to 1 (strings and comments do not count).
fn opening_brace(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut found = None;
    for region in scan::regions(line).filter(scan::Region::is_code) {
        for (i, b) in region.text.bytes().enumerate() {
            match b {
                b'{' => {
                    if depth == 0 {
                        found = Some(region.start + i);
                    }
                    depth += 1;
                }
                b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_declaration_is_skipped_and_the_next_ones_are_read() {
        let text = "let a = 1 +\n\nlet b = 2 &&& 3\n\nlet c = 3\nwindow w is 1 day from at\n";
        let (tree, errors, skipped) = parse(0, text);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(tree.declarations.len(), 2);
        assert!(skipped.names.contains("a") && skipped.names.contains("b"));
        assert!(!skipped.vocabulary);
        // Offsets are those of the original text.
        assert_eq!(
            errors[1].span().start as usize,
            text.find("&&&").unwrap_or(0)
        );
    }

    #[test]
    fn an_error_at_a_keyword_belongs_to_the_declaration_before() {
        let text = "rule r\n  forbid a when x is y\n\nrule s forbid a because \"s\"\n";
        let (tree, errors, _) = parse(0, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(tree.declarations.len(), 1);
    }

    #[test]
    fn an_unclosed_brace_loses_the_rest_of_the_file_and_says_why() {
        let text = "actions {\n  a \"A\"\n\nroles for p {\n  r \"R\"\n}\n";
        let (tree, errors, skipped) = parse(0, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(tree.declarations.is_empty());
        assert!(skipped.vocabulary);
        assert_eq!(errors[0].to_string(), "the `{` on line 1 is never closed");
        assert_eq!(
            errors[0].span().start as usize,
            text.find("roles").unwrap_or(0)
        );
    }

    #[test]
    fn a_block_left_open_at_the_end_of_the_file_is_named_at_its_brace() {
        let text =
            "let a = 1\n\nmarkets m \"M\" {\n  AU \"Australia\"\n  BR \"Brazil\"\n\n# the end\n";
        let (_, errors, skipped) = parse(0, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].to_string(), "the `{` on line 3 is never closed");
        let brace = text.find('{').unwrap_or(0);
        assert_eq!(errors[0].span().start as usize, brace);
        assert_eq!(
            errors[0].help(),
            Some("add the `}` that ends this block after its last line (line 5)")
        );
        assert!(skipped.names.contains("m"));
        assert_eq!(first_error(0, text), Some(errors[0].clone()));
    }

    #[test]
    fn a_declaration_cut_short_before_the_next_one_is_reported_once() {
        let text = "let a = 1\n\nlet b = 2\n\nlink l expires 1 day after at or after 3 uses\n\nlet c = 3\n";
        let (tree, errors, _) = parse(0, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].to_string(), "expected `counted`, found `let`");
        assert_eq!(tree.declarations.len(), 3);
    }

    #[test]
    fn multibyte_text_keeps_its_offsets() {
        let text = "markets m \"é\" { ÅX \"Å\" }\nlet x = (\n";
        let (_, errors, _) = parse(0, text);
        assert!(!errors.is_empty());
        assert_eq!(blank("aé\nb", 0, 4), "   \nb");
    }
}
