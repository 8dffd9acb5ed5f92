//! Reads what the Docker Engine says about a stack's containers.
//!
//! People paste or save what `docker inspect`, `docker compose ps --format
//! json`, `docker network inspect` and `docker events --format json` print,
//! and the lines `docker compose up`/`logs` print about containers
//! (`web-1 exited with code 137`, `dependency failed to start: container db-1
//! is unhealthy`, ` ✘ Container db-1  Error`). [`parse`] finds each of them by
//! its shape anywhere in a text (a terminal session, a log file with other
//! lines) and returns typed records with the line and column each came from.
//! The live engine's answers have the same shapes, so the same readers serve
//! a client ([`container_from_json`], [`network_from_json`], [`event_from_json`]);
//! [`demux_log_stream`] splits the engine's multiplexed log stream.
//!
//! Budgets ([`Limits`]): bytes read, JSON depth, records kept and bytes
//! scanned for JSON values; hostile input never panics, recurses without
//! bound or makes the scan quadratic.
//!
//! ```
//! let text = r#"[{"Id": "abc", "Name": "/shop-web-1",
//!   "State": {"Status": "exited", "OOMKilled": true, "ExitCode": 137},
//!   "RestartCount": 5, "HostConfig": {"Memory": 268435456},
//!   "Config": {"Image": "shop-web", "Labels": {"com.docker.compose.service": "web"}}}]"#;
//! let parsed = dockerengine::parse(text, &dockerengine::Limits::default()).unwrap();
//! let web = &parsed.containers[0];
//! assert_eq!(web.name, "shop-web-1");
//! assert_eq!(web.service(), Some("web"));
//! assert_eq!((web.oom_killed, web.exit_code, web.restart_count), (Some(true), Some(137), Some(5)));
//! assert_eq!(web.memory_limit, Some(256 << 20));
//! ```

mod ask;
pub mod client;
mod error;
mod lines;
mod scan;
mod sockets;
mod stream;

pub use ask::{ask, Answers, Ask, ContainerLogs};
pub use error::Error;
pub use lines::{parse_line, ComposeLine, LineKind};
pub use sockets::{parse_socket_table, read_from_proc, ListeningSocket, Sockets};
pub use stream::{demux_log_stream, LogFrame, StreamKind};

use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Compose's labels on the containers it creates (docker/compose `pkg/api/labels.go`).
pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const NUMBER_LABEL: &str = "com.docker.compose.container-number";
pub const CONFIG_HASH_LABEL: &str = "com.docker.compose.config-hash";
pub const CONFIG_FILES_LABEL: &str = "com.docker.compose.project.config_files";

/// Budgets on one input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input read at all.
    pub max_bytes: usize,
    /// Deepest JSON nesting accepted (serde_json's own limit is 128).
    pub max_depth: usize,
    /// Records (containers, networks, events, lines) kept; the rest are counted.
    pub max_records: usize,
    /// Bytes the search for JSON values may scan in all (a text of many
    /// unclosed `{` would otherwise be scanned once per line).
    pub max_scan: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            max_depth: 64,
            max_records: 20_000,
            max_scan: 256 << 20,
        }
    }
}

/// Where a record or a field starts: 1-based line and column (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct At {
    pub line: u32,
    pub column: u32,
}

/// Which output a container record was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainerFrom {
    /// `docker inspect` / `GET /containers/{id}/json`.
    Inspect,
    /// `docker compose ps --format json` (lines or the older array).
    ComposePs,
    /// `GET /containers/json` (a summary).
    Summary,
}

/// The health check's state (`State.Health`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Health {
    /// `starting`, `healthy`, `unhealthy` (or `none`).
    pub status: String,
    pub failing_streak: Option<u64>,
    /// The last probes, oldest first (the engine keeps five).
    pub log: Vec<HealthProbe>,
}

/// One run of the health check.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HealthProbe {
    pub start: Option<String>,
    pub exit_code: Option<i64>,
    /// What the check printed (capped at [`FIELD_CAP`]).
    pub output: String,
}

