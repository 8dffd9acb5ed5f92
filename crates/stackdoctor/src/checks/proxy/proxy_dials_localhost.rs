//! # proxy-dials-localhost
//!
//! **What it detects:** a proxy that runs in a container (not with
//! `network_mode: host`) and proxies to `localhost`, `127.0.0.1` or `::1`
//! on a port it does not serve itself.
//!
//! **Why it breaks requests:** inside a container, `localhost` is that
//! container. The app runs in another container, so the dial fails with
//! `dial tcp 127.0.0.1:8000: connect: connection refused` and Caddy answers 502.
//!
//! **Example:** `reverse_proxy localhost:8000` in the Caddy container, the
//! app in service `web` listening on 8000.
//!
//! **Fix:** use the app's service name (`reverse_proxy web:8000`) on a
//! network both share; then reload Caddy.

use super::support::{log_evidence, reload_proxy_step, suggest_service, upstreams};
use crate::checks::support::{replace_on_line, service_hop};
use crate::finding::{Finding, FixStep, Hop, HopState, Message};
use crate::model::{StackModel, UpstreamTarget};

cause!("proxy-dials-localhost");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ctx in upstreams(model) {
        let upstream = ctx.upstream;
        if upstream.target != UpstreamTarget::Loopback {
            continue;
        }
        let Some(proxy_id) = ctx.proxy.service else {
            continue;
        };
        let proxy_service = &model.services[proxy_id];
        if proxy_service.uses_host_network() {
            continue;
        }
        // Proxying to itself (an admin endpoint, another site) is fine.
        if let Some(port) = upstream.port {
            let own_port = ctx
                .proxy
                .sites
                .iter()
                .flat_map(|s| &s.addresses)
                .any(|a| a.port == Some(port))
                || port == 2019;
            if own_port {
                continue;
            }
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&upstream.host)
            .param("upstream", &upstream.text)
            .param("proxy", &proxy_service.name);
        finding = finding.evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        );
        let label = msg("proxy-container").with("proxy", &proxy_service.name);
        finding = finding.evidence(proxy_service.origin.clone(), label);
        finding = finding.log_lines(log_evidence(
            model,
            &upstream.host,
            upstream.port,
            &["proxy-upstream-refused"],
        ));
        let mut tail = vec![Hop {
            label: format!("{} = container {}", upstream.host, proxy_service.name),
            state: HopState::Broken,
            origin: None,
        }];
        if let Some((id, port)) = suggest_service(model, ctx.proxy, &upstream.host, upstream.port) {
            let suggestion = format!("{}:{port}", model.services[id].name);
            let message = msg("use-service")
                .with("upstream", &upstream.text)
                .with("suggestion", &suggestion);
            finding = match replace_on_line(model, &upstream.origin, &upstream.text, &suggestion) {
                Some(edit) => finding.fix(FixStep::edit(message, edit)),
                None => finding.fix(FixStep::say(message)),
            };
            tail.push(service_hop(model, id, HopState::Unknown));
        } else {
            finding = finding.fix(FixStep::say(msg("name-a-service")));
        }
        findings.push(
            finding
                .path(ctx.path(HopState::Broken, tail))
                .fix(reload_proxy_step(model, ctx.proxy)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn caddy_in_a_container_dialling_localhost_is_told_the_service() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("dials-localhost", &[]),
            "Caddyfile:2",
            &["reverse_proxy searxng:8080", "restart caddy"],
        );
    }

    #[test]
    fn dialling_the_service_by_name_is_quiet() {
        assert_example_quiet(
            super::run,
            ("dials-localhost", &[]),
            &[("Caddyfile", "localhost:8080", "searxng:8080")],
        );
    }
}
