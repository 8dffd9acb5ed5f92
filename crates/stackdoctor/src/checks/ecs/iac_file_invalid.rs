//! # iac-file-invalid
//!
//! **What it detects:** a Terraform file (`.tf`, `.tfvars`) or an ECS task
//! or service definition JSON of the project that cannot be read: HCL that
//! does not parse, a definition whose template cannot be rendered.
//!
//! **Why it breaks requests:** `terraform plan` (or `aws ecs
//! register-task-definition`) stops at the same place, so nothing in the
//! file is deployed; and stackdoctor cannot check the ECS, IAM and
//! instance settings it holds, so a "healthy" answer would say nothing.
//!
//! **Example:** `memory = ` with no value before the closing `}` of an
//! `aws_ecs_task_definition`.
//!
//! **Fix:** correct the line the error names, then `terraform validate`.

use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("iac-file-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    model
        .invalid_inputs
        .iter()
        .filter(|input| matches!(input.kind.as_str(), "terraform" | "ecs-definition"))
        .map(|input| {
            let file = input
                .origin
                .position()
                .map(|p| crate::checks::support::shown(model, &p.file))
                .unwrap_or_default();
            let finding = Finding::new(CAUSE)
                .param("file", &file)
                .param("message", &input.message)
                .evidence(
                    input.origin.clone(),
                    msg("error-here").with("message", &input.message),
                )
                .fix(FixStep::say(msg("correct-line")));
            if input.kind == "terraform" {
                let dir = input
                    .origin
                    .position()
                    .and_then(|p| p.file.parent().map(std::path::Path::to_path_buf))
                    .unwrap_or_default();
                finding.fix(FixStep::run(
                    msg("validate"),
                    format!(
                        "terraform{} validate",
                        super::support::terraform_chdir(model, &dir)
                    ),
                ))
            } else {
                finding
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tf_file_that_does_not_parse_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("infra")).unwrap();
        std::fs::write(
            root.join("infra/main.tf"),
            "resource \"aws_ecs_task_definition\" \"api\" {\n  memory = \n}\n",
        )
        .unwrap();
        let inputs = crate::sources::Inputs {
            root: root.clone(),
            ..Default::default()
        };
        let model = crate::sources::build_model(&inputs).unwrap();
        let findings = run(&model);
        assert_eq!(findings.len(), 1);
        let finding = &findings[0];
        let position = finding.evidence[0].origin.position().unwrap();
        assert!(position.file.ends_with("infra/main.tf"));
        assert_eq!(position.line, 2);
        let fixes = format!("{:?}", finding.fix);
        assert!(fixes.contains("terraform -chdir=infra validate"), "{fixes}");
    }
}
