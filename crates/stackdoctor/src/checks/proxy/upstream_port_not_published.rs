//! # upstream-port-not-published
//!
//! **What it detects:** a proxy on the host (not in compose, or with
//! `network_mode: host`) dials `localhost:PORT`, but no compose service
//! publishes that port on the host, although a service listens on it
//! inside its container.
//!
//! **Why it breaks requests:** a container's port is reachable from the host
//! only when `ports:` publishes it. The dial to `127.0.0.1:PORT` is refused
//! and Caddy answers 502.
//!
//! **Example:** Caddy installed with apt proxies to `localhost:8000`; the
//! `web` service has `expose: ["8000"]` but no `ports:`.
//!
//! **Fix:** publish the port on loopback (`ports: ["127.0.0.1:8000:8000"]`,
//! so it is not open to the internet), then recreate the service.

use super::support::upstreams;
use crate::checks::support::{recreate_service_step, service_hop};
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::{StackModel, UpstreamTarget};

cause!("upstream-port-not-published");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ctx in upstreams(model) {
        let upstream = ctx.upstream;
        let on_host = match ctx.proxy.service {
            None => true,
            Some(id) => model.services[id].uses_host_network(),
        };
        if !on_host || upstream.target != UpstreamTarget::Loopback {
            continue;
        }
        let Some(port) = upstream.port else { continue };
        let published = model
            .services
            .iter()
            .any(|s| s.published.iter().any(|p| p.value.0 == port.to_string()))
            || model
                .services
                .iter()
                .any(|s| s.uses_host_network() && s.listeners_on(port).next().is_some());
        if published {
            continue;
        }
        let Some(id) = model
            .services
            .iter()
            .position(|s| s.listeners_on(port).next().is_some())
        else {
            continue;
        };
        let service = &model.services[id];
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("upstream", &upstream.text)
            .param("service", &service.name)
            .param("port", port.to_string());
        finding = finding.evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        );
        if let Some(listener) = service.listeners_on(port).next() {
            let label = msg("listens").with("detail", &listener.detail);
            finding = finding.evidence(listener.origin.clone(), label);
        }
        let message = msg("publish")
            .with("service", &service.name)
            .with("ports", format!("127.0.0.1:{port}:{port}"));
        finding = finding
            .fix(FixStep::say(message))
            .fix(recreate_service_step(model, id));
        let tail = vec![service_hop(model, id, HopState::Broken)];
        findings.push(finding.path(ctx.path(HopState::Broken, tail)));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_host_caddy_dialling_an_unpublished_port_is_told_to_publish_it() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("port-not-published", &[]),
            "Caddyfile:2",
            &[
                "upstream-port-not-published.publish",
                "--force-recreate web",
            ],
        );
    }

    #[test]
    fn a_published_port_is_quiet() {
        assert_example_quiet(
            super::run,
            ("port-not-published", &[]),
            &[(
                "docker-compose.yml",
                "expose:\n      - \"8000\"",
                "ports:\n      - \"127.0.0.1:8000:8000\"",
            )],
        );
    }
}
