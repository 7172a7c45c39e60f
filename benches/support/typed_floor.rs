//! The typed parse floor: serde_json reading a request of the default policy into plain
//! Rust structs derived with serde, one field per input field, strings borrowed from the
//! line, numbers as their text (`RawValue`), no conversion to the engine's values and no
//! policy. It is what any Rust program pays just to read these requests with the
//! standard JSON crate: a fixed reference the batch is measured against, independent of
//! how the engine itself decodes (BENCHMARKS.md, "Batch").
//!
//! Every leaf accepts any JSON value (a corpus request may hold a number where text is
//! expected, or a list where a name is), so that a malformed request costs a full read
//! instead of stopping at its first surprise; a group that is not an object fails the
//! line, as a typed reader would.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Reads one line; `false` when serde_json refuses it as this type.
pub fn parse(line: &str) -> bool {
    serde_json::from_str::<Request<'_>>(line).is_ok()
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow)]
    action: Option<Leaf<'a>>,
    #[serde(borrow)]
    at: Option<Leaf<'a>>,
    #[serde(borrow)]
    actor: Option<Actor<'a>>,
    #[serde(borrow)]
    customer: Option<Customer<'a>>,
    #[serde(borrow)]
    product: Option<Product<'a>>,
    #[serde(borrow)]
    order: Option<Order<'a>>,
    #[serde(borrow)]
    link: Option<Link<'a>>,
    #[serde(borrow)]
    license: Option<License<'a>>,
    #[serde(borrow)]
    range: Option<Range<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Actor<'a> {
    #[serde(borrow)]
    id: Option<Leaf<'a>>,
    #[serde(borrow)]
    kind: Option<Leaf<'a>>,
    #[serde(borrow)]
    roles: Option<Leaf<'a>>,
    #[serde(borrow)]
    tenant_id: Option<Leaf<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Customer<'a> {
    #[serde(borrow)]
    name: Option<Leaf<'a>>,
    #[serde(borrow)]
    tenant_id: Option<Leaf<'a>>,
    #[serde(borrow)]
    domain: Option<Leaf<'a>>,
    #[serde(borrow)]
    market: Option<Leaf<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Product<'a> {
    #[serde(borrow)]
    name: Option<Leaf<'a>>,
    #[serde(borrow)]
    category: Option<Leaf<'a>>,
    #[serde(borrow)]
    publisher: Option<Leaf<'a>>,
    #[serde(borrow)]
    edition: Option<Leaf<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Order<'a> {
    #[serde(borrow)]
    id: Option<Leaf<'a>>,
    #[serde(borrow)]
    purchased_at: Option<Leaf<'a>>,
    #[serde(borrow)]
    status: Option<Leaf<'a>>,
    #[serde(borrow)]
    price: Option<&'a RawValue>,
    #[serde(borrow)]
    currency: Option<Leaf<'a>>,
    #[serde(borrow)]
    term_end: Option<Leaf<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Link<'a> {
    #[serde(borrow)]
    issued_at: Option<Leaf<'a>>,
    #[serde(borrow)]
    downloads: Option<&'a RawValue>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct License<'a> {
    #[serde(borrow)]
    software_assurance: Option<Leaf<'a>>,
}

#[allow(dead_code)]
#[derive(Deserialize)]
struct Range<'a> {
    #[serde(borrow)]
    from: Option<Leaf<'a>>,
    #[serde(borrow)]
    to: Option<Leaf<'a>>,
}

/// Any JSON value, kept as the reader gives it (a list's items kept, an object skipped).
#[allow(dead_code)]
enum Leaf<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Text(Cow<'a, str>),
    List(Vec<Leaf<'a>>),
    Object,
}

impl<'de: 'a, 'a> Deserialize<'de> for Leaf<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(LeafVisitor)
    }
}

struct LeafVisitor;

impl<'de> Visitor<'de> for LeafVisitor {
    type Value = Leaf<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Number(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Leaf<'de>, E> {
        Ok(Leaf::Text(Cow::Owned(v.to_string())))
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Leaf<'de>, S::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Leaf::List(items))
    }
    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Leaf<'de>, M::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Leaf::Object)
    }
}
