//! csp-policy: a declarative policy engine for selling software through the Microsoft
//! Cloud Solution Provider program.

pub mod check;
pub mod market;
pub mod policy;
pub mod source;
pub mod syntax;
pub mod value;
pub mod load;
