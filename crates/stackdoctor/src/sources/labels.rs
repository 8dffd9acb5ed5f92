//! Label-driven proxies: Traefik's Docker provider (v2/v3 labels, v1 where
//! cheap), nginx-proxy (`VIRTUAL_HOST`) and caddy-docker-proxy (`caddy`
//! labels). Each labelled service becomes one proxy entry whose routes end
//! in that service, so the existing checks (wrong port, scheme, no shared
//! network, not running, …) work on them unchanged. Origins point at the
//! label (or variable) lines of the compose file.
//!
//! What the proxies do is data (`data/proxies/labels.toml`, with sources);
//! the rule and key grammar is in the `labels` crate.

use super::inventory::Inventory;
use super::listen::image_repository;
use crate::model::{
    InvalidInput, LabelRoutes, ListenEvidence, NameKind, Origin, Proxy, ProxyKind, ProxyRoute,
    RouteStep, ServiceId, Site, SiteAddress, Sourced, StackModel, Upstream, UpstreamTarget,
};
use labels::{caddy_upstreams, parse_rule, parse_v1_rule, traefik_key, RuleMatch};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
struct Knowledge {
    traefik: TraefikKnowledge,
    nginx_proxy: NginxProxyKnowledge,
    caddy_docker_proxy: CaddyDockerProxyKnowledge,
}

#[derive(Debug, Deserialize)]
struct TraefikKnowledge {
    images: Vec<String>,
    static_files: Vec<String>,
    exposed_by_default: bool,
    default_scheme: String,
    network_label: String,
    enable_label: String,
    network_option: String,
    exposed_by_default_option: String,
    swarm_network_option: String,
    swarm_exposed_by_default_option: String,
    router_rule: String,
    router_service: String,
    router_tls: String,
    service_port: String,
    service_scheme: String,
    v1_rule: String,
    v1_port: String,
    v1_protocol: String,
    #[allow(dead_code)]
    router_entrypoints: String,
    #[allow(dead_code)]
    service_url: String,
}

#[derive(Debug, Deserialize)]
struct NginxProxyKnowledge {
    images: Vec<String>,
    host_variable: String,
    port_variable: String,
    proto_variable: String,
    path_variable: String,
    default_port: u16,
}

#[derive(Debug, Deserialize)]
struct CaddyDockerProxyKnowledge {
    images: Vec<String>,
    site_label: String,
}

/// A router's or service's options (after `traefik.http.<kind>.<name>.`), each with its label.
type LabelOptions<'a> = BTreeMap<String, &'a Sourced<(String, String)>>;

fn knowledge() -> &'static Knowledge {
    static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();
    KNOWLEDGE.get_or_init(|| {
        toml::from_str(include_str!("../../data/proxies/labels.toml"))
            .expect("data/proxies/labels.toml is valid (tested)")
    })
}

/// Traefik's static options that decide routing, with where each was set.
#[derive(Debug, Default, Clone)]
pub struct TraefikStatic {
    pub network: Option<Sourced<String>>,
    pub exposed_by_default: Option<Sourced<bool>>,
    /// `providers.file.filename` or `.directory`, as the container sees it.
    pub file_provider: Option<Sourced<String>>,
}

/// Adds a proxy entry for every service a label-driven proxy routes to.
pub fn load(inventory: &Inventory, model: &mut StackModel, scope: &super::ReadScope) {
    let k = knowledge();
    let runs = |images: &[String], id: ServiceId| {
        model.services[id].image.as_ref().is_some_and(|i| {
            let repository = image_repository(&i.value);
            images
                .iter()
                .any(|name| repository == *name || repository.ends_with(&format!("/{name}")))
        })
    };
    let traefiks: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| runs(&k.traefik.images, id))
        .collect();
    let nginx_proxies: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| runs(&k.nginx_proxy.images, id))
        .collect();
    let caddy_proxies: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| runs(&k.caddy_docker_proxy.images, id))
        .collect();
    for &traefik in &traefiks {
        let options = traefik_static(model, traefik, scope);
        for service in served_by(model, traefik, &traefiks) {
            traefik_routes(model, traefik, service, &options);
        }
        file_provider_routes(inventory, model, traefik, &options, scope);
    }
    for &proxy in &nginx_proxies {
        for service in served_by(model, proxy, &nginx_proxies) {
            nginx_proxy_routes(model, proxy, service);
        }
    }
    for &proxy in &caddy_proxies {
        for service in served_by(model, proxy, &caddy_proxies) {
            caddy_docker_proxy_routes(model, proxy, service);
        }
    }
}

/// The services one proxy instance sees: all of them when it is the only
/// one of its kind (a Docker provider sees every container of the engine),
/// else those of its project or sharing a network with it.
fn served_by(model: &StackModel, proxy: ServiceId, same_kind: &[ServiceId]) -> Vec<ServiceId> {
    (0..model.services.len())
        .filter(|&id| !same_kind.contains(&id))
        .filter(|&id| {
            same_kind.len() == 1
                || model.services[id].project == model.services[proxy].project
                || !model.shared_networks(proxy, id).is_empty()
        })
        .collect()
}

