//! CloudFormation and SAM templates through the `cloudformation` crate:
//! `AWS::ECS::TaskDefinition` and `AWS::ECS::Service` become deployments of
//! the ECS model (their properties renamed to ECS's own JSON, so every ECS
//! check reads them as it reads an ecspresso project's), `MetadataOptions`
//! of `AWS::EC2::LaunchTemplate` and `AWS::EC2::Instance` become IMDS
//! settings, and the policy documents of `AWS::IAM::Role`, `AWS::IAM::Policy`
//! and `AWS::IAM::ManagedPolicy` go to the IAM evaluator. Every value keeps
//! the line of the template where it is written.
//!
//! Values CloudFormation only knows when it creates the stack (`!GetAtt`,
//! `!Ref` to a resource, `!ImportValue`, parameters without a default) stay
//! `<unresolved:cloudformation:…>` placeholders, reported as `info`.

use super::ecspresso::{
    mask_environment_secrets, remember_text, service_definition, task_definition,
};
use super::iac::definition;
use super::inventory::{File, Inventory, Kind};
use crate::model::aws::MetadataOptionsSetting;
use crate::model::ecs::{DefinitionSource, EcspressoDeployment};
use crate::model::{FilePosition, InvalidInput, Origin, Sourced, StackModel};
use cloudformation::{Template, Value};
use ecspresso::{Key, Node, NodeValue, Position};
use std::path::Path;

/// Extensions templates are written with.
const EXTENSIONS: &[&str] = &["yaml", "yml", "json", "template"];

