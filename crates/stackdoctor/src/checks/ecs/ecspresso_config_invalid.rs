//! # ecspresso-config-invalid
//!
//! **What it detects:** what makes ecspresso itself fail or misread the
//! project before AWS is asked: a config or definition that does not parse,
//! keys that ECS or ecspresso do not know (`json: unknown field "x"`), files
//! the config names that do not exist, `must_env` of a variable that is not
//! set (`environment variable NAME is not defined`), template functions no
//! plugin provides, two `tfstate` plugins without `func_prefix`, an
//! unsupported config extension, a `required_version` that does not parse,
//! and a config without `cluster` (ecspresso then uses `default` and deploy
//! creates a second service there); with `--aws`, a `service`/`cluster` pair
//! ECS does not know (`MISSING`), which `deploy` would silently create.
//!
//! **Why it breaks requests:** every ecspresso command renders the config
//! and definitions first; one error stops `deploy`, `status` and `rollback`
//! alike, and a misspelled key silently drops a setting.
//!
//! **Example:** `image: "{{ must_env `IMAGE_TAG` }}"` while `IMAGE_TAG` is
//! set only in CI.
//!
//! **Fix:** correct the file at the position shown; set the variable (or
//! use `env` with a default, or `--envfile`); then check the rendered
//! result with `ecspresso render config taskdef servicedef`.

use super::support::{base, base_for};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecspresso-config-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Definitions no ecspresso config names are not ecspresso's to refuse.
    for deployment in model
        .ecs
        .deployments
        .iter()
        .filter(|d| d.source == crate::model::ecs::DefinitionSource::Ecspresso)
    {
        // A bare-number timeout is `ecs-deploy-timeout`'s. One finding per
        // problem and name (an unset variable used in five places is one).
        let problems = deployment
            .problems
            .iter()
            .filter(|p| p.blocking && p.kind != "bare-number-timeout")
            .map(|p| ((p.kind.clone(), p.name.clone()), p));
        for ((kind, name), same) in
            crate::checks::support::group_by(problems, |(key, _)| key.clone())
        {
            let problem = same[0].1;
            if kind == "unset-variable" {
                findings.push(unset_variable(
                    model,
                    deployment,
                    &name,
                    &same.iter().map(|(_, p)| *p).collect::<Vec<_>>(),
                ));
                continue;
            }
            let mut finding = base_for(model, deployment, CAUSE).param("problem", &problem.message);
            if matches!(kind.as_str(), "unknown-key" | "deprecated-key") {
                finding = super::support::as_risk(finding);
            }
            for (_, p) in same.iter().take(5) {
                finding = finding.evidence(
                    p.origin.clone(),
                    msg(&kind).with("name", &name).with("message", &p.message),
                );
            }
            finding = match kind.as_str() {
                "missing-file" => finding.fix(FixStep::say(msg("fix-path"))),
                _ => finding.fix(FixStep::say(msg("correct"))),
            };
            findings.push(finding.fix(FixStep::run(
                msg("render"),
                format!(
                    "ecspresso render config taskdef servicedef{}",
                    super::support::config_flag(model, deployment)
                ),
            )));
        }
        let cluster = deployment
            .cluster
            .as_ref()
            .map_or("default", |c| c.value.as_str());
        let service = deployment
            .service
            .as_ref()
            .map(|s| s.value.as_str())
            .unwrap_or("");
        let wanted = format!("{cluster}/{service}");
        if let Some(missing) = model
            .ecs
            .runtime
            .missing_services
            .iter()
            .find(|m| m.value == wanted)
        {
            let mut finding = base_for(model, deployment, CAUSE)
                .param(
                    "problem",
                    format!("no service {service} in cluster {cluster}"),
                )
                .evidence(
                    missing.origin.clone(),
                    msg("service-missing")
                        .with("service", service)
                        .with("cluster", cluster),
                );
            if let Some(s) = &deployment.service {
                finding = finding.evidence(
                    s.origin.clone(),
                    msg("service-here").with("service", service),
                );
            }
            if let Some(c) = &deployment.cluster {
                finding = finding.evidence(
                    c.origin.clone(),
                    msg("cluster-here").with("cluster", cluster),
                );
            }
            findings.push(finding.fix(FixStep::run(
                msg("list-services"),
                format!("aws ecs list-services --cluster {cluster}"),
            )));
        }
        if deployment.cluster.is_none() && deployment.problems.iter().all(|p| p.kind != "syntax") {
            findings.push(
                super::support::as_risk(base_for(model, deployment, CAUSE))
                    .param("problem", "cluster")
                    .evidence(
                        crate::model::Origin::file(&deployment.config_file, 1, 1, 0),
                        msg("no-cluster"),
                    )
                    .fix(FixStep::say(msg("set-cluster"))),
            );
        }
    }
    // ecspresso's own words in its output (`service api is not found`).
    if findings
        .iter()
        .all(|f| f.severity != crate::finding::Severity::Error)
    {
        let lines = super::support::strong_events(model, CAUSE);
        if let Some(first) = lines.first() {
            findings.push(
                base(model, CAUSE)
                    .param(
                        "problem",
                        first
                            .message
                            .split_once("FAILED. ")
                            .map_or(first.message.as_str(), |(_, rest)| rest),
                    )
                    .log_lines(lines.iter().copied().take(2))
                    .fix(FixStep::say(msg("check-names"))),
            );
        }
    }
    findings
}

