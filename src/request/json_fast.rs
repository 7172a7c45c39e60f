//! The fast path for JSON requests: a serde `Deserializer` over the document's text that
//! reads what requests are made of — objects, lists, plain strings, `true`, `false`,
//! `null`, and numbers where a field holds a number — and gives the document up at
//! anything else: an escape or a control character in a string, a number where a field
//! does not hold one, nesting deeper than [`JSON_FAST_DEPTH`], or any text that is not
//! JSON. A document given up is read again from the start by serde_json (`decode.rs`),
//! which alone words every error; so the fast path decides no error and changes no
//! decision: it only reads, faster, the documents it can read exactly as serde_json
//! would (the same visitor calls with the same borrowed text; tested against serde_json
//! on the request corpus, on hand-picked documents below, and by the `decide` fuzz
//! target on any input).
//!
//! Why not serde_json alone: decoding was 60 % of a decision, at serde_json's own floor
//! (a typed parse of the same documents costs as much); why not another crate:
//! sonic-rs was measured (BENCHMARKS.md) and recurses without a limit on skipped
//! values. What the fast path accepts is a subset of JSON checked byte by byte, with no
//! recursion on skipped values (a bit stack) and a depth limit below serde_json's own.

use std::fmt;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::scalar::{json_value, Raw, RawVisitor, Scalars};
use super::walk::walk;
use super::Record;
use crate::limits::JSON_FAST_DEPTH;
use crate::policy::CompiledPolicy;

/// Reads `text` into `record` (cleared by the caller) on the fast path; `false` when
/// the document was given up (`record` then holds a partial reading: clear it).
pub(super) fn read<'a>(policy: &CompiledPolicy, record: &mut Record<'a>, text: &'a str) -> bool {
    let mut reader = Reader::new(text);
    walk(policy, record, FastJson, &mut reader)
        .and_then(|()| reader.end())
        .is_ok()
}

/// The name under which [`FastJson`] asks the reader for a value's text as written (a
/// number's digits), the way serde_json's `RawValue` does; only this reader knows it.
const VALUE_TEXT: &str = "$csp_policy::json_fast::ValueText";

/// That the fast path gave the document up. It carries nothing: the document is read
/// again by serde_json, whose error is the one reported.
#[derive(Debug)]
pub(super) struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the document is read by serde_json")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

/// How the fast path hands a field's value over: as `scalar::Json` does with serde_json
/// (a numeric field's value as its text, any other value as read), except that a
/// number outside a numeric field gives the document up (serde_json names its value).
#[derive(Clone, Copy)]
pub(super) struct FastJson;

impl<'de> Scalars<'de> for FastJson {
    fn read<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
        numeric: bool,
    ) -> Result<Raw<'de>, D::Error> {
        if !numeric {
            return deserializer.deserialize_any(RawVisitor);
        }
        let text = deserializer.deserialize_newtype_struct(VALUE_TEXT, ValueText)?;
        json_value(text).map_err(de::Error::custom)
    }
}

/// The text of a value as the reader hands it over for [`VALUE_TEXT`].
struct ValueText;

impl<'de> Visitor<'de> for ValueText {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value's text")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<&'de str, E> {
        Ok(v)
    }
}

/// The eight bytes of a word each set to `byte`.
const fn splat(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// Bytes of `word` (little-endian: the first byte lowest) that end a plain string: `"`,
/// `\` or a control character. The lowest marked byte is exact (the marks above it may
/// not be, which no caller reads). A byte `b` is `"` or a control character exactly when
/// `b ^ 2` is below 0x21 (`"` is 0x22; 0x20 and 0x21 become 0x22 and 0x23).
#[inline(always)]
fn string_stops(word: u64) -> u64 {
    const HIGH: u64 = splat(0x80);
    let below = |v: u64, n: u8| v.wrapping_sub(splat(n)) & !v & HIGH;
    let quote_or_control = word ^ splat(0x02);
    let backslash = word ^ splat(b'\\');
    below(quote_or_control, 0x21) | below(backslash, 0x01)
}

/// A cursor over one JSON document.
pub(super) struct Reader<'de> {
    text: &'de str,
    at: usize,
    depth: usize,
}

