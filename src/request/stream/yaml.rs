//! YAML documents, one record each. A document ends:
//!
//! - at a `---` line, which opens the next one (content after `---` on its line is the
//!   next document's);
//! - at a `...` line (which is dropped): a writer on a live pipe ends a document with
//!   `...` to have it decided without starting the next;
//! - at a `%` directive line, which belongs to the document that follows it, with that
//!   document's `---` (`%YAML 1.2` is never a record of its own);
//! - where a flow-style document (its first content opens with `{` or `[`: flow YAML or
//!   JSON) closes its outermost bracket, with nothing after it on the line but blanks or
//!   a comment: YAML allows nothing more in that document, and a live writer's document
//!   is then decided without waiting for the next line;
//! - before a line that opens a flow collection at column 0 after the document's content,
//!   outside any open bracket or quote: YAML allows no such line inside a document, and
//!   it is how one request after another looks without `---` (`jq .` output);
//! - before a line that opens `{` at column 0 in a document whose content opened with
//!   `{` and has not closed, even inside an open bracket or quote: a request is an
//!   object, a formatter indents the objects nested in it, and an object left open
//!   (cut short, a stray line end inside a string, quotes off balance) must become a
//!   broken record of its own, not swallow the requests written after it.
//!
//! `---`, `...` and `%` count only at column 0 (after a byte-order mark), as in YAML. A
//! document of blank lines, comments, directives and markers only is not a record. Blank
//! lines before a document are not part of it; its first line is its first other line
//! (a comment, a directive, its `---` or its content), and that is the line its
//! decision names.

use super::gather::{Gathered, Splitter};
use super::lines::{Line, Lines};
use super::scan::{is_blank_or_comment, Rules, Scan};
use super::{Format, Placed};

/// Whether a line is a `---` document start marker (alone, or followed by a blank).
pub(super) fn is_document_start(line: &str) -> bool {
    is_marker_of(line, "---")
}

/// Whether a line is a `...` document end marker.
pub(super) fn is_document_end(line: &str) -> bool {
    is_marker_of(line, "...")
}

fn is_marker_of(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// The shape of a document's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No content yet.
    Unknown,
    /// Opens with `{`: an object, as a request is.
    Object,
    /// Opens with `[`.
    List,
    /// Anything else.
    Block,
}

/// Splits YAML documents; the document being read is kept here between calls, so that
/// a quiet live input can be left and come back to.
#[derive(Debug)]
pub(super) struct YamlDocuments {
    document: Gathered,
    /// A line other than a blank one was taken.
    started: bool,
    /// Holds content (not only blanks, comments, directives and markers).
    content: bool,
    /// Its `---` was seen.
    marker: bool,
    kind: Kind,
    /// A flow document closed: the document is complete.
    closed: bool,
    scan: Scan,
}

impl Default for YamlDocuments {
    fn default() -> Self {
        YamlDocuments {
            document: Gathered::default(),
            started: false,
            content: false,
            marker: false,
            kind: Kind::Unknown,
            closed: false,
            scan: Scan::new(Rules::Yaml),
        }
    }
}

impl Splitter for YamlDocuments {
    /// Takes one line; the document it completes, if any.
    fn take<R>(&mut self, line: Line, lines: &mut Lines<R>, buffer: &mut String) -> Option<Placed> {
        let text = line.text.as_str();
        // Markers end a document whatever is open in it: YAML forbids them inside one.
        if !line.truncated && is_document_end(text) {
            return self.end(buffer);
        }
        if !line.truncated && is_document_start(text) {
            if self.has_record() {
                lines.unread(line);
                return self.end(buffer);
            }
            if self.marker {
                self.clear(); // `---` twice: the document between is empty, not a record
            }
            self.marker = true;
            self.append(&line);
            self.content_in(text.get(3..).unwrap_or(""));
            return self.closed_document(buffer);
        }
        let open = self.scan.is_open();
        if !line.truncated && !open && text.starts_with('%') {
            if self.has_record() {
                lines.unread(line);
                return self.end(buffer);
            }
            if self.marker {
                self.clear(); // `---` then a directive: that document was empty
            }
            self.append(&line);
            return None;
        }
        let starts_object = text.starts_with('{');
        let new_object = starts_object && self.kind == Kind::Object;
        if (new_object || !open && (starts_object || text.starts_with('['))) && self.has_record() {
            lines.unread(line);
            return self.end(buffer);
        }
        if !self.started && !line.truncated && text.trim().is_empty() {
            return None;
        }
        self.append(&line);
        if line.truncated {
            // Only the start of the line was seen: its brackets cannot be followed.
            if self.kind == Kind::Unknown {
                self.kind = flow_or_block(text);
            }
            self.content = true;
            self.scan.reset();
            self.closed = self.kind != Kind::Block;
            return self.closed_document(buffer);
        }
        self.content_in(text);
        self.closed_document(buffer)
    }

    /// Ends the document: appends it to `buffer` when it is a record, and starts afresh.
    fn end(&mut self, buffer: &mut String) -> Option<Placed> {
        let placed = self
            .has_record()
            .then(|| self.document.place(buffer, Format::Yaml));
        self.clear();
        placed
    }
}

impl YamlDocuments {
    /// Follows the document's content on (part of) a line.
    fn content_in(&mut self, text: &str) {
        if !self.content && (self.scan.is_open() || !is_blank_or_comment(text)) {
            self.content = true;
            self.kind = flow_or_block(text);
        }
        let closed_clean = self.scan.line(text);
        if self.kind != Kind::Block && !self.scan.is_open() {
            if closed_clean {
                self.closed = true;
            } else if !is_blank_or_comment(text) {
                // Something follows the closing bracket (`{a: 1}: b`): not a flow
                // document after all; it ends at a marker.
                self.kind = Kind::Block;
            }
        }
    }

    fn closed_document(&mut self, buffer: &mut String) -> Option<Placed> {
        if self.closed {
            self.end(buffer)
        } else {
            None
        }
    }

    /// Adds a line to the document (only its size, once the document is too large).
    fn append(&mut self, line: &Line) {
        if !self.started {
            self.started = true;
            self.document.start = line.number;
        }
        self.document.add(line, &line.text, line.bytes, true);
    }

    fn has_record(&self) -> bool {
        self.content || self.document.oversized.is_some()
    }

    fn clear(&mut self) {
        *self = YamlDocuments {
            document: self.document.emptied(),
            ..YamlDocuments::default()
        };
    }
}

fn flow_or_block(text: &str) -> Kind {
    let text = text.trim_start();
    if text.starts_with('{') {
        Kind::Object
    } else if text.starts_with('[') {
        Kind::List
    } else {
        Kind::Block
    }
}
