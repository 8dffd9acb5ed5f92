//! `--aws` for ECS: asks ECS and Elastic Load Balancing what the service
//! of each ecspresso config is doing: DescribeServices (deployments, rollout
//! state, events), the recently stopped tasks (ListTasks + DescribeTasks),
//! the running revision (DescribeTaskDefinition, for the comparison with
//! the files), the family's revisions (ListTaskDefinitions, for rollbacks)
//! and the target health of the service's target groups. Every call is
//! bounded by the probe timeout; the calls after DescribeServices run at
//! once.

use crate::model::ecs::{Revision, RunningTaskDefinition, TargetHealth};
use crate::model::{Origin, Sourced, StackModel};
use std::collections::BTreeMap;
use std::time::Duration;

/// Stopped tasks described per service: ECS keeps them about an hour.
const STOPPED_TASKS: usize = 10;

/// One service to ask about.
struct Target {
    region: Option<String>,
    cluster: String,
    service: String,
}

pub fn ask_ecs(model: &mut StackModel, environment: &BTreeMap<String, String>, timeout: Duration) {
    let targets: Vec<Target> = model
        .ecs
        .deployments
        .iter()
        .filter_map(|d| {
            let service = d.service.as_ref()?.value.clone();
            if service.contains("<unresolved:") {
                return None;
            }
            Some(Target {
                region: d
                    .region
                    .as_ref()
                    .map(|r| r.value.clone())
                    .filter(|r| !r.contains("<unresolved:")),
                cluster: d
                    .cluster
                    .as_ref()
                    .map_or("default".to_string(), |c| c.value.clone()),
                service,
            })
        })
        .collect();
    for target in targets {
        ask_service(model, environment, timeout, &target);
    }
}

fn probe(call: &str) -> Origin {
    Origin::Probe {
        probe: format!("aws {call}"),
    }
}

fn note(model: &mut StackModel, call: &str, text: String) {
    model
        .ecs
        .runtime
        .api_notes
        .push(Sourced::new(text, probe(call)));
}