/// A container's attachment to a network.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NetworkJoin {
    pub network: String,
    pub aliases: Vec<String>,
    pub ip: Option<String>,
}

/// A port published on the host.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PublishedPort {
    pub container_port: u16,
    pub protocol: String,
    pub host_ip: Option<String>,
    pub host_port: Option<String>,
}

/// A mount of the container.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Mount {
    pub kind: Option<String>,
    pub source: Option<String>,
    pub destination: String,
}

/// One container as the engine describes it. Fields the output did not
/// have are `None` (or empty): `docker compose ps` says less than `inspect`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Container {
    pub from: Option<ContainerFrom>,
    pub id: Option<String>,
    /// Without the leading `/` of `docker inspect`.
    pub name: String,
    /// The image as configured (`Config.Image`, compose ps's `Image`).
    pub image: Option<String>,
    /// The image ID (`sha256:…`) the container was created from.
    pub image_id: Option<String>,
    pub created: Option<String>,
    /// `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub status: Option<String>,
    pub oom_killed: Option<bool>,
    pub exit_code: Option<i64>,
    /// The engine's own error (`State.Error`), e.g. a failed start.
    pub error: Option<String>,
    pub pid: Option<u32>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub restart_count: Option<u64>,
    /// `HostConfig.RestartPolicy.Name`.
    pub restart_policy: Option<String>,
    /// `HostConfig.Memory` in bytes (0, no limit, is `None`).
    pub memory_limit: Option<u64>,
    pub health: Option<Health>,
    /// The configured health check command (`Config.Healthcheck.Test`).
    pub health_test: Vec<String>,
    /// `Config.Env` as (name, value); values are as the engine has them:
    /// the reader of these records masks them.
    pub env: Vec<(String, String)>,
    pub labels: BTreeMap<String, String>,
    pub cmd: Vec<String>,
    pub entrypoint: Vec<String>,
    pub tty: Option<bool>,
    /// `HostConfig.NetworkMode` (`bridge`, `host`, `shop_default`, `container:…`).
    pub network_mode: Option<String>,
    pub networks: Vec<NetworkJoin>,
    pub ports: Vec<PublishedPort>,
    /// `Config.ExposedPorts` as `80/tcp`.
    pub exposed: Vec<String>,
    pub mounts: Vec<Mount>,
    /// What its processes listen on (live engine only), when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sockets: Option<Sockets>,
    /// Where the record starts.
    pub at: At,
    /// Where some fields are written (`OOMKilled`, `ExitCode`, `RestartCount`,
    /// `Health`, `Memory`, `Image`, `Status`, `Networks`, `Env`), when found.
    pub fields: BTreeMap<String, At>,
}

impl Container {
    /// The compose project (its label), if any.
    pub fn project(&self) -> Option<&str> {
        self.labels.get(PROJECT_LABEL).map(String::as_str)
    }

    /// The compose service (its label), if any.
    pub fn service(&self) -> Option<&str> {
        self.labels.get(SERVICE_LABEL).map(String::as_str)
    }

    /// Where `field` is written, else where the record starts.
    pub fn field_at(&self, field: &str) -> At {
        self.fields.get(field).copied().unwrap_or(self.at)
    }
}

/// A network as `docker network inspect` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Network {
    pub id: Option<String>,
    pub name: String,
    pub driver: Option<String>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    /// Container names on it, with their address.
    pub containers: Vec<(String, Option<String>)>,
    pub at: At,
}

/// One line of `docker events --format json` (or the `/events` stream).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Event {
    /// `container`, `network`, `image`, …
    pub kind: String,
    /// `die`, `oom`, `kill`, `restart`, `start`, `health_status: unhealthy`, …
    pub action: String,
    pub id: Option<String>,
    /// The container's name (`Actor.Attributes.name`).
    pub name: Option<String>,
    pub exit_code: Option<i64>,
    /// `Actor.Attributes` (compose labels among them), capped.
    pub attributes: BTreeMap<String, String>,
    /// Unix seconds.
    pub time: Option<i64>,
    pub at: At,
}

impl Event {
    /// The compose service (its label), if any.
    pub fn service(&self) -> Option<&str> {
        self.attributes.get(SERVICE_LABEL).map(String::as_str)
    }
}

