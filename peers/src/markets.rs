//! The market data both peers read, generated from the default policy itself (its
//! compiled market lists), never written by hand: the assigned ISO 3166-1 alpha-2 codes
//! (and `XK`), each market list of the policy by its name, and every display name of the
//! lists, in every language the policy writes, by its text key (`csp_policy::text::key`).
//!
//! ```json
//! {"iso3166": {"AD": true, ...},
//!  "azure_reservations_unavailable": {"AX": true, ...}, "tax_inclusive_markets": {...},
//!  "display_names": {"aland islands": "AX", "올란드 제도": "AX", ...}}
//! ```
//!
//! Neither Cedar nor Rego can key text, so the hosts hand their engine the request's
//! market as its key (a two-letter code in upper case), the same function on both sides.

use std::borrow::Cow;

use csp_policy::internals::CompiledPolicy;
use csp_policy::internals::MarketCode;
use csp_policy::text;
use serde_json::{Map, Value};

use crate::PeerError;

/// The market data of the embedded default policy, as JSON text.
pub fn embedded() -> Result<String, PeerError> {
    let policy = csp_policy::Policy::embedded().map_err(|e| PeerError::new("csp-policy", e))?;
    Ok(of(csp_policy::internals::compiled(&policy)))
}

/// The market data of a compiled policy, as JSON text.
pub fn of(policy: &CompiledPolicy) -> String {
    let mut data = Map::new();
    let iso: Map<String, Value> = MarketCode::all()
        .map(|c| (c.as_str(), Value::Bool(true)))
        .collect();
    data.insert("iso3166".into(), Value::Object(iso));
    for list in &policy.market_lists {
        let codes: Map<String, Value> = list
            .codes
            .iter()
            .map(|c| (c.as_str(), Value::Bool(true)))
            .collect();
        data.insert(list.name.clone(), Value::Object(codes));
    }
    let names: Map<String, Value> = policy
        .market_by_name
        .iter()
        .map(|(key, code)| (key.clone(), Value::String(code.as_str())))
        .collect();
    data.insert("display_names".into(), Value::Object(names));
    Value::Object(data).to_string()
}

/// How a request's market text is handed to an engine: an assigned code (in any case)
/// in upper case, anything else as its text key (a display name), as
/// `CompiledPolicy::market_named` reads it.
pub fn market_key(text: &str) -> Cow<'_, str> {
    match MarketCode::parse(text).filter(|_| text.len() == 2) {
        Some(code) => Cow::Owned(code.as_str()),
        None => text::key(text),
    }
}
