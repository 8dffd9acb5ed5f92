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
//! Model IDs are checked wherever they are written (code, a gateway's
//! `config.yaml`, a notebook, an env file's list), also when no client or
//! region is found: then only what holds in every region is said (an ID no
//! region knows, a profile prefix the model never has). A log line that names
//! an ID (`Invocation of model ID …`, a `/model/<id>/invoke` URL) is checked too.
//!
//! **Fix:** use the ID the finding suggests, or look it up with
//! `aws bedrock list-foundation-models` / `list-inference-profiles` in the
//! client's region.

use super::support::replace_model_step;
use crate::checks::aws::support::{aws_log_events, aws_subjects};
use crate::checks::Facts;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::StackModel;
use bedrock::Availability;

cause!("bedrock-invalid-model-id");

/// An ID the catalogue does not know: a typo of the nearest known one (an
/// error), or possibly newer than the catalogue (a warning, message `key`).
fn unknown(
    model: &StackModel,
    nearest: &Option<String>,
    key: &str,
) -> (crate::finding::Message, Option<String>, Severity) {
    match nearest {
        Some(near) => (
            msg("typo").with("nearest", near),
            Some(near.clone()),
            Severity::Error,
        ),
        None => (
            msg(key).with("as_of", model.aws.catalogue_as_of()),
            None,
            Severity::Warning,
        ),
    }
}

pub fn run(facts: &Facts) -> Vec<Finding> {
    let model = facts.model;
    let mut findings = Vec::new();
    for verdict in facts.model_verdicts() {
        let (label, suggestion, severity) = match &verdict.availability {
            Availability::Unknown { nearest, .. } => unknown(model, nearest, "unknown"),
            Availability::ProfileNotFromRegion {
                profile,
                valid_source_regions,
                region_in_geography,
                use_instead,
                ..
            } => {
                let severity = if *region_in_geography {
                    Severity::Warning
                } else {
                    Severity::Error
                };
                (
                    msg("profile-not-from-region")
                        .with("profile", profile)
                        .with("regions", valid_source_regions.join(", ")),
                    use_instead.clone(),
                    severity,
                )
            }
            Availability::NoSuchProfile {
                profile,
                existing_geos,
                use_instead,
                ..
            } => (
                msg("no-such-profile")
                    .with("profile", profile)
                    .with("geos", existing_geos.join(", ")),
                use_instead.clone(),
                Severity::Error,
            ),
            Availability::ArnRegionMismatch {
                arn_region, region, ..
            } => (
                msg("arn-region")
                    .with("arn_region", arn_region)
                    .with("region", region),
                None,
                Severity::Error,
            ),
            _ => continue,
        };
        let mut finding = verdict.finding(model, CAUSE, label).severity(severity);
        finding = match &suggestion {
            Some(id) => finding.fix(replace_model_step(model, verdict.setting, id, msg("use-id").with("id", id))),
            None => finding.fix(FixStep::run(msg("look-up"), format!("aws bedrock list-inference-profiles --region {0} --query 'inferenceProfileSummaries[].inferenceProfileId' && aws bedrock list-foundation-models --region {0} --query 'modelSummaries[].modelId'", verdict.region))),
        };
        findings.push(verdict.close(
            model,
            finding,
            &format!("{} in {}", verdict.setting.id, verdict.region),
        ));
    }
    for verdict in facts.regionless_verdicts() {
        let (label, suggestion, severity) = match &verdict.availability {
            Availability::Unknown { nearest, .. } => unknown(model, nearest, "unknown-anywhere"),
            Availability::NoSuchProfile {
                profile,
                existing_geos,
                ..
            } => (
                msg("no-such-profile")
                    .with("profile", profile)
                    .with("geos", existing_geos.join(", ")),
                None,
                Severity::Error,
            ),
            _ => continue,
        };
        let mut finding = verdict.finding(model, CAUSE, label).severity(severity);
        finding = match &suggestion {
            Some(id) => finding.fix(replace_model_step(model, verdict.setting, id, msg("use-id").with("id", id))),
            None => finding.fix(FixStep::run(msg("look-up-anywhere"), "aws bedrock list-inference-profiles --region <region> --query 'inferenceProfileSummaries[].inferenceProfileId' && aws bedrock list-foundation-models --region <region> --query 'modelSummaries[].modelId'")),
        };
        findings.push(verdict.close(model, finding, &verdict.setting.id));
    }
    // Log lines of a caller whose model no file shows: the lines are the
    // evidence, and a model ID they name is checked against the catalogue.
    let reported: Vec<String> = findings.iter().filter_map(|f| f.subject.clone()).collect();
    for subject in aws_subjects(model) {
        let has_models = model
            .aws
            .clients
            .iter()
            .any(|c| c.name == subject.name && !c.models.is_empty());
        if reported.contains(&subject.name) || has_models {
            continue;
        }
        let logs = aws_log_events(model, &subject.name, CAUSE);
        if logs.events.is_empty() {
            continue;
        }
        let named = logs.events.iter().find_map(|e| {
            ids_in_log_line(&e.text)
                .into_iter()
                .filter_map(|id| bedrock::ModelRef::parse(&id))
                .find_map(|r| match model.aws.catalogue().availability_anywhere(&r) {
                    Availability::Unknown {
                        id,
                        nearest: Some(near),
                    } => Some((*e, id, near)),
                    _ => None,
                })
        });
        let mut finding = Finding::new(CAUSE)
            .subject(&subject.name)
            .param("region", "?");
        match &named {
            Some((event, id, near)) => {
                finding = finding
                    .param("model", id)
                    .evidence(
                        event.origin.clone(),
                        msg("typo-in-log").with("model", id).with("nearest", near),
                    )
                    .fix(FixStep::say(
                        msg("use-id-where-set").with("id", near).with("model", id),
                    ));
            }
            None => {
                finding = finding.param("model", "?").fix(FixStep::run(
                    msg("look-up-anywhere"),
                    "aws bedrock list-inference-profiles --region <region> --query 'inferenceProfileSummaries[].inferenceProfileId' && aws bedrock list-foundation-models --region <region> --query 'modelSummaries[].modelId'",
                ));
            }
        }
        findings.push(finding.log_lines(logs.events.iter().copied().take(3)));
    }
    findings
}

