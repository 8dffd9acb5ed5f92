//! # upstream-unhealthy
//!
//! **What it detects:** a container's own health check fails: the engine
//! reports it `unhealthy` (`docker inspect`'s `State.Health`, `docker compose
//! ps`, a `health_status: unhealthy` event), or compose says `dependency
//! failed to start: container … is unhealthy`. The finding quotes what the
//! health check printed in its last runs.
//!
//! **Why it breaks requests:** services that wait for it
//! (`depends_on: {db: {condition: service_healthy}}`) are never started, so
//! the proxy's upstream does not exist; proxies that follow health (Traefik,
//! ECS, a load balancer) send it no traffic.
//!
//! **Example:** `db`'s check runs `curl -f http://localhost:8000/health` and
//! prints `curl: (7) Failed to connect to localhost port 8000: Connection
//! refused`: the app listens on another port, or curl is not in the image.
//!
//! **Fix:** read the check's output (`docker inspect --format '{{json
//! .State.Health}}' CONTAINER`), run the same command by hand inside the
//! container, and fix what it says (the port or path it asks, a tool missing
//! from the image, a start period too short for a slow start); then
//! `docker compose up -d`.

use super::support::up_command;
use crate::finding::{Finding, FixStep};
use crate::model::engine::{ContainerState, ServiceJoin};
use crate::model::StackModel;
use dockerengine::LineKind;

cause!("upstream-unhealthy");

/// Output quoted per health check run.
const OUTPUT_CAP: usize = 300;

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for container in &model.engine.containers {
        let Some(health) = &container.state.health else {
            continue;
        };
        let subject = container.subject().to_string();
        if health.status != "unhealthy" || reported.contains(&subject) {
            continue;
        }
        reported.push(subject.clone());
        findings.push(finding_for(model, container, &subject));
    }
    // Events and compose's lines about containers no record describes.
    let mut pending: Vec<(String, ServiceJoin, Finding)> = Vec::new();
    for event in &model.engine.events {
        if event.event.action != "health_status: unhealthy" {
            continue;
        }
        let name = event.event.name.clone().unwrap_or_default();
        let subject = event.join.service_name.clone().unwrap_or(name.clone());
        if reported.contains(&subject) || pending.iter().any(|(s, _, _)| *s == subject) {
            continue;
        }
        let finding = Finding::new(CAUSE)
            .subject(&subject)
            .param("service", &subject)
            .param("title", "unhealthy-title")
            .evidence(
                event.origin.clone(),
                msg("health-event")
                    .with("action", &event.event.action)
                    .with("container", &name),
            );
        pending.push((subject, event.join.clone(), finding));
    }
    for line in &model.engine.lines {
        if line.line.kind != LineKind::DependencyUnhealthy {
            continue;
        }
        let subject = line.subject().to_string();
        let label = msg("dependency-line").with("container", &line.line.container);
        if let Some(known) = findings
            .iter_mut()
            .find(|f| f.subject.as_deref() == Some(&subject))
        {
            *known =
                std::mem::replace(known, Finding::new(CAUSE)).evidence(line.origin.clone(), label);
            continue;
        }
        match pending.iter_mut().find(|(s, _, _)| *s == subject) {
            Some((_, _, finding)) => {
                *finding = std::mem::replace(finding, Finding::new(CAUSE))
                    .evidence(line.origin.clone(), label);
            }
            None => pending.push((
                subject.clone(),
                line.join.clone(),
                Finding::new(CAUSE)
                    .subject(&subject)
                    .param("service", &subject)
                    .param("title", "unhealthy-title")
                    .evidence(line.origin.clone(), label),
            )),
        }
    }
    for (subject, join, finding) in pending {
        let container = join
            .service
            .map_or(subject.clone(), |id| model.services[id].name.clone());
        findings.push(
            finding
                .fix(FixStep::run(
                    msg("read-health"),
                    format!("docker inspect --format '{{{{json .State.Health}}}}' $(docker compose ps -q {container})"),
                ))
                .fix(FixStep::run(
                    msg("restart").with("service", &subject),
                    up_command(model, &join, &subject),
                )),
        );
    }
    findings
}

