//! Do a market's display names name its code? `AU "Austria"` is a slip that would
//! quietly put Australia in a list meant for Austria, and `JP "중국"` one that puts Japan
//! in a list meant for China. The checker compares every display name with the names
//! maintained sources give the code ([`cldr`]): CLDR's territory names in the languages
//! the list declares (`names in en, ko`; every language CLDR has when it declares
//! none), and for English also the ISO 3166-1 short name. There is no table of country
//! names here: a name no source has is the policy's own spelling, and the policy marks
//! it so (`"영국령 버전 아일랜드" (own spelling)`); such a name is not checked.
//!
//! Names are compared after normalisation ([`components`]): first the text key every
//! text test uses ([`crate::text::key`]: NFKC, case folding, format characters removed),
//! then Latin accents are dropped (`Aland Islands` = `Åland Islands`); dots and
//! apostrophes are dropped (`U.S.` = `US`); other punctuation separates words; `&` and
//! commas read as `and`; `the` and `of` are ignored; `St` reads `Saint`; `Islands` reads
//! `Island`. A name is then a set of components separated by `and` (`Svalbard and Jan
//! Mayen` = `Jan Mayen and Svalbard`), and a component is its words written together,
//! so that spacing does not count (`크리스마스 섬` = `크리스마스섬`).
//!
//! For each code the accepted forms are, best first:
//! 0. a source's name with any parenthesis read inline (`Congo (Democratic Republic of
//!    the)` = `Congo Democratic Republic`);
//! 1. that name without its parenthesis (`Micronesia`) or with the parenthesis first
//!    (`Democratic Republic of the Congo`);
//! 2. some of the components of one of those (`Saba` for `Bonaire, Sint Eustatius and
//!    Saba`, `Svalbard` for `Svalbard & Jan Mayen`);
//! 3. when nothing above fits any code, a name that contains every word of the English
//!    ISO name without its parenthesis (`Republic of Azerbaijan`), of this code's name
//!    only (`Congo (DRC)` has the words of CG's name and of CD's: it names neither).
//!
//! A display name fits a code when the code is among the codes the name fits best in
//! one of the languages: so `CD "Congo"` is refused (`Congo` is exactly the ISO name of
//! CG, and only part of the name of CD), while `VG "Virgin Islands"` is accepted (it
//! shortens the names of VG and VI alike).
//!
//! Cost: a name equal to one of its code's names as written costs a lookup; others are
//! normalised with the code's few names. Only a name that fits at tier 1 or 2, or does
//! not fit, reads a language's whole index, which is built once per process.

pub mod cldr;

use std::collections::BTreeSet;

pub use cldr::{Language, LanguageError};

use crate::market::MarketCode;

/// How a display name relates to its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// The name names the code.
    Fits,
    /// The name names other codes instead, in this language.
    Other {
        /// The codes it names best.
        codes: Vec<MarketCode>,
        /// The language (CLDR's id) whose names it matched.
        language: String,
    },
    /// The name names no code; maybe it is a slip for a known name.
    Unknown(Option<Guess>),
}

/// A known name close to an unknown one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    /// The known name, as its source writes it.
    pub name: String,
    /// Its code.
    pub code: MarketCode,
}

/// The name to show for a code in a language: its first name there, else its English
/// name (CLDR, then ISO), else the code.
pub fn name_in(code: MarketCode, language: &Language) -> String {
    language
        .names(code)
        .into_iter()
        .next()
        .or_else(|| english_name(code))
        .unwrap_or_else(|| code.as_str())
}

/// The English name of a code: the ISO short name, else CLDR's (`XK`: Kosovo).
pub fn english_name(code: MarketCode) -> Option<String> {
    code.iso_name().or_else(|| {
        Language::parse("en")
            .ok()
            .and_then(|en| en.names(code).into_iter().next())
    })
}

