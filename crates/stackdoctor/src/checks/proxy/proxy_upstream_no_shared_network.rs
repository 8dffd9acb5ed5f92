//! # proxy-upstream-no-shared-network
//!
//! **What it detects:** the proxy's upstream names a service, but the proxy
//! container and that service share no Docker network, including the case
//! where the proxy joins an `external` network that no project in the tree
//! creates (for example `backend_default` while the backend project is
//! named something else), and the case where Caddy runs on the host.
//!
//! **Why it breaks requests:** a container resolves other containers' names
//! only on the networks it is attached to. Without a shared network the
//! name lookup fails (`no such host`) and Caddy answers 502; an external
//! network that does not exist even stops `docker compose up`.
//!
//! **Example:** Caddy's project lists `networks: [proxy]`, the app lives in
//! `backend/docker-compose.yml` on `backend_default`.
//!
//! When the engine describes the running containers (a saved `docker
//! inspect`, or the engine itself), the networks they actually joined are
//! the evidence: a proxy started by hand, or a network connected or
//! disconnected outside compose, shows there even when the files agree.
//!
//! Containers a script starts with `docker run` are read the same way: their
//! `--network`; without one they are on Docker's default bridge network,
//! where names do not resolve at all.
//!
//! **Fix:** attach the proxy to the app's network as an external network
//! (`networks: {backend: {external: true, name: backend_default}}` and
//! `networks: [default, backend]` on the proxy service), start the app's
//! project first so the network exists, and recreate the proxy container.
//! For a proxy a script runs: `docker network connect NETWORK PROXY` now, and
//! `--network NETWORK` in the script for the next deploy; on the default
//! bridge, create a network and run both containers on it.

use super::support::{log_evidence, network_hop, upstreams};
use crate::checks::engine::support::inspected;
use crate::checks::support::{
    compose_command, recreate_service_step, replace_on_line, service_hop,
};
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::engine::ContainerState;
use crate::model::StackModel;

