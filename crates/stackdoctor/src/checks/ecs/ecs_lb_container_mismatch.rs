//! # ecs-lb-container-mismatch
//!
//! **What it detects:** an entry of the service definition's
//! `loadBalancers` whose `containerName` is no container of the task
//! definition, or whose `containerPort` is not a `containerPort` of that
//! container's `portMappings` (ecspresso verify's `container name %s and
//! port %d is not defined in task definition`).
//!
//! **Why it breaks requests:** `CreateService`/`UpdateService` fails with
//! `The container <name> did not have a container port <n> defined`, or
//! the target group registers a port nothing listens on, so the ALB's
//! health checks fail and it answers 502/503.
//!
//! **Example:** `"containerName": "app", "containerPort": 80` while the
//! task's container `app` maps `"containerPort": 8080`.
//!
//! **Fix:** make `containerName` and `containerPort` name a container and
//! one of its `portMappings`. The load balancer settings of an existing
//! service are fixed at creation: `Load balancer container name or port
//! changed in task definition` means the task must keep the old name and
//! port, or the service must be re-created.

use super::support::{base, base_for, strong_events, verify_step};
use crate::checks::support::{edit_distance, replace_on_line};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-lb-container-mismatch");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        let (Some(task), Some(service)) = (&deployment.task, &deployment.service_definition) else {
            continue;
        };
        for lb in &service.load_balancers {
            let Some(name) = &lb.container_name else {
                continue;
            };
            // A container whose name is known only at deploy time may be the one named.
            let unknown_name =
                |c: &crate::model::ecs::ContainerDefinition| c.name.value.contains("<unresolved:");
            if name.value.contains("<unresolved:") || task.containers.iter().any(unknown_name) {
                continue;
            }
            let container = task.containers.iter().find(|c| c.name.value == name.value);
            let Some(container) = container else {
                let closest = task
                    .containers
                    .iter()
                    .min_by_key(|c| edit_distance(&c.name.value, &name.value));
                let mut finding = base_for(model, deployment, CAUSE)
                    .param("container", &name.value)
                    .evidence(
                        name.origin.clone(),
                        msg("no-container").with("container", &name.value),
                    );
                if let Some(closest) = closest {
                    finding = finding.evidence(
                        closest.name.origin.clone(),
                        msg("task-container").with("container", &closest.name.value),
                    );
                    if let Some(edit) =
                        replace_on_line(model, &name.origin, &name.value, &closest.name.value)
                    {
                        finding = finding.fix(FixStep::edit(
                            msg("rename").with("container", &closest.name.value),
                            edit,
                        ));
                    }
                }
                findings.push(
                    finding
                        .log_lines(strong_events(model, CAUSE).into_iter().take(2))
                        .fix(verify_step(model)),
                );
                continue;
            };
            let Some(port) = &lb.container_port else {
                continue;
            };
            let ports: Vec<u32> = container
                .port_mappings
                .iter()
                .filter_map(|p| p.container_port.as_ref().map(|c| c.value))
                .collect();
            if ports.contains(&port.value) {
                continue;
            }
            let mut finding = base_for(model, deployment, CAUSE)
                .param("container", &name.value)
                .evidence(
                    port.origin.clone(),
                    msg("no-port")
                        .with("container", &name.value)
                        .with("port", port.value.to_string())
                        .with("ports", list(&ports)),
                );
            match container.port_mappings.first() {
                Some(mapping) => {
                    finding = finding.evidence(
                        mapping.origin.clone(),
                        msg("port-mappings")
                            .with("container", &name.value)
                            .with("ports", list(&ports)),
                    );
                    if let [only] = ports.as_slice() {
                        if let Some(edit) = replace_on_line(
                            model,
                            &port.origin,
                            &port.value.to_string(),
                            &only.to_string(),
                        ) {
                            finding = finding.fix(FixStep::edit(
                                msg("use-port").with("port", only.to_string()),
                                edit,
                            ));
                        }
                    }
                }
                None => {
                    finding = finding.evidence(
                        container.origin.clone(),
                        msg("no-mappings").with("container", &name.value),
                    )
                }
            }
            findings.push(
                finding
                    .log_lines(strong_events(model, CAUSE).into_iter().take(2))
                    .fix(verify_step(model)),
            );
        }
    }
    if findings.is_empty() {
        let lines = strong_events(model, CAUSE);
        if !lines.is_empty() {
            findings.push(
                base(model, CAUSE)
                    .log_lines(lines.into_iter().take(3))
                    .fix(verify_step(model)),
            );
        }
    }
    findings
}

fn list(ports: &[u32]) -> String {
    if ports.is_empty() {
        return "none".into();
    }
    ports
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_load_balancer_port_no_container_maps_is_given_the_mapped_one() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-lb-port-mismatch", &["--envfile", "prod.env"]),
            "ecs-service-def.json:21",
            &["\"containerPort\": 8080"],
        );
    }

    #[test]
    fn the_mapped_port_is_quiet() {
        assert_example_quiet(
            super::run,
            ("ecs-lb-port-mismatch", &["--envfile", "prod.env"]),
            &[(
                "ecs-service-def.json",
                "\"containerPort\": 80,",
                "\"containerPort\": 8080,",
            )],
        );
    }
}
