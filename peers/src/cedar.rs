//! The Cedar peer: maps a request document onto a Cedar request and authorizes it.
//!
//! principal = `CSP::Actor` (kind, roles, tenant id), action = `CSP::Action::"<action>"`,
//! resource = `CSP::Order` (id only), context = `at` and the other sections. The mapping
//! does what Cedar has no operator for: RFC 3339 parsing (to Cedar's `datetime` form),
//! GUID syntax, case folding, empty strings as missing, dropping unknown fields, and the
//! `CSP::Market` entity of the request (entity slicing: only that one is passed).
//! Everything else (types via the schema, required fields, enumerations, time order,
//! R1-R16) is decided by `policies/csp.cedar`. A request that cannot be mapped is denied.

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, Schema,
};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use crate::{time, PeerError};

/// The policy text.
pub const POLICY: &str = include_str!("../policies/csp.cedar");
/// The schema text.
pub const SCHEMA: &str = include_str!("../policies/csp.cedarschema");

/// How the mapping treats one field of the request.
#[derive(Clone, Copy)]
enum Kind {
    /// Passed as is (the schema checks its type).
    Plain,
    /// A string compared case-insensitively: lower-cased.
    Lower,
    /// A GUID: must be one; lower-cased.
    Guid,
    /// An RFC 3339 time: must be one; becomes a Cedar `datetime`.
    Time,
    /// A decimal (string or number): becomes a Cedar `decimal`.
    Price,
    /// A market code or display name: becomes a `CSP::Market` entity reference.
    Market,
}

/// The context sections and the fields the policy reads (others are ignored).
const SECTIONS: [(&str, &[(&str, Kind)]); 6] = [
    (
        "customer",
        &[
            ("name", Kind::Plain),
            ("tenant_id", Kind::Guid),
            ("domain", Kind::Plain),
            ("market", Kind::Market),
        ],
    ),
    (
        "product",
        &[
            ("name", Kind::Lower),
            ("category", Kind::Plain),
            ("publisher", Kind::Lower),
            ("edition", Kind::Lower),
        ],
    ),
    (
        "order",
        &[
            ("id", Kind::Plain),
            ("purchased_at", Kind::Time),
            ("status", Kind::Plain),
            ("price", Kind::Price),
            ("currency", Kind::Plain),
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

/// The request could not be mapped onto Cedar: the answer is deny.
struct Reject;

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
    /// `at` for requests that have none, in Cedar's datetime form.
    now: String,
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
            now: time::cedar(now),
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
        let context = Context::from_json_value(context, Some((&self.schema, &action)))?;
        let (principal, actor) = self.actor(&doc)?;
        let order_id = doc
            .get("order")
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str);
        let resource = uid("CSP::Order", order_id.unwrap_or_default())?;
        let market = market.and_then(|id| self.markets.get(&id).cloned());
        // The actor was checked against the schema when it was parsed.
        let entities = Entities::from_entities([actor].into_iter().chain(market), None)?;
        let request = Request::new(principal, action, resource, context, Some(&self.schema))?;
        Ok((request, entities))
    }

    /// The `CSP::Actor` entity: kind, roles and tenant id, checked against the schema.
    fn actor(&self, doc: &Map<String, Value>) -> Result<(EntityUid, Entity), Reject> {
        let actor = match doc.get("actor") {
            Some(Value::Object(actor)) => actor,
            _ => return Err(Reject),
        };
        let mut attrs = Map::new();
        for (field, kind) in [
            ("kind", Kind::Plain),
            ("roles", Kind::Plain),
            ("tenant_id", Kind::Guid),
        ] {
            if let Some(value) = present(actor.get(field)) {
                attrs.insert(field.into(), map_value(value, kind)?);
            }
        }
        let id = actor.get("id").and_then(Value::as_str).unwrap_or_default();
        let principal = uid("CSP::Actor", id)?;
        let entity =
            json!({ "uid": { "type": "CSP::Actor", "id": id }, "attrs": attrs, "parents": [] });
        Ok((
            principal,
            Entity::from_json_value(entity, Some(&self.schema))?,
        ))
    }

    /// The context record, and the id of the request's market entity if there is one.
    fn context(&self, doc: &Map<String, Value>) -> Result<(Value, Option<String>), Reject> {
        let mut context = Map::new();
        let at = match present(doc.get("at")) {
            Some(at) => map_value(at, Kind::Time)?,
            None => json!(self.now),
        };
        context.insert("at".into(), at);
        let mut market = None;
        for (name, fields) in SECTIONS {
            let section = match present(doc.get(name)) {
                None => continue,
                Some(Value::Object(section)) => section,
                Some(other) => {
                    context.insert(name.into(), other.clone()); // the schema rejects it
                    continue;
                }
            };
            let mut record = Map::new();
            for &(field, kind) in fields {
                let Some(value) = present(section.get(field)) else {
                    continue;
                };
                let mapped = map_value(value, kind)?;
                if let (Kind::Market, Some(id)) = (kind, mapped.pointer("/__entity/id")) {
                    market = id.as_str().map(str::to_string);
                }
                record.insert(field.into(), mapped);
            }
            context.insert(name.into(), Value::Object(record));
        }
        Ok((Value::Object(context), market))
    }
}

