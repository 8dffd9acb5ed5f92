//! Task and service definitions written as plain JSON anywhere in the tree,
//! outside an ecspresso project: the input of `aws ecs register-task-definition
//! --cli-input-json` (`taskdef.json`, `task-definition.json`, …), the output of
//! `aws ecs describe-task-definition` (`{"taskDefinition": …}`), and service
//! JSON (`create-service --cli-input-json`, `{"service": …}`).
//!
//! Files are recognised by their shape, not their name: a task definition has
//! a `containerDefinitions` array (at the top or under `taskDefinition`); a
//! service definition names its `taskDefinition` as a string and has a key only
//! services have. Each task definition becomes one deployment of the ECS
//! model, with the service definition of the same folder that runs its family
//! (or the only one there), so every ECS check reads them like an ecspresso
//! project's.

use super::ecspresso::{
    mask_environment_secrets, problem, remember_text, service_definition, task_definition,
};
use super::inventory::{File, Inventory, Kind};
use crate::model::ecs::{DefinitionSource, EcspressoDeployment};
use crate::model::{InvalidInput, Origin, Sourced, StackModel};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Larger JSON files are not definitions (the biggest real ones are a few KB).
const MAX_DEFINITION_BYTES: u64 = 1024 * 1024;

/// Keys that only a service definition has (besides `taskDefinition`).
const SERVICE_KEYS: &[&str] = &[
    "serviceName",
    "loadBalancers",
    "networkConfiguration",
    "launchType",
    "desiredCount",
    "capacityProviderStrategy",
    "deploymentConfiguration",
    "healthCheckGracePeriodSeconds",
    "schedulingStrategy",
];

/// What a JSON document is, by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Task,
    Service,
}

/// The shape of a parsed JSON document, if it is a task or service definition.
pub fn shape(value: &serde_json::Value) -> Option<Shape> {
    let object = value.as_object()?;
    let has_containers = |o: &serde_json::Map<String, serde_json::Value>| {
        o.get("containerDefinitions").is_some_and(|c| c.is_array())
    };
    if has_containers(object) {
        return Some(Shape::Task);
    }
    if let Some(inner) = object.get("taskDefinition").and_then(|t| t.as_object()) {
        if has_containers(inner) {
            return Some(Shape::Task);
        }
    }
    let service = object
        .get("service")
        .and_then(|s| s.as_object())
        .unwrap_or(object);
    let names_task = service.get("taskDefinition").is_some_and(|t| t.is_string());
    if names_task && SERVICE_KEYS.iter().any(|k| service.contains_key(*k)) {
        return Some(Shape::Service);
    }
    None
}

/// The files the definitions source reads: JSON files small enough to be
/// a definition (the shape decides when they are read).
pub fn claims(file: &File) -> bool {
    !file.outside
        && file
            .path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        && file.size <= MAX_DEFINITION_BYTES
}

/// Reads every task and service definition of the tree that no ecspresso
/// project read already.
pub fn load(
    inventory: &Inventory,
    model: &mut StackModel,
    environment: &BTreeMap<String, String>,
    scope: &super::ReadScope,
) {
    let taken: HashSet<PathBuf> = model
        .ecs
        .deployments
        .iter()
        .flat_map(|d| {
            let task = d.task.as_ref().map(|t| t.file.clone());
            let service = d.service_definition.as_ref().map(|s| s.file.clone());
            [Some(d.config_file.clone()), task, service]
        })
        .flatten()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let mut tasks: Vec<(ecspresso::Definition, Vec<ecspresso::Problem>)> = Vec::new();
    let mut services: Vec<(ecspresso::Definition, Vec<ecspresso::Problem>)> = Vec::new();
    let candidates: Vec<PathBuf> = inventory
        .of(Kind::EcsDefinition)
        .map(|f| f.path.clone())
        .collect();
    for path in candidates {
        if path.canonicalize().is_ok_and(|p| taken.contains(&p)) || !scope.allows(&path) {
            continue;
        }
        let Some(text) = inventory.text(&path) else {
            continue;
        };
        let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let Some(kind) = shape(&value) else {
            continue;
        };
        let options = ecspresso::LoadOptions {
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            env: environment.clone(),
            bounds: scope.ecspresso_bounds(),
            ..ecspresso::LoadOptions::default()
        };
        match ecspresso::load_definition(&path, &options) {
            Ok((definition, problems)) => match kind {
                Shape::Task => tasks.push((definition, problems)),
                Shape::Service => services.push((definition, problems)),
            },
            Err(error) => {
                // Valid JSON that the loader still refuses (a template
                // function it cannot render): say so rather than skip it.
                remember_text(model, &path);
                model.invalid_inputs.push(InvalidInput {
                    kind: "ecs-definition".into(),
                    message: error.to_string(),
                    origin: Origin::file(&path, 1, 1, 0),
                });
            }
        }
    }
    let mut used_services = vec![false; services.len()];
    for loaded in &tasks {
        let task = &loaded.0;
        let dir = task
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let family = task
            .root
            .get("family")
            .and_then(ecspresso::Node::as_str)
            .unwrap_or("");
        let in_dir: Vec<usize> = (0..services.len())
            .filter(|&i| services[i].0.path.parent() == Some(dir.as_path()))
            .collect();
        let chosen = in_dir
            .iter()
            .copied()
            .find(|&i| runs_family(&services[i].0, family))
            .or(match in_dir.as_slice() {
                [only] if tasks_in(&tasks, &dir) == 1 => Some(*only),
                _ => None,
            });
        if let Some(i) = chosen {
            used_services[i] = true;
        }
        let service = chosen.map(|i| &services[i]);
        push(model, Some(loaded), service);
    }
    for (i, service) in services.iter().enumerate() {
        if !used_services[i] {
            push(model, None, Some(service));
        }
    }
}

