//! Decoding one request document straight into a [`Record`], driven by the schema: a
//! serde `DeserializeSeed` walks the document once, looks each key up in the schema
//! tree, converts known leaves to typed values and skips unknown keys, with no
//! intermediate value tree. The same seed serves JSON (serde_json) and YAML
//! (serde-saphyr, with merge keys, unknown tags and duplicate keys refused).

use crate::limits::{REQUEST_BYTES, ROLES_PER_ACTOR, YAML_ALIASES, YAML_DEPTH, YAML_NODES};
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Record, RequestError};
use crate::market::MarketCode;
use crate::policy::{CompiledPolicy, FieldKind, SchemaNode};
use crate::value::{self, Value};

/// The key serde_json uses to hand over a number's exact text (feature
/// `arbitrary_precision`), so that decimals never pass through a float.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Decodes a JSON document. `line` is where it starts in the input (1-based), for errors.
pub fn decode_json<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = Record::default();
    decode_json_into(policy, text, line, &mut record);
    record
}

/// Decodes a JSON document into `record`, reusing its buffers (see [`Record::recycle`]).
pub fn decode_json_into<'a>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
    record: &mut Record<'a>,
) {
    record.clear(policy.schema.fields.len());
    if text.len() > REQUEST_BYTES {
        record.errors.push(too_large(text.len(), line));
        return;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result = RootSeed {
        policy,
        record: &mut *record,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Err(e) = result {
        // Drops whatever a failed parse half-decoded: a malformed document decides nothing.
        record.clear(policy.schema.fields.len());
        record.errors.push(RequestError::Malformed {
            message: format!("not valid JSON: {}", strip_position(&e.to_string())),
            line: Some(line + e.line().saturating_sub(1)),
            column: Some(e.column()),
        });
    }
}

/// Decodes a YAML document. `line` is where it starts in the input (1-based).
pub fn decode_yaml<'a>(policy: &CompiledPolicy, text: &'a str, line: usize) -> Record<'a> {
    let mut record = Record::default();
    decode_yaml_into(policy, text, line, &mut record);
    record
}

/// Decodes a YAML document into `record`, reusing its buffers.
pub fn decode_yaml_into<'a>(
    policy: &CompiledPolicy,
    text: &'a str,
    line: usize,
    record: &mut Record<'a>,
) {
    record.clear(policy.schema.fields.len());
    if text.len() > REQUEST_BYTES {
        record.errors.push(too_large(text.len(), line));
        return;
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = YAML_DEPTH;
    budget.max_documents = 1;
    budget.max_aliases = YAML_ALIASES;
    budget.max_nodes = YAML_NODES;
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
            record: &mut *record,
        }
        .deserialize(de)
    });
    if let Err(e) = result {
        record.clear(policy.schema.fields.len());
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
}

fn too_large(size: usize, line: usize) -> RequestError {
    RequestError::TooLarge {
        size,
        limit: REQUEST_BYTES,
        line: Some(line),
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

/// Whether a schema key is the request's key: length and first byte first, so that most
/// keys that differ are told apart without a full comparison.
fn same_key(schema_key: &str, key: &str) -> bool {
    let (a, b) = (schema_key.as_bytes(), key.as_bytes());
    // Keys are short: comparing in place beats a call to `memcmp`.
    a.len() == b.len() && a.first() == b.first() && a.iter().zip(b).all(|(x, y)| x == y)
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
            let position = self.nodes.iter().position(|(k, _)| same_key(k, &key));
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
    /// A list (its items are not kept).
    List,
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
            Raw::List => "a list".into(),
            Raw::Object => "an object".into(),
        }
    }
}

/// The text, cut to 40 characters with an ellipsis, for error messages.
pub(crate) fn truncate(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

struct RawSeed;

impl<'de> DeserializeSeed<'de> for RawSeed {
    type Value = Raw<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

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
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Raw::List)
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
        if field.kind == FieldKind::Roles {
            let first = self.record.role_candidates.len();
            let roles = deserializer.deserialize_any(RolesVisitor {
                policy: self.policy,
                record: &mut *self.record,
            })?;
            let result = match roles {
                Roles::Missing => return Ok(()),
                Roles::List { count, .. } if count > ROLES_PER_ACTOR => {
                    self.record.role_candidates.truncate(first);
                    Err(RequestError::InvalidValue {
                        field: field.path.clone(),
                        problem: format!("more than {ROLES_PER_ACTOR} roles"),
                        note: field.note.clone(),
                    })
                }
                Roles::List {
                    not_a_name: Some(found),
                    ..
                } => Err(RequestError::WrongType {
                    field: field.path.clone(),
                    expected: "a list of role names",
                    found: format!("a list holding {found}"),
                    note: field.note.clone(),
                }),
                // The mask is computed once the side is known (see `eval`).
                Roles::List { .. } => Ok(Value::Roles(0)),
                Roles::NotAList(raw) => Err(RequestError::WrongType {
                    field: field.path.clone(),
                    expected: "a list of roles",
                    found: raw.describe(),
                    note: field.note.clone(),
                }),
            };
            put(self.record, self.slot, result);
            return Ok(());
        }
        let raw = RawSeed.deserialize(deserializer)?;
        store(self.policy, self.record, self.slot, raw);
        Ok(())
    }
}

/// What `actor.roles` held.
enum Roles<'de> {
    /// Null or empty text: missing.
    Missing,
    /// A list: how many items, and the first item that is not a name (only items up
    /// to it were kept as candidates).
    List {
        count: usize,
        not_a_name: Option<String>,
    },
    /// Something else.
    NotAList(Raw<'de>),
}

