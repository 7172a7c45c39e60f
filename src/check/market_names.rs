//! Do a market's display names name its code? `AU "Austria"` is a slip that would
//! quietly put Australia in a list meant for Austria, so the checker compares every
//! display name with the ISO 3166-1 short name of its code (from `rust_iso3166`, through
//! [`MarketCode::iso_name`]) and with a small table of other names in common use.
//!
//! Names are compared after normalisation ([`components`]): case and accents do not
//! count (`Aland Islands` = `Åland Islands`); dots and apostrophes are dropped (`U.S.`
//! = `US`); other punctuation separates words; `&` and commas read as `and`; `the` and
//! `of` are ignored; `St` reads `Saint`; `Islands` reads `Island`. A name is then a set
//! of components separated by `and` (`Svalbard and Jan Mayen` = `Jan Mayen and
//! Svalbard`).
//!
//! For each code the accepted forms are, best first:
//! 0. its ISO name with any parenthesis read inline (`Congo (Democratic Republic of the)`
//!    = `Congo Democratic Republic`), and the [`ALIASES`] below;
//! 1. the ISO name without its parenthesis (`Micronesia`, `Saint Martin`) or with the
//!    parenthesis first (`Democratic Republic of the Congo`, `British Virgin Islands`);
//! 2. some of the components of one of those (`Saba` for `Bonaire, Sint Eustatius and
//!    Saba`, `Svalbard` for `Svalbard and Jan Mayen`);
//! 3. when nothing above fits any code, a name that contains every word of the ISO name
//!    without its parenthesis (`Republic of Azerbaijan`).
//!
//! A display name fits a code when the code is among the codes the name fits best: so
//! `CD "Congo"` is refused (`Congo` is exactly the ISO name of CG, and only the
//! shortened name of CD), while `VG "Virgin Islands"` is accepted (it shortens the names
//! of VG and VI alike).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use crate::market::MarketCode;

/// Names ISO 3166-1 does not use but policies do, each for one code. The first group is
/// what the Partner Center market table (the default policy's source) writes; the
/// second, names in common English use. Add a name here when a real source uses it.
pub const ALIASES: &[(&str, &str)] = &[
    // The Partner Center market table.
    ("CD", "Congo (DRC)"),
    ("CG", "Congo (Republic)"),
    ("LA", "Laos"),
    ("PN", "Pitcairn Islands"),
    ("SZ", "Swaziland"),
    ("UM", "U.S. Outlying Islands"),
    ("VA", "Vatican City"),
    ("XK", "Kosovo"),
    ("HK", "Hong Kong SAR"),
    ("MO", "Macao SAR"),
    ("MK", "Macedonia, FYRO"),
    ("KR", "Korea"),
    ("PS", "Palestinian Authority"),
    // Common English names.
    ("BL", "St Barts"),
    ("BN", "Brunei"),
    ("CD", "DR Congo"),
    ("CD", "DRC"),
    ("CD", "Congo-Kinshasa"),
    ("CG", "Republic of the Congo"),
    ("CG", "Congo-Brazzaville"),
    ("CI", "Ivory Coast"),
    ("CV", "Cape Verde"),
    ("CZ", "Czech Republic"),
    ("GB", "United Kingdom"),
    ("GB", "UK"),
    ("GB", "Great Britain"),
    ("KP", "North Korea"),
    ("KR", "South Korea"),
    ("MK", "Macedonia"),
    ("MK", "Former Yugoslav Republic of Macedonia"),
    ("MM", "Burma"),
    ("MO", "Macau"),
    ("PS", "Palestinian Territories"),
    ("RU", "Russia"),
    ("SY", "Syria"),
    ("TL", "East Timor"),
    ("TR", "Turkey"),
    ("UM", "U.S. Minor Outlying Islands"),
    ("US", "United States"),
    ("US", "USA"),
    ("VA", "Vatican"),
    ("VN", "Vietnam"),
];

/// How a display name relates to its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// The name names the code.
    Fits,
    /// The name names other codes instead.
    Other(Vec<MarketCode>),
    /// The name names no code; maybe it is a slip for a known name (with its code).
    Unknown(Option<(String, MarketCode)>),
}

/// The name to suggest for a code: its ISO short name, or its first alias.
pub fn official_name(code: MarketCode) -> Option<String> {
    code.iso_name().or_else(|| {
        let text = code.as_str();
        ALIASES
            .iter()
            .find(|(c, _)| *c == text)
            .map(|(_, name)| (*name).to_string())
    })
}

