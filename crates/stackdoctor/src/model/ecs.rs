//! Amazon ECS services deployed with ecspresso: what the project's files
//! declare (config, task and service definitions) and what happened when they
//! were deployed (ecspresso's output, service events, stopped tasks, target
//! health, revisions), each value with where it came from.

use super::{Origin, Sourced};
use serde::Serialize;
use std::path::PathBuf;

/// Everything about ECS in the stack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EcsModel {
    /// One per ecspresso config found or given with `--config`.
    pub deployments: Vec<EcspressoDeployment>,
    /// What ECS and ecspresso said (from `--logs` inputs or `--aws`).
    pub runtime: EcsRuntime,
}

impl EcsModel {
    pub fn is_empty(&self) -> bool {
        self.deployments.is_empty() && self.runtime.is_empty()
    }

    /// The name of the ECS service the diagnosis is about, when one is known:
    /// the config's `service`, else the only service the outputs name.
    pub fn service_name(&self) -> Option<String> {
        if let Some(name) = self
            .deployments
            .iter()
            .find_map(|d| d.service.as_ref().map(|s| s.value.clone()))
        {
            return Some(name);
        }
        let mut names: Vec<&str> = self
            .runtime
            .services
            .iter()
            .map(|s| s.name.as_str())
            .chain(self.runtime.ecspresso_services.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        match names.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        }
    }
}

/// What wrote a deployment's definitions, so fixes name the right tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DefinitionSource {
    /// An ecspresso config and the definitions it names.
    #[default]
    Ecspresso,
    /// Task/service definition JSON found by its shape (`aws ecs register-task-definition
    /// --cli-input-json`, `describe-task-definition` output, service JSON).
    DefinitionFile,
    /// `aws_ecs_task_definition` / `aws_ecs_service` in Terraform.
    Terraform,
    /// `AWS::ECS::TaskDefinition` / `AWS::ECS::Service` in a CloudFormation or SAM template.
    CloudFormation,
    /// An AWS Copilot workload manifest (`copilot/<name>/manifest.yml`).
    Copilot,
    /// An AWS CDK app (TypeScript, JavaScript or Python).
    Cdk,
}

/// One deployment: an ecspresso config and the definitions it names, or a task
/// (and service) definition read from another source ([`DefinitionSource`]).
#[derive(Debug, Clone, Serialize)]
pub struct EcspressoDeployment {
    /// Where the definitions come from; for other sources than ecspresso
    /// `config_file` is the file that holds the task definition.
    pub source: DefinitionSource,
    pub config_file: PathBuf,
    /// The config's folder: paths in the config are relative to it.
    pub dir: PathBuf,
    pub region: Option<Sourced<String>>,
    /// `cluster:`; `None` means ecspresso's default cluster `default`.
    pub cluster: Option<Sourced<String>>,
    pub service: Option<Sourced<String>>,
    pub timeout: Option<Sourced<Timeout>>,
    /// Problems the loader found (unknown keys, missing files, unset variables, …).
    pub problems: Vec<ConfigProblem>,
    pub task: Option<TaskDefinition>,
    pub service_definition: Option<ServiceDefinition>,
    /// The Copilot application and environment a manifest deploys to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copilot: Option<CopilotScope>,
}

/// Where a Copilot workload deploys: its application (`copilot/.workspace`)
/// and environment (`environments.<env>`, or `ENV` when the manifest has no
/// override and the environment is not known).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopilotScope {
    pub application: Option<String>,
    pub environment: Option<String>,
    pub workload: String,
}

/// ecspresso's `timeout:` as it will be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Timeout {
    /// A Go duration (`10m`, `15m0s`).
    Duration {
        seconds: f64,
    },
    /// A bare number: ecspresso v2 reads it as nanoseconds.
    BareNumber {
        nanoseconds: f64,
    },
    Invalid {
        text: String,
    },
}

/// A problem in an ecspresso config or definition that ecspresso itself
/// would warn about or fail on.
#[derive(Debug, Clone, Serialize)]
pub struct ConfigProblem {
    /// `unknown-key`, `missing-file`, `unset-variable`, `unresolved`, …
    pub kind: String,
    /// The name the problem is about (key, variable, path, function).
    pub name: String,
    pub message: String,
    pub origin: Origin,
    /// `false` for problems that are only notes (an AWS lookup left unresolved offline).
    pub blocking: bool,
}

