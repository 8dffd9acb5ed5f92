//! AWS Copilot workload manifests through the `copilot` crate: each
//! manifest under a `copilot/` folder becomes one deployment of the ECS model
//! per environment it overrides (or one as written), with the task and
//! service definitions Copilot renders from it — Fargate, `awsvpc`, the
//! container from `image`, `secrets`, `variables` and `image.healthcheck`,
//! a load balancer on `image.port` for a Load Balanced Web Service, a public
//! IP unless `network.vpc.placement` is `private` — so every ECS check reads
//! it with positions in the manifest. Values Copilot leaves out take its
//! defaults (cpu 256, memory 512, …), placed at the workload's `type:` line
//! and marked as not written there.
//!
//! What Copilot creates itself (the execution role, subnets, the target
//! group) stays a placeholder; an image Copilot builds from a Dockerfile
//! is a placeholder too.

use super::ecspresso::{
    mask_environment_secrets, remember_text, service_definition, task_definition,
};
use super::iac::{array, definition, number, object, string};
use super::inventory::{File, Inventory, Kind};
use crate::model::ecs::{CopilotScope, DefinitionSource, EcspressoDeployment};
use crate::model::{InvalidInput, Origin, StackModel};
use copilot::{Manifest, Node as Yaml, Value as YamlValue};
use ecspresso::{Node, NodeValue, Position};
use std::path::Path;

/// The files the Copilot source reads: `copilot/<name>/manifest.yml`, the
/// layout Copilot writes (a folder named `copilot` higher up, above the
/// project, does not make every `manifest.yml` a Copilot one).
pub fn claims(file: &File) -> bool {
    !file.outside
        && matches!(file.name.as_str(), "manifest.yml" | "manifest.yaml")
        && copilot_dir(&file.path).is_some()
}

/// The `copilot` folder of `copilot/<name>/manifest.yml`.
fn copilot_dir(manifest: &Path) -> Option<&Path> {
    let dir = manifest.parent()?.parent()?;
    (dir.file_name()? == "copilot").then_some(dir)
}

/// Reads every workload manifest of the tree.
pub fn load(inventory: &Inventory, model: &mut StackModel, scope: &super::ReadScope) {
    let files: Vec<std::path::PathBuf> = inventory
        .of(Kind::Copilot)
        .map(|f| f.path.clone())
        .collect();
    for path in files {
        if !scope.allows(&path) {
            continue;
        }
        let Some(text) = inventory.text(&path) else {
            continue;
        };
        match copilot::parse(&text, &path) {
            Ok(Some(manifest)) => add_manifest(model, &manifest, application(&path, scope)),
            Ok(None) => {}
            Err(error) => {
                remember_text(model, &path);
                let (message, origin) = match &error {
                    copilot::Error::Yaml(e) => (
                        e.message.clone(),
                        Origin::file(&path, e.position.line, e.position.column, 0),
                    ),
                    other => (other.to_string(), Origin::file(&path, 1, 1, 0)),
                };
                model.invalid_inputs.push(InvalidInput {
                    kind: "copilot".into(),
                    message,
                    origin,
                });
            }
        }
    }
}

/// The application of the workspace: `application:` in `copilot/.workspace`.
fn application(manifest: &Path, scope: &super::ReadScope) -> Option<String> {
    let workspace = copilot_dir(manifest)?.join(".workspace");
    if !scope.allows(&workspace) {
        return None;
    }
    copilot::workspace_application(&std::fs::read_to_string(workspace).ok()?)
}

fn position(at: &copilot::Position, exact: bool) -> Position {
    Position {
        file: at.file.to_path_buf(),
        line: at.line,
        column: at.column,
        length: 0,
        exact,
    }
}

/// A YAML scalar as the JSON value ECS reads (numbers stay numbers).
fn scalar(node: &Yaml) -> Node {
    let at = position(&node.position, true);
    match &node.value {
        YamlValue::Scalar { text, plain } => match text.parse::<f64>() {
            Ok(n) if *plain && n.is_finite() => number(n, &at),
            _ => string(text.clone(), &at),
        },
        _ => string(placeholder("value"), &at),
    }
}

