//! `csp-peers`: the default CSP policy of `csp-policy`, written once in Cedar and once
//! in Rego, so that decisions and speed can be compared on the same request corpus.
//!
//! Both peers take a request as JSON text (the request contract (`docs/request.md`)) and
//! answer allow (`true`) or deny (`false`), in-process:
//! - [`CedarPeer`]: `policies/csp.cedar` + `policies/csp.cedarschema`, entities and
//!   context built from the request, `Authorizer::is_authorized`;
//! - [`RegoPeer`]: `policies/csp.rego` on a `regorus::Engine` loaded once, the request
//!   as `input`, `data.csp.allow` evaluated per request.
//!
//! The market lists are data shared by both, generated from the default policy's own
//! lists ([`markets`]). [`Engines`] holds `csp-policy` and both peers and compares their
//! answers on one request.

pub mod agent;
mod cedar;
mod compare;
pub mod markets;
mod rego;
mod time;

#[cfg(test)]
mod tests;

pub use cedar::CedarPeer;
pub use compare::{Answers, Engines};
pub use rego::RegoPeer;

/// The free-text fields of the request schema (`is text` in the default policy's
/// `02-input.policy`), as (section, field). `csp-policy` compares free text by its key
/// (docs/request.md "Comparing text": NFKC, format characters removed, case-folded, spaces
/// trimmed and collapsed) and counts text whose key is empty as missing. Neither Cedar
/// nor Rego can normalize Unicode, so both hosts hand their engine the key of each of
/// these fields, made by the same function (`csp_policy::text::key`).
const TEXT_FIELDS: [(&str, &str); 8] = [
    ("actor", "id"),
    ("customer", "name"),
    ("customer", "domain"),
    ("product", "name"),
    ("product", "publisher"),
    ("product", "edition"),
    ("order", "id"),
    ("order", "currency"),
];

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
