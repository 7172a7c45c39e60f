//! `GET /metrics`: decisions by action and outcome, their latency, the policy
//! revision, reloads and refused reloads, and the decision log's backlog and failures,
//! in the Prometheus (OpenMetrics) text format through `prometheus-client`.
//!
//! The `action` label is an action the policy declares, `other` for any other text a
//! request gives and `none` when it gives none: requests cannot grow the label set.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::{Decision, Policy};

/// Labels of a decision count.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    action: String,
    decision: String,
}

/// Labels of the revision gauge.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RevisionLabels {
    revision: String,
}

/// The server's metrics (cheap to update from any thread).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    decisions: Family<DecisionLabels, Counter>,
    latency: Histogram,
    revision: Family<RevisionLabels, Gauge>,
    reloads: Counter,
    reloads_refused: Counter,
    last_reload_ok: Gauge,
    log_backlog: Gauge,
    log_failures: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("csp_policy");
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Decisions made, by action and outcome",
            decisions.clone(),
        );
        // 10 µs to about 5 s.
        let latency = Histogram::new(exponential_buckets(0.000_01, 2.0, 20));
        registry.register(
            "decision_seconds",
            "Time to decide a request, from its text to its answer (log commit excluded)",
            latency.clone(),
        );
        let revision = Family::<RevisionLabels, Gauge>::default();
        registry.register(
            "policy_revision",
            "The revision of the policy being served (1 for the current one)",
            revision.clone(),
        );
        let reloads = Counter::default();
        registry.register(
            "policy_reloads",
            "Policy reloads that took effect",
            reloads.clone(),
        );
        let reloads_refused = Counter::default();
        registry.register(
            "policy_reloads_refused",
            "Policy reloads refused because the new policy has errors (the old one kept serving)",
            reloads_refused.clone(),
        );
        let last_reload_ok = Gauge::default();
        last_reload_ok.set(1);
        registry.register(
            "policy_last_reload_ok",
            "1 when the last reload (or the start) succeeded, 0 when it was refused",
            last_reload_ok.clone(),
        );
        let log_backlog = Gauge::default();
        registry.register(
            "decision_log_backlog",
            "Decision-log entries queued and not yet taken by the writer",
            log_backlog.clone(),
        );
        let log_failures = Counter::default();
        registry.register(
            "decision_log_failures",
            "Decisions not answered because their log entry could not be committed",
            log_failures.clone(),
        );
        Metrics {
            registry,
            decisions,
            latency,
            revision,
            reloads,
            reloads_refused,
            last_reload_ok,
            log_backlog,
            log_failures,
        }
    }

    /// Counts one decision and its latency.
    pub fn decided(&self, policy: &Policy, decision: &Decision, seconds: f64) {
        let action = match decision.action.as_deref() {
            None => "none",
            Some(a) => policy
                .actions()
                .find(|&known| known == a)
                .unwrap_or("other"),
        };
        self.decisions
            .get_or_create(&DecisionLabels {
                action: action.to_string(),
                decision: decision.verdict().to_string(),
            })
            .inc();
        self.latency.observe(seconds);
    }

    /// The revision now served.
    pub fn set_revision(&self, revision: &str) {
        self.revision.clear();
        self.revision
            .get_or_create(&RevisionLabels {
                revision: revision.to_string(),
            })
            .set(1);
    }

    /// A reload took effect.
    pub fn reloaded(&self, revision: &str) {
        self.reloads.inc();
        self.last_reload_ok.set(1);
        self.set_revision(revision);
    }

    /// A reload was refused.
    pub fn refused(&self) {
        self.reloads_refused.inc();
        self.last_reload_ok.set(0);
    }

    /// A decision's log entry could not be committed.
    pub fn log_failed(&self) {
        self.log_failures.inc();
    }

    /// The text of `/metrics`, with the log's backlog as it is now.
    pub fn render(&self, backlog: Option<usize>) -> String {
        self.log_backlog
            .set(backlog.map_or(0, |b| i64::try_from(b).unwrap_or(i64::MAX)));
        let mut out = String::with_capacity(4096);
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
