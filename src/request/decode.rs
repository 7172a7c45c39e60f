//! Decoding one request document straight into a [`Record`], driven by the schema: a
//! serde `DeserializeSeed` walks the document once, looks each key up in the schema
//! tree, converts known leaves to typed values and skips unknown keys, with no
//! intermediate value tree. The same seed serves JSON (serde_json) and YAML
//! (serde-saphyr, with merge keys, unknown tags and duplicate keys refused).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Record, RequestError};
use crate::market::MarketCode;
use crate::policy::{CompiledPolicy, FieldKind, SchemaNode};
use crate::value::{self, Value};

/// The largest request document accepted, in bytes.
pub const MAX_REQUEST_BYTES: usize = 1 << 20;
/// The deepest nesting accepted in a YAML request (JSON has serde_json's own limit of 128).
pub const MAX_YAML_DEPTH: usize = 64;
/// The most roles one actor may list.
pub const MAX_ROLES: usize = 64;

/// The key serde_json uses to hand over a number's exact text (feature
/// `arbitrary_precision`), so that decimals never pass through a float.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Decodes a JSON document. `line` is where it starts in the input (1-based), for errors.
pub fn decode_json<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = empty_record(policy);
    if text.len() > MAX_REQUEST_BYTES {
        record.errors.push(too_large(text.len(), line));
        return record;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result = RootSeed {
        policy,
        record: &mut record,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Err(e) = result {
        reset(&mut record, policy);
        record.errors.push(RequestError::Malformed {
            message: format!("not valid JSON: {}", strip_position(&e.to_string())),
            line: Some(line + e.line().saturating_sub(1)),
            column: Some(e.column()),
        });
    }
    record
}

/// Decodes a YAML document. `line` is where it starts in the input (1-based).
pub fn decode_yaml<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = empty_record(policy);
    if text.len() > MAX_REQUEST_BYTES {
        record.errors.push(too_large(text.len(), line));
        return record;
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_YAML_DEPTH;
    budget.max_documents = 1;
    budget.max_aliases = 64;
    budget.max_nodes = 100_000;
    let options = serde_saphyr::options! {
        budget: Some(budget),
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::Error,
        merge_keys: serde_saphyr::options::MergeKeyPolicy::Error,
        reject_unsupported_tags: true,
        strict_booleans: true,
    };
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        RootSeed {
            policy,
            record: &mut record,
        }
        .deserialize(de)
    });
    if let Err(e) = result {
        reset(&mut record, policy);
        let location = e.location();
        let message = e.to_string();
        let first_line = message.lines().next().unwrap_or("").trim().to_string();
        record.errors.push(RequestError::Malformed {
            message: format!("not valid YAML: {}", yaml_problem(&first_line)),
            line: location
                .as_ref()
                .map(|l| line + (l.line() as usize).saturating_sub(1)),
            column: location.as_ref().map(|l| l.column() as usize),
        });
    }
    record
}

fn too_large(size: usize, line: usize) -> RequestError {
    RequestError::TooLarge {
        size,
        limit: MAX_REQUEST_BYTES,
        line: Some(line),
    }
}

/// Drops whatever a failed parse half-decoded: a malformed document decides nothing.
fn reset(record: &mut Record<'_>, policy: &CompiledPolicy) {
    *record = empty_record(policy);
}

fn empty_record<'a>(policy: &CompiledPolicy) -> Record<'a> {
    Record {
        values: vec![Value::Absent; policy.schema.fields.len()],
        invalid: 0,
        action_text: None,
        role_candidates: Vec::new(),
        errors: Vec::new(),
    }
}

/// serde-saphyr's first message line, without its position prefix and its hints about
/// its own options (which the request's author cannot change).
fn yaml_problem(line: &str) -> String {
    let mut text = line.trim().trim_start_matches("error:").trim();
    if let Some(rest) = text.strip_prefix("line ") {
        if let Some((_, after)) = rest.split_once(": ") {
            text = after;
        }
    }
    let text = text
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(text);
    if text.contains("merge keys") {
        return "YAML merge keys (`<<`) are not allowed in requests: write each field out".into();
    }
    text.to_string()
}

