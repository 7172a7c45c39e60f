//! What a person counts as records in an input that is plainly JSON Lines, computed
//! independently of the stream splitter so that the `framing` target can compare the two.

/// The number of non-blank lines when `input` is pure JSON Lines: the first non-blank
/// line starts with `{` after surrounding whitespace and a byte order mark, and every
/// later one starts with `{` at column 0 (an indented `{` after a line left open reads
/// as an object nested in it, as the content rule of docs/request.md says). `None` for
/// any other input. Lines end at LF, CRLF or CR alone, as
/// docs/request.md says; bytes that are not UTF-8 count as text (as the splitter reads
/// them, replaced).
pub fn json_lines_records(input: &[u8]) -> Option<usize> {
    let mut count = 0;
    for line in lines(input) {
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            continue;
        }
        let start = if count == 0 {
            text.trim().trim_start_matches('\u{feff}')
        } else {
            &text
        };
        if !start.starts_with('{') {
            return None;
        }
        count += 1;
    }
    Some(count)
}

/// The lines of `input`: LF, CRLF and CR alone each end one.
fn lines(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(input);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.iter().position(|b| *b == b'\n' || *b == b'\r') {
            None => {
                rest = None;
                Some(text)
            }
            Some(end) => {
                let after = match text.get(end..end + 2) {
                    Some(b"\r\n") => end + 2,
                    _ => end + 1,
                };
                rest = text.get(after..);
                text.get(..end)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::json_lines_records;

    #[test]
    fn counts_non_blank_lines_of_json_lines() {
        assert_eq!(json_lines_records(b""), Some(0));
        assert_eq!(
            json_lines_records(b"{}\n\n  \n{\"a\":1}\r\n{broken"),
            Some(3)
        );
        assert_eq!(json_lines_records(b"\xef\xbb\xbf{}\n{}"), Some(2));
        assert_eq!(json_lines_records(b"{}\n{\xff}\n"), Some(2));
    }

    #[test]
    fn anything_else_is_not_plain_json_lines() {
        assert_eq!(json_lines_records(b"{}\n---\n{}"), None);
        assert_eq!(json_lines_records(b"a: 1\n"), None);
        assert_eq!(json_lines_records(b"{\n\"a\": 1}\n"), None);
        assert_eq!(json_lines_records(b"{\"a\":\"x\ry\"}\n"), None);
        assert_eq!(json_lines_records(b"{\"a\":[\n  {\"b\"]}}\n{}\n"), None);
        assert_eq!(json_lines_records(b"{}\n{\n"), Some(2));
        assert_eq!(json_lines_records(b"{\n{}\n"), Some(2));
        assert_eq!(json_lines_records(b"{}\r{}\r\n{}\n\r{}"), Some(4));
    }
}
