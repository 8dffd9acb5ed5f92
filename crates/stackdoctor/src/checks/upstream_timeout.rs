//! # upstream-timeout
//!
//! **What it detects:** the proxy's logs show upstream timeouts:
//! `net/http: timeout awaiting response headers`, `context deadline
//! exceeded`, or `dial tcp …: i/o timeout`; the finding names the timeouts
//! the routes configure (`transport http { read_timeout … }`).
//!
//! **Why it breaks requests:** when the app needs longer than the proxy
//! waits (a slow SSO callback, a large upload), Caddy gives up and answers
//! 502 or 504 although the app would have answered. A dial timeout (3 s by
//! default) means packets are dropped: a wrong IP or a firewall.
//!
//! **Example:** `read_timeout 30s` in front of an SSO endpoint that takes 45 s.
//!
//! **Fix:** raise the timeouts of the slow routes only
//! (`transport http { read_timeout 90s; response_header_timeout 90s }`),
//! and find out why the app is slow; for dial timeouts, check the address
//! and the firewall.

use super::support::{reload_proxy_step, upstreams};
use crate::finding::{Finding, FixStep, HopState};
use crate::model::StackModel;

cause!("upstream-timeout");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let events: Vec<_> = model
        .log_events
        .iter()
        .filter(|e| e.causes.iter().any(|(c, _)| c == "upstream-timeout"))
        .collect();
    let Some(first) = events.first() else {
        return Vec::new();
    };
    let mut finding = Finding::new(CAUSE).param("count", events.len().to_string());
    if let Some(host) = &first.host {
        finding = finding.subject(host).param("host", host);
    }
    finding = finding.log_lines(events.iter().copied().take(3));
    let mut proxy = None;
    for ctx in upstreams(model) {
        let names_it = first.host.as_ref().is_none_or(|h| h == &ctx.upstream.host);
        if !names_it {
            continue;
        }
        proxy.get_or_insert(ctx.proxy);
        for timeout in &ctx.route.timeouts {
            let label = msg("configured").with("name", &timeout.value.name).with(
                "value",
                format!("{}s", timeout.value.millis as f64 / 1000.0),
            );
            finding = finding.evidence(timeout.origin.clone(), label);
        }
        if finding.path.is_empty() {
            finding = finding.path(ctx.path(HopState::Broken, Vec::new()));
        }
    }
    let dial = events
        .iter()
        .any(|e| e.signature == "caddy-dial-io-timeout");
    finding = finding.fix(FixStep::say(msg(if dial {
        "fix-dial"
    } else {
        "fix-read"
    })));
    if let Some(proxy) = proxy {
        finding = finding.fix(reload_proxy_step(model, proxy));
    }
    vec![finding]
}
