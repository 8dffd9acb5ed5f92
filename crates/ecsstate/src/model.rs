//! The typed records [`crate::parse`] returns.
//!
//! Every record carries `line` and `column` (both 1-based) where it starts in
//! the input. For JSON input that is the position of the record's anchor field
//! (for example `"taskArn": "…"`); records built by [`crate::parse_value`]
//! have `line` and `column` 0.

use serde::Serialize;

use crate::time::Timestamp;

/// One text line that no recogniser claimed (or, for [`LogLine`]-like uses, a
/// line of interest), with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// 1-based line number in the input.
    pub number: u32,
    /// 1-based column (in characters) where `text` starts.
    pub column: u32,
    /// The line's text without the line terminator.
    pub text: String,
}

/// A 1-based position in the input (0/0 when unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

/// One service from `aws ecs describe-services` (or the raw `DescribeServices`
/// API response, or a single `service` object such as `update-service` prints).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceState {
    /// `serviceName` (taken from the ARN when the name is missing).
    pub service_name: String,
    /// `serviceArn`.
    pub service_arn: Option<String>,
    /// `clusterArn`.
    pub cluster_arn: Option<String>,
    /// `status`: `ACTIVE`, `DRAINING` or `INACTIVE`.
    pub status: Option<String>,
    /// `desiredCount`.
    pub desired_count: Option<i64>,
    /// `runningCount`.
    pub running_count: Option<i64>,
    /// `pendingCount`.
    pub pending_count: Option<i64>,
    /// `taskDefinition` (an ARN).
    pub task_definition: Option<String>,
    /// `launchType` (`FARGATE`, `EC2`, `EXTERNAL`).
    pub launch_type: Option<String>,
    /// `platformVersion`.
    pub platform_version: Option<String>,
    /// `healthCheckGracePeriodSeconds`.
    pub health_check_grace_period_seconds: Option<i64>,
    /// `loadBalancers`.
    pub load_balancers: Vec<LoadBalancer>,
    /// `deploymentConfiguration`.
    pub deployment_configuration: Option<DeploymentConfiguration>,
    /// `deployments`, in input order (ECS lists the PRIMARY first).
    pub deployments: Vec<Deployment>,
    /// `events`, in input order (ECS lists the newest first).
    pub events: Vec<ServiceEvent>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

impl ServiceState {
    /// The deployment whose status is `PRIMARY`.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == "PRIMARY")
    }
}

/// One entry of a service's `loadBalancers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadBalancer {
    /// `targetGroupArn`.
    pub target_group_arn: Option<String>,
    /// `loadBalancerName` (Classic Load Balancers only).
    pub load_balancer_name: Option<String>,
    /// `containerName`.
    pub container_name: Option<String>,
    /// `containerPort`.
    pub container_port: Option<i64>,
}

/// A service's `deploymentConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeploymentConfiguration {
    /// `deploymentCircuitBreaker.enable`.
    pub circuit_breaker_enable: Option<bool>,
    /// `deploymentCircuitBreaker.rollback`.
    pub circuit_breaker_rollback: Option<bool>,
    /// `minimumHealthyPercent`.
    pub minimum_healthy_percent: Option<i64>,
    /// `maximumPercent`.
    pub maximum_percent: Option<i64>,
}

/// One deployment of a service: from `describe-services` `deployments`, from an
/// `ecspresso status` `Deployments:` line, or from the progress lines
/// `ecspresso deploy` prints while waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// `id` (`ecs-svc/…`); `None` for lines printed by ecspresso.
    pub id: Option<String>,
    /// `status`: `PRIMARY`, `ACTIVE` or `INACTIVE`.
    pub status: String,
    /// `taskDefinition`: an ARN (JSON) or `family:revision` (ecspresso).
    pub task_definition: Option<String>,
    /// `desiredCount`.
    pub desired_count: Option<i64>,
    /// `pendingCount`.
    pub pending_count: Option<i64>,
    /// `runningCount`.
    pub running_count: Option<i64>,
    /// `failedTasks`.
    pub failed_tasks: Option<i64>,
    /// `rolloutState`: `COMPLETED`, `FAILED` or `IN_PROGRESS`.
    pub rollout_state: Option<String>,
    /// `rolloutStateReason`.
    pub rollout_state_reason: Option<String>,
    /// `createdAt`.
    pub created_at: Option<Timestamp>,
    /// `updatedAt`.
    pub updated_at: Option<Timestamp>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

