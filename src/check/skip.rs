//! What the loader skipped: declarations with syntax errors are blanked out before the
//! rest of a file is checked (see `load::recover`). [`Skipped`] records what they would
//! have declared, so that the checker stays quiet about what it cannot know.

use std::collections::HashSet;

use super::code::DiagnosticCode as Code;

/// What the declarations that the loader skipped for syntax errors would have declared
/// (see `load::recover`): the checker stays quiet about what it cannot know.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// Names of `let`s, windows, links, facts and market lists in skipped text: their
    /// uses are not reported as unknown.
    pub(crate) names: HashSet<String>,
    /// Whether a vocabulary block (actions, roles, input), or text that is no
    /// declaration, was skipped: names may be missing, so unknown names are not reported.
    pub(crate) vocabulary: bool,
    /// Whether anything was skipped: unused declarations are then not reported.
    pub(crate) anything: bool,
}

impl Skipped {
    /// Adds what another file skipped.
    pub(crate) fn merge(&mut self, other: Skipped) {
        self.names.extend(other.names);
        self.vocabulary |= other.vocabulary;
        self.anything |= other.anything;
    }

    /// Whether a diagnostic may be caused only by the skipped declarations. `named` is
    /// the text the diagnostic points at: a name that is not declared is not reported
    /// when a skipped declaration declared it (a market list left open at the end of
    /// one file, used in another).
    pub(super) fn hides(&self, code: Code, named: &str) -> bool {
        let needs_everything = matches!(code, Code::Unused | Code::FactNotDefined);
        (self.anything && needs_everything)
            || (self.vocabulary && needs_vocabulary(code))
            || (is_undeclared_name(code) && self.names.contains(first_name(named)))
    }
}

/// Whether a diagnostic says that a name of the policy's own values (a let, fact,
/// window, link or market list) is not declared.
fn is_undeclared_name(code: Code) -> bool {
    matches!(
        code,
        Code::UnknownName | Code::UnknownMarketList | Code::UnknownWindow
    )
}

/// The name a use starts with: `trial_link` of `trial_link.used_up`.
fn first_name(named: &str) -> &str {
    let named = named.trim();
    let end = named
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(named.len());
    named.get(..end).unwrap_or("")
}

/// Whether a diagnostic may be caused by a vocabulary that is not all known (a block
/// skipped for a syntax error, a name refused for a limit).
pub(super) fn needs_vocabulary(code: Code) -> bool {
    matches!(
        code,
        Code::UnknownField
            | Code::UnknownName
            | Code::UnknownAction
            | Code::UnknownSide
            | Code::UnknownRole
            | Code::UnknownValue
            | Code::NoInput
            | Code::NoActions
            | Code::NeverApplies
    )
}