/// serde_json appends " at line L column C"; we report the position separately.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message),
        None => message,
    }
}

struct RootSeed<'p, 'r, 'a> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for RootSeed<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(GroupVisitor {
            policy: self.policy,
            record: self.record,
            nodes: &self.policy.schema.root,
            prefix: "",
        })
    }
}

/// Visits one object of the request against a level of the schema tree.
struct GroupVisitor<'p, 'r, 'a> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    nodes: &'p [(String, SchemaNode)],
    prefix: &'p str,
}

impl GroupVisitor<'_, '_, '_> {
    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    fn not_an_object(self, found: &str) {
        if self.prefix.is_empty() {
            self.record.errors.push(RequestError::WrongType {
                field: "the request".into(),
                expected: "an object of fields (action, actor, ...)",
                found: found.into(),
                note: None,
            });
        } else {
            self.record.errors.push(RequestError::WrongType {
                field: self.prefix.to_string(),
                expected: "an object",
                found: found.into(),
                note: None,
            });
        }
    }
}

impl<'de: 'a, 'a> Visitor<'de> for GroupVisitor<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen: u64 = 0;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let position = self.nodes.iter().position(|(k, _)| *k == *key);
            let Some((index, (name, node))) =
                position.and_then(|i| self.nodes.get(i).map(|n| (i, n)))
            else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if index < 64 {
                if seen & (1 << index) != 0 {
                    let field = self.path(name);
                    self.record
                        .errors
                        .push(RequestError::DuplicateKey { field });
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                seen |= 1 << index;
            }
            match node {
                SchemaNode::Leaf(slot) => map.next_value_seed(LeafSeed {
                    policy: self.policy,
                    record: &mut *self.record,
                    slot: *slot,
                })?,
                SchemaNode::Group(prefix, children) => map.next_value_seed(GroupSeed {
                    policy: self.policy,
                    record: &mut *self.record,
                    nodes: children,
                    prefix,
                })?,
            }
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.prefix.is_empty() {
            self.not_an_object("nothing");
        }
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_an_object("yes or no");
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_an_object("text");
        Ok(())
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object("a list");
        Ok(())
    }
}

struct GroupSeed<'p, 'r, 'a> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    nodes: &'p [(String, SchemaNode)],
    prefix: &'p str,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for GroupSeed<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(GroupVisitor {
            policy: self.policy,
            record: self.record,
            nodes: self.nodes,
            prefix: self.prefix,
        })
    }
}

/// A map key, borrowed from the input when the format allows.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed("null"))
    }
}

/// A scalar (or the shape of a non-scalar) as the document gave it.
enum Raw<'de> {
    Null,
    Bool(bool),
    Int(i128),
    /// A non-integer number's text (exact from JSON; shortest round-trip from YAML).
    Decimal(String),
    Str(Cow<'de, str>),
    List(Vec<Raw<'de>>),
    Object,
}

impl Raw<'_> {
    fn describe(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => format!("`{b}`"),
            Raw::Int(i) => format!("the number {i}"),
            Raw::Decimal(d) => format!("the number {d}"),
            Raw::Str(s) => format!("the text \"{}\"", truncate(s)),
            Raw::List(_) => "a list".into(),
            Raw::Object => "an object".into(),
        }
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

struct RawSeed {
    /// Whether a list may be collected (only for `the actor's roles`).
    list: bool,
}

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(RawVisitor { list: self.list })
    }
}

struct RawVisitor {
    list: bool,
}

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Raw::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Raw::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Raw::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Raw::Int(i128::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Raw::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        Ok(i128::try_from(v).map_or_else(|_| Raw::Decimal(v.to_string()), Raw::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        // Only YAML gets here (serde_json hands over exact text); `{}` writes the
        // shortest text that reads back as the same float, which is what was written
        // for any value with up to 15 significant digits.
        // More significant digits than a float keeps would be a silent rounding: refuse.
        let text = format!("{v}");
        let digits = text
            .trim_start_matches(['-', '0', '.'])
            .chars()
            .filter(char::is_ascii_digit)
            .count();
        Ok(Raw::Decimal(if v.is_finite() && digits <= 15 {
            text
        } else {
            format!("{text} (too many digits for an unquoted YAML number: quote it)")
        }))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Raw::Str(Cow::Owned(v)))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        if !self.list {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Raw::List(Vec::new()));
        }
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(RawSeed { list: false })? {
            if items.len() < MAX_ROLES + 1 {
                items.push(item);
            }
        }
        Ok(Raw::List(items))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let Some(key) = map.next_key_seed(KeySeed)? else {
            return Ok(Raw::Object);
        };
        if key == JSON_NUMBER_TOKEN {
            let text: String = map.next_value()?;
            return Ok(match text.parse::<i128>() {
                Ok(i) => Raw::Int(i),
                Err(_) => Raw::Decimal(text),
            });
        }
        map.next_value::<IgnoredAny>()?;
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Raw::Object)
    }
}

