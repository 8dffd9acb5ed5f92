//! # proxy-no-healthy-upstreams
//!
//! **What it detects:** the proxy's logs show `no upstreams available`.
//!
//! **Why it breaks requests:** Caddy's active or passive health checks
//! marked every upstream of the route down, so Caddy answers 503 without
//! trying them. Either the upstreams really are down, or the health check
//! asks the wrong thing (`health_uri` that returns 404, a `health_port`
//! nothing listens on, a `health_timeout` shorter than the endpoint needs).
//!
//! **Example:** `health_uri /healthz` against a Django app that serves
//! `/api/health/`.
//!
//! **Fix:** call the health endpoint from the proxy container
//! (`curl -i http://web:8000/api/health/`) and make `health_uri`,
//! `health_port` and `health_status` match what the app answers.

use super::support::log_symptoms;
use crate::finding::Finding;
use crate::model::StackModel;

pub fn run(model: &StackModel) -> Vec<Finding> {
    log_symptoms(model, "proxy-no-healthy-upstreams")
}
