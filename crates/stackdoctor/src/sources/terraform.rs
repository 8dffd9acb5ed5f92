//! Terraform configurations through the `terraform` crate: every folder of
//! `.tf` files is one module. `aws_ecs_task_definition` and `aws_ecs_service`
//! become deployments of the ECS model (the task definition in ECS's own
//! JSON shape, so every ECS check reads it as it reads an ecspresso
//! project's), and the `metadata_options` of `aws_launch_template` and
//! `aws_instance` become IMDS settings, and IAM policies (`aws_iam_role_policy`,
//! `aws_iam_policy`, `data "aws_iam_policy_document"`) go to the IAM evaluator. Every value keeps the line of the
//! `.tf` file (or of the JSON file that `file()` reads) where it is written.
//!
//! Values Terraform only knows at apply time (resource attributes, data
//! sources, module outputs) stay `<unresolved:terraform:…>` placeholders,
//! reported as `info`, never guessed.

use super::ecspresso::{
    mask_environment_secrets, remember_text, service_definition, task_definition,
};
use super::iac::definition;
use super::inventory::{File, Inventory, Kind};
use crate::model::aws::MetadataOptionsSetting;
use crate::model::ecs::{DefinitionSource, EcspressoDeployment};
use crate::model::{FilePosition, InvalidInput, Origin, Sourced, StackModel};
use ecspresso::{Key, Node, NodeValue, Position};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use terraform::{Block, Value};

/// The files the Terraform source reads: `.tf` files (each folder of them
/// is a module, read with its `.tfvars`).
pub fn claims(file: &File) -> bool {
    !file.outside && file.name.ends_with(".tf")
}

/// The folders holding `.tf` files, sorted.
fn module_dirs(inventory: &Inventory) -> Vec<PathBuf> {
    let dirs: BTreeSet<PathBuf> = inventory
        .of(Kind::Terraform)
        .map(|f| f.folder().to_path_buf())
        .collect();
    dirs.into_iter().collect()
}

/// Loads every module of the tree. `var_files` are `--tfvars` files, applied
/// to every module after its own `terraform.tfvars` and `*.auto.tfvars`.
pub fn load(
    inventory: &Inventory,
    model: &mut StackModel,
    var_files: &[PathBuf],
    environment: &BTreeMap<String, String>,
    scope: &super::ReadScope,
) {
    let may_read = |p: &Path| scope.allows(p);
    for dir in module_dirs(inventory) {
        let options = terraform::Options {
            var_files: var_files.to_vec(),
            env: environment.clone(),
            may_read: Some(&may_read),
        };
        match terraform::load_module(&dir, &options) {
            Ok(module) => add_module(model, &module),
            Err(error) => {
                let origin = match &error {
                    terraform::Error::Syntax { span, .. } => span_origin(span),
                    terraform::Error::Read { path, .. } => Origin::file(path, 1, 1, 0),
                };
                if let Origin::File(p) = &origin {
                    remember_text(model, &p.file);
                }
                // The position is the origin's: the message need not name the file.
                let message = match &error {
                    terraform::Error::Syntax { message, .. } => message.clone(),
                    terraform::Error::Read { source, .. } => source.to_string(),
                };
                model.invalid_inputs.push(InvalidInput {
                    kind: "terraform".into(),
                    message,
                    origin,
                });
            }
        }
    }
}

fn span_origin(span: &terraform::Span) -> Origin {
    Origin::File(FilePosition {
        file: span.file.clone(),
        line: span.line,
        column: span.column,
        length: span.length,
    })
}

fn position(span: &terraform::Span) -> Position {
    Position {
        file: span.file.clone(),
        line: span.line,
        column: span.column,
        length: span.length,
        exact: true,
    }
}

/// What a conversion met that Terraform only knows at apply time.
#[derive(Default)]
struct Unresolved(Vec<(String, terraform::Span)>);

impl Unresolved {
    /// One `info` problem per expression.
    fn problems(self) -> Vec<crate::model::ecs::ConfigProblem> {
        super::iac::unresolved_problems(
            self.0.into_iter().map(|(t, span)| (t, span_origin(&span))),
            "Terraform applies",
        )
    }
}

