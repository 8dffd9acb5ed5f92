//! # proxy-wrong-network-selected
//!
//! **What it detects:** Traefik's Docker provider routes to a container that
//! is on several networks, and nothing tells Traefik which one to use (no
//! `traefik.docker.network` label, no `--providers.docker.network` option),
//! while at least one of those networks is not Traefik's. Or the label or
//! option names a network that does not exist under that name, typically
//! the compose key without the project prefix (`traefik.docker.network=web`
//! for the network `myapp_web`), or one Traefik or the container is not on.
//!
//! **Why it breaks requests:** Traefik dials the container's IP address on
//! one network. Without a choice it takes whichever network Docker lists
//! first, and an IP on a network Traefik is not attached to is unroutable:
//! requests hang until `dial tcp 172.x.y.z:PORT: i/o timeout` (504) or fail
//! with `no route to host` (502), sometimes only after a restart reorders the
//! networks. A name Docker does not know is ignored with a warning (`Could
//! not find network named …`) and the same guess is made.
//!
//! **Example:** `web` is on `proxy` (shared with Traefik) and `backend`
//! (shared with its database); Traefik picks `backend` and times out.
//!
//! **Fix:** add the label `traefik.docker.network=<the engine name of the
//! shared network>` (with the `<project>_` prefix unless the network has a
//! `name:`), or set `--providers.docker.network`; then recreate the service
//! (`docker compose up -d SERVICE`).
//!
//! It is a warning offline, and an error when Traefik's log shows a timeout
//! or `no route to host` towards that container.

use super::support::network_hop;
use crate::checks::support::{service_hop, start_service_command};
use crate::finding::{Finding, FixStep, Hop, HopState, Severity};
use crate::model::{ProxyKind, StackModel};

cause!("proxy-wrong-network-selected");