fn placeholder(what: &str) -> String {
    ecspresso::placeholder("copilot", what)
}

/// A value of `variables:`/`secrets:`: a string, or `{from_cfn: …}` /
/// `{secretsmanager: …}`.
fn reference(node: &Yaml, secret: bool) -> Node {
    let at = position(&node.position, true);
    if let Some(name) = node.get("secretsmanager").and_then(Yaml::as_str) {
        if name.starts_with("arn:") {
            return string(name, &at);
        }
        return string(placeholder(&format!("secretsmanager {name}")), &at);
    }
    if let Some(export) = node.get("from_cfn").and_then(Yaml::as_str) {
        return string(placeholder(&format!("from_cfn {export}")), &at);
    }
    match node.as_str() {
        Some(text) => string(text, &at),
        None if secret => string(placeholder("secret"), &at),
        None => string(placeholder("value"), &at),
    }
}

/// `platform:` (`linux/arm64`, or `{osfamily, architecture}`) as ECS's runtimePlatform.
fn runtime_platform(node: &Yaml) -> Option<Node> {
    let at = position(&node.position, true);
    let (os, arch) = match node.as_str() {
        Some(text) => {
            let (os, arch) = text.split_once('/')?;
            (os.to_string(), arch.to_string())
        }
        None => (
            node.get("osfamily")?.as_str()?.to_string(),
            node.get("architecture")?.as_str()?.to_string(),
        ),
    };
    let arch = match arch.to_ascii_lowercase().as_str() {
        "arm64" | "arm" | "aarch64" => "ARM64",
        _ => "X86_64",
    };
    let os = match os.to_ascii_lowercase().as_str() {
        "windows" | "windows_server_2019_core" => "WINDOWS_SERVER_2019_CORE",
        "windows_server_2022_core" => "WINDOWS_SERVER_2022_CORE",
        _ => "LINUX",
    };
    Some(object(
        vec![
            ("cpuArchitecture", string(arch, &at)),
            ("operatingSystemFamily", string(os, &at)),
        ],
        &at,
    ))
}

/// `image.healthcheck` as ECS's healthCheck, Copilot's defaults filled in.
fn health_check(node: &Yaml, defaults: &copilot::Defaults) -> Option<Node> {
    let at = position(&node.position, true);
    let command = node.get("command")?;
    let command = match &command.value {
        YamlValue::Seq(items) => array(items.iter().map(scalar).collect(), &at),
        // A string command runs through the shell, as Copilot renders it.
        YamlValue::Scalar { text, .. } => array(
            vec![
                string("CMD-SHELL", &position(&command.position, true)),
                string(text.clone(), &position(&command.position, true)),
            ],
            &position(&command.position, true),
        ),
        _ => return None,
    };
    let seconds = |key: &str, default: u32| -> Node {
        match node.get(key) {
            Some(v) => {
                let at = position(&v.position, true);
                let n = v
                    .as_str()
                    .and_then(copilot::duration_seconds)
                    .unwrap_or(default);
                number(n as f64, &at)
            }
            None => number(default as f64, &position(&node.position, false)),
        }
    };
    let retries = match node.get("retries") {
        Some(r) => scalar(r),
        None => number(
            defaults.health_retries as f64,
            &position(&node.position, false),
        ),
    };
    Some(object(
        vec![
            ("command", command),
            ("interval", seconds("interval", defaults.health_interval)),
            ("retries", retries),
            ("timeout", seconds("timeout", defaults.health_timeout)),
            (
                "startPeriod",
                seconds("start_period", defaults.health_start_period),
            ),
        ],
        &at,
    ))
}