/// A Terraform value as the ECS JSON node it renders to.
fn to_node(value: &terraform::Node, unresolved: &mut Unresolved) -> Node {
    let at = position(&value.span);
    let v = match &value.value {
        Value::Null => NodeValue::Null,
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::Number(n) => NodeValue::Number(*n),
        Value::String(s) => NodeValue::String(s.clone()),
        Value::Array(items) => {
            NodeValue::Array(items.iter().map(|i| to_node(i, unresolved)).collect())
        }
        Value::Object(entries) => NodeValue::Object(
            entries
                .iter()
                // `null` attributes are left out of the JSON, as Terraform does.
                .filter(|(_, v)| v.value != Value::Null)
                .map(|(k, v)| {
                    (
                        Key {
                            name: k.name.clone(),
                            position: position(&k.span),
                        },
                        to_node(v, unresolved),
                    )
                })
                .collect(),
        ),
        Value::Encoded(inner) => match to_node(inner, unresolved).value {
            // A string holding JSON: keep its text for string uses.
            NodeValue::String(s) => NodeValue::String(s),
            _ => NodeValue::String(inner.to_json().to_string()),
        },
        Value::FileText { text, .. } => NodeValue::String(text.clone()),
        Value::Unresolved(text) => {
            unresolved.0.push((text.clone(), value.span.clone()));
            NodeValue::String(terraform::placeholder(text))
        }
    };
    Node {
        value: v,
        position: at,
    }
}

/// A JSON document held in a string attribute (`jsonencode(…)`, a heredoc,
/// `file()`), read with positions where it is written.
fn json_document(value: &terraform::Node, unresolved: &mut Unresolved) -> Option<Node> {
    match &value.value {
        Value::Encoded(inner) => Some(to_node(inner, unresolved)),
        Value::FileText { path, text } => terraform::parse_json(&terraform::Lines::new(path, text))
            .map(|n| to_node(&n, unresolved)),
        Value::String(text) => {
            // A heredoc's text starts on the line after `<<EOT`.
            let lines = terraform::Lines::at(&value.span.file, text, value.span.line, 0);
            terraform::parse_json(&lines).map(|n| to_node(&n, unresolved))
        }
        Value::Unresolved(text) => {
            unresolved.0.push((text.clone(), value.span.clone()));
            None
        }
        _ => None,
    }
}

fn entry(name: &str, span: &terraform::Span, node: Node) -> (Key, Node) {
    (
        Key {
            name: name.into(),
            position: position(span),
        },
        node,
    )
}

/// `tf_name` → `ecs_name` for each attribute of `block` that is set.
fn attributes(
    block: &Block,
    names: &[(&str, &str)],
    unresolved: &mut Unresolved,
) -> Vec<(Key, Node)> {
    names
        .iter()
        .filter_map(|(tf, ecs)| {
            let attribute = block.attribute(tf)?;
            (attribute.value.value != Value::Null).then(|| {
                entry(
                    ecs,
                    &attribute.key_span,
                    to_node(&attribute.value, unresolved),
                )
            })
        })
        .collect()
}

fn object(block: &Block, entries: Vec<(Key, Node)>) -> Node {
    Node {
        value: NodeValue::Object(entries),
        position: position(&block.span),
    }
}

fn nested(
    block: &Block,
    kind: &str,
    ecs_name: &str,
    names: &[(&str, &str)],
    unresolved: &mut Unresolved,
) -> Option<(Key, Node)> {
    let inner = block.block(kind)?;
    let fields = attributes(inner, names, unresolved);
    Some(entry(ecs_name, &inner.span, object(inner, fields)))
}

/// `aws_ecs_task_definition` as RegisterTaskDefinition input.
fn task_node(block: &Block, unresolved: &mut Unresolved) -> Node {
    let mut fields = attributes(
        block,
        &[
            ("family", "family"),
            ("cpu", "cpu"),
            ("memory", "memory"),
            ("network_mode", "networkMode"),
            ("requires_compatibilities", "requiresCompatibilities"),
            ("execution_role_arn", "executionRoleArn"),
            ("task_role_arn", "taskRoleArn"),
            ("pid_mode", "pidMode"),
            ("ipc_mode", "ipcMode"),
        ],
        unresolved,
    );
    if let Some(attribute) = block.attribute("container_definitions") {
        let containers = json_document(&attribute.value, unresolved).unwrap_or(Node {
            value: NodeValue::Array(Vec::new()),
            position: position(&attribute.value.span),
        });
        fields.push(entry(
            "containerDefinitions",
            &attribute.key_span,
            containers,
        ));
    }
    fields.extend(nested(
        block,
        "runtime_platform",
        "runtimePlatform",
        &[
            ("cpu_architecture", "cpuArchitecture"),
            ("operating_system_family", "operatingSystemFamily"),
        ],
        unresolved,
    ));
    let constraints: Vec<Node> = block
        .blocks_of("placement_constraints")
        .map(|c| {
            let f = attributes(
                c,
                &[("type", "type"), ("expression", "expression")],
                unresolved,
            );
            object(c, f)
        })
        .collect();
    if let Some(first) = block.block("placement_constraints") {
        fields.push(entry(
            "placementConstraints",
            &first.span,
            Node {
                value: NodeValue::Array(constraints),
                position: position(&first.span),
            },
        ));
    }
    let volumes: Vec<Node> = block
        .blocks_of("volume")
        .map(|v| {
            let mut f = attributes(v, &[("name", "name")], unresolved);
            if let Some(docker) = v.block("docker_volume_configuration") {
                f.push(entry(
                    "dockerVolumeConfiguration",
                    &docker.span,
                    object(docker, Vec::new()),
                ));
            }
            object(v, f)
        })
        .collect();
    if let Some(first) = block.block("volume") {
        fields.push(entry(
            "volumes",
            &first.span,
            Node {
                value: NodeValue::Array(volumes),
                position: position(&first.span),
            },
        ));
    }
    object(block, fields)
}

