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

use super::ecs_support::{base, base_for};
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("ecspresso-config-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        // A bare-number timeout is `ecs-deploy-timeout`'s. One finding per
        // problem and name (an unset variable used in five places is one).
        let problems = deployment
            .problems
            .iter()
            .filter(|p| p.blocking && p.kind != "bare-number-timeout")
            .map(|p| ((p.kind.clone(), p.name.clone()), p));
        for ((kind, name), same) in super::support::group_by(problems, |(key, _)| key.clone()) {
            let problem = same[0].1;
            let mut finding = base_for(model, deployment, CAUSE).param("problem", &problem.message);
            if matches!(kind.as_str(), "unknown-key" | "deprecated-key") {
                finding = super::ecs_support::as_risk(finding);
            }
            for (_, p) in same.iter().take(5) {
                finding = finding.evidence(
                    p.origin.clone(),
                    msg(&kind).with("name", &name).with("message", &p.message),
                );
            }
            finding = match kind.as_str() {
                "unset-variable" => finding.fix(FixStep::run(
                    msg("set-variable").with("name", &name),
                    format!("export {name}=…   # or add it to an --envfile file"),
                )),
                "missing-file" => finding.fix(FixStep::say(msg("fix-path"))),
                _ => finding.fix(FixStep::say(msg("correct"))),
            };
            findings.push(finding.fix(FixStep::run(
                msg("render"),
                format!(
                    "ecspresso render config taskdef servicedef{}",
                    super::ecs_support::config_flag(model, deployment)
                ),
            )));
        }
        let cluster = deployment.cluster.as_ref().map_or("default", |c| c.value.as_str());
        let service = deployment.service.as_ref().map(|s| s.value.as_str()).unwrap_or("");
        let wanted = format!("{cluster}/{service}");
        if let Some(missing) = model.ecs.runtime.missing_services.iter().find(|m| m.value == wanted) {
            let mut finding = base_for(model, deployment, CAUSE)
                .param("problem", format!("no service {service} in cluster {cluster}"))
                .evidence(missing.origin.clone(), msg("service-missing").with("service", service).with("cluster", cluster));
            if let Some(s) = &deployment.service {
                finding = finding.evidence(s.origin.clone(), msg("service-here").with("service", service));
            }
            if let Some(c) = &deployment.cluster {
                finding = finding.evidence(c.origin.clone(), msg("cluster-here").with("cluster", cluster));
            }
            findings.push(finding.fix(FixStep::run(msg("list-services"), format!("aws ecs list-services --cluster {cluster}"))));
        }
        if deployment.cluster.is_none() && deployment.problems.iter().all(|p| p.kind != "syntax") {
            findings.push(
                super::ecs_support::as_risk(base_for(model, deployment, CAUSE))
                    .param("problem", "cluster")
                    .evidence(crate::model::Origin::file(&deployment.config_file, 1, 1, 0), msg("no-cluster"))
                    .fix(FixStep::say(msg("set-cluster"))),
            );
        }
    }
    // ecspresso's own words in its output (`service api is not found`).
    if findings.iter().all(|f| f.severity != crate::finding::Severity::Error) {
        let lines = super::ecs_support::strong_events(model, CAUSE);
        if let Some(first) = lines.first() {
            findings.push(
                base(model, CAUSE)
                    .param(
                        "problem",
                        first.message.split_once("FAILED. ").map_or(first.message.as_str(), |(_, rest)| rest),
                    )
                    .log_lines(lines.iter().copied().take(2))
                    .fix(FixStep::say(msg("check-names"))),
            );
        }
    }
    findings
}
