//! "Did you mean": the declared name closest to a name that is not declared, when one
//! is close enough to be a slip, for the hints of `unknown-*` diagnostics.

use crate::limits::SUGGESTION_CANDIDATES;

/// `did you mean `x`?` for the closest of `candidates` to `name`, when one is close:
/// the same name in another case first, then the most similar (Jaro-Winkler above 0.8,
/// or at most two edits for names of five letters or more); between equally close
/// names, the first in name order.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to `name`, when one is close enough to be a slip. Dotted
/// paths must be close in their last part too (`order.number` is no slip for
/// `order.currency`).
///
/// Cost: a candidate that cannot score above the bar is ruled out by counting the
/// characters the two names share (exact, no allocation), and at
/// most [`SUGGESTION_CANDIDATES`] candidates are looked at, so that a policy with
/// thousands of unknown names is still checked in linear time.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    let lower = name.to_lowercase();
    for candidate in first_in_name_order(candidates) {
        if candidate == name {
            continue;
        }
        let candidate_lower: std::borrow::Cow<'_, str> =
            if candidate.chars().any(char::is_uppercase) {
                candidate.to_lowercase().into()
            } else {
                candidate.into()
            };
        let score = if *candidate_lower == *lower {
            2.0
        } else if !could_be_close(&lower, &candidate_lower) {
            continue;
        } else {
            let whole = similarity(&lower, &candidate_lower);
            let last = match (lower.rsplit_once('.'), candidate_lower.rsplit_once('.')) {
                (Some((_, a)), Some((_, b))) => similarity(a, b),
                _ => whole,
            };
            whole.min(last)
        };
        if score > 0.8 && best.is_none_or(|best| closer((score, candidate), best)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// The candidates, or, when there are more than [`SUGGESTION_CANDIDATES`], the first
/// that many in name order: the same ones whatever order the checker's hash maps hand
/// them over in (linear time: a selection, not a sort).
fn first_in_name_order<'a>(candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut all: Vec<&str> = candidates.into_iter().collect();
    if all.len() > SUGGESTION_CANDIDATES {
        all.select_nth_unstable(SUGGESTION_CANDIDATES);
        all.truncate(SUGGESTION_CANDIDATES);
    }
    all
}

/// Whether a scored candidate beats the best so far: a higher score, or the same score
/// and a name first in name order, so that the answer does not depend on the order the
/// candidates come in (the checker's tables are hash maps).
fn closer((score, name): (f64, &str), (best_score, best_name): (f64, &str)) -> bool {
    score > best_score || (score == best_score && name < best_name)
}

/// Whether [`similarity`] of `a` and `b` can be above 0.8, judged from the characters
/// they share (as multisets; `m` below), which bound both measures: Jaro-Winkler is at
/// most 0.4 + 0.6 × Jaro, so above 0.8 it needs Jaro above 2/3, which needs
/// `m/|a| + m/|b| > 1` (Jaro's matching characters are shared ones); two edits leave at
/// most two characters of the longer name unshared. Names that are not ASCII are never
/// ruled out.
fn could_be_close(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return true;
    }
    let mut counts = [0u32; 128];
    for byte in a.bytes() {
        if let Some(count) = counts.get_mut(usize::from(byte)) {
            *count += 1;
        }
    }
    let mut shared = 0usize;
    for byte in b.bytes() {
        if let Some(count) = counts.get_mut(usize::from(byte)) {
            if *count > 0 {
                *count -= 1;
                shared += 1;
            }
        }
    }
    let (la, lb) = (a.len(), b.len());
    let jaro_possible = shared * (la + lb) > la * lb;
    let near_possible = la >= 5 && shared + 2 >= la.max(lb);
    jaro_possible || near_possible
}

