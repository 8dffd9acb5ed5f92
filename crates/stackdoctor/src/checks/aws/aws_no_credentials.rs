//! # aws-no-credentials
//!
//! **What it detects:** a service that calls AWS gets no credentials: keys
//! sit in the project's `.env` (which compose reads for `${…}` only and
//! never passes to containers) or under names no SDK reads
//! (`AWS_ACCESS_KEY`, `AWS_SECRET_KEY`); `AWS_PROFILE` is set but no
//! `~/.aws` is mounted, or the mounted `~/.aws` has no profile the
//! variables select (`default` when `AWS_PROFILE` is unset); names that look
//! like AWS settings are only reported after checking that the app's own
//! code and the tools the service runs (LiteLLM's `AWS_REGION_NAME`,
//! LibreChat's `BEDROCK_AWS_*`) do not read them;
//! `AWS_EC2_METADATA_DISABLED=true` turns off the
//! instance role; the live probe finds no instance profile; or the service
//! logs `NoCredentialsError: Unable to locate credentials` (and its
//! JavaScript, Java, Go and Rust forms).
//!
//! **Why it breaks requests:** the app starts, but every call to Bedrock (or
//! any AWS API) raises, and the request that needed it answers 500.
//!
//! **Example:** `.env` holds `AWS_ACCESS_KEY_ID=…` and
//! `AWS_SECRET_ACCESS_KEY=…`, while the `backend` service lists neither in
//! `environment:` nor has `env_file: .env`.
//!
//! **Fix:** pass the keys into the container (`environment:
//! AWS_ACCESS_KEY_ID: ${AWS_ACCESS_KEY_ID}` …, or `env_file: .env`), use the
//! names the SDKs read, mount the profile (`~/.aws:/root/.aws:ro`), or on
//! EC2 attach an instance profile (EC2 → Actions → Security → Modify IAM
//! role); then recreate the container.

use super::support::{aws_log_events, aws_subjects};
use crate::checks::support::recreate_service_step;
use crate::finding::{Finding, FixStep};
use crate::model::aws::CredentialsView;
use crate::model::StackModel;

cause!("aws-no-credentials");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for subject in aws_subjects(model) {
        let view = model
            .aws
            .credentials_of(&subject.name)
            .map(|c| &c.view)
            .cloned()
            .unwrap_or_default();
        let logs = aws_log_events(model, &subject.name, CAUSE);
        let no_role = super::support::imds_says_no_role(model);
        let configured_wrong = !view.has_explicit_source() && !view.misplaced.is_empty();
        let profile_without_files = view
            .defects
            .iter()
            .find(|d| d.problem == "profile-without-files");
        let profile_not_in_files = view
            .defects
            .iter()
            .find(|d| d.problem == "profile-not-in-files")
            .filter(|_| !view.has_explicit_source());
        let imds_off = !view.has_explicit_source() && view.imds_disabled.is_some();
        let live_none = !view.has_explicit_source() && no_role.is_some();
        if !(configured_wrong
            || profile_without_files.is_some()
            || profile_not_in_files.is_some()
            || imds_off
            || live_none
            || logs.weight >= 60)
        {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&subject.name)
            .param("service", &subject.name);
        finding = add_view_evidence(finding, &view, &subject.name);
        if let Some(defect) = profile_without_files {
            finding = finding.evidence(
                defect.origin.clone(),
                msg("profile-without-files").with("variable", &defect.variable),
            );
        }
        if let Some(defect) = profile_not_in_files {
            let (selected, present) = defect
                .detail
                .as_deref()
                .and_then(|d| d.split_once('|'))
                .unwrap_or(("default", "-"));
            finding = finding
                .evidence(
                    defect.origin.clone(),
                    msg("profile-not-in-files")
                        .with("profile", selected)
                        .with("profiles", present)
                        .with("variable", &defect.variable),
                )
                .fix(FixStep::say(
                    msg("select-profile")
                        .with("profiles", present)
                        .with("service", &subject.name),
                ));
        }
        if let (true, Some(origin)) = (imds_off, &view.imds_disabled) {
            finding = finding.evidence(origin.clone(), msg("imds-disabled"));
        }
        if let (true, Some(origin)) = (live_none, no_role) {
            finding = finding.evidence(origin, msg("no-instance-profile"));
        }
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        finding = add_fix(model, finding, &view, &subject.name);
        if let Some(id) = subject.service {
            finding = finding.fix(recreate_service_step(model, id));
        }
        findings.push(finding);
    }
    findings
}

fn add_view_evidence(mut finding: Finding, view: &CredentialsView, service: &str) -> Finding {
    for m in &view.misplaced {
        let label = match m.problem.as_str() {
            "not-passed" => msg("not-passed")
                .with("variable", &m.variable)
                .with("service", service),
            "tool-prefix" => msg("tool-prefix")
                .with("variable", &m.variable)
                .with("expected", &m.expected),
            _ => msg("wrong-name")
                .with("variable", &m.variable)
                .with("expected", &m.expected),
        };
        finding = finding.evidence(m.origin.clone(), label);
    }
    finding
}

fn add_fix(
    model: &StackModel,
    mut finding: Finding,
    view: &CredentialsView,
    service: &str,
) -> Finding {
    let not_passed: Vec<&str> = view
        .misplaced
        .iter()
        .filter(|m| m.problem == "not-passed")
        .map(|m| m.variable.as_str())
        .collect();
    if !not_passed.is_empty() {
        let lines: Vec<String> = not_passed
            .iter()
            .map(|v| format!("      {v}: ${{{v}}}"))
            .collect();
        finding = finding.fix(FixStep::say(
            msg("pass-keys")
                .with("service", service)
                .with("lines", lines.join("\n")),
        ));
    }
    for m in view
        .misplaced
        .iter()
        .filter(|m| m.problem == "wrong-name" || m.problem == "tool-prefix")
    {
        let message = msg("rename")
            .with("variable", &m.variable)
            .with("expected", &m.expected);
        finding = match crate::checks::support::replace_on_line(
            model,
            &m.origin,
            &m.variable,
            &m.expected,
        ) {
            Some(edit) => finding.fix(FixStep::edit(message, edit)),
            None => finding.fix(FixStep::say(message)),
        };
    }
    let profile_problem = view
        .defects
        .iter()
        .any(|d| d.problem == "profile-not-in-files");
    if view.misplaced.is_empty() && !profile_problem {
        finding = finding.fix(FixStep::run(
            msg("attach-role"),
            "curl -s -m 2 http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        ));
    }
    finding
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn keys_left_in_dot_env_are_reported_where_they_are() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("aws-keys-not-passed", &["--logs", "logs/backend.log"]),
            ".env:2",
            &["aws-no-credentials.pass-keys", "--force-recreate backend"],
        );
    }

    #[test]
    fn keys_passed_with_env_file_are_quiet() {
        assert_example_quiet(
            super::run,
            ("aws-keys-not-passed", &[]),
            &[(
                "docker-compose.yml",
                "    environment:\n",
                "    env_file: .env\n    environment:\n",
            )],
        );
    }
}
