//! # ecs-definition-drift
//!
//! **What it detects:** with `--aws` (or a `describe-task-definition`
//! output given with `--logs`), the task definition the service runs
//! differs from the one in the project's files: another image, cpu or
//! memory, roles, network mode, ports, command, health check, environment
//! variable names or secrets. This is ecspresso's `diff`, done by
//! stackdoctor, with units normalised as ECS stores them (`"1 vCPU"` →
//! `1024`) and values the files leave to AWS (`tfstate`, `ssm`) skipped.
//!
//! **Why it breaks requests:** the files are not what runs. A fix made in
//! the files has not been deployed yet, or someone changed the service
//! outside ecspresso (console, another pipeline) and the next deploy will
//! undo it. Either way, what you read is not what fails.
//!
//! **Example:** the file says `"image": "…/api:1.4.3"` but the PRIMARY
//! deployment runs `api:41` with `…/api:1.4.2`.
//!
//! **Fix:** look at the whole difference with `ecspresso diff`; deploy the
//! files (`ecspresso deploy`) or bring the change made elsewhere into them
//! (`ecspresso init --service api` writes what runs).

use super::support::base;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::StackModel;
use serde_json::Value;

cause!("ecs-definition-drift");

/// Task-level fields compared, as ECS spells them.
const TASK_FIELDS: &[&str] = &[
    "cpu",
    "memory",
    "networkMode",
    "executionRoleArn",
    "taskRoleArn",
    "requiresCompatibilities",
    "runtimePlatform",
];

/// Container fields compared.
const CONTAINER_FIELDS: &[&str] = &[
    "image",
    "cpu",
    "memory",
    "memoryReservation",
    "essential",
    "portMappings",
    "command",
    "entryPoint",
    "healthCheck",
    "secrets",
];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let Some(running) = model.ecs.runtime.running_task_definitions.first() else {
        return Vec::new();
    };
    let remote = running
        .document
        .get("taskDefinition")
        .unwrap_or(&running.document);
    let mut findings = Vec::new();
    for (_, task) in super::support::tasks(model) {
        let local = &task.document;
        let remote_family = remote.get("family").and_then(Value::as_str);
        if remote_family.is_some()
            && task.family.as_ref().map(|f| f.value.as_str()) != remote_family
        {
            continue;
        }
        let mut differences = Vec::new();
        for field in TASK_FIELDS {
            compare(
                field,
                local.get(*field),
                remote.get(*field),
                &mut differences,
            );
        }
        let empty = Vec::new();
        let remote_containers = remote
            .get("containerDefinitions")
            .and_then(Value::as_array)
            .unwrap_or(&empty);
        for container in local
            .get("containerDefinitions")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
        {
            let name = container.get("name").and_then(Value::as_str).unwrap_or("");
            let Some(other) = remote_containers
                .iter()
                .find(|c| c.get("name").and_then(Value::as_str) == Some(name))
            else {
                differences.push((
                    format!("containerDefinitions[{name}]"),
                    "(defined)".to_string(),
                    "(not in the running revision)".to_string(),
                ));
                continue;
            };
            for field in CONTAINER_FIELDS {
                compare(
                    &format!("{name}.{field}"),
                    container.get(*field),
                    other.get(*field),
                    &mut differences,
                );
            }
            let names = |c: &Value| -> Vec<String> {
                let mut v: Vec<String> = c
                    .get("environment")
                    .and_then(Value::as_array)
                    .unwrap_or(&Vec::new())
                    .iter()
                    .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect();
                v.sort();
                v
            };
            let (a, b) = (names(container), names(other));
            if a != b {
                differences.push((
                    format!("{name}.environment (names)"),
                    a.join(","),
                    b.join(","),
                ));
            }
        }
        if differences.is_empty() {
            continue;
        }
        let mut finding = base(model, CAUSE)
            .severity(Severity::Warning)
            .param(
                "revision",
                running
                    .arn
                    .rsplit('/')
                    .next()
                    .unwrap_or(&running.arn)
                    .to_string(),
            )
            .param("count", differences.len().to_string())
            .evidence(
                running.origin.clone(),
                msg("running").with("arn", &running.arn),
            );
        for (field, local_value, remote_value) in differences.iter().take(6) {
            let origin = locate(task, field).unwrap_or(task.origin.clone());
            finding = finding.evidence(
                origin,
                msg("differs")
                    .with("field", field)
                    .with("local", local_value)
                    .with("remote", remote_value),
            );
        }
        findings.push(
            finding
                .fix(FixStep::run(
                    msg("diff"),
                    format!(
                        "ecspresso diff{}",
                        super::support::config_flag(model, &model.ecs.deployments[0])
                    ),
                ))
                .fix(FixStep::say(msg("reconcile"))),
        );
    }
    findings
}

