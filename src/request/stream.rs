//! Splitting an input stream into request documents, without reading it whole: JSON
//! Lines (one object per non-blank line), a single JSON document, or multi-document
//! YAML (documents separated by `---` lines). Memory stays bounded by the largest
//! document, itself capped: an oversized one becomes its own error record.
//!
//! [`Records`] is an iterator of owned [`RawRecord`]s; [`Records::next_into`] appends
//! the next document to a caller's buffer instead, so that a batch reuses one buffer
//! for many documents and allocates nothing per record (the `eval` batch path).

use crate::limits::REQUEST_BYTES;
use std::io::BufRead;
use std::ops::Range;

/// How the documents of a stream are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (one document, or one per line).
    Json,
    /// YAML.
    Yaml,
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

/// Reads documents one at a time from a buffered reader.
pub struct Records<R> {
    reader: R,
    line_no: usize,
    format: Option<Format>,
    pending: Option<(String, usize)>,
    done: bool,
    /// The current line (reused: one buffer for the whole stream).
    line: Vec<u8>,
    /// Bytes consumed from the reader so far.
    bytes_read: u64,
    /// I/O error that ended the stream, if any.
    pub io_error: Option<std::io::Error>,
}

impl<R> Records<R> {
    /// How many bytes of input were consumed so far (for progress reports).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }
}

impl<R: BufRead> Records<R> {
    /// A splitter over `reader`; the format is decided by the first non-blank line.
    pub fn new(reader: R) -> Self {
        Records {
            reader,
            line_no: 0,
            format: None,
            pending: None,
            done: false,
            line: Vec::new(),
            bytes_read: 0,
            io_error: None,
        }
    }

    /// Reads one line into `self.line` (capped at the document limit); `None` at the
    /// end, else whether the line was cut at the cap.
    fn next_line(&mut self) -> Option<bool> {
        self.line.clear();
        let mut truncated = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.io_error = Some(e);
                    self.done = true;
                    return None;
                }
            };
            if available.is_empty() {
                if self.line.is_empty() && !truncated {
                    return None;
                }
                break;
            }
            let (take, found_newline) = match memchr::memchr(b'\n', available) {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let room = (REQUEST_BYTES + 2).saturating_sub(self.line.len());
            if let Some(part) = available.get(..take.min(room)) {
                self.line.extend_from_slice(part);
            }
            truncated |= take > room;
            self.reader.consume(take);
            self.bytes_read += take as u64;
            if found_newline {
                break;
            }
        }
        self.line_no += 1;
        Some(truncated)
    }

    /// The current line as text, replacing bytes that are not UTF-8, with whether any were.
    fn line_text(&self) -> (std::borrow::Cow<'_, str>, bool) {
        match std::str::from_utf8(&self.line) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), false),
            Err(_) => (String::from_utf8_lossy(&self.line), true),
        }
    }

    /// The common case of JSON Lines: the next line is whole in the reader's buffer and
    /// is UTF-8, so it goes to `buffer` in one copy. `None` when that is not the case
    /// (then [`Records::next_line`] reads it); `Some(None)` for a blank line.
    fn next_json_in_buffer(&mut self, buffer: &mut String) -> Option<Option<Placed>> {
        let available = self.reader.fill_buf().ok()?;
        let end = memchr::memchr(b'\n', available)?;
        if end > REQUEST_BYTES {
            return None;
        }
        let text = std::str::from_utf8(available.get(..end)?).ok()?;
        let trimmed = text.trim();
        let at = buffer.len();
        buffer.push_str(trimmed);
        let range = at..buffer.len();
        self.reader.consume(end + 1);
        self.bytes_read += end as u64 + 1;
        self.line_no += 1;
        Some((!range.is_empty()).then_some(Placed {
            range,
            line: self.line_no,
            format: Format::Json,
            oversized: None,
            not_utf8: false,
        }))
    }

    /// Appends the next document to `buffer` and says where it is; `None` at the end
    /// (or after an I/O error, kept in `io_error`). Nothing per document is allocated
    /// for JSON Lines once `buffer` has grown to the largest document.
    pub fn next_into(&mut self, buffer: &mut String) -> Option<Placed> {
        if self.done {
            return None;
        }
        // Decide the format from the first line that says anything.
        if self.format.is_none() {
            loop {
                let truncated = self.next_line()?;
                let start = self.line_no;
                let (text, not_utf8) = self.line_text();
                if text.trim().is_empty() {
                    continue;
                }
                let trimmed = text.trim().trim_start_matches('\u{feff}');
                if trimmed.starts_with('{') && truncated {
                    self.format = Some(Format::Json);
                    let at = buffer.len();
                    return Some(Placed {
                        range: at..at,
                        line: start,
                        format: Format::Json,
                        oversized: Some(self.line.len()),
                        not_utf8: false,
                    });
                }
                // A line that opens an object and goes on is JSON Lines, whole or not (a
                // broken first record must not swallow the rest); a lone `{` opens a
                // pretty-printed document, read as YAML (which JSON is).
                if trimmed.starts_with('{') && trimmed.len() > 1 {
                    let at = buffer.len();
                    buffer.push_str(trimmed);
                    let placed = Placed {
                        range: at..buffer.len(),
                        line: start,
                        format: Format::Json,
                        oversized: None,
                        not_utf8,
                    };
                    self.format = Some(Format::Json);
                    return Some(placed);
                }
                let text = text.into_owned();
                self.format = Some(Format::Yaml);
                self.pending = Some((text, start));
                break;
            }
        }
        match self.format {
            Some(Format::Json) => loop {
                if let Some(placed) = self.next_json_in_buffer(buffer) {
                    match placed {
                        Some(placed) => return Some(placed),
                        None => continue, // a blank line
                    }
                }
                let truncated = self.next_line()?;
                let line = self.line_no;
                let at = buffer.len();
                if truncated {
                    return Some(Placed {
                        range: at..at,
                        line,
                        format: Format::Json,
                        oversized: Some(self.line.len()),
                        not_utf8: false,
                    });
                }
                let (text, not_utf8) = self.line_text();
                let trimmed = text.trim();
                if trimmed.is_empty() {
                    continue;
                }
                buffer.push_str(trimmed);
                return Some(Placed {
                    range: at..buffer.len(),
                    line,
                    format: Format::Json,
                    oversized: None,
                    not_utf8,
                });
            },
            _ => self.next_yaml(buffer),
        }
    }
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

