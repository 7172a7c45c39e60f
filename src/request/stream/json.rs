//! JSON text (`.json`, `--input json`): one JSON document, or several written one after
//! the other (concatenated JSON, what `jq` writes), each its own record, so that none is
//! lost. A value opening with `{` or `[` ends where its brackets balance (strings and
//! escapes followed), mid-line or not; the next value may start on the same line. A
//! value that never closes runs to the end of the input (one malformed record: JSON gives
//! no way to tell where it was meant to end; JSON Lines is the framing in which one
//! broken record cannot affect the next). Anything else (a number, a string, stray text)
//! runs to the end of its line and is refused by the decoder: a request is an object. A
//! top-level array is one record (refused the same way), not a list of requests.

use std::task::Poll;

use super::lines::{Line, Lines};
use super::scan::{Rules, Scan};
use super::{Format, Input, Placed};
use crate::limits::REQUEST_BYTES;

/// Splits JSON text into values; the value being read is kept here between calls.
#[derive(Debug)]
pub(super) struct JsonValues {
    text: String,
    /// The line the value starts on.
    start: usize,
    /// A value has started.
    open: bool,
    scan: Scan,
    /// Its size, once over [`REQUEST_BYTES`] (then `text` is not kept).
    oversized: Option<usize>,
    not_utf8: bool,
}

impl Default for JsonValues {
    fn default() -> Self {
        JsonValues {
            text: String::new(),
            start: 0,
            open: false,
            scan: Scan::new(Rules::Json),
            oversized: None,
            not_utf8: false,
        }
    }
}

impl JsonValues {
    /// The next value, appended to `buffer`; `Ready(None)` at the end of the input.
    pub fn poll<R: Input>(
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
                    if let Some(placed) = self.take(&line, lines, buffer) {
                        return Poll::Ready(Some(placed));
                    }
                }
            }
        }
    }

    fn take<R>(
        &mut self,
        line: &Line,
        lines: &mut Lines<R>,
        buffer: &mut String,
    ) -> Option<Placed> {
        let mut text = line.text.as_str();
        if !self.open {
            text = text.trim_start();
            if text.is_empty() && !line.truncated {
                return None;
            }
            self.open = true;
            self.start = line.number;
            if !line.truncated && !text.starts_with(['{', '[']) {
                self.append(line, text.trim_end());
                return self.end(buffer);
            }
        }
        if line.truncated {
            // Only the start of the line was seen: the value ends with it.
            self.append(line, text);
            return self.end(buffer);
        }
        match self.scan.feed(text) {
            Some(end) => {
                let (value, rest) = (
                    text.get(..end).unwrap_or(text),
                    text.get(end..).unwrap_or(""),
                );
                self.append(line, value);
                if !rest.trim().is_empty() {
                    lines.unread(Line {
                        text: rest.to_string(),
                        number: line.number,
                        bytes: rest.len(),
                        truncated: false,
                        not_utf8: line.not_utf8,
                    });
                }
                self.end(buffer)
            }
            None => {
                self.append(line, text);
                self.push_line_end();
                self.scan.end_line();
                None
            }
        }
    }

    /// Adds (part of) a line to the value (only its size, once the value is too large).
    fn append(&mut self, line: &Line, text: &str) {
        self.not_utf8 |= line.not_utf8;
        let size = if line.truncated {
            line.bytes
        } else {
            text.len()
        };
        if line.truncated || self.oversized.is_some() || self.text.len() + size > REQUEST_BYTES {
            self.oversized = Some(self.oversized.unwrap_or(self.text.len()) + size);
            self.text.clear();
            return;
        }
        self.text.push_str(text);
    }

    fn push_line_end(&mut self) {
        match &mut self.oversized {
            Some(size) => *size += 1,
            None => self.text.push('\n'),
        }
    }

    /// Ends the value: appends it to `buffer` if one was started, and starts afresh.
    fn end(&mut self, buffer: &mut String) -> Option<Placed> {
        let placed = self.open.then(|| {
            let at = buffer.len();
            buffer.push_str(&self.text);
            Placed {
                range: at..buffer.len(),
                line: self.start,
                format: Format::Json,
                oversized: self.oversized,
                not_utf8: self.not_utf8,
            }
        });
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        *self = JsonValues {
            text,
            ..JsonValues::default()
        };
        placed
    }
}