/// Log causes that show Traefik could not reach the container's IP.
const UNREACHABLE: &[&str] = &["upstream-timeout", "upstream-not-running"];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for routes in &model.label_routes {
        let proxy = &model.proxies[routes.proxy];
        let (ProxyKind::Traefik, Some(traefik)) = (proxy.kind, proxy.service) else {
            continue;
        };
        let service = &model.services[routes.service];
        if model.services[traefik].uses_host_network() || service.uses_host_network() {
            continue;
        }
        let shared = model.shared_networks(traefik, routes.service);
        let own = model.networks_of(routes.service);
        let shared_names: Vec<&str> = shared
            .iter()
            .map(|&n| model.networks[n].name.as_str())
            .collect();
        let suggestion = shared_names.first().copied();
        let lines: Vec<_> = model
            .log_events
            .iter()
            .filter(|e| e.host.as_deref() == Some(service.name.as_str()))
            .filter(|e| {
                e.causes
                    .iter()
                    .any(|(c, _)| UNREACHABLE.contains(&c.as_str()))
            })
            .take(3)
            .collect();
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("service", &service.name)
            .param("proxy", &model.services[traefik].name);
        let recreate = FixStep::run(
            msg("recreate").with("service", &service.name),
            start_service_command(model, routes.service, "up -d"),
        );
        match &routes.network {
            Some(chosen) => {
                let name = chosen.value.as_str();
                let exact = model.networks.iter().position(|n| n.name == name);
                let problem = match exact {
                    Some(n) if shared.contains(&n) => continue,
                    Some(n) if own.contains(&n) => msg("named-not-proxy")
                        .with("network", name)
                        .with("proxy", &model.services[traefik].name),
                    Some(_) => msg("named-not-service")
                        .with("network", name)
                        .with("service", &service.name),
                    None => {
                        // The compose key without the project prefix?
                        let prefixed = model.networks.iter().find(|n| {
                            n.declarations
                                .iter()
                                .any(|d| d.key == name && !d.external && n.name != name)
                        });
                        match prefixed {
                            Some(n) => msg("missing-prefix")
                                .with("network", name)
                                .with("engine", &n.name),
                            None => msg("named-unknown").with("network", name),
                        }
                    }
                };
                let wanted = suggestion.unwrap_or("<shared network>");
                finding = finding
                    .severity(Severity::Error)
                    .param("network", name)
                    .evidence(chosen.origin.clone(), problem);
                let fix = if routes.network_from_label {
                    msg("fix-label").with("old", name).with("new", wanted)
                } else {
                    msg("fix-option").with("old", name).with("new", wanted)
                };
                let edit =
                    crate::checks::support::replace_on_line(model, &chosen.origin, name, wanted)
                        .filter(|_| suggestion.is_some());
                finding = match edit {
                    Some(edit) => finding.fix(FixStep::edit(fix, edit)),
                    None => finding.fix(FixStep::say(fix)),
                };
            }
            None => {
                // Only a guess among several networks, some of them not Traefik's, can go wrong.
                if own.len() < 2 || shared.is_empty() || shared.len() == own.len() {
                    continue;
                }
                let others: Vec<&str> = own
                    .iter()
                    .filter(|n| !shared.contains(n))
                    .map(|&n| model.networks[n].name.as_str())
                    .collect();
                finding = finding
                    .severity(if lines.is_empty() {
                        Severity::Warning
                    } else {
                        Severity::Error
                    })
                    .param("network", others.join(", "))
                    .evidence(
                        routes.origin.clone(),
                        msg("no-choice").with("service", &service.name),
                    );
                for attachment in &service.attachments {
                    let network = &model.networks[attachment.network].name;
                    let label = if shared.contains(&attachment.network) {
                        msg("shared").with("network", network)
                    } else {
                        msg("not-shared").with("network", network)
                    };
                    finding = finding.evidence(attachment.origin.clone(), label);
                }
                finding = finding.fix(FixStep::say(
                    msg("add-label").with("network", suggestion.unwrap_or_default()),
                ));
            }
        }
        finding = finding.log_lines(lines.iter().copied());
        let route_hop = Hop {
            label: format!("traefik route to {}", service.name),
            state: HopState::Broken,
            origin: Some(routes.origin.clone()),
        };
        findings.push(finding.fix(recreate).path(vec![
            service_hop(model, traefik, HopState::Ok),
            route_hop,
            network_hop(model, traefik, routes.service),
            service_hop(model, routes.service, HopState::Unknown),
        ]));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;
    use crate::finding::Severity;

    const TWO_NETWORKS: &str = "name: shop\nservices:\n  traefik:\n    image: traefik:v3.1\n    command:\n      - --providers.docker=true\n    networks: [proxy]\n  web:\n    image: nginx:1.27\n    labels:\n      - traefik.enable=true\n      - traefik.http.routers.web.rule=Host(`shop.example.com`)\n    networks: [proxy, backend]\n  db:\n    image: postgres:16\n    networks: [backend]\nnetworks:\n  proxy: {}\n  backend: {}\n";

    #[test]
    fn several_networks_without_a_choice_is_a_warning_at_the_label() {
        let (_dir, model) = test_tree(&[("compose.yaml", TWO_NETWORKS)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(f.subject.as_deref(), Some("web"));
        assert_eq!(f.params["network"], "shop_backend");
        let at = f.evidence[0].origin.position().unwrap();
        assert_eq!((at.line, at.column), (12, 9));
    }

    #[test]
    fn a_network_label_without_the_project_prefix_is_an_error() {
        let text = TWO_NETWORKS.replace(
            "      - traefik.enable=true\n",
            "      - traefik.enable=true\n      - traefik.docker.network=proxy\n",
        );
        let (_dir, model) = test_tree(&[("compose.yaml", &text)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.evidence[0].origin.position().unwrap().line, 12);
        let edit = f.fix[0].edit.as_ref().unwrap();
        assert_eq!(edit.after.trim(), "- traefik.docker.network=shop_proxy");
        // With the prefix, nothing is wrong.
        let right = text.replace("network=proxy", "network=shop_proxy");
        let (_dir, model) = test_tree(&[("compose.yaml", &right)]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn a_single_network_is_never_a_guess() {
        let text = TWO_NETWORKS.replace("networks: [proxy, backend]", "networks: [proxy]");
        let (_dir, model) = test_tree(&[("compose.yaml", &text)]);
        assert!(super::run(&model).is_empty());
    }
}