fn is_yaml_separator(line: &str) -> bool {
    let t = line.trim_end();
    (t.starts_with("---") || t.starts_with("..."))
        && t.get(3..)
            .is_none_or(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

impl<R: BufRead> Iterator for Records<R> {
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

impl<R: BufRead> Records<R> {
    /// Gathers lines up to the next `---`/`...` separator into one YAML document and
    /// appends it to `buffer`.
    fn next_yaml(&mut self, buffer: &mut String) -> Option<Placed> {
        let (mut text, mut start) = match self.pending.take() {
            Some(p) => p,
            None => (String::new(), self.line_no + 1),
        };
        let mut oversized = None;
        let mut not_utf8 = false;
        let mut has_content = !is_blank_or_comment(&text) && !is_yaml_separator(&text);
        if is_yaml_separator(&text) {
            // A separator opens the document; content on its line belongs to it.
            let rest = text.trim_end().get(3..).unwrap_or("").trim().to_string();
            has_content = !rest.is_empty() && !rest.starts_with('#');
        }
        loop {
            let Some(truncated) = self.next_line() else {
                self.done = true;
                break;
            };
            let (line, bad) = self.line_text();
            let line = line.into_owned();
            not_utf8 |= bad;
            if is_yaml_separator(&line) {
                if has_content || oversized.is_some() {
                    self.pending = Some((line, self.line_no));
                    break;
                }
                // Nothing but blanks so far: this separator starts the document.
                text = line;
                start = self.line_no;
                let rest = text.trim_end().get(3..).unwrap_or("").trim().to_string();
                has_content = !rest.is_empty() && !rest.starts_with('#');
                continue;
            }
            has_content |= !is_blank_or_comment(&line);
            if oversized.is_some() || truncated || text.len() + line.len() > REQUEST_BYTES {
                oversized = Some(oversized.unwrap_or(text.len()) + self.line.len());
                text.clear();
                continue;
            }
            text.push_str(&line);
        }
        if !has_content && oversized.is_none() {
            return if self.done {
                None
            } else {
                self.next_yaml(buffer)
            };
        }
        // Keep the first line's number for blank-line-led documents.
        let skipped = text.lines().take_while(|l| l.trim().is_empty()).count();
        let at = buffer.len();
        buffer.push_str(&text);
        Some(Placed {
            range: at..buffer.len(),
            line: start + skipped,
            format: Format::Yaml,
            oversized,
            not_utf8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &str) -> Vec<(usize, String, Format)> {
        Records::new(input.as_bytes())
            .map(|r| (r.line, r.text.trim().to_string(), r.format))
            .collect()
    }

    #[test]
    fn json_lines_skip_blank_lines_and_keep_line_numbers() {
        let got = split("{\"a\":1}\n\n{\"a\":2}\nnot json\n");
        assert_eq!(
            got,
            vec![
                (1, "{\"a\":1}".into(), Format::Json),
                (3, "{\"a\":2}".into(), Format::Json),
                (4, "not json".into(), Format::Json),
            ]
        );
    }

    #[test]
    fn yaml_documents_split_on_separators() {
        let got = split("a: 1\n---\nb: 2\n--- # comment\n\n---\nc: 3\n...\n");
        let lines: Vec<usize> = got.iter().map(|g| g.0).collect();
        assert_eq!(lines, vec![1, 2, 6]);
        assert!(got.iter().all(|g| g.2 == Format::Yaml));
        assert!(got[1].1.contains("b: 2"));
    }

    #[test]
    fn a_pretty_printed_json_object_is_one_document() {
        let got = split("{\n  \"action\": \"purchase\"\n}\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, 1);
    }

    #[test]
    fn an_oversized_line_becomes_its_own_record() {
        let big = format!(
            "{{\"a\":\"{}\"}}\n{{\"b\":1}}\n{{\"c\":1}}\n",
            "x".repeat(REQUEST_BYTES + 10)
        );
        let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
        assert_eq!(
            records.len(),
            3,
            "an oversized first line still opens JSON Lines"
        );
        assert!(records[0].oversized.is_some());
        let big = format!(
            "{{\"b\":1}}\n{{\"a\":\"{}\"}}\n{{\"c\":1}}\n",
            "x".repeat(REQUEST_BYTES + 10)
        );
        let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
        assert_eq!(records.len(), 3);
        assert!(records[1].oversized.is_some());
        assert_eq!(records[2].line, 3);
    }

    // ---- Issue 7 ("Records lost or invented"): each case below failed before the fix.

    fn lines_of(input: &str) -> Vec<usize> {
        split(input).iter().map(|r| r.0).collect()
    }

    #[test]
    fn a_flow_style_yaml_stream_is_yaml() {
        let got = split("{action: cancel, n: 1}\n---\n{action: purchase}\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|g| g.2 == Format::Yaml), "{got:?}");
        assert_eq!(
            lines_of("{action: cancel, n: 1}\n---\n{action: purchase}\n"),
            [1, 2]
        );
    }

    #[test]
    fn a_json_style_yaml_stream_is_yaml() {
        let input = "{\"action\": \"cancel\"}\n---\n{\"action\": \"purchase\"}\n";
        let got = split(input);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.iter().all(|g| g.2 == Format::Yaml), "{got:?}");
        assert_eq!(lines_of(input), [1, 2]);
    }

    #[test]
    fn a_yaml_directive_belongs_to_the_next_document() {
        let input = "%YAML 1.2\n---\na: 1\n---\nb: 2\n";
        let got = split(input);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(lines_of(input), [1, 4]);
        assert!(got[0].1.starts_with("%YAML 1.2\n---"), "{got:?}");
        let input = "a: 1\n...\n%YAML 1.2\n---\nb: 2\n";
        assert_eq!(lines_of(input), [1, 3]);
    }

    #[test]
    fn a_bom_before_a_later_separator_does_not_merge_documents() {
        let got = split("a: 1\n\u{feff}---\nb: 2\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(!got[1].1.contains('\u{feff}'), "{got:?}");
    }

    #[test]
    fn a_bom_at_the_start_of_a_json_line_is_dropped() {
        let got = split("{\"a\":1}\n\u{feff}{\"b\":2}\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1].1, "{\"b\":2}");
    }

    #[test]
    fn cr_alone_and_crlf_end_lines() {
        assert_eq!(lines_of("{\"a\":1}\r{\"b\":2}\r{\"c\":3}"), [1, 2, 3]);
        assert_eq!(lines_of("{\"a\":1}\r\n\r\n{\"b\":2}\r\n"), [1, 3]);
        assert_eq!(lines_of("a: 1\r---\rb: 2\r"), [1, 2]);
        assert_eq!(lines_of("a: 1\r\n---\r\nb: 2\r\n"), [1, 2]);
    }

    #[test]
    fn two_json_objects_on_one_line_are_one_record() {
        let got = split("{\"a\":1}{\"b\":2}\n{\"c\":3}\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].1, "{\"a\":1}{\"b\":2}");
        assert_eq!(got[0].2, Format::Json);
    }

    #[test]
    fn a_plain_text_first_line_does_not_swallow_json_lines() {
        let got = split("not json\n{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(got.iter().all(|g| g.2 == Format::Json), "{got:?}");
        assert_eq!(lines_of("not json\n{\"a\":1}\n{\"b\":2}\n"), [1, 2, 3]);
    }

    #[test]
    fn concatenated_pretty_printed_json_keeps_every_object() {
        // What `jq . requests.jsonl` writes.
        let input = "{\n  \"a\": 1\n}\n{\n  \"b\": {\n    \"c\": \"}\"\n  }\n}\n";
        assert_eq!(lines_of(input), [1, 4]);
    }

    #[test]
    fn a_document_end_marker_ends_the_document() {
        let got = split("a: 1\n...\nb: 2\n");
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1], (3, "b: 2".to_string(), Format::Yaml));
    }
}
