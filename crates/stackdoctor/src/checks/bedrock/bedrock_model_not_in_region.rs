//! # bedrock-model-not-in-region
//!
//! **What it detects:** the app calls a model that the client's region
//! offers neither on demand nor through an inference profile, according to
//! the model catalogue (dated; `--bedrock-models` extends it).
//!
//! **Why it breaks requests:** Bedrock answers `ValidationException: The
//! provided model identifier is invalid.` (or `ResourceNotFoundException`),
//! and the app answers 500.
//!
//! **Example:** `cohere.command-r-v1:0` (us-east-1 and us-west-2 only) called
//! with `AWS_REGION=ap-northeast-1`.
//!
//! **Fix:** call the model in a region that offers it (the finding lists
//! them), or choose a model the region offers.

use crate::checks::Facts;
use crate::finding::{Finding, FixStep};
use bedrock::Availability;

cause!("bedrock-model-not-in-region");

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let mut findings = Vec::new();
    for verdict in facts.model_verdicts() {
        let Availability::NotInRegion {
            offered_in,
            profile_from,
            ..
        } = &verdict.availability
        else {
            continue;
        };
        let offered = if offered_in.is_empty() {
            "-".to_string()
        } else {
            offered_in.join(", ")
        };
        let profiles = if profile_from.is_empty() {
            "-".to_string()
        } else {
            profile_from.join(", ")
        };
        let mut finding = verdict.finding(
            model,
            CAUSE,
            msg("not-offered").with("as_of", model.aws.catalogue_as_of()),
        );
        if let Some(step) = verdict.client.region.decided() {
            finding = finding.evidence(
                step.origin.clone(),
                msg("region-set").with("region", &verdict.region),
            );
        }
        finding = finding
            .fix(FixStep::say(msg("where").with("offered", &offered).with("profiles", &profiles)))
            .fix(FixStep::run(msg("list"), format!("aws bedrock list-foundation-models --region {} --query 'modelSummaries[].modelId'", verdict.region)));
        findings.push(verdict.close(
            model,
            finding,
            &format!("{} in {}", verdict.setting.id, verdict.region),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};
    use crate::checks::Facts;

    #[test]
    fn a_model_missing_from_the_region_is_reported_with_the_listing_command() {
        assert_example_finding(
            |model| super::run(&Facts::new(model)),
            super::CAUSE,
            ("bedrock-not-in-region", &[]),
            "main.go:16",
            &[
                "list-foundation-models --region ap-northeast-1",
                "--force-recreate summarizer",
            ],
        );
    }

    #[test]
    fn the_model_in_a_region_that_has_it_is_quiet() {
        assert_example_quiet(
            |model| super::run(&Facts::new(model)),
            ("bedrock-not-in-region", &[]),
            &[(
                "docker-compose.yml",
                "AWS_REGION=ap-northeast-1",
                "AWS_REGION=us-east-1",
            )],
        );
    }
}
