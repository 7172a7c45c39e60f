//! `csp-peers`: the default CSP policy of `csp-policy`, written once in Cedar and once
//! in Rego, so that decisions and speed can be compared on the same request corpus.
//!
//! Both peers take a request as JSON text (the request contract of `DESIGN.md`) and
//! answer allow (`true`) or deny (`false`), in-process:
//! - [`CedarPeer`]: `policies/csp.cedar` + `policies/csp.cedarschema`, entities and
//!   context built from the request, `Authorizer::is_authorized`;
//! - [`RegoPeer`]: `policies/csp.rego` on a `regorus::Engine` loaded once, the request
//!   as `input`, `data.csp.allow` evaluated per request.
//!
//! The market lists (`policies/markets.json`) are data shared by both. [`Engines`] holds
//! `csp-policy` and both peers and compares their answers on one request.

mod cedar;
mod compare;
mod rego;
mod time;

#[cfg(test)]
mod tests;

pub use cedar::CedarPeer;
pub use compare::{Answers, Engines};
pub use rego::RegoPeer;

/// The market lists of the default policy, as JSON data.
pub const MARKETS_JSON: &str = include_str!("../policies/markets.json");

/// A peer could not be built (its policy, schema or data did not load).
#[derive(Debug)]
pub struct PeerError(pub String);

impl std::fmt::Display for PeerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PeerError {}

impl PeerError {
    fn new(what: &str, err: impl std::fmt::Display) -> Self {
        PeerError(format!("{what}: {err}"))
    }
}
