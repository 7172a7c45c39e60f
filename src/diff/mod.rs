//! Change impact: what an edit of a policy changes (`csp-policy diff`).
//!
//! Over requests ([`requests`]): each request of a stream is decided under the old and
//! the new policy, through the same batch path as `eval`, and every request whose
//! decision, reasons, errors or facts differ is reported ([`compare`]), with totals by
//! action and by old → new outcome ([`summary`]). A policy side may be read from a git
//! revision ([`git`]). A decision log may be the requests (`replay`, with the `serve`
//! feature): each logged request decided again and compared with its logged decision.

pub mod compare;
pub mod git;
#[cfg(feature = "serve")]
pub mod replay;
pub mod requests;
pub mod summary;

pub use compare::{Changed, Outcome};
pub use summary::Tally;
pub mod exhaustive;
