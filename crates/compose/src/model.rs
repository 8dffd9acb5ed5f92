//! The loaded project: services, networks and the variables behind them.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a value was written: file, line (1-based), column (1-based, characters).
pub use yamltree::Position;

/// A value and the position of the YAML node it came from (after merging:
/// the file whose value won).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub position: Position,
}

/// Where a variable's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarSource {
    /// The shell environment given in [`crate::Options::environment`].
    Shell,
    /// A line of an env file (`.env`, `--env-file`, or a service `env_file`).
    EnvFile(Position),
    /// Written in the compose file (an `environment:` entry).
    ComposeFile(Position),
    /// A `${VAR:-default}` default in the compose file, used because the variable was unset/empty.
    Default(Position),
    /// Not set anywhere (interpolated as empty).
    Unset,
}

/// One `${…}` substitution made while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Substitution {
    pub variable: String,
    /// The text that was inserted.
    pub value: String,
    pub source: VarSource,
    /// Where the `${…}` was written.
    pub position: Position,
    /// Where the YAML value holding it starts (several substitutions may share one value).
    pub value_position: Position,
}

/// A variable of a container's environment, with its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    /// `None` for a bare `- NAME` that the project environment does not set (compose drops it).
    pub value: Option<String>,
    /// Where the entry was written (`environment:` item, or env_file line).
    pub position: Position,
    /// Where the value came from: for `KEY: ${X:-d}`, the source of `X` or the default.
    pub source: VarSource,
    /// The variable interpolated into the value (`X` in `KEY: ${X:-d}`; `NAME` for a bare `- NAME`).
    pub variable: Option<String>,
}

/// A `ports:` entry (short syntax target ranges give one `Port` per target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Port {
    pub target: u16,
    /// Host port or range as written (`8080`, `8000-8005`), `None` when not published.
    pub published: Option<String>,
    pub host_ip: Option<String>,
    /// `tcp` or `udp`.
    pub protocol: String,
    pub position: Position,
}

/// A service's attachment to a network (service-level `networks:` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNetwork {
    /// The key in the top-level `networks:` (e.g. `default`, `proxy`).
    pub key: String,
    pub aliases: Vec<Located<String>>,
    /// Position of the entry, or of the service name for the implied `default`.
    pub position: Position,
    /// `true` when compose attached the service to `default` because it listed no networks.
    pub implicit: bool,
}

/// A service's `healthcheck:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Healthcheck {
    /// `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`, normalised to a list.
    pub test: Option<Located<Vec<String>>>,
    pub interval: Option<Located<String>>,
    pub timeout: Option<Located<String>>,
    pub retries: Option<Located<u32>>,
    pub start_period: Option<Located<String>>,
    pub disable: bool,
    pub position: Position,
}

/// A `depends_on:` entry (the list form means `service_started`, required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub service: String,
    /// `service_started`, `service_healthy`, `service_completed_successfully`.
    pub condition: String,
    pub required: bool,
    pub position: Position,
}

/// A service after merging, `extends` and normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    /// Position of the service's key (in the first file that defines it).
    pub position: Position,
    pub image: Option<Located<String>>,
    /// `build.context` (or the short form), resolved against the project dir.
    pub build_context: Option<Located<PathBuf>>,
    pub container_name: Option<Located<String>>,
    pub hostname: Option<Located<String>>,
    /// Shell form split like compose does (`sh -c` is not added), exec form kept.
    pub command: Option<Located<Vec<String>>>,
    pub entrypoint: Option<Located<Vec<String>>>,
    /// The container environment after `env_file` and `environment` (later wins), sorted by name.
    pub environment: Vec<EnvVar>,
    pub env_files: Vec<Located<PathBuf>>,
    /// Required `env_file` entries that do not exist, when [`crate::Options`]
    /// asks to record them (compose itself refuses to load the project).
    pub missing_env_files: Vec<Located<PathBuf>>,
    pub ports: Vec<Port>,
    /// `expose:` entries (`"8000"`, `"8000/tcp"`, ranges kept as written).
    pub expose: Vec<Located<String>>,
    pub networks: Vec<ServiceNetwork>,
    pub network_mode: Option<Located<String>>,
    pub healthcheck: Option<Healthcheck>,
    pub depends_on: Vec<Dependency>,
    pub profiles: Vec<Located<String>>,
    pub restart: Option<Located<String>>,
    /// `deploy.replicas` (or legacy `scale`).
    pub replicas: Option<Located<u32>>,
    /// `links:` entries as `(service, alias)`.
    pub links: Vec<Located<(String, String)>>,
    pub extra_hosts: Vec<Located<String>>,
    pub labels: BTreeMap<String, Located<String>>,
    /// `deploy.labels` (what Swarm, and Traefik's Swarm provider, read).
    pub deploy_labels: BTreeMap<String, Located<String>>,
    /// Bind mounts and volumes as written (`./Caddyfile:/etc/caddy/Caddyfile:ro`), with the
    /// host side resolved against the project dir for bind mounts.
    pub volumes: Vec<Volume>,
}

/// A `volumes:` entry of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// `bind`, `volume`, `tmpfs`, …
    pub kind: String,
    /// Host path (bind, resolved to an absolute path) or volume name.
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    pub position: Position,
}

/// A top-level network (or the implied `default`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The key under the top-level `networks:`.
    pub key: String,
    /// The engine-level name: `<project>_<key>` unless `name:` is set or it is external.
    pub name: String,
    pub external: bool,
    pub driver: Option<String>,
    pub internal: bool,
    /// Position of the key, or `None` for the implied `default` network.
    pub position: Option<Position>,
}

/// A warning compose itself would print (unset variable, obsolete `version`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub message: String,
    pub position: Option<Position>,
}

/// A loaded compose project.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Normalised project name, with where it came from.
    pub name: String,
    pub name_source: NameSource,
    pub working_dir: PathBuf,
    /// The compose files that were merged, in order.
    pub files: Vec<PathBuf>,
    /// The env files that fed interpolation (`.env`, `--env-file`).
    pub env_files: Vec<PathBuf>,
    /// Active services in file order (profiles applied).
    pub services: Vec<Service>,
    /// Services defined but disabled by profiles.
    pub disabled_services: Vec<Service>,
    /// Networks by key, including the implied `default` when used.
    pub networks: BTreeMap<String, Network>,
    /// Every substitution made, for provenance.
    pub substitutions: Vec<Substitution>,
    /// The interpolation environment: name → (value, source).
    pub variables: BTreeMap<String, (String, VarSource)>,
    pub warnings: Vec<Warning>,
}

/// Where the project name came from (`-p` > `COMPOSE_PROJECT_NAME` > `name:` > directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameSource {
    Flag,
    EnvVar,
    TopLevelName(Position),
    Directory,
}

impl Project {
    /// The active service called `name`.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }
}
