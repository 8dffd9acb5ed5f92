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
//! The same holds without a proxy: when the app is told to listen on one
//! port (`PORT=3000`, `--port 3000`, `-b 0.0.0.0:3000`) and `ports:` (or
//! `docker run -p`) forwards the host port to another container port
//! (`"8080:80"`), requests to the host port reach nothing. A `ports:` target
//! counts as a listener only when nothing says where the app listens.
//!
//! **Example:** `reverse_proxy web:3000` while `web` runs
//! `gunicorn --bind 0.0.0.0:8000`; or `PORT: "3000"` with `ports: ["8080:80"]`.
//!
//! **Fix:** dial the port the service listens on (`reverse_proxy web:8000`);
//! note that `ports: "8080:8000"` publishes 8000 on the host's 8080, and
//! containers always use the container side (8000). For a published port,
//! make its container side the app's port (`"8080:3000"`).

use super::support::{
    effective_listeners, log_evidence, main_of, reached_upstreams, reload_proxy_step, with_port,
};
use crate::checks::support::{
    recreate_service_step, replace_on_line, replace_port_on_line, service_hop,
};
use crate::finding::{Finding, FixStep, HopState, Message, Severity};
use crate::model::{Activation, ListenEvidence, StackModel};

cause!("upstream-wrong-port");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (ctx, id) in reached_upstreams(model) {
        let upstream = ctx.upstream;
        let service = &model.services[id];
        let port = upstream.port.unwrap_or(80);
        let listening = effective_listeners(service);
        let Some(listener) = main_of(&listening) else {
            continue;
        };
        if listening.iter().any(|l| l.port == port) {
            continue;
        }
        // A host port of `ports:` dialled from a container is the classic mix-up.
        let published_as = service
            .published
            .iter()
            .find(|p| p.value.0 == port.to_string());
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
        for l in service
            .listeners
            .iter()
            .filter(|l| Some(&l.origin) != published_origin)
            .take(3)
        {
            let label = msg("listens")
                .with("service", &service.name)
                .with("port", l.port.to_string())
                .with("detail", &l.detail);
            finding = finding.evidence(l.origin.clone(), label);
        }
        if let Some(published) = published_as {
            let label = msg("host-port")
                .with("port", port.to_string())
                .with("target", published.value.1.to_string());
            finding = finding.evidence(published.origin.clone(), label);
        }
        finding = finding.log_lines(log_evidence(
            model,
            &upstream.host,
            upstream.port,
            &["proxy-upstream-refused"],
        ));
        let message = msg("use-port")
            .with("upstream", &upstream.text)
            .with("suggestion", &suggestion);
        // A label holds only the port (`…loadbalancer.server.port=80`).
        let edit = replace_on_line(model, &upstream.origin, &upstream.text, &suggestion)
            .or_else(|| replace_port_on_line(model, &upstream.origin, port, listener.port));
        // nginx-proxy without VIRTUAL_PORT: the template's default port, nothing written to change.
        let message = if edit.is_none() && ctx.proxy.kind == crate::model::ProxyKind::NginxProxy {
            crate::finding::Message::new("common.set-virtual-port")
                .with("service", &service.name)
                .with("port", listener.port.to_string())
        } else {
            message
        };
        finding = match edit {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
        // The port to dial is bound to loopback: say that the second fault
        // (upstream-listens-on-localhost) must be fixed too.
        if listener.bind == crate::model::Bind::Loopback {
            finding = finding.fix(FixStep::say(
                msg("also-loopback")
                    .with("service", &service.name)
                    .with("port", listener.port.to_string()),
            ));
        }
        let tail = vec![service_hop(model, id, HopState::Broken)];
        findings.push(
            finding
                .fix(reload_proxy_step(model, ctx.proxy))
                .path(ctx.path(HopState::Broken, tail)),
        );
    }
    let dialled: Vec<String> = findings.iter().filter_map(|f| f.subject.clone()).collect();
    findings.extend(published_elsewhere(model, &dialled));
    findings
}

