//! Comments and blank lines recovered from the source text. The parser drops comments
//! (`#` to the end of the line, outside strings), so the formatter finds them again here,
//! together with the line facts it needs to put them back: whether a comment stands on a
//! line of its own, and whether a blank line precedes it. Comments are found by the
//! one scanner of policy text, [`crate::syntax::scan`].

use crate::syntax::scan;

/// One comment of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    /// Byte offset of its `#`.
    pub start: usize,
    /// Byte offset of the end of its line (the line break excluded).
    pub end: usize,
    /// 0-based line of the comment.
    pub line: usize,
    /// The comment from `#` to the end of the line, trailing whitespace removed.
    pub text: String,
    /// Nothing but whitespace stands before it on its line.
    pub own_line: bool,
    /// A blank line separates it from whatever comes before it.
    pub blank_before: bool,
}

/// Line positions of a source text.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Whether only whitespace stands between the start of its line and `offset`.
    pub fn starts_line(&self, offset: usize) -> bool {
        let line_start = self.starts.get(self.line_of(offset)).copied().unwrap_or(0);
        self.text
            .get(line_start..offset)
            .is_some_and(|prefix| prefix.chars().all(is_space))
    }

    /// Whether a blank line separates `offset` from the text before it: going back over
    /// whitespace, at least two line breaks are crossed before anything else.
    pub fn blank_before(&self, offset: usize) -> bool {
        let Some(before) = self.text.get(..offset) else {
            return false;
        };
        let mut breaks = 0;
        for c in before.chars().rev() {
            if c == '\n' {
                breaks += 1;
            } else if !is_space(c) {
                return breaks >= 2;
            }
        }
        // Only whitespace before: the start of the file.
        false
    }
}

/// Whitespace as the grammar sees it (`WHITESPACE`), plus the other Unicode spaces.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{FEFF}'
}

/// Every comment of `text`, in order. Strings are skipped with their escapes, so a `#`
/// inside a string is not a comment.
pub(crate) fn scan(text: &str, lines: &Lines<'_>) -> Vec<Comment> {
    scan::regions(text)
        .filter(|region| region.kind == scan::Kind::Comment)
        .map(|region| Comment {
            start: region.start,
            end: region.end(),
            line: lines.line_of(region.start),
            text: region.text.trim_end().to_string(),
            own_line: lines.starts_line(region.start),
            blank_before: lines.blank_before(region.start),
        })
        .collect()
}

/// The first `{` at or after `from` outside strings and comments.
pub(crate) fn find_open_brace(text: &str, from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    scan::regions(rest)
        .filter(scan::Region::is_code)
        .find_map(|region| region.text.find('{').map(|i| from + region.start + i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<Comment> {
        scan(text, &Lines::new(text))
    }

    #[test]
    fn hashes_in_strings_are_not_comments() {
        let found = comments("let x = \"a # b \\\" # c\" # real\n# own\n");
        let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# real", "# own"]);
        assert!(!found[0].own_line);
        assert!(found[1].own_line);
        assert_eq!(found[1].line, 1);
    }

    #[test]
    fn blank_lines_are_seen_through_whitespace() {
        let found = comments("let x = 1\n\n  \t\n  # a\n# b\r\n\r\n# c\r\n");
        let blanks: Vec<bool> = found.iter().map(|c| c.blank_before).collect();
        assert_eq!(blanks, [true, false, true]);
        assert_eq!(found[1].text, "# b");
    }

    #[test]
    fn a_comment_at_the_start_of_the_file_has_no_blank_before() {
        let found = comments("\n\n# first\n");
        assert!(!found[0].blank_before);
        assert!(found[0].own_line);
    }

    #[test]
    fn a_byte_order_mark_counts_as_space() {
        let found = comments("\u{FEFF}# head\n");
        assert!(found[0].own_line);
    }

    #[test]
    fn comments_at_the_end_without_a_line_break() {
        let found = comments("a # x  ");
        assert_eq!(found[0].text, "# x");
    }

    #[test]
    fn the_open_brace_skips_strings_and_comments() {
        let text = "markets m \"t { \" # {\n {";
        assert_eq!(find_open_brace(text, 0), Some(text.len() - 1));
        assert_eq!(find_open_brace("none", 0), None);
    }
}
