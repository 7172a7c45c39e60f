//! One decision into its log entry: the request as received (masked; a request that
//! cannot be masked or was not read whole is not stored), its format, the decision's
//! JSON line and the actor (`actor.id`, read from the stored request).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::mask::{mask_json, FieldPath};
use super::Entry;
use crate::request::yaml::Reader;
use crate::stream::{Document, Format};
use crate::Decision;

/// The log entry of `decision`, made of `document` by the policy `revision`. `plain` is
/// the decision's JSON line without an id.
pub fn entry(
    document: &Document<'_>,
    decision: &Decision,
    revision: &str,
    masks: &[FieldPath],
    (id, made): (String, DateTime<Utc>),
    plain: String,
) -> Entry {
    let (request, format) = match document.format {
        Format::Json => (request_json(document, masks), "json"),
        Format::Yaml => (
            (masks.is_empty() && unbroken(document)).then(|| document.text.to_string()),
            "yaml",
        ),
    };
    let actor_id = request
        .as_deref()
        .and_then(|text| actor_id(text, document.format));
    Entry {
        decision_id: id,
        time_us: made.timestamp_micros(),
        revision: revision.to_string(),
        action: decision.action.clone(),
        allow: decision.allow,
        request,
        request_format: format,
        decision: plain,
        actor_id,
    }
}

/// A document whose text is the request (not one refused as too large or not UTF-8,
/// whose text is empty).
fn unbroken(document: &Document<'_>) -> bool {
    document.oversized.is_none() && !document.not_utf8
}

fn request_json(document: &Document<'_>, masks: &[FieldPath]) -> Option<String> {
    if !unbroken(document) {
        return None;
    }
    if masks.is_empty() {
        Some(document.text.to_string())
    } else {
        mask_json(document.text, masks)
    }
}

/// The part of a request `log --actor` reads.
#[derive(Deserialize)]
struct Request {
    actor: Option<Actor>,
}

#[derive(Deserialize)]
struct Actor {
    id: Option<String>,
}

/// The request's `actor.id` when it is text; `None` when the request is not one the
/// format reads (malformed, a duplicate `actor` or `id` key: which one would be
/// ambiguous) or has none. YAML is read with the request's options (its budget).
pub fn actor_id(request: &str, format: Format) -> Option<String> {
    let read: Option<Request> = match format {
        Format::Json => serde_json::from_str(request).ok(),
        Format::Yaml => {
            serde_saphyr::from_str_with_options(request, Reader::Request.options()).ok()
        }
    };
    read?.actor?.id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_is_read_from_json_and_yaml_and_only_when_unambiguous() {
        let json = |t| actor_id(t, Format::Json);
        let yaml = |t| actor_id(t, Format::Yaml);
        assert_eq!(
            json(r#"{"actor":{"kind":"partner","id":"ops@x"}}"#).as_deref(),
            Some("ops@x")
        );
        assert_eq!(yaml("actor: {id: ops@x}\n").as_deref(), Some("ops@x"));
        assert_eq!(json(r#"{"actor":{"id":"a"},"actor":{"id":"b"}}"#), None);
        assert_eq!(json(r#"{"actor":{"id":5}}"#), None);
        assert_eq!(json(r#"{"actor":{"kind":"partner"}}"#), None);
        assert_eq!(json(r#"{"actor": "#), None);
        assert_eq!(yaml("actor: {id: a, id: b}\n"), None);
    }

    #[test]
    fn a_masked_actor_is_not_kept() {
        let document = Document {
            text: r#"{"action":"purchase","actor":{"id":"ops@x"}}"#,
            line: 1,
            format: Format::Json,
            oversized: None,
            not_utf8: false,
        };
        let policy = crate::Policy::embedded().unwrap();
        let now = crate::parse_time("2026-11-25T12:00:00Z").unwrap();
        let decision = policy.decide_json(document.text, now);
        let plain = decision.to_json();
        let kept = entry(
            &document,
            &decision,
            "r",
            &[],
            ("i".into(), Utc::now()),
            plain.clone(),
        );
        assert_eq!(kept.actor_id.as_deref(), Some("ops@x"));
        let mask = [FieldPath::parse("actor.id").unwrap()];
        let masked = entry(
            &document,
            &decision,
            "r",
            &mask,
            ("i".into(), Utc::now()),
            plain,
        );
        assert_eq!(masked.actor_id, None);
        assert!(!masked.request.unwrap().contains("ops@x"));
    }
}
