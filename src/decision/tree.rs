//! A small tree of data (null, booleans, strings, lists, maps with keys in order) and its
//! two writers: one line of JSON, and YAML block style. Nested parts of a decision (the
//! explanation) are built once as a [`Tree`] and written by both, so the two renderings
//! cannot drift apart; the flat top of a decision is written directly (the hot path).

use std::borrow::Cow;

use super::yaml::{yaml_key, yaml_str};
use crate::json::write_str;

/// Data to write as JSON or YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tree<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A string from the decision.
    Str(&'a str),
    /// A string made for the rendering.
    Owned(String),
    /// A fixed word (an effect, an outcome, a type name): a string, written plain in
    /// YAML where every reader takes it as that string.
    Word(&'static str),
    /// A list.
    List(Vec<Tree<'a>>),
    /// A map, its keys in the order given (keys are fixed names).
    Map(Vec<(&'static str, Tree<'a>)>),
}

impl Tree<'_> {
    /// The tree's text, when it is a string.
    fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Tree::Str(s) => Some(Cow::Borrowed(s)),
            Tree::Owned(s) => Some(Cow::Borrowed(s)),
            Tree::Word(s) => Some(Cow::Borrowed(s)),
            _ => None,
        }
    }

    /// Appends the tree as JSON, on one line.
    pub(crate) fn write_json(&self, out: &mut String) {
        match self {
            Tree::Null => out.push_str("null"),
            Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Tree::Str(s) => write_str(out, s),
            Tree::Owned(s) => write_str(out, s),
            Tree::Word(s) => write_str(out, s),
            Tree::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Tree::Map(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(out, key);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// Appends the tree as the YAML value of a key or list item already written (`key:`
    /// or `-`): a scalar or an empty collection on the same line, a list or map on the
    /// lines below at `indent` spaces. A map in a list starts on the item's line.
    pub(crate) fn write_yaml(&self, out: &mut String, indent: usize) {
        match self {
            Tree::Null => out.push_str(" null"),
            Tree::Bool(b) => out.push_str(if *b { " true" } else { " false" }),
            Tree::Word(s) => {
                out.push(' ');
                yaml_key(out, s);
            }
            Tree::Str(_) | Tree::Owned(_) => {
                out.push(' ');
                yaml_str(out, &self.text().unwrap_or_default());
            }
            Tree::List(items) if items.is_empty() => out.push_str(" []"),
            Tree::Map(entries) if entries.is_empty() => out.push_str(" {}"),
            Tree::List(items) => {
                for item in items {
                    newline(out, indent);
                    out.push('-');
                    match item {
                        Tree::Map(entries) if !entries.is_empty() => {
                            out.push(' ');
                            write_entries(out, entries, indent + 2, true);
                        }
                        _ => item.write_yaml(out, indent + 2),
                    }
                }
            }
            Tree::Map(entries) => write_entries(out, entries, indent, false),
        }
    }
}

/// Appends a map's entries at `indent`, the first on the current line when `inline`.
fn write_entries(out: &mut String, entries: &[(&str, Tree<'_>)], indent: usize, inline: bool) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 || !inline {
            newline(out, indent);
        }
        yaml_key(out, key);
        out.push(':');
        value.write_yaml(out, indent + 2);
    }
}

/// Starts a new line indented by `indent` spaces.
fn newline(out: &mut String, indent: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Tree<'static> {
        Tree::Map(vec![
            ("rule", Tree::Str("r \"1\"")),
            ("effect", Tree::Word("permit")),
            ("none", Tree::Null),
            ("empty", Tree::List(vec![])),
            ("nothing", Tree::Map(vec![])),
            (
                "tests",
                Tree::List(vec![
                    Tree::Map(vec![
                        ("holds", Tree::Bool(true)),
                        (
                            "operands",
                            Tree::List(vec![Tree::Str("a"), Tree::Owned("yes".into())]),
                        ),
                    ]),
                    Tree::List(vec![Tree::Word("null")]),
                ]),
            ),
        ])
    }

    #[test]
    fn json_and_yaml_write_the_same_data() {
        let tree = sample();
        let mut json = String::new();
        tree.write_json(&mut json);
        assert_eq!(
            json,
            r#"{"rule":"r \"1\"","effect":"permit","none":null,"empty":[],"nothing":{},"tests":[{"holds":true,"operands":["a","yes"]},["null"]]}"#
        );
        let mut yaml = String::from("top:");
        tree.write_yaml(&mut yaml, 2);
        assert_eq!(
            yaml,
            "top:\n  rule: \"r \\\"1\\\"\"\n  effect: permit\n  none: null\n  empty: []\n  nothing: {}\n  tests:\n    - holds: true\n      operands:\n        - \"a\"\n        - \"yes\"\n    -\n      - \"null\"",
        );
        let from_json: serde_json::Value = serde_json::from_str(&json).unwrap();
        let from_yaml: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(from_yaml["top"], from_json);
    }
}
