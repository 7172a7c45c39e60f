//! One value of a request as the document wrote it: null, a boolean, a number **as its
//! text**, text, or the shape of a list or an object. Each format hands a field's value
//! over exactly, so that one text rule (`value::read_decimal`, `number::read_count`)
//! judges a number whatever the format:
//!
//! - JSON: the value of a field that holds a number is read as a
//!   `serde_json::value::RawValue`, a slice of the document (no allocation); a number
//!   is the JSON number's text. No key of a user's object can stand for a number
//!   (serde_json's `arbitrary_precision` handed numbers over as a one-key object that a
//!   request could imitate, and allocated its text; it is not used).
//! - YAML (`yaml.rs`, the one YAML path): the value is read as a `serde_saphyr::Spanned`;
//!   for a plain scalar that the YAML reader resolved as a number, the text is the
//!   scalar's own source text, so `1.2e3`, `0x10`, `1_000` or `+5` are judged as
//!   written, never as the float or integer YAML made of them.
//!
//! A visitor that wants one shape (an object, a list) and takes any other value as a
//! [`Raw`] gets its scalar methods from [`other_scalars!`], which hands each scalar
//! over through [`RawVisitor`].

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A scalar (or the shape of a non-scalar) as the document gave it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Raw<'de> {
    /// `null` (YAML: `null`, `~` or nothing).
    Null,
    /// A boolean.
    Bool(bool),
    /// A number, as its text in the document (see the module doc). Where a format gave
    /// only the value (a JSON number in a field that does not hold numbers, a list of
    /// roles given a number), the value's shortest decimal text, used only to name it.
    Number(Cow<'de, str>),
    /// Text.
    Str(Cow<'de, str>),
    /// A list (its items are not kept).
    List,
    /// An object (its entries are not kept).
    Object,
}

impl Raw<'_> {
    /// How the value is named in error messages ("the number 0x10", "an object").
    pub(super) fn describe(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => format!("`{b}`"),
            Raw::Number(n) => format!("the number {}", truncate(n)),
            Raw::Str(s) => format!("the text \"{}\"", truncate(s)),
            Raw::List => "a list".into(),
            Raw::Object => "an object".into(),
        }
    }
}

impl Raw<'_> {
    /// What kind of value it is, for "must be an object, not ..." messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Raw::Null => "nothing",
            Raw::Bool(_) => "yes or no",
            Raw::Number(_) => "a number",
            Raw::Str(_) => "text",
            Raw::List => "a list",
            Raw::Object => "an object",
        }
    }
}

/// The text, cut to 40 characters with an ellipsis, for error messages.
pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

/// How one format hands over the value of a field exactly.
pub(super) trait Scalars<'de>: Copy {
    /// Reads the next value as a [`Raw`]. With `numeric` (a field that holds a number),
    /// a number is always its text as written; otherwise a format may give a number's
    /// value only (it is then only named in a "wrong type" message).
    fn read<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
        numeric: bool,
    ) -> Result<Raw<'de>, D::Error>;
}

/// A [`DeserializeSeed`] reading one value with a format's [`Scalars`] (not numeric).
#[derive(Clone, Copy)]
pub(super) struct ScalarSeed<F>(pub F);

impl<'de, F: Scalars<'de>> DeserializeSeed<'de> for ScalarSeed<F> {
    type Value = Raw<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Raw<'de>, D::Error> {
        self.0.read(deserializer, false)
    }
}

/// JSON through serde_json: the value of a numeric field as a slice of the document;
/// any other value as serde_json reads it (strings borrowed, numbers as `f64`/`u64`,
/// which only name them in messages). Strings are the most common values and are read
/// once this way; a raw slice would scan them twice.
#[derive(Clone, Copy)]
pub(super) struct Json;

impl<'de> Scalars<'de> for Json {
    fn read<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
        numeric: bool,
    ) -> Result<Raw<'de>, D::Error> {
        if !numeric {
            return deserializer.deserialize_any(RawVisitor);
        }
        let raw = <&'de serde_json::value::RawValue>::deserialize(deserializer)?;
        json_value(raw.get()).map_err(de::Error::custom)
    }
}

