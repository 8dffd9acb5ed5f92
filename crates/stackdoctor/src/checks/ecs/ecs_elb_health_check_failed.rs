//! # ecs-elb-health-check-failed
//!
//! **What it detects:** tasks stopped by `Task failed ELB health checks in
//! (target-group …)`, service events `(port N) is unhealthy in
//! (target-group …) due to (reason …)`, and unhealthy targets in
//! `describe-target-health` output. The finding points at the service's
//! `loadBalancers` entry, the container's port and
//! `healthCheckGracePeriodSeconds`.
//!
//! **Why it breaks requests:** the load balancer sends no traffic to an
//! unhealthy target and ECS replaces it; with every new task failing, the
//! ALB answers 502/503 and the deploy never becomes stable.
//!
//! **Example:** `Target.ResponseCodeMismatch` because the target group
//! checks `/` and the app answers 404 there, or `Target.Timeout` because the
//! task's security group does not let the ALB in on the container port.
//!
//! **Fix:** make the target group's health check path, port and matcher
//! fit the app (`aws elbv2 modify-target-group --health-check-path
//! /health`); let the ALB's security group reach the task's port; make the
//! app listen on `0.0.0.0` and that port; give slow starters a
//! `healthCheckGracePeriodSeconds`.

use super::support::{base, deploy_step, strong_events};
use crate::finding::{Finding, FixStep, Message};
use crate::model::StackModel;

cause!("ecs-elb-health-check-failed");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines = strong_events(model, CAUSE);
    let unhealthy: Vec<_> = model
        .ecs
        .runtime
        .target_health
        .iter()
        .filter(|t| t.state.eq_ignore_ascii_case("unhealthy"))
        .collect();
    if lines.is_empty() && unhealthy.is_empty() {
        return Vec::new();
    }
    let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(2));
    for target in unhealthy.iter().take(2) {
        finding = finding.evidence(
            target.origin.clone(),
            msg("target")
                .with("target", &target.target)
                .with("reason", target.reason.clone().unwrap_or_default())
                .with(
                    "description",
                    target.description.clone().unwrap_or_default(),
                ),
        );
    }
    let mut target_group = None;
    for deployment in &model.ecs.deployments {
        let Some(service) = &deployment.service_definition else {
            continue;
        };
        for lb in &service.load_balancers {
            if let Some(arn) = &lb.target_group_arn {
                target_group.get_or_insert(arn.value.clone());
            }
            let port = lb
                .container_port
                .as_ref()
                .map_or("?".into(), |p| p.value.to_string());
            finding = finding.evidence(lb.origin.clone(), msg("load-balancer").with("port", port));
        }
        match &service.health_check_grace_period {
            Some(grace) => {
                finding = finding.evidence(
                    grace.origin.clone(),
                    msg("grace").with("seconds", grace.value.to_string()),
                )
            }
            None if !service.load_balancers.is_empty() => {
                finding = finding.evidence(service.origin.clone(), msg("no-grace"));
            }
            None => {}
        }
    }
    let describe = match &target_group {
        Some(arn) if !arn.contains("<unresolved:") => format!(
            "aws elbv2 describe-target-health --target-group-arn {arn} && aws elbv2 describe-target-groups --target-group-arns {arn} --query 'TargetGroups[0].[HealthCheckPath,HealthCheckPort,Matcher]'"
        ),
        _ => "aws elbv2 describe-target-health --target-group-arn TARGET_GROUP_ARN".to_string(),
    };
    vec![finding
        .fix(FixStep::run(Message::of(CAUSE, "inspect"), describe))
        .fix(FixStep::say(msg("fix")))
        .fix(deploy_step(model))]
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn targets_failing_the_elb_health_check_are_told_to_inspect_the_group() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-elb-unhealthy", &["--envfile", "prod.env", "--logs", "logs/status.txt", "--logs", "logs/target-health.json"]),
            "logs/status.txt:11",
            &["aws elbv2 describe-target-health --target-group-arn arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