/// Model IDs a log line names: in the text, and in runtime URLs
/// (`…/model/anthropic.claude-…%3A0/invoke`, percent-encoded).
fn ids_in_log_line(text: &str) -> Vec<String> {
    let decoded = bedrock::ids::percent_decode(text);
    let mut ids = bedrock::ids::model_ids_in(&decoded);
    for (at, _) in decoded.match_indices("/model/") {
        let rest = &decoded[at + "/model/".len()..];
        // An ARN in the URL keeps its `/`: take up to the operation.
        let end = ["/invoke", "/converse"]
            .iter()
            .filter_map(|op| rest.find(op))
            .min()
            .unwrap_or_else(|| {
                rest.find(|c: char| c.is_whitespace() || matches!(c, '>' | '"' | '\''))
                    .unwrap_or(rest.len())
            });
        let id = &rest[..end];
        if bedrock::ModelRef::parse(id).is_some() && !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::ids_in_log_line;

    #[test]
    fn runtime_urls_in_log_lines_name_their_model() {
        let line = "DEBUG Sending http request: <AWSPreparedRequest method=POST, url=https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-hiaku-20240307-v1%3A0/invoke-with-response-stream>";
        assert_eq!(
            ids_in_log_line(line),
            ["anthropic.claude-3-hiaku-20240307-v1:0"]
        );
        let arn = "url=https://bedrock-runtime.ap-northeast-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aap-northeast-1%3A123456789012%3Ainference-profile%2Fapac.anthropic.claude-3-sonnet-20240229-v1%3A0/converse";
        assert_eq!(
            ids_in_log_line(arn),
            ["arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/apac.anthropic.claude-3-sonnet-20240229-v1:0"]
        );
        assert!(ids_in_log_line("The provided model identifier is invalid.").is_empty());
    }

    #[test]
    fn a_misspelt_model_id_is_shown_where_the_code_writes_it() {
        let run = |model: &crate::model::StackModel| super::run(&crate::checks::Facts::new(model));
        crate::checks::support::assert_example_finding(
            run,
            super::CAUSE,
            ("bedrock-invalid-model-id", &[]),
            "app/triage.py:14",
            &["MODEL = \"anthropic.claude-3-haiku-20240307-v1:0\""],
        );
        crate::checks::support::assert_example_quiet(run, ("bedrock-ui-fixed", &[]), &[]);
    }
}