/// Everything found in one text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub containers: Vec<Container>,
    pub networks: Vec<Network>,
    pub events: Vec<Event>,
    pub lines: Vec<ComposeLine>,
    /// Records beyond [`Limits::max_records`], counted, not kept.
    pub dropped: usize,
    /// The scan budget ran out before the end of the text.
    pub scan_exhausted: bool,
    /// The first line where a JSON-looking value nested deeper than
    /// [`Limits::max_depth`]; it was skipped.
    pub too_deep: Option<u32>,
}

impl Parsed {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.networks.is_empty()
            && self.events.is_empty()
            && self.lines.is_empty()
    }

    fn records(&self) -> usize {
        self.containers.len() + self.networks.len() + self.events.len() + self.lines.len()
    }
}

/// Strings kept from the engine's output are cut at this many bytes
/// (a health check can print a whole HTML page).
pub const FIELD_CAP: usize = 4096;

/// Finds every engine output in `text` by its shape.
pub fn parse(text: &str, limits: &Limits) -> Result<Parsed, Error> {
    if text.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: text.len(),
            limit: limits.max_bytes,
        });
    }
    let mut parsed = Parsed::default();
    let mut scanned = 0usize;
    let mut offset = 0usize;
    let mut line_no = 0u32;
    let mut skip_until = 0usize;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        line_no += 1;
        if start < skip_until {
            continue;
        }
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let lead = line.len() - trimmed.len();
        if (trimmed.starts_with('{') || trimmed.starts_with('[')) && !parsed.scan_exhausted {
            let from = start + lead;
            let budget = limits.max_scan.saturating_sub(scanned);
            match scan::extent(&text.as_bytes()[from..], limits.max_depth, budget) {
                scan::Extent::Value(len) => {
                    scanned += len;
                    let found = read_json(&text[from..from + len], text, from, &mut parsed, limits);
                    if found {
                        skip_until = from + len;
                        continue;
                    }
                }
                scan::Extent::Open(len) => scanned += len,
                scan::Extent::TooDeep(len) => {
                    // Not an engine output (none nests that deep): noted, and the text read on.
                    scanned += len;
                    parsed.too_deep.get_or_insert(line_no);
                }
                scan::Extent::Budget => parsed.scan_exhausted = true,
            }
        }
        if let Some(mut found) = lines::parse_line(line) {
            if parsed.records() >= limits.max_records {
                parsed.dropped += 1;
                continue;
            }
            found.at = At {
                line: line_no,
                column: 1,
            };
            parsed.lines.push(found);
        }
    }
    Ok(parsed)
}

/// Reads one JSON value at byte `from` of `text`; returns whether it had a known shape.
fn read_json(slice: &str, text: &str, from: usize, parsed: &mut Parsed, limits: &Limits) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(slice) else {
        return false;
    };
    // Where each element starts: the array's items are located by a second, shallow scan.
    let items: Vec<(usize, &Value)> = match &value {
        Value::Array(items) => scan::element_offsets(slice.as_bytes())
            .into_iter()
            .zip(items.iter())
            .collect(),
        other => vec![(0, other)],
    };
    let mut found = false;
    for (element_offset, item) in items {
        let start = from + element_offset;
        let at = position(text, start);
        let element_text = &text[start..(from + slice.len())];
        let keep = |parsed: &mut Parsed| {
            if parsed.records() >= limits.max_records {
                parsed.dropped += 1;
                false
            } else {
                true
            }
        };
        if let Some(mut container) = container_from_json(item) {
            found = true;
            if keep(parsed) {
                container.at = at;
                container.fields = field_positions(text, start, element_text, &container);
                parsed.containers.push(container);
            }
        } else if let Some(mut network) = network_from_json(item) {
            found = true;
            if keep(parsed) {
                network.at = at;
                parsed.networks.push(network);
            }
        } else if let Some(mut event) = event_from_json(item) {
            found = true;
            if keep(parsed) {
                event.at = at;
                parsed.events.push(event);
            }
        }
    }
    found
}