fn label<'a>(
    model: &'a StackModel,
    id: ServiceId,
    key: &str,
) -> Option<&'a Sourced<(String, String)>> {
    model.services[id]
        .labels
        .iter()
        .find(|l| l.value.0.eq_ignore_ascii_case(key))
}

/// Reads `--providers.docker.*` flags of the command and the static file
/// the container mounts (`traefik.yml`/`.toml`).
fn traefik_static(
    model: &mut StackModel,
    id: ServiceId,
    scope: &super::ReadScope,
) -> TraefikStatic {
    let k = &knowledge().traefik;
    let mut options = TraefikStatic::default();
    let set = |options: &mut TraefikStatic, key: &str, value: &str, origin: Origin| {
        let key = key.to_ascii_lowercase();
        if key == k.network_option || key == k.swarm_network_option {
            options.network = Some(Sourced::new(value.to_string(), origin));
        } else if key == "providers.file.filename" || key == "providers.file.directory" {
            options.file_provider = Some(Sourced::new(value.to_string(), origin));
        } else if key == k.exposed_by_default_option || key == k.swarm_exposed_by_default_option {
            let on = !value.eq_ignore_ascii_case("false");
            options.exposed_by_default = Some(Sourced::new(on, origin));
        }
    };
    // The static file first: flags and a file are exclusive in Traefik, flags win here.
    let mounted: Option<PathBuf> = model.services[id].mounts.iter().find_map(|m| {
        let (source, target) = &m.value;
        k.static_files
            .iter()
            .any(|f| f == target)
            .then(|| source.clone())
            .filter(|s| s.is_file())
    });
    if let Some(file) = mounted.filter(|f| scope.allows(f)) {
        if let Ok(text) = std::fs::read_to_string(&file) {
            model.sources.insert(&file, &text);
            let mut flat = Vec::new();
            if file.extension().is_some_and(|e| e == "toml") {
                flatten_toml(&text, &file, &mut flat);
            } else {
                flatten_yaml(&text, &file, &mut flat);
            }
            for (key, value, origin) in flat {
                set(&mut options, &key, &value, origin);
            }
        }
    }
    if let Some(command) = model.services[id].command.clone() {
        for word in &command.value {
            let Some(flag) = word.strip_prefix("--") else {
                continue;
            };
            let (key, value) = flag.split_once('=').unwrap_or((flag, "true"));
            let origin = word_origin(model, &command.origin, word);
            set(&mut options, key, value, origin);
        }
    }
    options
}

/// The origin of a word of a command: its own line when the command is a YAML list.
fn word_origin(model: &StackModel, origin: &Origin, word: &str) -> Origin {
    let Some(position) = origin.position() else {
        return origin.clone();
    };
    for n in position.line..position.line.saturating_add(60) {
        let Some(line) = model.sources.line(&position.file, n) else {
            break;
        };
        if let Some(at) = line.find(word) {
            let column = line[..at].chars().count() as u32 + 1;
            return Origin::file(&position.file, n, column, word.chars().count() as u32);
        }
    }
    origin.clone()
}

/// `providers.docker.network: web` as flat dotted keys with positions.
fn flatten_yaml(text: &str, file: &std::path::Path, out: &mut Vec<(String, String, Origin)>) {
    let path = std::sync::Arc::new(file.to_path_buf());
    let Ok(Some(root)) = compose::yaml::parse(text, &path) else {
        return;
    };
    fn walk(node: &compose::yaml::Node, prefix: &str, out: &mut Vec<(String, String, Origin)>) {
        if let Some(entries) = node.as_map() {
            for e in entries {
                let key = if prefix.is_empty() {
                    e.key.clone()
                } else {
                    format!("{prefix}.{}", e.key)
                };
                match e.value.as_str() {
                    Some(value) => {
                        out.push((key, value.to_string(), Origin::from(&e.key_position)))
                    }
                    None => walk(&e.value, &key, out),
                }
            }
        }
    }
    walk(&root, "", out);
}

fn flatten_toml(text: &str, file: &std::path::Path, out: &mut Vec<(String, String, Origin)>) {
    let Ok(table) = text.parse::<toml::Table>() else {
        return;
    };
    fn walk(table: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
        for (key, value) in table {
            let key = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match value {
                toml::Value::Table(t) => walk(t, &key, out),
                toml::Value::String(s) => out.push((key, s.clone())),
                toml::Value::Boolean(b) => out.push((key, b.to_string())),
                _ => {}
            }
        }
    }
    let mut flat = Vec::new();
    walk(&table, "", &mut flat);
    for (key, value) in flat {
        // The line that sets the last part of the key.
        let last = key.rsplit('.').next().unwrap_or(&key).to_string();
        let line = text
            .lines()
            .position(|l| {
                l.trim_start()
                    .to_ascii_lowercase()
                    .starts_with(&last.to_ascii_lowercase())
            })
            .map_or(1, |n| n as u32 + 1);
        out.push((key, value, Origin::file(file, line, 1, 0)));
    }
}

