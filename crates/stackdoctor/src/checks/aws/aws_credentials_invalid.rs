//! # aws-credentials-invalid
//!
//! **What it detects:** a service passes AWS keys that cannot work as
//! written: a temporary key (`ASIA…`) without `AWS_SESSION_TOKEN`, only one
//! of `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, a key ID or secret
//! that is not shaped like one (placeholders, quotes, spaces); or the
//! service logs AWS rejecting its keys (`The security token included in the
//! request is invalid`, `… is expired`, `The request signature we
//! calculated does not match`, `Signature expired`). Keys forwarded from
//! the shell that runs compose (`- AWS_ACCESS_KEY_ID`, `${AWS_ACCESS_KEY_ID}`)
//! without `AWS_SESSION_TOKEN` are a warning: their value is only known when
//! compose runs, and SSO or assume-role keys are temporary. Values are
//! checked, never shown.
//!
//! **Why it breaks requests:** AWS answers 403 `UnrecognizedClientException`,
//! `ExpiredTokenException` or `InvalidSignatureException` to every call,
//! and the app answers 500.
//!
//! **Example:** `aws.env` copied from `aws configure export-credentials`
//! without its `AWS_SESSION_TOKEN` line.
//!
//! **Fix:** pass a complete, current set of keys (with the session token
//! for `ASIA…` keys), or better, no keys at all: use the instance or task
//! role; then recreate the container and check with
//! `aws sts get-caller-identity` from inside it.

use super::support::{aws_log_events, aws_subjects};
use crate::checks::support::recreate_service_step;
use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("aws-credentials-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for subject in aws_subjects(model) {
        let defects: Vec<_> = model
            .aws
            .credentials_of(&subject.name)
            .map(|c| {
                c.view
                    .defects
                    .iter()
                    .filter(|d| {
                        !matches!(
                            d.problem.as_str(),
                            "profile-without-files" | "profile-not-in-files"
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let logs = aws_log_events(model, &subject.name, CAUSE);
        // `--aws`: a clock more than 5 minutes off makes AWS refuse every signature.
        let skew = model
            .aws
            .api
            .as_ref()
            .and_then(|a| a.clock_skew_seconds)
            .filter(|s| s.abs() > 300);
        if defects.is_empty() && logs.weight < 60 && skew.is_none() {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&subject.name)
            .param("service", &subject.name);
        // Keys that may be temporary are a risk, not a certainty.
        let only_risks = skew.is_none()
            && logs.weight < 60
            && defects
                .iter()
                .all(|d| d.problem == "forwarded-keys-without-session-token");
        if only_risks {
            finding = finding.severity(crate::finding::Severity::Warning);
        }
        if let Some(seconds) = skew {
            finding = finding.evidence(
                crate::model::Origin::Probe {
                    probe: "sts:GetCallerIdentity Date header".into(),
                },
                msg("clock-skew").with("seconds", seconds.to_string()),
            );
        }
        for defect in &defects {
            finding = finding.evidence(
                defect.origin.clone(),
                msg(&defect.problem).with("variable", &defect.variable),
            );
        }
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        for defect in &defects {
            finding = finding.fix(FixStep::say(
                msg(&format!("fix-{}", defect.problem)).with("variable", &defect.variable),
            ));
        }
        finding = finding.fix(FixStep::run(msg("verify"), "aws sts get-caller-identity"));
        if let Some(id) = subject.service {
            finding = finding.fix(recreate_service_step(model, id));
        }
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_temporary_key_without_its_session_token_is_reported() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("aws-temporary-key", &[]),
            "aws.env:2",
            &[
                "fix-temporary-key-without-session-token",
                "aws sts get-caller-identity",
                "--force-recreate api",
            ],
        );
    }

    #[test]
    fn a_long_term_key_pair_is_quiet() {
        assert_example_quiet(
            super::run,
            ("aws-temporary-key", &[]),
            &[(
                "aws.env",
                "AWS_ACCESS_KEY_ID=ASIAZ7PLANTEDTEMP002",
                "AWS_ACCESS_KEY_ID=AKIAZ7PLANTEDLONG002",
            )],
        );
    }
}