/// Decodes the value of one field into its slot.
struct LeafSeed<'p, 'r, 'a> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    slot: u16,
}

impl<'de: 'a, 'a> DeserializeSeed<'de> for LeafSeed<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let Some(field) = self.policy.schema.fields.get(usize::from(self.slot)) else {
            return <IgnoredAny as serde::Deserialize>::deserialize(deserializer).map(|_| ());
        };
        let raw = RawSeed {
            list: field.kind == FieldKind::Roles,
        }
        .deserialize(deserializer)?;
        store(self.policy, self.record, self.slot, raw);
        Ok(())
    }
}

/// Converts a raw value to the field's type and stores it, or records why not.
fn store<'a>(policy: &CompiledPolicy, record: &mut Record<'a>, slot: u16, raw: Raw<'a>) {
    let Some(field) = policy.schema.fields.get(usize::from(slot)) else {
        return;
    };
    // Null and empty text count as missing.
    if matches!(raw, Raw::Null) || matches!(&raw, Raw::Str(s) if s.is_empty()) {
        return;
    }
    let wrong = |expected: &'static str, raw: &Raw<'_>| RequestError::WrongType {
        field: field.path.clone(),
        expected,
        found: raw.describe(),
        note: field.note.clone(),
    };
    let invalid = |problem: String| RequestError::InvalidValue {
        field: field.path.clone(),
        problem,
        note: field.note.clone(),
    };
    let result: Result<Value<'a>, RequestError> = match (&field.kind, raw) {
        (FieldKind::Action, Raw::Str(s)) => {
            record.action_text = Some(s.to_string());
            match policy.action_index(&s) {
                Some(a) => Ok(Value::Action(a)),
                None => Err(RequestError::UnknownAction {
                    value: truncate(&s),
                    known: policy
                        .actions
                        .iter()
                        .map(|a| a.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                }),
            }
        }
        (FieldKind::RequestTime | FieldKind::Time, Raw::Str(s)) => {
            value::parse_time(&s).map(Value::Time).ok_or_else(|| {
                invalid(format!(
                    "\"{}\" is not an RFC 3339 time with an offset (such as 2026-11-25T12:00:00Z)",
                    truncate(&s)
                ))
            })
        }
        (FieldKind::Side, Raw::Str(s)) => match policy.sides.iter().position(|x| **x == *s) {
            Some(i) => Ok(Value::Side(u8::try_from(i).unwrap_or(u8::MAX))),
            None => Err(invalid(format!(
                "\"{}\" is not one of {}",
                truncate(&s),
                policy.sides.join(", ")
            ))),
        },
        (FieldKind::Roles, Raw::List(items)) => {
            if items.len() > MAX_ROLES {
                Err(invalid(format!("more than {MAX_ROLES} roles")))
            } else {
                roles(policy, record, field, items)
            }
        }
        (FieldKind::Roles, raw) => Err(wrong("a list of roles", &raw)),
        (FieldKind::Enum(words), Raw::Str(s)) => match words.iter().position(|w| **w == *s) {
            Some(i) => Ok(Value::Enum(slot, u16::try_from(i).unwrap_or(u16::MAX))),
            None => Err(invalid(format!(
                "\"{}\" is not one of {}",
                truncate(&s),
                words.join(", ")
            ))),
        },
        (FieldKind::Text, Raw::Str(s)) => Ok(Value::Text(s)),
        (
            FieldKind::Money | FieldKind::Number,
            raw @ (Raw::Str(_) | Raw::Int(_) | Raw::Decimal(_)),
        ) => {
            let text: Cow<'_, str> = match &raw {
                Raw::Str(s) => Cow::Borrowed(s.as_ref()),
                Raw::Int(i) => Cow::Owned(i.to_string()),
                Raw::Decimal(d) => Cow::Borrowed(d.as_str()),
                _ => Cow::Borrowed(""),
            };
            match value::parse_decimal(text.trim()) {
                None => Err(invalid(format!(
                    "{} is not a plain decimal number (digits with an optional decimal point; no exponent)",
                    raw.describe()
                ))),
                Some(d) if field.kind == FieldKind::Money && d.is_sign_negative() && !d.is_zero() => {
                    Err(invalid(format!("{} is negative; an amount of money is zero or more", raw.describe())))
                }
                Some(d) if field.kind == FieldKind::Money => Ok(Value::Money(d)),
                Some(d) => Ok(Value::Number(d)),
            }
        }
        (FieldKind::Count, Raw::Int(i)) => {
            if i < 0 {
                Err(invalid(format!("{i} is negative; a count is zero or more")))
            } else {
                Ok(Value::Number(rust_decimal::Decimal::from_i128_with_scale(
                    i.min(i128::from(i64::MAX)),
                    0,
                )))
            }
        }
        (FieldKind::Flag, Raw::Bool(b)) => Ok(Value::Bool(b)),
        (FieldKind::Guid, Raw::Str(s)) => value::parse_guid(&s).map(Value::Guid).ok_or_else(|| {
            invalid(format!(
                "\"{}\" is not a GUID (such as 3f1c2b7e-8a9d-4c3b-9e2f-1a2b3c4d5e6f)",
                truncate(&s)
            ))
        }),
        (FieldKind::Market, Raw::Str(s)) => {
            let code = if s.len() == 2 {
                MarketCode::parse(&s)
            } else {
                None
            };
            match code.or_else(|| policy.market_by_name.get(s.as_ref()).copied()) {
                Some(code) => Ok(Value::Market(code)),
                None => Err(RequestError::UnknownMarket {
                    field: field.path.clone(),
                    value: truncate(&s),
                }),
            }
        }
        (kind, raw) => Err(wrong(expected_for(kind), &raw)),
    };
    match result {
        Ok(v) => {
            if let Some(place) = record.values.get_mut(usize::from(slot)) {
                *place = v;
            }
        }
        Err(e) => {
            if slot < 128 {
                record.invalid |= 1u128 << slot;
            }
            record.errors.push(e);
        }
    }
}

