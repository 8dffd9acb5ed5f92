//! # proxy-upstream-lookup-failed
//!
//! **What it detects:** the proxy's logs show that it could not resolve an
//! upstream's name: `dial tcp: lookup web on 127.0.0.11:53: no such host`.
//!
//! **Why it breaks requests:** without an address there is nothing to
//! connect to; Caddy answers 502. This is a symptom: the name is wrong
//! (`upstream-unknown-host`), the proxy shares no network with the service
//! (`proxy-upstream-no-shared-network`), or the container is not running
//! (`upstream-not-running`); when a check finds one of those, this finding
//! is listed under it.
//!
//! **Example:** the seed's `docker compose logs caddy | grep 502` shows the
//! lookup error for `web`.
//!
//! **Fix:** from the proxy container, `getent hosts web` (or
//! `docker network inspect backend_default`) tells which of the three it is.

use super::support::log_symptoms;
use crate::finding::Finding;
use crate::model::StackModel;

pub fn run(model: &StackModel) -> Vec<Finding> {
    log_symptoms(model, "proxy-upstream-lookup-failed")
}
