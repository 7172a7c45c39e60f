//! What the framings that gather a record from several lines (JSON text, YAML
//! documents) share: the record being gathered ([`Gathered`]: its text, its first line,
//! what makes it an error record) and the loop that feeds a framing lines until a
//! record is complete ([`Splitter::poll`]).

use std::task::Poll;

use super::lines::{Line, Lines};
use super::{Format, Input, Placed};
use crate::limits::REQUEST_BYTES;

/// A framing that gathers records from whole lines.
pub(super) trait Splitter {
    /// Takes one line; the record it completes, if any.
    fn take<R>(&mut self, line: Line, lines: &mut Lines<R>, buffer: &mut String) -> Option<Placed>;

    /// Ends the record being gathered: appends it to `buffer` when there is one, and
    /// starts afresh.
    fn end(&mut self, buffer: &mut String) -> Option<Placed>;

    /// The next record, appended to `buffer`; `Ready(None)` at the end of the input.
    fn poll<R: Input>(
        &mut self,
        lines: &mut Lines<R>,
        buffer: &mut String,
        wait: bool,
    ) -> Poll<Option<Placed>> {
        loop {
            match lines.poll_line(wait) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(self.end(buffer)),
                Poll::Ready(Some(line)) => {
                    if let Some(placed) = self.take(line, lines, buffer) {
                        return Poll::Ready(Some(placed));
                    }
                }
            }
        }
    }
}

/// The record being gathered, kept between calls (a quiet live input may be left and
/// come back to).
#[derive(Debug, Default)]
pub(super) struct Gathered {
    text: String,
    /// Its first line, 1-based.
    pub start: usize,
    /// Its size, once over [`REQUEST_BYTES`] (then `text` is not kept).
    pub oversized: Option<usize>,
    /// Some of its input was not UTF-8.
    pub not_utf8: bool,
}

impl Gathered {
    /// Adds `piece`, (part of) `line`, and a line end after it with `line_end`. `size` is
    /// what the piece counts for in the input. A line cut short (`line.truncated`), or a
    /// piece that takes the record over [`REQUEST_BYTES`], makes the record oversized:
    /// from then on only its size is counted.
    pub fn add(&mut self, line: &Line, piece: &str, size: usize, line_end: bool) {
        self.not_utf8 |= line.not_utf8;
        let end = usize::from(line_end);
        if line.truncated
            || self.oversized.is_some()
            || self.text.len() + piece.len() + end > REQUEST_BYTES
        {
            self.oversized = Some(self.oversized.unwrap_or(self.text.len()) + size + end);
            self.text.clear();
            return;
        }
        self.text.push_str(piece);
        if line_end {
            self.text.push('\n');
        }
    }

    /// Adds a line end (counted only, once the record is oversized).
    pub fn line_end(&mut self) {
        match &mut self.oversized {
            Some(size) => *size += 1,
            None => self.text.push('\n'),
        }
    }

    /// Appends the record to `buffer`: where it is, and what it is.
    pub fn place(&self, buffer: &mut String, format: Format) -> Placed {
        let at = buffer.len();
        buffer.push_str(&self.text);
        Placed {
            range: at..buffer.len(),
            line: self.start,
            format,
            oversized: self.oversized,
            not_utf8: self.not_utf8,
        }
    }

    /// A fresh record that keeps this one's text allocation.
    pub fn emptied(&mut self) -> Gathered {
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        Gathered {
            text,
            ..Gathered::default()
        }
    }
}
