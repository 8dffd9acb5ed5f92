//! What the ECS checks share: the service a finding is about, the log lines
//! that support a cause, the Fargate size table (`data/ecs/fargate.toml`),
//! and the ecspresso commands that fix and verify.

use crate::finding::{Finding, FixStep, Message};
use crate::model::ecs::{DefinitionSource, EcspressoDeployment, TaskDefinition};
use crate::model::{LogEvent, StackModel};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Total weight of lines that makes a finding from output alone.
pub const TRIAGE_THRESHOLD: u32 = 60;

/// The ECS service findings are about (for grouping symptoms under causes).
pub fn subject(model: &StackModel) -> Option<String> {
    model.ecs.service_name()
}

/// A finding of `cause` about the ECS service, with `service` set for titles.
pub fn base(model: &StackModel, cause: &str) -> Finding {
    let mut finding = Finding::new(cause);
    match subject(model) {
        Some(name) => {
            finding = finding.subject(&name).param("service", name);
        }
        None => finding = finding.param("service", "?"),
    }
    finding
}

/// A finding of `cause` about one deployment's service (several ecspresso
/// configs in one tree each name their own).
pub fn base_for(model: &StackModel, deployment: &EcspressoDeployment, cause: &str) -> Finding {
    match deployment.subject() {
        Some(name) => Finding::new(cause).subject(&name).param("service", name),
        None => base(model, cause),
    }
}

/// The finding as a risk seen in the files: a warning about a setting, which
/// takes no failure seen in the output as its symptom.
pub fn as_risk(finding: Finding) -> Finding {
    let subject = format!("{} setting", finding.subject.clone().unwrap_or_default());
    finding
        .severity(crate::finding::Severity::Warning)
        .subject(subject)
}

/// The finding as a note about a setting: `info`, worth knowing but no
/// problem until the output shows one (it neither explains failures seen
/// nor is explained by them).
pub fn as_note(finding: Finding) -> Finding {
    let subject = format!("{} setting", finding.subject.clone().unwrap_or_default());
    finding
        .severity(crate::finding::Severity::Info)
        .subject(subject)
        .about_setting()
}

/// Every deployment that has a task definition.
pub fn tasks(model: &StackModel) -> impl Iterator<Item = (&EcspressoDeployment, &TaskDefinition)> {
    model
        .ecs
        .deployments
        .iter()
        .filter_map(|d| d.task.as_ref().map(|t| (d, t)))
}

/// Log lines (ecspresso output, events, stopped-task reasons) that support
/// `cause`: one line per signature first, heaviest first, then the rest.
pub fn events<'a>(model: &'a StackModel, cause: &str) -> Vec<&'a LogEvent> {
    let weight = |e: &LogEvent| {
        e.causes
            .iter()
            .find(|(c, _)| c == cause)
            .map_or(0, |(_, w)| *w)
    };
    let mut found: Vec<&LogEvent> = model.log_events.iter().filter(|e| weight(e) > 0).collect();
    found.sort_by_key(|e| std::cmp::Reverse(weight(e)));
    let mut firsts = Vec::new();
    let mut rest = Vec::new();
    for event in found {
        if firsts
            .iter()
            .any(|f: &&LogEvent| f.signature == event.signature)
        {
            rest.push(event);
        } else {
            firsts.push(event);
        }
    }
    firsts.extend(rest);
    firsts
}

/// The summed weight `events` give `cause`.
pub fn weight(events: &[&LogEvent], cause: &str) -> u32 {
    events
        .iter()
        .flat_map(|e| &e.causes)
        .filter(|(c, _)| c == cause)
        .map(|(_, w)| u32::from(*w))
        .sum()
}

/// The events for `cause` when they are strong enough on their own.
pub fn strong_events<'a>(model: &'a StackModel, cause: &str) -> Vec<&'a LogEvent> {
    let found = events(model, cause);
    if weight(&found, cause) >= TRIAGE_THRESHOLD {
        found
    } else {
        Vec::new()
    }
}

/// `--config FILE` when the config is not the one ecspresso finds by itself.
pub fn config_flag(model: &StackModel, deployment: &EcspressoDeployment) -> String {
    let shown = crate::checks::support::shown(model, &deployment.config_file);
    let name = deployment
        .config_file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name == "ecspresso.yml" && !shown.contains('/') {
        String::new()
    } else {
        format!(" --config {shown}")
    }
}

/// An ecspresso command for the (first) deployment, with its `--config`.
fn ecspresso_step(model: &StackModel, message: &str, command: impl Fn(&str) -> String) -> FixStep {
    let flag = model
        .ecs
        .deployments
        .first()
        .map(|d| config_flag(model, d))
        .unwrap_or_default();
    FixStep::run(Message::new(message), command(&flag))
}

