//! # ecs-port-mapping-invalid
//!
//! **What it detects:** with `"networkMode": "awsvpc"` or `"host"`, a
//! `portMappings` entry whose `hostPort` differs from its `containerPort`
//! (ecspresso verify: `hostPort must be same as containerPort for awsvpc
//! networkMode`); with `"networkMode": "none"`, any `portMappings`.
//!
//! **Why it breaks requests:** in `awsvpc` and `host` modes the container
//! listens on the task's (or instance's) own address, so there is no port
//! translation: ECS rejects the task definition (`When networkMode=awsvpc,
//! the host ports and container ports in port mappings must match.`), the
//! new revision is never registered and the deploy fails. With `none` the
//! task has no network at all, so nothing could reach a mapped port.
//!
//! **Example:** `"networkMode": "awsvpc"` with
//! `{"containerPort": 8080, "hostPort": 80}` — a bridge-mode habit.
//!
//! **Fix:** remove `hostPort` or set it to the `containerPort`; send port
//! 80 to the container with the load balancer's listener instead. With
//! `none`, remove the `portMappings` or choose a mode with a network.

use super::support::{base, strong_events, tasks, verify_step};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecs-port-mapping-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, task) in tasks(model) {
        let Some(mode) = &task.network_mode else {
            continue;
        };
        if mode.value.contains("<unresolved:") {
            continue;
        }
        let name = mode.value.to_ascii_lowercase();
        let mut finding = base(model, CAUSE).param("mode", &mode.value);
        let mut problems = 0;
        match name.as_str() {
            "awsvpc" | "host" => {
                for container in &task.containers {
                    for mapping in &container.port_mappings {
                        let (Some(port), Some(host)) =
                            (&mapping.container_port, &mapping.host_port)
                        else {
                            continue;
                        };
                        if port.value == host.value {
                            continue;
                        }
                        problems += 1;
                        finding = finding.evidence(
                            host.origin.clone(),
                            msg("host-port")
                                .with("container", &container.name.value)
                                .with("host", host.value.to_string())
                                .with("port", port.value.to_string())
                                .with("mode", &mode.value),
                        );
                        let edit = replace_on_line(
                            model,
                            &host.origin,
                            &host.value.to_string(),
                            &port.value.to_string(),
                        );
                        if let Some(edit) = edit {
                            finding = finding.fix(FixStep::edit(
                                msg("use-container-port").with("port", port.value.to_string()),
                                edit,
                            ));
                        }
                    }
                }
            }
            "none" => {
                for container in &task.containers {
                    if let Some(mapping) = container.port_mappings.first() {
                        problems += 1;
                        finding = finding.evidence(
                            mapping.origin.clone(),
                            msg("mode-none").with("container", &container.name.value),
                        );
                    }
                }
                if problems > 0 {
                    finding = finding.fix(FixStep::say(msg("remove-mappings")));
                }
            }
            _ => continue,
        }
        if problems > 0 {
            finding = finding.evidence(
                mode.origin.clone(),
                msg("network-mode").with("mode", &mode.value),
            );
            findings.push(finding.fix(verify_step(model)));
        }
    }
    // ECS's answer in ecspresso's output, when the files are not at hand.
    if findings.is_empty() {
        let lines = strong_events(model, CAUSE);
        if !lines.is_empty() {
            findings.push(
                base(model, CAUSE)
                    .log_lines(lines.into_iter().take(2))
                    .fix(verify_step(model)),
            );
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::run;
    use crate::model::StackModel;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\n\
        service_definition: ecs-service-def.json\ntask_definition: ecs-task-def.json\ntimeout: 15m\n";
    const SERVICE: &str = r#"{
  "launchType": "FARGATE",
  "desiredCount": 1,
  "networkConfiguration": {
    "awsvpcConfiguration": {
      "assignPublicIp": "ENABLED",
      "subnets": ["subnet-0a1b2c3d4e5f60001"]
    }
  }
}
"#;

    fn project(task: &str) -> (tempfile::TempDir, StackModel) {
        crate::checks::ecs::support::test_project(CONFIG, task, SERVICE)
    }

    fn task(mode: &str, host: u32) -> String {
        format!(
            r#"{{
  "family": "api",
  "networkMode": "{mode}",
  "containerDefinitions": [
    {{
      "name": "app",
      "image": "nginx:1.27",
      "memory": 512,
      "portMappings": [
        {{
          "containerPort": 8080,
          "hostPort": {host}
        }}
      ]
    }}
  ]
}}
"#
        )
    }

    fn evidence(dir: &tempfile::TempDir, model: &StackModel) -> Vec<String> {
        let findings = run(model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0]
            .evidence
            .iter()
            .map(|e| e.origin.display(dir.path()))
            .collect()
    }

    #[test]
    fn awsvpc_host_port_differing_is_found_with_an_edit() {
        let (dir, model) = project(&task("awsvpc", 80));
        assert_eq!(
            evidence(&dir, &model),
            ["ecs-task-def.json:12:23", "ecs-task-def.json:3:18"]
        );
        let findings = run(&model);
        let edit = findings[0].fix[0].edit.as_ref().expect("an edit");
        assert_eq!(edit.after.trim(), r#""hostPort": 8080"#);
    }

    #[test]
    fn host_mode_is_held_to_the_same_rule() {
        let (dir, model) = project(&task("host", 8081));
        assert_eq!(evidence(&dir, &model)[0], "ecs-task-def.json:12:23");
    }

    #[test]
    fn none_mode_rejects_any_port_mapping() {
        let (dir, model) = project(&task("none", 8080));
        assert_eq!(evidence(&dir, &model)[0], "ecs-task-def.json:10:9");
    }

    #[test]
    fn equal_ports_and_bridge_mode_are_fine() {
        let (_dir, model) = project(&task("awsvpc", 8080));
        assert!(run(&model).is_empty());
        let (_dir, model) = project(&task("bridge", 80));
        assert!(run(&model).is_empty());
    }
}
