//! The one YAML path: every YAML text the engine reads (a request, a suite file) goes
//! through serde-saphyr with the options here, its errors are worded and located here,
//! and a YAML number is judged by its text as written, by the same rule as a request's.
//!
//! - **Options** ([`Reader::options`]): YAML 1.2 with strict booleans (`NO` is text);
//!   merge keys (`<<`), unsupported tags and duplicate keys refused; one document; a
//!   budget on depth, aliases and nodes per kind of text (limits in `src/limits.rs`).
//!   A suite reads its inline requests with the request's rules, so that a request is
//!   the same request inline or in a file.
//! - **Errors** ([`Reader::error`]): the reader's first message line, without its
//!   position prefix and its hints about its own options (which the author of the text
//!   cannot change), and the refusal of a merge key in the engine's words; the position
//!   as 1-based line and column ([`YamlError`], [`line_of`], [`column_of`]).
//! - **Numbers**: a plain scalar the reader resolved as a number is read from its own
//!   source text ([`written`]), never from the float or integer YAML made of it: in a
//!   request through [`Yaml`] (the format's [`Scalars`], see `scalar.rs`), in a suite's
//!   expected facts through [`number`], which applies the request's decimal rule
//!   (`convert::decimal`: a plain decimal, no exponent, exactly as written).

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::de::{self, Deserialize};
use serde_saphyr::{Budget, Location, Options, Spanned};

use super::convert;
use super::scalar::{Probe, Raw, Scalars};
use crate::limits::{SUITE_DEPTH, SUITE_NODES, YAML_ALIASES, YAML_DEPTH, YAML_NODES};

/// What kind of YAML text is read: it sets the budget and the wording of refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reader {
    /// One request document.
    Request,
    /// A suite file (`csp-policy test`), whose inline requests are requests.
    Suite,
}

impl Reader {
    /// The reader's options: the same rules for every text, the budget of this kind.
    pub(crate) fn options(self) -> Options {
        let mut budget = Budget::default();
        budget.max_documents = 1;
        match self {
            Reader::Request => {
                budget.max_depth = YAML_DEPTH;
                budget.max_aliases = YAML_ALIASES;
                budget.max_nodes = YAML_NODES;
            }
            Reader::Suite => {
                budget.max_depth = SUITE_DEPTH;
                // Suites reuse a few anchors (`actor: *admin`) in many cases, which the
                // reader's alias-to-anchor ratio check takes for an alias bomb; expansion
                // stays bounded by the node budget (aliases count the nodes they stand for).
                budget.enforce_alias_anchor_ratio = false;
                budget.max_nodes = SUITE_NODES;
            }
        }
        serde_saphyr::options! {
            budget: Some(budget),
            duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
            merge_keys: serde_saphyr::options::MergeKeyPolicy::Error,
            reject_unsupported_tags: true,
            strict_booleans: true,
        }
    }

    /// The reader's error in the engine's words, with where it is in the text read.
    pub(crate) fn error(self, e: &serde_saphyr::Error) -> YamlError {
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("").trim();
        let mut message = first.trim_start_matches("error:").trim();
        if let Some(rest) = message.strip_prefix("line ") {
            if let Some((_, after)) = rest.split_once(": ") {
                message = after;
            }
        }
        let message = message
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or(message);
        let message = if message.contains("merge keys") {
            self.merge_keys().to_string()
        } else {
            message.to_string()
        };
        YamlError {
            message,
            location: e.location(),
        }
    }

    /// Why a merge key is refused.
    fn merge_keys(self) -> &'static str {
        match self {
            Reader::Request => {
                "YAML merge keys (`<<`) are not allowed in requests: write each field out"
            }
            Reader::Suite => {
                "YAML merge keys (`<<`) are not allowed in suites (requests refuse them): write each field out"
            }
        }
    }
}

/// A YAML text the reader refused: what is wrong, and where.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct YamlError {
    /// The problem, without the reader's position prefix.
    pub message: String,
    /// Where the reader found it, when it says.
    pub location: Option<Location>,
}

impl YamlError {
    /// The line in a stream whose document starts at `first_line` (1-based).
    pub(crate) fn line_from(&self, first_line: usize) -> Option<usize> {
        let line = self.location.map(|l| l.line())?;
        Some(
            first_line
                + usize::try_from(line)
                    .unwrap_or(usize::MAX)
                    .saturating_sub(1),
        )
    }

    /// The line in the text read, 1-based, when known.
    pub(crate) fn line(&self) -> Option<usize> {
        self.location.as_ref().and_then(line_of)
    }

    /// The column, 1-based, when known.
    pub(crate) fn column(&self) -> Option<usize> {
        self.location.as_ref().and_then(column_of)
    }
}

/// A location's line, 1-based; `None` where the reader does not know it.
pub(crate) fn line_of(location: &Location) -> Option<usize> {
    usize::try_from(location.line()).ok().filter(|&l| l > 0)
}

/// A location's column, 1-based; `None` where the reader does not know it.
pub(crate) fn column_of(location: &Location) -> Option<usize> {
    usize::try_from(location.column()).ok().filter(|&c| c > 0)
}

/// The byte range of the node at `location` in the text read, when the reader knows it.
pub(crate) fn byte_range(location: &Location) -> Option<(usize, usize)> {
    let span = location.span();
    let (at, len) = span.byte_offset().zip(span.byte_len())?;
    let at = usize::try_from(at).ok()?;
    Some((at, at.checked_add(usize::try_from(len).ok()?)?))
}