/// Records a difference between the file's value and the running one, after
/// normalising what ECS normalises.
fn compare(
    field: &str,
    local: Option<&Value>,
    remote: Option<&Value>,
    out: &mut Vec<(String, String, String)>,
) {
    let Some(local) = local else { return };
    let text = local.to_string();
    if text.contains("<unresolved:") {
        return;
    }
    let key = field.rsplit('.').next().unwrap_or(field);
    let normalise = |v: &Value| -> Value {
        match (key, v) {
            ("cpu", Value::String(s)) => {
                ecspresso::cpu_units(s).map_or(v.clone(), |n| Value::from(n.to_string()))
            }
            ("memory", Value::String(s)) => {
                ecspresso::memory_mib(s).map_or(v.clone(), |n| Value::from(n.to_string()))
            }
            ("cpu" | "memory", Value::Number(n)) => Value::from(n.to_string()),
            _ => v.clone(),
        }
    };
    let a = normalise(local);
    let b = remote.map(normalise).unwrap_or(Value::Null);
    if !same(&a, &b) {
        out.push((field.to_string(), short(&a), short(&b)));
    }
}

/// Equal as ECS compares: objects by their fields, missing fields equal to defaults ECS fills in.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)) || (k == "hostPort")),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        (Value::Number(x), Value::String(y)) | (Value::String(y), Value::Number(x)) => {
            x.to_string() == *y
        }
        _ => a == b,
    }
}

/// The value as shown: secrets masked before the cut to 80 characters, so
/// that no half secret survives it.
fn short(v: &Value) -> String {
    let mut v = v.clone();
    crate::secrets::mask_json(&mut v, &crate::secrets::Masker::default());
    let text = match &v {
        Value::String(s) => s.clone(),
        Value::Null => "(none)".into(),
        other => other.to_string(),
    };
    crate::secrets::mask_then_shorten(&text, 80)
}

/// Where the file sets `field` (`app.image` → that container's image).
fn locate(task: &crate::model::ecs::TaskDefinition, field: &str) -> Option<crate::model::Origin> {
    match field.split_once('.') {
        None => match field {
            "cpu" => task.cpu.as_ref().map(|c| c.origin.clone()),
            "memory" => task.memory.as_ref().map(|c| c.origin.clone()),
            "networkMode" => task.network_mode.as_ref().map(|c| c.origin.clone()),
            "executionRoleArn" => task.execution_role_arn.as_ref().map(|c| c.origin.clone()),
            "taskRoleArn" => task.task_role_arn.as_ref().map(|c| c.origin.clone()),
            _ => None,
        },
        Some((name, key)) => {
            let container = task.containers.iter().find(|c| c.name.value == name)?;
            match key {
                "image" => container.image.as_ref().map(|i| i.origin.clone()),
                "memory" => container.memory.as_ref().map(|m| m.origin.clone()),
                "command" => container.command.as_ref().map(|m| m.origin.clone()),
                "healthCheck" => container.health_check.as_ref().map(|h| h.origin.clone()),
                _ => Some(container.origin.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn units_and_defaults_are_normalised_before_comparing() {
        let mut out = Vec::new();
        compare(
            "cpu",
            Some(&json!("1 vCPU")),
            Some(&json!("1024")),
            &mut out,
        );
        compare(
            "memory",
            Some(&json!("2 GB")),
            Some(&json!("2048")),
            &mut out,
        );
        compare("app.memory", Some(&json!(512)), Some(&json!(512)), &mut out);
        compare(
            "app.portMappings",
            Some(&json!([{"containerPort": 8080}])),
            Some(&json!([{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}])),
            &mut out,
        );
        compare(
            "app.image",
            Some(&json!("x:<unresolved:tfstate:a.b>")),
            Some(&json!("x:1")),
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        compare(
            "app.image",
            Some(&json!("api:1.4.3")),
            Some(&json!("api:1.4.2")),
            &mut out,
        );
        assert_eq!(
            out,
            vec![(
                "app.image".to_string(),
                "api:1.4.3".to_string(),
                "api:1.4.2".to_string()
            )]
        );
    }

    /// The 80-character cut used to come first: an environment whose secret
    /// straddled it kept the secret's first half, which no masking recognised.
    #[test]
    fn secrets_in_differences_are_masked_before_the_cut() {
        let mut out = Vec::new();
        let secret = "s3cr3t-Value-That-Straddles-The-Cut";
        compare(
            "app.environment",
            Some(
                &json!([{"name": "APP_MODE", "value": "blue"}, {"name": "DB_PASSWORD", "value": secret}]),
            ),
            Some(
                &json!([{"name": "APP_MODE", "value": "green"}, {"name": "DB_PASSWORD", "value": secret}]),
            ),
            &mut out,
        );
        let (_, local, remote) = &out[0];
        for shown in [local, remote] {
            assert!(shown.contains("APP_MODE"), "{shown}");
            assert!(!shown.contains(&secret[..6]), "{shown}");
        }
    }
}
