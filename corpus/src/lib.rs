//! `csp-corpus`: a deterministic, seeded generator of `csp-policy` requests as JSON Lines.
//!
//! The traffic mix follows the request contract (`docs/request.md`): all seven actions
//! (purchase most common, exchange rare), mostly well-formed requests of which roughly
//! two thirds are allowed, denials for the usual reasons (roles, unavailable markets,
//! expired links, canceled orders, closed cancel windows, SUSE/RedHat plans, other
//! tenants), and about 1.5 % malformed records. Some products' free text is written in
//! other spellings (`SUSE `, `ＳＵＳＥ`, a zero-width space, `Red Hat`...: `spell.rs`).
//! Times are RFC 3339 UTC; `at` is always present. The same seed yields the same bytes
//! on every platform.

/// The vocabularies requests are drawn from (markets, roles, products...), also used by
/// the differential fuzz target (`fuzz/`) to build requests of its own.
pub mod data;
mod mutate;
mod request;
mod rng;
mod spell;
mod time;

pub use data::UNAVAILABLE_MARKETS;
pub use request::ACTIONS;

/// Malformed records per thousand.
const MALFORMED_PER_MILLE: u64 = 15;

/// `n` requests from `seed`, each one JSON object on one line (no trailing newline).
pub fn generate(seed: u64, n: usize) -> impl Iterator<Item = String> {
    let mut rng = rng::Rng::new(seed);
    (0..n as u64).map(move |serial| {
        let mut draft = request::build(&mut rng, serial);
        if rng.chance(MALFORMED_PER_MILLE) {
            mutate::break_request(&mut rng, &mut draft);
        }
        let mut doc = serde_json::Value::Object(draft.doc);
        doc.sort_all_objects(); // the same bytes whether or not serde_json preserves order
        doc.to_string()
    })
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn same_seed_same_corpus() {
        let a: Vec<String> = generate(42, 2_000).collect();
        let b: Vec<String> = generate(42, 2_000).collect();
        assert_eq!(a, b);
        let c: Vec<String> = generate(43, 2_000).collect();
        assert_ne!(a, c);
    }

    #[test]
    fn prefix_is_stable() {
        let long: Vec<String> = generate(7, 500).collect();
        let short: Vec<String> = generate(7, 100).collect();
        assert_eq!(&long[..100], &short[..]);
    }

    #[test]
    fn every_line_is_one_json_object_with_at() {
        for line in generate(1, 5_000) {
            assert!(!line.contains('\n'));
            let v: Value = serde_json::from_str(&line).expect("valid JSON");
            let at = v.get("at").and_then(Value::as_str).expect("at present");
            assert!(at.ends_with('Z') && at.len() == 20, "{at}");
        }
    }

    #[test]
    fn every_action_is_present_and_purchase_dominates() {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for line in generate(3, 10_000) {
            let v: Value = serde_json::from_str(&line).expect("valid JSON");
            let action = v["action"].as_str().unwrap_or("?").to_string();
            *counts.entry(action).or_default() += 1;
        }
        for action in ACTIONS {
            assert!(
                counts.get(action).copied().unwrap_or(0) > 100,
                "{action}: {counts:?}"
            );
        }
        let max = counts
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(a, _)| a.as_str());
        assert_eq!(max, Some("purchase"));
    }

    #[test]
    fn some_free_text_is_respelled() {
        let lines: Vec<String> = generate(5, 20_000).collect();
        let count = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count();
        assert!(count("\u{200B}") > 0, "zero-width space");
        assert!(count("\u{FF33}") > 0, "full-width S");
        assert!(count("\"publisher\":\"SUSE \"") > 0, "trailing space");
        assert!(
            count("\"publisher\":\"Red Hat\"") + count("\"publisher\":\"RED  HAT\"") > 0,
            "Red Hat"
        );
        // A few, not most.
        let respelled = lines.iter().filter(|l| !l.is_ascii()).count();
        assert!((50..=1_000).contains(&respelled), "{respelled}");
    }

    #[test]
    fn markets_are_mixed_and_sometimes_lower_case() {
        let lines: Vec<String> = generate(5, 5_000).collect();
        let unavailable = lines
            .iter()
            .filter(|l| l.contains("\"market\":\"CN\""))
            .count();
        let lower = lines
            .iter()
            .filter(|l| l.contains("\"market\":\"us\""))
            .count();
        assert!(unavailable > 0 && lower > 0);
    }
}