/// `aws_ecs_service` as CreateService input.
fn service_node(block: &Block, unresolved: &mut Unresolved) -> Node {
    let mut fields = attributes(
        block,
        &[
            ("name", "serviceName"),
            ("cluster", "cluster"),
            ("task_definition", "taskDefinition"),
            ("launch_type", "launchType"),
            ("platform_version", "platformVersion"),
            ("desired_count", "desiredCount"),
            ("scheduling_strategy", "schedulingStrategy"),
            (
                "health_check_grace_period_seconds",
                "healthCheckGracePeriodSeconds",
            ),
        ],
        unresolved,
    );
    let mut deployment = attributes(
        block,
        &[
            (
                "deployment_minimum_healthy_percent",
                "minimumHealthyPercent",
            ),
            ("deployment_maximum_percent", "maximumPercent"),
        ],
        unresolved,
    );
    deployment.extend(nested(
        block,
        "deployment_circuit_breaker",
        "deploymentCircuitBreaker",
        &[("enable", "enable"), ("rollback", "rollback")],
        unresolved,
    ));
    if !deployment.is_empty() {
        fields.push(entry(
            "deploymentConfiguration",
            &block.span,
            object(block, deployment),
        ));
    }
    fields.extend(nested(
        block,
        "deployment_controller",
        "deploymentController",
        &[("type", "type")],
        unresolved,
    ));
    let list = |kind: &str, names: &[(&str, &str)], unresolved: &mut Unresolved| {
        let items: Vec<Node> = block
            .blocks_of(kind)
            .map(|b| {
                let f = attributes(b, names, unresolved);
                object(b, f)
            })
            .collect();
        block.block(kind).map(|first| (first.span.clone(), items))
    };
    if let Some((span, items)) = list(
        "capacity_provider_strategy",
        &[
            ("capacity_provider", "capacityProvider"),
            ("weight", "weight"),
            ("base", "base"),
        ],
        unresolved,
    ) {
        fields.push(entry(
            "capacityProviderStrategy",
            &span,
            Node {
                value: NodeValue::Array(items),
                position: position(&span),
            },
        ));
    }
    if let Some((span, items)) = list(
        "load_balancer",
        &[
            ("target_group_arn", "targetGroupArn"),
            ("container_name", "containerName"),
            ("container_port", "containerPort"),
        ],
        unresolved,
    ) {
        fields.push(entry(
            "loadBalancers",
            &span,
            Node {
                value: NodeValue::Array(items),
                position: position(&span),
            },
        ));
    }
    if let Some(network) = block.block("network_configuration") {
        let mut awsvpc = attributes(
            network,
            &[
                ("subnets", "subnets"),
                ("security_groups", "securityGroups"),
            ],
            unresolved,
        );
        if let Some(public) = network.attribute("assign_public_ip") {
            let mut node = to_node(&public.value, unresolved);
            // The provider takes a bool; ECS's JSON says ENABLED/DISABLED.
            if let NodeValue::Bool(b) = node.value {
                node.value = NodeValue::String(if b { "ENABLED" } else { "DISABLED" }.into());
            }
            awsvpc.push(entry("assignPublicIp", &public.key_span, node));
        }
        let inner = entry(
            "awsvpcConfiguration",
            &network.span,
            object(network, awsvpc),
        );
        fields.push(entry(
            "networkConfiguration",
            &network.span,
            object(network, vec![inner]),
        ));
    }
    object(block, fields)
}

/// Whether a module call is terraform-aws-modules' ECS service module: the
/// registry source, or a local copy whose variables it has.
fn is_ecs_service_module(module: &terraform::Module, call: &Block) -> bool {
    let Some(source) = call.get("source").and_then(terraform::Node::as_str) else {
        return false;
    };
    if source.starts_with("terraform-aws-modules/ecs/aws//modules/service") {
        return true;
    }
    if !(source.starts_with("./") || source.starts_with("../")) {
        return false;
    }
    let variables = module.dir.join(source).join("variables.tf");
    std::fs::read_to_string(variables).is_ok_and(|text| {
        text.contains("variable \"container_definitions\"")
            && text.contains("variable \"requires_compatibilities\"")
    })
}