/// Ports the container exposes (`expose:`, `ports:` targets, the image's own).
fn exposed_ports(model: &StackModel, id: ServiceId) -> Vec<u16> {
    let mut ports: Vec<u16> = model.services[id]
        .listeners
        .iter()
        .filter(|l| {
            matches!(
                l.evidence,
                ListenEvidence::Declared | ListenEvidence::ImageDefault
            )
        })
        .map(|l| l.port)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// A site for the hosts of a rule; `schemes` are the ones the proxy serves
/// them on (a Traefik router without `tls` only plain HTTP).
fn site(rule: &RuleMatch, tls: bool, origin: &Origin) -> Site {
    let schemes: &[&str] = if tls { &["https"] } else { &["http"] };
    site_on(rule, schemes, origin)
}

fn site_on(rule: &RuleMatch, schemes: &[&str], origin: &Origin) -> Site {
    let hosts = if rule.hosts.is_empty() {
        vec![String::new()]
    } else {
        rule.hosts.clone()
    };
    let addresses = hosts
        .iter()
        .flat_map(|host| {
            schemes.iter().map(move |scheme| SiteAddress {
                text: if host.is_empty() {
                    format!("{scheme}://")
                } else {
                    format!("{scheme}://{host}")
                },
                scheme: Some(scheme.to_string()),
                host: host.clone(),
                port: None,
                origin: origin.clone(),
            })
        })
        .collect();
    Site {
        addresses,
        routes: Vec::new(),
        origin: origin.clone(),
    }
}

fn upstream(
    model: &StackModel,
    id: ServiceId,
    scheme: &str,
    port: u16,
    origin: Origin,
) -> Upstream {
    let host = model.services[id].name.clone();
    Upstream {
        text: format!("{scheme}://{host}:{port}"),
        scheme: Some(scheme.to_string()),
        host,
        port: Some(port),
        origin,
        // The proxy dials the container itself, not a name.
        target: UpstreamTarget::Services {
            candidates: vec![(id, NameKind::ServiceName)],
        },
    }
}

fn route(step: String, origin: Origin, upstream: Upstream) -> ProxyRoute {
    ProxyRoute {
        steps: vec![RouteStep {
            label: step,
            origin,
        }],
        tls: upstream.scheme.as_deref() == Some("https"),
        upstreams: vec![upstream],
        timeouts: Vec::new(),
        error_route: false,
        script_dir: None,
        websocket_gaps: None,
        forwards_scheme: Some(true),
    }
}

fn push_proxy(
    model: &mut StackModel,
    kind: ProxyKind,
    proxy: ServiceId,
    service: ServiceId,
    sites: Vec<Site>,
    network: Option<(Sourced<String>, bool)>,
) {
    if sites.is_empty() {
        return;
    }
    let origin = sites[0].origin.clone();
    let config_file = origin
        .position()
        .map(|p| p.file.clone())
        .unwrap_or_default();
    model.proxies.push(Proxy {
        kind,
        service: Some(proxy),
        config_file,
        sites,
    });
    let (network, network_from_label) = match network {
        Some((n, from_label)) => (Some(n), from_label),
        None => (None, false),
    };
    model.label_routes.push(LabelRoutes {
        proxy: model.proxies.len() - 1,
        service,
        network,
        network_from_label,
        origin,
    });
}

fn traefik_routes(
    model: &mut StackModel,
    traefik: ServiceId,
    id: ServiceId,
    options: &TraefikStatic,
) {
    let k = &knowledge().traefik;
    let labels = model.services[id].labels.clone();
    if !labels.iter().any(|l| l.value.0.starts_with("traefik.")) {
        return;
    }
    let enabled = label(model, id, &k.enable_label).map(|l| l.value.1.eq_ignore_ascii_case("true"));
    let by_default = options
        .exposed_by_default
        .as_ref()
        .map_or(k.exposed_by_default, |o| o.value);
    if enabled == Some(false) || (enabled.is_none() && !by_default) {
        return;
    }
    // Routers and services by name, each option with its label.
    let mut routers: BTreeMap<String, LabelOptions<'_>> = BTreeMap::new();
    let mut services: BTreeMap<String, LabelOptions<'_>> = BTreeMap::new();
    for l in &labels {
        let Some(key) = traefik_key(&l.value.0) else {
            continue;
        };
        if key.protocol != "http" {
            continue;
        }
        let option = key.option.to_ascii_lowercase();
        match key.kind {
            "routers" => {
                routers
                    .entry(key.name.to_string())
                    .or_default()
                    .insert(option, l);
            }
            "services" => {
                services
                    .entry(key.name.to_string())
                    .or_default()
                    .insert(option, l);
            }
            _ => {}
        }
    }
    let service_name = model.services[id].name.clone();
    let exposed = exposed_ports(model, id);
    let v1_port = label(model, id, &k.v1_port).cloned();
    let v1_protocol = label(model, id, &k.v1_protocol).cloned();
    // A service's port label, else v1's, else the single exposed port.
    let endpoint = |service: Option<&LabelOptions<'_>>| {
        let port_label = service
            .and_then(|s| s.get(&k.service_port))
            .copied()
            .or(v1_port.as_ref());
        let scheme = service
            .and_then(|s| s.get(&k.service_scheme))
            .copied()
            .or(v1_protocol.as_ref())
            .map_or(k.default_scheme.clone(), |l| l.value.1.to_ascii_lowercase());
        match port_label {
            Some(l) => (
                l.value.1.trim().parse::<u16>().ok(),
                scheme,
                Some(l.origin.clone()),
            ),
            None => match exposed.as_slice() {
                [only] => (Some(*only), scheme, None),
                _ => (None, scheme, None),
            },
        }
    };
    let mut sites = Vec::new();
    // (step, rule, tls, origin, the service the router names).
    let mut rules: Vec<(String, RuleMatch, bool, Origin, Option<String>)> = Vec::new();
    for (name, options) in &routers {
        let Some(rule_label) = options.get(&k.router_rule) else {
            continue;
        };
        let tls = options
            .get(&k.router_tls)
            .is_some_and(|l| l.value.1 != "false");
        match parse_rule(&rule_label.value.1) {
            Ok(rule) => rules.push((
                format!("router {name}: {}", rule_label.value.1),
                rule,
                tls,
                rule_label.origin.clone(),
                options.get(&k.router_service).map(|l| l.value.1.clone()),
            )),
            Err(error) => model.invalid_inputs.push(InvalidInput {
                kind: "traefik-rule".to_string(),
                message: format!("{}: {}", rule_label.value.0, error.0),
                origin: rule_label.origin.clone(),
            }),
        }
    }
    if let Some(v1) = label(model, id, &k.v1_rule) {
        rules.push((
            format!("frontend: {}", v1.value.1),
            parse_v1_rule(&v1.value.1),
            false,
            v1.origin.clone(),
            None,
        ));
    }
    if rules.is_empty() {
        // Traefik's default rule: Host(`<service>-<project>`), reachable by nobody's DNS
        // unless chosen on purpose; still a route to the container.
        let Some(first) = labels.iter().find(|l| l.value.0.starts_with("traefik.")) else {
            return;
        };
        let project = &model.projects[model.services[id].project].name;
        let host = format!("{service_name}-{project}");
        rules.push((
            format!("default rule: Host(`{host}`)"),
            RuleMatch {
                hosts: vec![host],
                paths: Vec::new(),
            },
            false,
            first.origin.clone(),
            None,
        ));
    }
    for (step, rule, tls, origin, service) in rules {
        // The router's service (`…service=api`, `api@docker`), else the container's first.
        let service = service
            .as_deref()
            .map(|s| s.strip_suffix("@docker").unwrap_or(s))
            .and_then(|s| services.get(s))
            .or_else(|| services.values().next());
        let (port, scheme, port_origin) = endpoint(service);
        let Some(port) = port else {
            // Traefik logs "port is missing" and skips the container.
            model.notes.push(Sourced::new(
                format!(
                    "Traefik: `{service_name}` exposes {} ports and has no `{}` label; Traefik skips it (\"port is missing\")",
                    exposed.len(),
                    k.service_port
                ),
                origin,
            ));
            continue;
        };
        let mut site = site(&rule, tls, &origin);
        let upstream_origin = port_origin.unwrap_or_else(|| origin.clone());
        site.routes.push(route(
            step,
            origin,
            upstream(model, id, &scheme, port, upstream_origin),
        ));
        sites.push(site);
    }
    let network = label(model, id, &k.network_label)
        .map(|l| (Sourced::new(l.value.1.clone(), l.origin.clone()), true))
        .or_else(|| options.network.clone().map(|n| (n, false)));
    push_proxy(model, ProxyKind::Traefik, traefik, id, sites, network);
}

