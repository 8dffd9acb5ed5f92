//! # ecs-network-config
//!
//! **What it detects:** a task with `networkMode: awsvpc` (every Fargate
//! task) whose service definition has no
//! `networkConfiguration.awsvpcConfiguration` or no subnet in it; the
//! network errors in stopped-task reasons (`CannotPullContainerError ... i/o
//! timeout`, `unable to pull secrets or registry auth ... check your task
//! network configuration`); and `assignPublicIp` `DISABLED` (or unset) while
//! the task must pull an image, secrets or log setup over the network. That
//! last one is AWS's recommended layout (private subnets behind a NAT gateway
//! or VPC endpoints), so offline it is only `info` naming what to check; it
//! is an error when such timeouts are seen, and not raised at all when stopped
//! tasks show that containers did start, which proves the route.
//!
//! **Why it breaks requests:** without subnets ECS cannot place the task
//! (`Network Configuration must be provided when networkMode 'awsvpc' is
//! specified`); without a route to ECR, Secrets Manager and CloudWatch Logs
//! every task stops before its container starts, and the deploy times out.
//!
//! **Example:** `"assignPublicIp": "DISABLED"` with subnets of a public
//! route table (no NAT) and an image on ECR.
//!
//! **Fix:** give `awsvpcConfiguration.subnets`; in public subnets set
//! `"assignPublicIp": "ENABLED"`; in private subnets route `0.0.0.0/0` to a
//! NAT gateway or create VPC endpoints for `ecr.api`, `ecr.dkr`, `logs`,
//! `secretsmanager`/`ssm` and the S3 gateway. Check with
//! `aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=<subnet>`.

use super::support::{base, base_for, strong_events, verify_step};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-network-config");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    let lines = strong_events(model, CAUSE);
    for deployment in &model.ecs.deployments {
        let Some(task) = &deployment.task else {
            continue;
        };
        let awsvpc = task
            .network_mode
            .as_ref()
            .is_some_and(|m| m.value.eq_ignore_ascii_case("awsvpc"));
        if !awsvpc {
            continue;
        }
        let Some(service) = &deployment.service_definition else {
            continue;
        };
        let mode = task
            .network_mode
            .as_ref()
            .map(|m| m.origin.clone())
            .unwrap_or(task.origin.clone());
        match &service.awsvpc {
            None => {
                findings.push(
                    base_for(model, deployment, CAUSE)
                        .evidence(service.origin.clone(), msg("no-network-configuration"))
                        .evidence(mode, msg("awsvpc-here"))
                        .fix(FixStep::say(msg("add-network-configuration")))
                        .fix(verify_step(model)),
                );
            }
            Some(vpc) if vpc.subnets.is_empty() => {
                findings.push(
                    base_for(model, deployment, CAUSE)
                        .evidence(vpc.origin.clone(), msg("no-subnets"))
                        .fix(FixStep::say(msg("add-network-configuration")))
                        .fix(verify_step(model)),
                );
            }
            Some(vpc) => {
                let public = vpc
                    .assign_public_ip
                    .as_ref()
                    .is_some_and(|a| a.value.eq_ignore_ascii_case("ENABLED"));
                if public {
                    continue;
                }
                let pulls: Vec<String> = pulled_over_network(task);
                // Containers that ran prove the network reached the registry.
                if pulls.is_empty() || (lines.is_empty() && model.ecs.runtime.containers_started())
                {
                    continue;
                }
                let origin = vpc
                    .assign_public_ip
                    .as_ref()
                    .map(|a| a.origin.clone())
                    .unwrap_or(vpc.origin.clone());
                let mut finding = base_for(model, deployment, CAUSE)
                    .evidence(origin, msg("no-public-ip").with("needs", pulls.join(", ")))
                    .fix(FixStep::say(msg("check-route")))
                    .fix(FixStep::run(
                        msg("route-command"),
                        format!(
                            "aws ec2 describe-route-tables --filters Name=association.subnet-id,Values={}",
                            vpc.subnets
                                .iter()
                                // A subnet known only at deploy time: the user fills it in.
                                .map(|s| if s.value.contains("<unresolved:") { "SUBNET_ID" } else { s.value.as_str() })
                                .collect::<Vec<_>>()
                                .join(",")
                        ),
                    ));
                if lines.is_empty() {
                    // Private subnets behind NAT or VPC endpoints are AWS's recommended
                    // layout: offline this is worth knowing, not a problem, until pull,
                    // secret or log timeouts are seen. About the setting, it takes no
                    // failures seen in the output (a pull `not found`) as its symptoms.
                    finding =
                        super::support::as_note(finding).param("title", "title-private-subnets");
                } else {
                    finding = finding.log_lines(lines.iter().copied().take(2));
                }
                findings.push(finding);
            }
        }
    }
    if findings.is_empty() && !lines.is_empty() {
        findings.push(
            base(model, CAUSE)
                .log_lines(lines.into_iter().take(3))
                .fix(FixStep::say(msg("check-route"))),
        );
    }
    findings
}

/// What the task fetches over its own network before the container starts.
fn pulled_over_network(task: &crate::model::ecs::TaskDefinition) -> Vec<String> {
    let mut needs = Vec::new();
    if task
        .containers
        .iter()
        .any(|c| c.image.as_ref().is_some_and(|i| !i.value.is_empty()))
    {
        needs.push("images".to_string());
    }
    if task.containers.iter().any(|c| !c.secrets.is_empty()) {
        needs.push("secrets".to_string());
    }
    if task
        .containers
        .iter()
        .any(|c| c.log_driver.as_ref().is_some_and(|d| d.value == "awslogs"))
    {
        needs.push("CloudWatch Logs".to_string());
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\ntask_definition: ecs-task-def.json\nservice_definition: ecs-service-def.json\n";
    const TASK: &str = r#"{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
        "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [{"name": "app", "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.2", "essential": true}]}"#;
    const PRIVATE: &str = r#"{"launchType": "FARGATE", "desiredCount": 2,
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60001"], "securityGroups": ["sg-0123456789abcdef0"], "assignPublicIp": "DISABLED"}}}"#;

    /// Private subnets without a public IP are AWS's recommended layout:
    /// offline that is a note, and a pull timeout in the output makes it the error.
    #[test]
    fn private_subnets_are_info_until_timeouts_are_seen() {
        let (_dir, model) = crate::checks::ecs::support::test_project(CONFIG, TASK, PRIVATE);
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Info);
        assert!(findings[0].setting);

        let output = r#"{"tasks": [{"lastStatus": "STOPPED", "stopCode": "TaskFailedToStart",
  "stoppedReason": "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/api:1.4.2: failed to do request: Head \"https://123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/v2/api/manifests/1.4.2\": dial tcp 10.0.3.17:443: i/o timeout"}]}
"#;
        let (_dir, model) = crate::checks::ecs::support::test_project_with_output(
            CONFIG,
            TASK,
            PRIVATE,
            Some(output),
        );
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(!findings[0].setting);
        assert!(findings[0]
            .evidence
            .iter()
            .any(|e| e.label.key == "common.log-line"));
    }

    #[test]
    fn awsvpc_without_subnets_is_an_error() {
        let service = r#"{"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": []}}}"#;
        let (_dir, model) = crate::checks::ecs::support::test_project(CONFIG, TASK, service);
        let findings = run(&model);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].evidence[0].label.key,
            "ecs-network-config.no-subnets"
        );
    }
}