/// Keys of the module's container objects that are the module's own, not ECS's.
const MODULE_ONLY_KEYS: &[&str] = &[
    "create",
    "operating_system_family",
    "tags",
    "enable_cloudwatch_logging",
    "create_cloudwatch_log_group",
    "cloudwatch_log_group_name",
    "cloudwatch_log_group_retention_in_days",
    "cloudwatch_log_group_kms_key_id",
    "cloudwatch_log_group_class",
    "service",
    "enable_execute_command",
];

/// A module default, placed at the call (not written there).
fn module_default(call: &Block, value: NodeValue) -> Node {
    let mut at = position(&call.span);
    at.exact = false;
    Node {
        value,
        position: at,
    }
}

/// Calls of terraform-aws-modules' ECS service module: the task definition
/// and service it creates, from the call's inputs and the module's defaults
/// (cpu 1024, memory 2048, `awsvpc`, `FARGATE`; v6 `variables.tf`), so a
/// container that asks for more than the task (`cpu`/`memory` set at the
/// wrong level) is found at the call's lines.
fn add_service_module_calls(model: &mut StackModel, module: &terraform::Module) {
    for call in module.blocks.iter().filter(|b| b.kind == "module") {
        // `create = false`: the call creates nothing.
        let disabled = call
            .get("create")
            .is_some_and(|c| c.value == Value::Bool(false));
        if disabled || !is_ecs_service_module(module, call) {
            continue;
        }
        let mut unresolved = Unresolved::default();
        let value_or =
            |name: &str, default: NodeValue, unresolved: &mut Unresolved| match call.get(name) {
                Some(v) if v.value != Value::Null => to_node(v, unresolved),
                _ => module_default(call, default),
            };
        let mut task = vec![
            entry(
                "family",
                &call.span,
                value_or(
                    "family",
                    NodeValue::String(call.labels.first().cloned().unwrap_or_default()),
                    &mut unresolved,
                ),
            ),
            entry(
                "cpu",
                &call.span,
                value_or("cpu", NodeValue::Number(1024.0), &mut unresolved),
            ),
            entry(
                "memory",
                &call.span,
                value_or("memory", NodeValue::Number(2048.0), &mut unresolved),
            ),
            entry(
                "networkMode",
                &call.span,
                value_or(
                    "network_mode",
                    NodeValue::String("awsvpc".into()),
                    &mut unresolved,
                ),
            ),
        ];
        let compatibilities = match call.get("requires_compatibilities") {
            Some(v) => to_node(v, &mut unresolved),
            None => module_default(
                call,
                NodeValue::Array(vec![module_default(
                    call,
                    NodeValue::String("FARGATE".into()),
                )]),
            ),
        };
        task.push(entry(
            "requiresCompatibilities",
            &call.span,
            compatibilities,
        ));
        // The module creates the execution role unless told not to.
        task.push(entry(
            "executionRoleArn",
            &call.span,
            module_default(
                call,
                NodeValue::String(ecspresso::placeholder("terraform", "module execution role")),
            ),
        ));
        if let Some(platform) = call.get("runtime_platform") {
            let node = to_node(platform, &mut unresolved);
            let renamed = rename_keys(
                &node,
                &[
                    ("cpu_architecture", "cpuArchitecture"),
                    ("operating_system_family", "operatingSystemFamily"),
                ],
            );
            task.push(entry("runtimePlatform", &platform.span, renamed));
        }
        let mut containers = Vec::new();
        if let Some(definitions) = call.get("container_definitions") {
            if let Value::Object(entries) = &definitions.value {
                for (key, value) in entries {
                    let mut node = to_node(value, &mut unresolved);
                    if let NodeValue::Object(fields) = &mut node.value {
                        fields.retain(|(k, _)| !MODULE_ONLY_KEYS.contains(&k.name.as_str()));
                        if !fields.iter().any(|(k, _)| k.name == "name") {
                            fields.insert(
                                0,
                                entry(
                                    "name",
                                    &key.span,
                                    Node {
                                        value: NodeValue::String(key.name.clone()),
                                        position: position(&key.span),
                                    },
                                ),
                            );
                        }
                    }
                    containers.push(node);
                }
            }
        }
        let at = call
            .get("container_definitions")
            .map_or(call.span.clone(), |d| d.span.clone());
        task.push(entry(
            "containerDefinitions",
            &at,
            Node {
                value: NodeValue::Array(containers),
                position: position(&at),
            },
        ));
        let task_root = object(call, task);
        let mut service = vec![entry(
            "serviceName",
            &call.span,
            value_or(
                "name",
                NodeValue::String(call.labels.first().cloned().unwrap_or_default()),
                &mut unresolved,
            ),
        )];
        // The module sets no launch type when capacity providers are given.
        match call
            .get("capacity_provider_strategy")
            .filter(|c| c.value != Value::Null)
        {
            Some(strategy) => {
                let items: Vec<Node> = match &strategy.value {
                    Value::Object(strategies) => strategies
                        .iter()
                        .map(|(_, one)| {
                            let node = to_node(one, &mut unresolved);
                            rename_keys(&node, &[("capacity_provider", "capacityProvider")])
                        })
                        .collect(),
                    // Known only at apply time: one provider, unknown.
                    _ => vec![object(
                        call,
                        vec![entry(
                            "capacityProvider",
                            &strategy.span,
                            to_node(strategy, &mut unresolved),
                        )],
                    )],
                };
                service.push(entry(
                    "capacityProviderStrategy",
                    &strategy.span,
                    Node {
                        value: NodeValue::Array(items),
                        position: position(&strategy.span),
                    },
                ));
            }
            None => service.push(entry(
                "launchType",
                &call.span,
                value_or(
                    "launch_type",
                    NodeValue::String("FARGATE".into()),
                    &mut unresolved,
                ),
            )),
        }
        if let Some(grace) = call.get("health_check_grace_period_seconds") {
            service.push(entry(
                "healthCheckGracePeriodSeconds",
                &grace.span,
                to_node(grace, &mut unresolved),
            ));
        }
        let public = match call.get("assign_public_ip") {
            Some(p) => {
                let mut node = to_node(p, &mut unresolved);
                if let NodeValue::Bool(b) = node.value {
                    node.value = NodeValue::String(if b { "ENABLED" } else { "DISABLED" }.into());
                }
                node
            }
            None => module_default(call, NodeValue::String("DISABLED".into())),
        };
        let mut awsvpc = vec![entry("assignPublicIp", &call.span, public)];
        if let Some(subnets) = call.get("subnet_ids") {
            awsvpc.push(entry(
                "subnets",
                &subnets.span,
                to_node(subnets, &mut unresolved),
            ));
        }
        let awsvpc = entry("awsvpcConfiguration", &call.span, object(call, awsvpc));
        service.push(entry(
            "networkConfiguration",
            &call.span,
            object(call, vec![awsvpc]),
        ));
        if let Some(Value::Object(balancers)) = call.get("load_balancer").map(|l| &l.value) {
            let items: Vec<Node> = balancers
                .iter()
                .map(|(_, lb)| {
                    let node = to_node(lb, &mut unresolved);
                    rename_keys(
                        &node,
                        &[
                            ("target_group_arn", "targetGroupArn"),
                            ("container_name", "containerName"),
                            ("container_port", "containerPort"),
                        ],
                    )
                })
                .collect();
            service.push(entry(
                "loadBalancers",
                &call.span,
                Node {
                    value: NodeValue::Array(items),
                    position: position(&call.span),
                },
            ));
        }
        let service_root = object(call, service);
        let file = call.span.file.clone();
        remember_text(model, &file);
        let task_definition = task_definition(&definition(
            &file,
            task_root,
            ecspresso::DefinitionKind::Task,
        ));
        mask_environment_secrets(model, &task_definition);
        let service_definition = service_definition(&definition(
            &file,
            service_root,
            ecspresso::DefinitionKind::Service,
        ));
        let problems = unresolved.problems();
        model.ecs.deployments.push(EcspressoDeployment {
            source: DefinitionSource::Terraform,
            config_file: file,
            dir: module.dir.clone(),
            region: None,
            cluster: None,
            service: None,
            timeout: None,
            problems,
            task: Some(task_definition),
            service_definition: Some(service_definition),
            copilot: None,
        });
    }
}

