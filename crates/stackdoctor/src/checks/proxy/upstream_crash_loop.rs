//! # upstream-crash-loop
//!
//! **What it detects:** the logs of the service an upstream names show
//! repeated start-up failures: a Python traceback ending in
//! `OperationalError` (no database), `Worker failed to boot`, a missing
//! module, a port already in use, next to `exited with code`.
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

use crate::checks::support::{compose_command, service_hop, start_service_command, upstreams};
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
    findings
}