impl<'de> Reader<'de> {
    /// A reader at the start of `text`.
    pub(super) fn new(text: &'de str) -> Self {
        Reader {
            text,
            at: 0,
            depth: 0,
        }
    }

    /// Nothing but white space after the document.
    pub(super) fn end(&mut self) -> Result<(), GiveUp> {
        self.skip_space();
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    /// Steps over `byte`, or gives up.
    #[inline(always)]
    fn step_over(&mut self, byte: u8) -> Result<(), GiveUp> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// A string without escapes or control characters; the reader is past its opening
    /// quote, and is left past its closing one.
    #[inline]
    fn string(&mut self) -> Result<&'de str, GiveUp> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut at = start;
        while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<8>()) {
            let stops = string_stops(u64::from_le_bytes(*chunk));
            if stops != 0 {
                at += (stops.trailing_zeros() / 8) as usize;
                return self.close_string(start, at);
            }
            at += 8;
        }
        while let Some(&byte) = bytes.get(at) {
            if byte == b'"' || byte == b'\\' || byte < 0x20 {
                break;
            }
            at += 1;
        }
        self.close_string(start, at)
    }

    /// The string from `start` to `end`, where the first stopping byte is: a closing
    /// quote, or the document is given up.
    #[inline(always)]
    fn close_string(&mut self, start: usize, end: usize) -> Result<&'de str, GiveUp> {
        if self.text.as_bytes().get(end) != Some(&b'"') {
            return Err(GiveUp);
        }
        let text = self.text.get(start..end).ok_or(GiveUp)?;
        self.at = end + 1;
        Ok(text)
    }

    /// `true`, `false` or `null` (the reader is at its first letter).
    fn word(&mut self, word: &[u8]) -> Result<(), GiveUp> {
        let end = self.at + word.len();
        if self.text.as_bytes().get(self.at..end) == Some(word) {
            self.at = end;
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// A number by JSON's grammar: `-`? (`0` | [1-9][0-9]*) (`.` [0-9]+)? ([eE] [+-]? [0-9]+)?
    fn number(&mut self) -> Result<(), GiveUp> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(GiveUp),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Result<(), GiveUp> {
        let start = self.at;
        self.digits();
        if self.at > start {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// One more level of nesting, within [`JSON_FAST_DEPTH`].
    fn enter(&mut self) -> Result<(), GiveUp> {
        self.depth += 1;
        if self.depth > JSON_FAST_DEPTH {
            Err(GiveUp)
        } else {
            Ok(())
        }
    }

    /// Steps over one value, checking it, without recursion: the open lists and
    /// objects are a bit stack (one bit per level, set for an object).
    fn skip_value(&mut self) -> Result<(), GiveUp> {
        let mut open: u128 = 0;
        let mut levels = 0usize;
        loop {
            // A value.
            self.skip_space();
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    self.string()?;
                }
                Some(b'{') => {
                    self.at += 1;
                    self.skip_space();
                    if self.peek() == Some(b'}') {
                        self.at += 1;
                    } else {
                        levels += 1;
                        if self.depth + levels > JSON_FAST_DEPTH {
                            return Err(GiveUp);
                        }
                        open = (open << 1) | 1;
                        self.key_and_colon()?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.at += 1;
                    self.skip_space();
                    if self.peek() == Some(b']') {
                        self.at += 1;
                    } else {
                        levels += 1;
                        if self.depth + levels > JSON_FAST_DEPTH {
                            return Err(GiveUp);
                        }
                        open <<= 1;
                        continue;
                    }
                }
                Some(b't') => self.word(b"true")?,
                Some(b'f') => self.word(b"false")?,
                Some(b'n') => self.word(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(GiveUp),
            }
            // After a value: the next item of the innermost open list or object, or
            // its end (and then the same after it).
            loop {
                if levels == 0 {
                    return Ok(());
                }
                let in_object = open & 1 == 1;
                self.skip_space();
                match self.peek() {
                    Some(b',') => {
                        self.at += 1;
                        if in_object {
                            self.skip_space();
                            self.key_and_colon()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ => return Err(GiveUp),
                }
                self.at += 1;
                open >>= 1;
                levels -= 1;
            }
        }
    }

    /// A key and its colon, inside an object being skipped.
    fn key_and_colon(&mut self) -> Result<(), GiveUp> {
        self.step_over(b'"')?;
        self.string()?;
        self.skip_space();
        self.step_over(b':')
    }
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.skip_space();
        match self.peek() {
            Some(b'"') => {
                self.at += 1;
                visitor.visit_borrowed_str(self.string()?)
            }
            Some(b'{') => {
                self.at += 1;
                self.enter()?;
                let mut entries = Items::new(self, b'}');
                let value = visitor.visit_map(&mut entries)?;
                if !entries.closed {
                    return Err(GiveUp);
                }
                self.depth -= 1;
                Ok(value)
            }
            Some(b'[') => {
                self.at += 1;
                self.enter()?;
                let mut items = Items::new(self, b']');
                let value = visitor.visit_seq(&mut items)?;
                if !items.closed {
                    return Err(GiveUp);
                }
                self.depth -= 1;
                Ok(value)
            }
            Some(b't') => {
                self.word(b"true")?;
                visitor.visit_bool(true)
            }
            Some(b'f') => {
                self.word(b"false")?;
                visitor.visit_bool(false)
            }
            Some(b'n') => {
                self.word(b"null")?;
                visitor.visit_unit()
            }
            // A number where a field does not hold one (serde_json names its value),
            // or no value at all.
            _ => Err(GiveUp),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        if name != VALUE_TEXT {
            return Err(GiveUp);
        }
        self.skip_space();
        let start = self.at;
        self.skip_value()?;
        visitor.visit_borrowed_str(self.text.get(start..self.at).ok_or(GiveUp)?)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct seq tuple
        tuple_struct map struct enum identifier
    }
}

/// The entries of an object (`end` is `}`) or the items of a list (`]`) being read:
/// `closed` once its end is read.
struct Items<'r, 'de> {
    reader: &'r mut Reader<'de>,
    end: u8,
    first: bool,
    closed: bool,
}

impl<'r, 'de> Items<'r, 'de> {
    fn new(reader: &'r mut Reader<'de>, end: u8) -> Self {
        Items {
            reader,
            end,
            first: true,
            closed: false,
        }
    }

    /// Steps to the next entry or item: `false` at the end (read).
    #[inline]
    fn next(&mut self) -> Result<bool, GiveUp> {
        if self.closed {
            return Err(GiveUp);
        }
        self.reader.skip_space();
        match self.reader.peek() {
            Some(byte) if byte == self.end => {
                self.reader.at += 1;
                self.closed = true;
                return Ok(false);
            }
            Some(b',') if !self.first => {
                self.reader.at += 1;
                self.reader.skip_space();
            }
            _ if self.first => {}
            _ => return Err(GiveUp),
        }
        self.first = false;
        Ok(true)
    }
}

impl<'de> MapAccess<'de> for Items<'_, 'de> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GiveUp> {
        if !self.next()? {
            return Ok(None);
        }
        self.reader.step_over(b'"')?;
        let key = self.reader.string()?;
        seed.deserialize(BorrowedStrDeserializer::new(key))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, GiveUp> {
        self.reader.skip_space();
        self.reader.step_over(b':')?;
        seed.deserialize(&mut *self.reader)
    }
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, GiveUp> {
        if !self.next()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.reader).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::decode::{decode_json, decode_json_reference};
    use crate::Policy;

    fn policy() -> CompiledPolicy {
        Policy::embedded().unwrap().compiled().clone()
    }

    /// A request of the corpus's shape: every kind of field, Korean text included.
    const PLAIN: &str = r#"{"action":"cancel","actor":{"id":"ops@partner.example","kind":"partner","roles":["admin_agent","sales_agent"],"tenant_id":"aa47e31c-02e7-4edc-b414-52c54d7c33f2"},"at":"2026-06-26T08:13:00Z","customer":{"market":"KR","name":"한국 고객","tenant_id":"581ce1ff-0e4a-4394-89bc-585a244823f2"},"order":{"purchased_at":"2026-06-01T00:00:00Z","price":1015.50,"currency":"USD","status":"active"},"link":{"issued_at":"2026-06-20T00:00:00Z","downloads":3},"license":{"software_assurance":true},"product":{"category":"azure_reservation","publisher":"microsoft"},"unknown":{"deep":[1,-2.5e3,{"x":[true,false,null]}],"e":""}}"#;

    /// Whether the fast path reads `text` (and, when it does, serde_json reads it too).
    fn fast(policy: &CompiledPolicy, text: &str) -> bool {
        let mut record = Record::default();
        record.clear(policy.schema.fields.len());
        let read = read(policy, &mut record, text);
        if read {
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
                "the fast path read what serde_json refuses: {text:?}"
            );
        }
        read
    }

    /// The record (values, errors, roles, action) is the one serde_json alone gives.
    fn agrees(policy: &CompiledPolicy, text: &str) {
        let fast_record = format!("{:?}", decode_json(policy, text, 3));
        let reference = format!("{:?}", decode_json_reference(policy, text, 3));
        assert_eq!(fast_record, reference, "{text:?}");
        let _ = fast(policy, text);
    }

    #[test]
    fn plain_requests_are_read_on_the_fast_path_as_serde_json_reads_them() {
        let p = policy();
        for text in [
            PLAIN,
            " \t\r\n{}\n ",
            r#"{"action":"purchase"}"#,
            r#"{"order":{"price":"12.5"},"link":{"downloads":"3"}}"#,
            r#"{"order":{"price":null},"link":{"downloads":[1,2]}}"#,
            r#"{"order":{"price":{"a":1}},"link":{"downloads":true}}"#,
            r#"{"order":{"price":-0.0e+0},"link":{"downloads":0}}"#,
            r#"{"order":{"price":1e400},"link":{"downloads":"x"}}"#,
            r#"{"link":{"downloads":100000000000000000000000},"order":{"price":-1E-7}}"#,
            r#"{"actor":{"roles":[]}}"#,
            r#"{"actor":{"roles":""}}"#,
            r#"{"actor":{"roles":null}}"#,
            r#"{"actor":{"roles":{"a":[1]}}}"#,
            r#"{"actor":{"roles":["a","a","b"]},"actor":{}}"#,
            r#"{"actor":null,"customer":"x","product":[]}"#,
            r#"{"at":"2026-06-26T08:13:00+09:00","action":"nothing"}"#,
            r#"{"customer":{"market":"한국"}}"#,
            "[]",
            "[1]",
            "\"text\"",
            "null",
            "true",
        ] {
            agrees(&p, text);
        }
        assert!(fast(&p, PLAIN));
        assert!(fast(
            &p,
            r#"{"order":{"price":{"a":1}},"link":{"downloads":true}}"#
        ));
        assert!(fast(&p, "[[],{}]"));
    }

    #[test]
    fn what_is_not_plain_is_given_up_and_read_by_serde_json() {
        let p = policy();
        let given_up = [
            "",
            " ",
            "1",
            "-",
            "{",
            "}",
            "{}}",
            "{} x",
            "{,}",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            r#"{"a":}"#,
            r#"{"a":1 "b":2}"#,
            r#"{a:1}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":[,1]}"#,
            r#"{"a":[1 2]}"#,
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":1e}"#,
            r#"{"a":1e+}"#,
            r#"{"a":+1}"#,
            r#"{"a":-}"#,
            r#"{"a":Infinity}"#,
            r#"{"a":NaN}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":falsey}"#,
            r#"{"a":"unterminated}"#,
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"new\nline\"}",
            r#"{"a":"esc\"aped"}"#,
            r#"{"a":"\ud800"}"#,
            r#"{"unknown":"\u0000 in a skipped value"}"#,
            r#"{"order":{"price":"1\u0030"}}"#,
            r#"{"action":"can\u0063el"}"#,
            r#"{"act\u0069on":"cancel"}"#,
            r#"{"order":{"price":1.5},"action":7}"#,
            r#"{"actor":{"roles":["admin_agent",7]}}"#,
            r#"{"actor":{"roles":7}}"#,
            "{\"a\":1}\u{feff}",
            "\u{feff}{}",
            "{}\u{a0}",
            "{\"a\":[1]]}",
            "{\"a\":{\"b\":1]}",
            "[1}",
        ];
        for text in given_up {
            assert!(!fast(&p, text), "read on the fast path: {text:?}");
            agrees(&p, text);
        }
    }

    #[test]
    fn nesting_deeper_than_the_fast_paths_limit_is_read_by_serde_json() {
        let p = policy();
        for depth in [
            1,
            2,
            JSON_FAST_DEPTH - 1,
            JSON_FAST_DEPTH,
            JSON_FAST_DEPTH + 1,
            127,
            128,
            129,
            500,
        ] {
            // Deep in an unknown field (skipped), and deep in a known group.
            let skipped = format!(
                "{{\"unknown\":{}1{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            let objects = format!(
                "{{\"unknown\":{}1{}}}",
                "{\"k\":".repeat(depth),
                "}".repeat(depth)
            );
            let roles = format!(
                "{{\"actor\":{{\"roles\":{}{}}}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            for text in [&skipped, &objects, &roles] {
                agrees(&p, text);
                // The document's own level counts: `depth` levels inside it.
                assert_eq!(fast(&p, text), depth < JSON_FAST_DEPTH, "depth {depth}");
            }
        }
    }

    /// Every byte of a plain request deleted, doubled, or replaced by a byte that means
    /// something in JSON: whatever the fast path reads, it reads as serde_json does, and
    /// every document it gives up is decided as serde_json decides it.
    #[test]
    fn every_small_edit_of_a_request_agrees_with_serde_json() {
        let p = policy();
        let bytes = PLAIN.as_bytes();
        let replacements: &[u8] = b"\"\\{}[],:0-.eE+ \nta\x01";
        let mut read_fast = 0;
        for at in 0..bytes.len() {
            let mut edits: Vec<Vec<u8>> = Vec::new();
            let mut deleted = bytes.to_vec();
            deleted.remove(at);
            edits.push(deleted);
            let mut doubled = bytes.to_vec();
            doubled.insert(at, bytes[at]);
            edits.push(doubled);
            for &r in replacements {
                let mut replaced = bytes.to_vec();
                replaced[at] = r;
                edits.push(replaced);
            }
            for edit in edits {
                let Ok(text) = String::from_utf8(edit) else {
                    continue;
                };
                agrees(&p, &text);
                read_fast += usize::from(fast(&p, &text));
            }
        }
        // Most edits inside strings keep the document plain: the fast path is exercised.
        assert!(read_fast > 1000, "{read_fast}");
    }

    #[test]
    fn string_stops_finds_the_first_quote_backslash_or_control_character() {
        for len in 0..=8 {
            for stop in [b'"', b'\\', 0x00, 0x1f] {
                for at in 0..len {
                    let mut word = [b'a'; 8];
                    // Bytes above the first stop may be anything.
                    for later in word.iter_mut().skip(at + 1) {
                        *later = 0x00;
                    }
                    word[at] = stop;
                    let stops = string_stops(u64::from_le_bytes(word));
                    assert_eq!(stops.trailing_zeros() / 8, at as u32, "{word:?}");
                }
            }
        }
        // Every byte value at every position, after plain bytes: marked exactly when it
        // stops a string.
        for byte in 0..=u8::MAX {
            let stops_here = byte == b'"' || byte == b'\\' || byte < 0x20;
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = byte;
                let stops = string_stops(u64::from_le_bytes(word));
                if stops_here {
                    assert_eq!(stops.trailing_zeros() / 8, at as u32, "{byte:#x} at {at}");
                } else {
                    assert_eq!(stops, 0, "{byte:#x} at {at}");
                }
            }
        }
        for plain in [
            *b"abcdefgh",
            [0x20; 8],
            [0x7f; 8],
            [0xff; 8],
            *b"\xed\x95\x9c !#][",
        ] {
            assert_eq!(string_stops(u64::from_le_bytes(plain)), 0, "{plain:?}");
        }
    }
}
