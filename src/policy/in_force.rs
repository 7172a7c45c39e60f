//! Effective dates in the compiled form: when a version of a declaration is in force
//! ([`InForce`], `from` inclusive, `until` exclusive) and the versions of a dated value
//! ([`Versions`]: a window, a link or a market list written several times with
//! `in force ...`), one of which a decision selects by a time.

use chrono::{DateTime, Timelike, Utc};

use super::expr::Expr;

/// When a version is in force: from `from` (inclusive) until `until` (exclusive); an
/// open end is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InForce {
    /// The first instant it is in force; `None`: since always.
    pub from: Option<DateTime<Utc>>,
    /// The first instant it is no longer in force; `None`: until further notice.
    pub until: Option<DateTime<Utc>>,
}

impl InForce {
    /// Whether the version is in force at `t`.
    #[inline]
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|from| from <= t) && self.until.is_none_or(|until| t < until)
    }

    /// Whether two intervals share an instant.
    pub fn overlaps(&self, other: &InForce) -> bool {
        let starts_before_other_ends = match (self.from, other.until) {
            (Some(from), Some(until)) => from < until,
            _ => true,
        };
        let other_starts_before_end = match (other.from, self.until) {
            (Some(from), Some(until)) => from < until,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_end
    }

    /// The interval as decisions and explanations name it, the way the policy writes
    /// it: `from 2021-02-01 until 2023-01-01`, `from 2024-06-01`, `until 2021-02-01`
    /// (a time at midnight UTC is written as its date).
    pub fn label(&self) -> String {
        match (self.from, self.until) {
            (Some(from), Some(until)) => format!("from {} until {}", moment(from), moment(until)),
            (Some(from), None) => format!("from {}", moment(from)),
            (None, Some(until)) => format!("until {}", moment(until)),
            (None, None) => "always".to_string(),
        }
    }
}

/// A time as the policy language writes it: a date when it is midnight UTC.
pub fn moment(t: DateTime<Utc>) -> String {
    if t.num_seconds_from_midnight() == 0 && t.nanosecond() == 0 {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    }
}

/// The versions of one dated value, as an expression: the version in force at `time`
/// gives the value; `otherwise` when none is.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Versions {
    /// The declaration's name (for errors and explanations).
    pub name: String,
    /// The time that selects the version: the request's `at` or a time field.
    pub time: Expr,
    /// The time field's path, as errors name it.
    pub time_name: String,
    /// Each version's interval and value, in time order (no two overlap).
    pub choices: Vec<(InForce, Expr)>,
    /// The value when no version is in force at the time.
    pub otherwise: Expr,
}

impl Versions {
    /// The version in force at `t` (versions never overlap: at most one is).
    pub fn at(&self, t: DateTime<Utc>) -> Option<&(InForce, Expr)> {
        self.choices
            .iter()
            .find(|(in_force, _)| in_force.contains(t))
    }
}

/// Replaces, in `e`, every choice of versions made by the time in slot `at` with the
/// version in force at `t` (or what holds when none is).
pub fn fix_versions(e: &mut Expr, at: u16, t: DateTime<Utc>) {
    use super::expr::Node;
    if let Node::Versions(v) = &mut e.node {
        if v.time.node == Node::Field(at) {
            let chosen = match v.at(t) {
                Some((_, value)) => value.clone(),
                None => v.otherwise.clone(),
            };
            *e = chosen;
            fix_versions(e, at, t);
            return;
        }
    }
    e.children_mut().for_each(|c| fix_versions(c, at, t));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn from_is_inclusive_and_until_exclusive() {
        let v = InForce {
            from: Some(t("2021-02-01T00:00:00Z")),
            until: Some(t("2023-01-01T00:00:00Z")),
        };
        assert!(!v.contains(t("2021-01-31T23:59:59Z")));
        assert!(v.contains(t("2021-02-01T00:00:00Z")));
        assert!(v.contains(t("2022-12-31T23:59:59Z")));
        assert!(!v.contains(t("2023-01-01T00:00:00Z")));
        assert_eq!(v.label(), "from 2021-02-01 until 2023-01-01");
    }

    #[test]
    fn meeting_intervals_do_not_overlap() {
        let a = InForce {
            from: None,
            until: Some(t("2021-02-01T00:00:00Z")),
        };
        let b = InForce {
            from: Some(t("2021-02-01T00:00:00Z")),
            until: None,
        };
        let c = InForce {
            from: Some(t("2021-01-31T00:00:00Z")),
            until: None,
        };
        assert!(!a.overlaps(&b) && !b.overlaps(&a));
        assert!(a.overlaps(&c) && c.overlaps(&a) && b.overlaps(&c));
        assert_eq!(a.label(), "until 2021-02-01");
        assert_eq!(
            InForce {
                from: Some(t("2021-02-01T12:30:00Z")),
                until: None
            }
            .label(),
            "from 2021-02-01T12:30:00Z"
        );
    }
}
