//! # ecs-no-essential-container
//!
//! **What it detects:** a task definition whose containers all set
//! `"essential": false` (an omitted `essential` means true).
//!
//! **Why it breaks requests:** ECS requires at least one essential
//! container: `RegisterTaskDefinition` fails with `ClientException: Task
//! definition does not have any essential container.`, ecspresso stops at
//! `failed to register task definition`, and the service keeps the old
//! revision (or runs nothing). Even where it is accepted, a task whose
//! containers may all stop would never be replaced.
//!
//! **Example:** a single container `app` written with `"essential": false`,
//! or a sidecar and the app both marked `false`.
//!
//! **Fix:** set `"essential": true` on the container the task exists for
//! (or remove the key: true is the default); keep `false` only for helpers
//! whose exit must not stop the task.

use super::support::{base_for, tasks, verify_step};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep};
use crate::model::ecs::EcspressoDeployment;
use crate::model::{Origin, StackModel};

cause!("ecs-no-essential-container");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (deployment, task) in tasks(model) {
        if task.containers.is_empty() || task.containers.iter().any(|c| c.is_essential()) {
            continue;
        }
        // An `essential` left to an AWS lookup offline reads as false: unknown.
        let unknown = task.containers.iter().any(|c| {
            c.essential
                .as_ref()
                .is_some_and(|e| unresolved_at(deployment, &e.origin))
        });
        if unknown {
            continue;
        }
        let mut finding = base_for(model, deployment, CAUSE);
        for container in &task.containers {
            let origin = container
                .essential
                .as_ref()
                .map_or(container.origin.clone(), |e| e.origin.clone());
            finding = finding.evidence(
                origin,
                msg("not-essential").with("container", &container.name.value),
            );
        }
        // The first container is usually the application; its flag is the one to flip.
        let first = &task.containers[0];
        let edit = first
            .essential
            .as_ref()
            .and_then(|e| replace_on_line(model, &e.origin, "false", "true"));
        finding = match edit {
            Some(edit) => finding.fix(FixStep::edit(
                msg("make-essential").with("container", &first.name.value),
                edit,
            )),
            None => finding.fix(FixStep::say(msg("one-essential"))),
        };
        findings.push(finding.fix(verify_step(model)));
    }
    findings
}

/// The loader left an AWS lookup unresolved on the line of `origin`.
fn unresolved_at(deployment: &EcspressoDeployment, origin: &Origin) -> bool {
    let Some(at) = origin.position() else {
        return false;
    };
    deployment.problems.iter().any(|p| {
        p.kind == "unresolved"
            && p.origin
                .position()
                .is_some_and(|q| q.file == at.file && q.line == at.line)
    })
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

    fn task(app: &str, sidecar: &str) -> String {
        format!(
            r#"{{
  "family": "api",
  "networkMode": "awsvpc",
  "containerDefinitions": [
    {{
      "name": "app",
      "image": "nginx:1.27",
      {app}
      "memory": 512
    }},
    {{
      "name": "log-router",
      "image": "fluent-bit:3",
      {sidecar}
      "memory": 128
    }}
  ]
}}
"#
        )
    }

    #[test]
    fn every_container_not_essential_is_found() {
        let (dir, model) = project(&task(r#""essential": false,"#, r#""essential": false,"#));
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let at: Vec<String> = findings[0]
            .evidence
            .iter()
            .map(|e| e.origin.display(dir.path()))
            .collect();
        assert_eq!(at, ["ecs-task-def.json:8:20", "ecs-task-def.json:14:20"]);
        let edit = findings[0].fix[0].edit.as_ref().expect("an edit");
        assert_eq!(edit.after.trim(), r#""essential": true,"#);
    }

    #[test]
    fn one_essential_or_omitted_container_is_fine() {
        let (_dir, model) = project(&task(r#""essential": true,"#, r#""essential": false,"#));
        assert!(run(&model).is_empty());
        let (_dir, model) = project(&task("", r#""essential": false,"#));
        assert!(run(&model).is_empty());
    }
}
