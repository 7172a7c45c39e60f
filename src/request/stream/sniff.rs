//! The content rule: which framing a stream that names none is read in (standard input,
//! file names without a known extension). The rule itself, and why, is in the module
//! doc of [`super`]; this is its implementation.
//!
//! The lines read to decide are put back, so the chosen splitter reads the stream from
//! its first line. At most [`FRAMING_LOOKAHEAD_BYTES`] are held back.

use std::task::Poll;

use serde::de::IgnoredAny;

use super::lines::{Line, Lines};
use super::scan::{is_blank_or_comment, Rules, Scan};
use super::yaml::{is_document_end, is_document_start};
use super::{Framing, Input};
use crate::limits::FRAMING_LOOKAHEAD_BYTES;

/// What the first line that says something (not blank, not a comment) looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum First {
    /// A `---` or `...` marker or a `%` directive (only YAML has them), or an open `[`
    /// (no request's first line in JSON Lines, where a request is an object): YAML.
    Yaml,
    /// One whole JSON value opening with `{` or `[` (or a line too long to check that
    /// opens with `{`): JSON Lines, unless a YAML marker comes next.
    Json,
    /// A `{...}`/`[...]` that closes on its line but is not JSON (flow-style YAML, or a
    /// broken JSON line).
    Closed,
    /// A `{` left open at the end of its line: a pretty-printed or multi-line document,
    /// or a broken JSON line.
    Open,
    /// Anything else (block-style YAML, plain text).
    Other,
}

/// Reads lines until the framing is decided.
#[derive(Debug, Default)]
pub(super) struct Sniffer {
    /// The lines read so far.
    seen: Vec<Line>,
    /// The memory they hold (text and bookkeeping).
    bytes: usize,
    /// What the first line that says something looks like, once read.
    first: Option<First>,
    /// What the second one looks like, once read.
    second: Option<Second>,
    /// A comment line came before the second line that says something.
    comment: bool,
}

/// What the second line that says something looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Second {
    /// A YAML marker or directive.
    Marker,
    /// An object opening at column 0.
    Object,
    /// Anything else.
    Other,
}

impl Sniffer {
    /// Decides the framing; `Pending` when the input went quiet before the rule could
    /// decide and `wait` is false.
    pub fn poll<R: Input>(&mut self, lines: &mut Lines<R>, wait: bool) -> Poll<Framing> {
        loop {
            if let Some(framing) = self.verdict(false) {
                return Poll::Ready(self.settle(lines, framing));
            }
            if self.bytes > FRAMING_LOOKAHEAD_BYTES {
                let framing = match self.first {
                    Some(First::Json | First::Closed) => Framing::JsonLines,
                    _ => Framing::Yaml,
                };
                return Poll::Ready(self.settle(lines, framing));
            }
            // A line of JSON, and a live writer gone quiet after it: JSON Lines, so that
            // its decision is written now (a file never goes quiet).
            if self.first == Some(First::Json) && lines.stalled() {
                return Poll::Ready(self.settle(lines, Framing::JsonLines));
            }
            match lines.poll_line(wait) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    let framing = self.verdict(true).unwrap_or(Framing::Yaml);
                    return Poll::Ready(self.settle(lines, framing));
                }
                Poll::Ready(Some(line)) => {
                    // The memory held: the text and the line's own bookkeeping (a
                    // million blank lines must not get past the limit).
                    self.bytes += line.text.len() + std::mem::size_of::<Line>();
                    if self.second.is_none() && is_comment(&line) {
                        self.comment = true;
                    }
                    if says_something(&line) {
                        if self.first.is_none() {
                            self.first = Some(classify(&line));
                        } else if self.second.is_none() {
                            self.second = Some(if !line.truncated && is_marker(&line.text) {
                                Second::Marker
                            } else if line.text.starts_with('{') {
                                Second::Object
                            } else {
                                Second::Other
                            });
                        }
                    }
                    self.seen.push(line);
                }
            }
        }
    }

    /// Puts the lines read back for the splitter.
    fn settle<R>(&mut self, lines: &mut Lines<R>, framing: Framing) -> Framing {
        lines.unread_all(std::mem::take(&mut self.seen));
        self.bytes = 0;
        self.first = None;
        self.second = None;
        self.comment = false;
        framing
    }

    /// The framing, if the lines seen decide it (`at_end`: there are no more).
    fn verdict(&self, at_end: bool) -> Option<Framing> {
        if self.comment {
            // Only YAML has comments.
            return Some(Framing::Yaml);
        }
        let Some(first) = self.first else {
            // Nothing but blanks and comments (so far).
            return at_end.then_some(Framing::Yaml);
        };
        if first == First::Yaml {
            return Some(Framing::Yaml);
        }
        let Some(second) = self.second else {
            return at_end.then_some(match first {
                First::Json => Framing::JsonLines,
                _ => Framing::Yaml,
            });
        };
        Some(match (first, second) {
            (First::Json | First::Closed, Second::Marker) => Framing::Yaml,
            (First::Json | First::Closed, _) => Framing::JsonLines,
            (_, Second::Object) => Framing::JsonLines,
            _ => Framing::Yaml,
        })
    }
}

/// Whether a line says something: not blank, not only a comment.
fn says_something(line: &Line) -> bool {
    line.truncated || !is_blank_or_comment(&line.text)
}

/// Whether a line is only a comment.
fn is_comment(line: &Line) -> bool {
    !line.truncated && line.text.trim_start().starts_with('#')
}

/// A YAML document marker or directive at the start of a line.
fn is_marker(text: &str) -> bool {
    is_document_start(text) || is_document_end(text) || text.starts_with('%')
}

fn classify(line: &Line) -> First {
    let text = line.text.trim();
    if line.truncated {
        return if text.starts_with('{') {
            First::Json
        } else {
            First::Other
        };
    }
    if is_marker(&line.text) {
        return First::Yaml;
    }
    if !(text.starts_with('{') || text.starts_with('[')) {
        return First::Other;
    }
    if serde_json::from_str::<IgnoredAny>(text).is_ok() {
        return First::Json;
    }
    let mut scan = Scan::new(Rules::Yaml);
    scan.line(text);
    if !scan.is_open() {
        First::Closed
    } else if text.starts_with('{') {
        First::Open
    } else {
        First::Yaml
    }
}
