//! # ecs-container-health-check-failed
//!
//! **What it detects:** tasks stopped by `Task failed container health
//! checks` (from describe-tasks output or service events), and the risks a
//! task definition's `healthCheck` shows before any deploy: a `CMD-SHELL`
//! that calls `curl` or `wget` (slim and distroless images lack them), a
//! command that is not `CMD`/`CMD-SHELL`, values outside ECS's ranges
//! (interval 5–300, timeout 2–60, retries 1–10, startPeriod 0–300), a
//! timeout not shorter than the interval, and no `startPeriod` at all.
//!
//! **Why it breaks requests:** an essential container marked UNHEALTHY is
//! stopped and replaced, again and again; the service never becomes
//! stable and ecspresso's wait times out.
//!
//! **Example:** `"command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]`
//! in an image built `FROM python:3.12-slim`, which has no `curl`.
//!
//! **Fix:** use a tool the image has (`python -c "import urllib.request…"`,
//! the app's own `healthcheck` subcommand, or install `curl`), keep the
//! values in range, and give `startPeriod` at least the app's start-up time.

use super::support::{base, describe_stopped_step, strong_events, tasks};
use crate::finding::{Finding, FixStep, Severity};
use crate::model::StackModel;

cause!("ecs-container-health-check-failed");

/// (field, minimum, maximum) of ECS's `HealthCheck`.
const RANGES: &[(&str, u32, u32)] = &[
    ("interval", 5, 300),
    ("timeout", 2, 60),
    ("retries", 1, 10),
    ("startPeriod", 0, 300),
];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines = strong_events(model, CAUSE);
    let mut findings = Vec::new();
    for (_, task) in tasks(model) {
        for container in &task.containers {
            let Some(check) = &container.health_check else {
                continue;
            };
            let mut finding = base(model, CAUSE).param("container", &container.name.value);
            let mut risks = 0;
            let command = &check.command.value;
            let kind = command.first().map(String::as_str).unwrap_or("");
            if kind != "CMD" && kind != "CMD-SHELL" {
                risks += 1;
                finding = finding.evidence(
                    check.command.origin.clone(),
                    msg("not-cmd").with("first", kind),
                );
            }
            let script = command.get(1..).unwrap_or(&[]).join(" ");
            for tool in ["curl", "wget"] {
                if script
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == tool)
                {
                    risks += 1;
                    finding = finding.evidence(
                        check.command.origin.clone(),
                        msg("tool").with("tool", tool).with("command", &script),
                    );
                }
            }
            let values = [
                ("interval", &check.interval),
                ("timeout", &check.timeout),
                ("retries", &check.retries),
                ("startPeriod", &check.start_period),
            ];
            for (name, value) in values {
                let Some(value) = value else { continue };
                let Some((_, min, max)) = RANGES.iter().find(|(n, _, _)| *n == name) else {
                    continue;
                };
                if value.value < *min || value.value > *max {
                    risks += 1;
                    finding = finding.evidence(
                        value.origin.clone(),
                        msg("range")
                            .with("field", name)
                            .with("value", value.value.to_string())
                            .with("min", min.to_string())
                            .with("max", max.to_string()),
                    );
                }
            }
            let interval = check.interval.as_ref().map_or(30, |i| i.value);
            if let Some(timeout) = &check.timeout {
                if timeout.value >= interval {
                    risks += 1;
                    finding = finding.evidence(
                        timeout.origin.clone(),
                        msg("timeout-not-shorter")
                            .with("timeout", timeout.value.to_string())
                            .with("interval", interval.to_string()),
                    );
                }
            }
            let no_start_period = check.start_period.is_none();
            if no_start_period {
                risks += 1;
                finding = finding.evidence(check.origin.clone(), msg("no-start-period"));
            }
            if risks == 0 {
                continue;
            }
            if lines.is_empty() {
                // Seen in files only: a risk. The output proves it an error.
                finding = super::support::as_risk(finding);
            } else {
                finding = finding.log_lines(lines.iter().copied().take(2));
            }
            findings.push(finding.fix(FixStep::say(msg("fix"))));
        }
    }
    if findings.iter().all(|f| f.severity != Severity::Error) && !lines.is_empty() {
        findings.push(
            base(model, CAUSE)
                .log_lines(lines.into_iter().take(3))
                .fix(FixStep::say(msg("fix")))
                .fix(describe_stopped_step(model)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn a_health_check_failing_in_the_container_is_shown_at_its_command() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-healthcheck-curl",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/deploy.log",
                    "--logs",
                    "logs/describe-tasks.json",
                ],
            ),
            "ecs-task-def.json:52",
            &["ecs-container-health-check-failed.fix"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