/// The host files behind the file provider's container path (a file, or the
/// `.yml`/`.yaml`/`.toml` files of a directory), through the container's mounts.
fn dynamic_files(
    inventory: &Inventory,
    model: &StackModel,
    traefik: ServiceId,
    container_path: &str,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for mount in &model.services[traefik].mounts {
        let (source, target) = &mount.value;
        let Some(rest) = container_path.strip_prefix(target.trim_end_matches('/')) else {
            continue;
        };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        let host = source.join(rest.trim_start_matches('/'));
        if host.is_file() {
            files.push(host);
        } else if host.is_dir() {
            let found: Vec<PathBuf> = inventory
                .files_below(&host, 0)
                .into_iter()
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e == "yml" || e == "yaml" || e == "toml")
                })
                .collect();
            files.extend(found);
        }
    }
    files
}

/// One router of a dynamic file: its rule and the servers of its service.
struct FileRouter {
    name: String,
    rule: Sourced<String>,
    servers: Vec<Sourced<String>>,
}

/// Routers and their services' server URLs from a YAML dynamic file, with positions.
fn yaml_routers(text: &str, file: &std::path::Path) -> Vec<FileRouter> {
    let path = std::sync::Arc::new(file.to_path_buf());
    let Ok(Some(root)) = compose::yaml::parse(text, &path) else {
        return Vec::new();
    };
    let Some(http) = root.get("http") else {
        return Vec::new();
    };
    let services = http.get("services");
    let mut out = Vec::new();
    for router in http
        .get("routers")
        .and_then(|r| r.as_map())
        .unwrap_or_default()
    {
        let Some(rule) = router.value.get_entry("rule") else {
            continue;
        };
        let Some(rule_text) = rule.value.as_str() else {
            continue;
        };
        let service_name = router
            .value
            .get("service")
            .and_then(|s| s.as_str())
            .unwrap_or(&router.key);
        let Some(service_name) = service_name
            .strip_suffix("@file")
            .or((!service_name.contains('@')).then_some(service_name))
        else {
            continue;
        };
        let servers = services
            .and_then(|s| s.get(service_name))
            .and_then(|s| s.get("loadBalancer").or_else(|| s.get("loadbalancer")))
            .and_then(|lb| lb.get("servers"))
            .and_then(|s| s.as_seq())
            .unwrap_or_default()
            .iter()
            .filter_map(|server| {
                let url = server.get_entry("url")?;
                Some(Sourced::new(
                    url.value.as_str()?.to_string(),
                    Origin::from(&url.value.position),
                ))
            })
            .collect();
        out.push(FileRouter {
            name: router.key.clone(),
            rule: Sourced::new(rule_text.to_string(), Origin::from(&rule.key_position)),
            servers,
        });
    }
    out
}