impl Deployment {
    /// Whether the rollout failed (`rolloutState` is `FAILED`, which is what the
    /// deployment circuit breaker sets).
    pub fn is_failed(&self) -> bool {
        self.rollout_state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("FAILED"))
    }

    /// `(family, revision)` of [`Deployment::task_definition`].
    pub fn family_revision(&self) -> Option<(String, u32)> {
        self.task_definition.as_deref().and_then(family_revision)
    }
}

/// One service event (`describe-services` `events[]`, or an `ecspresso status`
/// `Events:` line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceEvent {
    /// `id` (JSON only).
    pub id: Option<String>,
    /// `createdAt`.
    pub created_at: Option<Timestamp>,
    /// `message`, e.g. `(service api) has reached a steady state.`
    pub message: String,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// Where a [`TaskState`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TaskSource {
    /// `aws ecs describe-tasks` / `run-task` JSON, or a bare task object.
    DescribeTasks,
    /// `aws ecs list-tasks`: only the ARN is known.
    ListTasks,
    /// The `detail` of an EventBridge "ECS Task State Change" event.
    EventBridge,
    /// `ecspresso run` output (`task failed to start: …`,
    /// `container: …, exit code: …, reason: …`).
    EcspressoRun,
}

/// One task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskState {
    /// Where the record came from.
    pub source: TaskSource,
    /// `taskArn`.
    pub task_arn: Option<String>,
    /// `taskDefinitionArn`.
    pub task_definition_arn: Option<String>,
    /// `clusterArn`.
    pub cluster_arn: Option<String>,
    /// `group`, e.g. `service:api`.
    pub group: Option<String>,
    /// The service name from `group` (`service:NAME`).
    pub service_name: Option<String>,
    /// `launchType`.
    pub launch_type: Option<String>,
    /// `lastStatus`.
    pub last_status: Option<String>,
    /// `desiredStatus`.
    pub desired_status: Option<String>,
    /// `stopCode`, e.g. `EssentialContainerExited`, `TaskFailedToStart`.
    pub stop_code: Option<String>,
    /// `stoppedReason`, e.g. `Essential container in task exited`.
    pub stopped_reason: Option<String>,
    /// Where `stoppedReason`'s value is in the input, when found.
    pub stopped_reason_position: Option<Position>,
    /// `stoppedAt`.
    pub stopped_at: Option<Timestamp>,
    /// `startedAt`.
    pub started_at: Option<Timestamp>,
    /// `healthStatus`.
    pub health_status: Option<String>,
    /// `cpu` (a string in the API: `"256"`).
    pub cpu: Option<String>,
    /// `memory` (a string in the API: `"512"`).
    pub memory: Option<String>,
    /// `containers`.
    pub containers: Vec<ContainerState>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

impl TaskState {
    pub(crate) fn new(source: TaskSource, line: u32, column: u32) -> Self {
        TaskState {
            source,
            task_arn: None,
            task_definition_arn: None,
            cluster_arn: None,
            group: None,
            service_name: None,
            launch_type: None,
            last_status: None,
            desired_status: None,
            stop_code: None,
            stopped_reason: None,
            stopped_reason_position: None,
            stopped_at: None,
            started_at: None,
            health_status: None,
            cpu: None,
            memory: None,
            containers: Vec::new(),
            line,
            column,
        }
    }

    /// The container whose exit stopped the task.
    ///
    /// When `stoppedReason` says `Essential container in task exited`, this is
    /// the first container with a non-zero exit code that also has a `reason`,
    /// else the first whose exit code is neither 0 nor 143 (143 is the SIGTERM
    /// ECS sends to the other containers while stopping the task), else the
    /// first with a non-zero exit code, else the first stopped container with an
    /// exit code. Otherwise it is the first container with a non-zero exit code.
    pub fn essential_exit(&self) -> Option<&ContainerState> {
        let nonzero = |c: &&ContainerState| c.exit_code.is_some_and(|e| e != 0);
        let essential = self
            .stopped_reason
            .as_deref()
            .is_some_and(|r| r.contains("Essential container in task exited"));
        if !essential {
            return self.containers.iter().find(nonzero);
        }
        self.containers
            .iter()
            .find(|c| nonzero(c) && c.reason.is_some())
            .or_else(|| {
                self.containers
                    .iter()
                    .find(|c| c.exit_code.is_some_and(|e| e != 0 && e != 143))
            })
            .or_else(|| self.containers.iter().find(nonzero))
            .or_else(|| self.containers.iter().find(|c| c.exit_code.is_some()))
    }