cause!("proxy-upstream-no-shared-network");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ctx in upstreams(model) {
        let candidates = ctx.candidates();
        let Some(&target) = candidates.first() else {
            continue;
        };
        let running = running_networks(model, ctx.proxy.service, target);
        if ctx.reachable_service(model).is_some() {
            // The files say they share a network; the running containers may not.
            if let Some((proxy, service)) = running.filter(|(p, s)| !shares(p, s)) {
                findings.push(engine_only(model, &ctx, target, proxy, service));
            }
            continue;
        }
        let upstream = ctx.upstream;
        let target_service = &model.services[target];
        let target_networks: Vec<&str> = model
            .networks_of(target)
            .into_iter()
            .map(|n| model.networks[n].name.as_str())
            .collect();
        let mut finding = Finding::new(CAUSE)
            .subject(&target_service.name)
            .param("upstream", &upstream.text)
            .param("service", &target_service.name)
            // No attachment at all: Docker's default network, named `bridge`.
            .param(
                "networks",
                if target_networks.is_empty() {
                    "bridge".to_string()
                } else {
                    target_networks.join(", ")
                },
            );
        finding = finding.evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        );
        let Some(proxy_id) = ctx.proxy.service else {
            // Caddy runs on the host: container names mean nothing there.
            let published = target_service.published.first();
            let message = match published {
                Some(p) => msg("use-published")
                    .with("upstream", &upstream.text)
                    .with("suggestion", format!("localhost:{}", p.value.0)),
                None => msg("publish-port").with("service", &target_service.name),
            };
            let label = msg("host-proxy");
            finding = finding
                .evidence(upstream.origin.clone(), label)
                .fix(FixStep::say(message));
            findings.push(finding.path(ctx.path(
                HopState::Broken,
                vec![service_hop(model, target, HopState::Unknown)],
            )));
            continue;
        };
        let proxy_service = &model.services[proxy_id];
        finding = finding.param("proxy", &proxy_service.name);
        for attachment in &proxy_service.attachments {
            let network = &model.networks[attachment.network];
            let label = if network.created_by.is_none() {
                msg("external-missing").with("network", &network.name)
            } else {
                msg("proxy-network").with("network", &network.name)
            };
            finding = finding.evidence(attachment.origin.clone(), label);
        }
        for attachment in &target_service.attachments {
            let network = &model.networks[attachment.network];
            let label = msg("service-network")
                .with("service", &target_service.name)
                .with("network", &network.name);
            finding = finding.evidence(attachment.origin.clone(), label);
        }
        if let Some((proxy, service)) = running {
            for container in [proxy, service] {
                finding = finding.evidence(container.origin_of("Networks"), joined(container));
            }
        }
        finding = finding.log_lines(log_evidence(
            model,
            &upstream.host,
            upstream.port,
            &["proxy-upstream-lookup-failed"],
        ));
        // An external network nobody creates, in place of the target's real one: rename it.
        let rename = target_networks.first().and_then(|wanted| {
            proxy_service.attachments.iter().find_map(|attachment| {
                let network = &model.networks[attachment.network];
                if network.created_by.is_some() {
                    return None;
                }
                let declaration = network
                    .declarations
                    .iter()
                    .find(|d| d.project == proxy_service.project)?;
                // Only a `name:` line is renamed; the key is what services refer to.
                replace_on_line(model, &declaration.origin, &network.name, wanted)
                    .filter(|edit| edit.before.trim_start().starts_with("name:"))
                    .map(|edit| (network.name.clone(), (*wanted).to_string(), edit))
            })
        });
        let proxy_file = crate::checks::support::shown(
            model,
            &model.projects[proxy_service.project]
                .files
                .last()
                .cloned()
                .unwrap_or_default(),
        );
        let proxy_container = proxy_service
            .container_name
            .as_ref()
            .map_or(proxy_service.name.as_str(), |c| c.value.as_str());
        let by_script = proxy_service.run_command.is_some() || target_service.run_command.is_some();
        // The key (in the proxy's own compose project) of a network the target is on.
        let same_project_key = (target_service.project == proxy_service.project && !by_script)
            .then(|| {
                target_service.attachments.iter().find_map(|attachment| {
                    model.networks[attachment.network]
                        .declarations
                        .iter()
                        .find(|d| d.project == proxy_service.project)
                        .map(|d| d.key.as_str())
                })
            })
            .flatten();
        if let Some((old, new, edit)) = rename {
            finding = finding.fix(FixStep::edit(
                msg("rename-external").with("old", old).with("new", new),
                edit,
            ));
        } else if let (Some(network), true) =
            (target_networks.first(), proxy_service.run_command.is_some())
        {
            // A proxy a script runs: connect it now, and keep it connected in the script.
            finding = finding
                .fix(FixStep::run(
                    msg("connect-now").with("network", *network),
                    format!("docker network connect {network} {proxy_container}"),
                ))
                .fix(FixStep::say(
                    msg("attach-run")
                        .with("file", &proxy_file)
                        .with("network", *network)
                        .with("proxy", proxy_container),
                ));
        } else if target_networks.is_empty() && by_script {
            let stem = model.projects[proxy_service.project]
                .name
                .split('.')
                .next()
                .unwrap_or("app")
                .to_string();
            let network = format!("{stem}-net");
            finding = finding.fix(FixStep::run(
                msg("user-network")
                    .with("proxy", &proxy_service.name)
                    .with("service", &target_service.name)
                    .with("network", &network)
                    .with("file", &proxy_file),
                format!("docker network create {network}"),
            ));
        } else if let Some(key) = same_project_key {
            // Both in one project: the proxy only has to join the network by its key.
            finding = finding.fix(FixStep::say(
                msg("attach-same-project")
                    .with("proxy", &proxy_service.name)
                    .with("network", key)
                    .with(
                        "file",
                        defined_in(model, proxy_service).unwrap_or(proxy_file.clone()),
                    ),
            ));
        } else if let Some(network) = target_networks.first() {
            finding = finding.fix(FixStep::say(
                msg("attach")
                    .with("proxy", &proxy_service.name)
                    .with("network", *network)
                    .with(
                        "file",
                        crate::checks::support::shown(
                            model,
                            &model.projects[proxy_service.project]
                                .files
                                .last()
                                .cloned()
                                .unwrap_or_default(),
                        ),
                    ),
            ));
        }
        // A script creates its networks when it runs; another compose
        // project's must be up first (the proxy's own project creates its own).
        if !target_networks.is_empty()
            && target_service.run_command.is_none()
            && same_project_key.is_none()
        {
            finding = finding.fix(FixStep::run(
                msg("start-target").with("service", &target_service.name),
                format!("{} up -d", compose_command(model, target_service.project)),
            ));
        }
        finding = finding.fix(recreate_service_step(model, proxy_id));
        let tail = vec![
            service_hop(model, target, HopState::Unknown),
            network_hop(model, proxy_id, target),
        ];
        findings.push(finding.path(ctx.path(HopState::Broken, tail)));
    }
    findings
}

