//! The Cedar peer: maps a request document onto a Cedar request and authorizes it.
//!
//! principal = `CSP::Actor` (kind, roles, tenant id), action = `CSP::Action::"<action>"`,
//! resource = `CSP::Order` (id only), context = `at` and the other sections, built as
//! `RestrictedExpression`s (Cedar's JSON parsing costs more than the decision itself).
//! The mapping does what Cedar has no operator for: RFC 3339 parsing (to Unix
//! milliseconds), GUID syntax, text keys for free text (`csp_policy::text::key`: case,
//! width, spacing and format characters aside; a blank key is missing), empty strings
//! as missing, dropping unknown fields, and the `CSP::Market` entity of the request (entity slicing: only that one is
//! passed). Everything else (types via the schema, required fields, enumerations, time
//! order, R1-R16) is decided by `policies/csp.cedar`. A request that cannot be mapped is
//! denied.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression, Schema,
};
use chrono::{DateTime, Utc};
use csp_policy::text;
use serde_json::{Map, Value};

use crate::{time, PeerError};

/// The policy text.
pub const POLICY: &str = include_str!("../policies/csp.cedar");
/// The schema text.
pub const SCHEMA: &str = include_str!("../policies/csp.cedarschema");

/// How the mapping treats one field of the request.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// Passed as is (the schema checks its type).
    Plain,
    /// Free text: passed as its text key; missing when that key is empty.
    Text,
    /// A GUID: must be one; lower-cased.
    Guid,
    /// An RFC 3339 time: must be one; becomes Unix milliseconds (a `Long`).
    Time,
    /// A decimal (string or number): becomes a Cedar `decimal`.
    Price,
    /// A market code or display name: becomes a `CSP::Market` entity reference.
    Market,
}

/// The context sections and the fields the policy reads (others are ignored).
pub(crate) const SECTIONS: [(&str, &[(&str, Kind)]); 6] = [
    (
        "customer",
        &[
            ("name", Kind::Text),
            ("tenant_id", Kind::Guid),
            ("domain", Kind::Text),
            ("market", Kind::Market),
        ],
    ),
    (
        "product",
        &[
            ("name", Kind::Text),
            ("category", Kind::Plain),
            ("publisher", Kind::Text),
            ("edition", Kind::Text),
        ],
    ),
    (
        "order",
        &[
            ("id", Kind::Text),
            ("purchased_at", Kind::Time),
            ("status", Kind::Plain),
            ("price", Kind::Price),
            ("currency", Kind::Text),
            ("term_end", Kind::Time),
        ],
    ),
    (
        "link",
        &[("issued_at", Kind::Time), ("downloads", Kind::Plain)],
    ),
    ("license", &[("software_assurance", Kind::Plain)]),
    ("range", &[("from", Kind::Time), ("to", Kind::Time)]),
];

/// The (section, field) pairs mapped as free text (for the test that they are the
/// schema's free-text fields).
#[cfg(test)]
pub(crate) fn text_fields() -> impl Iterator<Item = (&'static str, &'static str)> {
    SECTIONS.into_iter().flat_map(|(section, fields)| {
        fields
            .iter()
            .filter(|(_, kind)| matches!(kind, Kind::Text))
            .map(move |(field, _)| (section, *field))
    })
}

/// The request could not be mapped onto Cedar: the answer is deny.
pub(crate) struct Reject;

impl<E: std::error::Error> From<E> for Reject {
    fn from(_: E) -> Self {
        Reject
    }
}

/// The default policy in Cedar, ready to authorize requests.
pub struct CedarPeer {
    policies: PolicySet,
    schema: Schema,
    authorizer: Authorizer,
    /// `CSP::Market` entities by id (ISO code or display name), with their lists as parents.
    markets: HashMap<String, Entity>,
    /// `at` for requests that have none, in Unix milliseconds.
    now: i64,
}

impl CedarPeer {
    /// Loads the policy, schema and market entities; `now` stands in for a missing `at`.
    pub fn new(now: DateTime<Utc>) -> Result<Self, PeerError> {
        let (schema, _warnings) =
            Schema::from_cedarschema_str(SCHEMA).map_err(|e| PeerError::new("cedar schema", e))?;
        let policies =
            PolicySet::from_str(POLICY).map_err(|e| PeerError::new("cedar policy", e))?;
        Ok(CedarPeer {
            policies,
            schema,
            authorizer: Authorizer::new(),
            markets: market_entities()?,
            now: time::unix_millis(now),
        })
    }

