//! Requests built from fuzz input for the differential target: `arbitrary` picks every
//! part (action, actor, roles, customer and market, product, order, link, licence,
//! range, times, counts, prices) from the vocabularies of the corpus generator
//! (`csp_corpus::data`), with times placed around the policy's edges (14 days, 60 days,
//! a year's term) and some values out of the contract (unknown roles and markets, a
//! negative count, a wrong type, an empty string), so that errors are compared too.
//!
//! Requests stay clear of the documented differences between the engines
//! (`peers/README.md`: duplicate keys, more than 4 decimals, exponents, braced GUIDs),
//! and every string comes from a fixed list, so one request is small and the work per
//! input is bounded (one decision per engine).

use arbitrary::{Result, Unstructured};
use chrono::{DateTime, SecondsFormat, Utc};
use csp_corpus::data::{self, Product};
use csp_corpus::ACTIONS;
use serde_json::{json, Map, Value};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// 2025-01-01T00:00:00Z: `at` falls in the two years that follow, as in the corpus.
const EPOCH: i64 = 1_735_689_600;

/// Offsets where the default policy's answers turn: a link's two weeks, the cancel
/// window's 60 days, a one-year and a three-year term, and just either side of each.
const EDGES: [i64; 14] = [
    0,
    1,
    -1,
    14 * DAY - 1,
    14 * DAY,
    14 * DAY + 1,
    60 * DAY - 1,
    60 * DAY,
    60 * DAY + 1,
    DAY,
    DAY - 1,
    365 * DAY,
    3 * 365 * DAY,
    -DAY,
];

/// Actor kinds, and one the contract does not know.
const KINDS: [&str; 3] = ["partner", "customer", "vendor"];

/// Order statuses, and two it does not allow.
const STATUSES: [&str; 4] = ["active", "canceled", "Active", "closed"];

/// One request, as one line of JSON.
pub fn generate(u: &mut Unstructured<'_>) -> Result<String> {
    let at = EPOCH + u.int_in_range(0..=730 * DAY)?;
    let mut doc = Map::new();
    doc.insert("action".into(), json!(*u.choose(&ACTIONS)?));
    // Without `at`, every engine uses the same `now`.
    if !u.ratio(1, 16)? {
        doc.insert("at".into(), time(at));
    }
    let tenant = guid(u)?;
    insert(u, &mut doc, "actor", |u| actor(u, &tenant))?;
    insert(u, &mut doc, "customer", |u| customer(u, &tenant))?;
    insert(u, &mut doc, "product", product)?;
    insert(u, &mut doc, "order", |u| order(u, at))?;
    insert(u, &mut doc, "link", |u| link(u, at))?;
    insert(u, &mut doc, "license", |u| {
        let assurance = match u.int_in_range(0..=7)? {
            0 => json!("true"),
            1..=2 => json!(false),
            _ => json!(true),
        };
        Ok(json!({ "software_assurance": assurance }))
    })?;
    insert(u, &mut doc, "range", |u| {
        let from = at - offset(u)?;
        let to = from + offset(u)?;
        Ok(json!({ "from": time(from), "to": time(to) }))
    })?;
    Ok(Value::Object(doc).to_string())
}

/// Inserts the section `key` three times in four.
fn insert(
    u: &mut Unstructured<'_>,
    doc: &mut Map<String, Value>,
    key: &str,
    make: impl FnOnce(&mut Unstructured<'_>) -> Result<Value>,
) -> Result<()> {
    if u.ratio(3, 4)? {
        doc.insert(key.into(), make(u)?);
    }
    Ok(())
}

/// Sets `key` to `value` most of the time; sometimes leaves it out, or writes `null` or
/// an empty string (both of which count as missing).
fn set(u: &mut Unstructured<'_>, object: &mut Value, key: &str, value: Value) -> Result<()> {
    let value = match u.int_in_range(0..=15)? {
        0 => return Ok(()),
        1 => Value::Null,
        2 if value.is_string() => json!(""),
        _ => value,
    };
    if let Value::Object(map) = object {
        map.insert(key.into(), value);
    }
    Ok(())
}

fn actor(u: &mut Unstructured<'_>, tenant: &str) -> Result<Value> {
    let mut actor = json!({});
    set(u, &mut actor, "id", json!("ops@partner.example"))?;
    let kind = if u.ratio(1, 32)? {
        KINDS[2]
    } else {
        *u.choose(&KINDS[..2])?
    };
    set(u, &mut actor, "kind", json!(kind))?;
    let count = u.int_in_range(0..=3)?;
    let mut roles = Vec::with_capacity(count);
    for _ in 0..count {
        let role = match u.int_in_range(0..=15)? {
            0 => *u.choose(&data::BAD_ROLES)?,
            1..=5 => *u.choose(&data::CUSTOMER_ROLES)?,
            _ => *u.choose(&data::PARTNER_ROLES)?,
        };
        roles.push(role);
    }
    set(u, &mut actor, "roles", json!(roles))?;
    let tenant_id = match u.int_in_range(0..=5)? {
        0 => json!("not-a-guid"),
        1 => json!(tenant.to_uppercase()),
        2 => json!(guid(u)?),
        _ => json!(tenant),
    };
    set(u, &mut actor, "tenant_id", tenant_id)?;
    Ok(actor)
}

fn customer(u: &mut Unstructured<'_>, tenant: &str) -> Result<Value> {
    let name = *u.choose(&data::CUSTOMERS)?;
    let domain = format!("{}.onmicrosoft.com", name.replace(' ', "").to_lowercase());
    let market = match u.int_in_range(0..=15)? {
        0 => (*u.choose(&data::UNKNOWN_MARKETS)?).to_string(),
        1..=2 => u.choose(&data::UNAVAILABLE_MARKETS)?.1.to_string(),
        3..=5 => u.choose(&data::UNAVAILABLE_MARKETS)?.0.to_string(),
        6 => u.choose(&data::AVAILABLE_MARKETS)?.0.to_lowercase(),
        _ => u.choose(&data::AVAILABLE_MARKETS)?.0.to_string(),
    };
    let mut customer = json!({});
    set(u, &mut customer, "name", json!(name))?;
    set(u, &mut customer, "tenant_id", json!(tenant))?;
    set(u, &mut customer, "domain", json!(domain))?;
    set(u, &mut customer, "market", json!(market))?;
    Ok(customer)
}

/// Every product line of the corpus.
fn products() -> impl Iterator<Item = &'static Product> {
    data::RESERVATIONS
        .iter()
        .chain(&data::SERVER_SUBSCRIPTIONS)
        .chain(&data::PERPETUAL)
        .chain(&data::PLANS)
        .chain(&data::NOT_HYBRID)
}

