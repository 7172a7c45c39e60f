//! `--log-mask FIELD`: removing request fields (a dotted path such as `actor.id`) before
//! the request is logged, keeping everything else exactly as received: the order of
//! keys and every value's text (numbers are never re-read as floats). The result is
//! compact JSON on one line.
//!
//! Only JSON requests can be masked: a YAML request under a mask is not stored (its
//! entry says so by a `null` request), so that a masked field is never logged.

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::json::write_str;

/// A field to remove: the keys from the request's top level down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath(Vec<String>);

/// Why a `--log-mask` value is not a field path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("--log-mask {0:?} is not a field path (keys separated by dots, such as actor.id)")]
pub struct BadFieldPath(pub String);

impl FieldPath {
    /// Reads `actor.id`-style paths: dot-separated, no empty key.
    pub fn parse(text: &str) -> Result<FieldPath, BadFieldPath> {
        let keys: Vec<String> = text.split('.').map(str::to_string).collect();
        if keys.iter().any(|k| k.trim().is_empty()) {
            return Err(BadFieldPath(text.to_string()));
        }
        Ok(FieldPath(keys))
    }
}

/// A JSON object as written: its members in order, values as their raw text.
struct Ordered<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Ordered<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Ordered<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut members = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    members.push((key, value));
                }
                Ok(Ordered(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// The JSON request `text` without the `fields`, as compact JSON; `None` when `text` is
/// not JSON (it cannot be masked, so it must not be stored).
pub fn mask_json(text: &str, fields: &[FieldPath]) -> Option<String> {
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    let paths: Vec<&[String]> = fields.iter().map(|f| f.0.as_slice()).collect();
    let mut out = String::with_capacity(text.len());
    mask_value(raw, &paths, &mut out).then_some(out)
}

/// Writes `raw` without the members `paths` name (relative to it); false when an
/// object on a path cannot be read.
fn mask_value(raw: &RawValue, paths: &[&[String]], out: &mut String) -> bool {
    let text = raw.get();
    if paths.is_empty() || !text.starts_with('{') {
        crate::json::compact(text, out);
        return true;
    }
    let Ok(object) = serde_json::from_str::<Ordered<'_>>(text) else {
        return false;
    };
    out.push('{');
    let mut first = true;
    for (key, value) in &object.0 {
        let mut deeper: Vec<&[String]> = Vec::new();
        let mut removed = false;
        for path in paths {
            if let Some((head, rest)) = path.split_first() {
                if head == key {
                    if rest.is_empty() {
                        removed = true;
                    } else {
                        deeper.push(rest);
                    }
                }
            }
        }
        if removed {
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        write_str(out, key);
        out.push(':');
        if !mask_value(value, &deeper, out) {
            return false;
        }
    }
    out.push('}');
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(p: &[&str]) -> Vec<FieldPath> {
        p.iter().map(|p| FieldPath::parse(p).unwrap()).collect()
    }

    #[test]
    fn a_masked_field_is_removed_and_everything_else_kept_as_written() {
        let request = "{\"action\":\"cancel\",\n \"actor\": {\"id\":\"ops@x\",\"kind\":\"partner\"},\"order\":{\"price\":1200.10,\"id\":\"a b\"}}";
        assert_eq!(
            mask_json(request, &paths(&["actor.id", "order.id"])).unwrap(),
            r#"{"action":"cancel","actor":{"kind":"partner"},"order":{"price":1200.10}}"#
        );
        assert_eq!(
            mask_json(request, &paths(&["actor"])).unwrap(),
            r#"{"action":"cancel","order":{"price":1200.10,"id":"a b"}}"#
        );
    }

    #[test]
    fn a_duplicate_key_is_masked_every_time() {
        let request = r#"{"actor":{"id":"a"},"actor":{"id":"b","kind":"partner"}}"#;
        assert_eq!(
            mask_json(request, &paths(&["actor.id"])).unwrap(),
            r#"{"actor":{},"actor":{"kind":"partner"}}"#
        );
    }

    #[test]
    fn text_that_is_not_json_cannot_be_masked() {
        assert_eq!(mask_json("{\"actor\": ", &paths(&["actor.id"])), None);
        assert_eq!(mask_json("action: cancel", &paths(&["actor.id"])), None);
    }

    #[test]
    fn bad_paths_are_refused() {
        for bad in ["", ".", "actor.", ".id", "a..b"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn compact_keeps_strings_whole() {
        let mut out = String::new();
        crate::json::compact("{ \"a b\" : [ 1 , \"x \\\" y\" ] }", &mut out);
        assert_eq!(out, r#"{"a b":[1,"x \" y"]}"#);
    }
}
