//! Decoding one request document straight into a [`Record`], driven by the schema: a
//! serde `DeserializeSeed` walks the document once, looks each key up in the schema
//! tree, converts known leaves to typed values and skips unknown keys, with no
//! intermediate value tree. The same seed serves JSON (serde_json) and YAML
//! (serde-saphyr, with merge keys, unknown tags and duplicate keys refused); each
//! format hands a leaf's value over as written (`scalar`), and one set of rules
//! converts it (`convert`).

use crate::limits::{
    POLICY_ROLES, REQUEST_BYTES, ROLES_PER_ACTOR, YAML_ALIASES, YAML_DEPTH, YAML_NODES,
};
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::convert::{put, store};
use super::scalar::{Json, Raw, RawVisitor, ScalarSeed, Scalars, Yaml};
use super::{Record, RequestError};
use crate::policy::{CompiledPolicy, FieldKind, SchemaNode};
use crate::value::Value;

pub(crate) use super::scalar::truncate;

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
        format: Json,
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
            format: Yaml { text },
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

/// The whole document: the root level of the schema tree.
struct RootSeed<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    format: F,
}

impl<'de: 'a, 'a, F: Scalars<'de>> DeserializeSeed<'de> for RootSeed<'_, '_, 'a, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(GroupVisitor {
            policy: self.policy,
            record: self.record,
            nodes: &self.policy.schema.root,
            prefix: "",
            format: self.format,
        })
    }
}

/// Visits one object of the request against a level of the schema tree.
struct GroupVisitor<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    nodes: &'p [(String, SchemaNode)],
    prefix: &'p str,
    format: F,
}

impl<F> GroupVisitor<'_, '_, '_, F> {
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

/// The keys of one object already given, by their index in the level of the schema
/// tree: one word for up to 64 keys, more words beyond, so that a key given twice is
/// found wherever it is in the level.
enum SeenKeys {
    Word(u64),
    Words(Vec<u64>),
}

impl SeenKeys {
    fn new(keys: usize) -> Self {
        if keys <= 64 {
            SeenKeys::Word(0)
        } else {
            SeenKeys::Words(vec![0; keys.div_ceil(64)])
        }
    }

    /// Marks key `index` as given; false when it already was.
    fn insert(&mut self, index: usize) -> bool {
        let bit = 1u64 << (index % 64);
        let word = match self {
            SeenKeys::Word(word) if index < 64 => word,
            SeenKeys::Words(words) => match words.get_mut(index / 64) {
                Some(word) => word,
                None => return true,
            },
            // Outside the level: there is no such key (the index comes from the level).
            SeenKeys::Word(_) => return true,
        };
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }
}

impl<'de: 'a, 'a, F: Scalars<'de>> Visitor<'de> for GroupVisitor<'_, '_, 'a, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = SeenKeys::new(self.nodes.len());
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let position = self.nodes.iter().position(|(k, _)| same_key(k, &key));
            let Some((index, (name, node))) =
                position.and_then(|i| self.nodes.get(i).map(|n| (i, n)))
            else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if !seen.insert(index) {
                let field = self.path(name);
                self.record
                    .errors
                    .push(RequestError::DuplicateKey { field });
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match node {
                SchemaNode::Leaf(slot) => map.next_value_seed(LeafSeed {
                    policy: self.policy,
                    record: &mut *self.record,
                    slot: *slot,
                    format: self.format,
                })?,
                SchemaNode::Group(prefix, children) => map.next_value_seed(GroupSeed {
                    policy: self.policy,
                    record: &mut *self.record,
                    nodes: children,
                    prefix,
                    format: self.format,
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

    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }

    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
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

/// A nested object: a level of the schema tree below the root.
struct GroupSeed<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    nodes: &'p [(String, SchemaNode)],
    prefix: &'p str,
    format: F,
}

impl<'de: 'a, 'a, F: Scalars<'de>> DeserializeSeed<'de> for GroupSeed<'_, '_, 'a, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(GroupVisitor {
            policy: self.policy,
            record: self.record,
            nodes: self.nodes,
            prefix: self.prefix,
            format: self.format,
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

/// Decodes the value of one field into its slot.
struct LeafSeed<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    slot: u16,
    format: F,
}

impl<'de: 'a, 'a, F: Scalars<'de>> DeserializeSeed<'de> for LeafSeed<'_, '_, 'a, F> {
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
                format: self.format,
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
        let numeric = matches!(
            field.kind,
            FieldKind::Count | FieldKind::Money | FieldKind::Number
        );
        let raw = self.format.read(deserializer, numeric)?;
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
struct RolesVisitor<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    format: F,
}

impl<F> RolesVisitor<'_, '_, '_, F> {
    fn other<'de>(raw: Raw<'de>) -> Roles<'de> {
        match &raw {
            Raw::Null => Roles::Missing,
            Raw::Str(s) if s.is_empty() => Roles::Missing,
            _ => Roles::NotAList(raw),
        }
    }
}

