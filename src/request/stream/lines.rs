//! Physical lines of an input: LF, CRLF and CR alone each end a line; a byte-order mark
//! at the start of a line is dropped; a line longer than a request may be is cut (and
//! marked) while it is read, so memory stays bounded whatever the input.
//!
//! Lines can be put back ([`Lines::unread`]), for the content rule's look-ahead and
//! for a line that starts the next document. [`Lines::poll_line`] can be asked not to
//! wait: on a quiet live input it says so and keeps the part of a line read so far.

use std::collections::VecDeque;
use std::io;
use std::ops::Range;
use std::task::Poll;

use super::Input;
use crate::limits::REQUEST_BYTES;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One line of the input, without its line end or a leading byte-order mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    /// Its text (the first [`REQUEST_BYTES`] bytes of a longer line, bytes that are not
    /// UTF-8 replaced).
    pub text: String,
    /// Its number in the input, 1-based.
    pub number: usize,
    /// Its length in the input (without the line end), for an oversized record.
    pub bytes: usize,
    /// It was longer than [`REQUEST_BYTES`]: `text` holds only its start.
    pub truncated: bool,
    /// It was not UTF-8 text.
    pub not_utf8: bool,
}

/// Reads lines from an [`Input`].
pub(super) struct Lines<R> {
    reader: R,
    /// Lines read and put back, read again first.
    queue: VecDeque<Line>,
    /// The number of the last line read from the reader.
    number: usize,
    /// The line being read (at most [`REQUEST_BYTES`] bytes of it).
    partial: Vec<u8>,
    /// The length of the line being read so far, in the input.
    partial_bytes: usize,
    /// A line has been started and not finished.
    in_line: bool,
    /// The last line ended with CR, whose LF (if it is a CRLF) has not been seen yet.
    after_cr: bool,
    /// The reader is exhausted (or failed).
    ended: bool,
    /// Bytes consumed from the reader so far.
    pub bytes_read: u64,
    /// The I/O error that ended the input, if any.
    pub io_error: Option<io::Error>,
}

impl<R> Lines<R> {
    /// A line reader over `reader`.
    pub fn new(reader: R) -> Self {
        Lines {
            reader,
            queue: VecDeque::new(),
            number: 0,
            partial: Vec::new(),
            partial_bytes: 0,
            in_line: false,
            after_cr: false,
            ended: false,
            bytes_read: 0,
            io_error: None,
        }
    }

    /// Puts a line back: it is the next one read.
    pub fn unread(&mut self, line: Line) {
        self.queue.push_front(line);
    }

    /// Puts lines back, in their order, before any line put back earlier.
    pub fn unread_all(&mut self, lines: Vec<Line>) {
        for line in lines.into_iter().rev() {
            self.queue.push_front(line);
        }
    }

    /// Finishes the line being read.
    fn finish_line(&mut self) -> Line {
        self.number += 1;
        let truncated = self.partial_bytes > REQUEST_BYTES;
        let body = self.partial.strip_prefix(BOM).unwrap_or(&self.partial);
        let (text, not_utf8) = match std::str::from_utf8(body) {
            Ok(text) => (text.to_string(), false),
            // A line cut at the limit may end inside a character: that is not a reason
            // to call it "not UTF-8" (it is refused as too large).
            Err(_) => (String::from_utf8_lossy(body).into_owned(), !truncated),
        };
        let line = Line {
            text,
            number: self.number,
            bytes: self.partial_bytes,
            truncated,
            not_utf8,
        };
        self.partial.clear();
        self.partial_bytes = 0;
        self.in_line = false;
        line
    }
}