/// `node` with the keys of an object renamed (`from` → `to`).
fn rename_keys(node: &Node, names: &[(&str, &str)]) -> Node {
    let mut out = node.clone();
    if let NodeValue::Object(fields) = &mut out.value {
        for (key, _) in fields.iter_mut() {
            if let Some((_, to)) = names.iter().find(|(from, _)| *from == key.name) {
                key.name = (*to).to_string();
            }
        }
    }
    out
}

/// The task resource a service runs: `aws_ecs_task_definition.NAME.arn`.
fn task_reference(service: &Block) -> Option<String> {
    let Value::Unresolved(text) = &service.get("task_definition")?.value else {
        return None;
    };
    let rest = text.trim().strip_prefix("aws_ecs_task_definition.")?;
    Some(rest.split('.').next()?.to_string())
}

fn add_module(model: &mut StackModel, module: &terraform::Module) {
    // Values come from any file of the module and its tfvars: all may be shown.
    for file in module.files.iter().chain(&module.tfvars) {
        remember_text(model, file);
    }
    let tasks: Vec<&Block> = module.resources("aws_ecs_task_definition").collect();
    let services: Vec<&Block> = module.resources("aws_ecs_service").collect();
    let mut paired = vec![None; tasks.len()];
    for (s, service) in services.iter().enumerate() {
        let by_name = task_reference(service)
            .and_then(|name| tasks.iter().position(|t| t.labels.get(1) == Some(&name)));
        let only = (tasks.len() == 1 && services.len() == 1).then_some(0);
        if let Some(t) = by_name.or(only) {
            paired[t] = Some(s);
        }
    }
    let mut used = vec![false; services.len()];
    for (t, task) in tasks.iter().enumerate() {
        let service = paired[t].map(|s| {
            used[s] = true;
            services[s]
        });
        push(model, module, Some(task), service);
    }
    for (s, service) in services.iter().enumerate() {
        if !used[s] {
            push(model, module, None, Some(service));
        }
    }
    add_policies(model, module);
    add_service_module_calls(model, module);
    for kind in ["aws_launch_template", "aws_instance"] {
        for block in module.resources(kind) {
            let Some(options) = block.block("metadata_options") else {
                continue;
            };
            remember_text(model, &options.span.file);
            let text = |name: &str| {
                let attribute = options.attribute(name)?;
                let value = match &attribute.value.value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => format!("{n}"),
                    Value::Unresolved(t) => terraform::placeholder(t),
                    _ => return None,
                };
                Some(Sourced::new(value, span_origin(&attribute.value.span)))
            };
            let hop_limit = options
                .attribute("http_put_response_hop_limit")
                .and_then(|a| match a.value.value {
                    Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => {
                        Some(Sourced::new(n as u32, span_origin(&a.value.span)))
                    }
                    _ => None,
                });
            model.aws.metadata_settings.push(MetadataOptionsSetting {
                resource: format!(
                    "{kind}.{}",
                    block.labels.get(1).cloned().unwrap_or_default()
                ),
                http_tokens: text("http_tokens"),
                hop_limit,
                origin: span_origin(&options.span),
                written: true,
            });
        }
    }
    module_metadata_defaults(model, module);
}

