//! Requests built from fuzz input for the differential target: `arbitrary` picks every
//! part (action, actor, roles, customer and market, product, order, link, licence,
//! range, times, counts, prices) from the vocabularies of the corpus generator
//! (`csp_corpus::data`), with times placed around the policy's edges (14 days, 60 days,
//! a year's term). Three requests in four are well formed; the fourth may hold values
//! out of the contract (unknown roles, kinds and markets, a negative count or price, a
//! wrong type, times out of order), so that errors are compared too.
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
const EDGES: [i64; 12] = [
    0,
    1,
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
];

/// Actor kinds.
const KINDS: [&str; 2] = ["partner", "customer"];

/// Order statuses.
const STATUSES: [&str; 2] = ["active", "canceled"];

/// One request, as one line of JSON. Three requests in four are well formed (every
/// value valid, times in order), so that allow is often the right answer; the fourth
/// may break any part.
pub fn generate(u: &mut Unstructured<'_>) -> Result<String> {
    let hostile = u.ratio(1, 4)?;
    Gen { u, hostile }.request()
}

/// The input being read, and whether this request may break the contract.
struct Gen<'a, 'b> {
    u: &'a mut Unstructured<'b>,
    hostile: bool,
}

impl Gen<'_, '_> {
    /// True one time in `n` when the request may be broken; never otherwise.
    fn breaks(&mut self, n: u32) -> Result<bool> {
        Ok(self.hostile && self.u.ratio(1, n)?)
    }

    fn request(&mut self) -> Result<String> {
        let at = EPOCH + self.u.int_in_range(0..=730 * DAY)?;
        let mut doc = Map::new();
        doc.insert("action".into(), json!(*self.u.choose(&ACTIONS)?));
        // Without `at`, every engine uses the same `now`.
        if !self.breaks(8)? {
            doc.insert("at".into(), time(at));
        }
        let tenant = self.guid()?;
        let actor = self.actor(&tenant)?;
        self.section(&mut doc, "actor", actor)?;
        let customer = self.customer(&tenant)?;
        self.section(&mut doc, "customer", customer)?;
        let product = self.product()?;
        self.section(&mut doc, "product", product)?;
        let order = self.order(at)?;
        self.section(&mut doc, "order", order)?;
        let link = self.link(at)?;
        self.section(&mut doc, "link", link)?;
        let assurance = if self.breaks(4)? {
            json!("true")
        } else {
            json!(self.u.ratio(3, 4)?)
        };
        self.section(
            &mut doc,
            "license",
            json!({ "software_assurance": assurance }),
        )?;
        let from = at - self.offset()?;
        let to = from + self.offset()?;
        self.section(
            &mut doc,
            "range",
            json!({ "from": time(from), "to": time(to) }),
        )?;
        Ok(Value::Object(doc).to_string())
    }

    /// Inserts a section fifteen times in sixteen.
    fn section(&mut self, doc: &mut Map<String, Value>, key: &str, value: Value) -> Result<()> {
        if !self.u.ratio(1, 16)? {
            doc.insert(key.into(), value);
        }
        Ok(())
    }

