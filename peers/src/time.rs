//! RFC 3339 parsing shared by the peers' request mapping.

use chrono::{DateTime, Utc};

/// Parses an RFC 3339 timestamp (any offset, lower-case `t`/`z` accepted) to UTC.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Unix milliseconds, how the Cedar peer passes times (Cedar's `datetime` precision).
pub fn unix_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Unix nanoseconds, as Rego's `time.parse_rfc3339_ns` returns them.
pub fn unix_nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}
