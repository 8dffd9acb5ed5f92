//! # ecs-secrets-pull-failed
//!
//! **What it detects:** tasks stopped with `ResourceInitializationError:
//! unable to pull secrets or registry auth` caused by access or a missing
//! secret (`AccessDeniedException`, `ResourceNotFoundException`,
//! `ParameterNotFound`, `InvalidParameter … VersionId`). The finding points
//! at the container's `secrets` entries and the task's `executionRoleArn`.
//!
//! **Why it breaks requests:** ECS reads the secrets with the execution
//! role before the container starts; if it cannot, the task stops and the
//! service never becomes stable.
//!
//! **Example:** `"valueFrom": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:prod/db"`
//! while the execution role has no `secretsmanager:GetSecretValue` on it.
//!
//! **Fix:** give the execution role `secretsmanager:GetSecretValue` (or
//! `ssm:GetParameters`) on the exact ARNs, plus `kms:Decrypt` for a
//! customer-managed key; check that the secret exists in that region and
//! that the `valueFrom` suffix is `:json-key:version-stage:version-id`.
//! For an AWS Copilot service, tag the parameter with
//! `copilot-application` and `copilot-environment`: Copilot's execution role
//! reads only parameters tagged for its application and environment.

use super::support::{base, deploy_step, strong_events, tasks};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-secrets-pull-failed");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines = strong_events(model, CAUSE);
    if lines.is_empty() {
        return Vec::new();
    }
    let mut finding = base(model, CAUSE).log_lines(lines.iter().copied().take(2));
    let mut arns = Vec::new();
    let mut copilot_tags = Vec::new();
    for (deployment, task) in tasks(model) {
        for container in &task.containers {
            for secret in container.secrets.iter().take(3) {
                if let Some(value_from) = &secret.value_from {
                    arns.push(value_from.value.clone());
                    finding = finding.evidence(
                        value_from.origin.clone(),
                        msg("secret").with("value_from", &value_from.value),
                    );
                    // Copilot's execution role reads only parameters tagged for its app and environment.
                    if let Some(scope) = &deployment.copilot {
                        if !value_from.value.starts_with("arn:")
                            && !value_from.value.contains("<unresolved:")
                        {
                            copilot_tags.push(FixStep::run(
                                msg("copilot-tags").with("parameter", &value_from.value),
                                format!(
                                    "aws ssm add-tags-to-resource --resource-type Parameter --resource-id {} --tags Key=copilot-application,Value={} Key=copilot-environment,Value={}",
                                    value_from.value,
                                    scope.application.as_deref().unwrap_or("APP"),
                                    scope.environment.as_deref().unwrap_or("ENV"),
                                ),
                            ));
                        }
                    }
                }
            }
        }
        if let Some(role) = task
            .execution_role_arn
            .as_ref()
            .filter(|r| !r.value.contains("<unresolved:"))
        {
            finding = finding.evidence(role.origin.clone(), msg("role").with("role", &role.value));
        }
    }
    copilot_tags.dedup_by(|a, b| a.command == b.command);
    for step in copilot_tags {
        finding = finding.fix(step);
    }
    let resources = if arns.is_empty() {
        "<secret ARN>".to_string()
    } else {
        arns.join(", ")
    };
    vec![finding
        .fix(FixStep::say(msg("grant").with("resources", resources)))
        .fix(deploy_step(model))]
}

#[cfg(test)]
mod tests {
    use crate::checks::ecs::support::assert_quiet_on_a_healthy_deployment;
    use crate::checks::support::assert_example_finding;

    #[test]
    fn a_secret_the_execution_role_cannot_read_is_reported() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            (
                "ecs-secrets-access-denied",
                &[
                    "--envfile",
                    "prod.env",
                    "--logs",
                    "logs/deploy.log",
                    "--logs",
                    "logs/describe-tasks.json",
                ],
            ),
            "logs/describe-tasks.json:88",
            &["ecs-secrets-pull-failed.grant"],
        );
    }

    #[test]
    fn a_healthy_deployment_is_quiet() {
        assert_quiet_on_a_healthy_deployment(super::run);
    }
}
