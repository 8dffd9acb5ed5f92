//! Asks the live Docker Engine what the stack's compose projects run (not
//! under `--offline`): containers with their compose labels (stopped ones
//! too), each one's inspect and last log lines, the networks and the last
//! hour's container events. The engine is found as the docker CLI finds it
//! (`DOCKER_HOST`, the active docker context, `/var/run/docker.sock`); the
//! whole conversation ends by the probe timeout and runs on its own thread
//! while the other probes run. Answers join the model like saved outputs,
//! with [`Origin::Engine`]; log lines go through the signature scanner.

use super::logs::Signatures;
use crate::error::Error;
use crate::model::engine::EngineReach;
use crate::model::{Origin, ProjectKind, StackModel};
use std::collections::BTreeMap;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A conversation with the engine under way.
pub struct Asking {
    host: String,
    started: Instant,
    handle: Option<JoinHandle<dockerengine::Answers>>,
    problem: Option<String>,
}

/// Starts asking the engine about the model's compose projects; `None`
/// when the stack has no compose project to ask about.
pub fn start(
    model: &StackModel,
    environment: &BTreeMap<String, String>,
    timeout: Duration,
) -> Option<Asking> {
    let projects: Vec<String> = model
        .projects
        .iter()
        .filter(|p| p.kind == ProjectKind::Compose)
        .map(|p| p.name.clone())
        .collect();
    if projects.is_empty() {
        return None;
    }
    let started = Instant::now();
    let home = environment.get("HOME").map(std::path::PathBuf::from);
    let endpoint = dockerengine::client::endpoint_from(
        &|name| environment.get(name).cloned(),
        home.as_deref(),
    );
    let endpoint = match endpoint {
        Ok(endpoint) => endpoint,
        Err(error) => {
            return Some(Asking {
                host: "?".into(),
                started,
                handle: None,
                problem: Some(error.to_string()),
            })
        }
    };
    let host = endpoint.display();
    let deadline = started + timeout.min(liveprobe::MAX_TIMEOUT);
    // A local socket's engine runs here: its containers' processes are in our `/proc`
    // (checked per container by its cgroup, so a socket forwarded from elsewhere is not trusted).
    let proc_root = matches!(endpoint, dockerengine::client::Endpoint::Unix(_))
        .then(|| std::path::PathBuf::from("/proc"));
    let ask = dockerengine::Ask {
        projects,
        proc_root,
        exec_cat: true,
        ..dockerengine::Ask::default()
    };
    let handle = std::thread::spawn(move || dockerengine::ask(endpoint, deadline, &ask));
    Some(Asking {
        host,
        started,
        handle: Some(handle),
        problem: None,
    })
}

/// Waits for the answers and adds them to the model.
pub fn finish(
    model: &mut StackModel,
    asking: Asking,
    signatures: &Signatures,
) -> Result<(), Error> {
    let answers = asking
        .handle
        .and_then(|h| h.join().ok())
        .unwrap_or_default();
    let mut problems: Vec<String> = asking.problem.into_iter().collect();
    problems.extend(answers.problems.iter().cloned());
    model.engine.live = Some(EngineReach {
        host: asking.host.clone(),
        api_version: answers.version.clone(),
        problems,
        elapsed_ms: u64::try_from(asking.started.elapsed().as_millis()).unwrap_or(u64::MAX),
    });
    add(model, answers, signatures)
}

/// Adds the engine's answers to the model.
pub fn add(
    model: &mut StackModel,
    answers: dockerengine::Answers,
    signatures: &Signatures,
) -> Result<(), Error> {
    for container in answers.containers {
        let call = format!("GET /containers/{}/json", container.name);
        let parsed = dockerengine::Parsed {
            containers: vec![container],
            ..dockerengine::Parsed::default()
        };
        super::engine::merge(model, parsed, &|_| Origin::Engine { call: call.clone() });
    }
    let parsed = dockerengine::Parsed {
        networks: answers.networks,
        ..dockerengine::Parsed::default()
    };
    super::engine::merge(model, parsed, &|_| Origin::Engine {
        call: "GET /networks".into(),
    });
    let parsed = dockerengine::Parsed {
        events: answers.events,
        ..dockerengine::Parsed::default()
    };
    super::engine::merge(model, parsed, &|_| Origin::Engine {
        call: "GET /events (last hour)".into(),
    });
    // The signature library loads only when some container had log lines.
    let signatures = match answers.logs.iter().any(|l| !l.lines.is_empty()) {
        true => signatures.get()?,
        false => return Ok(()),
    };
    // Through the same scanner as log files (JSON entries, prefixes, captures).
    let texts: Vec<(std::path::PathBuf, String)> = answers
        .logs
        .iter()
        .map(|logs| {
            let subject = model
                .engine
                .containers
                .iter()
                .find(|c| c.state.name == logs.container)
                .map_or(logs.container.as_str(), |c| c.subject());
            (subject.into(), logs.lines.join("\n"))
        })
        .collect();
    let scans = super::logs::scan_texts(signatures, &texts)?;
    for (logs, scan) in answers.logs.iter().zip(scans) {
        let count = logs.lines.len();
        for mut event in scan.events {
            if let Origin::Log(position) = &event.origin {
                event.origin = Origin::Engine {
                    call: format!(
                        "GET /containers/{}/logs, line {} of the last {count}",
                        logs.container, position.line
                    ),
                };
            }
            model.log_events.push(event);
        }
    }
    Ok(())
}