/// The files the CloudFormation source reads: YAML, JSON and `.template`
/// files small enough to be a template (the text decides when they are read).
pub fn claims(file: &File) -> bool {
    !file.outside
        && file.size <= cloudformation::MAX_FILE_BYTES as u64
        && file
            .path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Reads every template of the tree.
pub fn load(inventory: &Inventory, model: &mut StackModel, scope: &super::ReadScope) {
    let candidates: Vec<std::path::PathBuf> = inventory
        .of(Kind::CloudFormation)
        .map(|f| f.path.clone())
        .collect();
    for path in candidates {
        if !scope.allows(&path) {
            continue;
        }
        let Some(text) = inventory.text(&path) else {
            continue;
        };
        // A cheap look before any parse: most YAML and JSON files are not templates.
        if !cloudformation::is_template(&text) {
            continue;
        }
        match cloudformation::parse(&text, &path, &cloudformation::Options::default()) {
            Ok(Some(template)) => add_template(model, &template),
            Ok(None) => {}
            Err(error) => {
                remember_text(model, &path);
                let at = error.position();
                model.invalid_inputs.push(InvalidInput {
                    kind: "cloudformation".into(),
                    message: error.message().to_string(),
                    origin: Origin::file(&path, at.line, at.column, 0),
                });
            }
        }
    }
}

fn position(at: &cloudformation::Position) -> Position {
    Position {
        file: at.file.to_path_buf(),
        line: at.line,
        column: at.column,
        length: 0,
        exact: true,
    }
}

fn origin(at: &cloudformation::Position) -> Origin {
    Origin::File(FilePosition {
        file: at.file.to_path_buf(),
        line: at.line,
        column: at.column,
        length: 0,
    })
}

/// Maps whose keys are the user's own (log driver options, labels): kept as written.
const VERBATIM_MAPS: &[&str] = &["Options", "DockerLabels", "Labels", "Tags"];

/// `PascalCase` property names as ECS's JSON spells them (`camelCase`).
fn ecs_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// A template value as the ECS JSON node it registers as; `rename` turns
/// property names into ECS's (off for policy documents and verbatim maps).
fn to_node(value: &cloudformation::Node, rename: bool) -> Node {
    let v = match &value.value {
        Value::Null => NodeValue::Null,
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::Number(n) => NodeValue::Number(*n),
        Value::String(s) => NodeValue::String(s.clone()),
        Value::Unresolved(text) => {
            NodeValue::String(ecspresso::placeholder("cloudformation", text))
        }
        Value::Array(items) => NodeValue::Array(items.iter().map(|i| to_node(i, rename)).collect()),
        Value::Object(entries) => NodeValue::Object(
            entries
                .iter()
                .map(|e| {
                    let inner = rename && !VERBATIM_MAPS.contains(&e.key.as_str());
                    let name = if rename {
                        ecs_name(&e.key)
                    } else {
                        e.key.clone()
                    };
                    (
                        Key {
                            name,
                            position: position(&e.key_position),
                        },
                        to_node(&e.value, inner),
                    )
                })
                .collect(),
        ),
    };
    Node {
        value: v,
        position: position(&value.position),
    }
}

/// Every unresolved expression under `node`, where it is written.
fn unresolved_in(node: &cloudformation::Node, out: &mut Vec<(String, cloudformation::Position)>) {
    match &node.value {
        Value::Unresolved(text) => out.push((text.clone(), node.position.clone())),
        Value::Array(items) => items.iter().for_each(|i| unresolved_in(i, out)),
        Value::Object(entries) => entries.iter().for_each(|e| unresolved_in(&e.value, out)),
        _ => {}
    }
}

/// The logical ID a service's `TaskDefinition: !Ref Task` names.
fn task_reference(service: &cloudformation::Resource) -> Option<&str> {
    let named = service.properties.as_ref()?.get("TaskDefinition")?;
    match &named.value {
        Value::Unresolved(text) => text.strip_prefix("Ref "),
        _ => None,
    }
}

fn add_template(model: &mut StackModel, template: &Template) {
    let created = |r: &&cloudformation::Resource| r.created != Some(false);
    let tasks: Vec<&cloudformation::Resource> = template
        .resources_of("AWS::ECS::TaskDefinition")
        .filter(created)
        .collect();
    let services: Vec<&cloudformation::Resource> = template
        .resources_of("AWS::ECS::Service")
        .filter(created)
        .collect();
    let mut used = vec![false; services.len()];
    for task in &tasks {
        let paired = services
            .iter()
            .position(|s| task_reference(s) == Some(task.logical_id.as_str()))
            .or((tasks.len() == 1 && services.len() == 1).then_some(0));
        if let Some(s) = paired {
            used[s] = true;
        }
        push(model, template, Some(task), paired.map(|s| services[s]));
    }
    for (s, service) in services.iter().enumerate() {
        if !used[s] {
            push(model, template, None, Some(service));
        }
    }
    add_metadata_options(model, template);
    add_policies(model, template);
}

fn push(
    model: &mut StackModel,
    template: &Template,
    task: Option<&cloudformation::Resource>,
    service: Option<&cloudformation::Resource>,
) {
    let file = template.file.clone();
    remember_text(model, &file);
    let empty = |r: &cloudformation::Resource| cloudformation::Node {
        value: Value::Object(Vec::new()),
        position: r.position.clone(),
    };
    let task_definition = task.map(|t| {
        let node = to_node(t.properties.as_ref().unwrap_or(&empty(t)), true);
        task_definition(&definition(&file, node, ecspresso::DefinitionKind::Task))
    });
    let service_root = service.map(|s| to_node(s.properties.as_ref().unwrap_or(&empty(s)), true));
    let service_definition = service_root.as_ref().map(|root| {
        service_definition(&definition(
            &file,
            root.clone(),
            ecspresso::DefinitionKind::Service,
        ))
    });
    let field = |key: &str| {
        let node = service_root.as_ref()?.get(key)?;
        let text = node.as_str()?;
        (!text.contains(ecspresso::PLACEHOLDER_PREFIX)).then(|| {
            Sourced::new(
                text.to_string(),
                Origin::file(
                    &node.position.file,
                    node.position.line,
                    node.position.column,
                    0,
                ),
            )
        })
    };
    if let Some(task) = &task_definition {
        mask_environment_secrets(model, task);
    }
    let mut unresolved = Vec::new();
    for resource in task.into_iter().chain(service) {
        if let Some(properties) = &resource.properties {
            unresolved_in(properties, &mut unresolved);
        }
    }
    // The service runs the task it is paired with: that reference is known.
    if let Some(task) = task {
        let reference = format!("Ref {}", task.logical_id);
        unresolved.retain(|(text, _)| *text != reference);
    }
    let problems = super::iac::unresolved_problems(
        unresolved.into_iter().map(|(t, at)| (t, origin(&at))),
        "CloudFormation creates the stack",
    );
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    model.ecs.deployments.push(EcspressoDeployment {
        source: DefinitionSource::CloudFormation,
        config_file: file,
        dir,
        region: None,
        cluster: field("cluster"),
        service: field("serviceName"),
        timeout: None,
        problems,
        task: task_definition,
        service_definition,
        copilot: None,
    });
}

/// `MetadataOptions` of launch templates (under `LaunchTemplateData`) and instances.
fn add_metadata_options(model: &mut StackModel, template: &Template) {
    for resource in &template.resources {
        let options = match resource.type_name.as_str() {
            "AWS::EC2::LaunchTemplate" => resource
                .properties
                .as_ref()
                .and_then(|p| p.get("LaunchTemplateData"))
                .and_then(|d| d.get("MetadataOptions")),
            "AWS::EC2::Instance" => resource
                .properties
                .as_ref()
                .and_then(|p| p.get("MetadataOptions")),
            _ => None,
        };
        let Some(options) = options else {
            continue;
        };
        remember_text(model, &template.file);
        let http_tokens = options.get("HttpTokens").and_then(|t| {
            let text = match &t.value {
                Value::String(s) => s.clone(),
                Value::Unresolved(u) => ecspresso::placeholder("cloudformation", u),
                _ => return None,
            };
            Some(Sourced::new(text, origin(&t.position)))
        });
        let hop_limit = options.get("HttpPutResponseHopLimit").and_then(|h| {
            let n = match &h.value {
                Value::Number(n) => *n,
                Value::String(s) => s.trim().parse().ok()?,
                _ => return None,
            };
            (n >= 0.0 && n.fract() == 0.0 && n <= u32::MAX as f64)
                .then(|| Sourced::new(n as u32, origin(&h.position)))
        });
        model.aws.metadata_settings.push(MetadataOptionsSetting {
            resource: resource.logical_id.clone(),
            http_tokens,
            hop_limit,
            origin: origin(&options.position),
            written: true,
        });
    }
}

/// Policy documents of roles (inline `Policies`), policies and managed policies.
fn add_policies(model: &mut StackModel, template: &Template) {
    let mut documents: Vec<&cloudformation::Node> = Vec::new();
    for resource in &template.resources {
        let Some(properties) = &resource.properties else {
            continue;
        };
        match resource.type_name.as_str() {
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                for policy in properties
                    .get("Policies")
                    .and_then(cloudformation::Node::as_array)
                    .unwrap_or(&[])
                {
                    documents.extend(policy.get("PolicyDocument"));
                }
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" | "AWS::IAM::RolePolicy" => {
                documents.extend(properties.get("PolicyDocument"));
            }
            _ => {}
        }
    }
    for document in documents {
        let node = to_node(document, false);
        super::iac::add_policy_document(model, &template.file, &node);
    }
}
