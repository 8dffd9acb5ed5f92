//! Reads ecspresso projects (config, task and service definitions) through
//! the `ecspresso` crate into [`crate::model::ecs`].
//!
//! Discovery: `--config` (or `ECSPRESSO_CONFIG`), else `ecspresso.yml`,
//! `.yaml`, `.json` or `.jsonnet` in the folder, else in its subfolders (a
//! monorepo's `deploy/api/`), none below a folder that has one.

use super::budget::{self, Budget};
use super::inventory::{File, Inventory, Kind};
use crate::error::Error;
use crate::model::ecs::{
    AwsVpc, ConfigProblem, ContainerDefinition, DefinitionSource, EcspressoDeployment, HealthCheck,
    LoadBalancer, PortMapping, SecretReference, ServiceDefinition, TaskDefinition, Timeout, Units,
};
use crate::model::{FilePosition, InvalidInput, Origin, Sourced, StackModel};
use ecspresso::{Node, NodeValue, ProblemKind};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// What the user said about ecspresso on the command line.
#[derive(Debug, Clone, Default)]
pub struct EcspressoInputs {
    /// `--config` (or `ECSPRESSO_CONFIG`).
    pub config: Option<PathBuf>,
    pub envfiles: Vec<PathBuf>,
    pub ext_str: BTreeMap<String, String>,
    pub ext_code: BTreeMap<String, String>,
}

/// Finds the ecspresso configs to read.
pub fn find_configs(
    inventory: &Inventory,
    inputs: &EcspressoInputs,
    environment: &BTreeMap<String, String>,
) -> Vec<PathBuf> {
    let explicit = inputs
        .config
        .clone()
        .or_else(|| environment.get("ECSPRESSO_CONFIG").map(PathBuf::from));
    if let Some(path) = explicit {
        return vec![if path.is_absolute() {
            path
        } else {
            inventory.root.join(path)
        }];
    }
    // A config's folder holds its own definitions: nothing below it is another project.
    let with_config: HashSet<&Path> = inventory.of(Kind::Ecspresso).map(|f| f.folder()).collect();
    let mut found: Vec<PathBuf> = Vec::new();
    for folder in &inventory.folders {
        if !with_config.contains(folder.path.as_path())
            || found.iter().any(|config| {
                config
                    .parent()
                    .is_some_and(|dir| folder.path.starts_with(dir))
            })
        {
            continue;
        }
        if let Some(config) = ecspresso::discover(&folder.path) {
            found.push(config);
        }
    }
    found
}

/// The files the ecspresso source reads: configs by their names (the
/// definitions are found through the configs).
pub fn claims(file: &File) -> bool {
    ecspresso::CONFIG_FILE_NAMES.contains(&file.name.as_str())
}

/// Loads every config into the model. A config that cannot be read or
/// parsed is an input error (exit 2) when the user named it, and an
/// `ecspresso-config-invalid` problem when it was discovered.
pub fn load(
    inventory: &Inventory,
    model: &mut StackModel,
    inputs: &EcspressoInputs,
    environment: &BTreeMap<String, String>,
    scope: &super::ReadScope,
) -> Result<(), Error> {
    let configs = find_configs(inventory, inputs, environment);
    let explicit = inputs.config.is_some() || environment.contains_key("ECSPRESSO_CONFIG");
    for config in configs {
        if explicit && !config.exists() {
            return Err(Error::Usage(format!(
                "--config {}: no such file",
                config.display()
            )));
        }
        let dir = config
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| model.root.clone());
        let options = ecspresso::LoadOptions {
            config: Some(config.clone()),
            dir: dir.clone(),
            envfiles: inputs
                .envfiles
                .iter()
                .map(|p| {
                    if p.is_absolute() {
                        p.clone()
                    } else {
                        model.root.join(p)
                    }
                })
                .collect(),
            env: environment.clone(),
            ext_str: inputs.ext_str.clone(),
            ext_code: inputs.ext_code.clone(),
            bounds: scope.ecspresso_bounds(),
        };
        // Jsonnet has no budget of its own: the load runs within one.
        let loaded = match budget::run(Budget::CONFIG, move || ecspresso::load(&options)) {
            Ok(loaded) => loaded,
            Err(exceeded) if explicit => {
                return Err(Error::Usage(format!("{}: {exceeded}", config.display())));
            }
            Err(exceeded) => {
                add_unreadable(model, &config, &dir, &exceeded.to_string());
                continue;
            }
        };
        match loaded {
            Ok(project) => add_project(model, &config, &dir, project),
            Err(error) if explicit => {
                return Err(Error::Ecspresso(error));
            }
            Err(error) => {
                let message = error.to_string();
                let origin = match error {
                    ecspresso::Error::Syntax {
                        path, line, column, ..
                    } => Some(Origin::file(&path, line, column, 0)),
                    _ => None,
                };
                add_problem(model, &config, &dir, &message, origin)
            }
        }
    }
    Ok(())
}