/// The check before deploying again, with the tool that wrote the
/// definitions: `ecspresso verify` and a dry run, `terraform plan`,
/// `cfn-lint`, or registering the JSON.
pub fn verify_step(model: &StackModel) -> FixStep {
    if let Some(step) = other_tool_step(model, false) {
        return step;
    }
    ecspresso_step(model, "common.ecs-verify", |flag| {
        format!("ecspresso verify{flag} && ecspresso deploy{flag} --dry-run")
    })
}

/// ` -chdir=DIR` for a Terraform module outside the folder diagnosed.
pub fn terraform_chdir(model: &StackModel, dir: &std::path::Path) -> String {
    let dir = crate::checks::support::shown(model, dir);
    if dir.is_empty() || dir == "." {
        String::new()
    } else {
        format!(" -chdir={dir}")
    }
}

/// For definitions that no ecspresso config names: the command of the tool
/// that wrote them (`deploy`: apply rather than check).
fn other_tool_step(model: &StackModel, deploy: bool) -> Option<FixStep> {
    let first = model.ecs.deployments.first()?;
    let file = crate::checks::support::shown(model, &first.config_file);
    let chdir = terraform_chdir(model, &first.dir);
    let (message, command) = match (first.source, deploy) {
        (DefinitionSource::Ecspresso, _) => return None,
        (DefinitionSource::DefinitionFile, _) => (
            "common.ecs-register",
            format!("aws ecs register-task-definition --cli-input-json file://{file}"),
        ),
        (DefinitionSource::Terraform, false) => (
            "common.ecs-terraform-plan",
            format!("terraform{chdir} validate && terraform{chdir} plan"),
        ),
        (DefinitionSource::Terraform, true) => {
            ("common.ecs-deploy", format!("terraform{chdir} apply"))
        }
        (DefinitionSource::CloudFormation, false) => {
            ("common.ecs-cfn-lint", format!("cfn-lint {file}"))
        }
        (DefinitionSource::CloudFormation, true) => (
            "common.ecs-deploy",
            format!("aws cloudformation deploy --template-file {file} --stack-name STACK"),
        ),
        (DefinitionSource::Cdk, false) => ("common.ecs-cdk-synth", "cdk synth".to_string()),
        (DefinitionSource::Cdk, true) => ("common.ecs-deploy", "cdk deploy".to_string()),
        (DefinitionSource::Copilot, deploy) => {
            let scope = first.copilot.as_ref();
            let name = scope.map_or("SERVICE", |c| c.workload.as_str());
            let env = scope
                .and_then(|c| c.environment.as_deref())
                .unwrap_or("ENV");
            if deploy {
                (
                    "common.ecs-deploy",
                    format!("copilot svc deploy --name {name} --env {env}"),
                )
            } else {
                (
                    "common.ecs-copilot-package",
                    format!("copilot svc package --name {name} --env {env}"),
                )
            }
        }
    };
    Some(FixStep::run(Message::new(message), command))
}

/// `ecspresso deploy` for the deployment; without an ecspresso project (the
/// output of copilot, CloudFormation or the GitHub Action alone), deploy again
/// with the tool that deployed.
pub fn deploy_step(model: &StackModel) -> FixStep {
    if model.ecs.deployments.is_empty() {
        return FixStep::say(Message::new("common.ecs-deploy-again"));
    }
    if let Some(step) = other_tool_step(model, true) {
        return step;
    }
    ecspresso_step(model, "common.ecs-deploy", |flag| {
        format!("ecspresso deploy{flag}")
    })
}

/// `aws ecs describe-tasks` for the service's stopped tasks, to see why they stopped.
pub fn describe_stopped_step(model: &StackModel) -> FixStep {
    let cluster = model
        .ecs
        .deployments
        .iter()
        .find_map(|d| d.cluster.as_ref().map(|c| c.value.clone()))
        .unwrap_or_else(|| "default".into());
    let service = subject(model).unwrap_or_else(|| "SERVICE".into());
    FixStep::run(
        Message::new("common.ecs-describe-stopped"),
        format!(
            "aws ecs describe-tasks --cluster {cluster} --tasks $(aws ecs list-tasks --cluster {cluster} --service-name {service} --desired-status STOPPED --query 'taskArns[0:5]' --output text) | stackdoctor diagnose --logs -"
        ),
    )
}

#[derive(Debug, Deserialize)]
struct FargateTable {
    size: Vec<FargateSize>,
}

#[derive(Debug, Deserialize)]
struct FargateSize {
    cpu: u32,
    #[serde(default)]
    memory: Vec<u32>,
    from: Option<u32>,
    to: Option<u32>,
    step: Option<u32>,
}