fn tasks_in(tasks: &[(ecspresso::Definition, Vec<ecspresso::Problem>)], dir: &Path) -> usize {
    tasks
        .iter()
        .filter(|(t, _)| t.path.parent() == Some(dir))
        .count()
}

/// The service's `taskDefinition` names `family` (as `family`, `family:3` or an ARN).
fn runs_family(service: &ecspresso::Definition, family: &str) -> bool {
    let Some(named) = service
        .root
        .get("taskDefinition")
        .and_then(ecspresso::Node::as_str)
    else {
        return false;
    };
    let last = named.rsplit('/').next().unwrap_or(named);
    let name = last.split(':').next().unwrap_or(last);
    !family.is_empty() && name == family
}

type Loaded = (ecspresso::Definition, Vec<ecspresso::Problem>);

fn push(model: &mut StackModel, task: Option<&Loaded>, service: Option<&Loaded>) {
    let Some(main) = task.or(service) else {
        return;
    };
    let file = main.0.path.clone();
    let mut problems = Vec::new();
    for (definition, found) in task.into_iter().chain(service) {
        remember_text(model, &definition.path);
        problems.extend(found.iter().map(|p| problem(p, &definition.path)));
    }
    let task = task.map(|(d, _)| task_definition(d));
    if let Some(task) = &task {
        mask_environment_secrets(model, task);
    }
    let service_definition = service.map(|(d, _)| service_definition(d));
    let service_field = |key: &str| {
        let node = service?.0.root.get(key)?;
        let p = &node.position;
        Some(Sourced::new(
            node.as_str()?.to_string(),
            Origin::file(&p.file, p.line, p.column, p.length),
        ))
    };
    let service_name = service_field("serviceName");
    let cluster = service_field("cluster");
    model.ecs.deployments.push(EcspressoDeployment {
        source: DefinitionSource::DefinitionFile,
        dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
        config_file: file,
        region: None,
        cluster,
        service: service_name,
        timeout: None,
        problems,
        task,
        service_definition,
        copilot: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn definitions_are_recognised_by_shape() {
        assert_eq!(
            shape(&json!({"family": "x", "containerDefinitions": []})),
            Some(Shape::Task)
        );
        assert_eq!(
            shape(&json!({"taskDefinition": {"containerDefinitions": [{}]}})),
            Some(Shape::Task)
        );
        assert_eq!(
            shape(&json!({"taskDefinition": "api:3", "desiredCount": 1})),
            Some(Shape::Service)
        );
        assert_eq!(
            shape(&json!({"service": {"taskDefinition": "api", "loadBalancers": []}})),
            Some(Shape::Service)
        );
        // A package.json, a bare container list, a task ARN alone: not definitions.
        assert_eq!(shape(&json!({"name": "app", "dependencies": {}})), None);
        assert_eq!(shape(&json!([{"name": "app", "image": "x"}])), None);
        assert_eq!(shape(&json!({"taskDefinition": "api:3"})), None);
    }

    #[test]
    fn a_service_is_paired_with_the_task_whose_family_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("api.json"),
            r#"{"family": "api", "containerDefinitions": [{"name": "app", "image": "x"}]}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("worker.json"),
            r#"{"family": "worker", "containerDefinitions": [{"name": "w", "image": "x"}]}"#,
        )
        .unwrap();
        std::fs::write(
            root.join("service.json"),
            r#"{"serviceName": "api-svc", "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/api:7",
                "loadBalancers": [{"containerName": "app", "containerPort": 80}]}"#,
        )
        .unwrap();
        let mut model = StackModel {
            root: root.to_path_buf(),
            ..StackModel::default()
        };
        let inputs = crate::sources::Inputs::default();
        let scope = crate::sources::ReadScope::new(root, &inputs);
        let inventory = crate::sources::inventory::Inventory::scan(root);
        load(&inventory, &mut model, &BTreeMap::new(), &scope);
        assert_eq!(model.ecs.deployments.len(), 2);
        let api = model
            .ecs
            .deployments
            .iter()
            .find(|d| d.service.is_some())
            .unwrap();
        assert_eq!(api.service.as_ref().unwrap().value, "api-svc");
        assert_eq!(
            api.task.as_ref().unwrap().family.as_ref().unwrap().value,
            "api"
        );
        assert_eq!(api.source, DefinitionSource::DefinitionFile);
    }
}