/// Problems of files that are there but cannot be read as what they should be
/// (a missing file is a finding about the reference to it, not an input error).
const INPUT_ERRORS: &[&str] = &[
    "definition-syntax",
    "not-an-object",
    "unsupported-extension",
];

fn add_unreadable(model: &mut StackModel, config: &Path, dir: &Path, message: &str) {
    add_problem(model, config, dir, message, None);
}

/// A config ecspresso cannot use at all, with where it broke (else its first
/// line): an input error (exit 2) and an `ecspresso-config-invalid` problem.
fn add_problem(
    model: &mut StackModel,
    config: &Path,
    dir: &Path,
    message: &str,
    origin: Option<Origin>,
) {
    let origin = origin.unwrap_or_else(|| Origin::file(config, 1, 1, 0));
    remember_text(model, config);
    model.invalid_inputs.push(InvalidInput {
        kind: "ecspresso".to_string(),
        message: message.to_string(),
        origin: origin.clone(),
    });
    model.ecs.deployments.push(EcspressoDeployment {
        source: DefinitionSource::Ecspresso,
        config_file: config.to_path_buf(),
        dir: dir.to_path_buf(),
        region: None,
        cluster: None,
        service: None,
        timeout: None,
        problems: vec![ConfigProblem {
            kind: "syntax".into(),
            name: config.display().to_string(),
            message: message.to_string(),
            origin,
            blocking: true,
        }],
        task: None,
        service_definition: None,
        copilot: None,
    });
}

pub(crate) fn remember_text(model: &mut StackModel, path: &Path) {
    if !model.sources.contains(path) {
        if let Ok(text) = std::fs::read_to_string(path) {
            model.sources.insert(path, &text);
        }
    }
}

fn origin(node: &Node) -> Origin {
    let p = &node.position;
    Origin::File(FilePosition {
        file: p.file.clone(),
        line: p.line,
        column: p.column,
        length: p.length,
    })
}

fn key_origin(key: &ecspresso::Key) -> Origin {
    let p = &key.position;
    Origin::File(FilePosition {
        file: p.file.clone(),
        line: p.line,
        column: p.column,
        length: p.length,
    })
}

