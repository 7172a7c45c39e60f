//! Splitting an input stream into request documents, without reading it whole: JSON
//! Lines (one object per non-blank line), a single JSON document, or multi-document
//! YAML (documents separated by `---` lines). Memory stays bounded by the largest
//! document, itself capped: an oversized one becomes its own error record.

use std::io::BufRead;

use super::decode::MAX_REQUEST_BYTES;

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
    /// Its size when it was over [`MAX_REQUEST_BYTES`] (then `text` is empty).
    pub oversized: Option<usize>,
    /// The input could not be read as UTF-8 text here.
    pub not_utf8: bool,
}

/// Reads documents one at a time from a buffered reader.
pub struct Records<R> {
    reader: R,
    line_no: usize,
    format: Option<Format>,
    pending: Option<(String, usize)>,
    done: bool,
    /// I/O error that ended the stream, if any.
    pub io_error: Option<std::io::Error>,
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
            io_error: None,
        }
    }

    /// Reads one line (capped at the document limit); `None` at the end.
    fn next_line(&mut self) -> Option<(Vec<u8>, bool)> {
        let mut buf = Vec::new();
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
                if buf.is_empty() && !truncated {
                    return None;
                }
                break;
            }
            let (take, found_newline) = match available.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let room = (MAX_REQUEST_BYTES + 2).saturating_sub(buf.len());
            if let Some(part) = available.get(..take.min(room)) {
                buf.extend_from_slice(part);
            }
            truncated |= take > room;
            self.reader.consume(take);
            if found_newline {
                break;
            }
        }
        self.line_no += 1;
        Some((buf, truncated))
    }

    fn record(&self, text: String, line: usize, format: Format) -> RawRecord {
        RawRecord {
            text,
            line,
            format,
            oversized: None,
            not_utf8: false,
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
        if self.done {
            return None;
        }
        // Decide the format from the first line that says anything.
        if self.format.is_none() {
            loop {
                let (bytes, truncated) = self.next_line()?;
                let start = self.line_no;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if text.trim().is_empty() {
                    continue;
                }
                let trimmed = text.trim().trim_start_matches('\u{feff}');
                if trimmed.starts_with('{') && truncated {
                    self.format = Some(Format::Json);
                    let mut record = self.record(String::new(), start, Format::Json);
                    record.oversized = Some(bytes.len());
                    return Some(record);
                }
                // A line that opens an object and goes on is JSON Lines, whole or not (a
                // broken first record must not swallow the rest); a lone `{` opens a
                // pretty-printed document, read as YAML (which JSON is).
                if trimmed.starts_with('{') && trimmed.len() > 1 {
                    self.format = Some(Format::Json);
                    let mut record = self.record(trimmed.to_string(), start, Format::Json);
                    record.not_utf8 = std::str::from_utf8(&bytes).is_err();
                    return Some(record);
                }
                self.format = Some(Format::Yaml);
                self.pending = Some((text, start));
                break;
            }
        }
        match self.format {
            Some(Format::Json) => loop {
                let (bytes, truncated) = self.next_line()?;
                let line = self.line_no;
                if truncated {
                    let mut r = self.record(String::new(), line, Format::Json);
                    r.oversized = Some(bytes.len());
                    return Some(r);
                }
                let not_utf8 = std::str::from_utf8(&bytes).is_err();
                let text = String::from_utf8_lossy(&bytes);
                if text.trim().is_empty() {
                    continue;
                }
                let mut r = self.record(text.trim().to_string(), line, Format::Json);
                r.not_utf8 = not_utf8;
                return Some(r);
            },
            _ => self.next_yaml(),
        }
    }
}

impl<R: BufRead> Records<R> {
    /// Gathers lines up to the next `---`/`...` separator into one YAML document.
    fn next_yaml(&mut self) -> Option<RawRecord> {
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
            let Some((bytes, truncated)) = self.next_line() else {
                self.done = true;
                break;
            };
            let line = String::from_utf8_lossy(&bytes).into_owned();
            not_utf8 |= std::str::from_utf8(&bytes).is_err();
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
            if oversized.is_some() || truncated || text.len() + line.len() > MAX_REQUEST_BYTES {
                oversized = Some(oversized.unwrap_or(text.len()) + bytes.len());
                text.clear();
                continue;
            }
            text.push_str(&line);
        }
        if !has_content && oversized.is_none() {
            return if self.done { None } else { self.next_yaml() };
        }
        // Keep the first line's number for blank-line-led documents.
        let skipped = text.lines().take_while(|l| l.trim().is_empty()).count();
        Some(RawRecord {
            text,
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
            "x".repeat(MAX_REQUEST_BYTES + 10)
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
            "x".repeat(MAX_REQUEST_BYTES + 10)
        );
        let records: Vec<RawRecord> = Records::new(big.as_bytes()).collect();
        assert_eq!(records.len(), 3);
        assert!(records[1].oversized.is_some());
        assert_eq!(records[2].line, 3);
    }
}
