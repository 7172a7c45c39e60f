//! Splitting an input stream into request records, without reading it whole.
//!
//! docs/request.md ("Input framing") is the contract: the count of records equals the count a
//! person would count, every record keeps its first line (which its errors name), and
//! nothing is lost or invented. Memory stays bounded by the largest record, itself
//! capped at [`crate::limits::REQUEST_BYTES`]: a larger one becomes its own error record.
//!
//! # Framings
//!
//! A stream is read in one [`Framing`], decided once, before any record is read: by the
//! caller (`--input json|jsonl|yaml`), else by the file name ([`Framing::from_extension`]:
//! `.jsonl`/`.ndjson`, `.json`, `.yaml`/`.yml`), else by content (below).
//!
//! - **JSON Lines**: every line that is not blank is one record, whatever it holds. A
//!   line holding two JSON objects is ONE record, and a malformed one: JSON Lines is
//!   defined line by line, a person reading a `.jsonl` file (and `wc -l`, `paste`)
//!   counts a record per line, and one decision per non-blank line keeps decisions and
//!   input lines side by side. Guessing that a lost line end separated two requests
//!   would decide text that no one wrote as a request; the deny says where the second
//!   value starts (`trailing characters`, with its column).
//! - **JSON** (one JSON document): see `stream/json.rs`. Normally one document; several
//!   written one after the other are each a record.
//! - **YAML** documents: see `stream/yaml.rs`. Documents end at `---`, `...`, a `%`
//!   directive (which belongs to the next document), where a flow-style document
//!   closes, and before a `{` at column 0 when the document is an object (closed or
//!   not: an object left open must not swallow the requests after it).
//!
//! In every framing, LF, CRLF and CR alone each end a line (and count as one), and a
//! byte-order mark at the start of any line is dropped (`stream/lines.rs`).
//!
//! # Framing by content
//!
//! Without `--input` or a known extension, the first line that says something (not
//! blank, not a comment), *S1*, and the next one, *S2*, decide; a comment line before
//! S2 decides first: YAML (only YAML has comments).
//!
//! | S1 | framing |
//! |---|---|
//! | a `---`/`...` marker or `%` directive at column 0 | YAML |
//! | one whole JSON value opening with `{` or `[` | JSON Lines, unless S2 is a YAML marker or directive: YAML |
//! | `{...}`/`[...]` closed on its line but not JSON (flow YAML, or a broken JSON line) | JSON Lines, unless S2 is a marker or directive, or there is no S2: YAML |
//! | a `{` left open at the end of the line, or anything else | YAML, unless S2 opens with `{` at column 0: JSON Lines |
//! | an open `[` | YAML |
//!
//! Why: a JSON Lines stream whose first line is broken (cut short, plain text, bare
//! keys) is still JSON Lines because its next line is another object at column 0, which
//! no YAML document can hold after a first line; a YAML stream whose documents happen to
//! be written in flow or JSON style is still YAML because its next line is `---`. A
//! pretty-printed JSON document (`{` alone, then indented keys) is read as YAML, which
//! JSON is, and its closing brace ends it (so `jq .` output gives one record per object).
//! A lone flow-style line is YAML (no S2 to make it a stream of lines). Once the
//! framing is JSON Lines, a later comment line is a record (and a deny): JSON Lines has
//! no comments. Read as YAML, a stream of one-line JSON objects still gives one record
//! per object (a flow document ends where it closes), so a commented one loses none.
//!
//! Only a live input can end before S2 arrives: when S1 is a line of JSON and the writer
//! goes quiet, the stream is JSON Lines (so that its decision is written at once; a file
//! never goes quiet, so a file is always decided by S1 and S2). At most
//! [`crate::limits::FRAMING_LOOKAHEAD_BYTES`] are held back to decide; past that, S1
//! alone decides (JSON Lines for a line of JSON or a closed `{...}`, else YAML).
//!
//! # Live input
//!
//! [`Records::poll_into`] never waits on a quiet live input ([`Input::stalled`], and
//! [`LiveInput`] for standard input): the batch path then writes every decision it has
//! before it waits. A JSON Lines record is complete when its line ends; a JSON value when
//! its brackets close; a YAML document at the next `---`, `...` or directive, or when a
//! flow-style document closes (end a block document with `...` to have it decided at
//! once).
//!
//! # Reading
//!
//! [`Records`] is an iterator of owned [`RawRecord`]s; [`Records::next_into`] appends
//! the next record to a caller's buffer instead, so that a batch reuses one buffer
//! for many records and allocates nothing per record (JSON Lines, the `eval` batch
//! path: a line whole in the reader's buffer is copied once, straight into the batch).