/// A task definition (RegisterTaskDefinition input, or describe output unwrapped).
#[derive(Debug, Clone, Serialize)]
pub struct TaskDefinition {
    pub file: PathBuf,
    pub origin: Origin,
    pub family: Option<Sourced<String>>,
    /// Task-level cpu in units (`"1 vCPU"` → 1024), with the text as written.
    pub cpu: Option<Sourced<Units>>,
    /// Task-level memory in MiB (`"2 GB"` → 2048).
    pub memory: Option<Sourced<Units>>,
    pub network_mode: Option<Sourced<String>>,
    pub requires_compatibilities: Vec<Sourced<String>>,
    pub execution_role_arn: Option<Sourced<String>>,
    pub task_role_arn: Option<Sourced<String>>,
    /// `runtimePlatform.cpuArchitecture` (`X86_64` when unset).
    pub cpu_architecture: Option<Sourced<String>>,
    pub operating_system_family: Option<Sourced<String>>,
    /// Top-level keys as written, for parameters some launch types reject.
    pub keys: Vec<Sourced<String>>,
    /// Volumes with a `dockerVolumeConfiguration` (rejected by Fargate).
    pub docker_volumes: Vec<Sourced<String>>,
    pub containers: Vec<ContainerDefinition>,
    /// The whole definition as JSON, for the comparison with what runs (`--aws`).
    #[serde(skip)]
    pub document: serde_json::Value,
}

/// A number as ECS reads it, with the text it was written as.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Units {
    pub value: Option<u32>,
    pub text: String,
}

/// One `containerDefinitions` entry.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerDefinition {
    pub name: Sourced<String>,
    pub origin: Origin,
    pub image: Option<Sourced<String>>,
    pub cpu: Option<Sourced<u32>>,
    pub memory: Option<Sourced<u32>>,
    pub memory_reservation: Option<Sourced<u32>>,
    /// `essential` (omitted means true).
    pub essential: Option<Sourced<bool>>,
    pub port_mappings: Vec<PortMapping>,
    pub health_check: Option<HealthCheck>,
    pub log_driver: Option<Sourced<String>>,
    pub log_options: Vec<Sourced<(String, String)>>,
    pub log_configuration: Option<Origin>,
    pub secrets: Vec<SecretReference>,
    pub repository_credentials: Option<Origin>,
    /// Keys as written (`privileged`, `links`, …) and `linuxParameters.<key>`.
    pub keys: Vec<Sourced<String>>,
    pub command: Option<Sourced<Vec<String>>>,
    pub entry_point: Option<Sourced<Vec<String>>>,
    pub environment: Vec<Sourced<(String, String)>>,
}

