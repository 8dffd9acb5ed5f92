//! The one model of the stack that every source fills and every check reads.
//!
//! It is not tied to Caddy or to compose: a proxy is a list of sites whose
//! routes end in upstreams; a service is something that runs and listens;
//! a network is something services share. Every value keeps its [`Origin`].

pub mod api;
pub mod aws;
pub mod ecs;
pub mod engine;
pub mod logs;
pub mod origin;
pub mod service_names;

pub use origin::{FilePosition, Origin, SourceTexts, Sourced};

use serde::Serialize;
use std::path::PathBuf;

/// Index of a service in [`StackModel::services`].
pub type ServiceId = usize;

/// Everything stackdoctor understood about the stack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StackModel {
    /// The folder that was diagnosed; paths in reports are shown relative to it.
    pub root: PathBuf,
    pub projects: Vec<Project>,
    pub services: Vec<Service>,
    pub networks: Vec<Network>,
    pub proxies: Vec<Proxy>,
    pub log_events: Vec<LogEvent>,
    pub unrecognised_errors: UnrecognisedErrors,
    /// The URL the user says fails (`--url`), if any.
    pub requested_url: Option<RequestedUrl>,
    /// Services defined only in compose files of a project folder that are not
    /// among the active files (`docker-compose.dev.yml` next to the ones in use).
    pub inactive_services: Vec<InactiveService>,
    /// Inputs that could not be read as a whole (a Caddyfile that does not parse).
    pub invalid_inputs: Vec<InvalidInput>,
    /// What the stack needs from AWS (Bedrock clients, regions, credentials, IAM policies).
    pub aws: aws::AwsModel,
    /// ECS services deployed with ecspresso, and what their deploys said.
    pub ecs: ecs::EcsModel,
    /// The API error contracts of the project and how its clients use them.
    pub api: api::ApiModel,
    /// What runs: containers, networks and events the Docker Engine reported.
    #[serde(skip_serializing_if = "engine::EngineModel::is_empty")]
    pub engine: engine::EngineModel,
    /// How label-driven proxies pick the network to a container (Traefik).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_routes: Vec<LabelRoutes>,
    /// Warnings the loaders raised (unset variables, …), shown with `model`.
    pub notes: Vec<Sourced<String>>,
    /// How much of the `--logs` inputs was read.
    pub logs_read: LogsRead,
    /// `--logs` inputs skipped or read in part (binary, truncated gzip,
    /// budget reached, an idle pipe), shown in the report.
    pub log_notes: Vec<logs::InputNote>,
    #[serde(skip)]
    pub sources: SourceTexts,
    /// Values of secret-named variables in env files that no service receives,
    /// kept only so that outputs can mask them.
    #[serde(skip)]
    pub secret_values: Vec<String>,
}

/// How much of the `--logs` inputs was read.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LogsRead {
    pub inputs: u64,
    pub lines: u64,
}

impl StackModel {
    /// Whether any source understood something: a service, a proxy, an ECS
    /// deployment or output, AWS use, a policy, a log line, a probe answer,
    /// or an input it could not parse. Without any, "healthy" would only
    /// mean "nothing was read".
    pub fn understood_anything(&self) -> bool {
        !self.projects.is_empty()
            || !self.services.is_empty()
            || !self.proxies.is_empty()
            || !self.ecs.is_empty()
            || !self.engine.containers.is_empty()
            || !self.engine.events.is_empty()
            || !self.engine.lines.is_empty()
            || !self.aws.clients.is_empty()
            || !self.aws.policies.is_empty()
            || self.aws.live.is_some()
            || self.aws.api.is_some()
            || !self.invalid_inputs.is_empty()
            || !self.log_events.is_empty()
            || !self.api.contracts.is_empty()
            || !self.api.clients.is_empty()
            || (self.logs_read.lines > 0 && self.unrecognised_errors.count == 0)
    }
}