mod gather;
mod json;
mod lines;
mod live;
mod scan;
mod sniff;
mod yaml;

pub use live::LiveInput;

use std::io::BufRead;
use std::ops::Range;
use std::path::Path;
use std::task::Poll;

use gather::Splitter;
use lines::Lines;

/// How the documents of a stream are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (one document, or one per line).
    Json,
    /// YAML.
    Yaml,
}

/// How a stream is cut into records (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One record per line that is not blank.
    JsonLines,
    /// JSON text: one document, or several one after the other.
    Json,
    /// YAML documents.
    Yaml,
}

impl Framing {
    /// The framing a file name's extension names (any case): `.jsonl` and `.ndjson` JSON
    /// Lines, `.json` JSON, `.yaml` and `.yml` YAML; `None` for any other name.
    pub fn from_extension(path: &Path) -> Option<Framing> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "jsonl" | "ndjson" => Some(Framing::JsonLines),
            "json" => Some(Framing::Json),
            "yaml" | "yml" => Some(Framing::Yaml),
            _ => None,
        }
    }

    /// How its records are parsed.
    pub fn format(self) -> Format {
        match self {
            Framing::JsonLines | Framing::Json => Format::Json,
            Framing::Yaml => Format::Yaml,
        }
    }
}

/// A buffered input of requests that can say whether reading on would wait.
pub trait Input: BufRead {
    /// True when nothing is buffered and a read would wait for a writer that has gone
    /// quiet (a live pipe); false when a read returns at once (data or the end). Files
    /// and memory never stall.
    fn stalled(&mut self) -> bool;
}

impl Input for &[u8] {
    fn stalled(&mut self) -> bool {
        false
    }
}

/// A `BufReader` cannot tell whether its reader would block, so it never says it is
/// stalled: right for files; read a live input through [`LiveInput`] instead.
impl<R: std::io::Read> Input for std::io::BufReader<R> {
    fn stalled(&mut self) -> bool {
        false
    }
}

impl<T: AsRef<[u8]>> Input for std::io::Cursor<T> {
    fn stalled(&mut self) -> bool {
        false
    }
}

impl<I: Input + ?Sized> Input for Box<I> {
    fn stalled(&mut self) -> bool {
        (**self).stalled()
    }
}

impl<I: Input + ?Sized> Input for &mut I {
    fn stalled(&mut self) -> bool {
        (**self).stalled()
    }
}

/// One document of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The document's text (empty when it was too large).
    pub text: String,
    /// Its first line in the input, 1-based.
    pub line: usize,
    /// How to parse it.
    pub format: Format,
    /// Its size when it was over [`crate::limits::REQUEST_BYTES`] (then `text` is empty).
    pub oversized: Option<usize>,
    /// The input could not be read as UTF-8 text here.
    pub not_utf8: bool,
}

impl RawRecord {
    /// The record as a borrowed [`Document`].
    pub fn document(&self) -> Document<'_> {
        Document {
            text: &self.text,
            line: self.line,
            format: self.format,
            oversized: self.oversized,
            not_utf8: self.not_utf8,
        }
    }
}

/// One document of the stream, borrowing its text (from a [`RawRecord`] or a batch
/// buffer): what [`crate::Policy::decide_document`] decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Document<'t> {
    /// The document's text (empty when it was too large).
    pub text: &'t str,
    /// Its first line in the input, 1-based.
    pub line: usize,
    /// How to parse it.
    pub format: Format,
    /// Its size when it was over [`crate::limits::REQUEST_BYTES`] (then `text` is empty).
    pub oversized: Option<usize>,
    /// The input could not be read as UTF-8 text here.
    pub not_utf8: bool,
}

