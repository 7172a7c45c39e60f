//! JSON string literals: the one escaper behind every JSON the engine writes (decisions,
//! `check --format json`, `test --format json`). Quotes, backslashes, control characters
//! and U+2028/U+2029 (which some JavaScript readers take for line ends) are escaped;
//! runs of plain text are copied at once.

use std::fmt::Write as _;

/// Appends `s` as a JSON string literal (also a valid YAML double-quoted scalar).
pub fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

/// Appends a value's `Display` as a JSON string literal, without an intermediate string.
pub fn write_display(out: &mut String, value: &dyn std::fmt::Display) {
    out.push('"');
    let _ = write!(Escaping(out), "{value}");
    out.push('"');
}

/// Appends `s` escaped for the inside of a JSON string.
#[inline]
fn push_escaped(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(at) = first_special(rest.as_bytes()) {
        // `at` is an ASCII byte or the lead byte of a character: a boundary.
        let Some((plain, special)) = rest.split_at_checked(at) else {
            break;
        };
        out.push_str(plain);
        let mut chars = special.chars();
        if let Some(c) = chars.next() {
            push_quoted_char(
                out,
                c,
                (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}',
            );
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// Appends one character of a double-quoted JSON string or YAML scalar: `\"`, `\\`,
/// `\n`, `\r` and `\t` for those five, `\uXXXX` when `hex` (the caller's table says
/// which characters), else the character itself.
#[inline]
pub(crate) fn push_quoted_char(out: &mut String, c: char, hex: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if hex => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

/// The first byte that [`push_escaped`] must look at: a control character, `"`, `\\`,
/// or 0xE2 (the lead byte of U+2028 and U+2029). Two words of eight bytes at a time
/// (one test for both), then [`first_special_in_words`] for the last fifteen or fewer.
fn first_special(bytes: &[u8]) -> Option<usize> {
    let (pairs, rest) = bytes.as_chunks::<16>();
    let mut offset = 0;
    for pair in pairs {
        let both = u128::from_le_bytes(*pair);
        let (low, high) = (
            special_marks(both as u64),
            special_marks((both >> 64) as u64),
        );
        if low | high != 0 {
            let at = if low != 0 {
                low.trailing_zeros() / 8
            } else {
                8 + high.trailing_zeros() / 8
            };
            return Some(offset + at as usize);
        }
        offset += 16;
    }
    first_special_in_words(rest).map(|at| offset + at)
}

/// [`first_special`] for a text of any length, eight bytes at a time: in each word,
/// a byte equal to `c` becomes a zero byte of `x ^ c…c`, and `(v - 0x01…) & !v & 0x80…`
/// marks zero bytes (and bytes below 0x20 with 0x20… in place of 0x01…); borrows can
/// only mark bytes *after* a real match, so the lowest mark is exact. The last bytes
/// that do not fill a word are looked at as one word too: the text's last eight bytes
/// with the marks of those already looked at dropped, or, in a text shorter than a
/// word, its bytes followed by spaces.
fn first_special_in_words(bytes: &[u8]) -> Option<usize> {
    let (words, rest) = bytes.as_chunks::<8>();
    let mut offset = 0;
    for word in words {
        let marks = special_marks(u64::from_le_bytes(*word));
        if marks != 0 {
            return Some(offset + (marks.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    let left = rest.len();
    if left == 0 {
        return None;
    }
    let (start, marks) = match bytes.last_chunk::<8>() {
        Some(last) => {
            // The first `8 - left` of these bytes were looked at above.
            let seen = 8 * (8 - left as u32);
            let marks = special_marks(u64::from_le_bytes(*last));
            (bytes.len() - 8, marks >> seen << seen)
        }
        None => {
            let mut word = [b' '; 8];
            if let Some(head) = word.get_mut(..left) {
                head.copy_from_slice(rest);
            }
            (0, special_marks(u64::from_le_bytes(word)))
        }
    };
    (marks != 0).then(|| start + (marks.trailing_zeros() / 8) as usize)
}

/// The marks of [`first_special_in_words`] for one word of eight bytes (little-endian:
/// the first byte lowest): the high bit of each byte that must be looked at, exact up to
/// the lowest one.
#[inline]
fn special_marks(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    zero(x ^ (ONES * u64::from(b'"')))
        | zero(x ^ (ONES * u64::from(b'\\')))
        | zero(x ^ (ONES * 0xE2))
        | (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
}

/// A `fmt::Write` that escapes what it is given for the inside of a JSON string.
struct Escaping<'a>(&'a mut String);

impl std::fmt::Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        push_escaped(self.0, s);
        Ok(())
    }
}

/// Appends valid JSON `text` without the whitespace between its tokens (strings kept
/// as written), so that it fits on one line.
pub(crate) fn compact(text: &str, out: &mut String) {
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_keeps_strings_as_written() {
        let mut out = String::new();
        compact(
            "{ \"a b\" : [ 1 ,\n 2.50 ],\r\n \"c\":\"x\\\" \\\\ y\" }",
            &mut out,
        );
        assert_eq!(out, r#"{"a b":[1,2.50],"c":"x\" \\ y"}"#);
    }

    #[test]
    fn escaping_copies_plain_runs_and_escapes_the_rest() {
        // The reference: one character at a time.
        fn reference(s: &str) -> String {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
        for s in [
            "",
            "plain",
            "a\"b\\c\nd\re\tf",
            "\u{0}\u{1f}\u{7f}",
            "€ costs ‰ – “quoted” \u{2028}x\u{2029}",
            "\u{2027}\u{202a}é日本",
            "\"",
            "ends with \u{2029}",
        ] {
            let mut out = String::new();
            write_str(&mut out, s);
            assert_eq!(out, reference(s), "{s:?}");
            let mut shown = String::new();
            write_display(&mut shown, &s);
            assert_eq!(shown, out, "{s:?} through Display");
        }
    }

    #[test]
    fn the_word_scan_finds_the_first_special_byte() {
        let specials = [0u8, 0x1f, b'"', b'\\', 0xE2];
        for len in 0..40 {
            for at in 0..=len {
                for &special in &specials {
                    // Bytes around the special one that are close to it in value.
                    let mut bytes: Vec<u8> = (0..len)
                        .map(|i| [b'a', 0x20, 0xE3, b'!', 0x7f][i % 5])
                        .collect();
                    if at < len {
                        bytes[at] = special;
                    }
                    let expected = bytes
                        .iter()
                        .position(|&b| b < 0x20 || b == b'"' || b == b'\\' || b == 0xE2);
                    assert_eq!(first_special(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn control_characters_are_escaped() {
        let mut out = String::new();
        write_str(&mut out, "a\u{1}b\u{2028}");
        assert_eq!(out, "\"a\\u0001b\\u2028\"");
    }
}
