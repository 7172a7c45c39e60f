//! The default policy for cedar-agent (permitio's HTTP server around Cedar), for the
//! load benchmark (`benches/load/run.sh`): its policy store file, its data store file
//! and, for each corpus request, the body of `POST /v1/is_authorized`.
//!
//! cedar-agent is built on Cedar 2.4, so what it is handed differs from the in-process
//! peer ([`crate::CedarPeer`], Cedar 4) in three ways, none of which changes a decision:
//! - a `has` test on a path (`context has order.status`, Cedar 4 syntax) is written
//!   as `(context has order && context.order has status)`;
//! - the request's context is JSON with Cedar's explicit escapes (`__extn` for a
//!   decimal, `__entity` for the market), since cedar-agent reads it without a schema;
//! - the market entities are loaded once into its data store; the actor entity comes
//!   with each request (`additional_entities`), as cedar-agent is meant to be used.
//!
//! The request mapping is the in-process peer's own ([`crate::cedar`]'s field table
//! and helpers): text keys, GUIDs, RFC 3339 times as Unix milliseconds, blank values
//! as missing. A request the peer cannot map (the peer denies it before asking Cedar)
//! has no body here ([`is_authorized_body`] gives `None`).

use chrono::{DateTime, Utc};
use csp_policy::text;
use serde_json::{json, Map, Value};

use crate::cedar::{
    decimal_text, is_guid, market_entities, market_id, present, uid, Kind, Reject, ACTOR_FIELDS,
    POLICY, SECTIONS,
};
use crate::{time, PeerError};

/// cedar-agent's policy file (`--policies`): `[{"id": ID, "content": POLICY}, ...]`,
/// one entry per policy of `policies/csp.cedar`, in Cedar 2 syntax.
pub fn policies_json() -> Result<String, PeerError> {
    let set: cedar_policy::PolicySet = POLICY
        .parse()
        .map_err(|e| PeerError::new("cedar policy", e))?;
    let mut out = Vec::new();
    for policy in set.policies() {
        let id = policy
            .annotation("id")
            .map_or_else(|| policy.id().to_string(), str::to_string);
        out.push(json!({"id": id, "content": cedar2_has(&policy.to_string())}));
    }
    out.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Ok(Value::Array(out).to_string())
}

/// cedar-agent's data file (`--data`): every `CSP::Market` entity with its lists.
pub fn data_json() -> Result<String, PeerError> {
    let mut out = Vec::new();
    for entity in market_entities()?.into_values() {
        let mut value = entity
            .to_json_value()
            .map_err(|e| PeerError::new("market entity", e))?;
        if let Some(fields) = value.as_object_mut() {
            fields.remove("tags"); // Cedar 4 only; none here
        }
        out.push(value);
    }
    out.sort_by_key(Value::to_string);
    Ok(Value::Array(out).to_string())
}