    /// The task id (last path segment of the ARN).
    pub fn task_id(&self) -> Option<&str> {
        self.task_arn
            .as_deref()
            .map(|a| a.rsplit('/').next().unwrap_or(a))
    }
}

/// One container of a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerState {
    /// `name`.
    pub name: String,
    /// `image`.
    pub image: Option<String>,
    /// `lastStatus`.
    pub last_status: Option<String>,
    /// `exitCode`.
    pub exit_code: Option<i64>,
    /// `reason`, e.g. `OutOfMemoryError: Container killed due to memory usage`.
    pub reason: Option<String>,
    /// `healthStatus`.
    pub health_status: Option<String>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// A task definition from `aws ecs describe-task-definition` (or
/// `register-task-definition`, or a bare task definition object).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskDefinitionState {
    /// `family`.
    pub family: Option<String>,
    /// `revision`.
    pub revision: Option<u32>,
    /// `status`: `ACTIVE`, `INACTIVE`, `DELETE_IN_PROGRESS`.
    pub status: Option<String>,
    /// `taskDefinitionArn`.
    pub task_definition_arn: Option<String>,
    /// The whole task definition object.
    pub definition: serde_json::Value,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// One target from `aws elbv2 describe-target-health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetHealth {
    /// `Target.Id` (an IP address for `ip` target groups, an instance id otherwise).
    pub target_id: String,
    /// `Target.Port`.
    pub port: Option<i64>,
    /// `Target.AvailabilityZone`.
    pub availability_zone: Option<String>,
    /// `HealthCheckPort`.
    pub health_check_port: Option<String>,
    /// `TargetHealth.State`: `initial`, `healthy`, `unhealthy`, `draining`, …
    pub state: Option<String>,
    /// `TargetHealth.Reason`, e.g. `Target.ResponseCodeMismatch`.
    pub reason: Option<String>,
    /// `TargetHealth.Description`, e.g. `Health checks failed with these codes: [404]`.
    pub description: Option<String>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// Which output a [`Revision`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RevisionSource {
    /// `ecspresso revisions` (default `--output table`).
    Table,
    /// `ecspresso revisions --output tsv`.
    Tsv,
    /// `ecspresso revisions --output json`.
    Json,
    /// `aws ecs list-task-definitions` (JSON or text output).
    ListTaskDefinitions,
}

/// One task definition revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revision {
    /// Where it came from.
    pub source: RevisionSource,
    /// The name as printed (`family:revision`, a bare number or an ARN).
    pub name: String,
    /// The family, when the name carries one.
    pub family: Option<String>,
    /// The revision number.
    pub revision: u32,
    /// Registration time as printed, when the output has one.
    pub registered_at: Option<String>,
    /// "In Use" text such as `PRIMARY deployment`, `ACTIVE deployment`,
    /// `RUNNING task`; `None` when empty.
    pub in_use: Option<String>,
    /// The task definition ARN, when given.
    pub arn: Option<String>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// How an ecspresso log line was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LogFormat {
    /// v1/v2 Go `log`: `2024/03/26 15:58:30 <service>/<cluster> [INFO] msg`
    /// (the `[LEVEL]` is absent in v1).
    GoLog,
    /// v2.8+ slog style: `2026-01-29T06:56:10.956Z [INFO] [svc/cluster] msg`.
    Slog,
    /// No timestamp: `[ERROR] FAILED. …`, `deploy FAILED. …` or a bare message.
    Bare,
}

