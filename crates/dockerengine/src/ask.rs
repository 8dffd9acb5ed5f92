//! Asks a live engine what a stack runs: the compose containers (stopped
//! ones too), each one's inspect and last log lines, the networks and the
//! last hour's container events, all under one deadline, the independent
//! calls at once on their own threads.

use crate::client::{filters, Client, Endpoint};
use crate::sockets::{parse_socket_table, read_from_proc, Sockets};
use crate::{Container, Event, Network};
use std::path::PathBuf;
use std::time::Instant;

/// What to ask.
#[derive(Debug, Clone)]
pub struct Ask {
    /// Compose projects to ask about; empty means every compose container.
    pub projects: Vec<String>,
    /// Log lines kept per container (`tail`).
    pub log_lines: u32,
    /// Containers inspected at most.
    pub max_containers: usize,
    /// Events of this many seconds back.
    pub events_since_secs: u64,
    /// The engine host's `/proc`, when the engine runs on this machine:
    /// running containers' listening sockets are read there first.
    pub proc_root: Option<PathBuf>,
    /// Else run `cat` of the socket tables in the container (`docker exec`),
    /// which works when the image has a `cat`.
    pub exec_cat: bool,
}

impl Default for Ask {
    fn default() -> Self {
        Ask {
            projects: Vec::new(),
            log_lines: 50,
            max_containers: 100,
            events_since_secs: 3600,
            proc_root: None,
            exec_cat: false,
        }
    }
}

/// One container's last log lines.
#[derive(Debug, Clone, Default)]
pub struct ContainerLogs {
    pub container: String,
    pub lines: Vec<String>,
}

/// What the engine answered; calls that failed are in `problems`, the rest is kept.
#[derive(Debug, Clone, Default)]
pub struct Answers {
    pub version: Option<String>,
    pub containers: Vec<Container>,
    pub networks: Vec<Network>,
    pub events: Vec<Event>,
    pub logs: Vec<ContainerLogs>,
    pub problems: Vec<String>,
}

/// Asks `endpoint` by `deadline`; returns by then whatever the engine does.
pub fn ask(endpoint: Endpoint, deadline: Instant, what: &Ask) -> Answers {
    let mut answers = Answers::default();
    let mut client = Client::new(endpoint, deadline);
    match client.negotiate() {
        Ok(version) => answers.version = Some(version),
        Err(error) => {
            answers.problems.push(format!("GET /version: {error}"));
            return answers;
        }
    }
    let labels: Vec<String> = if what.projects.is_empty() {
        vec![crate::PROJECT_LABEL.to_string()]
    } else {
        what.projects
            .iter()
            .map(|p| format!("{}={p}", crate::PROJECT_LABEL))
            .collect()
    };
    let client = &client;
    std::thread::scope(|scope| {
        let networks = scope.spawn(|| client.get_json("/networks"));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let events_path = format!(
            "/events?since={}&until={now}&filters={}",
            now.saturating_sub(what.events_since_secs),
            filters(&[("type", vec!["container".into()])])
        );
        let events = scope.spawn(move || client.get(&events_path));
        // One list per project: the label filter ORs values of one key only in newer engines.
        let mut summaries: Vec<Container> = Vec::new();
        for label in &labels {
            let path = format!(
                "/containers/json?all=1&filters={}",
                filters(&[("label", vec![label.clone()])])
            );
            match client.get_json(&path) {
                Ok(serde_json::Value::Array(items)) => {
                    for container in items.iter().filter_map(crate::container_from_json) {
                        if !summaries.iter().any(|s| s.id == container.id) {
                            summaries.push(container);
                        }
                    }
                }
                Ok(_) => answers.problems.push(format!("GET {path}: not a list")),
                Err(error) => answers.problems.push(format!("GET {path}: {error}")),
            }
        }
        if summaries.len() > what.max_containers {
            answers.problems.push(format!(
                "{} containers; the first {} were asked",
                summaries.len(),
                what.max_containers
            ));
            summaries.truncate(what.max_containers);
        }
        let per_container: Vec<_> = summaries
            .iter()
            .map(|summary| {
                let id = summary.id.clone().unwrap_or_default();
                let tail = what.log_lines;
                scope.spawn(move || {
                    let inspect = client.get_json(&format!("/containers/{id}/json"));
                    let tty = inspect
                        .as_ref()
                        .ok()
                        .and_then(|v| v.pointer("/Config/Tty"))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false);
                    // Its sockets on this container's own thread, with its logs.
                    let inspect = inspect.map(|v| {
                        crate::container_from_json(&v).map(|mut container| {
                            container.sockets = listening_sockets(client, &container, what);
                            container
                        })
                    });
                    let logs = client.get(&format!(
                        "/containers/{id}/logs?stdout=1&stderr=1&tail={tail}"
                    ));
                    (inspect, logs, tty)
                })
            })
            .collect();
        for (summary, handle) in summaries.iter().zip(per_container) {
            let Ok((inspect, logs, tty)) = handle.join() else {
                continue;
            };
            let name = summary.name.clone();
            match inspect {
                Ok(Some(container)) => answers.containers.push(container),
                Ok(None) => answers.containers.push(summary.clone()),
                Err(error) => {
                    answers
                        .problems
                        .push(format!("GET /containers/{name}/json: {error}"));
                    answers.containers.push(summary.clone());
                }
            }
            match logs {
                Ok(response) if response.status == 200 => {
                    let text = if tty {
                        String::from_utf8_lossy(&response.body).into_owned()
                    } else {
                        match crate::demux_log_stream(&response.body) {
                            Ok(frames) => frames
                                .iter()
                                .map(|f| String::from_utf8_lossy(&f.payload).into_owned())
                                .collect(),
                            Err(_) => String::from_utf8_lossy(&response.body).into_owned(),
                        }
                    };
                    answers.logs.push(ContainerLogs {
                        container: name,
                        lines: text.lines().map(String::from).collect(),
                    });
                }
                Ok(response) => answers.problems.push(format!(
                    "GET /containers/{name}/logs: status {}",
                    response.status
                )),
                Err(error) => answers
                    .problems
                    .push(format!("GET /containers/{name}/logs: {error}")),
            }
        }
        match networks.join() {
            Ok(Ok(serde_json::Value::Array(items))) => {
                answers.networks = items.iter().filter_map(crate::network_from_json).collect();
            }
            Ok(Ok(_)) => answers.problems.push("GET /networks: not a list".into()),
            Ok(Err(error)) => answers.problems.push(format!("GET /networks: {error}")),
            Err(_) => {}
        }
        match events.join() {
            Ok(Ok(response)) => {
                let text = String::from_utf8_lossy(&response.body);
                answers.events = text
                    .lines()
                    .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                    .filter_map(|v| crate::event_from_json(&v))
                    // The stack's own: the engine ANDs label filters, so projects are picked here.
                    .filter(|e| {
                        let project = e.attributes.get(crate::PROJECT_LABEL);
                        match &what.projects[..] {
                            [] => project.is_some(),
                            projects => project.is_some_and(|p| projects.contains(p)),
                        }
                    })
                    .collect();
            }
            Ok(Err(error)) => answers.problems.push(format!("GET /events: {error}")),
            Err(_) => {}
        }
    });
    answers
}

