//! The schema-driven walk over one request document, for any serde `Deserializer`
//! (serde_json for JSON, serde-saphyr for YAML): a `DeserializeSeed` visits each object
//! against a level of the schema tree, looks each key up, hands a known leaf's value
//! over as written (`scalar::Scalars`, one implementation per format) to `convert`,
//! skips unknown keys, and reads `actor.roles` straight into the record's role
//! candidates. No intermediate value tree is built; what is malformed is recorded as
//! the record's errors and the walk goes on.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::convert::{put, store};
use super::scalar::{other_scalars, Raw, RawVisitor, ScalarSeed, Scalars};
use super::{Record, RequestError};
use crate::limits::{POLICY_ROLES, ROLES_PER_ACTOR};
use crate::policy::{CompiledPolicy, FieldKind, SchemaNode};
use crate::value::Value;

/// Walks a whole document into `record` (cleared by the caller), reading values with
/// `format`. An `Err` is the format's own (malformed text, a refused YAML feature).
pub(super) fn walk<'de: 'a, 'a, D: de::Deserializer<'de>, F: Scalars<'de>>(
    policy: &CompiledPolicy,
    record: &mut Record<'a>,
    format: F,
    deserializer: D,
) -> Result<(), D::Error> {
    Group {
        policy,
        record,
        nodes: &policy.schema.root,
        prefix: "",
        format,
    }
    .deserialize(deserializer)
}

/// One object of the request against a level of the schema tree: the whole document at
/// the root (`prefix` empty), a group such as `actor` below it.
struct Group<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    nodes: &'p [(String, SchemaNode)],
    prefix: &'p str,
    format: F,
}

impl<F> Group<'_, '_, '_, F> {
    fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Anything but an object (null is a group not given, but not a request).
    fn other(self, raw: Raw<'_>) {
        let found = raw.kind();
        if self.prefix.is_empty() {
            self.record.errors.push(RequestError::WrongType {
                field: "the request".into(),
                expected: "an object of fields (action, actor, ...)",
                found: found.into(),
                note: None,
            });
        } else if !matches!(raw, Raw::Null) {
            self.record.errors.push(RequestError::WrongType {
                field: self.prefix.to_string(),
                expected: "an object",
                found: found.into(),
                note: None,
            });
        }
    }
}

impl<'de: 'a, 'a, F: Scalars<'de>> DeserializeSeed<'de> for Group<'_, '_, 'a, F> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de: 'a, 'a, F: Scalars<'de>> Visitor<'de> for Group<'_, '_, 'a, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let mut seen = SeenKeys::new(self.nodes.len());
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let found = self
                .nodes
                .iter()
                .enumerate()
                .find(|(_, (k, _))| same_key(k, &key));
            let Some((index, (name, node))) = found else {
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
                SchemaNode::Leaf(slot) => map.next_value_seed(Leaf {
                    policy: self.policy,
                    record: &mut *self.record,
                    slot: *slot,
                    format: self.format,
                })?,
                SchemaNode::Group(prefix, children) => map.next_value_seed(Group {
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
        self.other(Raw::Null);
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<(), S::Error> {
        RawVisitor.visit_seq(seq).map(|raw| self.other(raw))
    }

    other_scalars!();
}

/// Whether a schema key is the request's key. The length is compared first, so most keys
/// that differ are told apart by it alone; keys of equal length are compared as two
/// overlapping words (the first and the last 2, 4 or 8 bytes), which covers every key of
/// up to 16 bytes in two loads and two comparisons instead of a loop over its bytes or a
/// call to `memcmp`. Longer keys are compared as slices.
fn same_key(schema_key: &str, key: &str) -> bool {
    let (a, b) = (schema_key.as_bytes(), key.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1 => a.first() == b.first(),
        2..=3 => ends::<2>(a) == ends::<2>(b),
        4..=7 => ends::<4>(a) == ends::<4>(b),
        8..=16 => ends::<8>(a) == ends::<8>(b),
        _ => a == b,
    }
}

/// The first and the last `N` bytes of `s` (overlapping when `s` is shorter than `2 * N`);
/// `None` when `s` is shorter than `N`.
#[inline(always)]
fn ends<const N: usize>(s: &[u8]) -> Option<([u8; N], [u8; N])> {
    let first = s.first_chunk::<N>()?;
    let last = s.last_chunk::<N>()?;
    Some((*first, *last))
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

/// The value of one field, decoded into its slot.
struct Leaf<'p, 'r, 'a, F> {
    policy: &'p CompiledPolicy,
    record: &'r mut Record<'a>,
    slot: u16,
    format: F,
}

impl<'de: 'a, 'a, F: Scalars<'de>> DeserializeSeed<'de> for Leaf<'_, '_, 'a, F> {
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
    /// Anything but a list.
    fn other<'de>(self, raw: Raw<'de>) -> Roles<'de> {
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

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        RawVisitor.visit_map(map).map(|raw| self.other(raw))
    }

    other_scalars!();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair of keys of up to 20 bytes that differ in one byte, at any position, or
    /// in length: `same_key` agrees with comparing the text.
    #[test]
    fn same_key_agrees_with_comparing_the_text() {
        for n in 0..=20 {
            let key: String = ('a'..='z').cycle().take(n).collect();
            assert!(same_key(&key, &key), "{key}");
            assert!(same_key(&key, &key.clone()), "{key}");
            for at in 0..n {
                let mut other = key.clone().into_bytes();
                other[at] = b'_';
                let other = String::from_utf8(other).unwrap();
                assert!(!same_key(&key, &other), "{key} / {other}");
                assert!(!same_key(&other, &key), "{other} / {key}");
            }
            let longer = format!("{key}z");
            assert!(!same_key(&key, &longer), "{key} / {longer}");
            assert!(!same_key(&longer, &key), "{longer} / {key}");
        }
        // Multi-byte characters are compared by their bytes.
        assert!(same_key("tenant_é", "tenant_é"));
        assert!(!same_key("tenant_é", "tenant_è"));
    }
}
