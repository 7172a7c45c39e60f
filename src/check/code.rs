//! Diagnostic codes: the stable name of every kind of problem `check` reports. A code is
//! an enum variant in the code and a kebab-case string outside it (`error[unknown-field]`,
//! the `code` of `check --format json`, `error=CODE` in the docs' examples); the strings
//! never change, and `docs/language.md` ("What `check` catches") lists every one that
//! can be shown.
//!
//! Inside `src/check/` the enum is imported as `Code` (`Code::UnknownField`).

use std::fmt;

use super::Diagnostic;
use crate::syntax::SyntaxError;

/// What kind of problem a [`super::Diagnostic`] reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr,
)]
#[strum(serialize_all = "kebab-case")]
pub enum DiagnosticCode {
    /// The text does not follow the grammar, or holds an unusable literal.
    Syntax,
    /// A policy file over [`crate::limits::POLICY_FILE_BYTES`].
    FileTooLarge,
    /// Parentheses or an expression nested past the limits.
    TooDeep,
    /// No `input` block, or one without the action and the time of the request.
    NoInput,
    /// No action declared.
    NoActions,
    /// An action declared twice.
    DuplicateAction,
    /// A role declared twice for one side.
    DuplicateRole,
    /// A field (or a field's special role) declared twice.
    DuplicateField,
    /// A value listed twice in `one of ...`.
    DuplicateValue,
    /// An unconditional requirement its actions already have.
    DuplicateRequirement,
    /// A name declared twice among lets, facts, windows, links and market lists, or one
    /// that hides a field or `allowed`.
    DuplicateName,
    /// Two rules with one id.
    DuplicateRule,
    /// A fact defined twice for one action.
    DuplicateFact,
    /// A second `otherwise deny` message.
    DuplicateOtherwise,
    /// A field path inside another field.
    FieldClash,
    /// More actions than an action mask holds.
    TooManyActions,
    /// More roles than a role mask holds.
    TooManyRoles,
    /// More sides than a side mask holds.
    TooManySides,
    /// More input fields than a policy may declare.
    TooManyFields,
    /// More market display names than the engine allows.
    TooManyMarketNames,
    /// A path that is not a field of the input schema.
    UnknownField,
    /// A name that is not a field, let, fact, window or link.
    UnknownName,
    /// An action that is not declared.
    UnknownAction,
    /// A side that is not declared.
    UnknownSide,
    /// A role that is not declared for its side.
    UnknownRole,
    /// A role test in a rule's condition naming a role of a side the rule's audience
    /// leaves out (the test could never hold).
    RoleOfOtherSide,
    /// A word that is not one of the possible values of what it is compared with.
    UnknownValue,
    /// A market list that is not declared.
    UnknownMarketList,
    /// A window that is not declared.
    UnknownWindow,
    /// A window or link member that does not exist.
    UnknownMember,
    /// A function that does not exist.
    UnknownFunction,
    /// A market code that is not ISO 3166-1 alpha-2.
    UnknownMarket,
    /// A market code in lower case.
    MarketCase,
    /// A market listed twice in one list.
    DuplicateMarket,
    /// A display name that no source knows, not marked as the policy's own spelling.
    MarketName,
    /// A display name that names another market than its code.
    MarketNameWrongCode,
    /// A display name that already stands for another market.
    MarketNameClash,
    /// A language of display names (`names in`) that CLDR has no names in.
    UnknownLanguage,
    /// Operand or argument types that do not fit.
    TypeMismatch,
    /// A function called with the wrong number or kind of arguments.
    WrongArguments,
    /// A number the engine cannot hold.
    BadNumber,
    /// A money literal whose currency code is not ISO 4217.
    UnknownCurrency,
    /// A money literal with more decimals than its currency has.
    MoneyDecimals,
    /// Money whose currency is not declared (`is money`) met with money in a currency.
    CurrencyNotDeclared,
    /// `money in FIELD` where FIELD is not a currency field (text or ISO 4217 codes).
    CurrencyField,
    /// A date or time literal that is not an instant: no offset, a day not in the
    /// calendar, a leap second, a year past 9999.
    BadTime,
    /// Lets defined in terms of each other.
    CyclicLet,
    /// A use of a `let`, window or link whose own error is already reported. Never
    /// shown: the checker drops it, so that one mistake is reported once.
    BrokenLet,
    /// Constants defined in terms of each other.
    CyclicConstant,
    /// A constant whose value is not fixed by the policy (it reads the request).
    ConstantNotFixed,
    /// A window length or link limit that names something other than a constant.
    UnknownConstant,
    /// A fact read outside a message.
    FactInExpression,
    /// A fact read in a message of an action it is not defined for.
    FactNotDefined,
    /// A message that reads a fact computed after the decision.
    FactAfterDecision,
    /// `allowed` read outside a fact's value.
    AllowedOutsideFact,
    /// A message placeholder that is not a value name, or an unclosed `{`.
    BadPlaceholder,
    /// A `reject` rule with an audience.
    RejectAudience,
    /// A link that allows 0 uses.
    EmptyLink,
    /// An `in force` clause whose `from` is not before its `until`.
    InForceEmpty,
    /// Two versions of one dated declaration in force at one time.
    InForceOverlap,
    /// Versions of one dated value selected by different times, or a time that cannot
    /// select one.
    InForceTime,
    /// A time between two versions of a dated declaration when none is in force, not
    /// marked `again`.
    InForceGap,
    /// (Warning) A constant, let, window, link or market list that nothing reads.
    Unused,
    /// (Warning) A rule that can never apply.
    NeverApplies,
    /// (Warning) A message that shows a field which may be absent, without a fallback.
    AbsentInMessage,
    /// (Warning) A permit that a forbid or reject always overrides.
    ShadowedRule,
    /// (Warning) A forbid or reject that a request escapes by leaving out a field that
    /// its action does not require (its condition is false on the missing value).
    FailOpen,
}

