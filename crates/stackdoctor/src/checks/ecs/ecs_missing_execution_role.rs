//! # ecs-missing-execution-role
//!
//! **What it detects:** a task definition without `executionRoleArn` that
//! needs one: `secrets` or `repositoryCredentials` (any launch type), or on
//! Fargate a private ECR image (`*.dkr.ecr.*`) or the `awslogs` log driver;
//! a role ARN that is not `arn:aws:iam::<12 digits>:role/<name>`; and ECS's
//! own answers in the output (`ECS was unable to assume the role`,
//! `Role is not valid`).
//!
//! **Why it breaks requests:** ECS uses the execution role to pull the
//! image, create the log stream and read the secrets before the container
//! starts. Without it the task stops at once (`ResourceInitializationError`,
//! `CannotPullContainerError ... 403`), no task ever runs, and the deploy
//! times out.
//!
//! **Example:** `"secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:…"}]`
//! in a task definition with no `executionRoleArn`.
//!
//! **Fix:** add `"executionRoleArn": "arn:aws:iam::<account>:role/ecsTaskExecutionRole"`,
//! a role trusted by `ecs-tasks.amazonaws.com` with the managed policy
//! `AmazonECSTaskExecutionRolePolicy` (plus `secretsmanager:GetSecretValue`
//! / `ssm:GetParameters` for secrets); `ecspresso verify` checks the role.

use super::support::{base, base_for, strong_events, tasks, verify_step};
use crate::finding::{Finding, FixStep, Message};
use crate::model::StackModel;

cause!("ecs-missing-execution-role");

/// `arn:aws[-cn|-us-gov]:iam::<12 digits>:role/[path/]name`.
pub fn is_role_arn(arn: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|name| !name.is_empty() && !name.ends_with('/'))
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        let mut finding = base_for(model, deployment, CAUSE);
        let mut problems = 0;
        let fargate = deployment.is_fargate();
        match &task.execution_role_arn {
            None => {
                let mut needs: Vec<(crate::model::Origin, Message)> = Vec::new();
                for container in &task.containers {
                    let name = &container.name.value;
                    if let Some(secret) = container.secrets.first() {
                        let key = container.keys.iter().find(|k| k.value == "secrets");
                        let origin = key.map_or(secret.origin.clone(), |k| k.origin.clone());
                        needs.push((origin, msg("needs-secrets").with("container", name)));
                    }
                    if let Some(origin) = &container.repository_credentials {
                        needs.push((
                            origin.clone(),
                            msg("needs-registry-auth").with("container", name),
                        ));
                    }
                    if fargate {
                        if let Some(image) = container
                            .image
                            .as_ref()
                            .filter(|i| i.value.contains(".dkr.ecr."))
                        {
                            needs.push((
                                image.origin.clone(),
                                msg("needs-ecr").with("container", name),
                            ));
                        }
                        if let Some(driver) = container
                            .log_driver
                            .as_ref()
                            .filter(|d| d.value == "awslogs")
                        {
                            needs.push((
                                driver.origin.clone(),
                                msg("needs-awslogs").with("container", name),
                            ));
                        }
                    }
                }
                if !needs.is_empty() {
                    problems += 1;
                    // What needs the role first: the task object itself has no better position.
                    for (origin, label) in needs.into_iter().take(4) {
                        finding = finding.evidence(origin, label);
                    }
                    finding = finding.evidence(task.origin.clone(), msg("no-role"));
                    finding = finding.fix(FixStep::say(msg("add-role")));
                }
            }
            Some(role) => {
                if !role.value.contains("<unresolved:") && !is_role_arn(&role.value) {
                    problems += 1;
                    finding = finding
                        .evidence(role.origin.clone(), msg("bad-arn").with("arn", &role.value))
                        .fix(FixStep::say(msg("arn-form")));
                }
            }
        }
        if let Some(role) = &task.task_role_arn {
            if !role.value.contains("<unresolved:") && !is_role_arn(&role.value) {
                problems += 1;
                finding = finding
                    .evidence(role.origin.clone(), msg("bad-arn").with("arn", &role.value))
                    .fix(FixStep::say(msg("arn-form")));
            }
        }
        if problems > 0 {
            finding = finding.log_lines(strong_events(model, CAUSE).into_iter().take(2));
            findings.push(finding.fix(verify_step(model)));
        }
    }
    if findings.is_empty() {
        let lines = strong_events(model, CAUSE);
        if !lines.is_empty() {
            let mut finding = base(model, CAUSE).log_lines(lines.into_iter().take(3));
            if let Some(role) = tasks(model).find_map(|(_, t)| t.execution_role_arn.as_ref()) {
                finding = finding.evidence(
                    role.origin.clone(),
                    msg("role-here").with("arn", &role.value),
                );
            }
            findings.push(
                finding
                    .fix(FixStep::say(msg("trust-and-policy")))
                    .fix(verify_step(model)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::is_role_arn;

    #[test]
    fn role_arns_have_an_account_and_a_role_name() {
        assert!(is_role_arn(
            "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
        ));
        assert!(is_role_arn("arn:aws:iam::123456789012:role/service-role/x"));
        assert!(is_role_arn("arn:aws-cn:iam::123456789012:role/x"));
        assert!(!is_role_arn("ecsTaskExecutionRole"));
        assert!(!is_role_arn("arn:aws:iam::12345:role/x"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:user/x"));
        assert!(!is_role_arn("arn:aws:iam::123456789012:role/"));
    }

    #[test]
    fn a_fargate_task_without_an_execution_role_is_shown_at_its_secrets() {
        crate::checks::support::assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-no-execution-role", &["--envfile", "prod.env"]),
            "ecs-task-def.json:36",
            &["ecs-missing-execution-role.add-role"],
        );
        crate::checks::support::assert_example_quiet(
            super::run,
            ("ecs-fargate-healthy", &["--envfile", "prod.env"]),
            &[],
        );
    }
}