    /// The policy set (for validation in tests).
    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    /// The schema (for validation in tests).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Allow (`true`) or deny for one request given as JSON text.
    pub fn decide_json(&self, line: &str) -> bool {
        let Ok((request, entities)) = self.map_request(line) else {
            return false;
        };
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &entities);
        // Fail closed: a policy that errored (and so did not apply) also denies.
        response.decision() == Decision::Allow && response.diagnostics().errors().next().is_none()
    }

    fn map_request(&self, line: &str) -> Result<(Request, Entities), Reject> {
        let Value::Object(doc) = serde_json::from_str::<Value>(line)? else {
            return Err(Reject);
        };
        let Some(Value::String(action)) = doc.get("action") else {
            return Err(Reject);
        };
        let action = uid("CSP::Action", action)?;
        let (context, market) = self.context(&doc)?;
        let (principal, actor) = actor(&doc)?;
        let order_id = doc
            .get("order")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str);
        let resource = uid("CSP::Order", order_id.unwrap_or_default())?;
        let market = market.and_then(|id| self.markets.get(&id).cloned());
        // Both the entities and the request are checked against the schema here.
        let entities =
            Entities::from_entities([actor].into_iter().chain(market), Some(&self.schema))?;
        let request = Request::new(principal, action, resource, context, Some(&self.schema))?;
        Ok((request, entities))
    }

    /// The context, and the id of the request's market entity if there is one.
    fn context(&self, doc: &Map<String, Value>) -> Result<(Context, Option<String>), Reject> {
        let at = match present(doc.get("at")) {
            Some(at) => expr(at, Kind::Time)?,
            None => RestrictedExpression::new_long(self.now),
        };
        let mut pairs = vec![("at".to_string(), at)];
        let mut market = None;
        for (name, fields) in SECTIONS {
            let section = match present(doc.get(name)) {
                None => continue,
                Some(Value::Object(section)) => section,
                Some(other) => {
                    pairs.push((name.into(), expr(other, Kind::Plain)?)); // the schema rejects it
                    continue;
                }
            };
            let mut record = Vec::new();
            for &(field, kind) in fields {
                let Some(value) = present(section.get(field)) else {
                    continue;
                };
                if let (Kind::Text, Value::String(text)) = (kind, value) {
                    if text::is_blank(text) {
                        continue; // blank free text counts as missing
                    }
                }
                if let (Kind::Market, Value::String(text)) = (kind, value) {
                    market = Some(market_id(text));
                }
                record.push((field.to_string(), expr(value, kind)?));
            }
            pairs.push((name.into(), RestrictedExpression::new_record(record)?));
        }
        Ok((Context::from_pairs(pairs)?, market))
    }
}

/// The actor's attributes the policy reads.
pub(crate) const ACTOR_FIELDS: [(&str, Kind); 3] = [
    ("kind", Kind::Plain),
    ("roles", Kind::Plain),
    ("tenant_id", Kind::Guid),
];

/// The `CSP::Actor` entity: kind, roles and tenant id.
fn actor(doc: &Map<String, Value>) -> Result<(EntityUid, Entity), Reject> {
    let Some(Value::Object(actor)) = doc.get("actor") else {
        return Err(Reject);
    };
    let mut attrs = HashMap::new();
    for (field, kind) in ACTOR_FIELDS {
        if let Some(value) = present(actor.get(field)) {
            attrs.insert(field.to_string(), expr(value, kind)?);
        }
    }
    let id = actor.get("id").and_then(Value::as_str).unwrap_or_default();
    let principal = uid("CSP::Actor", id)?;
    let entity = Entity::new(principal.clone(), attrs, HashSet::new())?;
    Ok((principal, entity))
}

/// A field's value unless it is missing, `null` or `""` (empty strings count as missing).
pub(crate) fn present(value: Option<&Value>) -> Option<&Value> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