impl DiagnosticCode {
    /// Every code, in the order of the enum.
    pub fn all() -> impl Iterator<Item = DiagnosticCode> {
        <DiagnosticCode as strum::IntoEnumIterator>::iter()
    }

    /// The stable kebab-case string (`unknown-field`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether a diagnostic with this code can reach the user ([`Self::BrokenLet`]
    /// never does).
    pub fn is_shown(self) -> bool {
        self != DiagnosticCode::BrokenLet
    }

    /// The code of a syntax error: the one mapping, used by `check`, `fmt` and the
    /// loader alike.
    pub fn of_syntax(error: &SyntaxError) -> DiagnosticCode {
        match error {
            SyntaxError::TooLarge { .. } => DiagnosticCode::FileTooLarge,
            SyntaxError::TooDeep { .. } => DiagnosticCode::TooDeep,
            SyntaxError::Grammar { .. } | SyntaxError::BadLiteral { .. } => DiagnosticCode::Syntax,
        }
    }

    /// The label drawn under the offending text when the diagnostic gives none.
    pub(super) fn default_label(self) -> &'static str {
        use DiagnosticCode::*;
        match self {
            Syntax => "not expected here",
            UnknownField => "not in the input schema",
            UnknownName => "not declared",
            UnknownAction => "not a declared action",
            UnknownSide => "not a side",
            UnknownRole => "not a role of this side",
            RoleOfOtherSide => "a role of another side",
            UnknownValue => "not a possible value",
            UnknownMarket => "not an ISO 3166-1 alpha-2 code",
            UnknownLanguage => "no country names in this language",
            UnknownCurrency => "not an ISO 4217 currency code",
            MoneyDecimals => "more decimals than the currency has",
            CurrencyNotDeclared => "money whose currency is not declared",
            UnknownMarketList => "no such market list",
            UnknownWindow => "no such window",
            UnknownConstant => "not a constant",
            ConstantNotFixed => "read from the request",
            UnknownMember => "no such member",
            UnknownFunction => "no such function",
            DuplicateMarket => "listed again",
            DuplicateRequirement => "required again",
            DuplicateName | DuplicateAction | DuplicateRole | DuplicateField | DuplicateRule
            | DuplicateFact | DuplicateOtherwise | DuplicateValue => "declared again here",
            TypeMismatch => "wrong type",
            Unused => "never used",
            ShadowedRule | NeverApplies => "can never apply",
            FailOpen => "false when the field is missing",
            InForceEmpty => "never in force",
            InForceOverlap => "in force at the same time",
            InForceGap => "nothing in force before this",
            InForceTime => "cannot select the version",
            TooDeep => "too deep",
            FileTooLarge => "too large",
            BadPlaceholder => "not a value name",
            _ => "here",
        }
    }
}

/// A syntax error as an error diagnostic: its code, message, span and hint.
impl From<&SyntaxError> for Diagnostic {
    fn from(error: &SyntaxError) -> Diagnostic {
        Diagnostic::error(
            DiagnosticCode::of_syntax(error),
            error.span(),
            error.to_string(),
        )
        .with_optional_help(error.help().map(str::to_string))
    }
}

impl fmt::Display for DiagnosticCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_its_own_kebab_case_string() {
        let mut seen = HashSet::new();
        for code in DiagnosticCode::all() {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                !s.is_empty()
                    && s.split('-')
                        .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase())),
                "{s}"
            );
            assert_eq!(code.to_string(), s);
        }
        assert_eq!(seen.len(), DiagnosticCode::FailOpen as usize + 1);
    }

    #[test]
    fn syntax_errors_map_to_three_codes() {
        let span = crate::source::Span::default();
        let grammar = SyntaxError::Grammar {
            message: String::new(),
            span,
            help: None,
        };
        let literal = SyntaxError::BadLiteral {
            message: String::new(),
            span,
        };
        let large = SyntaxError::TooLarge { size: 0, span };
        let deep = SyntaxError::TooDeep { limit: 0, span };
        assert_eq!(DiagnosticCode::of_syntax(&grammar), DiagnosticCode::Syntax);
        assert_eq!(DiagnosticCode::of_syntax(&literal), DiagnosticCode::Syntax);
        assert_eq!(
            DiagnosticCode::of_syntax(&large),
            DiagnosticCode::FileTooLarge
        );
        assert_eq!(DiagnosticCode::of_syntax(&deep), DiagnosticCode::TooDeep);
    }
}
