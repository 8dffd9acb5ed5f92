//! # ecs-no-capacity
//!
//! **What it detects:** service events and errors that say ECS found no
//! place for the task: `was unable to place a task because no container
//! instance met all of its requirements` (with the closest instance's
//! missing CPU, memory or port), `Capacity is unavailable at this time`
//! (Fargate, Spot), and the account's limits (`You've reached the limit on
//! the number of vCPUs you can run concurrently`). The finding points at the
//! task's cpu and memory and the service's launch type or capacity provider.
//!
//! **Why it breaks requests:** tasks stay PENDING; the service keeps its
//! old tasks or none, and the deploy times out.
//!
//! **Example:** an EC2 cluster of `t3.small` instances (2048 MiB) and a
//! task asking for `"memory": "4096"`.
//!
//! **Fix:** EC2: add instances or raise the Auto Scaling group / capacity
//! provider, shrink the task, use dynamic host ports (`hostPort` 0) so
//! tasks share an instance. Fargate: retry, spread subnets over more
//! Availability Zones, add `FARGATE` next to `FARGATE_SPOT`, or ask for a
//! quota increase (Service Quotas, "Fargate On-Demand vCPU").

use super::support::{base, deploy_step, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-no-capacity");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines = strong_events(model, CAUSE);
    if lines.is_empty() {
        return Vec::new();
    }
    let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(2));
    for (deployment, task) in tasks(model) {
        if let Some(cpu) = &task.cpu {
            finding = finding.evidence(
                cpu.origin.clone(),
                msg("task-size").with("cpu", &cpu.value.text).with(
                    "memory",
                    task.memory
                        .as_ref()
                        .map_or("?".into(), |m| m.value.text.clone()),
                ),
            );
        }
        if let Some(service) = &deployment.service_definition {
            if let Some(launch) = &service.launch_type {
                finding = finding.evidence(
                    launch.origin.clone(),
                    msg("launch-type").with("launch_type", &launch.value),
                );
            }
            for provider in &service.capacity_providers {
                finding = finding.evidence(
                    provider.origin.clone(),
                    msg("capacity-provider").with("provider", &provider.value),
                );
            }
        }
    }
    vec![finding
        .fix(FixStep::say(msg("fix")))
        .fix(deploy_step(model))]
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn an_event_of_no_capacity_is_reported() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-no-capacity",
                &["--envfile", "prod.env", "--logs", "logs/status.txt"],
            ),
            "logs/status.txt:9",
            &["ecs-no-capacity.fix", "ecspresso deploy"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