/// What a running container listens on: from the host's `/proc` when the
/// process there is this container's, else from `cat` in the container.
fn listening_sockets(client: &Client, container: &Container, what: &Ask) -> Option<Sockets> {
    if container.status.as_deref() != Some("running") {
        return None;
    }
    let id = container.id.as_deref()?;
    let mut reasons = Vec::new();
    match (&what.proc_root, container.pid.filter(|pid| *pid > 0)) {
        (Some(root), Some(pid)) => match read_from_proc(root, pid, id) {
            Ok(sockets) => return Some(sockets),
            Err(reason) => reasons.push(reason),
        },
        (None, _) => reasons.push("the engine does not run on this machine".to_string()),
        (_, None) => reasons.push("the engine gave no process ID".to_string()),
    }
    if what.exec_cat {
        match exec_cat(client, id, &container.name) {
            Ok(sockets) => return Some(sockets),
            Err(reason) => reasons.push(reason),
        }
    }
    Some(Sockets::Unseen {
        reason: reasons.join("; "),
    })
}

/// `docker exec NAME cat /proc/net/tcp /proc/net/tcp6`, through the API.
fn exec_cat(client: &Client, id: &str, name: &str) -> Result<Sockets, String> {
    let command = ["cat", "/proc/net/tcp", "/proc/net/tcp6"];
    let create = format!("/containers/{id}/exec");
    let created = client
        .post(
            &create,
            &serde_json::json!({"AttachStdout": true, "AttachStderr": true, "Cmd": command}),
        )
        .map_err(|e| format!("POST {create}: {e}"))?;
    let exec_id = serde_json::from_slice::<serde_json::Value>(&created.body)
        .ok()
        .and_then(|v| v.get("Id")?.as_str().map(String::from))
        .filter(|_| created.status == 201)
        .ok_or_else(|| format!("POST {create}: status {}", created.status))?;
    let start = format!("/exec/{exec_id}/start");
    let started = client
        .post(&start, &serde_json::json!({"Detach": false, "Tty": false}))
        .map_err(|e| format!("POST {start}: {e}"))?;
    let stdout: String = match crate::demux_log_stream(&started.body) {
        Ok(frames) => frames
            .iter()
            .filter(|f| f.stream == crate::StreamKind::Stdout)
            .map(|f| String::from_utf8_lossy(&f.payload).into_owned())
            .collect(),
        Err(_) => String::from_utf8_lossy(&started.body).into_owned(),
    };
    let listening = parse_socket_table(&stdout).ok_or_else(|| {
        format!("`cat` in {name} printed no socket table (the image may have no `cat`)")
    })?;
    Ok(Sockets::read(
        format!("docker exec {name} {}", command.join(" ")),
        listening,
    ))
}
