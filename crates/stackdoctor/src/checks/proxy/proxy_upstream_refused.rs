//! # proxy-upstream-refused
//!
//! **What it detects:** the proxy's logs show refused connections:
//! `dial tcp 172.18.0.3:8000: connect: connection refused`.
//!
//! **Why it breaks requests:** the upstream's address answered, but no
//! process accepts connections on that port; Caddy answers 502. A symptom
//! of a wrong port (`upstream-wrong-port`), a server bound to loopback
//! (`upstream-listens-on-localhost`), the proxy dialling its own container
//! (`proxy-dials-localhost`), or an app that is starting or crashing
//! (`upstream-crash-loop`); it is listed under those when a check finds them.
//!
//! **Example:** `dial tcp 127.0.0.1:8000: connect: connection refused` from
//! a Caddy container.
//!
//! **Fix:** inside the app container, `ss -ltn` (or
//! `docker compose exec web curl -sS localhost:8000/`) shows which port and
//! address the app really listens on.

use super::support::log_symptoms;
use crate::finding::Finding;
use crate::model::StackModel;

pub fn run(model: &StackModel) -> Vec<Finding> {
    log_symptoms(model, "proxy-upstream-refused")
}

#[cfg(test)]
mod tests {
    use crate::checks::proxy::support::run_on_log;

    #[test]
    fn a_refused_dial_is_reported_with_its_address() {
        let line = "{\"level\":\"error\",\"ts\":1740660001.5,\"logger\":\"http.log.error\",\"msg\":\"dial tcp 172.18.0.3:8080: connect: connection refused\",\"status\":502}\n";
        let (findings, first) = run_on_log(super::run, "proxy-upstream-refused", line);
        let (at, fix) = first.expect("a finding");
        assert_eq!(at, "logs/proxy.log:1");
        assert_eq!(fix.trim(), "proxy-upstream-refused.next-step");
        assert_eq!(findings[0].params["address"], "172.18.0.3:8080");
    }

    #[test]
    fn a_request_that_was_served_is_quiet() {
        let line = "{\"level\":\"info\",\"ts\":1740660001.5,\"logger\":\"http.log.access\",\"msg\":\"handled request\",\"status\":200}\n";
        let (findings, _) = run_on_log(super::run, "proxy-upstream-refused", line);
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