/// A field's value unless it is missing, `null` or `""` (empty strings count as missing).
fn present(value: Option<&Value>) -> Option<&Value> {
    match value {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(v) => Some(v),
    }
}

/// Maps one field; values of the wrong JSON type pass unchanged for the schema to reject.
fn map_value(value: &Value, kind: Kind) -> Result<Value, Reject> {
    let Value::String(text) = value else {
        return Ok(match (kind, value) {
            (Kind::Price, Value::Number(n)) => json!(decimal_text(&n.to_string())),
            _ => value.clone(),
        });
    };
    Ok(match kind {
        Kind::Plain => value.clone(),
        Kind::Lower => json!(text.to_lowercase()),
        Kind::Guid if is_guid(text) => json!(text.to_ascii_lowercase()),
        Kind::Guid => return Err(Reject),
        Kind::Time => json!(time::cedar(time::parse(text).ok_or(Reject)?)),
        Kind::Price => json!(decimal_text(text)),
        Kind::Market => {
            let id = if text.chars().count() == 2 {
                text.to_ascii_uppercase()
            } else {
                text.clone()
            };
            json!({ "__entity": { "type": "CSP::Market", "id": id } })
        }
    })
}

/// Cedar's `decimal()` wants a fraction part: `"1200"` becomes `"1200.0"`.
fn decimal_text(text: &str) -> String {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        format!("{text}.0")
    } else {
        text.to_string()
    }
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, hex digits in any case.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn uid(type_name: &str, id: &str) -> Result<EntityUid, Reject> {
    let type_name = EntityTypeName::from_str(type_name)?;
    Ok(EntityUid::from_type_name_and_id(
        type_name,
        EntityId::new(id),
    ))
}

/// `CSP::Market` entities for every ISO code and listed display name, members of
/// `CSP::MarketList::"known"` and, for the unavailable ones, of
/// `CSP::MarketList::"azure_reservations_unavailable"`.
fn market_entities() -> Result<HashMap<String, Entity>, PeerError> {
    let data: Value =
        serde_json::from_str(crate::MARKETS_JSON).map_err(|e| PeerError::new("markets", e))?;
    let list = |name: &str| -> Result<&Map<String, Value>, PeerError> {
        data.get(name)
            .and_then(Value::as_object)
            .ok_or_else(|| PeerError(format!("markets.json: no object `{name}`")))
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
        let mut parents = std::collections::HashSet::from([known.clone()]);
        if unavailable.contains_key(code) {
            parents.insert(closed.clone());
        }
        let market = uid("CSP::Market", id).map_err(|_| PeerError("uid".into()))?;
        out.insert(id.to_string(), Entity::new_no_attrs(market, parents));
    }
    Ok(out)
}
