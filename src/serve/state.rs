//! What the handlers share: the policy being served, swapped whole on reload (an
//! [`ArcSwap`]: a request keeps the `Arc` it started with, so it finishes on that
//! policy whatever happens meanwhile), the options, the decision log and the metrics.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};

use super::metrics::Metrics;
use super::Config;
use crate::decision_log::mask::FieldPath;
use crate::decision_log::DecisionLog;
use crate::Policy;

/// A policy as served: the policy and when it was loaded.
#[derive(Debug)]
pub struct Serving {
    /// The checked policy.
    pub policy: Policy,
    /// When it was loaded.
    pub loaded_at: DateTime<Utc>,
}

/// The last reload that was refused (the policy had errors), for `/health`.
#[derive(Debug, Clone)]
pub struct Refused {
    /// When.
    pub at: DateTime<Utc>,
    /// What set it off (`SIGHUP`, `file change`).
    pub trigger: String,
    /// The diagnostics as JSON records (one per diagnostic), or the error's message.
    pub diagnostics: Vec<String>,
}

/// The server's shared state.
#[derive(Debug)]
pub struct State {
    /// The policy being served.
    pub serving: ArcSwap<Serving>,
    /// Where the policy is read from on reload (empty: the embedded policy).
    pub policies: Vec<PathBuf>,
    /// `--now`.
    pub now: Option<DateTime<Utc>>,
    /// The bearer token of `/v1/*`.
    pub token: Option<String>,
    /// The decision log.
    pub log: Option<Arc<DecisionLog>>,
    /// `--log-mask`.
    pub masks: Vec<FieldPath>,
    /// The metrics.
    pub metrics: Metrics,
    /// The last refused reload, if the last reload was refused.
    pub refused: Mutex<Option<Refused>>,
    /// One reload at a time.
    pub reloading: tokio::sync::Mutex<()>,
    /// Whether the playground is served.
    pub playground: bool,
}

impl State {
    /// The state of a server starting with `policy`.
    pub fn new(policy: Policy, config: &Config, log: Option<Arc<DecisionLog>>) -> State {
        let metrics = Metrics::new();
        metrics.set_revision(policy.revision().as_str());
        State {
            serving: ArcSwap::from_pointee(Serving {
                policy,
                loaded_at: Utc::now(),
            }),
            policies: config.policies.clone(),
            now: config.now,
            token: config.token.clone(),
            log,
            masks: config.masks.clone(),
            metrics,
            refused: Mutex::new(None),
            reloading: tokio::sync::Mutex::new(()),
            playground: config.playground,
        }
    }

    /// The time of a request without `at`: `--now`, else the current time ([`State::clock`]).
    pub fn now(&self) -> DateTime<Utc> {
        self.now_at(State::clock())
    }

    /// The time of a request without `at` decided at `clock`: `--now`, else `clock`.
    pub fn now_at(&self, clock: DateTime<Utc>) -> DateTime<Utc> {
        self.now.unwrap_or(clock)
    }

    /// The current time in whole microseconds, the decision log's precision: a decision
    /// is made at the time its log entry keeps, so that a replay of the log
    /// (`diff --decision-log`) decides a request without `at` at the same instant.
    pub fn clock() -> DateTime<Utc> {
        let now = Utc::now();
        DateTime::<Utc>::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
    }

    /// The last refused reload, if any (and if no reload succeeded since).
    pub fn refused(&self) -> Option<Refused> {
        match self.refused.lock() {
            Ok(r) => r.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Records the outcome of a reload.
    pub fn set_refused(&self, refused: Option<Refused>) {
        match self.refused.lock() {
            Ok(mut r) => *r = refused,
            Err(poisoned) => *poisoned.into_inner() = refused,
        }
    }
}