/// The task definition Copilot renders for the workload.
fn task_node(manifest: &Manifest, node: &Yaml, family: &str) -> Node {
    let defaults = copilot::defaults();
    let type_at = node
        .get_entry("type")
        .map(|e| position(&e.value.position, false))
        .unwrap_or_else(|| position(&node.position, false));
    let or_default = |key: &str, default: u32| -> Node {
        node.get(key)
            .map(scalar)
            .unwrap_or_else(|| string(default.to_string(), &type_at))
    };
    let mut container: Vec<(&str, Node)> = vec![("name", string(manifest.name.clone(), &type_at))];
    let image = node.get("image");
    let image_node = match image.and_then(|i| i.get("location")) {
        Some(location) => scalar(location),
        None => {
            let at = image.map_or(type_at.clone(), |i| position(&i.position, true));
            string(placeholder("image built by copilot"), &at)
        }
    };
    container.push(("image", image_node));
    container.push((
        "essential",
        Node {
            value: NodeValue::Bool(true),
            position: type_at.clone(),
        },
    ));
    if let Some(port) = image.and_then(|i| i.get("port")) {
        let at = position(&port.position, true);
        let number_part = port.as_str().map(|p| p.split('/').next().unwrap_or(p));
        if let Some(n) = number_part.and_then(|p| p.parse::<f64>().ok()) {
            container.push((
                "portMappings",
                array(
                    vec![object(
                        vec![
                            ("containerPort", number(n, &at)),
                            ("protocol", string("tcp", &at)),
                        ],
                        &at,
                    )],
                    &at,
                ),
            ));
        }
    }
    if let Some(check) = image
        .and_then(|i| i.get("healthcheck"))
        .and_then(|h| health_check(h, &defaults))
    {
        container.push(("healthCheck", check));
    }
    let pairs = |key: &str, value_key: &'static str, secret: bool| -> Option<Node> {
        let map = node.get(key)?;
        let at = position(&map.position, true);
        let items = map
            .as_map()?
            .iter()
            .map(|e| {
                let name_at = position(&e.key_position, true);
                object(
                    vec![
                        ("name", string(e.key.clone(), &name_at)),
                        (value_key, reference(&e.value, secret)),
                    ],
                    &name_at,
                )
            })
            .collect();
        Some(array(items, &at))
    };
    if let Some(variables) = pairs("variables", "value", false) {
        container.push(("environment", variables));
    }
    if let Some(secrets) = pairs("secrets", "valueFrom", true) {
        container.push(("secrets", secrets));
    }
    // Copilot sends every container's output to CloudWatch Logs.
    container.push((
        "logConfiguration",
        object(
            vec![
                ("logDriver", string("awslogs", &type_at)),
                (
                    "options",
                    object(
                        vec![
                            (
                                "awslogs-group",
                                string(format!("/copilot/{family}"), &type_at),
                            ),
                            ("awslogs-region", string(placeholder("region"), &type_at)),
                            ("awslogs-stream-prefix", string("copilot", &type_at)),
                        ],
                        &type_at,
                    ),
                ),
            ],
            &type_at,
        ),
    ));
    let mut task: Vec<(&str, Node)> = vec![
        ("family", string(family, &type_at)),
        ("cpu", or_default("cpu", defaults.cpu)),
        ("memory", or_default("memory", defaults.memory)),
        ("networkMode", string("awsvpc", &type_at)),
        (
            "requiresCompatibilities",
            array(vec![string("FARGATE", &type_at)], &type_at),
        ),
        (
            "executionRoleArn",
            string(placeholder("execution role"), &type_at),
        ),
        ("taskRoleArn", string(placeholder("task role"), &type_at)),
    ];
    if let Some(platform) = node.get("platform").and_then(runtime_platform) {
        task.push(("runtimePlatform", platform));
    }
    task.push((
        "containerDefinitions",
        array(vec![object(container, &type_at)], &type_at),
    ));
    object(task, &position(&node.position, true))
}

