//! # ecs-fargate-invalid-parameter
//!
//! **What it detects:** a task that runs on Fargate (its
//! `requiresCompatibilities`, or the service's `launchType`, capacity
//! provider or `platformVersion`) but uses what Fargate rejects: a
//! `networkMode` other than `awsvpc`; a service on Fargate whose task lacks
//! `FARGATE` in `requiresCompatibilities`; container parameters such as
//! `privileged`, `links`, `dnsServers`, `extraHosts`, `linuxParameters.devices`;
//! `hostname` with `awsvpc`; task `ipcMode`; Docker
//! volume configurations.
//!
//! **Why it breaks requests:** `RegisterTaskDefinition` or `UpdateService`
//! answers `ClientException` (`Fargate only supports network mode ‘awsvpc’`,
//! `Tasks using the Fargate launch type do not support ipcMode`,
//! `Task definition does not support launch_type FARGATE`) and ecspresso
//! stops before any task runs.
//!
//! **Example:** `"networkMode": "bridge"` in a task with
//! `"requiresCompatibilities": ["FARGATE"]`.
//!
//! **Fix:** use `"networkMode": "awsvpc"`, list `FARGATE` in
//! `requiresCompatibilities`, and remove the parameters Fargate does not
//! support (use `sidecars` and service discovery instead of `links`).

use super::support::{base, base_for, strong_events, tasks, verify_step};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-fargate-invalid-parameter");

/// Container parameters Fargate rejects (AWS_Fargate.md, "Task definition considerations").
const CONTAINER_PARAMETERS: &[&str] = &[
    "disableNetworking",
    "dnsSearchDomains",
    "dnsServers",
    "dockerSecurityOptions",
    "extraHosts",
    "gpu",
    "links",
    "privileged",
    "systemControls",
    "linuxParameters.devices",
    "linuxParameters.sharedMemorySize",
    "linuxParameters.tmpfs",
    "linuxParameters.maxSwap",
    "linuxParameters.swappiness",
];

/// Task parameters Fargate rejects.
const TASK_PARAMETERS: &[&str] = &["ipcMode"];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        if !deployment.is_fargate() {
            continue;
        }
        let mut finding = base_for(model, deployment, CAUSE);
        let mut problems = 0;
        let awsvpc = task.network_mode.as_ref().map(|m| m.value.as_str());
        if let Some(mode) = &task.network_mode {
            if !mode.value.eq_ignore_ascii_case("awsvpc") && !mode.value.contains("<unresolved:") {
                problems += 1;
                finding = finding.evidence(
                    mode.origin.clone(),
                    msg("network-mode").with("mode", &mode.value),
                );
                if let Some(edit) = replace_on_line(model, &mode.origin, &mode.value, "awsvpc") {
                    finding = finding.fix(FixStep::edit(msg("use-awsvpc"), edit));
                }
            }
        } else {
            problems += 1;
            finding = finding.evidence(task.origin.clone(), msg("no-network-mode"));
        }
        let lists_fargate = task
            .requires_compatibilities
            .iter()
            .any(|c| c.value.eq_ignore_ascii_case("FARGATE"));
        if !lists_fargate {
            if let Some(service) = &deployment.service_definition {
                let why = service
                    .launch_type
                    .as_ref()
                    .map(|l| l.origin.clone())
                    .or_else(|| service.capacity_providers.first().map(|c| c.origin.clone()))
                    .or_else(|| service.platform_version.as_ref().map(|p| p.origin.clone()));
                if let Some(origin) = why {
                    problems += 1;
                    finding = finding
                        .evidence(origin, msg("service-on-fargate"))
                        .evidence(task.origin.clone(), msg("task-lacks-fargate"));
                }
            }
        }
        for key in &task.keys {
            if TASK_PARAMETERS.contains(&key.value.as_str()) {
                problems += 1;
                finding = finding.evidence(
                    key.origin.clone(),
                    msg("task-parameter").with("key", &key.value),
                );
            }
        }
        for volume in &task.docker_volumes {
            problems += 1;
            finding = finding.evidence(
                volume.origin.clone(),
                msg("docker-volume").with("volume", &volume.value),
            );
        }
        for container in &task.containers {
            for key in &container.keys {
                let rejected = CONTAINER_PARAMETERS.contains(&key.value.as_str())
                    || (key.value == "hostname"
                        && awsvpc.is_some_and(|m| m.eq_ignore_ascii_case("awsvpc")));
                if rejected {
                    problems += 1;
                    finding = finding.evidence(
                        key.origin.clone(),
                        msg("container-parameter")
                            .with("container", &container.name.value)
                            .with("key", &key.value),
                    );
                }
            }
        }
        if problems > 0 {
            finding = finding.log_lines(strong_events(model, CAUSE).into_iter().take(2));
            findings.push(
                finding
                    .fix(FixStep::say(msg("remove")))
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
                    .fix(FixStep::say(msg("remove"))),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn bridge_mode_on_fargate_is_changed_to_awsvpc() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-fargate-bridge", &["--envfile", "prod.env"]),
            "ecs-task-def.json:6",
            &["\"networkMode\": \"awsvpc\"", "ecspresso verify"],
        );
    }

    #[test]
    fn a_valid_fargate_task_is_quiet() {
        assert_example_quiet(
            super::run,
            ("ecs-fargate-healthy", &["--envfile", "prod.env"]),
            &[],
        );
    }
}