/// Line and column of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> At {
    let before = &text[..offset];
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    At {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(before[line_start..].chars().count() + 1).unwrap_or(u32::MAX),
    }
}

/// Positions of the telling fields inside one record's text: the first
/// `"Key"` after the record's start (inspect writes `State` before
/// `Health.Log`, so `ExitCode` is the container's own).
fn field_positions(
    text: &str,
    start: usize,
    element_text: &str,
    container: &Container,
) -> BTreeMap<String, At> {
    let mut fields = BTreeMap::new();
    let own_len = match scan::extent(element_text.as_bytes(), usize::MAX, usize::MAX) {
        scan::Extent::Value(len) => len,
        _ => element_text.len(),
    };
    let own = &element_text[..own_len];
    let keys: &[&str] = match container.from {
        Some(ContainerFrom::ComposePs) => &["State", "ExitCode", "Health", "Image", "Status"],
        _ => &[
            "Status",
            "OOMKilled",
            "ExitCode",
            "RestartCount",
            "Health",
            "Memory",
            "Image",
            "Networks",
            "Env",
            "PortBindings",
            "Error",
        ],
    };
    for key in keys {
        let quoted = format!("\"{key}\"");
        if let Some(i) = own.find(&quoted) {
            fields.insert(key.to_string(), position(text, start + i));
        }
    }
    fields
}

fn cap(text: &str) -> String {
    if text.len() <= FIELD_CAP {
        return text.to_string();
    }
    let mut end = FIELD_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

fn string(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(cap)
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .take(256)
            .map(cap)
            .collect(),
        Some(Value::String(s)) => vec![cap(s)],
        _ => Vec::new(),
    }
}