impl<'t> Document<'t> {
    /// A whole text as one document in `format`, starting at line 1 (a request given
    /// alone, not read from a stream).
    pub fn whole(text: &'t str, format: Format) -> Self {
        Document {
            text,
            line: 1,
            format,
            oversized: None,
            not_utf8: false,
        }
    }
}

/// Where [`Records::next_into`] put a document in the caller's buffer, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The document's text: `buffer[range]` (empty when it was too large).
    pub range: Range<usize>,
    /// Its first line in the input, 1-based.
    pub line: usize,
    /// How to parse it.
    pub format: Format,
    /// Its size when it was over [`crate::limits::REQUEST_BYTES`].
    pub oversized: Option<usize>,
    /// The input could not be read as UTF-8 text here.
    pub not_utf8: bool,
}

impl Placed {
    /// The document, given the buffer it was appended to.
    pub fn document<'t>(&self, buffer: &'t str) -> Document<'t> {
        Document {
            text: buffer.get(self.range.clone()).unwrap_or(""),
            line: self.line,
            format: self.format,
            oversized: self.oversized,
            not_utf8: self.not_utf8,
        }
    }
}

/// Reads records one at a time from an [`Input`], in one [`Framing`].
pub struct Records<R> {
    lines: Lines<R>,
    /// The framing, once decided.
    framing: Option<Framing>,
    sniffer: sniff::Sniffer,
    yaml: yaml::YamlDocuments,
    json: json::JsonValues,
    /// I/O error that ended the stream, if any.
    pub io_error: Option<std::io::Error>,
}

impl<R> Records<R> {
    /// How many bytes of input were consumed so far (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes_read
    }

    /// The framing: the one given, or the one the content rule chose once the first
    /// record was asked for.
    pub fn framing(&self) -> Option<Framing> {
        self.framing
    }
}

impl<R: Input> Records<R> {
    /// A splitter over `reader` whose framing the content decides (the module doc).
    pub fn new(reader: R) -> Self {
        Records::with_framing(reader, None)
    }

    /// A splitter over `reader` in `framing`, or by content when `None`.
    pub fn with_framing(reader: R, framing: Option<Framing>) -> Self {
        Records {
            lines: Lines::new(reader),
            framing,
            sniffer: sniff::Sniffer::default(),
            yaml: yaml::YamlDocuments::default(),
            json: json::JsonValues::default(),
            io_error: None,
        }
    }

    /// Appends the next record to `buffer` and says where it is; `None` at the end
    /// (or after an I/O error, kept in `io_error`). Waits for a live input.
    pub fn next_into(&mut self, buffer: &mut String) -> Option<Placed> {
        match self.step(buffer, true) {
            Poll::Ready(placed) => placed,
            // Never: reading that may wait does not stop on a quiet input.
            Poll::Pending => None,
        }
    }

    /// Like [`Records::next_into`], but `Pending` instead of waiting when the input is
    /// a live one gone quiet ([`Input::stalled`]) before the next record is complete; the
    /// record read so far is kept, and the next call goes on with it.
    pub fn poll_into(&mut self, buffer: &mut String) -> Poll<Option<Placed>> {
        self.step(buffer, false)
    }

