//! Reads what ECS and ecspresso said about deploys that already ran, from
//! the `--logs` inputs (ecspresso's output, `ecspresso status` and
//! `revisions`, `aws ecs describe-*` JSON, target health, CloudWatch and
//! EventBridge exports) through the `ecsstate` crate, into
//! [`crate::model::ecs::EcsRuntime`]. The same inputs are also scanned line
//! by line for signatures (`logs.rs`); this source adds their structure:
//! which container exited with which code, which revision is PRIMARY.

use crate::model::ecs::{
    DeploymentState, EcspressoEvent, Revision, RunningTaskDefinition, ServiceState,
    StoppedContainer, StoppedTask, TargetHealth,
};
use crate::model::{Origin, Sourced, StackModel};
use ecsstate::{EcspressoStep, FailedStep};
use std::path::{Path, PathBuf};

use super::logs::QUOTED_CAP;

/// Reads every `--logs` input the log scan kept whole (files and streams
/// up to [`super::logs::STRUCTURED_CAP`], neither compressed nor binary)
/// into the model: the scan read them once, this parses their structure.
pub fn load(model: &mut StackModel, texts: &[(PathBuf, String)]) {
    for (name, text) in texts {
        read_text(model, name, text);
    }
}

fn read_text(model: &mut StackModel, file: &Path, text: &str) {
    let parsed = ecsstate::parse(text);
    if parsed.is_empty() {
        return;
    }
    let structured = !(parsed.services.is_empty()
        && parsed.tasks.is_empty()
        && parsed.target_health.is_empty()
        && parsed.revisions.is_empty()
        && parsed.ecspresso.is_empty()
        && parsed.status.is_none()
        && parsed.task_definitions.is_empty());
    if structured && (text.len() as u64) <= QUOTED_CAP && !model.sources.contains(file) {
        model
            .sources
            .insert(file, &crate::secrets::mask_patterns(text));
    }
    let file = file.to_path_buf();
    merge(model, parsed, &|line, column| {
        Origin::log(&file, line, column)
    });
}

/// In a stack of one ECS service and no compose services, log lines that
/// name no service (or only their file's name, `app-logs.json` → `app-logs`)
/// are that service's: CloudWatch exports and describe output carry no
/// compose prefix.
pub fn attribute_lines(model: &mut StackModel) {
    if !model.services.is_empty() {
        return;
    }
    let Some(service) = model.ecs.service_name() else {
        return;
    };
    for event in &mut model.log_events {
        let from_file_name = event
            .origin
            .position()
            .and_then(|p| super::logs::service_from_file_name(&p.file));
        if event.service.is_none() || event.service == from_file_name {
            event.service = Some(service.clone());
        }
    }
}

/// Merges one parsed input; `origin` turns its line and column into an origin.
pub fn merge(
    model: &mut StackModel,
    parsed: ecsstate::Parsed,
    origin: &dyn Fn(u32, u32) -> Origin,
) {
    let runtime = &mut model.ecs.runtime;
    for service in parsed.services {
        let target_groups = service
            .load_balancers
            .iter()
            .filter_map(|lb| lb.target_group_arn.clone())
            .collect();
        runtime.services.push(ServiceState {
            name: service.service_name,
            status: service.status,
            desired: service.desired_count,
            running: service.running_count,
            task_definition: service.task_definition,
            deployments: service
                .deployments
                .iter()
                .map(|d| deployment(d, origin))
                .collect(),
            events: service
                .events
                .iter()
                .map(|e| Sourced::new(e.message.clone(), origin(e.line, e.column)))
                .collect(),
            target_groups,
            origin: origin(service.line, service.column),
        });
    }
    if let Some(status) = parsed.status {
        runtime.services.push(ServiceState {
            name: status.service.clone().unwrap_or_default(),
            status: None,
            desired: status
                .deployments
                .iter()
                .find(|d| d.status == "PRIMARY")
                .and_then(|d| d.desired_count),
            running: status
                .deployments
                .iter()
                .find(|d| d.status == "PRIMARY")
                .and_then(|d| d.running_count),
            task_definition: status.task_definition.clone(),
            deployments: status
                .deployments
                .iter()
                .map(|d| deployment(d, origin))
                .collect(),
            events: status
                .events
                .iter()
                .map(|e| Sourced::new(e.message.clone(), origin(e.line, e.column)))
                .collect(),
            target_groups: Vec::new(),
            origin: origin(status.line, status.column),
        });
    }
    for task in parsed.tasks {
        let stopped = task.last_status.as_deref() == Some("STOPPED")
            || task.stop_code.is_some()
            || task.stopped_reason.is_some();
        if !stopped {
            continue;
        }
        let at = task
            .stopped_reason_position
            .map_or((task.line, task.column), |p| (p.line, p.column));
        runtime.stopped_tasks.push(StoppedTask {
            task: task.task_id().unwrap_or("?").to_string(),
            task_definition: task.task_definition_arn.clone(),
            stop_code: task.stop_code.clone(),
            stopped_reason: task.stopped_reason.clone(),
            containers: task
                .containers
                .iter()
                .map(|c| StoppedContainer {
                    name: c.name.clone(),
                    exit_code: c.exit_code,
                    reason: c.reason.clone(),
                    image: c.image.clone(),
                    origin: origin(c.line, c.column),
                })
                .collect(),
            origin: origin(at.0, at.1),
        });
    }
    for target in parsed.target_health {
        runtime.target_health.push(TargetHealth {
            target: target.target_id,
            port: target.port.and_then(|p| u32::try_from(p).ok()),
            state: target.state.unwrap_or_default(),
            reason: target.reason,
            description: target.description,
            origin: origin(target.line, target.column),
        });
    }
    for revision in parsed.revisions {
        runtime.revisions.push(Revision {
            family: revision.family,
            revision: revision.revision,
            in_use: revision.in_use,
            origin: origin(revision.line, revision.column),
        });
    }
    for definition in parsed.task_definitions {
        runtime
            .running_task_definitions
            .push(RunningTaskDefinition {
                arn: definition
                    .task_definition_arn
                    .clone()
                    .or_else(|| {
                        Some(format!(
                            "{}:{}",
                            definition.family.clone()?,
                            definition.revision?
                        ))
                    })
                    .unwrap_or_default(),
                document: definition.definition,
                origin: origin(definition.line, definition.column),
            });
    }
    for line in parsed.ecspresso {
        if let Some(service) = &line.service {
            if !runtime.ecspresso_services.contains(service) {
                runtime.ecspresso_services.push(service.clone());
            }
        }
        let (step, failure, revision) = step(&line.kind);
        if step == "other" {
            continue;
        }
        // `FAILED. rollback target is not found` → the error itself.
        let text = line
            .message
            .split_once("FAILED. ")
            .map_or(line.message.as_str(), |(_, rest)| rest);
        runtime.ecspresso.push(EcspressoEvent {
            step: step.to_string(),
            failure: failure.map(str::to_string),
            text: text.to_string(),
            revision,
            origin: origin(line.line, line.column),
        });
    }
}

