//! # bedrock-model-end-of-life
//!
//! **What it detects:** the app calls a model that has reached its end of
//! life (error), or is Legacy (warning), on the day of the diagnosis,
//! according to the lifecycle dates of the model catalogue.
//!
//! The lifecycle holds in every region, so IDs found without a client or
//! region (a gateway's config, an env file's list) are checked too.
//!
//! **Why it breaks requests:** after the EOL date Bedrock answers
//! `ResourceNotFoundException: This model version has reached the end of
//! its life.`; Legacy models are refused to accounts that have not used
//! them recently (`… marked by provider as Legacy …`).
//!
//! **Example:** `anthropic.claude-3-sonnet-20240229-v1:0` (Legacy from
//! 2026-01-30, end of life 2026-07-30).
//!
//! **Fix:** move to an active model of the same family (check the Bedrock
//! console's model catalogue or `aws bedrock list-foundation-models
//! --by-output-modality TEXT`), and update the IAM policy's model ARNs.

use super::support::bedrock_path;
use crate::checks::aws::support::aws_log_events;
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, HopState, Severity};
use bedrock::LifecycleStatus;

cause!("bedrock-model-end-of-life");

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let mut findings = Vec::new();
    let mut seen = Vec::new();
    // Lifecycle does not depend on the region: IDs with no known region count too.
    for verdict in facts
        .model_verdicts()
        .iter()
        .chain(facts.regionless_verdicts())
    {
        let Some(lifecycle) = verdict.availability.lifecycle() else {
            continue;
        };
        let status = lifecycle.status_on(&model.aws.today);
        let severity = match status {
            LifecycleStatus::Eol => Severity::Error,
            LifecycleStatus::Legacy => Severity::Warning,
            _ => continue,
        };
        let client = verdict.client;
        if seen.contains(&(client.name.clone(), verdict.setting.id.clone())) {
            continue;
        }
        seen.push((client.name.clone(), verdict.setting.id.clone()));
        let label = match status {
            LifecycleStatus::Eol => {
                msg("eol").with("date", lifecycle.eol.as_deref().unwrap_or("?"))
            }
            _ => msg("legacy")
                .with("date", lifecycle.legacy.as_deref().unwrap_or("?"))
                .with("eol", lifecycle.eol.as_deref().unwrap_or("?")),
        };
        let logs = aws_log_events(model, &client.name, "bedrock-invalid-model-id");
        let mut finding = Finding::new(CAUSE)
            .subject(&client.name)
            .severity(severity)
            .param("model", &verdict.setting.id)
            .evidence(
                verdict.setting.origin.clone(),
                label
                    .with("model", &verdict.setting.id)
                    .with("today", &model.aws.today)
                    .with("source", lifecycle.source.as_deref().unwrap_or("-")),
            );
        finding = finding.log_lines(
            logs.events
                .iter()
                .copied()
                .filter(|e| e.signature.contains("end-of-life") || e.signature.contains("legacy"))
                .take(3),
        );
        finding = finding.fix(FixStep::run(msg("choose-active"), format!("aws bedrock list-foundation-models --region {} --query \"modelSummaries[?modelLifecycle.status=='ACTIVE'].modelId\"", if verdict.region.is_empty() { "<region>" } else { &verdict.region })));
        let path = bedrock_path(model, client, Some((&verdict.setting.id, HopState::Broken)));
        findings.push(finding.path(path));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};
    use crate::checks::Facts;

    #[test]
    fn a_model_past_its_end_of_life_is_told_to_choose_an_active_one() {
        assert_example_finding(
            |model| super::run(&Facts::new(model)),
            super::CAUSE,
            ("bedrock-marketplace", &["--logs", "logs/backend.log"]),
            "app/app.py:11",
            &["--region us-west-2", "ACTIVE"],
        );
    }

    #[test]
    fn an_active_model_is_quiet() {
        assert_example_quiet(
            |model| super::run(&Facts::new(model)),
            ("bedrock-marketplace", &[]),
            &[(
                "app/app.py",
                "us.anthropic.claude-opus-4-1-20250805-v1:0",
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            )],
        );
    }
}