/// Reads the list of roles straight into the record's role candidates, keeping, for
/// each name, the roles of any side that bear it; the evaluator checks them against
/// the actor's side once both are known.
struct RolesVisitor<'p, 'r, 'a> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
}

impl RolesVisitor<'_, '_, '_> {
    fn other<'de>(raw: Raw<'de>) -> Roles<'de> {
        match &raw {
            Raw::Null => Roles::Missing,
            Raw::Str(s) if s.is_empty() => Roles::Missing,
            _ => Roles::NotAList(raw),
        }
    }
}

impl<'de: 'a, 'a> Visitor<'de> for RolesVisitor<'_, '_, 'a> {
    type Value = Roles<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of roles")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut count = 0usize;
        let mut not_a_name = None;
        while let Some(item) = seq.next_element_seed(RawSeed)? {
            count = count.saturating_add(1);
            if count > ROLES_PER_ACTOR || not_a_name.is_some() {
                continue;
            }
            match item {
                Raw::Str(name) => {
                    let mut mask = 0u64;
                    for (bit, role) in self.policy.roles.iter().enumerate().take(64) {
                        if role.name == *name {
                            mask |= 1u64 << bit;
                        }
                    }
                    self.record.role_candidates.push((mask, name));
                }
                other => not_a_name = Some(other.describe()),
            }
        }
        Ok(Roles::List { count, not_a_name })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Roles::Missing)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Roles::Missing)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        RawVisitor.visit_bool(v).map(Self::other)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        RawVisitor.visit_i64(v).map(Self::other)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        RawVisitor.visit_u64(v).map(Self::other)
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        RawVisitor.visit_i128(v).map(Self::other)
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        RawVisitor.visit_u128(v).map(Self::other)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        RawVisitor.visit_f64(v).map(Self::other)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        RawVisitor.visit_borrowed_str(v).map(Self::other)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        RawVisitor.visit_str(v).map(Self::other)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        RawVisitor.visit_string(v).map(Self::other)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        RawVisitor.visit_map(map).map(Self::other)
    }
}

/// Stores a converted value in its slot, or records why there is none.
fn put<'a>(record: &mut Record<'a>, slot: u16, result: Result<Value<'a>, RequestError>) {
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
            let found = policy.action_index(&s);
            let result = match found {
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
            };
            record.action_text = Some(s);
            result
        }
        (FieldKind::RequestTime | FieldKind::Time, Raw::Str(s)) => {
            parse_time(&s).map(Value::Time).ok_or_else(|| {
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
        (FieldKind::Enum(words), Raw::Str(s)) => match words.iter().position(|w| **w == *s) {
            Some(i) => Ok(Value::Enum(slot, u16::try_from(i).unwrap_or(u16::MAX))),
            None => Err(invalid(format!(
                "\"{}\" is not one of {}",
                truncate(&s),
                words.join(", ")
            ))),
        },
        // Free text whose key is empty (only white space and format characters, DESIGN.md
        // "Comparing text", `crate::text`) counts as missing, like empty text.
        (FieldKind::Text, Raw::Str(s)) if crate::text::is_blank(&s) => return,
        (FieldKind::Text, Raw::Str(s)) => Ok(Value::Text(s)),
        (
            FieldKind::Money | FieldKind::Number,
            raw @ (Raw::Str(_) | Raw::Int(_) | Raw::Decimal(_)),
        ) => {
            let mut digits = IntText::default();
            let text: &str = match &raw {
                Raw::Str(s) => s.as_ref(),
                Raw::Int(i) => digits.write(*i),
                Raw::Decimal(d) => d.as_str(),
                _ => "",
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
    put(record, slot, result);
}

/// An integer's decimal digits, written on the stack (an `i128` has at most 40).
struct IntText {
    bytes: [u8; 48],
    len: usize,
}

impl Default for IntText {
    fn default() -> Self {
        IntText {
            bytes: [0; 48],
            len: 0,
        }
    }
}

impl IntText {
    fn write(&mut self, value: i128) -> &str {
        use std::fmt::Write as _;
        self.len = 0;
        let _ = write!(self, "{value}");
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }
}

impl fmt::Write for IntText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let place = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        place.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Parses a request time: the common exact form `YYYY-MM-DDTHH:MM:SSZ` directly (the
/// same instant chrono reads, without its general parser), anything else through
/// [`value::parse_time`].
fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    plain_utc_time(text).or_else(|| value::parse_time(text))
}

/// `YYYY-MM-DDTHH:MM:SSZ` (`t` and `z` in either case), seconds 00-59; `None` for any
/// other shape, which the general parser then reads (or refuses).
fn plain_utc_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let bytes: [u8; 20] = text.as_bytes().try_into().ok()?;
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T' | b't', h0, h1, b':', mi0, mi1, b':', s0, s1, b'Z' | b'z'] =
        bytes
    else {
        return None;
    };
    let number = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&[y0, y1, y2, y3])?).ok()?;
    let (month, day) = (number(&[mo0, mo1])?, number(&[d0, d1])?);
    let (hour, minute) = (number(&[h0, h1])?, number(&[mi0, mi1])?);
    let second = number(&[s0, s1])?;
    if second > 59 {
        return None; // a leap second: left to chrono
    }
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    Some(date.and_hms_opt(hour, minute, second)?.and_utc())
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
