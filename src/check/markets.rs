//! Market lists: their codes, the languages of their display names (`names in en, ko`)
//! and the names themselves. A code must be an assigned ISO 3166-1 alpha-2 code (or
//! `XK`), upper case, once per list; a display name must name its code in one of the
//! list's languages ([`market_names`]), unless the policy marks it as its own spelling;
//! and a name, compared by its text key, stands for one code across all lists, since a
//! request may give a market by any of them.

use std::collections::{HashMap, HashSet};

use super::code::DiagnosticCode as Code;
use super::market_names::{self, Fit, Language, LanguageError};
use super::{Checker, Diagnostic};
use crate::limits::{MARKET_NAME_SEARCHES, POLICY_MARKET_NAMES};
use crate::market::{MarketCode, MarketSet};
use crate::policy::MarketList;
use crate::source::Span;
use crate::syntax::ast;

/// The display names of all lists so far, both ways, and the checker's work on them.
#[derive(Default)]
pub(super) struct MarketNames {
    /// How many display names the policy has written so far.
    pub(super) written: usize,
    /// How many names needed a search ([`MARKET_NAME_SEARCHES`]).
    pub(super) searches: usize,
    /// Text key of a name → its code.
    pub(super) by_name: HashMap<String, MarketCode>,
    /// Text key of a name → where it was first written.
    pub(super) first_at: HashMap<String, Span>,
    /// A code → its first display name.
    pub(super) display: HashMap<MarketCode, String>,
}