/// The file that lists the service's networks, else the one that defines it.
fn defined_in(model: &StackModel, service: &crate::model::Service) -> Option<String> {
    let origin = service
        .attachments
        .iter()
        .map(|a| &a.origin)
        .find(|o| o.position().is_some())
        .unwrap_or(&service.origin);
    origin
        .position()
        .map(|at| crate::checks::support::shown(model, &at.file))
}

type Running<'a> = (&'a ContainerState, &'a ContainerState);

/// The inspected containers of the proxy and the target, when the engine describes both.
fn running_networks(
    model: &StackModel,
    proxy: Option<crate::model::ServiceId>,
    target: crate::model::ServiceId,
) -> Option<Running<'_>> {
    let proxy = inspected(model, proxy?)?;
    let target = inspected(model, target)?;
    let described = |c: &ContainerState| {
        c.status() == Some("running")
            && !c.state.networks.is_empty()
            && c.state.network_mode.as_deref() != Some("host")
    };
    (described(proxy) && described(target)).then_some((proxy, target))
}

fn shares(a: &ContainerState, b: &ContainerState) -> bool {
    a.state
        .networks
        .iter()
        .any(|n| b.state.networks.iter().any(|m| m.network == n.network))
}

fn joined(container: &ContainerState) -> Message {
    let names: Vec<String> = container
        .state
        .networks
        .iter()
        .map(|n| format!("`{}`", n.network))
        .collect();
    msg("engine-networks")
        .with("container", &container.state.name)
        .with("networks", names.join(", "))
}

/// The files agree, the running containers do not: connect them now, recreate to apply the files.
fn engine_only(
    model: &StackModel,
    ctx: &super::support::UpstreamContext<'_>,
    target: crate::model::ServiceId,
    proxy: &ContainerState,
    service: &ContainerState,
) -> Finding {
    let upstream = ctx.upstream;
    let names: Vec<&str> = service
        .state
        .networks
        .iter()
        .map(|n| n.network.as_str())
        .collect();
    let mut finding = Finding::new(CAUSE)
        .subject(&model.services[target].name)
        .param("upstream", &upstream.text)
        .param("service", &model.services[target].name)
        .param("networks", names.join(", "))
        .evidence(
            upstream.origin.clone(),
            Message::new("common.upstream-here").with("upstream", &upstream.text),
        )
        .evidence(proxy.origin_of("Networks"), joined(proxy))
        .evidence(service.origin_of("Networks"), joined(service));
    if let Some(network) = names.first() {
        finding = finding.fix(FixStep::run(
            msg("connect-now").with("network", *network),
            format!("docker network connect {network} {}", proxy.state.name),
        ));
    }
    if let Some(proxy_id) = ctx.proxy.service {
        finding = finding.fix(recreate_service_step(model, proxy_id));
    }
    let tail = vec![service_hop(model, target, HopState::Unknown)];
    finding.path(ctx.path(HopState::Broken, tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{build_model, Inputs};

    fn inspect(name: &str, service: &str, network: &str) -> String {
        format!(
            r#"{{"Id": "{name}", "Name": "/{name}", "State": {{"Status": "running"}},
  "Config": {{"Labels": {{"com.docker.compose.project": "site", "com.docker.compose.service": "{service}"}}}},
  "HostConfig": {{"NetworkMode": "{network}"}},
  "NetworkSettings": {{"Networks": {{"{network}": {{"Aliases": ["{service}"], "IPAddress": "172.20.0.5"}}}}}}}}"#
        )
    }

    #[test]
    fn running_containers_on_different_networks_are_found_when_the_files_agree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "name: site\nservices:\n  caddy:\n    image: caddy:2\n    volumes: [\"./Caddyfile:/etc/caddy/Caddyfile\"]\n  web:\n    image: app\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("Caddyfile"),
            ":80 {\n\treverse_proxy web:8000\n}\n",
        )
        .unwrap();
        let saved = format!(
            "[{},\n{}]\n",
            inspect("site-caddy-1", "caddy", "bridge"),
            inspect("site-web-1", "web", "site_default")
        );
        std::fs::write(dir.path().join("inspect.json"), saved).unwrap();
        let inputs = |logs: Vec<std::path::PathBuf>| Inputs {
            root: dir.path().to_path_buf(),
            logs,
            ..Inputs::default()
        };
        let files_only = build_model(&inputs(Vec::new())).unwrap();
        assert!(run(&files_only).is_empty());
        let model = build_model(&inputs(vec![dir.path().join("inspect.json")])).unwrap();
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.params["networks"], "site_default");
        assert_eq!(f.evidence[1].label.params["networks"], "`bridge`");
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker network connect site_default site-caddy-1")
        );
    }
}
