//! # ecspresso-unresolved-value
//!
//! **What it detects:** values of the ecspresso project that only AWS can
//! give: `{{ tfstate … }}` on a state in S3 (or an address the local state
//! lacks), `{{ ssm … }}`, `{{ secretsmanager_arn … }}`, `cfn_output`,
//! `cfn_export`; in Terraform, resource attributes, data sources and module
//! outputs (`aws_iam_role.exec.arn`); in CloudFormation, `!GetAtt`, `!Ref`
//! to a resource, `!ImportValue` and parameters without a default.
//! stackdoctor keeps them as
//! `<unresolved:…>` placeholders and says which checks could not use them.
//!
//! **Why it breaks requests:** it does not by itself; but a value that
//! cannot be read offline cannot be checked offline (a subnet, a role ARN,
//! an image tag), and when AWS cannot resolve it either, every ecspresso
//! command fails with the plugin's error (`failed to read tfstate from
//! s3://…`).
//!
//! **Example:** `"subnets": ["{{ tfstate `aws_subnet.private-a.id` }}"]`
//! with `plugins: [{name: tfstate, config: {url: s3://…}}]`.
//!
//! **Fix:** nothing to change when `ecspresso render` resolves them; to
//! check them offline too, give stackdoctor a local copy of the state
//! (`terraform state pull > terraform.tfstate` and a `path:` plugin) or run
//! with `--aws`.

use super::support::base_for;
use crate::finding::{Finding, FixStep, Message, Severity};
use crate::model::ecs::DefinitionSource;
use crate::model::StackModel;

cause!("ecspresso-unresolved-value");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for deployment in &model.ecs.deployments {
        let unresolved: Vec<_> = deployment
            .problems
            .iter()
            .filter(|p| p.kind == "unresolved")
            .collect();
        if unresolved.is_empty() {
            continue;
        }
        let mut finding = base_for(model, deployment, CAUSE)
            .severity(Severity::Info)
            .param("count", unresolved.len().to_string());
        for problem in unresolved.iter().take(5) {
            finding = finding.evidence(
                problem.origin.clone(),
                msg("value").with("name", &problem.name),
            );
        }
        let step = match deployment.source {
            DefinitionSource::Terraform => FixStep::run(
                Message::of(CAUSE, "plan"),
                format!(
                    "terraform{} plan",
                    super::support::terraform_chdir(model, &deployment.dir)
                ),
            ),
            DefinitionSource::CloudFormation => FixStep::run(
                Message::of(CAUSE, "cfn"),
                "aws cloudformation describe-stacks --stack-name STACK --query 'Stacks[0].Parameters' && aws cloudformation list-exports".to_string(),
            ),
            _ => FixStep::run(
                Message::of(CAUSE, "render"),
                format!(
                    "ecspresso render config taskdef servicedef{}",
                    super::support::config_flag(model, deployment)
                ),
            ),
        };
        findings.push(finding.fix(step));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_reference_read_offline_is_reported_with_terraform_plan() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("ecs-terraform-invalid-cpu-memory", &[]),
            "main.tf:7",
            &["terraform plan"],
        );
    }

    #[test]
    fn a_literal_value_is_quiet() {
        assert_example_quiet(
            super::run,
            ("ecs-terraform-invalid-cpu-memory", &[]),
            &[(
                "main.tf",
                "aws_iam_role.execution.arn",
                "\"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\"",
            )],
        );
    }
}
