//! # app-dependency-no-shared-network
//!
//! **What it detects:** a service's environment names another compose
//! service as the host of a dependency (`DB_HOST: db`,
//! `MONGO_URL: mongodb://mongo:27017/app`), but the two services share no
//! Docker network: the app is on `front`, the database only on `back`.
//!
//! **Why it breaks requests:** a container resolves other containers' names
//! only on the networks it is attached to. The name exists, so the file
//! looks right, but the app's lookups fail (`could not translate host name`,
//! `getaddrinfo EAI_AGAIN mongo`, `Name or service not known`): it fails at
//! start-up or on every request, and the proxy in front answers 502 (or the
//! app 500).
//!
//! **Example:** `portal` lists `networks: [front]`, `mongo` lists
//! `networks: [back]`, and `portal` reads `MONGO_URL: mongodb://mongo:27017/portal`.
//!
//! **Fix:** add one of the dependency's networks to the app's `networks:`
//! (keep the ones it has; a network of another compose project is declared
//! `external: true` with its real name), then recreate the app's container.

use super::app_env_unknown_host::named_hosts;
use crate::checks::support::{recreate_service_step, shown};
use crate::checks::Facts;
use crate::finding::{Finding, FixStep};
use crate::model::{Activation, ServiceId, StackModel};

cause!("app-dependency-no-shared-network");

/// The file where a service is defined, as shown to people.
fn defined_in(model: &StackModel, id: ServiceId) -> String {
    let service = &model.services[id];
    service
        .origin
        .position()
        .map(|at| shown(model, &at.file))
        .unwrap_or_else(|| {
            let files = &model.projects[service.project].files;
            shown(
                model,
                files.last().map_or(model.root.as_path(), |f| f.as_path()),
            )
        })
}

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let names = facts.service_names();
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        // A service that shares another's network stack, or the host's, has no networks of its own.
        if service.activation != Activation::Active
            || service.network_mode.is_some()
            || service.attachments.is_empty()
        {
            continue;
        }
        let mut reported: Vec<&str> = Vec::new();
        for (entry, host, _) in named_hosts(service) {
            let resolved_locally = service.extra_hosts.iter().any(|h| {
                h.value
                    .split([':', '=', ' '])
                    .next()
                    .is_some_and(|name| name.eq_ignore_ascii_case(&host))
            }) || service
                .links
                .iter()
                .any(|l| l.value.1.eq_ignore_ascii_case(&host));
            let carriers = names.carrying(&host);
            // A service naming itself (`APP_URL: http://web:8000` in `web`) needs no network.
            if carriers.iter().any(|(carrier, _)| *carrier == id) {
                continue;
            }
            let targets: Vec<ServiceId> = carriers.iter().map(|(target, _)| *target).collect();
            let Some(&target) = targets.first() else {
                continue;
            };
            let dependency = &model.services[target];
            if resolved_locally
                || reported.contains(&dependency.name.as_str())
                || dependency.activation != Activation::Active
                || dependency.network_mode.is_some()
                || dependency.attachments.is_empty()
                || targets
                    .iter()
                    .any(|&t| !model.shared_networks(id, t).is_empty())
            {
                continue;
            }
            reported.push(&dependency.name);
            let mut finding = Finding::new(CAUSE)
                .subject(&service.name)
                .param("service", &service.name)
                .param("dependency", &dependency.name)
                .param("variable", &entry.name)
                .evidence(
                    entry.origin.clone(),
                    msg("names-service")
                        .with("variable", &entry.name)
                        .with("dependency", &dependency.name),
                );
            for (who, attachments) in [
                (&service.name, &service.attachments),
                (&dependency.name, &dependency.attachments),
            ] {
                for attachment in attachments {
                    finding = finding.evidence(
                        attachment.origin.clone(),
                        msg("on-network")
                            .with("service", who)
                            .with("network", &model.networks[attachment.network].name),
                    );
                }
            }
            finding = finding.log_lines(
                model
                    .log_events
                    .iter()
                    .filter(|e| {
                        e.service.as_deref() == Some(service.name.as_str())
                            && e.message.contains(host.as_str())
                    })
                    .take(2),
            );
            let attachment = &dependency.attachments[0];
            let network = &model.networks[attachment.network];
            // The key the app's own project knows the network by, if it declares it.
            let key = network
                .declarations
                .iter()
                .find(|d| d.project == service.project)
                .map(|d| d.key.clone());
            let step = match key {
                Some(key) => msg("join-network")
                    .with("file", defined_in(model, id))
                    .with("service", &service.name)
                    .with("network", key),
                None => msg("join-external")
                    .with("file", defined_in(model, id))
                    .with("service", &service.name)
                    .with("network", &network.name),
            };
            findings.push(
                finding
                    .fix(FixStep::say(step))
                    .fix(recreate_service_step(model, id)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{test_tree, the_finding};
    use crate::checks::Facts;

    const APART: &str = "services:\n  portal:\n    image: portal\n    environment:\n      MONGO_URL: mongodb://mongo:27017/portal\n    networks:\n      - front\n  mongo:\n    image: mongo:4.4.3\n    networks:\n      - back\nnetworks:\n  front:\n  back:\n";

    #[test]
    fn a_dependency_on_another_network_is_told_to_join_it() {
        let (dir, model) = test_tree(&[("compose.yaml", APART)]);
        let findings = super::run(&Facts::new(&model));
        let (at, fix) = the_finding(dir.path(), &findings, super::CAUSE);
        assert_eq!(at, "compose.yaml:5");
        let join = &findings[0].fix[0].message;
        assert_eq!(join.key, "app-dependency-no-shared-network.join-network");
        assert_eq!(join.params["network"], "back");
        assert_eq!(join.params["file"], "compose.yaml");
        assert!(fix.contains("up -d --force-recreate portal"), "{fix}");
        let evidence: Vec<String> = findings[0]
            .evidence
            .iter()
            .filter_map(|e| e.origin.position().map(|p| p.line.to_string()))
            .collect();
        assert_eq!(evidence, ["5", "7", "11"], "the variable and both networks");
    }

    #[test]
    fn services_on_a_shared_network_or_the_default_one_are_quiet() {
        let shared = APART.replace("      - front\n", "      - front\n      - back\n");
        let default = "services:\n  portal:\n    image: portal\n    environment:\n      MONGO_URL: mongodb://mongo:27017/portal\n  mongo:\n    image: mongo:4.4.3\n";
        let linked = APART.replace(
            "    networks:\n      - front\n",
            "    networks:\n      - front\n    extra_hosts:\n      - \"mongo:10.0.0.5\"\n",
        );
        for text in [shared.as_str(), default, linked.as_str()] {
            let (_dir, model) = test_tree(&[("compose.yaml", text)]);
            let findings = super::run(&Facts::new(&model));
            assert!(findings.is_empty(), "{text}\n{findings:#?}");
        }
        // Two projects each with a `web` that names itself: neither means the other.
        let web = "services:\n  web:\n    image: web\n    environment:\n      APP_URL: http://web:8000\n    networks:\n      - NET\nnetworks:\n  NET:\n";
        let (_dir, model) = test_tree(&[
            ("shop/compose.yaml", &web.replace("NET", "shop")),
            ("blog/compose.yaml", &web.replace("NET", "blog")),
        ]);
        assert_eq!(model.services.len(), 2, "both projects are read");
        assert!(super::run(&Facts::new(&model)).is_empty());
    }
}
