//! The sources of market display names: CLDR's territory names in every language it
//! covers (Unicode's Common Locale Data Repository, as ICU4X bakes it in
//! `icu_experimental_data`), and for English also the ISO 3166-1 short names
//! (`rust_iso3166`, through [`MarketCode::iso_name`]).
//!
//! Only CLDR's region-name data is compiled into the binary: [`NameData`] is a baked
//! data provider of our own, built by `icu_experimental_data`'s macros for that one data
//! marker, so none of the crate's other data (units, currencies...) comes along. A
//! language is looked up with CLDR's locale fallback (`ko-KR` reads `ko`).

use icu_experimental::displaynames::provider::LocaleNamesRegionV0;
use icu_locale_core::subtags::Region;
use icu_locale_core::LanguageIdentifier;
use icu_provider::prelude::*;
use std::sync::OnceLock;

use crate::market::MarketCode;

/// The paths `icu_experimental_data`'s macros name (`icu::experimental::...`).
mod icu {
    pub use icu_experimental as experimental;
}

/// A baked data provider holding CLDR's territory names and nothing else.
#[derive(Debug)]
struct NameData;

#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    unused_qualifications,
    missing_docs
)]
mod baked {
    use super::icu;
    use super::NameData;
    use icu_experimental_data::*;
    make_provider!(NameData);
    impl_locale_names_region_v0!(NameData, ITER);
}

/// One language's names, as CLDR has them (and ISO's, for English).
pub struct Language {
    /// CLDR's id of the language (`ko`, `zh-Hant`, `en-001`).
    pub tag: String,
    /// Whether ISO 3166-1's English short names count as this language's.
    pub english: bool,
    locale: DataLocale,
    data: DataPayload<LocaleNamesRegionV0>,
    /// Every name of this language, prepared for matching; built on first use.
    pub(super) index: OnceLock<super::Index>,
}

impl std::fmt::Debug for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Language").field("tag", &self.tag).finish()
    }
}

/// Why a language tag has no names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LanguageError {
    /// Not a BCP 47 language tag.
    Malformed,
    /// A tag CLDR has no territory names for.
    NoNames,
}

impl Language {
    /// The language of a BCP 47 tag (`en`, `ko`, `zh-Hant`, `pt-BR`), with CLDR's
    /// fallback; an error when CLDR has no territory names for it.
    pub fn parse(tag: &str) -> Result<&'static Language, LanguageError> {
        let id = LanguageIdentifier::try_from_str(tag).map_err(|_| LanguageError::Malformed)?;
        if id.language.is_unknown() {
            return Err(LanguageError::Malformed);
        }
        let locale = DataLocale::from(&id);
        let response: DataResponse<LocaleNamesRegionV0> = NameData
            .load(DataRequest {
                id: DataIdentifierBorrowed::for_locale(&locale),
                ..Default::default()
            })
            .map_err(|_| LanguageError::NoNames)?;
        // Fallback may end at the root locale, which names nothing.
        if response
            .metadata
            .locale
            .as_ref()
            .is_some_and(|l| l.language.is_unknown() || l.language != id.language)
        {
            return Err(LanguageError::NoNames);
        }
        let resolved = response.metadata.locale.unwrap_or(locale);
        Language::all()
            .iter()
            .find(|l| l.locale == resolved)
            .ok_or(LanguageError::NoNames)
    }

    /// Every language CLDR has territory names for, in CLDR's order, English first.
    pub fn all() -> &'static [Language] {
        static ALL: OnceLock<Vec<Language>> = OnceLock::new();
        ALL.get_or_init(|| {
            let ids = NameData.iter_ids().unwrap_or_default();
            let mut all: Vec<Language> = Vec::with_capacity(ids.len());
            for id in ids {
                let locale = id.locale;
                let Ok(response) = DataProvider::<LocaleNamesRegionV0>::load(
                    &NameData,
                    DataRequest {
                        id: DataIdentifierBorrowed::for_locale(&locale),
                        ..Default::default()
                    },
                ) else {
                    continue;
                };
                if locale.language.is_unknown() {
                    continue;
                }
                all.push(Language {
                    tag: locale.to_string(),
                    english: locale.language.as_str() == "en",
                    locale,
                    data: response.payload,
                    index: OnceLock::new(),
                });
            }
            // English first: most policies are written in it, and a name found there
            // needs no other language.
            all.sort_by_key(|l| !(l.english && l.tag == "en"));
            all
        })
    }

    /// The names this language gives a code: CLDR's name, its short name, and for
    /// English the ISO short name (each once).
    pub fn names(&self, code: MarketCode) -> Vec<String> {
        let mut out = Vec::with_capacity(3);
        if let Ok(region) = Region::try_from_str(&code.as_str()) {
            let key = region.to_tinystr().to_unvalidated();
            let data = self.data.get();
            for name in [data.names.get(&key), data.short_names.get(&key)]
                .into_iter()
                .flatten()
            {
                if !out.iter().any(|n: &String| n == name) {
                    out.push(name.to_string());
                }
            }
        }
        if self.english {
            if let Some(iso) = code.iso_name() {
                if !out.contains(&iso) {
                    out.push(iso);
                }
            }
        }
        out
    }

    /// Every (code, name) this language has, for assigned codes only (CLDR also names
    /// regions such as `001` or `EU`, which are no markets).
    pub fn every_name(&self) -> Vec<(MarketCode, String)> {
        let data = self.data.get();
        let mut out = Vec::with_capacity(data.names.len() + data.short_names.len() + 256);
        for map in [&data.names, &data.short_names] {
            for (key, name) in map.iter() {
                let code = key
                    .try_into_tinystr()
                    .ok()
                    .and_then(|t| MarketCode::parse(t.as_str()));
                if let Some(code) = code {
                    out.push((code, name.to_string()));
                }
            }
        }
        if self.english {
            for code in MarketCode::all() {
                if let Some(iso) = code.iso_name() {
                    out.push((code, iso));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> MarketCode {
        MarketCode::parse(text).unwrap_or_else(|| panic!("{text} is a code"))
    }

    #[test]
    fn cldr_names_markets_in_korean_and_english() {
        let ko = Language::parse("ko").unwrap();
        assert!(ko.names(code("CN")).contains(&"중국".to_string()));
        let en = Language::parse("en").unwrap();
        let names = en.names(code("XK"));
        assert!(names.contains(&"Kosovo".to_string()), "{names:?}");
        // ISO's short name joins CLDR's for English.
        assert!(en
            .names(code("BQ"))
            .iter()
            .any(|n| n.contains("Sint Eustatius")));
    }

    #[test]
    fn tags_fall_back_and_unknown_ones_are_refused() {
        assert!(Language::parse("ko-KR").is_ok());
        assert_eq!(
            Language::parse("ko_KR!").err(),
            Some(LanguageError::Malformed)
        );
        assert_eq!(Language::parse("tlh").err(), Some(LanguageError::NoNames));
        assert!(Language::all().len() > 100);
        assert_eq!(Language::all().first().map(|l| l.tag.as_str()), Some("en"));
    }

    #[test]
    fn every_code_has_an_english_name() {
        let en = Language::parse("en").unwrap();
        for code in MarketCode::all() {
            assert!(!en.names(code).is_empty(), "{code}");
        }
    }
}
