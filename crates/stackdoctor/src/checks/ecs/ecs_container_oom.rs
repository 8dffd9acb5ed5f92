//! # ecs-container-oom
//!
//! **What it detects:** stopped tasks whose container reason is
//! `OutOfMemoryError: Container killed due to memory usage` (exit code 137),
//! from describe-tasks output, task state change events or CloudWatch
//! exports; the finding points at the container's `memory` and the task's
//! `memory` in the task definition.
//!
//! **Why it breaks requests:** the kernel kills the container when it
//! passes its hard `memory` limit (or the task's, which sidecars share);
//! ECS replaces the task, the new one is killed the same way, and the
//! service never becomes stable.
//!
//! **Example:** a JVM with `-Xmx1g` in a container with `"memory": 1024`.
//!
//! **Fix:** raise the container's `memory` (and the task's, within the
//! Fargate table), or lower the app's heap (`-XX:MaxRAMPercentage=75`,
//! `NODE_OPTIONS=--max-old-space-size=…`); count sidecars such as the log
//! router. Watch `MemoryUtilized` in Container Insights.

use super::support::{base, deploy_step, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-container-oom");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let stopped: Vec<_> = model
        .ecs
        .runtime
        .stopped_tasks
        .iter()
        .filter_map(|t| {
            t.containers
                .iter()
                .find(|c| {
                    c.reason
                        .as_deref()
                        .is_some_and(|r| r.contains("OutOfMemory"))
                })
                .map(|c| (t, c))
        })
        .collect();
    let lines = strong_events(model, CAUSE);
    if stopped.is_empty() && lines.is_empty() {
        return Vec::new();
    }
    let mut finding = base(model, CAUSE);
    let mut container_name = None;
    for (task, container) in stopped.iter().take(2) {
        container_name.get_or_insert(container.name.clone());
        let at = if container.origin.position().is_some_and(|p| p.line > 1) {
            &container.origin
        } else {
            &task.origin
        };
        finding = finding.evidence(
            at.clone(),
            msg("killed").with("container", &container.name).with(
                "exit",
                container.exit_code.map_or("?".into(), |c| c.to_string()),
            ),
        );
    }
    finding = finding.log_lines(
        lines
            .iter()
            .copied()
            .take(if stopped.is_empty() { 3 } else { 1 }),
    );
    finding = finding.param("count", (stopped.len().max(lines.len())).to_string());
    for (_, task) in tasks(model) {
        let container = task
            .containers
            .iter()
            .find(|c| container_name.as_deref().is_none_or(|n| n == c.name.value));
        if let Some(memory) = container.and_then(|c| c.memory.as_ref()) {
            finding = finding.evidence(
                memory.origin.clone(),
                msg("container-memory").with("memory", memory.value.to_string()),
            );
        }
        if let Some(memory) = &task.memory {
            finding = finding.evidence(
                memory.origin.clone(),
                msg("task-memory").with("memory", &memory.value.text),
            );
        }
    }
    vec![finding
        .fix(FixStep::say(msg("raise")))
        .fix(deploy_step(model))]
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn tasks_stopped_out_of_memory_are_told_to_raise_the_limit() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-oom-timeout",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/deploy.log",
                    "--logs",
                    "logs/describe-tasks.json",
                ],
            ),
            "logs/describe-tasks.json:45",
            &["ecs-container-oom.raise", "ecspresso deploy"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
