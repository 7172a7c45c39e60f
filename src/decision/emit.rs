//! The two syntaxes a decision's data is written in: [`Emit`], what the decision's shape
//! (`shape.rs`) is written against, and its two writers, [`Json`] (one line) and
//! [`Yaml`] (block style, flow lists where the shape asks for them). Both write straight
//! into the output, with no tree in between (JSON is the hot path of `eval`).

use std::fmt::{Display, Write as _};

use rust_decimal::Decimal;

use super::yaml::{yaml_key, yaml_str};
use crate::json::{write_display, write_str};
use crate::value::write_number;

/// How nested the data may be: the decision's shape needs eight levels (the document,
/// the explanation, an entry, its tests, a test, its operands, an operand, roles).
pub(super) const DEPTH: usize = 12;

/// A key of the decision's shape: its name (letters and `_` only), and its JSON text
/// first in a map (`"name":`) and after an entry (`,"name":`), so that JSON writes a key
/// with one copy. Made by [`key!`](crate::decision::emit::key).
#[derive(Debug, Clone, Copy)]
pub(super) struct Key {
    /// The name.
    pub(super) name: &'static str,
    /// `"name":`
    first: &'static str,
    /// `,"name":`
    next: &'static str,
}

impl Key {
    /// The key `name` with its two JSON texts (use [`key!`], which writes them).
    pub(super) const fn new(name: &'static str, first: &'static str, next: &'static str) -> Self {
        Key { name, first, next }
    }
}

/// The [`Key`] named by a string literal: `key!("decision")`.
macro_rules! key {
    ($name:literal) => {
        $crate::decision::emit::Key::new(
            $name,
            concat!("\"", $name, "\":"),
            concat!(",\"", $name, "\":"),
        )
    };
}
pub(super) use key;

/// A writer of data: maps with keys in order, lists, and scalars. Every value follows a
/// [`Emit::key`] (in a map) or an [`Emit::item`] (in a list).
pub(super) trait Emit {
    /// Starts a map (its entries are `key` then a value).
    fn begin_map(&mut self);
    /// Starts a list written one item a line (YAML); JSON has one kind of list.
    fn begin_list(&mut self);
    /// Starts a list written on one line (YAML `[a, b]`).
    fn begin_flow_list(&mut self);
    /// Ends the innermost map or list.
    fn end(&mut self);
    /// Starts a map entry named by the shape.
    fn key(&mut self, key: Key);
    /// Starts a map entry named by the policy (a fact's name).
    fn name(&mut self, name: &str);
    /// Starts a list item.
    fn item(&mut self);
    /// `null`.
    fn null(&mut self);
    /// `true` or `false`.
    fn bool(&mut self, b: bool);
    /// A string from the decision.
    fn str(&mut self, s: &str);
    /// A value's `Display`, as a string.
    fn display(&mut self, value: &dyn Display);
    /// A fixed word of the engine (a verdict, an effect, a type name: lower-case letters
    /// and `-` only): a string, written plain in YAML where every reader takes it as that
    /// string, and without escaping in JSON.
    fn word(&mut self, word: &'static str);
    /// An exact decimal number.
    fn number(&mut self, n: Decimal);
    /// A count (a line or column number).
    fn count(&mut self, n: usize);
}

/// Whether a word is one [`Emit::word`] takes: lower-case ASCII letters, digits and `-`,
/// which JSON writes as they are.
pub(super) fn is_word(word: &str) -> bool {
    word.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// One line of JSON.
pub(super) struct Json<'a> {
    out: &'a mut String,
    /// Bit `d` is set while the container at depth `d` has had no entry yet.
    fresh: u64,
    /// Bit `d` is set when the container at depth `d` is a map.
    maps: u64,
    depth: u32,
}

impl<'a> Json<'a> {
    /// A writer appending to `out`.
    pub(super) fn new(out: &'a mut String) -> Self {
        Json {
            out,
            fresh: 0,
            maps: 0,
            depth: 0,
        }
    }

    /// The bit of the current depth.
    fn bit(&self) -> u64 {
        1u64.checked_shl(self.depth).unwrap_or(0)
    }

    fn open(&mut self, map: bool) {
        self.out.push(if map { '{' } else { '[' });
        self.depth += 1;
        let bit = self.bit();
        self.fresh |= bit;
        if map {
            self.maps |= bit;
        } else {
            self.maps &= !bit;
        }
    }

