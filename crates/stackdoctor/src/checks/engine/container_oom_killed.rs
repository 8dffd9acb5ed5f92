//! # container-oom-killed
//!
//! **What it detects:** the engine says a container was killed by the
//! kernel's OOM killer: `"OOMKilled": true` in `docker inspect`, or an `oom`
//! event. Exit code 137 (SIGKILL) under a memory limit, or of an image known
//! to need much memory (a JVM, a database, a search engine), is reported as
//! *likely*: `docker stop` after its grace period gives 137 too. Log lines
//! (`Out of memory: Killed process`, gunicorn's `Worker … was sent SIGKILL!
//! Perhaps out of memory?`) raise the same cause from logs alone.
//!
//! **Why it breaks requests:** the kernel kills the app's process with
//! SIGKILL when the container's memory limit (or the host's memory) runs
//! out. The request being handled is cut off (the proxy logs a reset and
//! answers 502), and the container exits with code 137 and restarts, or
//! stays down.
//!
//! **Example:** `docker inspect shop-web-1` shows `"OOMKilled": true`,
//! `"ExitCode": 137`, `"RestartCount": 5` and `"Memory": 33554432` (a
//! `mem_limit: 32m`).
//!
//! **Fix:** measure with `docker stats`. Raise the limit (`mem_limit:` or
//! `deploy.resources.limits.memory`, or the Docker Desktop VM's memory),
//! lower the app's footprint (fewer gunicorn workers, `--max-requests` to
//! recycle leaking workers, smaller batches, a JVM's `-Xmx` below the
//! limit), and give the host swap or more RAM; then recreate the container
//! (`docker compose up -d SERVICE`).

use super::support::{doubled_limit, human_bytes, up_command};
use crate::finding::{Finding, FixStep};
use crate::model::engine::ContainerState;
use crate::model::StackModel;

cause!("container-oom-killed");

/// Image names whose processes are known to need more memory than a small
/// limit gives (their documentation states minimums or JVM heap sizes).
const MEMORY_HUNGRY: &[&str] = &[
    "elasticsearch",
    "opensearch",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "jenkins",
    "sonarqube",
    "keycloak",
    "kafka",
    "cassandra",
    "mysql",
    "mariadb",
    "postgres",
    "mongo",
    "clickhouse",
];

fn hungry(image: &str) -> bool {
    let name = image.rsplit('/').next().unwrap_or(image);
    let name = name.split([':', '@']).next().unwrap_or(name);
    MEMORY_HUNGRY.iter().any(|h| name.contains(h))
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut reported: Vec<String> = Vec::new();
    for container in &model.engine.containers {
        let subject = container.subject().to_string();
        if reported.contains(&subject) {
            continue;
        }
        let Some(finding) = finding_for(model, container) else {
            continue;
        };
        reported.push(subject);
        findings.push(finding);
    }
    // `oom` events of containers no record describes.
    for event in &model.engine.events {
        let subject = event
            .join
            .service_name
            .clone()
            .or_else(|| event.event.name.clone())
            .unwrap_or_default();
        if event.event.action != "oom" || reported.contains(&subject) {
            continue;
        }
        let name = event.event.name.clone().unwrap_or_default();
        let count = oom_events(model, &subject);
        let finding = Finding::new(CAUSE)
            .subject(&subject)
            .param("service", &subject)
            .evidence(
                event.origin.clone(),
                msg("oom-event")
                    .with("container", &name)
                    .with("count", count.to_string()),
            )
            .fix(FixStep::run(
                msg("measure"),
                format!("docker stats --no-stream {name}"),
            ))
            .fix(FixStep::say(msg("raise-host")))
            .fix(FixStep::run(
                msg("recreate").with("service", &subject),
                up_command(model, &event.join, &subject),
            ));
        reported.push(subject);
        findings.push(finding);
    }
    findings
}

fn oom_events(model: &StackModel, subject: &str) -> usize {
    model
        .engine
        .events
        .iter()
        .filter(|e| {
            e.event.action == "oom"
                && (e.join.service_name.as_deref() == Some(subject)
                    || e.event.name.as_deref() == Some(subject))
        })
        .count()
}