/// One compose project (one folder with compose files, or the `-f` set).
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub name: String,
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
    /// The env files read for interpolation (`.env` when it exists, `--env-file`).
    pub env_files: Vec<PathBuf>,
    /// What runs the project's containers.
    pub kind: ProjectKind,
    /// Whether `docker compose` run in `dir` finds exactly `files` by
    /// itself, so commands for the user need no `-f`.
    #[serde(skip)]
    pub default_files: bool,
}

/// What creates a project's containers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// `docker compose` with the project's files.
    Compose,
    /// `docker run` commands of a shell script or Makefile (the project's one file).
    Script,
}

/// A service that only an inactive compose file defines.
#[derive(Debug, Clone, Serialize)]
pub struct InactiveService {
    pub name: String,
    /// Index in [`StackModel::projects`] of the folder's active project.
    pub project: usize,
    pub file: PathBuf,
    pub origin: Origin,
}

/// Whether compose will start the service at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Activation {
    Active,
    /// Defined, but only under profiles that are not enabled.
    ProfileDisabled {
        profiles: Vec<String>,
    },
    /// `deploy.replicas: 0` (or `scale: 0`).
    ZeroReplicas {
        origin: Origin,
    },
}

/// How a service's process is known to listen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bind {
    /// All interfaces (`0.0.0.0`, `::`, or not restricted).
    All,
    /// Loopback only (`127.0.0.1`, `localhost`, `::1`): unreachable from other containers.
    Loopback,
}

/// What told us about a listening port; stronger evidence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenEvidence {
    /// A listening socket of the running container, read from the kernel's
    /// socket table (the engine host's `/proc`, or `cat` in the container):
    /// a fact, where the others are inferences.
    Socket,
    /// The command or entrypoint binds it (`--bind 0.0.0.0:8000`, `runserver`, …).
    Command,
    /// An environment variable the server reads (`PORT=3000`, `UVICORN_PORT`).
    Environment,
    /// `expose:` or the container side of `ports:`.
    Declared,
    /// The documented default of the image (`nginx` listens on 80).
    ImageDefault,
}

/// A port a service listens on inside its container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub port: u16,
    pub bind: Bind,
    /// `true` when the server speaks TLS on this port.
    pub tls: bool,
    pub evidence: ListenEvidence,
    pub origin: Origin,
    /// What was read, e.g. `python manage.py runserver` or `expose: 8000`.
    pub detail: String,
    /// The server program and how its address was set, when the command starts a known server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerBinding>,
}

/// How a known server program's address was set on its command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerBinding {
    pub program: String,
    pub host: String,
    pub port: u16,
    /// The command word that set the host (`127.0.0.1:8000`), `None` when it is the default.
    pub host_word: Option<String>,
    /// What to add to the command to listen on all interfaces (`0.0.0.0:8000`, `--host 0.0.0.0`).
    pub listen_all: String,
}

/// A service's attachment to an engine-level network.
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    /// Index in [`StackModel::networks`].
    pub network: usize,
    pub aliases: Vec<Sourced<String>>,
    pub origin: Origin,
}

/// A variable of a service's container environment.
#[derive(Debug, Clone, Serialize)]
pub struct EnvEntry {
    pub name: String,
    pub value: Option<String>,
    pub origin: Origin,
    /// Where the value came from when it was interpolated (`.env` line, default, shell).
    pub value_origin: Option<Origin>,
    /// What kind of place the value came from.
    pub value_from: ValueFrom,
    /// The variable interpolated into the value (`AWS_REGION` in `${AWS_REGION:-us-east-1}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

/// The kind of place an environment value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFrom {
    /// Written as is in the compose file.
    ComposeFile,
    /// A line of an env file (`.env`, `--env-file`, a service's `env_file`).
    EnvFile,
    /// The default of `${VAR:-default}`, because the variable was not set.
    Default,
    /// The shell that runs compose.
    Shell,
    /// Not set anywhere.
    Unset,
}

