//! # stack-drift
//!
//! **What it detects:** a running container (as `docker inspect` or the
//! engine describes it) was created from another configuration than the
//! files say now: another image, other published ports, other networks, or
//! an environment variable with another value or missing.
//!
//! **Why it breaks requests:** compose applies a changed file only when it
//! recreates the container. Until then the old configuration runs: the
//! fix someone already made in the file is not live, and a diagnosis of the
//! files describes a stack that is not the one answering.
//!
//! **Example:** `ports: ["8080:8000"]` was changed to `"8080:8080"`, but
//! `docker inspect` of the running `web` still binds `8000/tcp`.
//!
//! **Fix:** recreate the service from the files: `docker compose up -d
//! SERVICE` (compose recreates containers whose configuration changed).

use super::support::{inspected, up_command};
use crate::finding::{Finding, FixStep};
use crate::model::{Origin, StackModel};
use std::collections::BTreeSet;

cause!("stack-drift");

/// One difference: what, the files' value and origin, the running value.
struct Difference {
    what: &'static str,
    files: String,
    files_origin: Origin,
    running: String,
    running_field: &'static str,
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, service) in model.services.iter().enumerate() {
        let Some(container) = inspected(model, id) else {
            continue;
        };
        let state = &container.state;
        let mut differences = Vec::new();
        // Image: only when the files name one (a built image's name is compose's choice).
        if let (Some(image), Some(running)) = (&service.image, &state.image) {
            if !image.value.contains('$') && normalized(&image.value) != normalized(running) {
                differences.push(Difference {
                    what: "image",
                    files: image.value.clone(),
                    files_origin: image.origin.clone(),
                    running: running.clone(),
                    running_field: "Image",
                });
            }
        }
        // Published container ports.
        let wanted: BTreeSet<u16> = service.published.iter().map(|p| p.value.1).collect();
        let running_ports: BTreeSet<u16> = state
            .ports
            .iter()
            .filter(|p| p.host_port.is_some())
            .map(|p| p.container_port)
            .collect();
        if let Some(first) = service.published.first() {
            if wanted != running_ports {
                differences.push(Difference {
                    what: "ports",
                    files: list(&wanted),
                    files_origin: first.origin.clone(),
                    running: list(&running_ports),
                    running_field: "PortBindings",
                });
            }
        }
        // Networks (not under `network_mode:`).
        if service.network_mode.is_none() && !state.networks.is_empty() {
            let wanted: BTreeSet<&str> = service
                .attachments
                .iter()
                .map(|a| model.networks[a.network].name.as_str())
                .collect();
            let joined: BTreeSet<&str> =
                state.networks.iter().map(|n| n.network.as_str()).collect();
            if let (false, Some(first)) = (wanted == joined, service.attachments.first()) {
                differences.push(Difference {
                    what: "networks",
                    files: wanted.into_iter().collect::<Vec<_>>().join(", "),
                    files_origin: first.origin.clone(),
                    running: joined.into_iter().collect::<Vec<_>>().join(", "),
                    running_field: "Networks",
                });
            }
        }
        // Environment: what the files set, with a known value, must be in the container as is.
        if state.from == Some(dockerengine::ContainerFrom::Inspect) {
            for entry in &service.environment {
                let Some(value) = entry.value.as_ref().filter(|v| !v.contains('$')) else {
                    continue;
                };
                let running = state.env.iter().find(|(n, _)| *n == entry.name);
                let differs = running.is_none_or(|(_, v)| v != value);
                if differs {
                    let secret = crate::secrets::is_secret_name(&entry.name);
                    let shown = |v: &str| {
                        if secret {
                            format!("{}=****", entry.name)
                        } else {
                            format!("{}={v}", entry.name)
                        }
                    };
                    differences.push(Difference {
                        what: "environment",
                        files: shown(value),
                        files_origin: entry.origin.clone(),
                        running: running.map_or(format!("no {}", entry.name), |(_, v)| shown(v)),
                        running_field: "Env",
                    });
                }
            }
        }
        if differences.is_empty() {
            continue;
        }
        let what: Vec<&str> = differences
            .iter()
            .map(|d| d.what)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut finding = Finding::new(CAUSE)
            .subject(&service.name)
            .param("service", &service.name)
            .param("what", what.join(", "));
        for d in &differences {
            finding = finding
                .evidence(
                    d.files_origin.clone(),
                    msg("files-say")
                        .with("what", d.what)
                        .with("value", &d.files),
                )
                .evidence(
                    container.origin_of(d.running_field),
                    msg("running-has")
                        .with("container", &state.name)
                        .with("what", d.what)
                        .with("value", &d.running),
                );
        }
        findings.push(finding.fix(FixStep::run(
            msg("apply").with("service", &service.name),
            up_command(model, &container.join, &service.name),
        )));
    }
    findings
}