/// `context has a.b` (Cedar 4) as `(context has a && context.a has b)` (Cedar 2).
pub fn cedar2_has(policy: &str) -> String {
    const HAS: &str = "context has ";
    let mut out = String::with_capacity(policy.len() + 256);
    let mut rest = policy;
    while let Some(at) = rest.find(HAS) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let path = after.get(HAS.len()..).unwrap_or("");
        let end = path
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(path.len());
        let name = path.get(..end).unwrap_or("");
        match name.split_once('.') {
            Some((section, field)) if !field.contains('.') => {
                out.push_str(&format!(
                    "(context has {section} && context.{section} has {field})"
                ));
            }
            _ => {
                out.push_str(HAS);
                out.push_str(name);
            }
        }
        rest = path.get(end..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The body of `POST /v1/is_authorized` for one request given as JSON text, or `None`
/// when the request cannot be mapped onto Cedar (the host denies it without asking).
/// `now` stands in for a missing `at`.
pub fn is_authorized_body(line: &str, now: DateTime<Utc>) -> Option<String> {
    body(line, now).ok().map(|v| v.to_string())
}

fn body(line: &str, now: DateTime<Utc>) -> Result<Value, Reject> {
    let Value::Object(doc) = serde_json::from_str::<Value>(line)? else {
        return Err(Reject);
    };
    let Some(Value::String(action)) = doc.get("action") else {
        return Err(Reject);
    };
    let Some(Value::Object(actor)) = doc.get("actor") else {
        return Err(Reject);
    };
    let principal = uid(
        "CSP::Actor",
        actor.get("id").and_then(Value::as_str).unwrap_or_default(),
    )?;
    let mut attrs = Map::new();
    for (field, kind) in ACTOR_FIELDS {
        if let Some(value) = present(actor.get(field)) {
            attrs.insert(field.to_string(), value_of(value, kind)?);
        }
    }
    let order_id = doc
        .get("order")
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str);
    let resource = uid("CSP::Order", order_id.unwrap_or_default())?;
    let action = uid("CSP::Action", action)?;
    let mut context = Map::new();
    let at = match present(doc.get("at")) {
        Some(at) => value_of(at, Kind::Time)?,
        None => json!(time::unix_millis(now)),
    };
    context.insert("at".into(), at);
    for (name, fields) in SECTIONS {
        let section = match present(doc.get(name)) {
            None => continue,
            Some(Value::Object(section)) => section,
            Some(other) => {
                context.insert(name.into(), value_of(other, Kind::Plain)?);
                continue;
            }
        };
        let mut record = Map::new();
        for &(field, kind) in fields {
            let Some(value) = present(section.get(field)) else {
                continue;
            };
            if let (Kind::Text, Value::String(text)) = (kind, value) {
                if text::is_blank(text) {
                    continue;
                }
            }
            record.insert(field.to_string(), value_of(value, kind)?);
        }
        context.insert(name.into(), Value::Object(record));
    }
    let uid_json = |u: &cedar_policy::EntityUid| json!({"type": u.type_name().to_string(), "id": u.id().unescaped()});
    Ok(json!({
        "principal": principal.to_string(),
        "action": action.to_string(),
        "resource": resource.to_string(),
        "context": Value::Object(context),
        "additional_entities": [{"uid": uid_json(&principal), "attrs": attrs, "parents": []}],
    }))
}

/// One field as Cedar's JSON (explicit escapes), as the peer's `expr` maps it.
fn value_of(value: &Value, kind: Kind) -> Result<Value, Reject> {
    Ok(match (kind, value) {
        (Kind::Price, Value::Number(n)) => decimal(&decimal_text(&n.to_string())),
        (_, Value::Null) => return Err(Reject),
        (_, Value::Bool(b)) => Value::Bool(*b),
        (_, Value::Number(n)) => json!(n.as_i64().ok_or(Reject)?),
        (_, Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|v| value_of(v, Kind::Plain))
                .collect::<Result<_, _>>()?,
        ),
        (_, Value::Object(fields)) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), value_of(v, Kind::Plain)?)))
                .collect::<Result<_, Reject>>()?,
        ),
        (Kind::Plain, Value::String(text)) => Value::String(text.clone()),
        (Kind::Text, Value::String(text)) => Value::String(text::key(text).into_owned()),
        (Kind::Guid, Value::String(text)) if is_guid(text) => {
            Value::String(text.to_ascii_lowercase())
        }
        (Kind::Guid, Value::String(_)) => return Err(Reject),
        (Kind::Time, Value::String(text)) => {
            json!(time::unix_millis(time::parse(text).ok_or(Reject)?))
        }
        (Kind::Price, Value::String(text)) => decimal(&decimal_text(text)),
        (Kind::Market, Value::String(text)) => {
            json!({"__entity": {"type": "CSP::Market", "id": market_id(text)}})
        }
    })
}

fn decimal(text: &str) -> Value {
    json!({"__extn": {"fn": "decimal", "arg": text}})
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_has_test_on_a_path_is_split_for_cedar_2() {
        assert_eq!(
            cedar2_has("when { context has order.status && principal has tenant_id }"),
            "when { (context has order && context.order has status) && principal has tenant_id }"
        );
        assert_eq!(cedar2_has("context has at"), "context has at");
    }

    #[test]
    fn every_policy_is_rewritten_and_still_parses() {
        let text = policies_json().unwrap();
        let policies: Vec<Value> = serde_json::from_str(&text).unwrap();
        assert!(policies.len() > 20);
        for p in &policies {
            let content = p["content"].as_str().unwrap();
            assert!(!content.contains("has customer.") && !content.contains("has order."));
            cedar_policy::Policy::parse(None, content).unwrap();
        }
    }

    #[test]
    fn a_request_becomes_a_body_with_explicit_escapes() {
        let now = DateTime::<Utc>::from_timestamp(0, 0).unwrap();
        let body = is_authorized_body(
            r#"{"action":"cancel","actor":{"id":"a\"b","kind":"partner","roles":["admin_agent"]},
                "customer":{"market":"de","name":"  ACME "},"order":{"price":"12","purchased_at":"2026-01-01T00:00:00Z"}}"#,
            now,
        )
        .unwrap();
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["principal"], r#"CSP::Actor::"a\"b""#);
        assert_eq!(body["action"], r#"CSP::Action::"cancel""#);
        assert_eq!(body["context"]["at"], 0);
        assert_eq!(
            body["context"]["customer"]["market"]["__entity"]["id"],
            "DE"
        );
        assert_eq!(body["context"]["customer"]["name"], "acme");
        assert_eq!(body["context"]["order"]["price"]["__extn"]["arg"], "12.0");
        assert_eq!(
            body["additional_entities"][0]["uid"],
            json!({"type": "CSP::Actor", "id": "a\"b"})
        );
        assert_eq!(is_authorized_body(r#"{"action":"cancel"}"#, now), None);
    }
}