/// One field as a Cedar value. Values of the wrong JSON type are mapped as they are,
/// for the schema to reject; JSON has no Cedar counterpart for `null` and fractions.
fn expr(value: &Value, kind: Kind) -> Result<RestrictedExpression, Reject> {
    Ok(match (kind, value) {
        (Kind::Price, Value::Number(n)) => {
            RestrictedExpression::new_decimal(decimal_text(&n.to_string()))
        }
        (_, Value::Null) => return Err(Reject),
        (_, Value::Bool(b)) => RestrictedExpression::new_bool(*b),
        (_, Value::Number(n)) => RestrictedExpression::new_long(n.as_i64().ok_or(Reject)?),
        (_, Value::Array(items)) => RestrictedExpression::new_set(
            items
                .iter()
                .map(|v| expr(v, Kind::Plain))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        (_, Value::Object(fields)) => RestrictedExpression::new_record(
            fields
                .iter()
                .map(|(k, v)| Ok((k.clone(), expr(v, Kind::Plain)?)))
                .collect::<Result<Vec<_>, Reject>>()?,
        )?,
        (Kind::Plain, Value::String(text)) => RestrictedExpression::new_string(text.clone()),
        (Kind::Text, Value::String(text)) => {
            RestrictedExpression::new_string(text::key(text).into_owned())
        }
        (Kind::Guid, Value::String(text)) if is_guid(text) => {
            RestrictedExpression::new_string(text.to_ascii_lowercase())
        }
        (Kind::Guid, Value::String(_)) => return Err(Reject),
        (Kind::Time, Value::String(text)) => {
            RestrictedExpression::new_long(time::unix_millis(time::parse(text).ok_or(Reject)?))
        }
        (Kind::Price, Value::String(text)) => RestrictedExpression::new_decimal(decimal_text(text)),
        (Kind::Market, Value::String(text)) => {
            RestrictedExpression::new_entity_uid(uid("CSP::Market", &market_id(text))?)
        }
    })
}

/// The id of a `CSP::Market` entity: ISO codes in upper case, display names by their
/// text key ([`market_key`](crate::markets::market_key)).
pub(crate) fn market_id(text: &str) -> String {
    crate::markets::market_key(text).into_owned()
}

/// Cedar's `decimal()` wants a fraction part: `"1200"` becomes `"1200.0"`.
pub(crate) fn decimal_text(text: &str) -> String {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text}.0")
    } else {
        text.to_string()
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in any case.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(crate) fn uid(type_name: &str, id: &str) -> Result<EntityUid, Reject> {
    let type_name = EntityTypeName::from_str(type_name)?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        EntityId::new(id),
    ))
}

/// `CSP::Market` entities for every ISO code and listed display name, members of
/// `CSP::MarketList::"known"` and, for the unavailable ones, of
/// `CSP::MarketList::"azure_reservations_unavailable"`.
pub(crate) fn market_entities() -> Result<HashMap<String, Entity>, PeerError> {
    let data: Value = serde_json::from_str(&crate::markets::embedded()?)
        .map_err(|e| PeerError::new("markets", e))?;
    let list = |name: &str| -> Result<&Map<String, Value>, PeerError> {
        data.get(name)
            .and_then(Value::as_object)
            .ok_or_else(|| PeerError(format!("market data: no object `{name}`")))
    };
    let (iso, unavailable, names) = (
        list("iso3166")?,
        list("azure_reservations_unavailable")?,
        list("display_names")?,
    );
    let known = uid("CSP::MarketList", "known").map_err(|_| PeerError("uid".into()))?;
    let closed = uid("CSP::MarketList", "azure_reservations_unavailable")
        .map_err(|_| PeerError("uid".into()))?;
    let aliases = names
        .iter()
        .filter_map(|(name, code)| Some((name.as_str(), code.as_str()?)));
    let codes = iso.keys().map(|code| (code.as_str(), code.as_str()));
    let mut out = HashMap::new();
    for (id, code) in codes.chain(aliases) {
        let mut parents = HashSet::from([known.clone()]);
        if unavailable.contains_key(code) {
            parents.insert(closed.clone());
        }
        let market = uid("CSP::Market", id).map_err(|_| PeerError("uid".into()))?;
        out.insert(id.to_string(), Entity::new_no_attrs(market, parents));
    }
    Ok(out)
}
