//! # ecs-awslogs-options-missing
//!
//! **What it detects:** a container whose `logConfiguration` uses the
//! `awslogs` driver without `awslogs-group` or `awslogs-region` (ecspresso
//! verify: `awslogs-group is required`, `awslogs-region is required`), or,
//! when the task runs on Fargate, without `awslogs-stream-prefix`. An
//! option written empty counts as missing.
//!
//! **Why it breaks requests:** the awslogs driver cannot tell where to
//! send the container's output: ECS rejects the task definition or the
//! container fails to start its logging driver, the task stops before the
//! application runs, and the deploy never becomes stable. `ecspresso
//! verify` stops at the container's `LogConfiguration` node.
//!
//! **Example:** `"logConfiguration": {"logDriver": "awslogs", "options":
//! {"awslogs-group": "/ecs/api"}}` in a Fargate task (no region, no
//! stream prefix).
//!
//! **Fix:** set all three options: `"awslogs-group": "/ecs/api"`,
//! `"awslogs-region": "ap-northeast-1"`, `"awslogs-stream-prefix": "api"`;
//! the group must exist unless `"awslogs-create-group": "true"` and the
//! execution role may `logs:CreateLogGroup`.

use super::support::{base_for, tasks, verify_step};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-awslogs-options-missing");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        let fargate = deployment.is_fargate();
        let region = deployment
            .region
            .as_ref()
            .map(|r| r.value.as_str())
            .filter(|r| !r.is_empty() && !r.contains("<unresolved:"))
            .unwrap_or("REGION");
        let family = task
            .family
            .as_ref()
            .map(|f| f.value.as_str())
            .filter(|f| !f.is_empty() && !f.contains("<unresolved:"))
            .unwrap_or("app");
        let mut finding = base_for(model, deployment, CAUSE);
        let mut problems = 0;
        let mut needs_prefix = false;
        let mut example: Vec<String> = Vec::new();
        for container in &task.containers {
            let Some(driver) = &container.log_driver else {
                continue;
            };
            if driver.value != "awslogs" {
                continue;
            }
            let has = |key: &str| {
                container
                    .log_options
                    .iter()
                    .any(|o| o.value.0 == key && !o.value.1.is_empty())
            };
            let mut required = vec!["awslogs-group", "awslogs-region"];
            if fargate {
                required.push("awslogs-stream-prefix");
            }
            let missing: Vec<&str> = required.into_iter().filter(|k| !has(k)).collect();
            if missing.is_empty() {
                continue;
            }
            problems += 1;
            needs_prefix |= missing.contains(&"awslogs-stream-prefix");
            let origin = container
                .log_configuration
                .clone()
                .unwrap_or_else(|| driver.origin.clone());
            let names = missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            finding = finding.evidence(
                origin,
                msg("missing")
                    .with("container", &container.name.value)
                    .with("options", names),
            );
            for key in missing {
                let value = match key {
                    "awslogs-group" => format!("/ecs/{family}"),
                    "awslogs-region" => region.to_string(),
                    _ => family.to_string(),
                };
                let line = format!("\"{key}\": \"{value}\"");
                if !example.contains(&line) {
                    example.push(line);
                }
            }
        }
        if problems == 0 {
            continue;
        }
        if needs_prefix {
            let on_fargate = task
                .requires_compatibilities
                .iter()
                .find(|c| c.value.eq_ignore_ascii_case("FARGATE"))
                .map(|c| c.origin.clone())
                .or_else(|| {
                    let service = deployment.service_definition.as_ref()?;
                    service
                        .launch_type
                        .as_ref()
                        .or(service.platform_version.as_ref())
                        .or(service.capacity_providers.first())
                        .map(|s| s.origin.clone())
                });
            if let Some(origin) = on_fargate {
                finding = finding.evidence(origin, msg("fargate"));
            }
        }
        finding = finding.fix(FixStep::say(
            msg("add-options").with("example", example.join(", ")),
        ));
        findings.push(finding.fix(verify_step(model)));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::model::StackModel;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\n\
        service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 15m\n";

    fn project(compatibility: &str, options: &str) -> (tempfile::TempDir, StackModel) {
        let task = format!(
            r#"{{
  "family": "api",
  "requiresCompatibilities": ["{compatibility}"],
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {{
      "name": "app",
      "image": "nginx:1.27",
      "memory": 512,
      "logConfiguration": {{
        "logDriver": "awslogs",
        "options": {{
          {options}
        }}
      }}
    }}
  ]
}}
"#
        );
        let service = r#"{
  "desiredCount": 1,
  "networkConfiguration": {
    "awsvpcConfiguration": {
      "assignPublicIp": "ENABLED",
      "subnets": ["subnet-0a1b2c3d4e5f60001"]
    }
  }
}
"#;
        crate::checks::ecs::support::test_project(CONFIG, &task, service)
    }

    #[test]
    fn a_missing_region_and_prefix_on_fargate_are_found() {
        let (dir, model) = project("FARGATE", r#""awslogs-group": "/ecs/api""#);
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let evidence = &findings[0].evidence;
        assert_eq!(
            evidence[0].origin.display(dir.path()),
            "ecs-task-def.json:10:27"
        );
        assert_eq!(
            evidence[0].label.params["options"],
            "`awslogs-region`, `awslogs-stream-prefix`"
        );
        assert_eq!(
            evidence[1].origin.display(dir.path()),
            "ecs-task-def.json:3:31"
        );
        assert_eq!(
            findings[0].fix[0].message.params["example"],
            r#""awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "api""#
        );
    }

    #[test]
    fn the_stream_prefix_is_only_required_on_fargate() {
        let (_dir, model) = project(
            "EC2",
            r#""awslogs-group": "/ecs/api", "awslogs-region": "ap-northeast-1""#,
        );
        assert!(run(&model).is_empty());
        let (_dir, model) = project("EC2", r#""awslogs-region": "ap-northeast-1""#);
        assert_eq!(run(&model).len(), 1);
    }

    #[test]
    fn all_three_options_are_fine() {
        let (_dir, model) = project(
            "FARGATE",
            r#""awslogs-group": "/ecs/api", "awslogs-region": "ap-northeast-1", "awslogs-stream-prefix": "api""#,
        );
        assert!(run(&model).is_empty());
    }
}