fn finding_for(model: &StackModel, container: &ContainerState, subject: &str) -> Finding {
    let state = &container.state;
    let health = state.health.clone().unwrap_or_default();
    let mut finding = Finding::new(CAUSE)
        .subject(subject)
        .param("service", subject);
    finding = match health.failing_streak {
        Some(streak) => finding.param("streak", streak.to_string()),
        None => finding.param("title", "unhealthy-title"),
    };
    finding = finding.evidence(
        container.origin_of("Health"),
        msg("unhealthy").with("container", &state.name),
    );
    // The last two runs, newest first: what the check itself says.
    let mut quoted: Vec<String> = Vec::new();
    for probe in health.log.iter().rev() {
        let output = one_line(&probe.output);
        if output.is_empty() || quoted.contains(&output) || quoted.len() == 2 {
            continue;
        }
        finding = finding.evidence(
            container.origin_of("Health"),
            msg("probe-output")
                .with(
                    "code",
                    probe.exit_code.map_or("?".into(), |c| c.to_string()),
                )
                .with("output", &output),
        );
        quoted.push(output);
    }
    if let Some(event) = model.engine.events.iter().find(|e| {
        e.event.action == "health_status: unhealthy"
            && e.event.name.as_deref() == Some(state.name.as_str())
    }) {
        finding = finding.evidence(
            event.origin.clone(),
            msg("health-event")
                .with("action", &event.event.action)
                .with("container", &state.name),
        );
    }
    let test = test_command(&state.health_test);
    if let Some(test) = &test {
        finding = finding.fix(FixStep::run(
            msg("run-check").with("test", test),
            format!("docker exec {} {test}", state.name),
        ));
    }
    finding
        .fix(FixStep::run(
            msg("read-health"),
            format!(
                "docker inspect --format '{{{{json .State.Health}}}}' {}",
                state.name
            ),
        ))
        .fix(FixStep::run(
            msg("restart").with("service", subject),
            up_command(model, &container.join, subject),
        ))
}

/// The health check's command as one would type it: `["CMD", "curl", "-f", …]`
/// → `curl -f …`, `["CMD-SHELL", "…"]` → `sh -c '…'`.
fn test_command(test: &[String]) -> Option<String> {
    match test.split_first()? {
        (kind, rest) if kind == "CMD" && !rest.is_empty() => Some(rest.join(" ")),
        (kind, [script]) if kind == "CMD-SHELL" => Some(format!("sh -c '{script}'")),
        _ => None,
    }
}

/// The output on one line, cut at [`OUTPUT_CAP`] characters.
fn one_line(output: &str) -> String {
    let joined = output.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= OUTPUT_CAP {
        return joined;
    }
    let cut: String = joined.chars().take(OUTPUT_CAP).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(text: &str) -> StackModel {
        crate::checks::engine::support::model_of_saved(text)
    }

    #[test]
    fn an_unhealthy_container_is_reported_with_what_its_check_printed() {
        let text = r#"[{"Id": "2", "Name": "/shop-db-1",
 "State": {"Status": "running", "ExitCode": 0,
  "Health": {"Status": "unhealthy", "FailingStreak": 7, "Log": [
   {"Start": "t1", "ExitCode": 1, "Output": "curl: (7) Failed to connect to localhost port 8000: Connection refused\n"},
   {"Start": "t2", "ExitCode": 1, "Output": "curl: (7) Failed to connect to localhost port 8000: Connection refused\n"}]}},
 "Config": {"Image": "shop-db", "Healthcheck": {"Test": ["CMD", "curl", "-f", "http://localhost:8000/health"]},
  "Labels": {"com.docker.compose.service": "db"}}, "HostConfig": {}}]
dependency failed to start: container shop-db-1 is unhealthy
"#;
        let findings = run(&model_of(text));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(
            (f.subject.as_deref(), f.params["streak"].as_str()),
            (Some("db"), "7")
        );
        assert_eq!(f.evidence[1].label.key, "upstream-unhealthy.probe-output");
        assert!(f.evidence[1].label.params["output"].ends_with("Connection refused"));
        // Both runs printed the same: quoted once; the dependency line joins the same finding.
        assert_eq!(f.evidence.len(), 3);
        assert_eq!(
            f.evidence[2].label.key,
            "upstream-unhealthy.dependency-line"
        );
        assert_eq!(
            f.fix[0].command.as_deref(),
            Some("docker exec shop-db-1 curl -f http://localhost:8000/health")
        );
    }

    #[test]
    fn a_compose_line_alone_names_the_unhealthy_dependency() {
        let findings = run(&model_of(
            "dependency failed to start: container shop-db-1 is unhealthy\n",
        ));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].subject.as_deref(), Some("shop-db"));
        assert!(run(&model_of("web-1 exited with code 1\n")).is_empty());
    }

    #[test]
    fn health_commands_read_as_typed() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            test_command(&words(&["CMD-SHELL", "pg_isready -U app"])).as_deref(),
            Some("sh -c 'pg_isready -U app'")
        );
        assert_eq!(test_command(&words(&["NONE"])), None);
        assert_eq!(one_line(&"x".repeat(1000)).chars().count(), OUTPUT_CAP + 1);
    }
}