fn text(node: &Node) -> Option<Sourced<String>> {
    let value = match &node.value {
        NodeValue::String(s) => s.clone(),
        NodeValue::Number(n) => number_text(*n),
        NodeValue::Bool(b) => b.to_string(),
        _ => return None,
    };
    Some(Sourced::new(value, origin(node)))
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn field(node: &Node, key: &str) -> Option<Sourced<String>> {
    node.get(key).and_then(text)
}

fn number(node: &Node, key: &str) -> Option<Sourced<u32>> {
    let value = node.get(key)?;
    let n = value.as_u64()?;
    Some(Sourced::new(u32::try_from(n).ok()?, origin(value)))
}

fn flag(node: &Node, key: &str) -> Option<Sourced<bool>> {
    let value = node.get(key)?;
    let b = match &value.value {
        NodeValue::Bool(b) => *b,
        NodeValue::String(s) => s.eq_ignore_ascii_case("true"),
        _ => return None,
    };
    Some(Sourced::new(b, origin(value)))
}

fn strings(node: Option<&Node>) -> Vec<Sourced<String>> {
    // A whole list known only at deploy time (`Fn::Split` of an import): one unknown item, not none.
    if let Some(n) = node.filter(|n| {
        n.as_str()
            .is_some_and(|s| s.contains(ecspresso::PLACEHOLDER_PREFIX))
    }) {
        return text(n).into_iter().collect();
    }
    node.and_then(Node::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(text)
        .collect()
}

fn string_list(node: &Node, key: &str) -> Option<Sourced<Vec<String>>> {
    let value = node.get(key)?;
    let items = value.as_array()?;
    Some(Sourced::new(
        items
            .iter()
            .filter_map(|n| text(n).map(|s| s.value))
            .collect(),
        origin(value),
    ))
}

fn keys(node: &Node) -> Vec<Sourced<String>> {
    node.entries()
        .iter()
        .map(|(key, _)| Sourced::new(key.name.clone(), key_origin(key)))
        .collect()
}

fn units(node: &Node, key: &str, parse: fn(&str) -> Option<u32>) -> Option<Sourced<Units>> {
    let value = node.get(key)?;
    let written = text(value)?;
    let parsed = if value.is_unresolved() {
        None
    } else {
        parse(&written.value)
    };
    Some(Sourced::new(
        Units {
            value: parsed,
            text: written.value,
        },
        written.origin,
    ))
}

fn add_project(model: &mut StackModel, config: &Path, dir: &Path, project: ecspresso::Project) {
    remember_text(model, config);
    for (name, value) in &project.env_used {
        if crate::secrets::is_secret_name(name) && !value.is_empty() {
            model.secret_values.push(value.clone());
        }
    }
    let c = &project.config;
    let timeout = c.timeout_setting().map(|(setting, node)| {
        let value = match setting {
            ecspresso::TimeoutSetting::Duration(d) => Timeout::Duration {
                seconds: d.as_secs_f64(),
            },
            ecspresso::TimeoutSetting::BareNumber { nanoseconds } => {
                Timeout::BareNumber { nanoseconds }
            }
            ecspresso::TimeoutSetting::Invalid(text) => Timeout::Invalid { text },
        };
        Sourced::new(value, origin(node))
    });
    let problems: Vec<ConfigProblem> = project
        .problems
        .iter()
        .map(|p| problem(p, config))
        .collect();
    // Files ecspresso cannot load are input errors (exit 2), as a Caddyfile
    // that does not parse is; the finding still reports them.
    for p in problems
        .iter()
        .filter(|p| INPUT_ERRORS.contains(&p.kind.as_str()))
    {
        model.invalid_inputs.push(InvalidInput {
            kind: "ecspresso".to_string(),
            message: p.message.clone(),
            origin: p.origin.clone(),
        });
    }
    for p in problems.iter().filter(|p| p.kind == "outside-project") {
        model.notes.push(Sourced::new(
            format!("ecspresso: {}", p.message),
            p.origin.clone(),
        ));
    }
    for p in problems.iter().filter(|p| p.kind == "unresolved") {
        model.notes.push(Sourced::new(
            format!(
                "ecspresso: {} (needs AWS; left unresolved offline)",
                p.message
            ),
            p.origin.clone(),
        ));
    }
    let task = project.task_definition.as_ref().map(|d| {
        remember_text(model, &d.path);
        task_definition(d)
    });
    if let Some(task) = &task {
        mask_environment_secrets(model, task);
    }
    let service_definition = project.service_definition.as_ref().map(|d| {
        remember_text(model, &d.path);
        service_definition(d)
    });
    model.ecs.deployments.push(EcspressoDeployment {
        source: DefinitionSource::Ecspresso,
        config_file: config.to_path_buf(),
        dir: dir.to_path_buf(),
        region: c.region.as_ref().and_then(text),
        cluster: c.cluster.as_ref().and_then(text),
        service: c.service.as_ref().and_then(text),
        timeout,
        problems,
        task,
        service_definition,
        copilot: None,
    });
}

/// A secret written in a task definition's plain `environment` (instead of
/// `secrets`) is still a secret: no output shows it.
pub(crate) fn mask_environment_secrets(model: &mut StackModel, task: &TaskDefinition) {
    for container in &task.containers {
        for entry in &container.environment {
            let (name, value) = &entry.value;
            if crate::secrets::is_secret_name(name)
                && value.len() >= 4
                && !value.contains("<unresolved:")
            {
                model.secret_values.push(value.clone());
            }
        }
    }
}

pub(crate) fn problem(p: &ecspresso::Problem, config: &Path) -> ConfigProblem {
    let (kind, name, blocking) = match &p.kind {
        ProblemKind::UnknownKey { key } => ("unknown-key", key.clone(), true),
        ProblemKind::DescribeOnlyField { key } => ("describe-only-field", key.clone(), false),
        ProblemKind::MissingFile { path } => ("missing-file", path.display().to_string(), true),
        ProblemKind::UnsetVariable { name } => ("unset-variable", name.clone(), true),
        ProblemKind::Unresolved { function, argument } => {
            ("unresolved", format!("{function} {argument}"), false)
        }
        ProblemKind::UnknownFunction { name } => ("unknown-function", name.clone(), true),
        ProblemKind::DuplicatePlugin { name } => ("duplicate-plugin", name.clone(), true),
        ProblemKind::UnknownPlugin { name } => ("unknown-plugin", name.clone(), true),
        ProblemKind::UnsupportedExtension { extension } => {
            ("unsupported-extension", extension.clone(), true)
        }
        ProblemKind::InvalidTimeout => ("invalid-timeout", "timeout".into(), true),
        ProblemKind::BareNumberTimeout => ("bare-number-timeout", "timeout".into(), true),
        ProblemKind::DeprecatedKey { key } => ("deprecated-key", key.clone(), true),
        ProblemKind::InvalidRequiredVersion => {
            ("invalid-required-version", "required_version".into(), true)
        }
        ProblemKind::DefinitionSyntax => ("definition-syntax", String::new(), true),
        ProblemKind::ServiceDefinitionNotDefined => (
            "service-definition-not-defined",
            "service_definition".into(),
            false,
        ),
        ProblemKind::NotAnObject => ("not-an-object", String::new(), true),
        ProblemKind::InvalidPlugin { name } => ("invalid-plugin", name.clone(), true),
        ProblemKind::OutsideBounds { path } => {
            ("outside-project", path.display().to_string(), false)
        }
    };
    let origin = match &p.position {
        Some(pos) => Origin::File(FilePosition {
            file: pos.file.clone(),
            line: pos.line,
            column: pos.column,
            length: pos.length,
        }),
        None => Origin::file(config, 1, 1, 0),
    };
    ConfigProblem {
        kind: kind.into(),
        name,
        message: p.message.clone(),
        origin,
        blocking,
    }
}

pub(crate) fn task_definition(d: &ecspresso::Definition) -> TaskDefinition {
    let root = &d.root;
    let platform = root.get("runtimePlatform");
    let docker_volumes = root
        .get("volumes")
        .and_then(Node::as_array)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| {
            let config = v.get("dockerVolumeConfiguration")?;
            let name = v.get("name").and_then(Node::as_str).unwrap_or("?");
            Some(Sourced::new(name.to_string(), origin(config)))
        })
        .collect();
    TaskDefinition {
        file: d.path.clone(),
        origin: origin(root),
        family: field(root, "family"),
        cpu: units(root, "cpu", ecspresso::cpu_units),
        memory: units(root, "memory", ecspresso::memory_mib),
        network_mode: field(root, "networkMode"),
        requires_compatibilities: strings(root.get("requiresCompatibilities")),
        execution_role_arn: field(root, "executionRoleArn"),
        task_role_arn: field(root, "taskRoleArn"),
        cpu_architecture: platform.and_then(|p| field(p, "cpuArchitecture")),
        operating_system_family: platform.and_then(|p| field(p, "operatingSystemFamily")),
        keys: keys(root),
        docker_volumes,
        containers: root
            .get("containerDefinitions")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .map(container)
            .collect(),
        document: root.to_json(),
    }
}

fn container(node: &Node) -> ContainerDefinition {
    let name = field(node, "name").unwrap_or_else(|| Sourced::new(String::new(), origin(node)));
    let log = node.get("logConfiguration");
    let log_options = log
        .and_then(|l| l.get("options"))
        .map(|o| {
            o.entries()
                .iter()
                .filter_map(|(k, v)| {
                    text(v).map(|t| Sourced::new((k.name.clone(), t.value), key_origin(k)))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut container_keys = keys(node);
    if let Some(linux) = node.get("linuxParameters") {
        for (key, _) in linux.entries() {
            container_keys.push(Sourced::new(
                format!("linuxParameters.{}", key.name),
                key_origin(key),
            ));
        }
    }
    let health_check = node.get("healthCheck").map(|h| HealthCheck {
        command: string_list(h, "command").unwrap_or_else(|| Sourced::new(Vec::new(), origin(h))),
        interval: number(h, "interval"),
        timeout: number(h, "timeout"),
        retries: number(h, "retries"),
        start_period: number(h, "startPeriod"),
        origin: origin(h),
    });
    ContainerDefinition {
        name,
        origin: origin(node),
        image: field(node, "image"),
        cpu: number(node, "cpu"),
        memory: number(node, "memory"),
        memory_reservation: number(node, "memoryReservation"),
        essential: flag(node, "essential"),
        port_mappings: node
            .get("portMappings")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .map(|p| PortMapping {
                container_port: number(p, "containerPort"),
                host_port: number(p, "hostPort"),
                name: p.get("name").and_then(Node::as_str).map(str::to_string),
                origin: origin(p),
            })
            .collect(),
        health_check,
        log_driver: log.and_then(|l| field(l, "logDriver")),
        log_options,
        log_configuration: log.map(origin),
        secrets: node
            .get("secrets")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .map(|s| SecretReference {
                name: field(s, "name"),
                value_from: field(s, "valueFrom"),
                origin: origin(s),
            })
            .collect(),
        repository_credentials: node.get("repositoryCredentials").map(origin),
        keys: container_keys,
        command: string_list(node, "command"),
        entry_point: string_list(node, "entryPoint"),
        environment: node
            .get("environment")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| {
                let name = e.get("name").and_then(Node::as_str)?;
                let value = e
                    .get("value")
                    .and_then(text)
                    .map(|t| t.value)
                    .unwrap_or_default();
                Some(Sourced::new((name.to_string(), value), origin(e)))
            })
            .collect(),
    }
}

pub(crate) fn service_definition(d: &ecspresso::Definition) -> ServiceDefinition {
    let root = &d.root;
    let deployment = root.get("deploymentConfiguration");
    let awsvpc = root
        .get("networkConfiguration")
        .and_then(|n| n.get("awsvpcConfiguration"))
        .map(|a| AwsVpc {
            subnets: strings(a.get("subnets")),
            security_groups: strings(a.get("securityGroups")),
            assign_public_ip: field(a, "assignPublicIp"),
            origin: origin(a),
        });
    ServiceDefinition {
        file: d.path.clone(),
        origin: origin(root),
        launch_type: field(root, "launchType"),
        platform_version: field(root, "platformVersion"),
        capacity_providers: root
            .get("capacityProviderStrategy")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .filter_map(|c| field(c, "capacityProvider"))
            .collect(),
        scheduling_strategy: field(root, "schedulingStrategy"),
        deployment_controller: root
            .get("deploymentController")
            .and_then(|c| field(c, "type")),
        desired_count: number(root, "desiredCount"),
        health_check_grace_period: number(root, "healthCheckGracePeriodSeconds"),
        minimum_healthy_percent: deployment.and_then(|d| number(d, "minimumHealthyPercent")),
        maximum_percent: deployment.and_then(|d| number(d, "maximumPercent")),
        circuit_breaker: deployment
            .and_then(|d| d.get("deploymentCircuitBreaker"))
            .and_then(|c| flag(c, "enable")),
        load_balancers: root
            .get("loadBalancers")
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .map(|lb| LoadBalancer {
                target_group_arn: field(lb, "targetGroupArn"),
                container_name: field(lb, "containerName"),
                container_port: number(lb, "containerPort"),
                origin: origin(lb),
            })
            .collect(),
        awsvpc,
    }
}
