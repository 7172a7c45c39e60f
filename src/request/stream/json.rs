//! JSON text (`.json`, `--input json`): one JSON document, or several written one after
//! the other (concatenated JSON, what `jq` writes), each its own record, so that none is
//! lost. A value opening with `{` or `[` ends where its brackets balance (strings and
//! escapes followed), mid-line or not; the next value may start on the same line. A
//! value that never closes runs to the end of the input (one malformed record: JSON gives
//! no way to tell where it was meant to end; JSON Lines is the framing in which one
//! broken record cannot affect the next). Anything else (a number, a string, stray text)
//! runs to the end of its line and is refused by the decoder: a request is an object. A
//! top-level array is one record (refused the same way), not a list of requests.

use super::gather::{Gathered, Splitter};
use super::lines::{Line, Lines};
use super::scan::{Rules, Scan};
use super::{Format, Placed};

/// Splits JSON text into values; the value being read is kept here between calls.
#[derive(Debug)]
pub(super) struct JsonValues {
    value: Gathered,
    /// A value has started.
    open: bool,
    scan: Scan,
}

impl Default for JsonValues {
    fn default() -> Self {
        JsonValues {
            value: Gathered::default(),
            open: false,
            scan: Scan::new(Rules::Json),
        }
    }
}

impl Splitter for JsonValues {
    fn take<R>(&mut self, line: Line, lines: &mut Lines<R>, buffer: &mut String) -> Option<Placed> {
        let mut text = line.text.as_str();
        if !self.open {
            text = text.trim_start();
            if text.is_empty() && !line.truncated {
                return None;
            }
            self.open = true;
            self.value.start = line.number;
            if !line.truncated && !text.starts_with(['{', '[']) {
                self.append(&line, text.trim_end());
                return self.end(buffer);
            }
        }
        if line.truncated {
            // Only the start of the line was seen: the value ends with it.
            self.append(&line, text);
            return self.end(buffer);
        }
        match self.scan.feed(text) {
            Some(end) => {
                let (value, rest) = (
                    text.get(..end).unwrap_or(text),
                    text.get(end..).unwrap_or(""),
                );
                self.append(&line, value);
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
                self.append(&line, text);
                self.value.line_end();
                self.scan.end_line();
                None
            }
        }
    }

    /// Ends the value: appends it to `buffer` if one was started, and starts afresh.
    fn end(&mut self, buffer: &mut String) -> Option<Placed> {
        let placed = self.open.then(|| self.value.place(buffer, Format::Json));
        *self = JsonValues {
            value: self.value.emptied(),
            ..JsonValues::default()
        };
        placed
    }
}

impl JsonValues {
    /// Adds (part of) a line to the value (only its size, once the value is too large).
    fn append(&mut self, line: &Line, text: &str) {
        let size = if line.truncated {
            line.bytes
        } else {
            text.len()
        };
        self.value.add(line, text, size, false);
    }
}
