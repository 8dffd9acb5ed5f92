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

#[cfg(test)]
mod tests {
    use crate::checks::proxy::support::run_on_log;

    #[test]
    fn a_name_caddy_cannot_resolve_is_reported_with_its_host() {
        let line = "caddy-1  | {\"level\":\"error\",\"ts\":1740659996.97,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup frontend on 127.0.0.11:53: no such host\",\"status\":502}\n";
        let (findings, first) = run_on_log(super::run, "proxy-upstream-lookup-failed", line);
        let (at, fix) = first.expect("a finding");
        assert_eq!(at, "logs/proxy.log:1");
        assert_eq!(fix.trim(), "proxy-upstream-lookup-failed.next-step");
        assert_eq!(findings[0].subject.as_deref(), Some("frontend"));
        assert_eq!(findings[0].params["address"], "frontend");
    }

    #[test]
    fn a_lookup_failing_in_a_shell_script_is_quiet() {
        let line = "getaddrinfo: no such host is known (hostname lookup in a shell script)\n";
        let (findings, _) = run_on_log(super::run, "proxy-upstream-lookup-failed", line);
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
