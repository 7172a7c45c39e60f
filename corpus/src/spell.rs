//! Free text as people and systems write it: a few products' publisher, name or edition
//! come in another spelling (upper case, a trailing space, full-width letters, a
//! zero-width space, doubled or no-break spaces, a byte-order mark, `Red Hat` for
//! `redhat`), and now and then a publisher that is only blank characters. `csp-policy`
//! compares free text by its key (docs/request.md "Comparing text"), so a respelled SUSE plan
//! is still a SUSE plan; the peers must agree.
//!
//! The choices come from a generator of their own, seeded from the request's serial
//! number and time, so that the rest of the corpus is byte for byte what it would be
//! without respelling.

use serde_json::Value;

use crate::rng::Rng;

/// Products with a respelled field, per mille.
const RESPELLED_PER_MILLE: u64 = 40;

/// Software plans with a respelled publisher, per mille (the publisher decides R11).
const RESPELLED_PLANS_PER_MILLE: u64 = 250;

/// The spellings, weighted.
#[derive(Clone, Copy)]
enum Spelling {
    UpperWithTrailingSpace,
    FullWidth,
    ZeroWidthSpace,
    DoubledSpaces,
    NoBreakSpaces,
    ByteOrderMark,
    /// `redhat` written as two words (`Red Hat`, `RED  HAT`); other text: title case.
    TwoWords,
    /// Only white space and format characters (the field counts as missing).
    Blank,
}

const SPELLINGS: [(Spelling, u64); 8] = [
    (Spelling::UpperWithTrailingSpace, 20),
    (Spelling::FullWidth, 15),
    (Spelling::ZeroWidthSpace, 15),
    (Spelling::DoubledSpaces, 10),
    (Spelling::NoBreakSpaces, 10),
    (Spelling::ByteOrderMark, 10),
    (Spelling::TwoWords, 15),
    (Spelling::Blank, 5),
];

/// Respells one of the product's text fields, sometimes. `serial` and `at` seed the
/// choice.
pub fn respell_product(product: &mut Value, serial: u64, at: i64) {
    let mut rng = Rng::new(serial ^ (at as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let plan = product.get("category") == Some(&Value::from("software_plan"));
    let rate = if plan {
        RESPELLED_PLANS_PER_MILLE
    } else {
        RESPELLED_PER_MILLE
    };
    if !rng.chance(rate) {
        return;
    }
    let field = if plan {
        "publisher"
    } else {
        *rng.pick(&["publisher", "name", "edition"])
    };
    let spelling = rng.weighted(&SPELLINGS);
    let Some(Value::String(text)) = product.get_mut(field) else {
        return;
    };
    // A blank name or edition would only repeat "missing"; blank is for publishers.
    if matches!(spelling, Spelling::Blank) && field != "publisher" {
        return;
    }
    *text = spell(text, spelling, &mut rng);
}

fn spell(text: &str, spelling: Spelling, rng: &mut Rng) -> String {
    match spelling {
        Spelling::UpperWithTrailingSpace => format!("{} ", text.to_uppercase()),
        Spelling::FullWidth => text.chars().map(full_width).collect(),
        Spelling::ZeroWidthSpace => {
            let mut chars = text.chars();
            let first: String = chars.next().map(String::from).unwrap_or_default();
            format!("{first}\u{200B}{}", chars.as_str())
        }
        Spelling::DoubledSpaces => format!(" {}", text.replace(' ', "  ")),
        Spelling::NoBreakSpaces => text.replace(' ', "\u{00A0}"),
        Spelling::ByteOrderMark => format!("\u{FEFF}{text}"),
        Spelling::TwoWords => match text.to_lowercase().as_str() {
            "redhat" => (*rng.pick(&["Red Hat", "RED  HAT", "red hat"])).to_string(),
            _ => title_case(text),
        },
        Spelling::Blank => (*rng.pick(&[" ", "\u{200B}", " \u{FEFF}\u{00A0} "])).to_string(),
    }
}

/// The full-width form of a printable ASCII character (U+FF01..U+FF5E), the ideographic
/// space for a space; anything else as it is.
fn full_width(c: char) -> char {
    match c {
        ' ' => '\u{3000}',
        '!'..='~' => char::from_u32(u32::from(c) + 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = c == ' ';
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let mut rng = Rng::new(1);
        assert_eq!(
            spell("suse", Spelling::UpperWithTrailingSpace, &mut rng),
            "SUSE "
        );
        assert_eq!(spell("SUSE", Spelling::FullWidth, &mut rng), "ＳＵＳＥ");
        assert_eq!(
            spell("suse", Spelling::ZeroWidthSpace, &mut rng),
            "s\u{200B}use"
        );
        assert_eq!(spell("a b", Spelling::DoubledSpaces, &mut rng), " a  b");
        assert_eq!(
            spell("a b", Spelling::NoBreakSpaces, &mut rng),
            "a\u{00A0}b"
        );
        assert!(["Red Hat", "RED  HAT", "red hat"]
            .contains(&spell("RedHat", Spelling::TwoWords, &mut rng).as_str()));
        assert_eq!(
            spell("windows server", Spelling::TwoWords, &mut rng),
            "Windows Server"
        );
        assert!(spell("suse", Spelling::Blank, &mut rng)
            .trim_matches(['\u{200B}', '\u{FEFF}', '\u{00A0}', ' '])
            .is_empty());
    }
}
