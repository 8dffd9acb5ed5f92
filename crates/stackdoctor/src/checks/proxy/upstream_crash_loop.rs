//! # upstream-crash-loop
//!
//! **What it detects:** the logs of the service an upstream names show
//! repeated start-up failures: a Python traceback ending in
//! `OperationalError` (no database), `Worker failed to boot`, a missing
//! module, a port already in use, next to `exited with code`; or the engine
//! says a container restarts again and again (`RestartCount` of 3 or more,
//! or `restarting`), with its last exit code and what it means, and the
//! `die` events (saved `docker inspect`/`events` output, or the engine).
//!
//! **Why it breaks requests:** the container starts, fails, and (with a
//! `restart:` policy) starts again. Between attempts nothing listens, so
//! Caddy's connection is refused or its lookup fails: 502.
//!
//! **Example:** `web-1 | django.db.utils.OperationalError: could not
//! translate host name "db" to address` repeated in `docker compose logs web`.
//!
//! **Fix:** fix the error the last log lines name (for a database error:
//! the database service runs, the `DB_*` variables name it, migrations ran:
//! `docker compose exec web python manage.py check`), then
//! `docker compose up -d --force-recreate web`.

use super::support::upstreams;
use crate::checks::support::{compose_command, service_hop, start_service_command};
use crate::finding::{Finding, FixStep, HopState, Message};
use crate::model::StackModel;

cause!("upstream-crash-loop");

/// Total weight of start-up failure lines that makes a crash loop.
const THRESHOLD: u32 = 100;

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut reported = Vec::new();
    for ctx in upstreams(model) {
        for id in ctx.candidates() {
            let service = &model.services[id];
            if reported.contains(&id) {
                continue;
            }
            let events: Vec<_> = model
                .log_events_of_service(&service.name, "upstream-crash-loop")
                .collect();
            let weight: u32 = events
                .iter()
                .flat_map(|e| &e.causes)
                .filter(|(c, _)| c == "upstream-crash-loop")
                .map(|(_, w)| u32::from(*w))
                .sum();
            if weight < THRESHOLD {
                continue;
            }
            reported.push(id);
            // The most telling line first: one per signature, heaviest first, earliest on ties.
            let mut telling: Vec<(u8, &crate::model::LogEvent)> = Vec::new();
            for event in &events {
                if telling.iter().any(|(_, e)| e.signature == event.signature) {
                    continue;
                }
                let weight = event
                    .causes
                    .iter()
                    .find(|(c, _)| c == CAUSE)
                    .map_or(0, |(_, w)| *w);
                telling.push((weight, event));
            }
            telling.sort_by_key(|(weight, _)| std::cmp::Reverse(*weight));
            let top = telling
                .first()
                .map(|(_, e)| e.message.clone())
                .unwrap_or_default();
            let mut finding = Finding::new(CAUSE)
                .subject(&service.name)
                .param("service", &service.name)
                .param("count", events.len().to_string());
            for (_, event) in telling.iter().take(3) {
                finding = finding.evidence(
                    event.origin.clone(),
                    Message::new("common.log-line").with("line", &event.message),
                );
            }
            let compose = compose_command(model, service.project);
            let database = events
                .iter()
                .any(|e| e.signature == "django-db-operational-error");
            finding = finding.fix(FixStep::say(msg("fix-last-error").with("line", top)));
            if database {
                finding = finding.fix(FixStep::run(
                    msg("check-database"),
                    format!(
                        "{compose} exec {} python manage.py check --database default",
                        service.name
                    ),
                ));
            }
            if events
                .iter()
                .any(|e| e.signature == "python-module-not-found")
            {
                finding = finding.fix(FixStep::run(
                    msg("rebuild"),
                    format!("{compose} build --no-cache {}", service.name),
                ));
            }
            finding = finding.fix(FixStep::run(
                msg("restart").with("service", &service.name),
                start_service_command(model, id, "up -d --force-recreate"),
            ));
            let tail = vec![service_hop(model, id, HopState::Broken)];
            findings.push(finding.path(ctx.path(HopState::Ok, tail)));
        }
    }
    add_restarts(model, &mut findings);
    findings
}

/// Restarts at least this many make a crash loop.
const RESTARTS: u64 = 3;

/// The engine's restart counts: evidence for the finding of the same service, or a finding of their own.
fn add_restarts(model: &StackModel, findings: &mut Vec<Finding>) {
    use crate::checks::engine::support::{exited_with, up_command};
    for container in &model.engine.containers {
        let state = &container.state;
        let restarts = state.restart_count.unwrap_or(0);
        let restarting = container.status() == Some("restarting");
        if restarts < RESTARTS && !restarting {
            continue;
        }
        let subject = container.subject().to_string();
        let mut evidence = vec![(
            container.origin_of("RestartCount"),
            msg("restart-count")
                .with("container", &state.name)
                .with("count", restarts.to_string())
                .with("status", container.status().unwrap_or("?")),
        )];
        if let Some(code) = state.exit_code.filter(|c| *c != 0) {
            evidence.push((
                container.origin_of("ExitCode"),
                exited_with(&state.name, code),
            ));
        }
        let dies: Vec<_> = model
            .engine
            .events
            .iter()
            .filter(|e| {
                e.event.action == "die" && e.event.name.as_deref() == Some(state.name.as_str())
            })
            .collect();
        if let Some(first) = dies.first() {
            evidence.push((
                first.origin.clone(),
                msg("die-events")
                    .with("container", &state.name)
                    .with("count", dies.len().to_string()),
            ));
        }
        if let Some(known) = findings
            .iter_mut()
            .find(|f| f.subject.as_deref() == Some(subject.as_str()))
        {
            for (origin, label) in evidence {
                known
                    .evidence
                    .push(crate::finding::Evidence { origin, label });
            }
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&subject)
            .param("service", &subject)
            .param("title", "restarts-title")
            .param("count", restarts.to_string())
            .param(
                "code",
                state.exit_code.map_or("?".to_string(), |c| c.to_string()),
            );
        for (origin, label) in evidence {
            finding = finding.evidence(origin, label);
        }
        findings.push(
            finding
                .fix(FixStep::run(
                    msg("read-logs"),
                    format!("docker logs --tail=50 {}", state.name),
                ))
                .fix(FixStep::run(
                    msg("restart").with("service", &subject),
                    up_command(model, &container.join, &subject),
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(text: &str) -> StackModel {
        crate::checks::engine::support::model_of_saved(text)
    }

    #[test]
    fn a_restart_count_is_a_crash_loop_with_its_last_exit() {
        let text = r#"[{"Id": "1", "Name": "/shop-api-1", "RestartCount": 4,
 "State": {"Status": "restarting", "ExitCode": 1},
 "Config": {"Labels": {"com.docker.compose.service": "api"}}, "HostConfig": {}}]"#;
        let findings = run(&model_of(text));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.params["title"], "restarts-title");
        assert_eq!(
            (f.params["count"].as_str(), f.params["code"].as_str()),
            ("4", "1")
        );
        assert_eq!(f.evidence[1].label.key, "upstream-not-running.exit-1");
        assert_eq!(f.evidence[0].origin.position().unwrap().line, 1);
        let calm = text
            .replace("\"RestartCount\": 4", "\"RestartCount\": 1")
            .replace("restarting", "running");
        assert!(run(&model_of(&calm)).is_empty());
    }
}