impl Checker<'_> {
    pub(super) fn declare_markets(&mut self, decl: &ast::MarketsDecl, names: &mut MarketNames) {
        let languages = self.name_languages(&decl.languages);
        let mut codes = MarketSet::default();
        let mut first_seen: HashMap<MarketCode, Span> = HashMap::new();
        for entry in &decl.entries {
            let Some(code) = self.market_code(entry, languages.as_deref()) else {
                continue;
            };
            if !codes.insert(code) {
                let mut d = Diagnostic::error(
                    Code::DuplicateMarket,
                    entry.code.span,
                    format!("`{code}` is listed twice in `{}`", decl.name.text),
                )
                .with_help(format!(
                    "remove one; give all of {code}'s display names on one line: `{code} \"name\" \"other name\"`"
                ));
                if let Some(first) = first_seen.get(&code) {
                    d = d.with_related(*first, "first listed here");
                }
                self.report(d);
            }
            first_seen.entry(code).or_insert(entry.code.span);
            for name in &entry.names {
                if names.written >= POLICY_MARKET_NAMES {
                    self.report(Diagnostic::error(
                        Code::TooManyMarketNames,
                        name.text.span,
                        format!("a policy may write at most {POLICY_MARKET_NAMES} market display names, all lists together"),
                    ).with_help("this limit is the engine's (see Limits in the README): write fewer names"));
                    self.over_limit = true;
                    continue;
                }
                names.written += 1;
                let wrong_code = match (name.own_spelling, &languages) {
                    (false, Some(languages)) => {
                        self.check_market_name(code, &name.text, languages, &mut names.searches)
                    }
                    _ => false,
                };
                // A name of another code is one mistake, reported once.
                if !wrong_code {
                    self.unique_market_name(code, &name.text, names);
                }
            }
        }
        self.list_index.insert(
            decl.name.text.clone(),
            u16::try_from(self.lists.len()).unwrap_or(u16::MAX),
        );
        self.lists.push(MarketList {
            name: decl.name.text.clone(),
            title: decl.title.value.clone(),
            codes,
        });
    }

    /// The languages a list's names are checked in: the ones it declares, else every
    /// language CLDR has. `None` when a declared one is unknown: its names are then not
    /// checked (the one error is the language's).
    fn name_languages(&mut self, tags: &[ast::Name]) -> Option<Vec<&'static Language>> {
        if tags.is_empty() {
            return Some(Language::all().iter().collect());
        }
        let mut out: Vec<&'static Language> = Vec::new();
        let mut seen = HashSet::new();
        let mut known = true;
        for tag in tags {
            if !seen.insert(tag.text.as_str()) {
                self.report(Diagnostic::error(
                    Code::DuplicateValue,
                    tag.span,
                    format!("`{}` is listed twice", tag.text),
                ));
                continue;
            }
            match Language::parse(&tag.text) {
                Ok(language) => {
                    if !out.iter().any(|l| std::ptr::eq(*l, language)) {
                        out.push(language);
                    }
                }
                Err(error) => {
                    known = false;
                    let message = match error {
                        LanguageError::Malformed => {
                            format!("`{}` is not a language tag", tag.text)
                        }
                        LanguageError::NoNames => {
                            format!("CLDR has no country names in `{}`", tag.text)
                        }
                    };
                    self.report(
                        Diagnostic::error(Code::UnknownLanguage, tag.span, message)
                            .with_help("write BCP 47 language tags of languages CLDR covers, such as `en`, `ko`, `ja` or `zh-Hant`; without `names in`, names are looked up in every language"),
                    );
                }
            }
        }
        known.then_some(out)
    }

    /// The code of a list entry, or `None` (reported) when it is not an assigned code.
    fn market_code(
        &mut self,
        entry: &ast::MarketEntry,
        languages: Option<&[&'static Language]>,
    ) -> Option<MarketCode> {
        let text = &entry.code.text;
        let Some(code) = MarketCode::parse(text) else {
            let all: Vec<&'static Language> = Language::all().iter().collect();
            let meant: Vec<String> = entry
                .names
                .iter()
                .flat_map(|n| market_names::named(&n.text.value, languages.unwrap_or(&all)))
                .map(|c| format!("`{c}`"))
                .collect();
            let help = match meant.as_slice() {
                [] => "market codes are two letters from ISO 3166-1 alpha-2, such as `AX` or `CN` (`XK` for Kosovo)".to_string(),
                _ => format!(
                    "market codes are two letters from ISO 3166-1 alpha-2; \"{}\" is {}",
                    entry.names.first().map(|n| n.text.value.as_str()).unwrap_or(""),
                    meant.join(" or ")
                ),
            };
            self.report(
                Diagnostic::error(
                    Code::UnknownMarket,
                    entry.code.span,
                    format!("`{text}` is not an ISO 3166-1 alpha-2 code"),
                )
                .with_help(help),
            );
            return None;
        };
        if code.as_str() != *text {
            self.report(
                Diagnostic::error(
                    Code::MarketCase,
                    entry.code.span,
                    format!("write the market code in upper case: `{code}`"),
                )
                .with_label("lower case"),
            );
        }
        Some(code)
    }

    /// Reports a display name that stands for another code already (compared by text
    /// key, as requests are), or that is another code's letters; else records it.
    fn unique_market_name(&mut self, code: MarketCode, name: &ast::Text, names: &mut MarketNames) {
        let key = crate::text::key(&name.value).into_owned();
        if key.is_empty() {
            self.report(
                Diagnostic::error(
                    Code::MarketName,
                    name.span,
                    "a display name cannot be empty",
                )
                .with_label("empty")
                .with_help("a request could never give it: remove it"),
            );
            return;
        }
        if let Some(other) = MarketCode::parse(&key).filter(|c| *c != code) {
            self.report(
                Diagnostic::error(
                    Code::MarketNameClash,
                    name.span,
                    format!("the display name \"{}\" is the code of {other}", name.value),
                )
                .with_label(format!("a request writing this means {other}"))
                .with_help(format!(
                    "give {code} a name that is not another market's code"
                )),
            );
            return;
        }
        match names.by_name.get(&key).copied() {
            Some(other) if other != code => {
                let first = names.first_at.get(&key).copied();
                let at = first
                    .map(|f| format!(" (at {})", self.sources.location(f)))
                    .unwrap_or_default();
                let mut d = Diagnostic::error(
                    Code::MarketNameClash,
                    name.span,
                    format!(
                        "the display name \"{}\" already stands for {other}{at}",
                        name.value
                    ),
                )
                .with_label(format!("a request writing this would mean {other}"))
                .with_help(format!(
                    "a display name (compared ignoring case and Unicode form) names one market: remove it from {code} or from {other}"
                ));
                if let Some(first) = first {
                    d = d.with_related(first, format!("{other}'s name here"));
                }
                self.report(d);
            }
            Some(_) => {}
            None => {
                names.by_name.insert(key.clone(), code);
                names.first_at.insert(key, name.span);
            }
        }
        names
            .display
            .entry(code)
            .or_insert_with(|| name.value.clone());
    }

    /// Reports a display name that does not name its market code in any of `languages`
    /// (`AU "Austria"`, `JP "중국"`, `AT "Austira"`); true when it names another code.
    fn check_market_name(
        &mut self,
        code: MarketCode,
        name: &ast::Text,
        languages: &[&'static Language],
        searches: &mut usize,
    ) -> bool {
        if market_names::fits_at_once(code, &name.value, languages) {
            return false;
        }
        if *searches >= MARKET_NAME_SEARCHES {
            self.report(
                Diagnostic::error(
                    Code::MarketName,
                    name.span,
                    format!(
                        "\"{}\" is not one of {code}'s names as CLDR or ISO write them, and is not checked further",
                        name.value
                    ),
                )
                .with_label("not checked")
                .with_help(format!(
                    "the checker searches at most {MARKET_NAME_SEARCHES} names per policy that are not written as a source writes them (see Limits in the README): write {code}'s names as CLDR or ISO 3166-1 write them, or mark the policy's own spellings `(own spelling)`"
                )),
            );
            return false;
        }
        *searches += 1;
        let shown = |c: MarketCode, language: Option<&Language>| -> String {
            match language {
                Some(l) => market_names::name_in(c, l),
                None => market_names::english_name(c).unwrap_or_else(|| c.as_str()),
            }
        };
        let fit = market_names::fit(code, &name.value, languages);
        let wrong_code = matches!(fit, Fit::Other { .. });
        let diagnostic = match fit {
            Fit::Fits => return false,
            Fit::Other {
                codes,
                language: tag,
            } => {
                let language = Language::parse(&tag).ok();
                let others: Vec<String> = codes.iter().map(|c| c.as_str()).collect();
                let first = codes.first().copied().unwrap_or(code);
                Diagnostic::error(
                    Code::MarketNameWrongCode,
                    name.span,
                    format!(
                        "\"{}\" is a name of {}, not of {code}",
                        name.value,
                        others.join(" or ")
                    ),
                )
                .with_label(format!("{}'s name in {tag}", others.join(" or ")))
                .with_help(format!(
                    "{code} is \"{own}\" in {tag}. If {first} was meant, write `{first} \"{}\"`; if {code} was meant, write `{code} \"{own}\"`",
                    name.value,
                    own = shown(code, language),
                ))
            }
            Fit::Unknown(guess) => {
                let every = languages.len() == Language::all().len();
                let scope = if every {
                    "in any language CLDR has".to_string()
                } else {
                    let tags: Vec<&str> = languages.iter().map(|l| l.tag.as_str()).collect();
                    format!("in {}", tags.join(", "))
                };
                let known: Vec<String> = if every {
                    vec![format!("\"{}\" (en)", shown(code, None))]
                } else {
                    languages
                        .iter()
                        .take(3)
                        .map(|l| format!("\"{}\" ({})", shown(code, Some(l)), l.tag))
                        .collect()
                };
                let own = format!(
                    "if \"{}\" is the policy's own spelling, mark it so: `\"{}\" (own spelling)`",
                    name.value, name.value
                );
                let help = match guess {
                    Some(g) if g.code == code => {
                        format!("did you mean \"{}\"? {}", g.name, capitalised(&own))
                    }
                    Some(g) => format!(
                        "did you mean \"{}\" ({})? {code} is {}; {own}",
                        g.name,
                        g.code,
                        known.join(", ")
                    ),
                    None => format!("{code} is {}; {own}", known.join(", ")),
                };
                Diagnostic::error(
                    Code::MarketName,
                    name.span,
                    format!("\"{}\" is not a known name of {code} {scope}", name.value),
                )
                .with_label(format!("not a name of {code}"))
                .with_help(help)
            }
        };
        self.report(diagnostic);
        wrong_code
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