/// A container that compose runs (one service).
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub name: String,
    /// Index in [`StackModel::projects`].
    pub project: usize,
    pub origin: Origin,
    pub image: Option<Sourced<String>>,
    /// `build.context`, resolved against the project folder: where the app's source lives.
    pub build_context: Option<Sourced<PathBuf>>,
    pub container_name: Option<Sourced<String>>,
    pub command: Option<Sourced<Vec<String>>>,
    pub entrypoint: Option<Sourced<Vec<String>>>,
    pub activation: Activation,
    pub restart: Option<Sourced<String>>,
    /// `network_mode:` (`host`, `none`, `service:x`, `container:x`).
    pub network_mode: Option<Sourced<String>>,
    pub attachments: Vec<Attachment>,
    /// `links:` as (service, alias).
    pub links: Vec<Sourced<(String, String)>>,
    pub extra_hosts: Vec<Sourced<String>>,
    pub listeners: Vec<Listener>,
    /// Ports published on the host: (host port, container port).
    pub published: Vec<Sourced<(String, u16)>>,
    pub environment: Vec<EnvEntry>,
    /// Host-side files bind-mounted into the container, with the container path.
    pub mounts: Vec<Sourced<(PathBuf, String)>>,
    /// Required env files (`env_file:`, `--env-file`) that do not exist: the
    /// service cannot be created. Each with the position of its entry.
    pub missing_env_files: Vec<Sourced<PathBuf>>,
    /// `labels:` and `deploy.labels:` as (key, value), each at its key's position.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Sourced<(String, String)>>,
    /// For a container a script starts with `docker run`: the command that
    /// runs that script (`sh deploy.sh`, `make run`); `None` under compose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_command: Option<String>,
    /// Where its running container's listening sockets were read, when they
    /// were: then its `Socket` listeners are all it listens on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sockets_read: Option<Origin>,
}

impl Service {
    /// The service's listeners on `port`.
    pub fn listeners_on(&self, port: u16) -> impl Iterator<Item = &Listener> {
        self.listeners.iter().filter(move |l| l.port == port)
    }

    /// Whether the service runs with the host's network stack.
    pub fn uses_host_network(&self) -> bool {
        self.network_mode
            .as_ref()
            .is_some_and(|m| m.value == "host")
    }

    pub fn env(&self, name: &str) -> Option<&EnvEntry> {
        self.environment.iter().find(|e| e.name == name)
    }
}

/// An engine-level network (what `docker network ls` would show).
#[derive(Debug, Clone, Serialize)]
pub struct Network {
    /// The engine name, e.g. `backend_default`.
    pub name: String,
    /// The project that creates it; `None` when every project only refers to it as external.
    pub created_by: Option<usize>,
    /// Where it is declared (or implied).
    pub declarations: Vec<NetworkDeclaration>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkDeclaration {
    pub project: usize,
    /// The key under the project's `networks:`.
    pub key: String,
    pub external: bool,
    pub origin: Origin,
}

/// The kind of reverse proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProxyKind {
    Caddy,
    Nginx,
    /// Traefik's Docker provider: routes from the containers' labels.
    Traefik,
    /// nginx-proxy (jwilder): routes from the containers' `VIRTUAL_HOST`.
    NginxProxy,
}

impl ProxyKind {
    /// Whether the routes come from the upstream containers' labels or
    /// environment, so that recreating that container applies a change.
    pub fn label_driven(self) -> bool {
        matches!(self, ProxyKind::Traefik | ProxyKind::NginxProxy)
    }
}

/// A reverse proxy and what it serves.
#[derive(Debug, Clone, Serialize)]
pub struct Proxy {
    pub kind: ProxyKind,
    /// The compose service the proxy runs as; `None` when it runs on the host.
    pub service: Option<ServiceId>,
    pub config_file: PathBuf,
    pub sites: Vec<Site>,
}