    /// A comma before every entry but the first.
    fn separate(&mut self) {
        let bit = self.bit();
        if self.fresh & bit == 0 {
            self.out.push(',');
        }
        self.fresh &= !bit;
    }
}

impl Emit for Json<'_> {
    fn begin_map(&mut self) {
        self.open(true);
    }
    fn begin_list(&mut self) {
        self.open(false);
    }
    fn begin_flow_list(&mut self) {
        self.open(false);
    }
    fn end(&mut self) {
        self.out.push(if self.maps & self.bit() != 0 {
            '}'
        } else {
            ']'
        });
        self.depth = self.depth.saturating_sub(1);
    }
    fn key(&mut self, key: Key) {
        let bit = self.bit();
        let first = self.fresh & bit != 0;
        self.fresh &= !bit;
        self.out.push_str(if first { key.first } else { key.next });
    }
    fn name(&mut self, name: &str) {
        self.separate();
        write_str(self.out, name);
        self.out.push(':');
    }
    fn item(&mut self) {
        self.separate();
    }
    fn null(&mut self) {
        self.out.push_str("null");
    }
    fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }
    fn str(&mut self, s: &str) {
        write_str(self.out, s);
    }
    fn display(&mut self, value: &dyn Display) {
        write_display(self.out, value);
    }
    #[inline]
    fn word(&mut self, word: &'static str) {
        debug_assert!(is_word(word), "{word:?}");
        self.out.reserve(word.len() + 2);
        self.out.push('"');
        self.out.push_str(word);
        self.out.push('"');
    }
    fn number(&mut self, n: Decimal) {
        write_number(self.out, n);
    }
    fn count(&mut self, n: usize) {
        let _ = write!(self.out, "{n}");
    }
}

/// What kind of container a YAML frame is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Map,
    /// A block list: one `- item` a line.
    List,
    /// A flow list: `[a, b]`.
    Flow,
}

/// An open YAML container.
#[derive(Debug, Clone, Copy, Default)]
struct Frame {
    kind: Kind,
    /// Where its keys or dashes start.
    indent: usize,
    /// No entry yet.
    fresh: bool,
    /// A map whose first key goes on the current line (after `- `, or the document's).
    inline: bool,
}

/// YAML in block style: a map's entries and a list's items one a line, indented by two
/// spaces a level, a map in a list starting on the item's line; empty containers and
/// flow lists on the line of their key. Strings through [`yaml_str`], keys and words
/// through [`yaml_key`].
pub(super) struct Yaml<'a> {
    out: &'a mut String,
    frames: [Frame; DEPTH],
    depth: usize,
}

impl<'a> Yaml<'a> {
    /// A writer appending to `out`, at the start of a document's line.
    pub(super) fn new(out: &'a mut String) -> Self {
        Yaml {
            out,
            frames: [Frame::default(); DEPTH],
            depth: 0,
        }
    }

    /// The innermost open container.
    fn current(&mut self) -> Option<&mut Frame> {
        self.depth
            .checked_sub(1)
            .and_then(|i| self.frames.get_mut(i))
    }

    fn push(&mut self, frame: Frame) {
        if let Some(slot) = self.frames.get_mut(self.depth) {
            *slot = frame;
        }
        self.depth += 1;
    }

    /// Where a container opened here puts its keys or dashes: two spaces in from its
    /// parent's (at the document's level, none).
    fn child_indent(&mut self) -> usize {
        self.current().map_or(0, |f| f.indent + 2)
    }

    /// The space before a value, except first in a flow list or at the document's level.
    fn lead(&mut self) {
        match self.current().map(|f| f.kind) {
            Some(Kind::Flow) | None => {}
            Some(Kind::Map | Kind::List) => self.out.push(' '),
        }
    }

    fn newline(&mut self, indent: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', indent));
    }
}