fn deployment(d: &ecsstate::Deployment, origin: &dyn Fn(u32, u32) -> Origin) -> DeploymentState {
    DeploymentState {
        status: d.status.clone(),
        task_definition: d.task_definition.clone().unwrap_or_default(),
        desired: d.desired_count,
        running: d.running_count,
        failed_tasks: d.failed_tasks,
        rollout_state: d.rollout_state.clone(),
        rollout_reason: d.rollout_state_reason.clone(),
        origin: origin(d.line, d.column),
    }
}

/// (step, failure, `family:revision`) of one ecspresso line.
fn step(kind: &EcspressoStep) -> (&'static str, Option<&'static str>, Option<String>) {
    match kind {
        EcspressoStep::StartingDeploy => ("starting-deploy", None, None),
        EcspressoStep::StartingRollback => ("rolling-back", None, None),
        EcspressoStep::Registering => ("registering", None, None),
        EcspressoStep::Registered { family, revision } => {
            ("registered", None, Some(format!("{family}:{revision}")))
        }
        EcspressoStep::CreatingService { .. } => ("creating-service", None, None),
        EcspressoStep::UpdatingService => ("updating-service", None, None),
        EcspressoStep::WaitingStable => ("waiting-stable", None, None),
        EcspressoStep::Progress(_) => ("progress", None, None),
        EcspressoStep::Stable => ("stable", None, None),
        EcspressoStep::RollingBack { family, revision } => {
            ("rolling-back", None, Some(format!("{family}:{revision}")))
        }
        EcspressoStep::RolledBack { .. } => ("rolled-back", None, None),
        EcspressoStep::Interrupted => ("interrupted", None, None),
        EcspressoStep::Failed { step, .. } => ("failed", Some(failure(step.as_ref())), None),
        EcspressoStep::Other(_) => ("other", None, None),
    }
}

fn failure(step: Option<&FailedStep>) -> &'static str {
    match step {
        Some(FailedStep::RegisterTaskDefinition) => "register-task-definition",
        Some(
            FailedStep::UpdateService
            | FailedStep::UpdateServiceAttributes
            | FailedStep::UpdateServiceTasks,
        ) => "update-service",
        Some(FailedStep::CreateService) => "create-service",
        Some(FailedStep::WaiterTimeout | FailedStep::ContextDeadlineExceeded) => {
            "wait-stable-timeout"
        }
        Some(FailedStep::WaitServiceStable | FailedStep::WaiterFailure) => "wait-stable-failure",
        Some(FailedStep::RollbackTargetNotFound) => "rollback-target-not-found",
        Some(FailedStep::ServiceNotFound { .. } | FailedStep::ServiceInactive { .. }) => {
            "service-not-found"
        }
        Some(
            FailedStep::LoadConfig
            | FailedStep::LoadTaskDefinition
            | FailedStep::LoadServiceDefinition,
        ) => "load-config",
        Some(
            FailedStep::DeploymentFailed { .. }
            | FailedStep::DeploymentRolledBack
            | FailedStep::NotDeployedYet { .. },
        ) => "deployment-failed",
        Some(FailedStep::RunTask | FailedStep::TaskFailedToStart) => "run-task",
        None => "other",
    }
}