fn push(
    model: &mut StackModel,
    module: &terraform::Module,
    task: Option<&Block>,
    service: Option<&Block>,
) {
    let Some(main) = task.or(service) else {
        return;
    };
    let file = main.span.file.clone();
    let mut unresolved = Unresolved::default();
    let task_definition = task.map(|t| {
        let node = task_node(t, &mut unresolved);
        task_definition(&definition(
            &t.span.file,
            node,
            ecspresso::DefinitionKind::Task,
        ))
    });
    let service_root = service.map(|s| service_node(s, &mut unresolved));
    // The service runs the task it is paired with: that reference is known.
    if let Some(task) = task {
        let address = format!(
            "aws_ecs_task_definition.{}",
            task.labels.get(1).map_or("", String::as_str)
        );
        unresolved
            .0
            .retain(|(text, _)| !text.starts_with(&format!("{address}.")));
    }
    let service_definition = service.zip(service_root.as_ref()).map(|(s, root)| {
        service_definition(&definition(
            &s.span.file,
            root.clone(),
            ecspresso::DefinitionKind::Service,
        ))
    });
    let field = |key: &str| {
        let node = service_root.as_ref()?.get(key)?;
        Some(Sourced::new(
            node.as_str()?.to_string(),
            span_origin(&terraform::Span {
                file: node.position.file.clone(),
                line: node.position.line,
                column: node.position.column,
                length: node.position.length,
            }),
        ))
    };
    let service_name = field("serviceName");
    let cluster = field("cluster").filter(|c| !c.value.contains(ecspresso::PLACEHOLDER_PREFIX));
    let mut files: Vec<PathBuf> = task
        .into_iter()
        .chain(service)
        .map(|b| b.span.file.clone())
        .collect();
    files.extend(
        task_definition
            .iter()
            .flat_map(|t| t.containers.iter())
            .filter_map(|c| match &c.origin {
                Origin::File(p) => Some(p.file.clone()),
                _ => None,
            }),
    );
    files.sort();
    files.dedup();
    for f in &files {
        remember_text(model, f);
    }
    if let Some(task) = &task_definition {
        mask_environment_secrets(model, task);
    }
    let problems = unresolved.problems();
    model.ecs.deployments.push(EcspressoDeployment {
        source: DefinitionSource::Terraform,
        config_file: file,
        dir: module.dir.clone(),
        region: None,
        cluster,
        service: service_name.filter(|s| !s.value.contains(ecspresso::PLACEHOLDER_PREFIX)),
        timeout: None,
        problems,
        task: task_definition,
        service_definition,
        copilot: None,
    });
}

