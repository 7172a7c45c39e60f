//! Market display names in any language (issue 9): a policy declares them, the checker
//! holds them to CLDR's and ISO's names, and a request may give a market by any of them,
//! compared by its text key, with the very decision its code gets.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{TimeZone, Utc};
use common::policy::compile_with;
use csp_policy::load;
use csp_policy::syntax::ast::Declaration;
use csp_policy::Policy;

/// The diagnostics (code, message, help) of the default policy's files and `extra`.
fn diagnostics_with(extra: &str) -> Vec<(String, String, String)> {
    compile_with(extra)
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code.as_str().to_string(),
                d.message.clone(),
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn a_name_in_korean_is_a_name_like_any_other() {
    // Issue 9: `CN "China" "중국"` was "not a known name of CN".
    for list in [
        "markets m \"M\" {\n  CN  \"China\"  \"中国\"  \"Chine\"\n}\n",
        "markets m \"M\" {\n  names in en, ko\n  KP  \"North Korea\"  \"북한\"\n}\n",
        "markets m \"M\" {\n  names in ja, zh-Hant\n  JP  \"日本\"\n  TW  \"台灣\"\n}\n",
    ] {
        let text = format!("{list}\nfact in_m for purchase = customer.market is in m\n");
        assert_eq!(diagnostics_with(&text), Vec::new(), "{list}");
    }
}

#[test]
fn no_help_sends_the_author_to_a_rust_file() {
    for list in [
        "markets m \"M\" {\n  AU  \"Atlantis\"\n}\n",
        "markets m \"M\" {\n  names in en, ko\n  VG  \"영국령 버전 아일랜드\"\n}\n",
        "markets m \"M\" {\n  names in en, ko\n  JP  \"중국\"\n}\n",
    ] {
        let text = format!("{list}\nfact in_m for purchase = customer.market is in m\n");
        let found = diagnostics_with(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        for (_, message, help) in found {
            assert!(!message.contains(".rs") && !help.contains(".rs"), "{help}");
            assert!(!help.contains("src/"), "{help}");
        }
    }
}

#[test]
fn an_own_spelling_is_checked_by_no_source() {
    let text = "markets m \"M\" {\n  names in en, ko\n  VG  \"British Virgin Islands\"  \"영국령 버전 아일랜드 섬\" (own spelling)\n}\n\nfact in_m for purchase = customer.market is in m\n";
    assert_eq!(diagnostics_with(text), Vec::new());
}

/// A reservation purchase in `market`, decided by the embedded policy.
fn decide(policy: &Policy, market: &str) -> String {
    let request = serde_json::json!({
        "action": "purchase",
        "at": "2026-11-25T12:00:00Z",
        "actor": { "id": "ops@partner.example", "kind": "partner", "roles": ["admin_agent"] },
        "customer": { "name": "Contoso", "market": market },
        "product": { "name": "Reserved VM Instance", "category": "azure_reservation" },
    });
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
    policy.decide_json(&request.to_string(), now).to_json()
}

#[test]
fn every_display_name_of_the_default_policy_is_decided_like_its_code() {
    let policy = Policy::embedded().unwrap();
    let sources = load::embedded_sources();
    let mut names = 0;
    for file in sources.files() {
        let tree = csp_policy::syntax::parse(0, &file.text).unwrap();
        for decl in &tree.declarations {
            let Declaration::Markets(list) = decl else {
                continue;
            };
            for entry in &list.entries {
                let by_code = decide(&policy, &entry.code.text);
                assert!(!by_code.contains("unknown-market"), "{by_code}");
                for name in &entry.names {
                    let text = &name.text.value;
                    let nfd: String =
                        unicode_normalization::UnicodeNormalization::nfd(text.as_str()).collect();
                    for spelling in [text.clone(), text.to_uppercase(), nfd] {
                        assert_eq!(decide(&policy, &spelling), by_code, "{spelling}");
                    }
                    names += 1;
                }
            }
        }
    }
    // 109 English and 109 Korean names of the unavailable markets, two of each for tax.
    assert_eq!(names, 222);
}

#[test]
fn a_name_the_policy_does_not_write_is_still_unknown() {
    let policy = Policy::embedded().unwrap();
    for market in ["중화인민공화국", "Chine", "크리스마스섬", "Narnia"] {
        let decision = decide(&policy, market);
        assert!(decision.contains("unknown-market"), "{market}: {decision}");
    }
}

/// How many display names the default policy's lists write.
fn default_names() -> usize {
    load::embedded_sources()
        .files()
        .iter()
        .flat_map(|file| {
            csp_policy::syntax::parse(0, &file.text)
                .unwrap()
                .declarations
        })
        .map(|decl| match decl {
            Declaration::Markets(list) => list.entries.iter().map(|e| e.names.len()).sum(),
            _ => 0,
        })
        .sum()
}

/// A list giving AD `count` names of the policy's own spelling.
fn own_names(count: usize) -> String {
    let names: Vec<String> = (0..count)
        .map(|i| format!("\"name {i}\" (own spelling)"))
        .collect();
    format!(
        "markets many \"Many names\" {{\n  AD  {}\n}}\n\nfact in_many for purchase = customer.market is in many\n",
        names.join("  ")
    )
}

#[test]
fn a_policy_writes_at_most_the_limit_of_market_names() {
    use csp_policy::limits::POLICY_MARKET_NAMES;
    let room = POLICY_MARKET_NAMES - default_names();
    assert_eq!(diagnostics_with(&own_names(room)), Vec::new());
    let over = diagnostics_with(&own_names(room + 1));
    let codes: Vec<&str> = over.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(codes, ["too-many-market-names"], "{over:?}");
}

#[test]
fn names_that_need_a_search_are_searched_at_most_the_limit_of_times() {
    use csp_policy::limits::MARKET_NAME_SEARCHES;
    // Slips, each needing a search of every language CLDR has (no `names in`).
    let names: Vec<String> = (0..=MARKET_NAME_SEARCHES)
        .map(|i| format!("\"Atlantis {i}\""))
        .collect();
    let text = format!(
        "markets slips \"Slips\" {{\n  AD  {}\n}}\n\nfact in_slips for purchase = customer.market is in slips\n",
        names.join("  ")
    );
    let started = std::time::Instant::now();
    let found = diagnostics_with(&text);
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    assert_eq!(found.len(), MARKET_NAME_SEARCHES + 1);
    assert!(found.iter().all(|(code, _, _)| code == "market-name"));
    let (_, last, _) = found.last().unwrap();
    assert!(last.contains("not checked further"), "{last}");
    let (_, first, _) = found.first().unwrap();
    assert!(first.contains("not a known name of AD"), "{first}");
}