impl<R: Input> Lines<R> {
    /// The next line; `Ready(None)` at the end of the input (or after an I/O error, kept
    /// in `io_error`). When `wait` is false and the input is quiet (reading would wait
    /// for a writer), `Pending`, keeping what was read of the line.
    pub fn poll_line(&mut self, wait: bool) -> Poll<Option<Line>> {
        if let Some(line) = self.queue.pop_front() {
            return Poll::Ready(Some(line));
        }
        loop {
            if self.ended {
                return Poll::Ready(None);
            }
            if !wait && self.reader.stalled() {
                return Poll::Pending;
            }
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // What was read of a line before the error is not a record: the
                    // error itself is reported, and the reading stops.
                    self.io_error = Some(e);
                    self.ended = true;
                    return Poll::Ready(None);
                }
            };
            if available.is_empty() {
                self.ended = true;
                let last = (self.in_line || self.partial_bytes > 0).then(|| self.finish_line());
                return Poll::Ready(last);
            }
            if std::mem::take(&mut self.after_cr) && available.first() == Some(&b'\n') {
                // The LF of a CRLF whose CR ended the last line.
                self.reader.consume(1);
                self.bytes_read += 1;
                continue;
            }
            let end = memchr::memchr2(b'\n', b'\r', available);
            let content = end.unwrap_or(available.len());
            let room = REQUEST_BYTES.saturating_sub(self.partial.len());
            if let Some(part) = available.get(..content.min(room)) {
                self.partial.extend_from_slice(part);
            }
            self.partial_bytes += content;
            self.in_line = true;
            let taken = match end {
                None => content,
                Some(i) => match (available.get(i), available.get(i + 1)) {
                    (Some(b'\r'), Some(b'\n')) => i + 2,
                    (Some(b'\r'), None) => {
                        self.after_cr = true;
                        i + 1
                    }
                    _ => i + 1,
                },
            };
            self.reader.consume(taken);
            self.bytes_read += taken as u64;
            if end.is_some() {
                return Poll::Ready(Some(self.finish_line()));
            }
        }
    }

    /// JSON Lines' common case, without the per-line copy of [`Lines::poll_line`]: the
    /// next line is whole in the reader's buffer and is UTF-8, so its text (trimmed, a
    /// byte-order mark dropped) is appended to `buffer` in one copy. Returns its range
    /// and number (`Some(None)` for a blank line), or `None` when that is not the case
    /// (then [`Lines::poll_line`] reads it).
    pub fn whole_line_into(
        &mut self,
        buffer: &mut String,
        wait: bool,
    ) -> Option<Option<(Range<usize>, usize)>> {
        if !self.queue.is_empty() || self.in_line || self.after_cr || self.ended {
            return None;
        }
        if !wait && self.reader.stalled() {
            return None;
        }
        let available = self.reader.fill_buf().ok()?;
        let end = memchr::memchr2(b'\n', b'\r', available)?;
        if end > REQUEST_BYTES {
            return None;
        }
        let taken = match (available.get(end), available.get(end + 1)) {
            (Some(b'\r'), Some(b'\n')) => end + 2,
            (Some(b'\r'), None) => return None,
            _ => end + 1,
        };
        let body = available.get(..end)?;
        let text = std::str::from_utf8(body.strip_prefix(BOM).unwrap_or(body)).ok()?;
        let trimmed = text.trim();
        let at = buffer.len();
        buffer.push_str(trimmed);
        let range = at..buffer.len();
        self.reader.consume(taken);
        self.bytes_read += taken as u64;
        self.number += 1;
        Some((!range.is_empty()).then_some((range, self.number)))
    }

    /// Whether reading would wait for a writer (a quiet live input): nothing put back and
    /// nothing buffered. Files and memory never stall.
    pub fn stalled(&mut self) -> bool {
        self.queue.is_empty() && self.reader.stalled()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Vec<(usize, String)> {
        let mut lines = Lines::new(input);
        let mut out = Vec::new();
        while let Poll::Ready(Some(line)) = lines.poll_line(true) {
            out.push((line.number, line.text));
        }
        out
    }

    fn texts(input: &[u8]) -> Vec<String> {
        all(input).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn lf_crlf_and_cr_each_end_one_line() {
        assert_eq!(texts(b"a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(texts(b"a\r\r\nb\n\n"), ["a", "", "b", ""]);
        assert_eq!(texts(b"\r\n"), [""]);
        assert_eq!(texts(b""), Vec::<String>::new());
        let numbers: Vec<usize> = all(b"a\r\rb\r\n\r\nc").iter().map(|l| l.0).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_bom_at_the_start_of_any_line_is_dropped() {
        assert_eq!(
            texts("\u{feff}a\n\u{feff}---\nb\u{feff}\n".as_bytes()),
            ["a", "---", "b\u{feff}"]
        );
    }

    #[test]
    fn a_crlf_split_across_two_reads_is_one_line_end() {
        // A reader that hands out one byte at a time.
        let input: &[u8] = b"a\r\nb\r\n";
        let mut lines = Lines::new(std::io::BufReader::with_capacity(1, input));
        let mut got = Vec::new();
        while let Poll::Ready(Some(line)) = lines.poll_line(true) {
            got.push((line.number, line.text));
        }
        assert_eq!(got, [(1, "a".to_string()), (2, "b".to_string())]);
    }

    #[test]
    fn a_long_line_is_cut_and_marked() {
        let mut input = vec![b'x'; REQUEST_BYTES + 10];
        input.extend_from_slice(b"\nnext\n");
        let mut lines = Lines::new(input.as_slice());
        let Poll::Ready(Some(long)) = lines.poll_line(true) else {
            panic!("a line")
        };
        assert!(long.truncated && !long.not_utf8);
        assert_eq!(
            (long.text.len(), long.bytes),
            (REQUEST_BYTES, REQUEST_BYTES + 10)
        );
        let Poll::Ready(Some(next)) = lines.poll_line(true) else {
            panic!("a line")
        };
        assert_eq!((next.number, next.text.as_str()), (2, "next"));
    }

    #[test]
    fn bytes_that_are_not_utf8_mark_the_line() {
        let mut lines = Lines::new(&b"ok\n\xff\xfe\n"[..]);
        let mut flags = Vec::new();
        while let Poll::Ready(Some(line)) = lines.poll_line(true) {
            flags.push(line.not_utf8);
        }
        assert_eq!(flags, [false, true]);
    }
}