/// The same from a TOML dynamic file; positions are the lines holding the values.
fn toml_routers(text: &str, file: &std::path::Path) -> Vec<FileRouter> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let at = |needle: &str| {
        let line = text
            .lines()
            .position(|l| l.contains(needle))
            .map_or(1, |n| n as u32 + 1);
        let column = text
            .lines()
            .nth(line as usize - 1)
            .and_then(|l| l.find(needle))
            .map_or(1, |c| c as u32 + 1);
        Origin::file(file, line, column, 0)
    };
    let Some(http) = table.get("http").and_then(|h| h.as_table()) else {
        return Vec::new();
    };
    let services = http.get("services").and_then(|s| s.as_table());
    let mut out = Vec::new();
    for (name, router) in http
        .get("routers")
        .and_then(|r| r.as_table())
        .into_iter()
        .flatten()
    {
        let Some(rule) = router.get("rule").and_then(|r| r.as_str()) else {
            continue;
        };
        let service_name = router
            .get("service")
            .and_then(|s| s.as_str())
            .unwrap_or(name);
        let service_name = service_name.strip_suffix("@file").unwrap_or(service_name);
        let servers = services
            .and_then(|s| s.get(service_name))
            .and_then(|s| s.get("loadBalancer").or_else(|| s.get("loadbalancer")))
            .and_then(|lb| lb.get("servers"))
            .and_then(|s| s.as_array())
            .into_iter()
            .flatten()
            .filter_map(|server| {
                let url = server.get("url")?.as_str()?;
                Some(Sourced::new(url.to_string(), at(url)))
            })
            .collect();
        out.push(FileRouter {
            name: name.clone(),
            rule: Sourced::new(rule.to_string(), at(rule)),
            servers,
        });
    }
    out
}

/// `http://web:8000` → (scheme, host, port); the port defaults by scheme.
fn split_url(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => (host, port.parse().ok()?),
        _ => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    Some((
        scheme.to_ascii_lowercase(),
        host.trim_matches(['[', ']']).to_string(),
        port,
    ))
}

/// Routes of Traefik's file provider: each router with the servers of its service.
/// Their hosts are names, resolved like a Caddyfile's upstreams.
fn file_provider_routes(
    inventory: &Inventory,
    model: &mut StackModel,
    traefik: ServiceId,
    options: &TraefikStatic,
    scope: &super::ReadScope,
) {
    let Some(provider) = &options.file_provider else {
        return;
    };
    for file in dynamic_files(inventory, model, traefik, &provider.value) {
        if !scope.allows(&file) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        model.sources.insert(&file, &text);
        let routers = if file.extension().is_some_and(|e| e == "toml") {
            toml_routers(&text, &file)
        } else {
            yaml_routers(&text, &file)
        };
        let mut sites = Vec::new();
        for router in routers {
            let rule = match parse_rule(&router.rule.value) {
                Ok(rule) => rule,
                Err(error) => {
                    model.invalid_inputs.push(InvalidInput {
                        kind: "traefik-rule".to_string(),
                        message: format!("http.routers.{}.rule: {}", router.name, error.0),
                        origin: router.rule.origin.clone(),
                    });
                    continue;
                }
            };
            let mut site = site(&rule, false, &router.rule.origin);
            let upstreams: Vec<Upstream> = router
                .servers
                .iter()
                .filter_map(|server| {
                    let (scheme, host, port) = split_url(&server.value)?;
                    Some(Upstream {
                        text: server.value.clone(),
                        scheme: Some(scheme),
                        host,
                        port: Some(port),
                        origin: server.origin.clone(),
                        target: UpstreamTarget::Unknown,
                    })
                })
                .collect();
            if upstreams.is_empty() {
                continue;
            }
            site.routes.push(ProxyRoute {
                steps: vec![RouteStep {
                    label: format!("router {}: {}", router.name, router.rule.value),
                    origin: router.rule.origin.clone(),
                }],
                tls: upstreams
                    .iter()
                    .any(|u| u.scheme.as_deref() == Some("https")),
                upstreams,
                timeouts: Vec::new(),
                error_route: false,
                script_dir: None,
                websocket_gaps: None,
                forwards_scheme: Some(true),
            });
            sites.push(site);
        }
        if !sites.is_empty() {
            model.proxies.push(Proxy {
                kind: ProxyKind::Traefik,
                service: Some(traefik),
                config_file: file,
                sites,
            });
        }
    }
}

