//! How a value is shown in messages, explanations and text facts: each kind through
//! its writer in [`crate::value::write`]; enumerated words, sides, roles and actions by
//! their names in the policy; an absent value as `(not given)`. A placeholder with a
//! format or a fallback (`{order.price as money or unknown}`) through [`render_shown`].

use std::fmt::Write as _;

use crate::policy::{CompiledPolicy, Format, Shown};
use crate::value::{self, Value};

/// Writes a value as messages show it.
pub(super) fn render(policy: &CompiledPolicy, v: &Value<'_>) -> String {
    let mut out = String::new();
    render_into(&mut out, policy, v);
    out
}

/// Appends a value as messages show it (what [`render`] returns), without allocating
/// for the common kinds.
pub(super) fn render_into(out: &mut String, policy: &CompiledPolicy, v: &Value<'_>) {
    match v {
        Value::Absent => out.push_str("(not given)"),
        Value::Bool(b) => out.push_str(if *b { "yes" } else { "no" }),
        Value::Number(n) => value::write_number(out, *n),
        Value::Money(m, c) => value::write_money_in(out, *m, *c),
        Value::Text(t) => out.push_str(t),
        Value::Time(t) => value::write_time(out, t),
        Value::Duration(d) => value::write_duration(out, *d),
        Value::Guid(g) => value::write_guid(out, *g),
        Value::Market(m) => {
            let _ = write!(out, "{m}");
        }
        Value::Enum(field, i) => {
            if let Some(crate::policy::FieldKind::Enum(words)) = policy
                .schema
                .fields
                .get(usize::from(*field))
                .map(|f| &f.kind)
            {
                out.push_str(words.get(usize::from(*i)).map_or("", String::as_str));
            }
        }
        Value::Side(s) => {
            out.push_str(policy.sides.get(usize::from(*s)).map_or("", String::as_str))
        }
        Value::Roles(mask) => value::join_or_none(out, role_names(policy, *mask)),
        Value::Action(a) => out.push_str(
            policy
                .actions
                .get(usize::from(*a))
                .map_or("", |a| a.name.as_str()),
        ),
    }
}

/// The names of the roles in a mask.
pub(super) fn role_names(policy: &CompiledPolicy, mask: u64) -> impl Iterator<Item = &str> {
    policy
        .roles
        .iter()
        .enumerate()
        .filter(move |(bit, _)| *bit < 64 && mask & (1u64 << bit) != 0)
        .map(|(_, r)| r.name.as_str())
}

/// Appends a placeholder's value in the format its message asks for, or its fallback
/// when the value is absent. The checker allows a format only on the types it writes.
pub(super) fn render_shown(
    out: &mut String,
    policy: &CompiledPolicy,
    v: &Value<'_>,
    shown: &Shown,
) {
    match (v, shown.format, &shown.fallback) {
        (Value::Absent, _, Some(fallback)) => out.push_str(fallback),
        (Value::Number(n), Some(Format::Money), _) => value::write_money(out, *n),
        (Value::Money(n, c), Some(Format::Money), _) => value::write_money_in(out, *n, *c),
        (Value::Number(n) | Value::Money(n, _), Some(Format::Number), _) => {
            value::write_number(out, *n)
        }
        (Value::Time(t), Some(Format::Date), _) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%d"));
        }
        _ => render_into(out, policy, v),
    }
}