/// A JSON value's text (valid JSON: serde_json checked it while reading it) as a [`Raw`].
pub(super) fn json_value(text: &str) -> Result<Raw<'_>, serde_json::Error> {
    Ok(match text.as_bytes().first() {
        Some(b'n') => Raw::Null,
        Some(b't') => Raw::Bool(true),
        Some(b'f') => Raw::Bool(false),
        Some(b'[') => Raw::List,
        Some(b'{') => Raw::Object,
        Some(b'"') => {
            let inner = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .unwrap_or("");
            if !inner.as_bytes().contains(&b'\\') {
                Raw::Str(Cow::Borrowed(inner))
            } else {
                Raw::Str(Cow::Owned(serde_json::from_str::<String>(text)?))
            }
        }
        // A digit or `-`: JSON's number grammar, already checked.
        _ => Raw::Number(Cow::Borrowed(text)),
    })
}

/// A value read as the reader resolved it, for reading it inside a wrapper that asks
/// for a `Deserialize` type (YAML's `Spanned`, see `yaml.rs`).
pub(super) struct Probe<'de>(pub Raw<'de>);

impl<'de> Deserialize<'de> for Probe<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor).map(Probe)
    }
}

/// Implements a [`Visitor`]'s scalar methods (booleans, numbers, text) for a visitor
/// that wants another shape: each scalar is read as a [`Raw`] by [`RawVisitor`] and
/// handed to the visitor's own `fn other(self, raw: Raw<'de>) -> Self::Value`.
macro_rules! other_scalars {
    () => {
        other_scalars!(
            visit_bool(bool),
            visit_i64(i64),
            visit_u64(u64),
            visit_i128(i128),
            visit_u128(u128),
            visit_f64(f64),
            visit_borrowed_str(&'de str),
            visit_str(&str),
            visit_string(String),
        );
    };
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(
            fn $method<E: serde::de::Error>(self, v: $ty) -> Result<Self::Value, E> {
                $crate::request::scalar::RawVisitor
                    .$method(v)
                    .map(|raw| self.other(raw))
            }
        )*
    };
}
pub(super) use other_scalars;

/// Reads any value as a [`Raw`], from what the format's `deserialize_any` gives: exact
/// for everything but numbers, whose text it does not see (see [`Raw::Number`]).
pub(super) struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Raw::Number(Cow::Owned(v.to_string())))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Raw::List)
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Raw<'_> {
        let mut de = serde_json::Deserializer::from_str(text);
        Json.read(&mut de, true).unwrap()
    }

    fn number(text: &str) -> Raw<'_> {
        Raw::Number(Cow::Borrowed(text))
    }

    #[test]
    fn json_values_arrive_as_written() {
        assert_eq!(json(" 1015.89499999999999 "), number("1015.89499999999999"));
        assert_eq!(
            json("100000000000000000000"),
            number("100000000000000000000")
        );
        assert_eq!(json("-1e400"), number("-1e400"));
        assert_eq!(json(r#""a\"b""#), Raw::Str("a\"b".into()));
        assert_eq!(json(r#""plain""#), Raw::Str("plain".into()));
        assert!(matches!(json(r#""plain""#), Raw::Str(Cow::Borrowed(_))));
        assert_eq!(json("null"), Raw::Null);
        assert_eq!(json("false"), Raw::Bool(false));
        assert_eq!(json("[1]"), Raw::List);
        // serde_json's own key for numbers is a key like any other.
        assert_eq!(
            json(r#"{"$serde_json::private::Number": "7"}"#),
            Raw::Object
        );
        assert_eq!(
            json(r#"{"$serde_json::private::RawValue": "7"}"#),
            Raw::Object
        );
    }

    #[test]
    fn json_values_of_other_fields_are_read_once() {
        let read = |text: &'static str| {
            let mut de = serde_json::Deserializer::from_str(text);
            Json.read(&mut de, false).unwrap()
        };
        assert!(matches!(
            read(r#""plain""#),
            Raw::Str(Cow::Borrowed("plain"))
        ));
        assert_eq!(read("12"), Raw::Number("12".into()));
        assert_eq!(read("1.5"), Raw::Number("1.5".into()));
        assert_eq!(
            read(r#"{"$serde_json::private::Number": "7"}"#),
            Raw::Object
        );
    }
}
