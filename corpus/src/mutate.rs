//! Malformed records: one defect per record (unknown market, bad role, missing
//! required field, wrong type, times out of order). Every one must be denied.

use serde_json::{json, Map, Value};

use crate::data;
use crate::request::Draft;
use crate::rng::Rng;
use crate::time::{rfc3339, DAY};

/// The kinds of defect, weighted.
#[derive(Clone, Copy)]
enum Defect {
    UnknownMarket,
    BadRole,
    Missing,
    WrongType,
    TimeOrder,
}

const DEFECTS: [(Defect, u64); 5] = [
    (Defect::UnknownMarket, 20),
    (Defect::BadRole, 20),
    (Defect::Missing, 25),
    (Defect::WrongType, 25),
    (Defect::TimeOrder, 10),
];

/// Gives the request exactly one defect.
pub fn break_request(rng: &mut Rng, draft: &mut Draft) {
    match rng.weighted(&DEFECTS) {
        Defect::UnknownMarket => {
            let market = *rng.pick(&data::UNKNOWN_MARKETS);
            section(&mut draft.doc, "customer").insert("market".into(), json!(market));
        }
        Defect::BadRole => bad_role(rng, &mut draft.doc),
        Defect::Missing => missing(rng, &mut draft.doc),
        Defect::WrongType => wrong_type(rng, &mut draft.doc),
        Defect::TimeOrder => time_order(rng, draft),
    }
}

/// The object at `doc[key]`, created (or replacing a non-object) when needed.
fn section<'d>(doc: &'d mut Map<String, Value>, key: &str) -> &'d mut Map<String, Value> {
    let slot = doc.entry(key).or_insert_with(|| json!({}));
    if !slot.is_object() {
        *slot = json!({});
    }
    match slot {
        Value::Object(map) => map,
        _ => unreachable!("just made an object"),
    }
}

fn action(doc: &Map<String, Value>) -> String {
    doc.get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn is_customer(doc: &Map<String, Value>) -> bool {
    doc.get("actor").and_then(|a| a.get("kind")) == Some(&json!("customer"))
}

fn bad_role(rng: &mut Rng, doc: &mut Map<String, Value>) {
    let role = if rng.chance(500) {
        *rng.pick(&data::BAD_ROLES)
    } else if is_customer(doc) {
        "admin_agent" // a partner role on a customer actor
    } else {
        "user" // a customer role on a partner actor
    };
    let actor = section(doc, "actor");
    match actor.get_mut("roles") {
        Some(Value::Array(roles)) => roles.push(json!(role)),
        _ => {
            actor.insert("roles".into(), json!([role]));
        }
    }
}

/// Removes (or empties) one field that the request's action requires.
fn missing(rng: &mut Rng, doc: &mut Map<String, Value>) {
    let required: &[(&str, &str)] = match action(doc).as_str() {
        "purchase" => &[("customer", "market"), ("product", "category")],
        "get_keys" => &[("order", "status")],
        "download" => &[
            ("order", "status"),
            ("link", "issued_at"),
            ("link", "downloads"),
        ],
        "view_activity_log" => &[("range", "from"), ("range", "to")],
        "cancel" => &[
            ("product", "name"),
            ("product", "category"),
            ("order", "id"),
            ("order", "purchased_at"),
            ("order", "status"),
            ("order", "price"),
            ("customer", "*identity"),
        ],
        "exchange" => &[("product", "category")],
        _ => &[],
    };
    let always: [(&str, &str); 2] = [("actor", "kind"), ("actor", "roles")];
    let (sec, field) = if required.is_empty() || rng.chance(200) {
        *rng.pick(&always)
    } else {
        *rng.pick(required)
    };
    let obj = section(doc, sec);
    if field == "*identity" {
        for key in ["name", "tenant_id", "domain"] {
            obj.remove(key);
        }
    } else if field != "roles" && field != "downloads" && field != "price" && rng.chance(300) {
        obj.insert(field.into(), json!("")); // empty strings count as missing
    } else {
        obj.remove(field);
    }
}

fn wrong_type(rng: &mut Rng, doc: &mut Map<String, Value>) {
    let (sec, field, value) = match rng.below(14) {
        0 => ("link", "downloads", json!("many")),
        1 => ("link", "downloads", json!(-3)),
        2 => ("link", "downloads", json!(2.5)),
        3 => ("actor", "roles", json!("admin_agent")),
        4 => ("order", "price", json!("abc")),
        5 => ("order", "price", json!("-5.00")),
        6 => ("order", "price", json!("1e3")),
        7 => ("license", "software_assurance", json!("yes")),
        8 => ("order", "purchased_at", json!("yesterday")),
        9 => ("order", "status", json!("pending")),
        10 => ("product", "category", json!("hardware")),
        11 => ("actor", "kind", json!("robot")),
        12 => ("customer", "tenant_id", json!("not-a-guid")),
        _ => {
            doc.insert("action".into(), json!("refund"));
            return;
        }
    };
    section(doc, sec).insert(field.into(), value);
}

/// Puts two timestamps of the request out of order.
fn time_order(rng: &mut Rng, draft: &mut Draft) {
    let at = draft.at;
    let later = at + rng.range(3600, 10 * DAY);
    let doc = &mut draft.doc;
    match (action(doc).as_str(), rng.below(2)) {
        ("download", 0) => {
            section(doc, "link").insert("issued_at".into(), json!(rfc3339(later)));
        }
        ("view_activity_log", _) => {
            let to = at - rng.range(DAY, 30 * DAY);
            let from = to + rng.range(1, 5 * DAY);
            section(doc, "range").insert("from".into(), json!(rfc3339(from)));
            section(doc, "range").insert("to".into(), json!(rfc3339(to)));
        }
        ("cancel", 0) if section(doc, "order").contains_key("term_end") => {
            // A prorated cancel whose term is shorter than one whole day.
            let purchased = at - rng.range(0, 50 * DAY);
            let order = section(doc, "order");
            order.insert("purchased_at".into(), json!(rfc3339(purchased)));
            let term_end = purchased + rng.range(0, DAY - 1);
            order.insert("term_end".into(), json!(rfc3339(term_end)));
        }
        _ => {
            // `at` before the purchase (the term still ends after the purchase).
            let order = section(doc, "order");
            order.insert("purchased_at".into(), json!(rfc3339(later)));
            if order.contains_key("term_end") {
                order.insert("term_end".into(), json!(rfc3339(later + 365 * DAY)));
            }
        }
    }
}
