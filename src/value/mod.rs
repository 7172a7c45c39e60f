//! Runtime values: what a request field, a computed fact or a sub-expression holds while
//! a decision is made. [`read`] reads the kinds a request writes as text (times,
//! decimals, GUIDs); [`write`] is the one way each kind is written, in messages and in
//! every rendering of a decision.
//!
//! Money and numbers are [`Decimal`], never floats; times are UTC instants; durations
//! are exact (`chrono::TimeDelta`), never calendar arithmetic.

pub mod currency;
pub mod read;
pub(crate) mod write;

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::limits::{TIME_FIRST_YEAR, TIME_LAST_YEAR};
use crate::market::MarketCode;
pub use currency::Currency;

pub use read::parse_time;
pub(crate) use read::{parse_guid, read_decimal, read_time, DecimalError, TimeError};
pub(crate) use write::{
    join_or_none, write_amount_in, write_duration, write_guid, write_money, write_money_in,
    write_number, write_time,
};

/// One value, borrowing text from the request it came from where it can.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value<'a> {
    /// Not given, empty, or not valid: every test on it is false.
    Absent,
    /// `yes or no`.
    Bool(bool),
    /// A decimal number.
    Number(#[serde(with = "crate::policy::serial::decimal")] Decimal),
    /// A decimal amount of money and where its currency comes from (written with the
    /// currency's decimals, two when it is not known, and its code when known).
    Money(
        #[serde(with = "crate::policy::serial::decimal")] Decimal,
        Currency,
    ),
    /// Text.
    Text(Cow<'a, str>),
    /// A UTC instant.
    Time(DateTime<Utc>),
    /// An exact length of time.
    Duration(TimeDelta),
    /// A GUID as a 128-bit number (so comparison ignores case).
    Guid(u128),
    /// A market code.
    Market(MarketCode),
    /// One of the words of an enumerated field: (field index, word index).
    Enum(u16, u16),
    /// A side of the actor (index into the policy's sides).
    Side(u8),
    /// A set of roles as a bit mask over the policy's roles.
    Roles(u64),
    /// An action (index into the policy's actions).
    Action(u16),
}

impl Value<'_> {
    /// True unless the value is [`Value::Absent`].
    pub fn is_present(&self) -> bool {
        !matches!(self, Value::Absent)
    }

    /// The value as a boolean in a condition: absent counts as false.
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }
}

/// Rounds half away from zero to `places` decimals, as the contract prescribes for money (docs/decision.md).
pub(crate) fn round_half_away(value: Decimal, places: u32) -> Decimal {
    value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether a time can be written as RFC 3339 in UTC: its year is in
/// [`TIME_FIRST_YEAR`]..=[`TIME_LAST_YEAR`] and it is not a leap second. Every time the
/// engine holds is one: reading refuses the others, computing one is an error.
pub(crate) fn is_writable_time(time: &DateTime<Utc>) -> bool {
    use chrono::{Datelike as _, Timelike as _};
    (TIME_FIRST_YEAR..=TIME_LAST_YEAR).contains(&time.year()) && time.nanosecond() < 1_000_000_000
}
