//! Why a decision could not be computed: an expression that failed ([`ExprError`]: a
//! division by zero, an overflow, a time RFC 3339 cannot write), and the rule or fact
//! it failed in ([`EvalError`], the error a decision carries as `evaluation-error`).

use crate::limits::{TIME_FIRST_YEAR, TIME_LAST_YEAR};

/// Why an expression could not be computed, with the expression as the policy writes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExprError {
    /// Division by zero.
    #[error("division by zero in `{expr}`")]
    DivisionByZero {
        /// The expression.
        expr: String,
    },
    /// A number or duration went out of range.
    #[error("`{expr}` is out of range")]
    Overflow {
        /// The expression.
        expr: String,
    },
    /// Two amounts in different currencies met in a test or in arithmetic.
    #[error("`{expr}` meets amounts in {left} and in {right}; amounts in two currencies never compare or add")]
    CurrencyMismatch {
        /// The expression.
        expr: String,
        /// One currency code.
        left: &'static str,
        /// The other.
        right: &'static str,
    },
    /// An amount whose currency field is not given met an amount in a currency.
    #[error("`{expr}` needs the currency of the amount, but `{field}` is not given")]
    MissingCurrency {
        /// The expression.
        expr: String,
        /// The currency field.
        field: String,
    },
    /// An amount whose currency field holds no ISO 4217 code.
    #[error(
        "`{expr}` needs the currency of the amount, but `{field}` is not an ISO 4217 currency code"
    )]
    UnknownCurrency {
        /// The expression.
        expr: String,
        /// The currency field.
        field: String,
    },
    /// An amount whose currency the policy does not declare met an amount in a currency.
    #[error("`{expr}` meets an amount whose currency the policy does not declare (`is money in FIELD`) and an amount in a currency")]
    UndeclaredCurrency {
        /// The expression.
        expr: String,
    },
    /// A dated value's version is selected by a time that the request does not give.
    #[error(
        "`{name}` is dated: the version in force at `{field}` applies, but `{field}` is not given"
    )]
    NoVersionTime {
        /// The dated declaration.
        name: String,
        /// The time field that selects its version.
        field: String,
    },
    /// A computed time falls outside the years RFC 3339 can write.
    #[error(
        "`{expr}` gives a time outside the years {TIME_FIRST_YEAR:04}-{TIME_LAST_YEAR}, which RFC 3339 cannot write"
    )]
    TimeOutOfRange {
        /// The expression.
        expr: String,
    },
}

impl ExprError {
    /// A stable kebab-case code for machines.
    pub fn code(&self) -> &'static str {
        match self {
            ExprError::DivisionByZero { .. } => "division-by-zero",
            ExprError::Overflow { .. } => "overflow",
            ExprError::TimeOutOfRange { .. } => "time-out-of-range",
            ExprError::CurrencyMismatch { .. } => "currency-mismatch",
            ExprError::MissingCurrency { .. } => "missing-currency",
            ExprError::UnknownCurrency { .. } => "unknown-currency",
            ExprError::UndeclaredCurrency { .. } => "undeclared-currency",
            ExprError::NoVersionTime { .. } => "no-version-time",
        }
    }
}

/// A rule's condition or a fact that could not be computed, and why. Any of these
/// makes the decision deny (`evaluation-error` in the decision's errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The condition of a rule.
    #[error("rule {rule}: {error}")]
    Rule {
        /// The rule id.
        rule: String,
        /// What failed.
        error: ExprError,
    },
    /// A fact.
    #[error("cannot compute {fact}: {error}")]
    Fact {
        /// The fact's name.
        fact: String,
        /// What failed.
        error: ExprError,
    },
}

impl EvalError {
    /// A stable kebab-case code for machines: what failed ([`ExprError::code`]).
    pub fn code(&self) -> &'static str {
        self.cause().code()
    }

    /// What failed, wherever it failed.
    pub fn cause(&self) -> &ExprError {
        match self {
            EvalError::Rule { error, .. } | EvalError::Fact { error, .. } => error,
        }
    }
}
