//! A YAML node of a suite file, kept as the YAML reader gave it (null, boolean, integer
//! text, float, text, list, mapping in written order), and written back as a one-line
//! YAML flow document that reads back as the very same node.
//!
//! This is how an inline `request:` is decided exactly as `csp-policy eval` decides the
//! same YAML: the suite is read with the options the request decoder uses (strict
//! booleans, no merge keys, no unknown tags, no duplicate keys), the request node is
//! written back with [`Node::to_flow`], and that text goes through the request decoder's
//! YAML path. Every scalar keeps its YAML type: text is always double-quoted, numbers
//! are written as the suite wrote them (the request decoder judges a YAML number by its
//! text: `0x10` and `1.2e3` are refused there, so they must reach it as written), so
//! the decoder sees the same calls a file with the request would give it.

use std::fmt::{self, Write as _};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer, as its decimal digits (with a leading `-` when negative), and where
    /// the suite wrote it.
    Int(String, Written),
    /// A float, and where the suite wrote it.
    Float(f64, Written),
    /// Text.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in written order.
    Map(Vec<(Node, Node)>),
}

/// Where a number is written in the suite's text (byte range), when known. Two nodes
/// that differ only in where they are written are the same node.
#[derive(Debug, Clone, Copy, Default)]
pub struct Written(Option<(usize, usize)>);

impl PartialEq for Written {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Written {
    /// The number written at bytes `start..end` of the suite's text.
    #[cfg(test)]
    pub(crate) fn at(start: usize, end: usize) -> Self {
        Written(Some((start, end)))
    }

    /// The text at this place of `source`, when known.
    pub(crate) fn text(self, source: &str) -> Option<&str> {
        let (start, end) = self.0?;
        source.get(start..end)
    }
}

impl Node {
    /// Writes the node as one line of YAML flow syntax that reads back as this node;
    /// numbers are written as `source`, the suite's text, has them.
    pub fn to_flow(&self, source: &str) -> String {
        let mut out = String::new();
        self.write_flow(&mut out, source);
        out
    }

    fn write_flow(&self, out: &mut String, source: &str) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Int(digits, at) => out.push_str(at.text(source).unwrap_or(digits)),
            Node::Float(f, at) => match at.text(source) {
                Some(text) => out.push_str(text),
                None => write_float(out, *f),
            },
            Node::Str(s) => yaml_quoted(out, s),
            Node::Seq(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_flow(out, source);
                }
                out.push(']');
            }
            Node::Map(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    key.write_flow(out, source);
                    out.push_str(": ");
                    value.write_flow(out, source);
                }
                out.push('}');
            }
        }
    }

    /// A short description of the node's kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(..) | Node::Float(..) => "a number",
            Node::Str(_) => "text",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

/// A float in a form YAML reads back as the same float: Rust's `{:?}` always writes a
/// point or an exponent (`12.0`, `84.66`, `1e300`), so it never reads back as an integer.
fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(".nan");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { ".inf" } else { "-.inf" });
    } else {
        let _ = write!(out, "{f:?}");
    }
}

/// Writes a YAML double-quoted scalar with the escaping of the decision's YAML
/// ([`crate::decision::yaml_str`]: every character YAML does not print as itself is
/// escaped), so the text reads back unchanged.
fn yaml_quoted(out: &mut String, s: &str) {
    crate::decision::yaml_str(out, s);
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.to_string(), Written::default()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.to_string(), Written::default()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v.to_string(), Written::default()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Ok(Node::Int(v.to_string(), Written::default()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v, Written::default()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Node, S::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(written(item));
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Node, M::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Spanned<Node>, Spanned<Node>>()? {
            entries.push((written(key), written(value)));
        }
        Ok(Node::Map(entries))
    }
}

/// A node with, for a number, where it is written (for an alias, the anchored node).
pub(crate) fn written(spanned: Spanned<Node>) -> Node {
    let at = Written(crate::request::yaml::byte_range(&spanned.defined));
    match spanned.value {
        Node::Int(digits, _) => Node::Int(digits, at),
        Node::Float(f, _) => Node::Float(f, at),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::yaml::Reader;

    fn read(text: &str) -> Node {
        serde_saphyr::from_str_with_options(text, Reader::Suite.options()).unwrap()
    }

    #[test]
    fn scalars_keep_their_yaml_types() {
        let node =
            read("a: 12\nb: 12.0\nc: \"12\"\nd: yes\ne: true\nf: ~\ng: 2026-11-25T12:00:00Z\n");
        let Node::Map(entries) = node else {
            panic!("a mapping")
        };
        let values: Vec<&Node> = entries.iter().map(|(_, v)| v).collect();
        assert_eq!(values[0], &Node::Int("12".into(), Written::default()));
        assert_eq!(values[1], &Node::Float(12.0, Written::default()));
        assert_eq!(values[2], &Node::Str("12".into()));
        // Strict booleans, as the request decoder reads them: `yes` is text.
        assert_eq!(values[3], &Node::Str("yes".into()));
        assert_eq!(values[4], &Node::Bool(true));
        assert_eq!(values[5], &Node::Null);
        assert_eq!(values[6], &Node::Str("2026-11-25T12:00:00Z".into()));
    }

    #[test]
    fn flow_text_reads_back_as_the_same_node() {
        let text = "k: [1, -7, 12.0, 84.66, 1.0e-7, 1.5e300, -0.0, 0.1]\n\
                    s: \"a \\\"q\\\" \\\\ \\n \\t \\u0085 \\u2028 \\ufeff \\u0001 é 😀\"\n\
                    t: NO\n\
                    u: 'single'\n\
                    n: null\n\
                    nested: {x: {y: [true, false]}}\n\
                    12: int key\n";
        let node = read(text);
        let back = read(&node.to_flow(text));
        assert_eq!(node, back);
        assert!(!node.to_flow(text).contains('\n'));
    }

    #[test]
    fn numbers_are_written_back_as_the_suite_wrote_them() {
        let text = "a: 0x10\nb: 1.2e3\nc: [+5, &n 1_000, *n]\nd: 1015.89499999999999\n";
        assert_eq!(
            read(text).to_flow(text),
            "{\"a\": 0x10, \"b\": 1.2e3, \"c\": [+5, 1_000, 1_000], \"d\": 1015.89499999999999}"
        );
    }

    #[test]
    fn non_finite_floats_are_refused_as_the_request_decoder_refuses_them() {
        let options = Reader::Suite.options();
        assert!(serde_saphyr::from_str_with_options::<Node>("x: .nan\n", options).is_err());
        let mut out = String::new();
        write_float(&mut out, f64::NEG_INFINITY);
        assert_eq!(out, "-.inf");
    }
}
