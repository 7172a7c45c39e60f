//! The actor: the role names of a request read against the actor's side (a role of the
//! other side, or of none, is an error), and whether a rule's audience takes the actor in.

use crate::policy::{Audience, CompiledPolicy};
use crate::request::{decode, Record, RequestError};
use crate::value::Value;

use super::env::Env;

/// Turns the role names of the request into a mask of the actor's side's roles;
/// unknown roles and roles of the other side are errors.
pub(super) fn resolve_roles(policy: &CompiledPolicy, record: &mut Record<'_>) -> u64 {
    let side = policy.schema.side.and_then(|s| match record.get(s) {
        Value::Side(side) => Some(*side),
        _ => None,
    });
    let side_mask: u64 = match side {
        Some(side) => policy
            .roles
            .iter()
            .enumerate()
            .take(64)
            .filter(|(_, r)| r.side == side)
            .fold(0, |m, (bit, _)| m | (1u64 << bit)),
        None => u64::MAX,
    };
    let mut mask = 0u64;
    let mut unknown = false;
    for (candidate, name) in &record.role_candidates {
        let own = candidate & side_mask;
        if own != 0 {
            mask |= own;
            continue;
        }
        unknown = true;
        let role = decode::truncate(name);
        let other_side = policy
            .roles
            .iter()
            .find(|r| r.name == role)
            .and_then(|r| policy.sides.get(usize::from(r.side)).cloned());
        record.errors.push(RequestError::UnknownRole {
            role,
            side: side.and_then(|s| policy.sides.get(usize::from(s)).cloned()),
            other_side,
        });
    }
    record.role_candidates.clear();
    if unknown {
        if let Some(slot) = policy.schema.roles {
            record.mark_invalid(slot);
        }
    }
    if side.is_none() {
        // Without a valid side no role can be trusted.
        mask = 0;
    }
    mask
}

/// Whether a rule's audience takes in the actor: by side, or by one of its roles.
pub(super) fn audience_matches(
    env: &Env<'_, '_>,
    audience: &Audience,
    side: Option<&Value<'_>>,
) -> bool {
    let side = match side {
        Some(Value::Side(s)) => Some(*s),
        _ => None,
    };
    audience.admits(side, env.actor_roles)
}