fn nginx_proxy_routes(model: &mut StackModel, proxy: ServiceId, id: ServiceId) {
    let k = &knowledge().nginx_proxy;
    let service = &model.services[id];
    let Some(hosts) = service.env(&k.host_variable).cloned() else {
        return;
    };
    let Some(host_list) = hosts.value.clone().filter(|v| !v.trim().is_empty()) else {
        return;
    };
    let port_entry = service.env(&k.port_variable).cloned();
    let exposed = exposed_ports(model, id);
    let (port, port_origin) = match port_entry.as_ref().and_then(|e| {
        Some((
            e.value.as_ref()?.trim().parse::<u16>().ok()?,
            e.origin.clone(),
        ))
    }) {
        Some((p, origin)) => (p, origin),
        None => match exposed.as_slice() {
            [only] => (*only, hosts.origin.clone()),
            _ => (k.default_port, hosts.origin.clone()),
        },
    };
    let scheme = service
        .env(&k.proto_variable)
        .and_then(|e| e.value.clone())
        .unwrap_or_else(|| "http".to_string())
        .to_ascii_lowercase();
    let path = service
        .env(&k.path_variable)
        .and_then(|e| e.value.clone())
        .unwrap_or_else(|| "/".to_string());
    let mut sites = Vec::new();
    for host in host_list
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        let rule = RuleMatch {
            hosts: vec![host.to_ascii_lowercase()],
            paths: vec![path.clone()],
        };
        // nginx-proxy serves a host on 80, and on 443 once it has a certificate.
        let mut site = site_on(&rule, &["http", "https"], &hosts.origin);
        site.routes.push(route(
            format!("location {path} ({}={host_list})", k.host_variable),
            hosts.origin.clone(),
            upstream(model, id, &scheme, port, port_origin.clone()),
        ));
        sites.push(site);
    }
    push_proxy(model, ProxyKind::NginxProxy, proxy, id, sites, None);
}