fn ask_service(
    model: &mut StackModel,
    environment: &BTreeMap<String, String>,
    timeout: Duration,
    target: &Target,
) {
    let env =
        awsapi::Environment::from_vars(environment.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut config = awsapi::ClientConfig::new()
        .environment(env)
        .connect_timeout(timeout)
        .timeout(timeout);
    if let Some(region) = &target.region {
        config = config.region(region.clone());
    }
    let client = match config.build() {
        Ok(client) => client,
        Err(e) => return note(model, "ecs", format!("client: {e}")),
    };
    // Secrets the credential chain handled (tokens, process output) are masked in every output.
    model
        .secret_values
        .extend(client.secret_values_for_masking());
    let services = match client.ecs_describe_services(&target.cluster, &[target.service.as_str()]) {
        Ok(value) => value,
        Err(e) => {
            return note(
                model,
                "ecs describe-services",
                format!("ecs:DescribeServices: {e}"),
            )
        }
    };
    let parsed = ecsstate::parse_value(&services);
    for failure in &parsed.failures {
        if failure.reason.as_deref() == Some("MISSING") {
            model.ecs.runtime.missing_services.push(Sourced::new(
                format!("{}/{}", target.cluster, target.service),
                probe("ecs describe-services"),
            ));
        }
        // `MISSING`: no such service in that cluster (ecspresso deploy would create one).
        note(
            model,
            "ecs describe-services",
            format!(
                "service {} in cluster {}: {}",
                target.service,
                target.cluster,
                failure.reason.clone().unwrap_or_default()
            ),
        );
    }
    let task_definition = parsed
        .services
        .first()
        .and_then(|s| s.task_definition.clone());
    let target_groups: Vec<String> = parsed
        .services
        .first()
        .map(|s| {
            s.load_balancers
                .iter()
                .filter_map(|lb| lb.target_group_arn.clone())
                .collect()
        })
        .unwrap_or_default();
    super::ecs_runtime::merge(model, parsed, &|_, _| probe("ecs describe-services"));
    let family = task_definition
        .as_deref()
        .and_then(ecsstate::family_revision)
        .map(|(family, _)| family);
    let (stopped, running, revisions, health) = std::thread::scope(|scope| {
        let stopped = scope.spawn(|| {
            let arns = client.ecs_list_tasks(&target.cluster, &target.service, Some("STOPPED"))?;
            let arns: Vec<&str> = arns
                .iter()
                .map(String::as_str)
                .take(STOPPED_TASKS)
                .collect();
            if arns.is_empty() {
                return Ok(None);
            }
            client.ecs_describe_tasks(&target.cluster, &arns).map(Some)
        });
        let running = scope.spawn(|| {
            task_definition
                .as_deref()
                .map(|td| client.ecs_describe_task_definition(td))
        });
        let revisions = scope.spawn(|| {
            family
                .as_deref()
                .map(|f| client.ecs_list_task_definitions(f, Some("ACTIVE"), true))
        });
        let health = scope.spawn(|| {
            target_groups
                .iter()
                .map(|tg| (tg.clone(), client.elbv2_describe_target_health(tg)))
                .collect::<Vec<_>>()
        });
        (
            stopped.join().ok(),
            running.join().ok().flatten(),
            revisions.join().ok().flatten(),
            health.join().unwrap_or_default(),
        )
    });
    match stopped {
        Some(Ok(Some(tasks))) => {
            let parsed = ecsstate::parse_value(&tasks);
            super::ecs_runtime::merge(model, parsed, &|_, _| probe("ecs describe-tasks"));
        }
        Some(Ok(None)) => note(
            model,
            "ecs list-tasks",
            "no stopped tasks in the last hour".into(),
        ),
        Some(Err(e)) => note(
            model,
            "ecs list-tasks",
            format!("ecs:ListTasks/DescribeTasks: {e}"),
        ),
        None => {}
    }
    match running {
        Some(Ok(document)) => {
            let arn = document
                .pointer("/taskDefinition/taskDefinitionArn")
                .and_then(|v| v.as_str())
                .or(task_definition.as_deref())
                .unwrap_or_default()
                .to_string();
            model
                .ecs
                .runtime
                .running_task_definitions
                .push(RunningTaskDefinition {
                    arn,
                    document,
                    origin: probe("ecs describe-task-definition"),
                });
        }
        Some(Err(e)) => note(
            model,
            "ecs describe-task-definition",
            format!("ecs:DescribeTaskDefinition: {e}"),
        ),
        None => {}
    }
    match revisions {
        Some(Ok(arns)) => {
            for arn in arns {
                if let Some((family, revision)) = ecsstate::family_revision(&arn) {
                    let in_use = (task_definition.as_deref() == Some(arn.as_str()))
                        .then(|| "PRIMARY deployment".to_string());
                    model.ecs.runtime.revisions.push(Revision {
                        family: Some(family),
                        revision,
                        in_use,
                        origin: probe("ecs list-task-definitions"),
                    });
                }
            }
        }
        Some(Err(e)) => note(
            model,
            "ecs list-task-definitions",
            format!("ecs:ListTaskDefinitions: {e}"),
        ),
        None => {}
    }
    for (target_group, result) in health {
        match result {
            Ok(targets) => {
                for t in targets {
                    model.ecs.runtime.target_health.push(TargetHealth {
                        target: t.target_id,
                        port: t.port.map(u32::from),
                        state: t.state,
                        reason: t.reason,
                        description: t.description,
                        origin: probe("elbv2 describe-target-health"),
                    });
                }
            }
            Err(e) => note(
                model,
                "elbv2 describe-target-health",
                format!("elbv2:DescribeTargetHealth {target_group}: {e}"),
            ),
        }
    }
}
