//! # aws-imds-hop-limit
//!
//! **What it detects:** a service on a Docker bridge network that relies on
//! the EC2 instance role (no keys, profile, web identity or ECS endpoint in
//! its configuration) while IMDSv2 tokens cannot reach it: its logs show
//! the SDK failing to get an IMDS session token or timing out on
//! `169.254.169.254`, or the live probe finds that the instance requires
//! IMDSv2 tokens (the hop limit itself is not visible from the host; the
//! finding is then a warning). A launch template or instance in the
//! project's Terraform or CloudFormation that sets the hop limit to 1 is
//! evidence too, at the line to edit.
//!
//! **Why it breaks requests:** the token answer's IP TTL is the instance's
//! `HttpPutResponseHopLimit`; the bridge adds a hop, so with the default 1
//! the token dies before the container. With tokens required, the SDK ends
//! with no credentials and every AWS call fails; with tokens optional, each
//! credential refresh first waits for a timeout.
//!
//! **Example:** a Rust service logs `failed to load IMDS session token`
//! then `no providers in chain provided credentials`.
//!
//! **Fix:** `aws ec2 modify-instance-metadata-options --instance-id <id>
//! --http-put-response-hop-limit 2 --http-tokens required` (and the same in
//! the launch template), or run the service with `network_mode: host`.

use super::support::{aws_log_events, aws_subjects, imds_requires_tokens};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::{Origin, StackModel};

cause!("aws-imds-hop-limit");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for subject in aws_subjects(model) {
        let view = model
            .aws
            .credentials_of(&subject.name)
            .map(|c| c.view.clone())
            .unwrap_or_default();
        let on_bridge = subject
            .service
            .map(|id| !model.services[id].uses_host_network())
            .unwrap_or(false);
        if !on_bridge || view.has_explicit_source() || view.imds_disabled.is_some() {
            continue;
        }
        let logs = aws_log_events(model, &subject.name, CAUSE);
        let tokens_required = imds_requires_tokens(model);
        let from_logs = logs.weight >= 40;
        // `--aws`: EC2 says what the hop limit is.
        let options = model.aws.api.as_ref().and_then(|a| a.instance.as_ref());
        let hop_limit_one = options.filter(|o| o.hop_limit == Some(1));
        if options.is_some() && hop_limit_one.is_none() {
            continue;
        }
        // Launch templates and instances in the project's code.
        let written: Vec<_> = model
            .aws
            .metadata_settings
            .iter()
            .filter(|s| s.hop_limit.as_ref().is_some_and(|h| h.value == 1))
            .collect();
        if !from_logs && tokens_required.is_none() && hop_limit_one.is_none() && written.is_empty()
        {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&subject.name)
            .param("service", &subject.name);
        // Tokens required with hop 1 in the code, and a credentials failure
        // in the output: the failure is explained, not only a risk.
        let written_required = written.iter().any(|s| {
            s.http_tokens
                .as_ref()
                .is_some_and(|t| t.value.eq_ignore_ascii_case("required"))
        });
        let confirmed = written_required && logs.weight > 0;
        if !from_logs && hop_limit_one.is_none() && !confirmed {
            finding = finding.severity(Severity::Warning);
        }
        for setting in &written {
            let Some(hop) = &setting.hop_limit else {
                continue;
            };
            let tokens = setting
                .http_tokens
                .as_ref()
                .map_or("optional", |t| t.value.as_str());
            finding = finding.evidence(
                hop.origin.clone(),
                msg("hop-limit-written")
                    .with("resource", &setting.resource)
                    .with("tokens", tokens),
            );
            if !setting.written {
                finding = finding.fix(FixStep::say(msg("set-in-module-call")));
            } else if let Some(edit) = replace_on_line(model, &hop.origin, "1", "2") {
                finding = finding.fix(FixStep::edit(msg("raise-hop-limit-in-code"), edit));
            }
        }
        if let Some(o) = hop_limit_one {
            finding = finding.evidence(
                Origin::Probe {
                    probe: format!("ec2:DescribeInstances {}", o.instance_id),
                },
                msg("hop-limit-one").with("tokens", o.http_tokens.as_deref().unwrap_or("?")),
            );
        }
        if let Some(id) = subject.service {
            let service = &model.services[id];
            let origin = service
                .network_mode
                .as_ref()
                .map_or(service.origin.clone(), |m| m.origin.clone());
            finding = finding.evidence(origin, msg("bridge").with("service", &subject.name));
        }
        if let Some(origin) = tokens_required {
            finding = finding.evidence(origin, msg("tokens-required"));
        }
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        let instance = model
            .aws
            .imds()
            .and_then(|i| i.instance_id.clone())
            .or_else(|| hop_limit_one.map(|o| o.instance_id.clone()))
            .unwrap_or_else(|| "$(curl -s -m 2 -H \"X-aws-ec2-metadata-token: $(curl -s -m 2 -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 60')\" http://169.254.169.254/latest/meta-data/instance-id)".to_string());
        findings.push(
            finding
                .fix(FixStep::run(
                    msg("raise-hop-limit"),
                    format!("aws ec2 modify-instance-metadata-options --instance-id {instance} --http-put-response-hop-limit 2 --http-tokens required"),
                ))
                .fix(FixStep::say(msg("or-host-network").with("service", &subject.name))),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_bridged_container_failing_on_imds_is_told_to_raise_the_hop_limit() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("aws-imds-hop-limit", &["--logs", "logs/indexer.log"]),
            "docker-compose.yml:2",
            &["--http-put-response-hop-limit 2", "or-host-network"],
        );
    }

    #[test]
    fn a_container_on_the_host_network_is_quiet() {
        // The same failing log lines: on the host network the token reaches it.
        assert_example_quiet(
            super::run,
            ("aws-imds-hop-limit", &["--logs", "logs/indexer.log"]),
            &[(
                "docker-compose.yml",
                "    restart: on-failure",
                "    network_mode: host\n    restart: on-failure",
            )],
        );
    }
}