    /// Sets `key` to `value` most of the time; sometimes (more often in a broken
    /// request) leaves it out, or writes `null` or an empty string (both of which count
    /// as missing).
    fn set(&mut self, object: &mut Value, key: &str, value: Value) -> Result<()> {
        let range = if self.hostile { 0..=7 } else { 0..=63 };
        let value = match self.u.int_in_range(range)? {
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

    fn actor(&mut self, tenant: &str) -> Result<Value> {
        let mut actor = json!({});
        self.set(&mut actor, "id", json!("ops@partner.example"))?;
        let kind = if self.breaks(16)? {
            "vendor"
        } else {
            *self.u.choose(&KINDS)?
        };
        self.set(&mut actor, "kind", json!(kind))?;
        let count = if self.breaks(4)? {
            0
        } else {
            self.u.int_in_range(1..=3)?
        };
        let mut roles = Vec::with_capacity(count);
        for _ in 0..count {
            let role = if self.breaks(4)? {
                match self.u.int_in_range(0..=2)? {
                    0 => *self.u.choose(&data::BAD_ROLES)?,
                    1 => *self.u.choose(&data::CUSTOMER_ROLES)?,
                    _ => *self.u.choose(&data::PARTNER_ROLES)?,
                }
            } else if kind == "customer" {
                *self.u.choose(&data::CUSTOMER_ROLES)?
            } else {
                *self.u.choose(&data::PARTNER_ROLES)?
            };
            roles.push(role);
        }
        self.set(&mut actor, "roles", json!(roles))?;
        let tenant_id = if self.breaks(8)? {
            json!("not-a-guid")
        } else {
            match self.u.int_in_range(0..=5)? {
                0 => json!(tenant.to_uppercase()),
                1 => json!(self.guid()?),
                _ => json!(tenant),
            }
        };
        self.set(&mut actor, "tenant_id", tenant_id)?;
        Ok(actor)
    }

    fn customer(&mut self, tenant: &str) -> Result<Value> {
        let name = *self.u.choose(&data::CUSTOMERS)?;
        let domain = format!("{}.onmicrosoft.com", name.replace(' ', "").to_lowercase());
        let market = if self.breaks(8)? {
            (*self.u.choose(&data::UNKNOWN_MARKETS)?).to_string()
        } else {
            match self.u.int_in_range(0..=15)? {
                0..=1 => self.u.choose(&data::UNAVAILABLE_MARKETS)?.1.to_string(),
                2..=4 => self.u.choose(&data::UNAVAILABLE_MARKETS)?.0.to_string(),
                5 => self.u.choose(&data::AVAILABLE_MARKETS)?.0.to_lowercase(),
                _ => self.u.choose(&data::AVAILABLE_MARKETS)?.0.to_string(),
            }
        };
        let mut customer = json!({});
        self.set(&mut customer, "name", json!(name))?;
        self.set(&mut customer, "tenant_id", json!(tenant))?;
        self.set(&mut customer, "domain", json!(domain))?;
        self.set(&mut customer, "market", json!(market))?;
        Ok(customer)
    }

    /// One product line, or (one time in eight) a name, category, publisher and edition
    /// each drawn from a different line.
    fn product(&mut self) -> Result<Value> {
        let all: Vec<&Product> = products().collect();
        let line = **self.u.choose(&all)?;
        let (name, category, publisher, edition) = if self.u.ratio(1, 8)? {
            (
                self.u.choose(&all)?.0,
                self.u.choose(&all)?.1,
                self.u.choose(&all)?.2,
                self.u.choose(&all)?.3,
            )
        } else {
            line
        };
        let mut product = json!({});
        self.set(&mut product, "name", json!(name))?;
        self.set(&mut product, "category", json!(category))?;
        self.set(&mut product, "publisher", json!(publisher))?;
        if !edition.is_empty() {
            self.set(&mut product, "edition", json!(edition))?;
        }
        Ok(product)
    }

    fn order(&mut self, at: i64) -> Result<Value> {
        let purchased = at - self.offset()?;
        let term = match self.u.int_in_range(0..=7)? {
            0 => self.offset()?.max(DAY),
            1..=3 => 3 * 365 * DAY,
            _ => 365 * DAY,
        };
        let term = if self.breaks(4)? {
            *self.u.choose(&[0, -1, -DAY])?
        } else {
            term
        };
        let id = format!("ORD-{:06}", self.u.int_in_range(0..=999_999)?);
        let status = if self.breaks(16)? {
            *self.u.choose(&["Active", "closed"])?
        } else if self.u.ratio(1, 4)? {
            STATUSES[1]
        } else {
            STATUSES[0]
        };
        let price = self.price()?;
        let currency = *self.u.choose(&data::CURRENCIES)?;
        let mut order = json!({});
        self.set(&mut order, "id", json!(id))?;
        self.set(&mut order, "purchased_at", time(purchased))?;
        self.set(&mut order, "status", json!(status))?;
        self.set(&mut order, "price", price)?;
        self.set(&mut order, "currency", json!(currency))?;
        self.set(&mut order, "term_end", time(purchased + term))?;
        Ok(order)
    }

    /// A price with at most two decimals: a string `"123.45"` or a whole JSON number (a
    /// JSON number with decimals would pass through a float in `serde_json::Value`; the
    /// `decide` target covers those as bytes); a broken request may have a negative one.
    fn price(&mut self) -> Result<Value> {
        let cents: i64 = self.u.int_in_range(0..=5_000_000)?;
        let text = format!("{}.{:02}", cents / 100, cents % 100);
        if self.breaks(8)? {
            return Ok(json!(format!("-{text}")));
        }
        Ok(match self.u.int_in_range(0..=7)? {
            0 => json!(cents / 100),
            1 => number(&text),
            _ => json!(text),
        })
    }

    fn link(&mut self, at: i64) -> Result<Value> {
        let issued = at - self.offset()?;
        let downloads = if self.breaks(8)? {
            json!(-1)
        } else {
            match self.u.int_in_range(0..=15)? {
                0 => json!(self.u.arbitrary::<u32>()?),
                1..=4 => json!(self.u.int_in_range(48..=51)?),
                _ => json!(self.u.int_in_range(0..=60)?),
            }
        };
        let mut link = json!({});
        self.set(&mut link, "issued_at", time(issued))?;
        self.set(&mut link, "downloads", downloads)?;
        Ok(link)
    }

    /// A duration in seconds: an edge of the policy, some days and seconds, or anything
    /// up to twenty years; negative (a time out of order) only in a broken request.
    fn offset(&mut self) -> Result<i64> {
        let offset = match self.u.int_in_range(0..=3)? {
            0 | 1 => *self.u.choose(&EDGES)?,
            2 => self.u.int_in_range(0..=400)? * DAY + self.u.int_in_range(0..=DAY - 1)?,
            _ => self.u.int_in_range(0..=20 * 365 * DAY)?,
        };
        Ok(if self.breaks(4)? { -offset } else { offset })
    }

    /// A lower-case GUID.
    fn guid(&mut self) -> Result<String> {
        let n: u128 = self.u.arbitrary()?;
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

/// `text` as a JSON number when it is a whole number (exact in `serde_json::Number`), else
/// as text: a decimal written as a JSON number would pass through a float here, and the
/// contract takes a price as text too (the `decide` target feeds decimal numbers as bytes).
fn number(text: &str) -> Value {
    match text.parse::<i64>() {
        Ok(whole) => Value::from(whole),
        Err(_) => Value::String(text.to_string()),
    }
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

    /// `n` pseudo-random inputs of 256 bytes (xorshift), as libFuzzer might give them.
    fn inputs(n: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        (0..n).map(move |_| {
            (0..256)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state >> 24) as u8
                })
                .collect()
        })
    }

    #[test]
    fn requests_are_json_objects_with_an_action() {
        for bytes in inputs(200) {
            let line = generate(&mut Unstructured::new(&bytes)).expect("a request");
            let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
            assert!(value.get("action").is_some(), "{line}");
        }
    }

    /// The comparison is only worth something if the engines are asked about requests
    /// that are allowed too, not only about broken ones (about 7 % are; libFuzzer then
    /// keeps the inputs that reach new rules).
    #[test]
    fn a_fair_share_of_requests_is_allowed() {
        let policy = csp_policy::Policy::embedded().expect("the embedded policy");
        let n = 2_000;
        let allowed = inputs(n)
            .filter(|bytes| {
                let line = generate(&mut Unstructured::new(bytes)).expect("a request");
                policy.decide_json(&line, crate::now()).is_allow()
            })
            .count();
        println!("{allowed} of {n} allowed");
        assert!(allowed * 20 >= n, "only {allowed} of {n} allowed");
    }
}