/// Whether `display` names `code`, and if not, what it names.
pub fn fit(code: MarketCode, display: &str) -> Fit {
    let wanted = components(display);
    match best(&wanted) {
        Some(codes) if codes.contains(&code) => Fit::Fits,
        Some(codes) => Fit::Other(codes.into_iter().collect()),
        None => Fit::Unknown(closest_name(&wanted, code)),
    }
}

/// The codes a display name names best (none when it names no code).
pub fn named(display: &str) -> Vec<MarketCode> {
    best(&components(display))
        .map(|codes| codes.into_iter().collect())
        .unwrap_or_default()
}

/// The codes whose names fit these components best, by the tiers of the module
/// documentation.
fn best(wanted: &BTreeSet<String>) -> Option<BTreeSet<MarketCode>> {
    if wanted.is_empty() {
        return None;
    }
    let index = index();
    let mut best: Option<(u8, BTreeSet<MarketCode>)> = None;
    for form in &index.forms {
        if form.components == *wanted {
            consider(&mut best, form.tier, form.code);
        } else if wanted.is_subset(&form.components) {
            consider(&mut best, 2, form.code);
        }
    }
    if best.is_none() {
        let words: BTreeSet<&str> = wanted.iter().flat_map(|c| c.split(' ')).collect();
        for (code, base_words) in &index.base_words {
            if !base_words.is_empty() && base_words.iter().all(|w| words.contains(w.as_str())) {
                consider(&mut best, 3, *code);
            }
        }
    }
    best.map(|(_, codes)| codes)
}

/// Keeps the codes of the best (lowest) tier seen.
fn consider(best: &mut Option<(u8, BTreeSet<MarketCode>)>, tier: u8, code: MarketCode) {
    match best {
        Some((t, codes)) if *t == tier => {
            codes.insert(code);
        }
        Some((t, _)) if *t < tier => {}
        _ => *best = Some((tier, BTreeSet::from([code]))),
    }
}

/// The known name closest to an unknown one, when it is close enough to be a slip.
/// The code's own names win ties: `AU "Austrlia"` is a slip for Australia, not Austria.
fn closest_name(wanted: &BTreeSet<String>, code: MarketCode) -> Option<(String, MarketCode)> {
    let joined = wanted.iter().cloned().collect::<Vec<_>>().join(" ");
    let mut best: Option<(f64, &Form)> = None;
    for form in &index().forms {
        let own = if form.code == code { 0.05 } else { 0.0 };
        let score = strsim::jaro_winkler(&joined, &form.joined) + own;
        if score > 0.9 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, form));
        }
    }
    best.map(|(_, form)| (form.written.clone(), form.code))
}

/// One accepted form of a code's name.
#[derive(Debug)]
struct Form {
    code: MarketCode,
    tier: u8,
    components: BTreeSet<String>,
    joined: String,
    written: String,
}

/// Every accepted form of every code, and the words of each ISO name without its
/// parenthesis (for tier 3).
#[derive(Debug)]
struct Index {
    forms: Vec<Form>,
    base_words: Vec<(MarketCode, BTreeSet<String>)>,
}

fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build_index)
}

fn build_index() -> Index {
    let mut forms = Vec::new();
    let mut base_words = Vec::new();
    let mut add = |code: MarketCode, tier: u8, written: &str| {
        let components = components(written);
        if !components.is_empty() {
            let joined = components.iter().cloned().collect::<Vec<_>>().join(" ");
            forms.push(Form {
                code,
                tier,
                components,
                joined,
                written: written.to_string(),
            });
        }
    };
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let letters = [char::from(a), char::from(b)].iter().collect::<String>();
            let Some(code) = MarketCode::parse(&letters) else {
                continue;
            };
            let Some(name) = code.iso_name() else {
                continue;
            };
            add(code, 0, &name.replace(['(', ')'], " "));
            if let (Some(open), Some(close)) = (name.find('('), name.rfind(')')) {
                let base = format!(
                    "{} {}",
                    name.get(..open).unwrap_or(""),
                    name.get(close + 1..).unwrap_or("")
                );
                let inside = name.get(open + 1..close).unwrap_or("");
                add(code, 1, &base);
                add(code, 1, &format!("{inside} {base}"));
                base_words.push((code, words(&base)));
            } else {
                base_words.push((code, words(&name)));
            }
        }
    }
    for (letters, name) in ALIASES {
        if let Some(code) = MarketCode::parse(letters) {
            add(code, 0, name);
        }
    }
    Index { forms, base_words }
}