fn finding_for(model: &StackModel, container: &ContainerState) -> Option<Finding> {
    let state = &container.state;
    let subject = container.subject();
    let events = oom_events(model, subject);
    let certain = state.oom_killed == Some(true) || events > 0;
    let exit_137 = state.exit_code == Some(137);
    let image = state.image.clone().unwrap_or_default();
    let likely = !certain && exit_137 && (state.memory_limit.is_some() || hungry(&image));
    if !certain && !likely {
        return None;
    }
    let mut finding = Finding::new(CAUSE)
        .subject(subject)
        .param("service", subject);
    if state.oom_killed == Some(true) {
        finding = finding.evidence(
            container.origin_of("OOMKilled"),
            msg("oom-killed").with("container", &state.name),
        );
    } else if likely {
        let label = if state.memory_limit.is_some() {
            msg("exit-137")
        } else {
            msg("exit-137-hungry").with("image", &image)
        };
        finding = finding.evidence(container.origin_of("ExitCode"), label);
        if let Some(limit) = state.memory_limit {
            finding = finding
                .param("title", "likely-title")
                .param("limit", human_bytes(limit));
        }
    }
    if events > 0 {
        if let Some(event) = model.engine.events.iter().find(|e| {
            e.event.action == "oom"
                && (e.join.service_name.as_deref() == Some(subject)
                    || e.event.name.as_deref() == Some(&state.name))
        }) {
            finding = finding.evidence(
                event.origin.clone(),
                msg("oom-event")
                    .with("container", &state.name)
                    .with("count", events.to_string()),
            );
        }
    }
    if let Some(restarts) = state.restart_count.filter(|r| *r > 0) {
        finding = finding.evidence(
            container.origin_of("RestartCount"),
            msg("restarts").with("count", restarts.to_string()),
        );
    }
    if let Some(limit) = state.memory_limit {
        finding = finding.evidence(
            container.origin_of("Memory"),
            msg("limit").with("limit", human_bytes(limit)),
        );
    }
    finding = finding.fix(FixStep::run(
        msg("measure"),
        format!("docker stats --no-stream {}", state.name),
    ));
    finding = match state.memory_limit {
        Some(limit) => finding.fix(FixStep::say(
            msg("raise-limit")
                .with("service", subject)
                .with("limit", human_bytes(limit))
                .with(
                    "suggested",
                    format!("`mem_limit: {}`", doubled_limit(limit)),
                ),
        )),
        None => finding.fix(FixStep::say(msg("raise-host"))),
    };
    Some(finding.fix(FixStep::run(
        msg("recreate").with("service", subject),
        up_command(model, &container.join, subject),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model_of(text: &str) -> StackModel {
        crate::checks::engine::support::model_of_saved(text)
    }

    const OOM: &str = r#"[{"Id": "1", "Name": "/shop-web-1",
 "State": {"Status": "exited", "OOMKilled": true, "ExitCode": 137},
 "RestartCount": 5, "HostConfig": {"Memory": 33554432},
 "Config": {"Image": "shop-web", "Labels": {"com.docker.compose.service": "web", "com.docker.compose.project": "shop"}}}]"#;

    #[test]
    fn oom_killed_true_is_certain_with_the_limit_and_restarts() {
        let findings = run(&model_of(OOM));
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.subject.as_deref(), Some("web"));
        assert!(!f.params.contains_key("title"));
        let labels: Vec<&str> = f.evidence.iter().map(|e| e.label.key.as_str()).collect();
        assert_eq!(
            labels,
            [
                "container-oom-killed.oom-killed",
                "container-oom-killed.restarts",
                "container-oom-killed.limit"
            ]
        );
        assert_eq!(f.evidence[0].origin.position().unwrap().line, 2);
        assert_eq!(f.fix[1].message.params["suggested"], "`mem_limit: 64m`");
        assert_eq!(
            f.fix[2].command.as_deref(),
            Some("docker compose -p shop up -d web")
        );
    }

    #[test]
    fn exit_137_under_a_limit_or_of_a_hungry_image_is_likely() {
        let likely = OOM.replace("\"OOMKilled\": true", "\"OOMKilled\": false");
        let findings = run(&model_of(&likely));
        assert_eq!(findings[0].params["title"], "likely-title");
        assert_eq!(findings[0].params["limit"], "32 MiB");
        assert_eq!(
            findings[0].evidence[0].label.key,
            "container-oom-killed.exit-137"
        );
        let no_limit = likely
            .replace("\"Memory\": 33554432", "\"Memory\": 0")
            .replace(
                "shop-web\"",
                "docker.elastic.co/elasticsearch/elasticsearch:8.15.0\"",
            );
        let findings = run(&model_of(&no_limit));
        assert_eq!(
            findings[0].evidence[0].label.key,
            "container-oom-killed.exit-137-hungry"
        );
        // 137 of a small app without a limit: `docker stop`'s SIGKILL as likely as an OOM.
        let plain = likely.replace("\"Memory\": 33554432", "\"Memory\": 0");
        assert!(run(&model_of(&plain)).is_empty());
        let exited_1 = OOM
            .replace("\"OOMKilled\": true", "\"OOMKilled\": false")
            .replace("137", "1");
        assert!(run(&model_of(&exited_1)).is_empty());
    }

    #[test]
    fn oom_events_alone_are_certain() {
        let events = r#"{"status":"oom","id":"ab","from":"x","Type":"container","Action":"oom","Actor":{"ID":"ab","Attributes":{"com.docker.compose.service":"worker","name":"shop-worker-1"}},"scope":"local","time":1}
{"status":"oom","id":"ab","from":"x","Type":"container","Action":"oom","Actor":{"ID":"ab","Attributes":{"com.docker.compose.service":"worker","name":"shop-worker-1"}},"scope":"local","time":2}
"#;
        let findings = run(&model_of(events));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].subject.as_deref(), Some("worker"));
        assert_eq!(findings[0].evidence[0].label.params["count"], "2");
    }
}
