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

#[cfg(test)]
mod tests {
    use crate::checks::proxy::support::run_on_log;

    /// nginx's line names the upstream it gave up on; each host gets its finding.
    #[test]
    fn nginx_without_live_upstreams_is_reported_per_host() {
        let line = "2019/09/26 01:32:42 [error] 56#56: *63 no live upstreams while connecting to upstream, client: 113.185.40.45, server: app.example.org, request: \"GET / HTTP/1.1\", upstream: \"http://backend/\", host: \"app.example.org\"\n";
        let (findings, first) = run_on_log(super::run, "proxy-no-healthy-upstreams", line);
        let (at, fix) = first.expect("a finding");
        assert_eq!(at, "logs/proxy.log:1");
        assert_eq!(fix.trim(), "proxy-no-healthy-upstreams.next-step");
        assert_eq!(findings[0].params["count"], "1");
    }

    #[test]
    fn caddy_with_every_upstream_down_is_reported() {
        let lines = "{\"level\":\"error\",\"ts\":1677420000.1,\"logger\":\"http.log.error\",\"msg\":\"no upstreams available\",\"request\":{\"method\":\"GET\",\"host\":\"example.com\",\"uri\":\"/\"},\"status\":503}\n".repeat(2);
        let (findings, first) = run_on_log(super::run, "proxy-no-healthy-upstreams", &lines);
        assert_eq!(first.expect("a finding").0, "logs/proxy.log:1");
        assert_eq!(findings[0].params["count"], "2");
    }

    #[test]
    fn a_health_checker_saying_a_host_is_up_is_quiet() {
        let line = "{\"level\":\"info\",\"logger\":\"http.handlers.reverse_proxy.health_checker.active\",\"msg\":\"host is up\",\"host\":\"web:8000\"}\n";
        let (findings, _) = run_on_log(super::run, "proxy-no-healthy-upstreams", line);
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