/// `nginx` and `docker.io/library/nginx:latest` are the same image.
fn normalized(image: &str) -> String {
    let image = image
        .trim_start_matches("docker.io/")
        .trim_start_matches("library/");
    let tagged = image
        .rsplit_once(':')
        .is_some_and(|(_, tag)| !tag.contains('/'))
        || image.contains('@');
    if tagged {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

fn list(ports: &BTreeSet<u16>) -> String {
    if ports.is_empty() {
        return "none".to_string();
    }
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{build_model, Inputs};

    fn diagnose(compose: &str, inspect: &str) -> Vec<Finding> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        std::fs::write(dir.path().join("inspect.json"), inspect).unwrap();
        let model = build_model(&Inputs {
            root: dir.path().to_path_buf(),
            logs: vec![dir.path().join("inspect.json")],
            ..Inputs::default()
        })
        .unwrap();
        run(&model)
    }

    fn inspect(image: &str, port: u16, network: &str, env: &str) -> String {
        format!(
            r#"[{{"Id": "9", "Name": "/app-web-1", "State": {{"Status": "running"}},
  "Config": {{"Image": "{image}", "Env": [{env}],
   "Labels": {{"com.docker.compose.project": "app", "com.docker.compose.service": "web"}}}},
  "HostConfig": {{"PortBindings": {{"{port}/tcp": [{{"HostIp": "", "HostPort": "8080"}}]}}}},
  "NetworkSettings": {{"Networks": {{"{network}": {{"Aliases": ["web"], "IPAddress": "172.18.0.2"}}}}}}}}]"#
        )
    }

    const COMPOSE: &str = "name: app\nservices:\n  web:\n    image: shop/web:2\n    ports: [\"8080:8000\"]\n    environment:\n      MODE: prod\n      API_TOKEN: abcdef123\n";

    #[test]
    fn the_same_config_is_no_drift() {
        let same = inspect(
            "shop/web:2",
            8000,
            "app_default",
            r#""MODE=prod", "API_TOKEN=abcdef123", "PATH=/usr/bin""#,
        );
        assert!(diagnose(COMPOSE, &same).is_empty());
    }

    #[test]
    fn image_ports_networks_and_env_differences_are_each_shown() {
        let old = inspect("shop/web:1", 8080, "bridge", r#""MODE=dev""#);
        let findings = diagnose(COMPOSE, &old);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.params["what"], "environment, image, networks, ports");
        let running: Vec<String> = f
            .evidence
            .iter()
            .filter(|e| e.label.key == "stack-drift.running-has")
            .map(|e| e.label.params["value"].clone())
            .collect();
        assert_eq!(
            running,
            ["shop/web:1", "8080", "bridge", "no API_TOKEN", "MODE=dev"]
        );
        // A secret's value is never shown.
        assert!(f.evidence.iter().all(|e| !e
            .label
            .params
            .values()
            .any(|v| v.contains("abcdef123"))));
        assert!(f.fix[0].command.as_deref().unwrap().ends_with("up -d web"));
    }

    #[test]
    fn image_names_compare_as_docker_reads_them() {
        assert_eq!(
            normalized("nginx"),
            normalized("docker.io/library/nginx:latest")
        );
        assert_ne!(normalized("nginx:1.25"), normalized("nginx"));
        assert_eq!(
            normalized("localhost:5000/app"),
            "localhost:5000/app:latest"
        );
    }
}
