//! # ecs-container-exited
//!
//! **What it detects:** stopped tasks whose essential container exited
//! (`Essential container in task exited`) with a non-zero exit code, from
//! describe-tasks output, `ecspresso run`'s `container: …, exit code: …`
//! lines or events. The finding says what the exit code means (1 app
//! error, 127 command not found, 137 killed, 139 segfault, 143 SIGTERM)
//! and points at the container's `command` and `entryPoint`.
//!
//! **Why it breaks requests:** ECS replaces the task, the replacement
//! exits the same way, the deployment circuit breaker (if on) rolls back,
//! and ecspresso's wait for a stable service times out.
//!
//! **Example:** `exitCode: 1` with the log line
//! `KeyError: 'DATABASE_URL'` in CloudWatch Logs.
//!
//! **Fix:** read the container's last log lines
//! (`aws logs tail <awslogs-group> --since 30m`), fix what
//! they say (often a missing environment variable or secret), then deploy
//! again.

use super::support::{base, deploy_step, events, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-container-exited");

/// Exit codes the catalogue explains (`ecs-container-exited.exit-<code>`).
const EXPLAINED: &[i64] = &[1, 2, 126, 127, 134, 137, 139, 143, 255];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let exits: Vec<_> = model
        .ecs
        .runtime
        .stopped_tasks
        .iter()
        .filter_map(|t| {
            let oom = t.containers.iter().any(|c| {
                c.reason
                    .as_deref()
                    .is_some_and(|r| r.contains("OutOfMemory"))
            });
            let health = t
                .stopped_reason
                .as_deref()
                .is_some_and(|r| r.contains("health check"));
            if oom || health {
                return None; // their own causes
            }
            t.containers
                .iter()
                .find(|c| c.exit_code.is_some_and(|x| x != 0))
                .map(|c| (t, c))
        })
        .collect();
    let mut lines = strong_events(model, CAUSE);
    if exits.is_empty() && lines.is_empty() {
        return Vec::new();
    }
    if !exits.is_empty() {
        // With the exit known, any line about it helps, however weak alone.
        lines = events(model, CAUSE);
        lines.extend(events(model, "container-entrypoint-not-found"));
        lines.dedup_by(|a, b| a.origin == b.origin);
    }
    let mut finding = base(model, CAUSE);
    let mut first = None;
    let mut shown: Vec<(String, i64)> = Vec::new();
    for (task, container) in &exits {
        let code = container.exit_code.unwrap_or(0);
        first.get_or_insert((container.name.clone(), code));
        // One piece of evidence per container and code; the count says how often.
        if shown.contains(&(container.name.clone(), code)) {
            continue;
        }
        shown.push((container.name.clone(), code));
        let meaning = if EXPLAINED.contains(&code) {
            format!("exit-{code}")
        } else {
            "exit-other".to_string()
        };
        let at = if container.origin.position().is_some_and(|p| p.line > 1) {
            &container.origin
        } else {
            &task.origin
        };
        finding = finding.evidence(
            at.clone(),
            msg("exited")
                .with("container", &container.name)
                .with("code", code.to_string())
                .with(
                    "reason",
                    container
                        .reason
                        .clone()
                        .or(task.stopped_reason.clone())
                        .unwrap_or_default(),
                ),
        );
        finding = finding.evidence(at.clone(), msg(&meaning).with("code", code.to_string()));
    }
    finding = finding.param("count", exits.len().to_string()).log_lines(
        lines
            .iter()
            .copied()
            .take(if exits.is_empty() { 3 } else { 2 }),
    );
    if let Some((name, code)) = &first {
        finding = finding
            .param("container", name)
            .param("code", code.to_string());
        for (_, task) in tasks(model) {
            if let Some(container) = task.containers.iter().find(|c| &c.name.value == name) {
                if let Some(command) = container
                    .command
                    .as_ref()
                    .or(container.entry_point.as_ref())
                {
                    finding = finding.evidence(
                        command.origin.clone(),
                        msg("command").with("command", command.value.join(" ")),
                    );
                }
            }
        }
    } else {
        finding = finding.param("container", "?").param("code", "?");
    }
    let group = tasks(model)
        .flat_map(|(_, t)| &t.containers)
        .flat_map(|c| &c.log_options)
        .find(|o| o.value.0 == "awslogs-group")
        .map(|o| o.value.1.clone());
    finding = finding.fix(FixStep::run(
        msg("read-logs"),
        match group {
            Some(group) => format!("aws logs tail {group} --since 30m"),
            None => "aws logs tail LOG_GROUP --since 30m".to_string(),
        },
    ));
    vec![finding
        .fix(FixStep::say(msg("fix-error")))
        .fix(deploy_step(model))]
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn an_essential_container_exiting_127_is_told_to_read_its_logs() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-container-exited-127",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/describe-tasks.json",
                    "--logs",
                    "logs/app-logs.json",
                ],
            ),
            "logs/describe-tasks.json:45",
            &["aws logs tail /ecs/api", "ecspresso deploy"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
