//! # bedrock-invalid-model-id
//!
//! **What it detects:** a model identifier Bedrock will reject: an ID the
//! catalogue does not know but that is close to one it knows (a typo), a
//! profile whose geography prefix does not exist for the model or is not
//! offered from the client's region (`us.` called from ap-northeast-1), or an
//! ARN naming another region than the client's. An ID the catalogue does not
//! know and that is close to none is reported as a warning: it may be newer
//! than the catalogue.
//!
//! **Why it breaks requests:** Bedrock answers `ValidationException: The
//! provided model identifier is invalid.` and the app answers 500.
//!
//! **Example:** `anthropic.claude-3-hiaku-20240307-v1:0` (a typo of
//! `anthropic.claude-3-haiku-20240307-v1:0`).
//!
//! **Fix:** use the ID the finding suggests, or look it up with
//! `aws bedrock list-foundation-models` / `list-inference-profiles` in the
//! client's region.

use super::support::{model_verdicts, replace_model_step};
use crate::bedrock::Availability;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::StackModel;

cause!("bedrock-invalid-model-id");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for verdict in model_verdicts(model) {
        let (label, suggestion, severity) = match &verdict.availability {
            Availability::Unknown { nearest: Some(near), .. } => (msg("typo").with("nearest", near), Some(near.clone()), Severity::Error),
            Availability::Unknown { nearest: None, .. } => (msg("unknown").with("as_of", &model.aws.catalogue_as_of), None, Severity::Warning),
            Availability::ProfileNotFromRegion { profile, valid_source_regions, region_in_geography, use_instead, .. } => {
                let severity = if *region_in_geography { Severity::Warning } else { Severity::Error };
                (msg("profile-not-from-region").with("profile", profile).with("regions", valid_source_regions.join(", ")), use_instead.clone(), severity)
            }
            Availability::NoSuchProfile { profile, existing_geos, use_instead, .. } => {
                (msg("no-such-profile").with("profile", profile).with("geos", existing_geos.join(", ")), use_instead.clone(), Severity::Error)
            }
            Availability::ArnRegionMismatch { arn_region, region, .. } => {
                (msg("arn-region").with("arn_region", arn_region).with("region", region), None, Severity::Error)
            }
            _ => continue,
        };
        let mut finding = verdict.finding(model, CAUSE, label).severity(severity);
        finding = match &suggestion {
            Some(id) => finding.fix(replace_model_step(model, verdict.setting, id, msg("use-id").with("id", id))),
            None => finding.fix(FixStep::run(msg("look-up"), format!("aws bedrock list-inference-profiles --region {0} --query 'inferenceProfileSummaries[].inferenceProfileId' && aws bedrock list-foundation-models --region {0} --query 'modelSummaries[].modelId'", verdict.region))),
        };
        findings.push(verdict.close(model, finding, &format!("{} in {}", verdict.setting.id, verdict.region)));
    }
    findings
}