    fn step(&mut self, buffer: &mut String, wait: bool) -> Poll<Option<Placed>> {
        let framing = match self.framing {
            Some(framing) => framing,
            None => match self.sniffer.poll(&mut self.lines, wait) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(framing) => {
                    self.framing = Some(framing);
                    framing
                }
            },
        };
        let next = match framing {
            Framing::JsonLines => self.next_json_line(buffer, wait),
            Framing::Json => self.json.poll(&mut self.lines, buffer, wait),
            Framing::Yaml => self.yaml.poll(&mut self.lines, buffer, wait),
        };
        if let (Poll::Ready(None), Some(e)) = (&next, self.lines.io_error.take()) {
            self.io_error = Some(e);
        }
        next
    }

    /// The next JSON Lines record: the next line that is not blank, trimmed.
    fn next_json_line(&mut self, buffer: &mut String, wait: bool) -> Poll<Option<Placed>> {
        loop {
            if let Some(whole) = self.lines.whole_line_into(buffer, wait) {
                match whole {
                    Some((range, line)) => {
                        return Poll::Ready(Some(Placed {
                            range,
                            line,
                            format: Format::Json,
                            oversized: None,
                            not_utf8: false,
                        }))
                    }
                    None => continue, // a blank line
                }
            }
            let line = match self.lines.poll_line(wait) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(line)) => line,
            };
            let at = buffer.len();
            if line.truncated {
                return Poll::Ready(Some(Placed {
                    range: at..at,
                    line: line.number,
                    format: Format::Json,
                    oversized: Some(line.bytes),
                    not_utf8: false,
                }));
            }
            let trimmed = line.text.trim();
            if trimmed.is_empty() {
                continue;
            }
            buffer.push_str(trimmed);
            return Poll::Ready(Some(Placed {
                range: at..buffer.len(),
                line: line.number,
                format: Format::Json,
                oversized: None,
                not_utf8: line.not_utf8,
            }));
        }
    }
}

impl<R: Input> Iterator for Records<R> {
    type Item = RawRecord;

    fn next(&mut self) -> Option<RawRecord> {
        let mut text = String::new();
        let placed = self.next_into(&mut text)?;
        if placed.range.start != 0 || placed.range.end != text.len() {
            text = text.get(placed.range.clone()).unwrap_or("").to_string();
        }
        Some(RawRecord {
            text,
            line: placed.line,
            format: placed.format,
            oversized: placed.oversized,
            not_utf8: placed.not_utf8,
        })
    }
}

/// Inputs for tests: a live input whose writer is quiet between parts.
#[cfg(test)]
pub(crate) mod testing {
    use super::Input;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::io::{BufRead, Read};
    use std::rc::Rc;

    /// A live input that hands out `parts` one after the other: once a part is read,
    /// it is quiet ([`Input::stalled`]) until a read waits for the next part, which
    /// is logged in `waits` (how many parts had been handed out).
    pub struct Scripted {
        parts: VecDeque<Vec<u8>>,
        current: Vec<u8>,
        pos: usize,
        handed: usize,
        /// For each wait, the number of parts handed out before it.
        pub waits: Rc<RefCell<Vec<usize>>>,
    }

    impl Scripted {
        /// An input of `parts`, the first one already written.
        pub fn new(parts: &[&str]) -> Scripted {
            Scripted::from_bytes(parts.iter().map(|p| p.as_bytes().to_vec()).collect())
        }

        /// An input of `parts` (bytes, cut anywhere), the first one already written.
        pub fn from_bytes(parts: Vec<Vec<u8>>) -> Scripted {
            let mut parts: VecDeque<Vec<u8>> = parts.into();
            let current = parts.pop_front().unwrap_or_default();
            Scripted {
                parts,
                current,
                pos: 0,
                handed: 1,
                waits: Rc::default(),
            }
        }
    }

    impl Read for Scripted {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            self.consume(n);
            Ok(n)
        }
    }

    impl BufRead for Scripted {
        fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
            // An empty part is a quiet moment with nothing written, not the end.
            while self.pos >= self.current.len() {
                let Some(next) = self.parts.pop_front() else {
                    break;
                };
                self.waits.borrow_mut().push(self.handed);
                self.handed += 1;
                self.current = next;
                self.pos = 0;
            }
            Ok(&self.current[self.pos..])
        }

        fn consume(&mut self, amount: usize) {
            self.pos = (self.pos + amount).min(self.current.len());
        }
    }

    impl Input for Scripted {
        fn stalled(&mut self) -> bool {
            self.pos >= self.current.len() && !self.parts.is_empty()
        }
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
