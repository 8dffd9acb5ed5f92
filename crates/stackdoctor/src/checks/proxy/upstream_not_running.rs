//! # upstream-not-running
//!
//! **What it detects:** the service an upstream names cannot be running:
//! it is defined only under a profile that is not enabled, only in a
//! compose file that is not among the active ones (`docker-compose.dev.yml`
//! while `-f docker-compose.yml` is used), it has `deploy.replicas: 0`, or
//! the logs show its container exited (`web-1 exited with code 1`).
//!
//! **Why it breaks requests:** Docker's DNS drops a container that is not
//! running, so Caddy's lookup fails (`no such host`) or its connection is
//! refused, and it answers 502.
//!
//! **Example:** `web` has `profiles: [app]` and the stack is started with a
//! plain `docker compose up -d`.
//!
//! **Fix:** start the service (`docker compose --profile app up -d web`, or
//! set replicas to at least 1); if it exited, read its logs
//! (`docker compose logs web --tail=50`) and fix what stopped it.

use crate::checks::support::{
    compose_command, log_evidence, service_hop, shown, start_service_command, upstreams,
};
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::{Activation, StackModel, UpstreamTarget};

cause!("upstream-not-running");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ctx in upstreams(model) {
        let upstream = ctx.upstream;
        if let UpstreamTarget::InactiveService { index } = upstream.target {
            let inactive = &model.inactive_services[index];
            let file = shown(model, &inactive.file);
            let compose = compose_command(model, inactive.project);
            let finding = Finding::new(CAUSE)
                .subject(&inactive.name)
                .param("service", &inactive.name)
                .param("upstream", &upstream.text)
                .evidence(
                    inactive.origin.clone(),
                    msg("inactive-file").with("file", &file),
                )
                .evidence(
                    upstream.origin.clone(),
                    Message::new("common.upstream-here").with("upstream", &upstream.text),
                )
                .fix(FixStep::run(
                    msg("add-file").with("file", &file),
                    format!("{compose} -f {file} up -d {}", inactive.name),
                ));
            findings.push(finding.path(ctx.path(HopState::Ok, Vec::new())));
            continue;
        }
        for id in ctx.candidates() {
            let service = &model.services[id];
            let mut finding = Finding::new(CAUSE)
                .subject(&service.name)
                .param("service", &service.name)
                .param("upstream", &upstream.text);
            let compose = compose_command(model, service.project);
            match &service.activation {
                Activation::ProfileDisabled { profiles } => {
                    let label = msg("profile-disabled").with("profiles", profiles.join(", "));
                    let profile = profiles.first().cloned().unwrap_or_default();
                    finding = finding
                        .evidence(service.origin.clone(), label)
                        .fix(FixStep::run(
                            msg("enable-profile").with("profile", &profile),
                            format!("{compose} --profile {profile} up -d {}", service.name),
                        ));
                }
                Activation::ZeroReplicas { origin } => {
                    let label = msg("zero-replicas");
                    finding = finding
                        .evidence(origin.clone(), label)
                        .fix(FixStep::say(msg("set-replicas")));
                }
                Activation::Active => {
                    let exits: Vec<_> = model
                        .log_events_of_service(&service.name, "upstream-not-running")
                        .take(3)
                        .collect();
                    if exits.is_empty() {
                        continue;
                    }
                    // With `restart: "no"` an exited container stays down until someone starts it.
                    if let Some(restart) = service.restart.as_ref().filter(|r| r.value == "no") {
                        finding = finding.evidence(restart.origin.clone(), msg("restart-no"));
                    }
                    finding = finding.log_lines(exits);
                    finding = finding
                        .fix(FixStep::run(
                            msg("read-logs").with("service", &service.name),
                            format!("{compose} logs {} --tail=50", service.name),
                        ))
                        .fix(FixStep::run(
                            msg("start").with("service", &service.name),
                            start_service_command(model, id, "up -d --build"),
                        ));
                }
            }
            finding = finding.evidence(
                upstream.origin.clone(),
                Message::new("common.upstream-here").with("upstream", &upstream.text),
            );
            finding = finding.log_lines(log_evidence(
                model,
                &upstream.host,
                upstream.port,
                &["proxy-upstream-lookup-failed", "proxy-upstream-refused"],
            ));
            let tail = vec![service_hop(model, id, HopState::Broken)];
            findings.push(finding.path(ctx.path(HopState::Ok, tail)));
        }
    }
    findings
}