impl<'de: 'a, 'a, F: Scalars<'de>> Visitor<'de> for RolesVisitor<'_, '_, 'a, F> {
    type Value = Roles<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of roles")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut count = 0usize;
        let mut not_a_name = None;
        while let Some(item) = seq.next_element_seed(ScalarSeed(self.format))? {
            count = count.saturating_add(1);
            if count > ROLES_PER_ACTOR || not_a_name.is_some() {
                continue;
            }
            match item {
                Raw::Str(name) => {
                    let mut mask = 0u64;
                    for (bit, role) in self.policy.roles.iter().enumerate().take(POLICY_ROLES) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, SourceMap};
    use rust_decimal::Decimal;
    use std::str::FromStr;

    /// A small policy with one field of each number kind (and a time and a flag).
    const POLICY: &str = r#"
actions {
  go "Go"
}
roles for partner {
  boss "Boss"
}
input {
  action "action" is the action
  at "time" is the time of the request
  actor.kind "kind" is the actor's side
  actor.roles "roles" is the actor's roles
  n "n" is a number
  c "c" is a count
  m "m" is money
  f "f" is yes or no
  t "t" is a time
}
rule ok
  permit go to partner boss
  because "ok"
fact later for go = t + 1 days
"#;

    fn compile(text: &str) -> CompiledPolicy {
        let mut sources = SourceMap::new();
        sources.add(SourceFile::new("test.policy", text));
        let loaded = crate::load::compile(sources);
        let rendered: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.render(&loaded.sources))
            .collect();
        loaded
            .policy
            .unwrap_or_else(|| panic!("the test policy checks: {}", rendered.join("\n")))
    }

    fn policy() -> CompiledPolicy {
        compile(POLICY)
    }

    fn slot(policy: &CompiledPolicy, path: &str) -> u16 {
        let i = policy.schema.fields.iter().position(|f| f.path == path);
        u16::try_from(i.unwrap_or_else(|| panic!("no field {path}"))).unwrap()
    }

    fn json<'a>(policy: &CompiledPolicy, text: &'a str) -> Record<'a> {
        decode_json(policy, text, 1)
    }

    fn yaml<'a>(policy: &CompiledPolicy, text: &'a str) -> Record<'a> {
        decode_yaml(policy, text, 1)
    }

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    /// The one error of a record that decoded one field, with that field absent and
    /// marked invalid (so that "missing" is not said too).
    fn only_error(policy: &CompiledPolicy, record: &Record<'_>, path: &str) -> String {
        assert_eq!(record.errors.len(), 1, "{:?}", record.errors);
        let error = &record.errors[0];
        assert_eq!(error.field(), Some(path), "{error}");
        let slot = slot(policy, path);
        assert!(!record.get(slot).is_present(), "{path} was accepted");
        assert!(record.is_invalid(slot), "{path} is not marked invalid");
        error.to_string()
    }

    #[test]
    fn an_object_spelling_serde_jsons_number_key_is_an_object_in_json() {
        let p = policy();
        for path in ["c", "m", "n"] {
            let text = format!(r#"{{"{path}": {{"$serde_json::private::Number": "7"}}}}"#);
            let record = json(&p, &text);
            let message = only_error(&p, &record, path);
            assert!(message.contains("not an object"), "{message}");
        }
    }

    #[test]
    fn an_object_spelling_serde_jsons_number_key_is_an_object_in_yaml() {
        let p = policy();
        for path in ["c", "m", "n"] {
            let text = format!("{path}: {{\"$serde_json::private::Number\": \"7\"}}\n");
            let record = yaml(&p, &text);
            let message = only_error(&p, &record, path);
            assert!(message.contains("not an object"), "{message}");
        }
    }

    /// Also a guard: with serde_json's `arbitrary_precision` (which no crate of the
    /// build may turn on), a number would reach a group as a one-key object and be
    /// ignored.
    #[test]
    fn a_number_or_text_for_an_object_is_the_wrong_type() {
        let p = policy();
        for (text, found) in [
            (r#"{"actor": 5}"#, "not a number"),
            (r#"{"actor": 1.5}"#, "not a number"),
            (r#"{"actor": "x"}"#, "not text"),
            (r#"{"actor": [1]}"#, "not a list"),
        ] {
            let record = json(&p, text);
            assert_eq!(record.errors.len(), 1, "{text}");
            let message = record.errors[0].to_string();
            assert!(message.contains("actor must be an object"), "{message}");
            assert!(message.contains(found), "{message}");
        }
        let record = json(&p, r#"{"actor": {"$serde_json::private::Number": "7"}}"#);
        assert!(record.errors.is_empty(), "an object with an unknown key");
    }

    #[test]
    fn json_numbers_reach_the_decimal_exactly() {
        let p = policy();
        let record = json(
            &p,
            r#"{"m": 1015.89499999999999, "n": -0.0000000000000000000000000001, "c": 12}"#,
        );
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(dec("1015.89499999999999"))
        );
        assert_eq!(
            record.get(slot(&p, "n")),
            &Value::Number(dec("-0.0000000000000000000000000001"))
        );
        assert_eq!(record.get(slot(&p, "c")), &Value::Number(dec("12")));
    }

    #[test]
    fn yaml_plain_numbers_follow_the_json_text_rule() {
        let p = policy();
        for (path, written) in [
            ("m", "1.2e3"),
            ("m", "0x4B0"),
            ("m", "1_200"),
            ("m", ".5"),
            ("m", "+1200"),
            ("m", "1200."),
            ("n", "1.2E3"),
            ("n", "0o7"),
            ("n", ".inf"),
            ("c", "0x10"),
            ("c", "0o7"),
            ("c", "1_000"),
            ("c", "+5"),
            ("c", "012"),
            ("c", "1e2"),
        ] {
            let text = format!("{path}: {written}\n");
            let record = yaml(&p, &text);
            if record.errors.len() == 1
                && matches!(record.errors[0], RequestError::Malformed { .. })
            {
                continue; // refused by the YAML reader itself (`.inf`)
            }
            let message = only_error(&p, &record, path);
            assert!(message.contains(written), "{written}: {message}");
        }
    }

    #[test]
    fn yaml_plain_numbers_are_read_from_their_text_exactly() {
        let p = policy();
        let record = yaml(&p, "m: 1015.89499999999999\nn: 0.1\nc: 12\n");
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(dec("1015.89499999999999"))
        );
        assert_eq!(record.get(slot(&p, "n")), &Value::Number(dec("0.1")));
        assert_eq!(record.get(slot(&p, "c")), &Value::Number(dec("12")));
        // Quoted, a number is text: money and numbers take text, counts do not.
        let record = yaml(&p, "m: \"1015.89499999999999\"\n");
        assert_eq!(
            record.get(slot(&p, "m")),
            &Value::Money(dec("1015.89499999999999"))
        );
        let record = yaml(&p, "c: \"12\"\n");
        let message = only_error(&p, &record, "c");
        assert!(message.contains("not the text \"12\""), "{message}");
    }

    #[test]
    fn a_count_out_of_range_is_an_error_with_the_value_as_written() {
        let p = policy();
        for record in [
            json(&p, r#"{"c": 100000000000000000000}"#),
            yaml(&p, "c: 100000000000000000000\n"),
        ] {
            let message = only_error(&p, &record, "c");
            assert!(
                message.contains("100000000000000000000"),
                "the value as written: {message}"
            );
        }
    }

    #[test]
    fn a_leap_second_is_refused_and_says_why() {
        let p = policy();
        for record in [
            json(&p, r#"{"t": "2026-12-31T23:59:60Z"}"#),
            yaml(&p, "t: 2026-11-25T12:00:60Z\n"),
            yaml(&p, "t: 2026-11-25T12:00:60.5+01:00\n"),
        ] {
            let message = only_error(&p, &record, "t");
            assert!(message.contains("leap second"), "{message}");
        }
    }

    #[test]
    fn a_time_outside_years_0000_to_9999_in_utc_is_refused() {
        let p = policy();
        for text in [
            "t: 9999-12-31T23:00:00-05:00\n",
            "t: 0000-01-01T00:30:00+01:00\n",
        ] {
            let record = yaml(&p, text);
            let message = only_error(&p, &record, "t");
            assert!(message.contains("9999"), "{message}");
        }
        let record = yaml(&p, "t: 9999-12-31T23:59:59.999999999Z\n");
        assert!(record.errors.is_empty(), "{:?}", record.errors);
    }

    /// A policy whose `g` group has `count` fields `g.f0`, `g.f1`, ...
    fn wide_policy(count: usize) -> CompiledPolicy {
        let mut text = String::from(
            "actions {\n  go \"Go\"\n}\ninput {\n  action \"action\" is the action\n  at \"time\" is the time of the request\n",
        );
        for i in 0..count {
            text.push_str(&format!("  g.f{i} \"f{i}\" is a count\n"));
        }
        text.push_str("}\n");
        compile(&text)
    }

    #[test]
    fn a_duplicate_key_is_found_at_any_position_of_a_json_object() {
        let p = wide_policy(100);
        for i in [0, 63, 64, 65, 99] {
            let text = format!(r#"{{"g": {{"f{i}": 1, "f{i}": 2}}}}"#);
            let record = json(&p, &text);
            assert_eq!(
                record.errors,
                [RequestError::DuplicateKey {
                    field: format!("g.f{i}")
                }],
                "key {i}"
            );
        }
        let record = yaml(&p, "g: {f64: 1, f64: 2}\n");
        assert_eq!(record.errors.len(), 1, "YAML refuses it too");
    }
}