/// A site the proxy serves.
#[derive(Debug, Clone, Serialize)]
pub struct Site {
    pub addresses: Vec<SiteAddress>,
    pub routes: Vec<ProxyRoute>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteAddress {
    /// As written, e.g. `toybox.example.jp` or `:8080`.
    pub text: String,
    pub scheme: Option<String>,
    /// Empty for a catch-all address.
    pub host: String,
    pub port: Option<u16>,
    pub origin: Origin,
}

/// One step of a route, e.g. `handle /api/*`.
#[derive(Debug, Clone, Serialize)]
pub struct RouteStep {
    pub label: String,
    pub origin: Origin,
}

/// A route that ends in a proxy handler.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyRoute {
    /// The enclosing blocks, outermost first, ending with the proxy directive.
    pub steps: Vec<RouteStep>,
    pub upstreams: Vec<Upstream>,
    /// TLS to the upstreams (`transport http { tls }` or `https://`).
    pub tls: bool,
    pub timeouts: Vec<Sourced<TimeoutSetting>>,
    /// The route only serves errors (`handle_errors`).
    pub error_route: bool,
    /// For a FastCGI route: the directory in which the web server tells
    /// PHP-FPM its scripts are (`root` under `SCRIPT_FILENAME
    /// $document_root$fastcgi_script_name`, or a literal `SCRIPT_FILENAME`
    /// prefix), as a path inside the PHP-FPM container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_dir: Option<Sourced<String>>,
    /// For an nginx `proxy_pass`: the lines the location lacks to pass a
    /// WebSocket upgrade (`proxy_http_version 1.1;`, the `Upgrade` and
    /// `Connection` headers), empty when it has them; `None` when the proxy
    /// passes upgrades by itself (Caddy, Traefik) or an include that could
    /// not be read may set them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websocket_gaps: Option<Vec<String>>,
    /// Whether the upstream learns the scheme the client used
    /// (`X-Forwarded-Proto` or `Forwarded`): Caddy, Traefik and nginx-proxy
    /// always send it, nginx only when told; `None` when an include that
    /// could not be read may set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forwards_scheme: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimeoutSetting {
    /// `dial_timeout`, `read_timeout`, `write_timeout`, `response_header_timeout`.
    pub name: String,
    pub millis: u64,
}

/// An upstream address of a proxy route and what it resolves to.
#[derive(Debug, Clone, Serialize)]
pub struct Upstream {
    /// As written, e.g. `web:8000`.
    pub text: String,
    pub scheme: Option<String>,
    pub host: String,
    /// `None` for unix sockets and ports held in placeholders.
    pub port: Option<u16>,
    pub origin: Origin,
    pub target: UpstreamTarget,
}

/// How a name resolves from the proxy's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    ServiceName,
    NetworkAlias,
    ContainerName,
    Link,
}

/// What an upstream address points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UpstreamTarget {
    /// Services whose name, alias, container name or link alias is the host,
    /// whether or not the proxy can reach them (checks decide that).
    Services {
        candidates: Vec<(ServiceId, NameKind)>,
    },
    /// `localhost`, `127.0.0.1`, `::1`: the proxy's own network namespace.
    Loopback,
    /// `host.docker.internal` or the docker host gateway.
    DockerHost,
    /// A literal IP address.
    Address,
    /// A unix socket.
    UnixSocket,
    /// A service that only an inactive compose file defines (index in [`StackModel::inactive_services`]).
    InactiveService { index: usize },
    /// Host or port hold a runtime placeholder, resolved only at request time.
    Placeholder,
    /// No service, alias or container has that name.
    Unknown,
}

/// A recognised line of a log given with `--logs`.
#[derive(Debug, Clone, Serialize)]
pub struct LogEvent {
    pub origin: Origin,
    /// The signature that matched.
    pub signature: String,
    /// Cause IDs this line supports, with a weight from 1 to 100.
    pub causes: Vec<(String, u8)>,
    /// The service that logged it (from a `docker compose logs` prefix), if known.
    pub service: Option<String>,
    /// The upstream host named in the line (`lookup web on …`), if any.
    pub host: Option<String>,
    /// The upstream port named in the line, if any.
    pub port: Option<u16>,
    /// The service whose container has `host` as its address, when `host`
    /// is an IP the engine lists (`dial tcp 172.18.0.3:8000` → `web`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_service: Option<String>,
    /// The line, with secrets masked.
    pub text: String,
    /// What the line says, short (a JSON line's message, status and request), secrets masked.
    pub message: String,
    /// When it was logged (Unix milliseconds, UTC), when the line says.
    pub timestamp: Option<i64>,
}

