//! # bedrock-inference-profile-required
//!
//! **What it detects:** the app calls a model by its base ID
//! (`anthropic.claude-sonnet-4-5-20250929-v1:0`) from a region where the
//! model has no on-demand throughput, only system inference profiles
//! (`jp.`, `apac.`, `global.` …), according to the model catalogue (dated;
//! `--bedrock-models` extends it).
//!
//! **Why it breaks requests:** Bedrock answers `ValidationException:
//! Invocation of model ID … with on-demand throughput isn’t supported.
//! Retry your request with the ID or ARN of an inference profile that
//! contains this model.`, and the app answers 500.
//!
//! **Example:** `modelId = "anthropic.claude-sonnet-4-5-20250929-v1:0"`
//! with `AWS_REGION=ap-northeast-1`.
//!
//! **Fix:** call the profile ID the region offers (the smallest geography
//! first: `jp.anthropic.claude-sonnet-4-5-20250929-v1:0`), and let the
//! role invoke the profile ARN and the model in every destination region.

use super::support::replace_model_step;
use crate::checks::Facts;
use crate::finding::{Finding, FixStep};
use bedrock::Availability;

cause!("bedrock-inference-profile-required");

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let mut findings = Vec::new();
    for verdict in facts.model_verdicts() {
        let Availability::NeedsProfile {
            profile_id,
            alternatives,
            ..
        } = &verdict.availability
        else {
            continue;
        };
        let label = msg("base-id").with("as_of", model.aws.catalogue_as_of());
        let mut finding = verdict.finding(model, CAUSE, label);
        finding = finding.fix(replace_model_step(
            model,
            verdict.setting,
            profile_id,
            msg("use-profile").with("profile", profile_id),
        ));
        if !alternatives.is_empty() {
            finding = finding.fix(FixStep::say(
                msg("alternatives").with("profiles", alternatives.join(", ")),
            ));
        }
        finding = finding.fix(FixStep::say(msg("iam-for-profile")));
        findings.push(verdict.close(
            model,
            finding,
            &format!("on-demand {} in {}", verdict.setting.id, verdict.region),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};
    use crate::checks::Facts;

    #[test]
    fn a_bare_model_id_needing_a_profile_is_given_the_regional_profile() {
        assert_example_finding(
            |model| super::run(&Facts::new(model)),
            super::CAUSE,
            ("bedrock-profile-required", &[]),
            "src/server.ts:9",
            &[
                "\"jp.anthropic.claude-sonnet-4-5-20250929-v1:0\"",
                "--force-recreate api",
            ],
        );
    }

    #[test]
    fn the_profile_id_is_quiet() {
        assert_example_quiet(
            |model| super::run(&Facts::new(model)),
            ("bedrock-profile-required", &[]),
            &[(
                "src/server.ts",
                "\"anthropic.claude-sonnet-4-5",
                "\"jp.anthropic.claude-sonnet-4-5",
            )],
        );
    }
}