/// The service Copilot creates for a service workload (jobs have none).
fn service_node(manifest: &Manifest, node: &Yaml) -> Option<Node> {
    if manifest.kind == "Scheduled Job" {
        return None;
    }
    let defaults = copilot::defaults();
    let type_at = node
        .get_entry("type")
        .map(|e| position(&e.value.position, false))
        .unwrap_or_else(|| position(&node.position, false));
    let placement_at = node
        .get("network")
        .and_then(|n| n.get("vpc"))
        .and_then(|v| v.get("placement"))
        .map_or(type_at.clone(), |p| position(&p.position, true));
    let public = if Manifest::public_placement(node) {
        "ENABLED"
    } else {
        "DISABLED"
    };
    let mut service: Vec<(&str, Node)> = vec![
        ("serviceName", string(manifest.name.clone(), &type_at)),
        (
            "taskDefinition",
            string(placeholder("task definition"), &type_at),
        ),
        ("launchType", string("FARGATE", &type_at)),
        (
            "networkConfiguration",
            object(
                vec![(
                    "awsvpcConfiguration",
                    object(
                        vec![
                            ("assignPublicIp", string(public, &placement_at)),
                            (
                                "subnets",
                                array(
                                    vec![string(placeholder("subnets"), &placement_at)],
                                    &placement_at,
                                ),
                            ),
                            (
                                "securityGroups",
                                array(
                                    vec![string(placeholder("security group"), &placement_at)],
                                    &placement_at,
                                ),
                            ),
                        ],
                        &placement_at,
                    ),
                )],
                &placement_at,
            ),
        ),
    ];
    if let Some(count) = node.get("count").filter(|c| c.as_str().is_some()) {
        service.push(("desiredCount", scalar(count)));
    }
    if manifest.kind == "Load Balanced Web Service" {
        let http = node.get("http");
        let image_port = node.get("image").and_then(|i| i.get("port"));
        let port = http
            .and_then(|h| h.get("target_port"))
            .or(image_port)
            .map(scalar);
        let container = http
            .and_then(|h| h.get("target_container"))
            .map(scalar)
            .unwrap_or_else(|| string(manifest.name.clone(), &type_at));
        if let Some(port) = port {
            let at = port.position.clone();
            service.push((
                "loadBalancers",
                array(
                    vec![object(
                        vec![
                            ("containerName", container),
                            ("containerPort", port),
                            ("targetGroupArn", string(placeholder("target group"), &at)),
                        ],
                        &at,
                    )],
                    &at,
                ),
            ));
        }
        let grace = http
            .and_then(|h| h.get("healthcheck"))
            .and_then(|h| h.get("grace_period"));
        let grace = match grace {
            Some(g) => number(
                g.as_str()
                    .and_then(copilot::duration_seconds)
                    .unwrap_or(defaults.grace_period) as f64,
                &position(&g.position, true),
            ),
            None => number(defaults.grace_period as f64, &type_at),
        };
        service.push(("healthCheckGracePeriodSeconds", grace));
    }
    Some(object(service, &position(&node.position, true)))
}

fn add_manifest(model: &mut StackModel, manifest: &Manifest, application: Option<String>) {
    remember_text(model, &manifest.file);
    let environments = manifest.environments();
    let targets: Vec<Option<String>> = if environments.is_empty() {
        vec![None]
    } else {
        environments.into_iter().map(Some).collect()
    };
    for environment in targets {
        let node = manifest.for_environment(environment.as_deref());
        let family = format!(
            "{}-{}-{}",
            application.as_deref().unwrap_or("APP"),
            environment.as_deref().unwrap_or("ENV"),
            manifest.name
        );
        let task = task_definition(&definition(
            &manifest.file,
            task_node(manifest, &node, &family),
            ecspresso::DefinitionKind::Task,
        ));
        mask_environment_secrets(model, &task);
        let service = service_node(manifest, &node).map(|root| {
            service_definition(&definition(
                &manifest.file,
                root,
                ecspresso::DefinitionKind::Service,
            ))
        });
        model.ecs.deployments.push(EcspressoDeployment {
            source: DefinitionSource::Copilot,
            config_file: manifest.file.clone(),
            dir: manifest
                .file
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            region: None,
            cluster: None,
            service: None,
            timeout: None,
            problems: Vec::new(),
            task: Some(task),
            service_definition: service,
            copilot: Some(CopilotScope {
                application: application.clone(),
                environment: environment.clone(),
                workload: manifest.name.clone(),
            }),
        });
    }
}
