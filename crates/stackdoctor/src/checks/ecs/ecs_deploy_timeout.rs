//! # ecs-deploy-timeout
//!
//! **What it detects:** ecspresso gave up waiting for the service
//! (`failed to wait for service stable: exceeded max wait time for
//! ServicesStable waiter`, the guide's `timeout waiting for service
//! stable`, a circuit-breaker `deployment failed`), or another deploy tool
//! did (copilot's `[failed]` rollout, CloudFormation/CDK's `Service … did
//! not stabilize` and `Exceeded attempts to wait (… NotStabilized)`, the
//! GitHub Action's `Resource is not in the state servicesStable`), and the risks in the
//! files: a `timeout` shorter than the target group's health checks and
//! deregistration delay need, or a bare number, which ecspresso v2 reads as
//! nanoseconds.
//!
//! **Why it breaks requests:** the deploy is reported as failed (CI goes
//! red) although ECS may still converge, or roll back. The timeout is
//! almost always a symptom: tasks that stop (pull errors, exits, failed
//! health checks) never let the service become stable. Other findings that
//! explain it are listed first and the timeout goes under them; only when
//! the output shows healthy but slow progress is the timeout itself the
//! cause.
//!
//! **Example:** `timeout: 300` in `ecspresso.yml` (300 ns), or `timeout: 5m`
//! with `healthCheckGracePeriodSeconds: 300` and a 300-second
//! deregistration delay.
//!
//! **Fix:** first fix why tasks stop (`aws ecs describe-tasks` of the
//! stopped tasks, piped into `stackdoctor diagnose --logs -`); when tasks
//! are healthy but slow, write the timeout as a Go duration long enough for
//! start-up, grace period, health checks and draining (`timeout: 20m`) or
//! pass `--timeout 20m`.

use super::support::{base, base_for, describe_stopped_step, events};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::ecs::Timeout;
use crate::model::StackModel;

cause!("ecs-deploy-timeout");

/// What a deploy needs at least, in seconds, beyond the grace period:
/// two ALB health checks at the default 30 s, plus the default 300 s
/// deregistration delay of the old tasks.
const DEFAULT_HEALTH_AND_DRAIN_SECONDS: f64 = 2.0 * 30.0 + 300.0;

/// A finding about the `timeout` setting itself: the causes that stop tasks
/// do not take it as their symptom.
fn setting_finding(
    model: &StackModel,
    deployment: &crate::model::ecs::EcspressoDeployment,
) -> Finding {
    base_for(model, deployment, CAUSE).about_setting()
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    let lines = events(model, CAUSE);
    // A rollout that failed (circuit breaker) ended the same way, even when
    // ecspresso v2.3 said "stable": the service is back on the old revision.
    let rolled_back = model
        .ecs
        .runtime
        .services
        .iter()
        .flat_map(|s| &s.deployments)
        .any(|d| d.rollout_state.as_deref() == Some("FAILED"));
    let timed_out = lines
        .iter()
        .any(|e| e.causes.iter().any(|(c, w)| c == CAUSE && *w >= 80))
        || rolled_back
        || model.ecs.runtime.ecspresso.iter().any(|e| {
            matches!(
                e.failure.as_deref(),
                Some("wait-stable-timeout" | "deployment-failed")
            )
        });
    for deployment in &model.ecs.deployments {
        let Some(timeout) = &deployment.timeout else {
            continue;
        };
        let grace = deployment
            .service_definition
            .as_ref()
            .and_then(|s| s.health_check_grace_period.as_ref());
        let needed = grace.map_or(0.0, |g| f64::from(g.value)) + DEFAULT_HEALTH_AND_DRAIN_SECONDS;
        match &timeout.value {
            Timeout::BareNumber { nanoseconds } => {
                let mut finding = setting_finding(model, deployment)
                    .severity(Severity::Error)
                    .evidence(
                        timeout.origin.clone(),
                        msg("bare-number").with("value", format!("{nanoseconds}")),
                    );
                let seconds = *nanoseconds as u64;
                let written = format!("{seconds}");
                if let Some(edit) = replace_on_line(
                    model,
                    &timeout.origin,
                    &written,
                    &format!("{}s", seconds.max(1)),
                ) {
                    finding = finding.fix(FixStep::edit(msg("write-duration"), edit));
                } else {
                    finding = finding.fix(FixStep::say(msg("write-duration")));
                }
                findings.push(finding.log_lines(lines.iter().copied().take(2)));
            }
            Timeout::Duration { seconds } if *seconds < needed => {
                let mut finding = setting_finding(model, deployment)
                    .severity(if timed_out {
                        Severity::Error
                    } else {
                        Severity::Warning
                    })
                    .evidence(
                        timeout.origin.clone(),
                        msg("short")
                            .with("timeout", format_seconds(*seconds))
                            .with("needed", format_seconds(needed)),
                    );
                if let Some(grace) = grace {
                    finding = finding.evidence(
                        grace.origin.clone(),
                        msg("grace").with("seconds", grace.value.to_string()),
                    );
                }
                findings.push(
                    finding
                        .log_lines(lines.iter().copied().take(2))
                        .fix(FixStep::say(
                            msg("raise").with("needed", format_seconds(needed)),
                        )),
                );
            }
            _ => {}
        }
    }
    if findings.is_empty() && timed_out {
        let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(3));
        if let Some(failed) = model
            .ecs
            .runtime
            .services
            .iter()
            .flat_map(|s| &s.deployments)
            .find(|d| d.rollout_state.as_deref() == Some("FAILED"))
        {
            finding = finding.evidence(
                failed.origin.clone(),
                msg("rollout-failed")
                    .with("revision", &failed.task_definition)
                    .with("reason", failed.rollout_reason.clone().unwrap_or_default()),
            );
        }
        if healthy_but_slow(model) {
            finding = finding.fix(FixStep::say(msg("slow-but-healthy")));
        } else {
            finding = finding
                .fix(FixStep::say(msg("find-why")))
                .fix(describe_stopped_step(model));
        }
        findings.push(finding);
    }
    findings
}

/// The output shows progress and nothing stopping: tasks started, targets
/// registered or a steady state, and no stopped task with an error.
fn healthy_but_slow(model: &StackModel) -> bool {
    let runtime = &model.ecs.runtime;
    let progress = runtime.services.iter().flat_map(|s| &s.events).any(|e| {
        e.value.contains("has started")
            || e.value.contains("registered")
            || e.value.contains("steady state")
    });
    let failing = runtime.stopped_tasks.iter().any(|t| {
        t.stop_code.as_deref() == Some("TaskFailedToStart")
            || t.containers
                .iter()
                .any(|c| c.exit_code.is_some_and(|x| x != 0))
    }) || model.log_events.iter().any(|e| {
        e.causes
            .iter()
            .any(|(c, w)| c.starts_with("ecs-") && c != CAUSE && *w >= 60)
    });
    progress && !failing
}

fn format_seconds(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 60, s % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_timeout_without_a_unit_is_given_one() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-timeout-nanoseconds", &["--envfile", "prod.env"]),
            "ecspresso.yml:6",
            &["timeout: 600s"],
        );
    }

    #[test]
    fn a_timeout_with_a_unit_is_quiet() {
        assert_example_quiet(
            super::run,
            ("ecs-timeout-nanoseconds", &["--envfile", "prod.env"]),
            &[("ecspresso.yml", "timeout: 600 #", "timeout: 600s #")],
        );
    }
}