/// Whether `display` is one of `code`'s own names in one of `languages`, as written or
/// at tier 0: decided from the code's own few names, without a search. `false` says
/// only that [`fit`] must search.
pub fn fits_at_once(code: MarketCode, display: &str, languages: &[&'static Language]) -> bool {
    if languages
        .iter()
        .any(|l| l.names(code).iter().any(|n| n == display))
    {
        return true;
    }
    let wanted = Name::new(display);
    !wanted.components.is_empty()
        && languages.iter().any(|l| {
            l.names(code)
                .iter()
                .flat_map(|n| forms(n))
                .any(|(tier, components)| wanted.tier_against(tier, &components) == Some(0))
        })
}

/// Whether `display` names `code` in one of `languages`, and if not, what it names: a
/// search of the languages' whole indexes when it is not one of the code's own names
/// ([`fits_at_once`]).
pub fn fit(code: MarketCode, display: &str, languages: &[&'static Language]) -> Fit {
    let wanted = Name::new(display);
    if wanted.components.is_empty() {
        return Fit::Unknown(None);
    }
    // Its own code first: a name as written, then at tier 0, needs nothing else.
    let mut other: Option<Fit> = None;
    let mut near = Vec::new();
    for language in languages {
        let names = language.names(code);
        if names.iter().any(|n| n == display) {
            return Fit::Fits;
        }
        let own = names
            .iter()
            .flat_map(|n| forms(n))
            .filter_map(|(tier, components)| wanted.tier_against(tier, &components))
            .min();
        match own {
            Some(0) => return Fit::Fits,
            Some(_) => near.push(*language),
            None => {}
        }
    }
    // Fits at tier 1 or 2 somewhere: unless another code fits better there.
    for language in &near {
        let (_, codes) = best(&wanted, language);
        if codes.contains(&code) {
            return Fit::Fits;
        }
        other.get_or_insert(Fit::Other {
            codes: codes.into_iter().collect(),
            language: language.tag.clone(),
        });
    }
    if let Some(other) = other {
        return other;
    }
    // Fits nowhere: what does it name instead?
    let mut found: Option<(u8, BTreeSet<MarketCode>, &Language)> = None;
    for language in languages {
        let (tier, codes) = best(&wanted, language);
        if !codes.is_empty() && found.as_ref().is_none_or(|(t, _, _)| tier < *t) {
            found = Some((tier, codes, language));
        }
    }
    if let Some((_, codes, language)) = found {
        return Fit::Other {
            codes: codes.into_iter().collect(),
            language: language.tag.clone(),
        };
    }
    // Tier 3: every word of an English ISO name.
    let words = wanted.words();
    let mut wordy = BTreeSet::new();
    for language in languages.iter().filter(|l| l.english) {
        for (c, base) in &index(language).base_words {
            if !base.is_empty() && base.iter().all(|w| words.contains(w.as_str())) {
                wordy.insert(*c);
            }
        }
    }
    // Only a name that contains the words of one code's name names it this way: `Congo
    // (DRC)` has the words of CG's and of CD's, and names neither.
    if wordy.len() == 1 && wordy.contains(&code) {
        return Fit::Fits;
    }
    if let Some(english) = languages.iter().find(|l| l.english) {
        if wordy.len() == 1 {
            return Fit::Other {
                codes: wordy.into_iter().collect(),
                language: english.tag.clone(),
            };
        }
    }
    Fit::Unknown(closest(&wanted, code, languages))
}

/// The codes a display name names best in any of `languages` (none when it names no
/// code).
pub fn named(display: &str, languages: &[&'static Language]) -> Vec<MarketCode> {
    let wanted = Name::new(display);
    let mut found: Option<(u8, BTreeSet<MarketCode>)> = None;
    for language in languages {
        let (tier, codes) = best(&wanted, language);
        if !codes.is_empty() && found.as_ref().is_none_or(|(t, _)| tier < *t) {
            found = Some((tier, codes));
        }
    }
    found
        .map(|(_, c)| c.into_iter().collect())
        .unwrap_or_default()
}

/// The codes whose forms in `language` fit `wanted` best, with that tier.
fn best(wanted: &Name, language: &Language) -> (u8, BTreeSet<MarketCode>) {
    let mut tier = u8::MAX;
    let mut codes = BTreeSet::new();
    for form in &index(language).forms {
        if let Some(t) = wanted.tier_against(form.tier, &form.components) {
            if t < tier {
                tier = t;
                codes.clear();
            }
            if t == tier {
                codes.insert(form.code);
            }
        }
    }
    (tier, codes)
}

/// The known name closest to an unknown one, when it is close enough to be a slip.
/// The code's own names win ties: `AU "Austrlia"` is a slip for Australia, not Austria.
fn closest(wanted: &Name, code: MarketCode, languages: &[&'static Language]) -> Option<Guess> {
    let joined = wanted.components.join(" ");
    let first = joined.chars().next();
    let mut found: Option<(f64, &Form)> = None;
    for language in languages {
        // A slip keeps its first letter (Jaro-Winkler weighs the start most): comparing
        // only such names keeps a search of every language fast.
        for form in index(language)
            .forms
            .iter()
            .filter(|f| f.joined.chars().next() == first)
        {
            let own = if form.code == code { 0.05 } else { 0.0 };
            let score = strsim::jaro_winkler(&joined, &form.joined) + own;
            if score > 0.9 && found.is_none_or(|(s, _)| score > s) {
                found = Some((score, form));
            }
        }
    }
    found.map(|(_, form)| Guess {
        name: form.written.clone(),
        code: form.code,
    })
}

/// A display name, normalised.
#[derive(Debug)]
struct Name {
    /// Its components, sorted, each its words written together.
    components: Vec<String>,
    /// Its words (for tier 3).
    spaced: Vec<String>,
}

impl Name {
    fn new(text: &str) -> Name {
        let spaced = spaced_components(text);
        let components = tighten(&spaced);
        Name { components, spaced }
    }

    fn words(&self) -> BTreeSet<&str> {
        self.spaced.iter().flat_map(|c| c.split(' ')).collect()
    }

    /// The tier at which this name fits a form of tier `tier` with `components`.
    fn tier_against(&self, tier: u8, components: &[String]) -> Option<u8> {
        if self.components.as_slice() == components {
            Some(tier)
        } else if self.components.iter().all(|c| components.contains(c)) {
            Some(2)
        } else {
            None
        }
    }
}

/// One accepted form of a code's name.
#[derive(Debug)]
struct Form {
    code: MarketCode,
    tier: u8,
    components: Vec<String>,
    joined: String,
    written: String,
}

/// Every accepted form of every code in one language, and the words of each English
/// ISO name without its parenthesis (for tier 3).
#[derive(Debug, Default)]
pub struct Index {
    forms: Vec<Form>,
    base_words: Vec<(MarketCode, BTreeSet<String>)>,
}

fn index(language: &Language) -> &Index {
    language.index.get_or_init(|| build_index(language))
}

fn build_index(language: &Language) -> Index {
    let mut out = Index::default();
    let mut seen: BTreeSet<(MarketCode, &str)> = BTreeSet::new();
    let names = language.every_name();
    for (code, written) in &names {
        if !seen.insert((*code, written.as_str())) {
            continue;
        }
        for (tier, components) in forms(written) {
            out.forms.push(Form {
                code: *code,
                tier,
                joined: components.join(" "),
                components,
                written: written.clone(),
            });
        }
    }
    if language.english {
        for code in MarketCode::all() {
            if let Some(iso) = code.iso_name() {
                let base = match (iso.find('('), iso.rfind(')')) {
                    (Some(open), Some(close)) if open < close => format!(
                        "{} {}",
                        iso.get(..open).unwrap_or(""),
                        iso.get(close + 1..).unwrap_or("")
                    ),
                    _ => iso,
                };
                let words = spaced_components(&base)
                    .iter()
                    .flat_map(|c| c.split(' ').map(str::to_string).collect::<Vec<_>>())
                    .collect();
                out.base_words.push((code, words));
            }
        }
    }
    out
}

/// The forms of one name: (tier, components), by the tiers of the module documentation.
fn forms(name: &str) -> Vec<(u8, Vec<String>)> {
    let mut out = Vec::with_capacity(3);
    let mut add = |tier: u8, text: &str| {
        let components = tighten(&spaced_components(text));
        if !components.is_empty() && !out.iter().any(|(_, c)| *c == components) {
            out.push((tier, components));
        }
    };
    add(0, &name.replace(['(', ')'], " "));
    if let (Some(open), Some(close)) = (name.find('('), name.rfind(')')) {
        if open < close {
            let base = format!(
                "{} {}",
                name.get(..open).unwrap_or(""),
                name.get(close + 1..).unwrap_or("")
            );
            let inside = name.get(open + 1..close).unwrap_or("");
            add(1, &base);
            add(1, &format!("{inside} {base}"));
        }
    }
    out
}

/// Components with their words written together, sorted and without repeats.
fn tighten(spaced: &[String]) -> Vec<String> {
    let mut out: Vec<String> = spaced.iter().map(|c| c.replace(' ', "")).collect();
    out.sort();
    out.dedup();
    out
}

fn spaced_components(name: &str) -> Vec<String> {
    let key = crate::text::key(name);
    let mut text = String::with_capacity(key.len() + 8);
    for c in key.chars() {
        match c {
            '.' | '\'' | '\u{2019}' | '\u{2018}' => {}
            '&' | ',' => text.push_str(" and "),
            c if c.is_alphanumeric() => fold(c, &mut text),
            // A combining mark left by NFKC belongs to its letter.
            c if is_mark(c) => text.push(c),
            _ => text.push(' '),
        }
    }
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        match word {
            "and" => {
                if !current.is_empty() {
                    out.push(current.join(" "));
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
        out.push(current.join(" "));
    }
    out
}

/// Appends a letter without Latin accents: canonical decomposition with the combining
/// diacritical marks (U+0300–U+036F) left out, and the Latin letters that have no
/// decomposition spelt out (`ø` → `o`, `æ` → `ae`). Hangul and other scripts stay as
/// they are.
fn fold(c: char, out: &mut String) {
    if c.is_ascii() || ('\u{AC00}'..='\u{D7A3}').contains(&c) {
        out.push(c);
        return;
    }
    let plain = match c {
        'æ' => Some("ae"),
        'œ' => Some("oe"),
        'ø' => Some("o"),
        'ł' => Some("l"),
        'đ' => Some("d"),
        'ı' => Some("i"),
        'ð' => Some("d"),
        'þ' => Some("th"),
        _ => None,
    };
    if let Some(plain) = plain {
        out.push_str(plain);
        return;
    }
    unicode_normalization::char::decompose_canonical(c, |d| {
        if !('\u{0300}'..='\u{036F}').contains(&d) {
            out.push(d);
        }
    });
}

/// A combining mark (general category M): part of the letter before it.
fn is_mark(c: char) -> bool {
    use unicode_properties::general_category::{GeneralCategoryGroup, UnicodeGeneralCategory};
    c.general_category_group() == GeneralCategoryGroup::Mark
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> MarketCode {
        MarketCode::parse(text).unwrap_or_else(|| panic!("{text} is a code"))
    }

    fn components(name: &str) -> Vec<String> {
        Name::new(name).components
    }

    fn langs(tags: &[&str]) -> Vec<&'static Language> {
        tags.iter()
            .map(|t| Language::parse(t).unwrap_or_else(|e| panic!("{t}: {e:?}")))
            .collect()
    }

    fn other(codes: &[&str], language: &str) -> Fit {
        Fit::Other {
            codes: codes.iter().map(|c| code(c)).collect(),
            language: language.to_string(),
        }
    }

    #[test]
    fn normalisation_ignores_case_accents_punctuation_spacing_and_small_words() {
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
        assert_eq!(components("크리스마스 섬"), components("크리스마스섬"));
        // NFD Hangul (as some systems write file names) is the same name.
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("중국").collect();
        assert_ne!(nfd, "중국");
        assert_eq!(components(&nfd), components("중국"));
        assert_eq!(components("ＣＨＩＮＡ"), components("china"));
    }

    #[test]
    fn names_from_iso_and_cldr_fit_in_english() {
        let en = langs(&["en"]);
        for (c, name) in [
            ("AX", "Aland Islands"),
            ("BQ", "Saba"),
            ("BQ", "Sint Eustatius"),
            ("SJ", "Jan Mayen"),
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
            ("KR", "South Korea"),
            ("AZ", "Republic of Azerbaijan"),
            ("GM", "The Gambia"),
            ("BA", "Bosnia & Herzegovina"),
            ("LA", "Laos"),
            ("VA", "Vatican City"),
            ("UM", "U.S. Outlying Islands"),
            ("PN", "Pitcairn Islands"),
        ] {
            assert_eq!(fit(code(c), name, &en), Fit::Fits, "{c} {name}");
        }
    }

    #[test]
    fn names_in_korean_fit_their_code_and_name_the_right_one_elsewhere() {
        let ko = langs(&["ko"]);
        assert_eq!(fit(code("CN"), "중국", &ko), Fit::Fits);
        assert_eq!(fit(code("CX"), "크리스마스 섬", &ko), Fit::Fits);
        assert_eq!(fit(code("JP"), "중국", &ko), other(&["CN"], "ko"));
        // Not a Korean name of any code: the seed's own spelling of VG.
        assert!(matches!(
            fit(code("VG"), "영국령 버전 아일랜드", &ko),
            Fit::Unknown(_)
        ));
        // In every language: found in Korean.
        let all: Vec<&'static Language> = Language::all().iter().collect();
        assert_eq!(fit(code("CN"), "중국", &all), Fit::Fits);
        assert_eq!(fit(code("JP"), "중국", &all), other(&["CN"], "ko"));
    }

    #[test]
    fn names_of_other_codes_do_not_fit() {
        let en = langs(&["en"]);
        assert_eq!(fit(code("AU"), "Austria", &en), other(&["AT"], "en"));
        assert_eq!(fit(code("CD"), "Congo", &en), other(&["CG"], "en"));
        assert_eq!(fit(code("GN"), "Guinea-Bissau", &en), other(&["GW"], "en"));
        assert_eq!(fit(code("NE"), "Nigeria", &en), other(&["NG"], "en"));
        assert_eq!(
            fit(code("AU"), "Austrlia", &en),
            Fit::Unknown(Some(Guess {
                name: "Australia".to_string(),
                code: code("AU")
            }))
        );
        assert_eq!(
            fit(code("AT"), "Australa", &en),
            Fit::Unknown(Some(Guess {
                name: "Australia".to_string(),
                code: code("AU")
            }))
        );
        assert_eq!(fit(code("AU"), "Atlantis", &en), Fit::Unknown(None));
        // The words of two codes' names: it names neither.
        assert!(matches!(
            fit(code("CD"), "Congo (DRC)", &en),
            Fit::Unknown(_)
        ));
        assert!(matches!(
            fit(code("CG"), "Congo (DRC)", &en),
            Fit::Unknown(_)
        ));
        assert_eq!(fit(code("AU"), "...", &en), Fit::Unknown(None));
    }

    #[test]
    fn every_code_has_a_name() {
        assert_eq!(english_name(code("XK")).as_deref(), Some("Kosovo"));
        assert_eq!(english_name(code("AU")).as_deref(), Some("Australia"));
        let ko = langs(&["ko"]);
        assert_eq!(name_in(code("CN"), ko[0]), "중국");
    }
}