/// Jaro-Winkler similarity, raised above the bar for names of five letters or more
/// that are at most two edits apart.
fn similarity(a: &str, b: &str) -> f64 {
    let jw = strsim::jaro_winkler(a, b);
    let (la, lb) = (a.chars().count(), b.chars().count());
    // Two edits change the length by two at most: no need to count them otherwise.
    let near = la >= 5 && la.abs_diff(lb) <= 2 && strsim::damerau_levenshtein(a, b) <= 2;
    if near {
        jw.max(0.81)
    } else {
        jw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_name() {
        let fields = ["order.purchased_at", "order.price", "order.id"];
        assert_eq!(
            did_you_mean("order.purchase_at", fields).as_deref(),
            Some("did you mean `order.purchased_at`?")
        );
        assert_eq!(did_you_mean("zzz", fields), None);
        assert_eq!(did_you_mean("order.number", ["order.currency"]), None);
        assert_eq!(
            did_you_mean("Admin_Agent", ["admin_agent", "sales_agent"]).as_deref(),
            Some("did you mean `admin_agent`?")
        );
    }

    /// Regression: between equally close names the first one met won, and the checker
    /// hands over names from hash maps, whose order changes from run to run: `check`
    /// printed `did you mean `g_let_1`?` or `g_let_2` at random.
    #[test]
    fn equally_close_names_give_one_answer_whatever_their_order() {
        let one = closest("g_let_0", ["g_let_1", "g_let_2"]);
        let other = closest("g_let_0", ["g_let_2", "g_let_1"]);
        assert_eq!(one, other);
        assert_eq!(one, Some("g_let_1"), "the first in name order");
        assert_eq!(
            closest("ADMIN", ["admin", "Admin"]),
            closest("ADMIN", ["Admin", "admin"])
        );
    }

    /// Regression: with more candidates than the cap, the first ones the hash map
    /// handed over were looked at, so whether a close name was suggested depended on
    /// the order (issue 8).
    #[test]
    fn beyond_the_cap_the_candidates_looked_at_do_not_depend_on_their_order() {
        let mut names: Vec<String> = (0..SUGGESTION_CANDIDATES + 10)
            .map(|i| format!("b_{i:05}"))
            .collect();
        names.push("a_target".to_string());
        let forward = closest("a_targt", names.iter().map(String::as_str));
        let backward = closest("a_targt", names.iter().rev().map(String::as_str));
        assert_eq!(forward, Some("a_target"));
        assert_eq!(backward, forward);
    }

    /// The search without the shortcut and without the cap: what [`closest`] must find.
    fn closest_by_brute_force<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
        let lower = name.to_lowercase();
        let mut best: Option<(f64, &str)> = None;
        for &candidate in candidates {
            if candidate == name {
                continue;
            }
            let c = candidate.to_lowercase();
            let score = if c == lower {
                2.0
            } else {
                let jw = |a: &str, b: &str| {
                    let near = a.chars().count() >= 5 && strsim::damerau_levenshtein(a, b) <= 2;
                    let jw = strsim::jaro_winkler(a, b);
                    if near {
                        jw.max(0.81)
                    } else {
                        jw
                    }
                };
                let whole = jw(&lower, &c);
                let last = match (lower.rsplit_once('.'), c.rsplit_once('.')) {
                    (Some((_, a)), Some((_, b))) => jw(a, b),
                    _ => whole,
                };
                whole.min(last)
            };
            let better = best.is_none_or(|(s, b)| score > s || (score == s && candidate < b));
            if score > 0.8 && better {
                best = Some((score, candidate));
            }
        }
        best.map(|(_, c)| c)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Ruling candidates out by their shared characters never changes the answer.
        #[test]
        fn the_shortcut_finds_what_the_full_search_finds(
            name in "[a-dA-D_.]{0,9}",
            candidates in proptest::collection::vec("[a-d_.]{0,9}", 0..12),
        ) {
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(
                closest(&name, candidates.iter().copied()),
                closest_by_brute_force(&name, &candidates)
            );
        }
    }
}