/// A `must_env` variable unset where stackdoctor runs. CI usually sets it at
/// deploy time, so on its own it is a note (checks read the placeholder);
/// only ecspresso's own output failing on the same variable makes it the
/// error that stopped the deploy.
fn unset_variable(
    model: &StackModel,
    deployment: &crate::model::ecs::EcspressoDeployment,
    name: &str,
    uses: &[&crate::model::ecs::ConfigProblem],
) -> Finding {
    let failure = format!("environment variable {name} is not defined");
    let seen: Vec<&crate::model::LogEvent> = model
        .log_events
        .iter()
        .filter(|e| e.text.contains(&failure))
        .take(2)
        .collect();
    let placeholder = ecspresso::placeholder("must_env", name);
    let mut finding = base_for(model, deployment, CAUSE);
    if seen.is_empty() {
        finding = super::support::as_note(finding)
            .param("title", "title-unset-here")
            .param("name", name)
            .param("problem", format!("`{name}` is not set here"));
    } else {
        finding = finding.param("problem", failure.clone());
    }
    for p in uses.iter().take(5) {
        let label = if seen.is_empty() {
            "unset-here"
        } else {
            "unset-variable"
        };
        finding = finding.evidence(
            p.origin.clone(),
            msg(label)
                .with("name", name)
                .with("placeholder", &placeholder)
                .with("message", &p.message),
        );
    }
    finding = finding.log_lines(seen.iter().copied());
    let config = super::support::config_flag(model, deployment);
    if seen.is_empty() {
        finding
            .fix(FixStep::run(
                msg("pass-variable").with("name", name),
                format!("stackdoctor diagnose --envfile <file with {name}=…>{config}   # or: export {name}=…"),
            ))
    } else {
        finding
            .fix(FixStep::run(
                msg("set-variable").with("name", name),
                format!("export {name}=…   # or add it to an --envfile file"),
            ))
            .fix(FixStep::run(
                msg("render"),
                format!("ecspresso render config taskdef servicedef{config}"),
            ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    const CONFIG: &str = "region: ap-northeast-1\ncluster: prod\nservice: api\ntask_definition: ecs-task-def.json\nservice_definition: ecs-service-def.json\n";
    const TASK: &str = r#"{"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "256", "memory": "512",
        "containerDefinitions": [{"name": "app", "image": "nginx:{{ must_env `STACKDOCTOR_TEST_UNSET_TAG` }}", "essential": true}]}"#;
    const SERVICE: &str = r#"{"launchType": "FARGATE", "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-0a1b2c3d4e5f60001"], "assignPublicIp": "ENABLED"}}}"#;

    /// Unset in the diagnosing shell: a note naming the placeholder and how to pass the value.
    #[test]
    fn an_unset_variable_alone_is_info() {
        let (_dir, model) = crate::checks::ecs::support::test_project(CONFIG, TASK, SERVICE);
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let finding = &findings[0];
        assert_eq!(finding.severity, Severity::Info);
        assert!(finding.setting);
        assert_eq!(
            finding.evidence[0].label.key,
            "ecspresso-config-invalid.unset-here"
        );
        assert_eq!(
            finding.evidence[0].label.params["placeholder"],
            "<unresolved:must_env:STACKDOCTOR_TEST_UNSET_TAG>"
        );
        assert!(finding.fix[0]
            .command
            .as_deref()
            .unwrap()
            .contains("--envfile"));
    }

    /// ecspresso's own output failing on the same variable makes it the error.
    #[test]
    fn ecspresso_failing_on_the_variable_makes_it_an_error() {
        let output = "2026/11/20 10:15:02 api/prod Starting deploy\n2026/11/20 10:15:02 api/prod [ERROR] FAILED. failed to load task definition ecs-task-def.json: template attach failed: template: conf:3:51: executing \"conf\" at <must_env `STACKDOCTOR_TEST_UNSET_TAG`>: error calling must_env: environment variable STACKDOCTOR_TEST_UNSET_TAG is not defined\n";
        let (_dir, model) = crate::checks::ecs::support::test_project_with_output(
            CONFIG,
            TASK,
            SERVICE,
            Some(output),
        );
        let findings = run(&model);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Error);
        assert!(!findings[0].setting);
        assert_eq!(findings[0].subject.as_deref(), Some("api"));
        assert!(findings[0]
            .evidence
            .iter()
            .any(|e| e.label.key == "common.log-line"));
        // Another variable failing is not this one's evidence.
        let other = output.replace("STACKDOCTOR_TEST_UNSET_TAG is", "OTHER_TAG is");
        let (_dir, model) = crate::checks::ecs::support::test_project_with_output(
            CONFIG,
            TASK,
            SERVICE,
            Some(&other),
        );
        let unset: Vec<_> = run(&model).into_iter().filter(|f| f.setting).collect();
        assert_eq!(unset.len(), 1);
        assert_eq!(unset[0].severity, Severity::Info);
    }
}
