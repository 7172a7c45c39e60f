//! How the compiled form is written as bytes (serde), for the embedded policy prepared
//! ahead (`crate::load::prepared`): the few values whose own serde form would not do.
//! A decimal is written as its exact 16 bytes (scale included, so `1200.00` stays
//! `1200.00`), a currency as its ISO 4217 code, and a map in key order so that the same
//! policy always gives the same bytes.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A [`rust_decimal::Decimal`] as its exact 16-byte form.
pub(crate) mod decimal {
    use super::{Deserialize, Deserializer, Serializer};
    use rust_decimal::Decimal;

    /// Writes the 16 bytes.
    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&value.serialize())
    }

    /// Reads the 16 bytes back.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let bytes: &[u8] = Deserialize::deserialize(d)?;
        let exact: [u8; 16] = bytes
            .try_into()
            .map_err(|_| serde::de::Error::invalid_length(bytes.len(), &"16 bytes"))?;
        Ok(Decimal::deserialize(exact))
    }
}

/// An ISO 4217 currency as its three-letter code.
pub(crate) mod iso {
    use super::{Deserialize, Deserializer, Serializer};
    use crate::value::currency::Iso;

    /// Writes the code.
    pub(crate) fn serialize<S: Serializer>(value: &Iso, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(value.code())
    }

    /// Reads a code back; an unknown one is an error.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Iso, D::Error> {
        let code: &str = Deserialize::deserialize(d)?;
        Iso::from_code(code)
            .ok_or_else(|| serde::de::Error::custom(format!("not an ISO 4217 code: {code}")))
    }
}

/// A map written in key order (a `HashMap` iterates in an order that changes from one
/// process to the next).
pub(crate) fn sorted<K, V, S>(map: &HashMap<K, V>, s: S) -> Result<S::Ok, S::Error>
where
    K: Serialize + Ord,
    V: Serialize,
    S: Serializer,
{
    let mut entries: Vec<(&K, &V)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    s.collect_map(entries)
}