/// `data "aws_iam_policy_document"` as the policy JSON it renders
/// (provider docs: `effect` defaults to Allow, `principals` and `condition`
/// blocks become `Principal` and `Condition`).
fn policy_document_node(block: &Block, unresolved: &mut Unresolved) -> Node {
    let mut statements = Vec::new();
    for statement in block.blocks_of("statement") {
        let mut fields = attributes(
            statement,
            &[
                ("sid", "Sid"),
                ("effect", "Effect"),
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ],
            unresolved,
        );
        if statement.attribute("effect").is_none() {
            fields.push(entry(
                "Effect",
                &statement.span,
                Node {
                    value: NodeValue::String("Allow".into()),
                    position: position(&statement.span),
                },
            ));
        }
        for (kind, name) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals: Vec<(Key, Node)> = Vec::new();
            for p in statement.blocks_of(kind) {
                let (Some(t), Some(ids)) = (p.get("type"), p.get("identifiers")) else {
                    continue;
                };
                let Some(t) = t.as_str() else { continue };
                principals.push(entry(t, &p.span, to_node(ids, unresolved)));
            }
            if let Some(first) = statement.block(kind) {
                fields.push(entry(name, &first.span, object(first, principals)));
            }
        }
        let mut conditions: Vec<(Key, Node)> = Vec::new();
        for c in statement.blocks_of("condition") {
            let (Some(test), Some(variable), Some(values)) = (
                c.get("test").and_then(|t| t.as_str()),
                c.get("variable").and_then(|v| v.as_str()),
                c.get("values"),
            ) else {
                continue;
            };
            let inner = entry(variable, &c.span, to_node(values, unresolved));
            match conditions.iter_mut().find(|(k, _)| k.name == test) {
                Some((
                    _,
                    Node {
                        value: NodeValue::Object(existing),
                        ..
                    },
                )) => existing.push(inner),
                _ => conditions.push(entry(test, &c.span, object(c, vec![inner]))),
            }
        }
        if let Some(first) = statement.block("condition") {
            fields.push(entry("Condition", &first.span, object(first, conditions)));
        }
        statements.push(object(statement, fields));
    }
    let mut fields = vec![entry(
        "Version",
        &block.span,
        Node {
            value: NodeValue::String("2012-10-17".into()),
            position: position(&block.span),
        },
    )];
    fields.push(entry(
        "Statement",
        &block.span,
        Node {
            value: NodeValue::Array(statements),
            position: position(&block.span),
        },
    ));
    object(block, fields)
}

/// IAM policies the module writes: `aws_iam_role_policy`, `aws_iam_policy`,
/// `aws_iam_user_policy` (`policy` as `jsonencode`, a heredoc or `file()`)
/// and every `data "aws_iam_policy_document"`.
fn add_policies(model: &mut StackModel, module: &terraform::Module) {
    let mut documents: Vec<(PathBuf, Node)> = Vec::new();
    for block in module.data("aws_iam_policy_document") {
        let node = policy_document_node(block, &mut Unresolved::default());
        documents.push((block.span.file.clone(), node));
    }
    for kind in [
        "aws_iam_role_policy",
        "aws_iam_policy",
        "aws_iam_user_policy",
    ] {
        for block in module.resources(kind) {
            let Some(policy) = block.get("policy") else {
                continue;
            };
            // A policy document data source is read above.
            if matches!(&policy.value, Value::Unresolved(t) if t.starts_with("data.aws_iam_policy_document."))
            {
                continue;
            }
            if let Some(node) = json_document(policy, &mut Unresolved::default()) {
                documents.push((node.position.file.clone(), node));
            }
        }
    }
    for (file, node) in documents {
        super::iac::add_policy_document(model, &file, &node);
    }
}

#[derive(serde::Deserialize)]
struct ModuleTable {
    module: Vec<ModuleDefault>,
}

/// A community module's default for an input (`data/terraform/modules.toml`).
#[derive(serde::Deserialize)]
struct ModuleDefault {
    source: String,
    since: String,
    until: Option<String>,
    input: String,
    http_tokens: String,
    hop_limit: u32,
}

fn module_table() -> &'static [ModuleDefault] {
    static TABLE: std::sync::OnceLock<ModuleTable> = std::sync::OnceLock::new();
    &TABLE
        .get_or_init(|| {
            toml::from_str(include_str!("../../data/terraform/modules.toml"))
                .expect("data/terraform/modules.toml is valid (tested)")
        })
        .module
}

fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.trim().parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.trim().parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.trim().parse().ok())?;
    Some((major, minor, patch))
}