fn expected_for(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Action => "an action name",
        FieldKind::RequestTime | FieldKind::Time => "a time (RFC 3339 text)",
        FieldKind::Side => "a side name",
        FieldKind::Roles => "a list of roles",
        FieldKind::Enum(_) => "one of the listed words",
        FieldKind::Text => "text",
        FieldKind::Money => "an amount (a decimal, as text or a number)",
        FieldKind::Number => "a decimal number",
        FieldKind::Count => "a whole number, zero or more",
        FieldKind::Flag => "true or false",
        FieldKind::Guid => "a GUID",
        FieldKind::Market => "a market code or name",
    }
}

/// Keeps, for each role name, the roles of any side that bear it; the evaluator checks
/// them against the actor's side once both are known.
fn roles<'a>(
    policy: &CompiledPolicy,
    record: &mut Record<'a>,
    field: &crate::policy::Field,
    items: Vec<Raw<'a>>,
) -> Result<Value<'a>, RequestError> {
    for item in items {
        let Raw::Str(name) = item else {
            return Err(RequestError::WrongType {
                field: field.path.clone(),
                expected: "a list of role names",
                found: format!("a list holding {}", item.describe()),
                note: field.note.clone(),
            });
        };
        let mut mask = 0u64;
        for (bit, role) in policy.roles.iter().enumerate() {
            if role.name == *name {
                mask |= 1u64 << bit;
            }
        }
        record.role_candidates.push((mask, truncate(&name)));
    }
    // The mask is computed once the side is known (see `eval`).
    Ok(Value::Roles(0))
}