impl ContainerDefinition {
    pub fn is_essential(&self) -> bool {
        self.essential.as_ref().is_none_or(|e| e.value)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PortMapping {
    pub container_port: Option<Sourced<u32>>,
    pub host_port: Option<Sourced<u32>>,
    pub name: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthCheck {
    pub command: Sourced<Vec<String>>,
    pub interval: Option<Sourced<u32>>,
    pub timeout: Option<Sourced<u32>>,
    pub retries: Option<Sourced<u32>>,
    pub start_period: Option<Sourced<u32>>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecretReference {
    pub name: Option<Sourced<String>>,
    pub value_from: Option<Sourced<String>>,
    pub origin: Origin,
}

/// A service definition (CreateService input as ecspresso reads it).
#[derive(Debug, Clone, Serialize)]
pub struct ServiceDefinition {
    pub file: PathBuf,
    pub origin: Origin,
    pub launch_type: Option<Sourced<String>>,
    pub platform_version: Option<Sourced<String>>,
    pub capacity_providers: Vec<Sourced<String>>,
    pub scheduling_strategy: Option<Sourced<String>>,
    pub deployment_controller: Option<Sourced<String>>,
    pub desired_count: Option<Sourced<u32>>,
    pub health_check_grace_period: Option<Sourced<u32>>,
    pub minimum_healthy_percent: Option<Sourced<u32>>,
    pub maximum_percent: Option<Sourced<u32>>,
    pub circuit_breaker: Option<Sourced<bool>>,
    pub load_balancers: Vec<LoadBalancer>,
    /// `networkConfiguration.awsvpcConfiguration`, when present.
    pub awsvpc: Option<AwsVpc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadBalancer {
    pub target_group_arn: Option<Sourced<String>>,
    pub container_name: Option<Sourced<String>>,
    pub container_port: Option<Sourced<u32>>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwsVpc {
    pub subnets: Vec<Sourced<String>>,
    pub security_groups: Vec<Sourced<String>>,
    pub assign_public_ip: Option<Sourced<String>>,
    pub origin: Origin,
}

impl EcspressoDeployment {
    /// ecspresso's own test: the task or the service asks for Fargate.
    pub fn is_fargate(&self) -> bool {
        let task = self.task.as_ref().is_some_and(|t| {
            t.requires_compatibilities
                .iter()
                .any(|c| c.value.eq_ignore_ascii_case("FARGATE"))
        });
        let service = self.service_definition.as_ref().is_some_and(|s| {
            s.launch_type
                .as_ref()
                .is_some_and(|l| l.value.eq_ignore_ascii_case("FARGATE"))
                || s.capacity_providers
                    .iter()
                    .any(|c| c.value.to_ascii_uppercase().starts_with("FARGATE"))
                || s.platform_version.is_some()
        });
        task || service
    }

    /// The service name for findings (`cluster/service` is what ecspresso prints).
    pub fn subject(&self) -> Option<String> {
        self.service.as_ref().map(|s| s.value.clone())
    }
}

/// What ECS and ecspresso said about deploys that already ran.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EcsRuntime {
    pub services: Vec<ServiceState>,
    pub stopped_tasks: Vec<StoppedTask>,
    pub target_health: Vec<TargetHealth>,
    pub revisions: Vec<Revision>,
    /// ecspresso's own lines (steps and failures).
    pub ecspresso: Vec<EcspressoEvent>,
    /// Service names ecspresso's log prefixes name (`api/prod`).
    pub ecspresso_services: Vec<String>,
    /// Task definitions that run (from describe-task-definition or `--aws`), for the diff with the files.
    pub running_task_definitions: Vec<RunningTaskDefinition>,
    /// What `--aws` asked ECS and what went wrong asking.
    pub api_notes: Vec<Sourced<String>>,
    /// Services ECS does not know (`failures[].reason` `MISSING`), as `cluster/service`.
    pub missing_services: Vec<Sourced<String>>,
}

impl EcsRuntime {
    /// Some container of a stopped task ran (it has an exit code or failed a
    /// health check): the task's network did reach the registry.
    pub fn containers_started(&self) -> bool {
        self.stopped_tasks.iter().any(|t| {
            t.containers.iter().any(|c| c.exit_code.is_some())
                || t.stopped_reason
                    .as_deref()
                    .is_some_and(|r| r.contains("health checks"))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.services.is_empty()
            && self.stopped_tasks.is_empty()
            && self.target_health.is_empty()
            && self.revisions.is_empty()
            && self.ecspresso.is_empty()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceState {
    pub name: String,
    pub status: Option<String>,
    pub desired: Option<i64>,
    pub running: Option<i64>,
    pub task_definition: Option<String>,
    pub deployments: Vec<DeploymentState>,
    pub events: Vec<Sourced<String>>,
    pub target_groups: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeploymentState {
    pub status: String,
    pub task_definition: String,
    pub desired: Option<i64>,
    pub running: Option<i64>,
    pub failed_tasks: Option<i64>,
    pub rollout_state: Option<String>,
    pub rollout_reason: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoppedTask {
    pub task: String,
    pub task_definition: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub containers: Vec<StoppedContainer>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoppedContainer {
    pub name: String,
    pub exit_code: Option<i64>,
    pub reason: Option<String>,
    pub image: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetHealth {
    pub target: String,
    pub port: Option<u32>,
    pub state: String,
    pub reason: Option<String>,
    pub description: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub family: Option<String>,
    pub revision: u32,
    /// `PRIMARY deployment`, `ACTIVE deployment`, `RUNNING task`, or empty.
    pub in_use: Option<String>,
    pub origin: Origin,
}

/// One line of ecspresso's output that says what it did or why it failed.
#[derive(Debug, Clone, Serialize)]
pub struct EcspressoEvent {
    /// `registered`, `stable`, `rolling-back`, `failed`, …
    pub step: String,
    /// For failures: the step that failed (`register-task-definition`,
    /// `update-service`, `wait-stable-timeout`, `rollback-target-not-found`, …).
    pub failure: Option<String>,
    pub text: String,
    /// `family:revision` for registrations and rollbacks.
    pub revision: Option<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunningTaskDefinition {
    pub arn: String,
    #[serde(skip)]
    pub document: serde_json::Value,
    pub origin: Origin,
}