/// Lines that look like errors (`ERROR`, `Traceback`, `panic:`) but match no
/// signature: counted and sampled, so nothing important is silently dropped.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnrecognisedErrors {
    pub count: u64,
    /// A few of them (masked), with where they are.
    pub samples: Vec<Sourced<String>>,
}

/// A URL the user says fails.
#[derive(Debug, Clone, Serialize)]
pub struct RequestedUrl {
    pub text: String,
    pub scheme: String,
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

/// An input that could not be read as a whole, with where it broke.
#[derive(Debug, Clone, Serialize)]
pub struct InvalidInput {
    pub kind: String,
    pub message: String,
    pub origin: Origin,
}

impl StackModel {
    /// Services attached (by network) to the proxy's service, as engine network indices.
    pub fn networks_of(&self, service: ServiceId) -> Vec<usize> {
        self.services[service]
            .attachments
            .iter()
            .map(|a| a.network)
            .collect()
    }

    /// Engine networks both services are attached to.
    pub fn shared_networks(&self, a: ServiceId, b: ServiceId) -> Vec<usize> {
        let theirs = self.networks_of(b);
        self.networks_of(a)
            .into_iter()
            .filter(|n| theirs.contains(n))
            .collect()
    }

    /// Log events that support `cause`, in file order.
    pub fn log_events_of<'a, 'c>(
        &'a self,
        cause: &'c str,
    ) -> impl Iterator<Item = &'a LogEvent> + use<'a, 'c> {
        self.log_events
            .iter()
            .filter(move |e| e.causes.iter().any(|(c, _)| c == cause))
    }

    /// Log events that name `host` (and `port`, when the event has one).
    pub fn log_events_for<'a>(
        &'a self,
        host: &'a str,
        port: Option<u16>,
    ) -> impl Iterator<Item = &'a LogEvent> + 'a {
        self.log_events.iter().filter(move |e| {
            (e.host.as_deref() == Some(host) || e.host_service.as_deref() == Some(host))
                && (e.port.is_none() || port.is_none() || e.port == port)
        })
    }

    /// Log events the named service logged that support `cause`.
    pub fn log_events_of_service<'a>(
        &'a self,
        service: &'a str,
        cause: &'a str,
    ) -> impl Iterator<Item = &'a LogEvent> + 'a {
        self.log_events.iter().filter(move |e| {
            e.service.as_deref() == Some(service) && e.causes.iter().any(|(c, _)| c == cause)
        })
    }
}

/// The routes a label-driven proxy builds from one container's labels, and
/// the network it dials that container on.
#[derive(Debug, Clone, Serialize)]
pub struct LabelRoutes {
    /// Index in [`StackModel::proxies`] of the proxy entry holding these routes.
    pub proxy: usize,
    /// The labelled service.
    pub service: ServiceId,
    /// The network the proxy is told to use (`traefik.docker.network` label or
    /// the provider's `network` option), as written.
    pub network: Option<Sourced<String>>,
    /// Whether [`LabelRoutes::network`] is the container's label (else the provider option).
    pub network_from_label: bool,
    /// Where the routes are defined (the first routing label), for evidence.
    pub origin: Origin,
}

impl StackModel {
    /// The label routes of a proxy entry, when its routes come from labels.
    pub fn label_routes_of(&self, proxy: &Proxy) -> Option<&LabelRoutes> {
        let index = self.proxies.iter().position(|p| std::ptr::eq(p, proxy))?;
        self.label_routes.iter().find(|l| l.proxy == index)
    }
}
