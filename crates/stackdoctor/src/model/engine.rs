//! What runs: the Docker Engine's containers, networks and events, read from
//! saved outputs given with `--logs` (`docker inspect`, `docker compose ps
//! --format json`, `docker network inspect`, `docker events --format json`,
//! compose's lines about containers) or asked of the engine itself. Each
//! record is joined to the compose service it belongs to and keeps its
//! [`Origin`]: a line of a saved output, or the engine's answer.

use super::{Origin, ServiceId};
use serde::Serialize;
use std::collections::BTreeMap;

/// The running state of the stack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EngineModel {
    pub containers: Vec<ContainerState>,
    pub networks: Vec<EngineNetwork>,
    /// Container events (`die`, `oom`, `restart`, `health_status: …`); others are not kept.
    pub events: Vec<EngineEvent>,
    /// compose's lines about containers (`web-1 exited with code 137`, …).
    pub lines: Vec<ContainerLine>,
    /// How the live engine was asked, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<EngineReach>,
}

impl EngineModel {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty()
            && self.networks.is_empty()
            && self.events.is_empty()
            && self.lines.is_empty()
            && self.live.is_none()
    }

    /// The containers of compose service `name` (by the join, else by label).
    pub fn containers_of<'a>(
        &'a self,
        subject: &'a str,
    ) -> impl Iterator<Item = &'a ContainerState> + 'a {
        self.containers
            .iter()
            .filter(move |c| c.subject() == subject)
    }
}

/// Which service a record belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServiceJoin {
    /// The model's service, when the files define it.
    pub service: Option<ServiceId>,
    /// The compose service's name (label, or read from the container name).
    pub service_name: Option<String>,
    pub project: Option<String>,
}

/// One container as the engine describes it.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerState {
    #[serde(flatten)]
    pub join: ServiceJoin,
    pub state: dockerengine::Container,
    /// Where the record is (the start of its object in a saved output, or the engine call).
    pub origin: Origin,
    /// Where some fields are (`OOMKilled`, `ExitCode`, …), for evidence.
    #[serde(skip)]
    pub fields: BTreeMap<String, Origin>,
}

impl ContainerState {
    /// The service name, else the container name: what findings are about.
    pub fn subject(&self) -> &str {
        self.join
            .service_name
            .as_deref()
            .unwrap_or(&self.state.name)
    }

    /// Where `field` is written, else where the record is.
    pub fn origin_of(&self, field: &str) -> Origin {
        self.fields
            .get(field)
            .cloned()
            .unwrap_or_else(|| self.origin.clone())
    }

    pub fn status(&self) -> Option<&str> {
        self.state.status.as_deref()
    }
}

/// A network as the engine knows it.
#[derive(Debug, Clone, Serialize)]
pub struct EngineNetwork {
    pub network: dockerengine::Network,
    pub origin: Origin,
}

/// One container event.
#[derive(Debug, Clone, Serialize)]
pub struct EngineEvent {
    #[serde(flatten)]
    pub join: ServiceJoin,
    pub event: dockerengine::Event,
    pub origin: Origin,
}

/// One of compose's lines about a container.
#[derive(Debug, Clone, Serialize)]
pub struct ContainerLine {
    #[serde(flatten)]
    pub join: ServiceJoin,
    pub line: dockerengine::ComposeLine,
    pub origin: Origin,
}

impl ContainerLine {
    pub fn subject(&self) -> &str {
        self.join
            .service_name
            .as_deref()
            .unwrap_or(&self.line.container)
    }
}

/// How the live engine answered.
#[derive(Debug, Clone, Serialize)]
pub struct EngineReach {
    /// `unix:///var/run/docker.sock`, `tcp://…`.
    pub host: String,
    /// The API version used (negotiated), when the engine answered.
    pub api_version: Option<String>,
    /// Why it could not be asked (or what failed), when something did.
    pub problems: Vec<String>,
    pub elapsed_ms: u64,
}
