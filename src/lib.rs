//! csp-policy: a declarative policy engine for selling software through the Microsoft
//! Cloud Solution Provider program.

pub mod source;
pub mod syntax;
