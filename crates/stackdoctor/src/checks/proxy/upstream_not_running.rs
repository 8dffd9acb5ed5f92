//! # upstream-not-running
//!
//! **What it detects:** the service an upstream names cannot be running:
//! it is defined only under a profile that is not enabled, only in a
//! compose file that is not among the active ones (`docker-compose.dev.yml`
//! while `-f docker-compose.yml` is used), it has `deploy.replicas: 0`, or
//! the logs show its container exited (`web-1 exited with code 1`), or the
//! engine does (`docker inspect`, `docker compose ps`, saved or live): exited
//! with its exit code and what that code means, created but never started,
//! or not started because a dependency never became healthy. A container
//! that exited with an error is reported even when no proxy names it.
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

use super::support::{log_evidence, upstreams};
use crate::checks::support::{compose_command, service_hop, shown, start_service_command};
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
                    let engine = engine_evidence(model, &service.name, Some(id));
                    if engine.is_running || (exits.is_empty() && engine.evidence.is_empty()) {
                        continue;
                    }
                    // With `restart: "no"` an exited container stays down until someone starts it.
                    if let Some(restart) = service.restart.as_ref().filter(|r| r.value == "no") {
                        finding = finding.evidence(restart.origin.clone(), msg("restart-no"));
                    }
                    // A compose line already among the log lines is quoted once.
                    let same_line = |origin: &crate::model::Origin| {
                        exits.iter().any(|e| {
                            e.origin
                                .position()
                                .zip(origin.position())
                                .is_some_and(|(a, b)| a.file == b.file && a.line == b.line)
                        })
                    };
                    for (origin, label) in engine.evidence {
                        if !same_line(&origin) {
                            finding = finding.evidence(origin, label);
                        }
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
    // Containers that exited with an error, whether or not a proxy names them.
    let named: Vec<String> = findings.iter().filter_map(|f| f.subject.clone()).collect();
    let mut seen: Vec<&str> = Vec::new();
    for container in &model.engine.containers {
        let subject = container.subject();
        let failed = matches!(container.status(), Some("exited" | "dead"))
            && container.state.exit_code.is_some_and(|c| c != 0);
        if !failed || named.iter().any(|n| n == subject) || seen.contains(&subject) {
            continue;
        }
        seen.push(subject);
        let engine = engine_evidence(model, subject, container.join.service);
        if engine.is_running {
            continue;
        }
        let code = container.state.exit_code.unwrap_or_default();
        let mut finding = Finding::new(CAUSE)
            .subject(subject)
            .param("service", subject)
            .param("title", "engine-title")
            .param("status", container.status().unwrap_or("exited"))
            .param("code", format!(", exit code {code}"));
        for (origin, label) in engine.evidence {
            finding = finding.evidence(origin, label);
        }
        let up = crate::checks::engine::support::up_command(model, &container.join, subject);
        findings.push(
            finding
                .fix(FixStep::run(
                    msg("read-logs").with("service", subject),
                    format!("docker logs --tail=50 {}", container.state.name),
                ))
                .fix(FixStep::run(msg("start").with("service", subject), up)),
        );
    }
    findings
}

/// What the engine says of a service's containers that are not running.
struct EngineEvidence {
    evidence: Vec<(crate::model::Origin, Message)>,
    /// Some container of the service runs now: older exits are history.
    is_running: bool,
}

fn engine_evidence(
    model: &StackModel,
    subject: &str,
    service: Option<crate::model::ServiceId>,
) -> EngineEvidence {
    use crate::checks::engine::support::exited_with;
    use dockerengine::LineKind;
    let ours = |join: &crate::model::engine::ServiceJoin, name: &str| match service {
        Some(id) => join.service == Some(id),
        None => join.service_name.as_deref().unwrap_or(name) == subject,
    };
    let mut evidence = Vec::new();
    let mut is_running = false;
    let mut never_started = false;
    for container in &model.engine.containers {
        if !ours(&container.join, &container.state.name) {
            continue;
        }
        let state = &container.state;
        match container.status() {
            Some("running" | "restarting" | "paused") => is_running = true,
            Some("exited" | "dead") => {
                let code = state.exit_code.unwrap_or_default();
                evidence.push((
                    container.origin_of("ExitCode"),
                    exited_with(&state.name, code),
                ));
            }
            Some("created") => {
                never_started = true;
                // compose ps's `Status` is prose (`Created`); its `State` is the engine's word.
                let field = match state.from {
                    Some(dockerengine::ContainerFrom::ComposePs) => "State",
                    _ => "Status",
                };
                evidence.push((
                    container.origin_of(field),
                    msg("engine-created").with("container", &state.name),
                ));
            }
            _ => {}
        }
        if let Some(error) = &state.error {
            evidence.push((
                container.origin_of("Error"),
                msg("engine-error").with("error", error),
            ));
        }
    }
    for line in &model.engine.lines {
        let about_us = ours(&line.join, &line.line.container);
        match line.line.kind {
            LineKind::Exited { code } if about_us => {
                evidence.push((line.origin.clone(), exited_with(&line.line.container, code)));
            }
            LineKind::ContainerError if about_us => {
                evidence.push((
                    line.origin.clone(),
                    msg("line-error").with("container", &line.line.container),
                ));
            }
            // A dependency that failed keeps this service from starting.
            LineKind::DependencyUnhealthy if never_started && !about_us => {
                evidence.push((
                    line.origin.clone(),
                    msg("dependency-unhealthy").with("dependency", line.subject()),
                ));
            }
            LineKind::DependencyExited { code } if never_started && !about_us => {
                evidence.push((
                    line.origin.clone(),
                    msg("dependency-exited")
                        .with("dependency", line.subject())
                        .with("code", code.to_string()),
                ));
            }
            _ => {}
        }
    }
    EngineEvidence {
        evidence,
        is_running,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(text: &str) -> StackModel {
        crate::checks::engine::support::model_of_saved(text)
    }

    #[test]
    fn an_exited_container_is_reported_with_what_its_code_means() {
        let text = r#"{"Name":"shop-api-1","Service":"api","Project":"shop","State":"exited","ExitCode":127}
{"Name":"shop-web-1","Service":"web","Project":"shop","State":"running","ExitCode":0}
{"Name":"shop-migrate-1","Service":"migrate","Project":"shop","State":"exited","ExitCode":0}
"#;
        let findings = run(&model_of(text));
        assert_eq!(findings.len(), 1, "{findings:?}");
        let f = &findings[0];
        assert_eq!(f.subject.as_deref(), Some("api"));
        assert_eq!(f.params["title"], "engine-title");
        assert_eq!(f.evidence[0].label.key, "upstream-not-running.exit-127");
        assert_eq!(f.evidence[0].origin.position().unwrap().line, 1);
        assert_eq!(
            f.fix[1].command.as_deref(),
            Some("docker compose -p shop up -d api")
        );
    }

    #[test]
    fn a_created_container_names_the_dependency_that_kept_it_down() {
        let model = model_of(
            r#"{"Name":"shop-web-1","Service":"web","Project":"shop","State":"created","ExitCode":0}
dependency failed to start: container shop-db-1 is unhealthy
"#,
        );
        let evidence = engine_evidence(&model, "web", None);
        assert!(!evidence.is_running);
        let keys: Vec<&str> = evidence
            .evidence
            .iter()
            .map(|(_, m)| m.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "upstream-not-running.engine-created",
                "upstream-not-running.dependency-unhealthy"
            ]
        );
    }
}