fn words(name: &str) -> BTreeSet<String> {
    components(name)
        .iter()
        .flat_map(|c| c.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// A name normalised to its set of components (see the module documentation).
pub fn components(name: &str) -> BTreeSet<String> {
    let mut text = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '.' | '\'' | '\u{2019}' | '\u{2018}' => {}
            '&' | ',' => text.push_str(" and "),
            c if c.is_alphanumeric() => fold(c, &mut text),
            _ => text.push(' '),
        }
    }
    let mut out = BTreeSet::new();
    let mut current: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        match word {
            "and" => {
                if !current.is_empty() {
                    out.insert(current.join(" "));
                    current.clear();
                }
            }
            "the" | "of" => {}
            "st" => current.push("saint"),
            "islands" => current.push("island"),
            other => current.push(other),
        }
    }
    if !current.is_empty() {
        out.insert(current.join(" "));
    }
    out
}

/// Lower case without accents, for the letters of country names.
fn fold(c: char, out: &mut String) {
    for c in c.to_lowercase() {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ß' => "ss",
            'ť' | 'ţ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(plain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> MarketCode {
        MarketCode::parse(text).unwrap_or_else(|| panic!("{text} is a code"))
    }

    #[test]
    fn normalisation_ignores_case_accents_punctuation_and_small_words() {
        assert_eq!(components("Åland Islands"), components("aland island"));
        assert_eq!(
            components("St Helena, Ascension, Tristan da Cunha"),
            components("Saint Helena, Ascension and Tristan da Cunha")
        );
        assert_eq!(
            components("Jan Mayen and Svalbard"),
            components("Svalbard and Jan Mayen")
        );
        assert_eq!(components("U.S."), components("US"));
    }

    #[test]
    fn names_from_iso_and_from_the_alias_table_fit() {
        for (c, name) in [
            ("AX", "Aland Islands"),
            ("BQ", "Saba"),
            ("BQ", "Sint Eustatius"),
            ("SJ", "Jan Mayen"),
            ("CD", "Congo (DRC)"),
            ("CD", "Democratic Republic of the Congo"),
            ("CG", "Congo"),
            ("FM", "Micronesia"),
            ("GS", "South Georgia and South Sandwich Islands"),
            ("ST", "São Tomé and Príncipe"),
            ("VG", "British Virgin Islands"),
            ("VI", "U.S. Virgin Islands"),
            ("MF", "Saint Martin"),
            ("SX", "Sint Maarten"),
            ("XK", "Kosovo"),
            ("KR", "Republic of Korea"),
            ("AZ", "Republic of Azerbaijan"),
            ("GM", "The Gambia"),
            ("BA", "Bosnia & Herzegovina"),
        ] {
            assert_eq!(fit(code(c), name), Fit::Fits, "{c} {name}");
        }
    }

    #[test]
    fn names_of_other_codes_do_not_fit() {
        assert_eq!(fit(code("AU"), "Austria"), Fit::Other(vec![code("AT")]));
        assert_eq!(fit(code("CD"), "Congo"), Fit::Other(vec![code("CG")]));
        assert_eq!(fit(code("KP"), "Korea"), Fit::Other(vec![code("KR")]));
        assert_eq!(
            fit(code("GN"), "Guinea-Bissau"),
            Fit::Other(vec![code("GW")])
        );
        assert_eq!(fit(code("NE"), "Nigeria"), Fit::Other(vec![code("NG")]));
        assert_eq!(
            fit(code("AU"), "Austrlia"),
            Fit::Unknown(Some(("Australia".to_string(), code("AU"))))
        );
        assert_eq!(
            fit(code("AT"), "Australa"),
            Fit::Unknown(Some(("Australia".to_string(), code("AU"))))
        );
        assert_eq!(fit(code("AU"), "Atlantis"), Fit::Unknown(None));
    }

    #[test]
    fn every_code_has_a_name() {
        assert_eq!(official_name(code("XK")).as_deref(), Some("Kosovo"));
        assert_eq!(official_name(code("AU")).as_deref(), Some("Australia"));
    }
}