/// One line printed by ecspresso.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EcspressoLine {
    /// Line layout.
    pub format: LogFormat,
    /// The timestamp, when the line has one.
    pub timestamp: Option<Timestamp>,
    /// `INFO`, `ERROR`, `WARNING`, `DEBUG`, `NOTICE`, … when printed.
    pub level: Option<String>,
    /// Service from the `<service>/<cluster>` prefix.
    pub service: Option<String>,
    /// Cluster from the `<service>/<cluster>` prefix.
    pub cluster: Option<String>,
    /// The message after the prefixes.
    pub message: String,
    /// What step the message is.
    pub kind: EcspressoStep,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// The step of a deploy/rollback an ecspresso message reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EcspressoStep {
    /// `Starting deploy`.
    StartingDeploy,
    /// `Starting rollback`.
    StartingRollback,
    /// `Registering a new task definition...`.
    Registering,
    /// `Task definition is registered family:revision`.
    Registered {
        /// Task definition family.
        family: String,
        /// Revision number.
        revision: u32,
    },
    /// `Service NAME not found. Creating a new service`.
    CreatingService {
        /// Service name (empty when not printed).
        service: String,
    },
    /// `Updating service...`, `Updating service attributes...`,
    /// `Updating service tasks...`, `service attributes will not change`.
    UpdatingService,
    /// `Waiting for service stable...(it will take a few minutes)`.
    WaitingStable,
    /// A deployment progress line printed while waiting
    /// (`  PRIMARY app:12 desired:2 pending:0 running:2 IN_PROGRESS(…)`).
    Progress(Box<Deployment>),
    /// `Service is stable now. Completed!` (outside a rollback).
    Stable,
    /// `Rolling back to family:revision` (v2.8: `rolling back target=family:revision`).
    RollingBack {
        /// Target family.
        family: String,
        /// Target revision.
        revision: u32,
    },
    /// `Service is stable now. Completed!` after a `Rolling back to …` line
    /// (family/revision `None`), or `Deregistering the rolled-back task
    /// definition family:revision` (the revision that was rolled back).
    RolledBack {
        /// Family of the deregistered revision, when printed.
        family: Option<String>,
        /// The deregistered revision, when printed.
        revision: Option<u32>,
    },
    /// `[WARNING] Interrupted`.
    Interrupted,
    /// `FAILED. <chain>`: `chain` is the text after `FAILED.`; see
    /// [`EcspressoStep::chain_parts`] for its wrapped parts.
    Failed {
        /// The error chain as printed.
        chain: String,
        /// The recognised failure, if any.
        step: Option<FailedStep>,
    },
    /// Anything else (the message text).
    Other(String),
}

impl EcspressoStep {
    /// For [`EcspressoStep::Failed`], the chain split on `": "` into its
    /// wrapped parts (outermost first); empty for other steps.
    pub fn chain_parts(&self) -> Vec<&str> {
        match self {
            EcspressoStep::Failed { chain, .. } => chain_parts(chain),
            _ => Vec::new(),
        }
    }
}