fn labels_of(value: Option<&Value>) -> BTreeMap<String, String> {
    match value {
        Some(Value::Object(map)) => map
            .iter()
            .take(1024)
            .filter_map(|(k, v)| v.as_str().map(|v| (cap(k), cap(v))))
            .collect(),
        // compose ps ≥ 2.21 joins labels with commas: `a=b,c=d`.
        Some(Value::String(joined)) => joined
            .split(',')
            .take(1024)
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (cap(k), cap(v)))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// A container from an inspect object, a compose ps object or a
/// `/containers/json` summary; `None` for any other shape.
pub fn container_from_json(value: &Value) -> Option<Container> {
    let object = value.as_object()?;
    if let Some(state) = object.get("State").filter(|s| s.is_object()) {
        if object.contains_key("Config") || object.contains_key("HostConfig") {
            return Some(from_inspect(value, state));
        }
    }
    if object.contains_key("Service")
        && object.contains_key("State")
        && (object.contains_key("Name") || object.contains_key("ID"))
    {
        return Some(from_compose_ps(value));
    }
    if object.contains_key("Names")
        && object.contains_key("Id")
        && object.get("State").is_some_and(Value::is_string)
    {
        return Some(from_summary(value));
    }
    None
}

fn from_inspect(value: &Value, state: &Value) -> Container {
    let config = value.get("Config").unwrap_or(&Value::Null);
    let host = value.get("HostConfig").unwrap_or(&Value::Null);
    let health = state
        .get("Health")
        .filter(|h| h.is_object())
        .map(|h| Health {
            status: string(h, "Status").unwrap_or_default(),
            failing_streak: h.get("FailingStreak").and_then(Value::as_u64),
            log: match h.get("Log") {
                Some(Value::Array(runs)) => runs
                    .iter()
                    .rev()
                    .take(16)
                    .rev()
                    .map(|run| HealthProbe {
                        start: string(run, "Start"),
                        exit_code: run.get("ExitCode").and_then(Value::as_i64),
                        output: string(run, "Output").unwrap_or_default(),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        });
    let env = strings(config.get("Env"))
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (pair, String::new()),
        })
        .collect();
    let networks = match value.pointer("/NetworkSettings/Networks") {
        Some(Value::Object(map)) => map
            .iter()
            .take(256)
            .map(|(name, join)| NetworkJoin {
                network: cap(name),
                aliases: strings(join.get("Aliases")),
                ip: string(join, "IPAddress").filter(|ip| !ip.is_empty()),
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut ports = Vec::new();
    // Live containers have `NetworkSettings.Ports`; stopped ones only `HostConfig.PortBindings`.
    let bindings = value
        .pointer("/NetworkSettings/Ports")
        .filter(|p| p.as_object().is_some_and(|m| !m.is_empty()))
        .or_else(|| host.get("PortBindings"));
    if let Some(Value::Object(map)) = bindings {
        for (key, list) in map.iter().take(1024) {
            let (port, protocol) = key.split_once('/').unwrap_or((key, "tcp"));
            let Ok(container_port) = port.parse::<u16>() else {
                continue;
            };
            for binding in list.as_array().into_iter().flatten().take(16) {
                ports.push(PublishedPort {
                    container_port,
                    protocol: protocol.to_string(),
                    host_ip: string(binding, "HostIp").filter(|s| !s.is_empty()),
                    host_port: string(binding, "HostPort").filter(|s| !s.is_empty()),
                });
            }
        }
    }
    let mounts = match value.get("Mounts") {
        Some(Value::Array(list)) => list
            .iter()
            .take(256)
            .map(|m| Mount {
                kind: string(m, "Type"),
                source: string(m, "Source"),
                destination: string(m, "Destination").unwrap_or_default(),
            })
            .collect(),
        _ => Vec::new(),
    };
    Container {
        from: Some(ContainerFrom::Inspect),
        id: string(value, "Id"),
        name: string(value, "Name")
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        image: string(config, "Image"),
        image_id: string(value, "Image"),
        created: string(value, "Created"),
        status: string(state, "Status"),
        oom_killed: state.get("OOMKilled").and_then(Value::as_bool),
        exit_code: state.get("ExitCode").and_then(Value::as_i64),
        error: string(state, "Error").filter(|e| !e.is_empty()),
        pid: state
            .get("Pid")
            .and_then(Value::as_u64)
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| *p > 0),
        started_at: string(state, "StartedAt"),
        finished_at: string(state, "FinishedAt"),
        restart_count: value.get("RestartCount").and_then(Value::as_u64),
        restart_policy: host
            .pointer("/RestartPolicy/Name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .map(cap),
        memory_limit: host
            .get("Memory")
            .and_then(Value::as_u64)
            .filter(|m| *m > 0),
        health,
        health_test: strings(config.pointer("/Healthcheck/Test")),
        env,
        labels: labels_of(config.get("Labels")),
        cmd: strings(config.get("Cmd")),
        entrypoint: strings(config.get("Entrypoint")),
        tty: config.get("Tty").and_then(Value::as_bool),
        network_mode: string(host, "NetworkMode"),
        networks,
        ports,
        exposed: match config.get("ExposedPorts") {
            Some(Value::Object(map)) => map.keys().take(1024).map(|k| cap(k)).collect(),
            _ => Vec::new(),
        },
        mounts,
        ..Container::default()
    }
}

fn from_compose_ps(value: &Value) -> Container {
    let mut labels = labels_of(value.get("Labels"));
    if let Some(service) = string(value, "Service") {
        labels.entry(SERVICE_LABEL.to_string()).or_insert(service);
    }
    if let Some(project) = string(value, "Project") {
        labels.entry(PROJECT_LABEL.to_string()).or_insert(project);
    }
    let health = string(value, "Health")
        .filter(|h| !h.is_empty())
        .map(|status| Health {
            status,
            ..Health::default()
        });
    let ports = match value.get("Publishers") {
        Some(Value::Array(list)) => list
            .iter()
            .take(1024)
            .filter_map(|p| {
                let container_port = u16::try_from(p.get("TargetPort")?.as_u64()?).ok()?;
                let published = p.get("PublishedPort").and_then(Value::as_u64).unwrap_or(0);
                Some(PublishedPort {
                    container_port,
                    protocol: string(p, "Protocol").unwrap_or_else(|| "tcp".into()),
                    host_ip: string(p, "URL").filter(|s| !s.is_empty()),
                    host_port: (published > 0).then(|| published.to_string()),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    let networks = string(value, "Networks")
        .map(|joined| {
            joined
                .split(',')
                .filter(|n| !n.is_empty())
                .take(256)
                .map(|n| NetworkJoin {
                    network: n.to_string(),
                    ..NetworkJoin::default()
                })
                .collect()
        })
        .unwrap_or_default();
    Container {
        from: Some(ContainerFrom::ComposePs),
        id: string(value, "ID"),
        name: string(value, "Name").unwrap_or_default(),
        image: string(value, "Image"),
        status: string(value, "State"),
        exit_code: value.get("ExitCode").and_then(Value::as_i64),
        health,
        labels,
        networks,
        ports,
        ..Container::default()
    }
}

fn from_summary(value: &Value) -> Container {
    let name = strings(value.get("Names"))
        .first()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_default();
    let networks = match value.pointer("/NetworkSettings/Networks") {
        Some(Value::Object(map)) => map
            .iter()
            .take(256)
            .map(|(name, join)| NetworkJoin {
                network: cap(name),
                aliases: strings(join.get("Aliases")),
                ip: string(join, "IPAddress").filter(|ip| !ip.is_empty()),
            })
            .collect(),
        _ => Vec::new(),
    };
    Container {
        from: Some(ContainerFrom::Summary),
        id: string(value, "Id"),
        name,
        image: string(value, "Image"),
        image_id: string(value, "ImageID"),
        status: string(value, "State"),
        labels: labels_of(value.get("Labels")),
        networks,
        ..Container::default()
    }
}

/// A network from a `docker network inspect` object (or `GET /networks`).
pub fn network_from_json(value: &Value) -> Option<Network> {
    let object = value.as_object()?;
    if !(object.contains_key("IPAM") && object.contains_key("Driver")) {
        return None;
    }
    let containers = match value.get("Containers") {
        Some(Value::Object(map)) => map
            .values()
            .take(4096)
            .map(|c| {
                (
                    string(c, "Name").unwrap_or_default(),
                    string(c, "IPv4Address")
                        .filter(|a| !a.is_empty())
                        .map(|a| a.split('/').next().unwrap_or_default().to_string()),
                )
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(Network {
        id: string(value, "Id"),
        name: string(value, "Name").unwrap_or_default(),
        driver: string(value, "Driver"),
        internal: value
            .get("Internal")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        labels: labels_of(value.get("Labels")),
        containers,
        at: At::default(),
    })
}

/// An event from `docker events --format json` (or `GET /events`).
pub fn event_from_json(value: &Value) -> Option<Event> {
    let object = value.as_object()?;
    let kind = string(value, "Type")?;
    let action = string(value, "Action").or_else(|| string(value, "status"))?;
    let actor = object.get("Actor")?;
    let attributes = labels_of(actor.get("Attributes"));
    Some(Event {
        kind,
        action,
        id: string(actor, "ID").or_else(|| string(value, "id")),
        name: attributes.get("name").cloned(),
        exit_code: attributes.get("exitCode").and_then(|c| c.parse().ok()),
        time: value.get("time").and_then(Value::as_i64),
        attributes,
        at: At::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\nçd{x";
        assert_eq!(position(text, 0), At { line: 1, column: 1 });
        assert_eq!(position(text, 3), At { line: 2, column: 1 });
        assert_eq!(position(text, 6), At { line: 2, column: 3 });
    }

    #[test]
    fn long_fields_are_cut_on_a_character_boundary() {
        let long = "é".repeat(FIELD_CAP);
        let cut = cap(&long);
        assert!(cut.len() <= FIELD_CAP + 3);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn labels_read_as_a_map_or_a_comma_joined_string() {
        let map = serde_json::json!({"a": "1", "b": "2"});
        assert_eq!(labels_of(Some(&map)).len(), 2);
        let joined =
            serde_json::json!("com.docker.compose.service=web,com.docker.compose.project=shop");
        let labels = labels_of(Some(&joined));
        assert_eq!(labels.get(SERVICE_LABEL).map(String::as_str), Some("web"));
        assert_eq!(labels.get(PROJECT_LABEL).map(String::as_str), Some("shop"));
    }
}
