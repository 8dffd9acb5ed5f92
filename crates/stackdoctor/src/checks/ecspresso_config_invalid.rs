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
//! creates a second service there).
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

use super::ecs_support::base;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::StackModel;

cause!("ecspresso-config-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        // A bare-number timeout is `ecs-deploy-timeout`'s.
        for problem in deployment.problems.iter().filter(|p| p.blocking && p.kind != "bare-number-timeout") {
            let severity = match problem.kind.as_str() {
                "unknown-key" => Severity::Warning,
                _ => Severity::Error,
            };
            let mut finding = base(model, CAUSE)
                .severity(severity)
                .param("problem", &problem.message)
                .evidence(problem.origin.clone(), msg(&problem.kind).with("name", &problem.name).with("message", &problem.message));
            finding = match problem.kind.as_str() {
                "unset-variable" => finding
                    .fix(FixStep::run(msg("set-variable").with("name", &problem.name), format!("export {}=…   # or add it to an --envfile file", problem.name))),
                "missing-file" => finding.fix(FixStep::say(msg("fix-path"))),
                _ => finding.fix(FixStep::say(msg("correct"))),
            };
            findings.push(finding.fix(FixStep::run(
                msg("render"),
                format!("ecspresso render config taskdef servicedef{}", super::ecs_support::config_flag(model, deployment)),
            )));
        }
        if deployment.cluster.is_none() && deployment.problems.iter().all(|p| p.kind != "syntax") {
            findings.push(
                base(model, CAUSE)
                    .severity(Severity::Warning)
                    .param("problem", "cluster")
                    .evidence(crate::model::Origin::file(&deployment.config_file, 1, 1, 0), msg("no-cluster"))
                    .fix(FixStep::say(msg("set-cluster"))),
            );
        }
    }
    findings
}