fn caddy_docker_proxy_routes(model: &mut StackModel, proxy: ServiceId, id: ServiceId) {
    let k = &knowledge().caddy_docker_proxy;
    let labels = model.services[id].labels.clone();
    let mut sites = Vec::new();
    // `caddy` or `caddy_N` names a site; `<that>.reverse_proxy` its upstreams.
    for site_label in labels.iter().filter(|l| {
        let key = &l.value.0;
        key == &k.site_label
            || key
                .strip_prefix(&format!("{}_", k.site_label))
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
    }) {
        let proxy_key = format!("{}.reverse_proxy", site_label.value.0);
        let Some(proxy_label) = labels.iter().find(|l| l.value.0 == proxy_key) else {
            continue;
        };
        let Some((scheme, port)) = caddy_upstreams(&proxy_label.value.1) else {
            continue;
        };
        let hosts: Vec<String> = site_label
            .value
            .1
            .split([',', ' '])
            .map(|h| {
                h.trim()
                    .trim_start_matches("https://")
                    .trim_start_matches("http://")
            })
            .filter(|h| !h.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let rule = RuleMatch {
            hosts,
            paths: Vec::new(),
        };
        // Addresses as a Caddyfile writes them (Caddy picks the scheme).
        let mut site = site_on(&rule, &["https"], &site_label.origin);
        for address in &mut site.addresses {
            address.scheme = None;
            address.text = address.host.clone();
        }
        // `{{upstreams}}` without a port dials port 80.
        let port = port.unwrap_or(80);
        let scheme = scheme.unwrap_or_else(|| "http".to_string());
        site.routes.push(route(
            format!("reverse_proxy {}", proxy_label.value.1),
            proxy_label.origin.clone(),
            upstream(model, id, &scheme, port, proxy_label.origin.clone()),
        ));
        sites.push(site);
    }
    push_proxy(model, ProxyKind::Caddy, proxy, id, sites, None);
}

/// Ties Traefik's access and debug lines to the routes they name: an access
/// line names its router (`"web@docker"`) and the server it dialled; debug
/// lines name only that server's IP. Their host becomes the service's name,
/// so checks find them with the route's upstream.
pub fn join_log_lines(model: &mut StackModel) {
    let mut by_router: Vec<(String, String, Option<u16>)> = Vec::new();
    for (p, proxy) in model.proxies.iter().enumerate() {
        if proxy.kind != ProxyKind::Traefik {
            continue;
        }
        let Some(routes) = model.label_routes.iter().find(|l| l.proxy == p) else {
            continue;
        };
        let service = &model.services[routes.service];
        for site in &proxy.sites {
            for route in &site.routes {
                let Some(name) = route.steps[0]
                    .label
                    .strip_prefix("router ")
                    .and_then(|s| s.split(':').next())
                else {
                    continue;
                };
                let port = route.upstreams.first().and_then(|u| u.port);
                by_router.push((format!("\"{name}@docker\""), service.name.clone(), port));
            }
        }
    }
    if by_router.is_empty() {
        return;
    }
    let mut by_address: BTreeMap<String, (String, Option<u16>)> = BTreeMap::new();
    for event in &mut model.log_events {
        // `"web@docker"` in access lines, `routerName=web@docker` in debug lines.
        // A fully qualified name (the domain of a certificate line) is what
        // the line is about, not the container the router sends to.
        let names_a_domain = event
            .host
            .as_deref()
            .is_some_and(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err());
        if names_a_domain {
            continue;
        }
        let Some((_, service, port)) = by_router.iter().find(|(r, _, _)| {
            event.text.contains(r.as_str())
                || event
                    .text
                    .contains(&format!("routerName={}", r.trim_matches('"')))
        }) else {
            continue;
        };
        if let Some(ip) = event.host.replace(service.clone()) {
            if ip.parse::<std::net::IpAddr>().is_ok() {
                by_address.insert(ip, (service.clone(), *port));
            }
        }
        event.port = event.port.or(*port);
    }
    for event in &mut model.log_events {
        if let Some((service, _)) = event.host.as_ref().and_then(|h| by_address.get(h)) {
            event.host = Some(service.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::checks::support::test_tree;
    use crate::model::StackModel;

    /// (proxy kind, upstream text, upstream line) of every route.
    fn routes(model: &StackModel) -> Vec<(ProxyKind, String, u32)> {
        model
            .proxies
            .iter()
            .flat_map(|p| {
                p.sites.iter().flat_map(move |s| {
                    s.routes.iter().flat_map(move |r| {
                        r.upstreams.iter().map(move |u| {
                            (
                                p.kind,
                                u.text.clone(),
                                u.origin.position().map_or(0, |p| p.line),
                            )
                        })
                    })
                })
            })
            .collect()
    }

    #[test]
    fn nginx_proxy_port_is_virtual_port_else_single_exposed_else_80() {
        let compose = "services:\n  proxy:\n    image: nginxproxy/nginx-proxy:1.6\n  a:\n    image: example/a\n    environment:\n      VIRTUAL_HOST: a.test\n      VIRTUAL_PORT: \"8080\"\n  b:\n    image: example/b\n    expose: [\"3000\"]\n    environment:\n      VIRTUAL_HOST: b.test,www.b.test\n  c:\n    image: example/c\n    expose: [\"3000\", \"3001\"]\n    environment:\n      - VIRTUAL_HOST=c.test\n      - VIRTUAL_PROTO=https\n  d:\n    image: example/d\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose)]);
        let got = routes(&model);
        assert_eq!(
            got,
            vec![
                (ProxyKind::NginxProxy, "http://a:8080".to_string(), 8),
                (ProxyKind::NginxProxy, "http://b:3000".to_string(), 13),
                (ProxyKind::NginxProxy, "http://b:3000".to_string(), 13),
                (ProxyKind::NginxProxy, "https://c:80".to_string(), 18),
            ]
        );
        let hosts: Vec<&str> = model.proxies[1]
            .sites
            .iter()
            .map(|s| s.addresses[0].host.as_str())
            .collect();
        assert_eq!(hosts, vec!["b.test", "www.b.test"]);
    }

    #[test]
    fn traefik_labels_deploy_labels_v1_and_exposed_by_default() {
        let compose = "name: p\nservices:\n  traefik:\n    image: traefik:v2.11\n    command: --providers.docker.exposedbydefault=false --providers.docker.network=p_web\n  on:\n    image: example/on\n    deploy:\n      labels:\n        - traefik.enable=true\n        - traefik.http.routers.on.rule=Host(`on.test`)\n        - traefik.http.services.on.loadbalancer.server.port=9000\n        - traefik.http.services.on.loadbalancer.server.scheme=https\n  off:\n    image: example/off\n    labels:\n      traefik.http.routers.off.rule: Host(`off.test`)\n  old:\n    image: example/old\n    labels:\n      traefik.enable: \"true\"\n      traefik.frontend.rule: Host:old.test\n      traefik.port: \"5000\"\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose)]);
        assert_eq!(
            routes(&model),
            vec![
                (ProxyKind::Traefik, "https://on:9000".to_string(), 12),
                (ProxyKind::Traefik, "http://old:5000".to_string(), 23),
            ]
        );
        // The provider option is the network of both, from the command.
        let network = model.label_routes[0].network.as_ref().unwrap();
        assert_eq!(network.value, "p_web");
        assert!(!model.label_routes[0].network_from_label);
        assert_eq!(model.proxies[1].sites[0].addresses[0].host, "old.test");
    }

    #[test]
    fn each_router_uses_the_port_of_the_service_it_names() {
        let compose = "services:\n  traefik:\n    image: traefik:v3\n  app:\n    image: example/app\n    labels:\n      - traefik.http.routers.site.rule=Host(`a.test`)\n      - traefik.http.routers.site.service=site\n      - traefik.http.routers.admin.rule=Host(`admin.a.test`)\n      - traefik.http.routers.admin.service=admin@docker\n      - traefik.http.services.site.loadbalancer.server.port=3000\n      - traefik.http.services.admin.loadbalancer.server.port=9000\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose)]);
        let mut got = routes(&model);
        got.sort_by_key(|r| r.2);
        assert_eq!(
            got,
            vec![
                (ProxyKind::Traefik, "http://app:3000".to_string(), 11),
                (ProxyKind::Traefik, "http://app:9000".to_string(), 12),
            ]
        );
    }

    #[test]
    fn an_unreadable_rule_is_an_invalid_input_at_its_label() {
        let compose = "services:\n  traefik:\n    image: traefik:v3\n  web:\n    image: nginx\n    labels:\n      - traefik.http.routers.web.rule=Host(`a.test`\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose)]);
        assert_eq!(model.invalid_inputs.len(), 1);
        assert_eq!(model.invalid_inputs[0].kind, "traefik-rule");
        assert_eq!(model.invalid_inputs[0].origin.position().unwrap().line, 7);
    }

    #[test]
    fn caddy_docker_proxy_labels_route_to_the_container() {
        let compose = "services:\n  caddy:\n    image: lucaslorentz/caddy-docker-proxy:2.9\n  app:\n    image: example/app\n    labels:\n      caddy_0: app.test\n      caddy_0.reverse_proxy: \"{{upstreams 8080}}\"\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose)]);
        assert_eq!(
            routes(&model),
            vec![(ProxyKind::Caddy, "http://app:8080".to_string(), 8)]
        );
    }

    #[test]
    fn access_and_debug_lines_join_the_route_by_router_and_ip() {
        let compose = "services:\n  traefik:\n    image: traefik:v3\n  web:\n    image: nginx\n    labels:\n      - traefik.http.routers.site.rule=Host(`a.test`)\n";
        let log = "192.168.1.20 - - [28/Nov/2026:09:15:41 +0000] \"GET / HTTP/1.1\" 504 15 \"-\" \"-\" 1 \"site@docker\" \"http://172.23.0.3:80\" 30002ms\ntime=\"2018-12-16T15:00:25Z\" level=debug msg=\"'504 Gateway Timeout' caused by: dial tcp 172.23.0.3:80: i/o timeout\"\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        std::fs::write(dir.path().join("traefik.log"), log).unwrap();
        let model = crate::sources::build_model(&crate::sources::Inputs {
            root: dir.path().to_path_buf(),
            logs: vec![dir.path().join("traefik.log")],
            ..Default::default()
        })
        .unwrap();
        let hosts: Vec<Option<&str>> = model.log_events.iter().map(|e| e.host.as_deref()).collect();
        assert_eq!(hosts, vec![Some("web"), Some("web")]);
    }

    #[test]
    fn knowledge_file_parses() {
        let k = knowledge();
        assert!(k.traefik.exposed_by_default);
        assert_eq!(k.nginx_proxy.default_port, 80);
        assert_eq!(k.traefik.network_label, "traefik.docker.network");
    }

    #[test]
    fn static_yaml_and_toml_flatten_to_flag_keys() {
        let mut out = Vec::new();
        let path = std::path::Path::new("/x/traefik.yml");
        flatten_yaml(
            "providers:\n  docker:\n    network: web\n    exposedByDefault: false\n",
            path,
            &mut out,
        );
        let keys: Vec<(String, String)> = out
            .iter()
            .map(|(k, v, _)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        assert!(keys.contains(&("providers.docker.network".into(), "web".into())));
        assert!(keys.contains(&("providers.docker.exposedbydefault".into(), "false".into())));
        assert_eq!(out[0].2.position().unwrap().line, 3);
        let mut out = Vec::new();
        flatten_toml(
            "[providers.docker]\nnetwork = \"proxy\"\n",
            std::path::Path::new("/x/traefik.toml"),
            &mut out,
        );
        assert_eq!(out[0].0, "providers.docker.network");
        assert_eq!(out[0].1, "proxy");
        assert_eq!(out[0].2.position().unwrap().line, 2);
    }
}
