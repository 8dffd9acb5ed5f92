//! # upstream-wrong-port
//!
//! **What it detects:** the proxy reaches the upstream's service, but the
//! service listens on other ports than the one dialled. What it listens on
//! is read from its command (`runserver 0.0.0.0:8000`, `--port 8000`,
//! `--bind :8000`), its environment (`PORT=3000`), its `expose:` and the
//! container side of its `ports:`, or its image's documented default.
//!
//! **Why it breaks requests:** nothing accepts connections on that port:
//! `dial tcp 172.18.0.3:4000: connect: connection refused`, and Caddy
//! answers 502.
//!
//! **Example:** `reverse_proxy web:3000` while `web` runs
//! `gunicorn --bind 0.0.0.0:8000`.
//!
//! **Fix:** dial the port the service listens on (`reverse_proxy web:8000`);
//! note that `ports: "8080:8000"` publishes 8000 on the host's 8080, and
//! containers always use the container side (8000).

use super::support::{log_evidence, main_listener, with_port, reload_proxy_step, replace_on_line, service_hop, reached_upstreams};
use crate::finding::{Finding, FixStep, HopState, Message, Severity};
use crate::model::{ListenEvidence, StackModel};

cause!("upstream-wrong-port");


pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (ctx, id) in reached_upstreams(model) {
        let upstream = ctx.upstream;
        let service = &model.services[id];
        let port = upstream.port.unwrap_or(80);
        let Some(listener) = main_listener(&service.listeners) else {
            continue;
        };
        if service.listeners_on(port).next().is_some() {
            continue;
        }
        // A host port of `ports:` dialled from a container is the classic mix-up.
        let published_as = service.published.iter().find(|p| p.value.0 == port.to_string());
        let suggestion = with_port(&upstream.text, port, listener.port);
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("upstream", &upstream.text)
            .param("service", &service.name)
            .param("port", port.to_string())
            .param("listening", listener.port.to_string());
        if listener.evidence == ListenEvidence::ImageDefault {
            finding = finding.severity(Severity::Warning);
        }
        finding = finding.evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        );
        let published_origin = published_as.map(|p| &p.origin);
        // The `ports:` entry is shown once, as the host-port mix-up below.
        for l in service.listeners.iter().filter(|l| Some(&l.origin) != published_origin).take(3) {
            let label = msg("listens").with("service", &service.name).with("port", l.port.to_string()).with("detail", &l.detail);
            finding = finding.evidence(l.origin.clone(), label);
        }
        if let Some(published) = published_as {
            let label = msg("host-port").with("port", port.to_string()).with("target", published.value.1.to_string());
            finding = finding.evidence(published.origin.clone(), label);
        }
        finding = finding.log_lines(log_evidence(model, &upstream.host, upstream.port, &["proxy-upstream-refused"]));
        let message = msg("use-port").with("upstream", &upstream.text).with("suggestion", &suggestion);
        finding = match replace_on_line(model, &upstream.origin, &upstream.text, &suggestion) {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
        let tail = vec![service_hop(model, id, HopState::Broken)];
        findings.push(finding.fix(reload_proxy_step(model, ctx.proxy)).path(ctx.path(HopState::Broken, tail)));
    }
    findings
}
