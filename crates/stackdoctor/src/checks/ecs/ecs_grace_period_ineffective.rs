//! # ecs-grace-period-ineffective
//!
//! **What it detects:** a non-zero `healthCheckGracePeriodSeconds` in a
//! service definition that has no `loadBalancers` (ecspresso verify from
//! v2.3: `service has no load balancers, but healthCheckGracePeriodSeconds
//! is defined`). ECS now also applies the grace period to container health
//! checks, so a service whose task defines a container `healthCheck` is
//! left alone, and `0` (what ECS itself reports for every service, the
//! reason kayac/ecspresso#805 dropped the verify rule) is fine.
//!
//! **Why it breaks requests:** the grace period only delays the health
//! checks ECS acts on; with none to delay it does nothing, so the slow
//! start it was meant to protect is not protected, and the ecspresso
//! versions with the rule stop `verify` with an error before the deploy.
//! ECS has also refused it on services without a load balancer
//! (`Health check grace period is only valid for services configured to
//! use load balancers`).
//!
//! **Example:** a worker service copied from a web service, keeping
//! `"healthCheckGracePeriodSeconds": 60` but not its `loadBalancers`.
//!
//! **Fix:** remove `healthCheckGracePeriodSeconds`, or add the load
//! balancer the service should register with; for a slow start without a
//! load balancer use the container health check's `startPeriod`.

use super::support::{base_for, verify_step};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-grace-period-ineffective");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        let Some(service) = &deployment.service_definition else {
            continue;
        };
        let Some(grace) = &service.health_check_grace_period else {
            continue;
        };
        if grace.value == 0 || !service.load_balancers.is_empty() {
            continue;
        }
        let container_checks = deployment
            .task
            .as_ref()
            .is_some_and(|t| t.containers.iter().any(|c| c.health_check.is_some()));
        if container_checks {
            continue;
        }
        findings.push(
            base_for(model, deployment, CAUSE)
                .evidence(
                    grace.origin.clone(),
                    msg("grace").with("seconds", grace.value.to_string()),
                )
                .fix(FixStep::say(msg("remove")))
                .fix(verify_step(model)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::model::StackModel;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\n\
        service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 15m\n";
    const TASK: &str = r#"{
  "family": "api",
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {
      "name": "app",
      "image": "nginx:1.27",
      "memory": 512,
      "portMappings": [{"containerPort": 8080}]
    }
  ]
}
"#;
    const LB: &str = r#""loadBalancers": [
    {
      "containerName": "app",
      "containerPort": 8080,
      "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:targetgroup/api/0123456789abcdef"
    }
  ],"#;

    fn project(task: &str, load_balancers: &str) -> (tempfile::TempDir, StackModel) {
        let service = format!(
            r#"{{
  "launchType": "FARGATE",
  "desiredCount": 1,
  "healthCheckGracePeriodSeconds": 60,
  {load_balancers}
  "networkConfiguration": {{
    "awsvpcConfiguration": {{
      "assignPublicIp": "ENABLED",
      "subnets": ["subnet-0a1b2c3d4e5f60001"]
    }}
  }}
}}
"#
        );
        crate::checks::ecs::support::test_project(CONFIG, task, &service)
    }

    #[test]
    fn grace_period_without_load_balancers_is_found() {
        let (dir, model) = project(TASK, "");
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(
            findings[0].evidence[0].origin.display(dir.path()),
            "ecs-service-def.json:4:36"
        );
    }

    #[test]
    fn a_load_balancer_or_a_container_health_check_uses_it() {
        let (_dir, model) = project(TASK, LB);
        assert!(run(&model).is_empty());
        let checked = TASK.replace(
            r#""memory": 512,"#,
            r#""memory": 512, "healthCheck": {"command": ["CMD-SHELL", "true"]},"#,
        );
        let (_dir, model) = project(&checked, "");
        assert!(run(&model).is_empty());
    }
}