/// Valid Fargate task sizes: cpu units → allowed memory MiB.
pub fn fargate_sizes() -> &'static BTreeMap<u32, Vec<u32>> {
    static TABLE: OnceLock<BTreeMap<u32, Vec<u32>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table: FargateTable = toml::from_str(include_str!("../../../data/ecs/fargate.toml"))
            .expect("data/ecs/fargate.toml is valid (tested)");
        table
            .size
            .into_iter()
            .map(|s| {
                let mut memory = s.memory;
                if let (Some(from), Some(to), Some(step)) = (s.from, s.to, s.step) {
                    memory.extend((from..=to).step_by(step.max(1) as usize));
                }
                (s.cpu, memory)
            })
            .collect()
    })
}

/// Memory values for `cpu`, short: `1024, 2048` or `2048–8192 (step 1024)`.
pub fn memory_choices(memory: &[u32]) -> String {
    match memory {
        [first, second, .., last] if memory.len() > 4 => {
            format!("{first}–{last} (step {})", second - first)
        }
        _ => memory
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// A project on disk (`ecspresso.yml`, `ecs-task-def.json`,
/// `ecs-service-def.json`) and the model built from it, for check tests.
#[cfg(test)]
pub fn test_project(config: &str, task: &str, service: &str) -> (tempfile::TempDir, StackModel) {
    test_project_with_output(config, task, service, None)
}

/// As [`test_project`], with captured output (`deploy.log`) given as `--logs`.
#[cfg(test)]
pub fn test_project_with_output(
    config: &str,
    task: &str,
    service: &str,
    output: Option<&str>,
) -> (tempfile::TempDir, StackModel) {
    let mut files = vec![
        ("ecspresso.yml", config),
        ("ecs-task-def.json", task),
        ("ecs-service-def.json", service),
    ];
    let mut args: &[&str] = &[];
    if let Some(text) = output {
        files.push(("deploy.log", text));
        args = &["--logs", "deploy.log"];
    }
    crate::checks::support::test_tree_with(&files, args)
}

/// Checks that `run` finds nothing in a healthy ecspresso deployment
/// (`examples/ecs-slow-but-healthy` with its deploy output and status).
#[cfg(test)]
pub fn assert_quiet_on_a_healthy_deployment(
    run: impl Fn(&StackModel) -> Vec<crate::finding::Finding>,
) {
    crate::checks::support::assert_example_quiet(
        run,
        (
            "ecs-slow-but-healthy",
            &[
                "--envfile",
                "prod.env",
                "--logs",
                "logs/deploy.log",
                "--logs",
                "logs/status.txt",
            ],
        ),
        &[],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fargate_table_has_every_size_and_range() {
        let sizes = fargate_sizes();
        assert_eq!(sizes.len(), 7);
        assert_eq!(sizes[&256], vec![512, 1024, 2048]);
        assert_eq!(sizes[&1024].first(), Some(&2048));
        assert_eq!(sizes[&1024].last(), Some(&8192));
        assert_eq!(sizes[&1024].len(), 7);
        assert_eq!(sizes[&16384].last(), Some(&122880));
        assert_eq!(memory_choices(&sizes[&4096]), "8192–30720 (step 1024)");
        assert_eq!(memory_choices(&sizes[&256]), "512, 1024, 2048");
    }

    /// Two ecspresso configs in one tree: each finding is about its own service.
    #[test]
    fn findings_of_several_configs_name_their_own_service() {
        let root = tempfile::tempdir().unwrap();
        for (service, mode) in [("api", "bridge"), ("worker", "awsvpc")] {
            let dir = root.path().join("deploy").join(service);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("ecspresso.yml"),
                format!("region: ap-northeast-1\ncluster: prod\nservice: {service}\ntask_definition: td.json\n"),
            )
            .unwrap();
            std::fs::write(
                dir.join("td.json"),
                format!(
                    r#"{{"family": "{service}", "networkMode": "{mode}", "requiresCompatibilities": ["FARGATE"],
                        "cpu": "256", "memory": "4096", "containerDefinitions": [{{"name": "app", "image": "nginx"}}]}}"#
                ),
            )
            .unwrap();
        }
        let model = crate::sources::build_model(&crate::sources::Inputs {
            root: root.path().to_path_buf(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(model.ecs.deployments.len(), 2);
        let bridge = crate::checks::ecs::ecs_fargate_invalid_parameter::run(&model);
        assert_eq!(bridge.len(), 1);
        assert_eq!(bridge[0].subject.as_deref(), Some("api"));
        let sizes = crate::checks::ecs::ecs_invalid_cpu_memory::run(&model);
        let subjects: Vec<_> = sizes
            .iter()
            .map(|f| f.subject.clone().unwrap_or_default())
            .collect();
        assert_eq!(subjects, ["api", "worker"]);
    }
}