/// One product line, or (one time in eight) a name, category, publisher and edition
/// each drawn from a different line.
fn product(u: &mut Unstructured<'_>) -> Result<Value> {
    let all: Vec<&Product> = products().collect();
    let line = **u.choose(&all)?;
    let (name, category, publisher, edition) = if u.ratio(1, 8)? {
        (
            u.choose(&all)?.0,
            u.choose(&all)?.1,
            u.choose(&all)?.2,
            u.choose(&all)?.3,
        )
    } else {
        line
    };
    let mut product = json!({});
    set(u, &mut product, "name", json!(name))?;
    set(u, &mut product, "category", json!(category))?;
    set(u, &mut product, "publisher", json!(publisher))?;
    if !edition.is_empty() {
        set(u, &mut product, "edition", json!(edition))?;
    }
    Ok(product)
}

fn order(u: &mut Unstructured<'_>, at: i64) -> Result<Value> {
    let purchased = at - offset(u)?;
    let term = match u.int_in_range(0..=7)? {
        0 => offset(u)?,
        1..=3 => 3 * 365 * DAY,
        _ => 365 * DAY,
    };
    let id = format!("ORD-{:06}", u.int_in_range(0..=999_999)?);
    let price = price(u)?;
    let currency = *u.choose(&data::CURRENCIES)?;
    let mut order = json!({});
    set(u, &mut order, "id", json!(id))?;
    set(u, &mut order, "purchased_at", time(purchased))?;
    let status = if u.ratio(1, 32)? {
        *u.choose(&STATUSES[2..])?
    } else {
        *u.choose(&STATUSES[..2])?
    };
    set(u, &mut order, "status", json!(status))?;
    set(u, &mut order, "price", price)?;
    set(u, &mut order, "currency", json!(currency))?;
    set(u, &mut order, "term_end", time(purchased + term))?;
    Ok(order)
}

/// A price with at most two decimals: a string `"123.45"`, a whole JSON number, a JSON
/// number with decimals, or (rarely) a negative amount, which the contract refuses.
fn price(u: &mut Unstructured<'_>) -> Result<Value> {
    let cents: i64 = u.int_in_range(0..=5_000_000)?;
    let text = format!("{}.{:02}", cents / 100, cents % 100);
    Ok(match u.int_in_range(0..=15)? {
        0 => json!(format!("-{text}")),
        1..=3 => json!(cents / 100),
        4..=5 => number(&text),
        _ => json!(text),
    })
}

/// A JSON number written exactly as `text` (a decimal, not a float).
fn number(text: &str) -> Value {
    text.parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

fn link(u: &mut Unstructured<'_>, at: i64) -> Result<Value> {
    let issued = at - offset(u)?;
    let downloads = match u.int_in_range(0..=31)? {
        0 => json!(-1),
        1 => json!(u.arbitrary::<u32>()?),
        2..=5 => json!(u.int_in_range(48..=51)?),
        _ => json!(u.int_in_range(0..=60)?),
    };
    let mut link = json!({});
    set(u, &mut link, "issued_at", time(issued))?;
    set(u, &mut link, "downloads", downloads)?;
    Ok(link)
}

/// A duration in seconds: an edge of the policy, some days and seconds, or anything
/// within twenty years either way.
fn offset(u: &mut Unstructured<'_>) -> Result<i64> {
    Ok(match u.int_in_range(0..=3)? {
        0 | 1 => *u.choose(&EDGES)?,
        2 => u.int_in_range(0..=400)? * DAY + u.int_in_range(0..=DAY - 1)?,
        _ => u.int_in_range(-20 * 365 * DAY..=20 * 365 * DAY)?,
    })
}

/// A lower-case GUID.
fn guid(u: &mut Unstructured<'_>) -> Result<String> {
    let n: u128 = u.arbitrary()?;
    let hex = format!("{n:032x}");
    Ok(format!(
        "{}-{}-{}-{}-{}",
        hex.get(..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..).unwrap_or_default()
    ))
}

/// Unix seconds as RFC 3339 UTC.
fn time(unix: i64) -> Value {
    DateTime::<Utc>::from_timestamp(unix, 0).map_or(Value::Null, |t| {
        json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
    })
}

#[cfg(test)]
mod tests {
    use super::generate;
    use arbitrary::Unstructured;

    #[test]
    fn requests_are_json_objects_with_an_action() {
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for start in 0..64 {
            let mut u = Unstructured::new(&bytes[start * 31..]);
            let line = generate(&mut u).expect("enough bytes");
            let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
            assert!(value.get("action").is_some(), "{line}");
        }
    }
}