/// Published ports whose container side is not where the app is told to
/// listen (`PORT=3000` with `"8080:80"`), for services no proxy finding covers.
fn published_elsewhere(model: &StackModel, already: &[String]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        if service.activation != Activation::Active
            || service.uses_host_network()
            || already.contains(&service.name)
        {
            continue;
        }
        let listening = effective_listeners(service);
        // Only a port the command or environment states can contradict `ports:`.
        let Some(listener) =
            main_of(&listening).filter(|l| l.evidence <= ListenEvidence::Environment)
        else {
            continue;
        };
        let Some(published) = service
            .published
            .iter()
            .find(|p| !listening.iter().any(|l| l.port == p.value.1))
        else {
            continue;
        };
        let (host, target) = (&published.value.0, published.value.1);
        let mapping = format!("{host}:{target}");
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("upstream", &mapping)
            .param("service", &service.name)
            .param("port", target.to_string())
            .param("listening", listener.port.to_string())
            .evidence(
                published.origin.clone(),
                msg("forwards")
                    .with("host", host)
                    .with("target", target.to_string()),
            );
        for l in listening.iter().take(3) {
            let label = msg("listens")
                .with("service", &service.name)
                .with("port", l.port.to_string())
                .with("detail", &l.detail);
            finding = finding.evidence(l.origin.clone(), label);
        }
        let suggestion = format!("{host}:{}", listener.port);
        let message = msg("use-target")
            .with("mapping", &mapping)
            .with("suggestion", &suggestion);
        finding = match replace_on_line(model, &published.origin, &mapping, &suggestion) {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
        finding = finding.fix(recreate_service_step(model, id));
        findings.push(finding.path(vec![service_hop(model, id, HopState::Broken)]));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const CADDYFILE: &str = "app.example.com {\n\treverse_proxy web:80\n}\n";

    #[test]
    fn port_variable_against_the_container_side_of_ports() {
        let (_dir, model) = test_tree(&[(
            "docker-compose.yml",
            "services:\n  web:\n    build: .\n    command: node server.js\n    environment:\n      - PORT=3000\n    ports:\n      - \"8080:80\"\n",
        )]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(
            (f.params["port"].as_str(), f.params["listening"].as_str()),
            ("80", "3000")
        );
        let at = f.evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (8, 9));
        let edit = f.fix[0].edit.as_ref().unwrap();
        assert_eq!(edit.after.trim(), "- \"8080:3000\"");
    }

    #[test]
    fn the_proxy_dialling_the_declared_port_is_told_the_real_one() {
        let (_dir, model) = test_tree(&[
            (
                "compose.yaml",
                "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  web:\n    build: .\n    command: gunicorn -b 0.0.0.0:5000 app:app\n    ports:\n      - \"80:80\"\n",
            ),
            ("Caddyfile", CADDYFILE),
        ]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].params["listening"], "5000");
        assert_eq!(
            findings[0].evidence[0]
                .origin
                .position()
                .unwrap()
                .file
                .file_name()
                .unwrap(),
            "Caddyfile"
        );
    }

    #[test]
    fn a_command_port_against_the_container_side_of_ports() {
        let (_dir, model) = test_tree(&[(
            "compose.yaml",
            "services:\n  api:\n    build: ./api\n    command: uvicorn main:app --host 0.0.0.0 --port 8000\n    ports:\n      - \"127.0.0.1:8000:80\"\n",
        )]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].params["listening"], "8000");
        let edit = findings[0].fix[0].edit.as_ref().unwrap();
        assert_eq!(edit.after.trim(), "- \"127.0.0.1:8000:8000\"");
    }

    #[test]
    fn matching_ports_and_known_images_give_nothing() {
        let (_dir, model) = test_tree(&[(
            "compose.yaml",
            "services:\n  web:\n    build: .\n    environment:\n      PORT: \"3000\"\n    ports:\n      - \"8080:3000\"\n  site:\n    image: nginx:alpine\n    environment:\n      PORT: \"8000\"\n    ports:\n      - \"80:80\"\n",
        )]);
        assert!(super::run(&model).is_empty());
    }
}