impl Emit for Yaml<'_> {
    fn begin_map(&mut self) {
        let inline = self.current().is_none_or(|f| f.kind == Kind::List);
        let indent = self.child_indent();
        self.push(Frame {
            kind: Kind::Map,
            indent,
            fresh: true,
            inline,
        });
    }
    fn begin_list(&mut self) {
        let indent = self.child_indent();
        self.push(Frame {
            kind: Kind::List,
            indent,
            fresh: true,
            inline: false,
        });
    }
    fn begin_flow_list(&mut self) {
        self.lead();
        self.out.push('[');
        self.push(Frame {
            kind: Kind::Flow,
            indent: 0,
            fresh: true,
            inline: false,
        });
    }
    fn end(&mut self) {
        let Some(frame) = self.current().copied() else {
            return;
        };
        self.depth -= 1;
        match (frame.kind, frame.fresh) {
            (Kind::Flow, _) => self.out.push(']'),
            (Kind::Map, true) => {
                self.lead();
                self.out.push_str("{}");
            }
            (Kind::List, true) => {
                self.lead();
                self.out.push_str("[]");
            }
            (Kind::Map | Kind::List, false) => {}
        }
    }
    fn key(&mut self, key: Key) {
        self.name(key.name);
    }
    fn name(&mut self, key: &str) {
        let document = self.depth == 1;
        if let Some(frame) = self.current().copied() {
            if frame.fresh && frame.inline {
                if !document {
                    self.out.push(' ');
                }
            } else {
                self.newline(frame.indent);
            }
        }
        if let Some(frame) = self.current() {
            frame.fresh = false;
        }
        yaml_key(self.out, key);
        self.out.push(':');
    }
    fn item(&mut self) {
        let Some(frame) = self.current().copied() else {
            return;
        };
        match frame.kind {
            Kind::Flow if !frame.fresh => self.out.push_str(", "),
            Kind::Flow | Kind::Map => {}
            Kind::List => {
                self.newline(frame.indent);
                self.out.push('-');
            }
        }
        if let Some(frame) = self.current() {
            frame.fresh = false;
        }
    }
    fn null(&mut self) {
        self.lead();
        self.out.push_str("null");
    }
    fn bool(&mut self, b: bool) {
        self.lead();
        self.out.push_str(if b { "true" } else { "false" });
    }
    fn str(&mut self, s: &str) {
        self.lead();
        yaml_str(self.out, s);
    }
    fn display(&mut self, value: &dyn Display) {
        self.lead();
        yaml_str(self.out, &value.to_string());
    }
    fn word(&mut self, word: &'static str) {
        self.lead();
        yaml_key(self.out, word);
    }
    fn number(&mut self, n: Decimal) {
        self.lead();
        write_number(self.out, n);
    }
    fn count(&mut self, n: usize) {
        self.lead();
        let _ = write!(self.out, "{n}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::explain::{Outcome, TestKind, ValueKind};
    use crate::policy::Effect;
    use strum::VariantArray as _;

    #[test]
    fn json_keys_take_a_comma_after_the_first_entry_of_each_map() {
        let mut out = String::new();
        let mut json = Json::new(&mut out);
        json.begin_map();
        json.key(key!("a"));
        json.word("x");
        json.key(key!("b"));
        json.begin_map();
        json.key(key!("c"));
        json.null();
        json.key(key!("d"));
        json.begin_list();
        json.item();
        json.bool(true);
        json.end();
        json.end();
        json.key(key!("e_f"));
        json.count(3);
        json.end();
        assert_eq!(out, r#"{"a":"x","b":{"c":null,"d":[true]},"e_f":3}"#);
    }

    #[test]
    fn every_word_the_shape_writes_needs_no_escape() {
        let effects = [Effect::Permit, Effect::Forbid, Effect::Reject, Effect::Deny];
        let words = ["allow", "deny", "absent", "bool", "roles"]
            .into_iter()
            .chain(effects.map(Effect::as_str))
            .chain(Outcome::VARIANTS.iter().map(|o| o.as_str()))
            .chain(TestKind::VARIANTS.iter().map(|k| k.as_str()))
            .chain(ValueKind::VARIANTS.iter().map(|v| v.as_str()));
        for word in words {
            assert!(is_word(word), "{word:?}");
            let (mut raw, mut escaped) = (String::new(), String::new());
            Json::new(&mut raw).word(word);
            crate::json::write_str(&mut escaped, word);
            assert_eq!(raw, escaped);
        }
        assert!(!is_word("a\"b") && !is_word("A") && !is_word("a b"));
    }
}