/// Splits an error chain (`a: b: c`) into its wrapped parts.
pub fn chain_parts(chain: &str) -> Vec<&str> {
    chain
        .split(": ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// Which ecspresso step failed, recognised from the `FAILED.` chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum FailedStep {
    /// `failed to register task definition: …`.
    RegisterTaskDefinition,
    /// `failed to update service: …`.
    UpdateService,
    /// `failed to update service attributes: …`.
    UpdateServiceAttributes,
    /// `failed to update service tasks: …`.
    UpdateServiceTasks,
    /// `failed to create service: …`.
    CreateService,
    /// `failed to wait for service stable: …` with a tail not recognised below.
    WaitServiceStable,
    /// `failed to wait for service stable: exceeded max wait time for
    /// ServicesStable waiter` (also `timeout waiting for service stable` and
    /// `context deadline exceeded` inside the wait).
    WaiterTimeout,
    /// `failed to wait for service stable: waiter state transitioned to Failure`
    /// (service MISSING / DRAINING / INACTIVE).
    WaiterFailure,
    /// `rollback target is not found`.
    RollbackTargetNotFound,
    /// `service NAME is not found`.
    ServiceNotFound {
        /// Service name.
        service: String,
    },
    /// `service NAME is INACTIVE`.
    ServiceInactive {
        /// Service name.
        service: String,
    },
    /// `failed to load config file …`.
    LoadConfig,
    /// `failed to load task definition …`.
    LoadTaskDefinition,
    /// `failed to load service definition …`.
    LoadServiceDefinition,
    /// `Service deployment failed STOPPED|ROLLBACK_FAILED|STOP_REQUESTED`.
    DeploymentFailed {
        /// The deployment state printed.
        state: String,
    },
    /// `service deployment has been rolled back …`.
    DeploymentRolledBack,
    /// `task definition X is not deployed yet. PRIMARY deployment is Y`.
    NotDeployedYet {
        /// The task definition ecspresso deployed.
        task_definition: String,
        /// The one ECS has as PRIMARY.
        primary: String,
    },
    /// `context deadline exceeded` (outside a wait-for-stable chain).
    ContextDeadlineExceeded,
    /// `failed to run task: …` (`ecspresso run`).
    RunTask,
    /// `task failed to start: …` (`ecspresso run`).
    TaskFailedToStart,
}

/// One log event from a CloudWatch Logs export (`filter-log-events`,
/// `get-log-events`), for the caller to scan with its own signatures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// `message`.
    pub message: String,
    /// `logStreamName`, when present (`filter-log-events` only).
    pub stream: Option<String>,
    /// `timestamp` (milliseconds since the epoch).
    pub timestamp: Option<Timestamp>,
    /// 0-based index of the event in its `events` array.
    pub index: u32,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// One entry of `failures` in an ECS API response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiFailure {
    /// `arn`.
    pub arn: Option<String>,
    /// `reason`, e.g. `MISSING`.
    pub reason: Option<String>,
    /// `detail`.
    pub detail: Option<String>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// An EventBridge "ECS Service Action" or "ECS Deployment State Change" event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceAction {
    /// `detail-type`.
    pub detail_type: String,
    /// `detail.eventType`: `INFO`, `WARN`, `ERROR`.
    pub event_type: Option<String>,
    /// `detail.eventName`, e.g. `SERVICE_TASK_PLACEMENT_FAILURE`,
    /// `SERVICE_DEPLOYMENT_FAILED`.
    pub event_name: Option<String>,
    /// The service ARN (`resources[0]`).
    pub service_arn: Option<String>,
    /// `detail.clusterArn`.
    pub cluster_arn: Option<String>,
    /// `detail.reason`.
    pub reason: Option<String>,
    /// `detail.deploymentId`.
    pub deployment_id: Option<String>,
    /// `time` (or `detail.createdAt`).
    pub time: Option<Timestamp>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

/// The block `ecspresso status` prints (also printed at the start of
/// `ecspresso deploy`/`rollback`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// `Service: NAME`.
    pub service: Option<String>,
    /// `Cluster: NAME`.
    pub cluster: Option<String>,
    /// `TaskDefinition: family:revision`.
    pub task_definition: Option<String>,
    /// The `Deployments:` lines.
    pub deployments: Vec<Deployment>,
    /// The `TaskSets:` lines, as printed.
    pub task_sets: Vec<Line>,
    /// The `AutoScaling:` lines, as printed.
    pub auto_scaling: Vec<Line>,
    /// The `Events:` lines (oldest first), plus service event lines
    /// `ecspresso deploy` prints while waiting.
    pub events: Vec<ServiceEvent>,
    /// 1-based line of the record.
    pub line: u32,
    /// 1-based column of the record.
    pub column: u32,
}

impl StatusReport {
    /// The deployment whose status is `PRIMARY`.
    pub fn primary(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.status == "PRIMARY")
    }
}

/// `(family, revision)` of a task definition ARN
/// (`arn:aws:ecs:…:task-definition/family:rev`) or name (`family:rev`).
///
/// ```
/// assert_eq!(
///     ecsstate::family_revision("arn:aws:ecs:ap-northeast-1:123456789012:task-definition/api:42"),
///     Some(("api".to_string(), 42))
/// );
/// assert_eq!(ecsstate::family_revision("api"), None);
/// ```
pub fn family_revision(arn_or_name: &str) -> Option<(String, u32)> {
    let s = arn_or_name.trim();
    let name = match s.rfind("task-definition/") {
        Some(i) => &s[i + "task-definition/".len()..],
        None if s.starts_with("arn:") => return None,
        None => s,
    };
    let (family, rev) = name.rsplit_once(':')?;
    if family.is_empty()
        || family.len() > 255
        || !family
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    if rev.is_empty() || rev.len() > 9 || !rev.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((family.to_string(), rev.parse().ok()?))
}