/// The source text of the node at `location` in `text`, the text read: for a number, as
/// written (for an alias, pass the anchored node's location, `Spanned::defined`).
pub(crate) fn written<'t>(location: &Location, text: &'t str) -> Option<&'t str> {
    let (start, end) = byte_range(location)?;
    text.get(start..end)
}

/// The request's decimal rule (a plain decimal, no exponent, exactly as written) for a
/// YAML number as written; the error names the number.
pub(crate) fn number(written: &str) -> Result<Decimal, String> {
    convert::decimal(&Raw::Number(Cow::Borrowed(written)))
}

/// YAML through serde-saphyr: numbers as their source text in `text`, the document.
#[derive(Clone, Copy)]
pub(super) struct Yaml<'de> {
    /// The document the deserializer reads (spans are relative to it).
    pub text: &'de str,
}

impl<'de> Scalars<'de> for Yaml<'de> {
    /// Every value exactly, numeric or not (YAML is not the fast path).
    fn read<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
        _numeric: bool,
    ) -> Result<Raw<'de>, D::Error> {
        let spanned = Spanned::<Probe<'de>>::deserialize(deserializer)?;
        let raw = spanned.value.0;
        if !matches!(raw, Raw::Number(_)) {
            return Ok(raw);
        }
        // The node's own text (for an alias, the anchored node's).
        match written(&spanned.defined, self.text) {
            Some(text) => Ok(Raw::Number(Cow::Borrowed(text))),
            None => Err(de::Error::custom(format_args!(
                "the text of the number at line {} cannot be read: quote it",
                spanned.defined.line()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::scalar::ScalarSeed;
    use serde::de::{DeserializeSeed, SeqAccess, Visitor};
    use std::fmt;

    fn yaml(text: &str) -> Raw<'_> {
        serde_saphyr::with_deserializer_from_str_with_options(
            text,
            serde_saphyr::options! { strict_booleans: true },
            |de| ScalarSeed(Yaml { text }).deserialize(de),
        )
        .unwrap()
    }

    fn number(text: &str) -> Raw<'_> {
        Raw::Number(Cow::Borrowed(text))
    }

    #[test]
    fn yaml_plain_numbers_arrive_as_their_source_text() {
        for written in [
            "0x10",
            "0o7",
            "1_000",
            "+5",
            "1.2e3",
            ".5",
            "1200.",
            "012",
            "1015.89499999999999",
        ] {
            let text = format!("{written}\n");
            assert_eq!(yaml(&text), number(written), "{written}");
        }
        // An alias stands for the anchored node's text.
        let text = "[&a 0x10, *a]";
        let mut de_items = Vec::new();
        serde_saphyr::with_deserializer_from_str_with_options(
            text,
            serde_saphyr::options! {},
            |de| {
                struct Items<'v, 'de>(&'v mut Vec<Raw<'de>>, &'de str);
                impl<'de> Visitor<'de> for Items<'_, 'de> {
                    type Value = ();
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a list")
                    }
                    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
                        while let Some(item) =
                            seq.next_element_seed(ScalarSeed(Yaml { text: self.1 }))?
                        {
                            self.0.push(item);
                        }
                        Ok(())
                    }
                }
                de::Deserializer::deserialize_seq(de, Items(&mut de_items, text))
            },
        )
        .unwrap();
        assert_eq!(de_items, [number("0x10"), number("0x10")]);
        // Quoted, it is text; `True` is a YAML 1.2 boolean, `yes` is text.
        assert_eq!(yaml("\"12\"\n"), Raw::Str("12".into()));
        assert_eq!(yaml("True\n"), Raw::Bool(true));
        assert_eq!(yaml("yes\n"), Raw::Str("yes".into()));
        assert_eq!(yaml("~\n"), Raw::Null);
        assert_eq!(
            yaml("{\"$serde_json::private::Number\": \"7\"}\n"),
            Raw::Object
        );
    }

    fn refusal(reader: Reader, text: &str) -> YamlError {
        match serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, reader.options()) {
            Ok(_) => panic!("{text:?} was read"),
            Err(e) => reader.error(&e),
        }
    }

    #[test]
    fn both_readers_refuse_the_same_features_in_their_own_words() {
        for reader in [Reader::Request, Reader::Suite] {
            let merge = refusal(reader, "a: &a {x: 1}\nb: {<<: *a}\n");
            assert_eq!(merge.message, reader.merge_keys());
            let duplicate = refusal(reader, "a: 1\na: 2\n");
            assert!(
                !duplicate.message.contains("DuplicateKeyPolicy"),
                "{duplicate:?}"
            );
            assert!(!duplicate.message.starts_with("line "), "{duplicate:?}");
            assert_eq!((duplicate.line(), duplicate.column()), (Some(2), Some(1)));
            assert_eq!(duplicate.line_from(10), Some(11));
            let tag = refusal(reader, "a: !!python/object x\n");
            assert_eq!(tag.line(), Some(1), "{tag:?}");
            assert!(refusal(reader, "a: yes\n---\nb: 1\n").line().is_some());
        }
        assert_ne!(
            Reader::Request.merge_keys(),
            Reader::Suite.merge_keys(),
            "a suite says why requests matter"
        );
    }

    #[test]
    fn numbers_follow_the_request_decimal_rule() {
        assert_eq!(
            super::number("1015.89499999999999").map(|d| d.to_string()),
            Ok("1015.89499999999999".into())
        );
        assert_eq!(
            super::number("1e2"),
            Err("the number 1e2 is not a plain decimal number (digits with an optional decimal point; no exponent)".into())
        );
    }
}