/// The lowest version a constraint (`~> 9.0`, `>= 5.8.0, < 6.0`, `5.8.0`)
/// allows; `None` when it cannot be read.
fn lowest_version(constraint: &str) -> Option<(u64, u64, u64)> {
    let mut lowest = None;
    for part in constraint.split(',') {
        let part = part.trim();
        let bound = ["~>", ">=", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op))
            .or_else(|| {
                part.starts_with(|c: char| c.is_ascii_digit() || c == 'v')
                    .then_some(part)
            });
        if let Some(b) = bound {
            let v = version(b)?;
            lowest = Some(lowest.map_or(v, |l: (u64, u64, u64)| l.max(v)));
        }
    }
    lowest
}

/// Module calls of community modules whose default makes IMDSv2 required
/// with hop limit 1, when the call does not set `metadata_options` itself.
fn module_metadata_defaults(model: &mut StackModel, module: &terraform::Module) {
    for call in module.blocks.iter().filter(|b| b.kind == "module") {
        let Some(source) = call.get("source").and_then(terraform::Node::as_str) else {
            continue;
        };
        let pinned = call.attribute("version");
        // Unpinned: `terraform init` takes the newest release.
        let lowest = match pinned.and_then(|v| v.value.as_str()) {
            Some(text) => match lowest_version(text) {
                Some(v) => v,
                None => continue,
            },
            None => (u64::MAX, 0, 0),
        };
        let Some(default) = module_table().iter().find(|d| {
            d.source == source
                && version(&d.since).is_some_and(|s| lowest >= s)
                && d.until
                    .as_deref()
                    .and_then(version)
                    .is_none_or(|u| lowest < u)
        }) else {
            continue;
        };
        let name = call.labels.first().cloned().unwrap_or_default();
        if let Some(set) = call.attribute(&default.input) {
            // The call sets it: those values, at their lines.
            let field = |key: &str| set.value.get(key);
            let hop_limit = field("http_put_response_hop_limit").and_then(|n| match n.value {
                Value::Number(v) if v >= 0.0 && v.fract() == 0.0 => {
                    Some(Sourced::new(v as u32, span_origin(&n.span)))
                }
                _ => None,
            });
            let http_tokens = field("http_tokens")
                .and_then(|n| Some(Sourced::new(n.as_str()?.to_string(), span_origin(&n.span))));
            model.aws.metadata_settings.push(MetadataOptionsSetting {
                resource: format!("module.{name}"),
                http_tokens,
                hop_limit,
                origin: span_origin(&set.key_span),
                written: true,
            });
            continue;
        }
        let at = span_origin(pinned.map_or(&call.span, |v| &v.value.span));
        remember_text(model, &call.span.file);
        model.aws.metadata_settings.push(MetadataOptionsSetting {
            resource: format!("module.{name} ({source} default)"),
            http_tokens: Some(Sourced::new(default.http_tokens.clone(), at.clone())),
            hop_limit: Some(Sourced::new(default.hop_limit, at.clone())),
            origin: at,
            written: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_version_a_constraint_allows() {
        assert_eq!(lowest_version("~> 9.0"), Some((9, 0, 0)));
        assert_eq!(lowest_version(">= 5.8.0, < 6.0"), Some((5, 8, 0)));
        assert_eq!(lowest_version("5.7.1"), Some((5, 7, 1)));
        assert_eq!(lowest_version("= v6.1"), Some((6, 1, 0)));
        assert_eq!(lowest_version("< 6.0"), None);
    }

    #[test]
    fn the_module_table_is_valid_and_dated() {
        assert!(module_table().len() >= 3);
        let text = include_str!("../../data/terraform/modules.toml");
        assert!(text.contains("Source:") && text.contains("2026-12-03"));
        for d in module_table() {
            assert!(version(&d.since).is_some(), "{}", d.since);
        }
    }

    #[test]
    fn a_module_call_on_the_default_gets_the_modules_imds_settings() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("main.tf"),
            r#"module "asg" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "~> 9.0"
}

module "old" {
  source  = "terraform-aws-modules/autoscaling/aws"
  version = "8.3.1"
}

module "set" {
  source = "terraform-aws-modules/ec2-instance/aws"
  metadata_options = {
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
  }
}
"#,
        )
        .unwrap();
        let inputs = crate::sources::Inputs {
            root: root.clone(),
            ..Default::default()
        };
        let model = crate::sources::build_model(&inputs).unwrap();
        let settings = &model.aws.metadata_settings;
        assert_eq!(settings.len(), 2, "{settings:?}");
        let asg = &settings[0];
        assert!(!asg.written);
        assert_eq!(asg.hop_limit.as_ref().unwrap().value, 1);
        assert_eq!(asg.origin.position().unwrap().line, 3);
        let set = &settings[1];
        assert!(set.written);
        let hop = set.hop_limit.as_ref().unwrap();
        assert_eq!(hop.value, 2);
        assert_eq!(hop.origin.position().unwrap().line, 15);
    }
}
