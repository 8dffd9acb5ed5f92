//! The Caddyfile source: finds the Caddyfiles of a tree, ties each to the
//! compose service that runs Caddy with it, parses it with that service's
//! environment, and adds the proxy with its sites and routes to the model.

use super::inventory::{File, Inventory, Kind};
use super::listen::image_repository;
use crate::model::{
    InvalidInput, Origin, Proxy, ProxyKind, ProxyRoute, RouteStep, ServiceId, Site, SiteAddress,
    Sourced, StackModel, TimeoutSetting, Upstream, UpstreamTarget,
};
use caddyfile::http::{HttpConfig, Route};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the official image reads its config.
const CADDY_CONFIG_PATH: &str = "/etc/caddy/Caddyfile";

/// Caddyfiles named on the command line, or found in the tree and in compose mounts.
pub fn find_caddyfiles(
    inventory: &Inventory,
    explicit: &[PathBuf],
    model: &StackModel,
) -> Vec<PathBuf> {
    if !explicit.is_empty() {
        return explicit.to_vec();
    }
    let mut found: Vec<PathBuf> = inventory
        .of(Kind::Caddyfile)
        .map(|f| f.path.clone())
        .collect();
    // A link to another Caddyfile of the tree is that file once, not twice.
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    for service in &model.services {
        for mount in &service.mounts {
            let (source, target) = &mount.value;
            if target == CADDY_CONFIG_PATH
                && source.is_file()
                && seen.insert(source.canonicalize().unwrap_or_else(|_| source.clone()))
            {
                found.push(source.clone());
            }
        }
    }
    found
}

/// The files the Caddy source reads: Caddyfiles by name.
pub fn claims(file: &File) -> bool {
    is_caddyfile_name(&file.name)
}

fn is_caddyfile_name(name: &str) -> bool {
    // `Caddyfile.backup` and friends are copies, not configs.
    let backup = [".bak", ".backup", ".orig", ".old", "~"]
        .iter()
        .any(|s| name.ends_with(s));
    !backup
        && (name == "Caddyfile" || name.starts_with("Caddyfile.") || name.ends_with(".caddyfile"))
}

/// The service that runs Caddy with `file`: one that mounts it, else the one
/// Caddy service of the file's own project, else the only Caddy service.
fn proxy_service(file: &Path, model: &StackModel) -> Option<ServiceId> {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let file_c = canonical(file);
    if let Some(id) = model.services.iter().position(|s| {
        s.mounts
            .iter()
            .any(|m| canonical(&m.value.0) == file_c && m.value.1.contains("Caddyfile"))
    }) {
        return Some(id);
    }
    let caddy_services: Vec<ServiceId> = model
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.image
                .as_ref()
                .is_some_and(|i| image_repository(&i.value) == "caddy")
                || s.name == "caddy"
        })
        .map(|(i, _)| i)
        .collect();
    let dir = file.parent().map(canonical);
    let same_project = caddy_services
        .iter()
        .copied()
        .find(|&id| Some(canonical(&model.projects[model.services[id].project].dir)) == dir);
    same_project.or(match caddy_services.as_slice() {
        [only] => Some(*only),
        _ => None,
    })
}

/// Where a Caddyfile comes from: the compose line that mounts it, else the file itself.
fn reference(file: &Path, model: &StackModel) -> Origin {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let file_c = canonical(file);
    model
        .services
        .iter()
        .flat_map(|s| &s.mounts)
        .find(|m| canonical(&m.value.0) == file_c)
        .map(|m| m.origin.clone())
        .unwrap_or_else(|| {
            Origin::implied(
                crate::model::origin::relative(file, &model.root)
                    .display()
                    .to_string(),
            )
        })
}

/// Parses every Caddyfile and adds its proxy to the model. A Caddyfile or an
/// import outside the project (and not named by the user) is not read: a note says so.
pub fn load_caddyfiles(files: &[PathBuf], model: &mut StackModel, scope: &super::ReadScope) {
    for file in files {
        if !scope.allows(file) {
            let shown = crate::model::origin::relative(file, &model.root);
            let target = file.canonicalize().unwrap_or_else(|_| file.clone());
            let message = if target == *file {
                format!("Caddyfile {} ({})", shown.display(), super::OUTSIDE)
            } else {
                format!(
                    "Caddyfile {} leads to {} ({})",
                    shown.display(),
                    target.display(),
                    super::OUTSIDE
                )
            };
            let origin = reference(file, model);
            model.notes.push(Sourced::new(message, origin));
            continue;
        }
        let service = proxy_service(file, model);
        if let Ok(text) = std::fs::read_to_string(file) {
            model.sources.insert(file, &text);
        }
        // `{$VAR}` is read from the environment of the process that runs Caddy.
        let env = match service {
            Some(id) => caddyfile::Env::from_pairs(
                model.services[id]
                    .environment
                    .iter()
                    .filter_map(|e| Some((e.name.clone(), e.value.clone()?))),
            ),
            None => caddyfile::Env::empty(),
        };
        let parsed =
            caddyfile::parse_file_within(file, &env, &scope.caddy_limit()).and_then(|parsed| {
                for imported in parsed.files.iter().skip(1) {
                    if let Ok(text) = std::fs::read_to_string(imported) {
                        model.sources.insert(imported, &text);
                    }
                }
                for skipped in &parsed.skipped_imports {
                    model.notes.push(Sourced::new(
                        format!("import {} ({})", skipped.path.display(), super::OUTSIDE),
                        Origin::from(&skipped.position),
                    ));
                }
                HttpConfig::from_caddyfile(&parsed)
            });
        let sites = match parsed {
            Ok(http) => convert_sites(&http),
            Err(error) => {
                let origin = error
                    .position()
                    .map(Origin::from)
                    .unwrap_or_else(|| Origin::file(file, 1, 1, 0));
                model.invalid_inputs.push(InvalidInput {
                    kind: "caddyfile".to_string(),
                    message: error_message(&error),
                    origin,
                });
                Vec::new()
            }
        };
        model.proxies.push(Proxy {
            kind: ProxyKind::Caddy,
            service,
            config_file: file.clone(),
            sites,
        });
    }
}

/// The error's message without the position prefix (shown separately).
fn error_message(error: &caddyfile::Error) -> String {
    match error {
        caddyfile::Error::Syntax { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

fn convert_sites(http: &HttpConfig) -> Vec<Site> {
    http.sites
        .iter()
        .map(|site| Site {
            addresses: site
                .addresses
                .iter()
                .map(|a| SiteAddress {
                    text: a.token.text.clone(),
                    scheme: a.scheme.clone(),
                    host: a.host.clone(),
                    port: a.port,
                    origin: token_origin(&a.token),
                })
                .collect(),
            routes: site
                .proxy_paths()
                .into_iter()
                .map(|(chain, proxy)| convert_route(&chain, proxy))
                .collect(),
            origin: Origin::from(&site.position),
        })
        .collect()
}

fn token_origin(token: &caddyfile::Token) -> Origin {
    let p = &token.position;
    Origin::file(&p.file, p.line, p.column, token.text.chars().count() as u32)
}

fn step_label(route: &Route) -> String {
    let mut label = route.directive.clone();
    if let Some(matcher) = &route.matcher {
        label.push(' ');
        label.push_str(&matcher.token.text);
    }
    if route.reverse_proxy.is_some() {
        for upstream in route.reverse_proxy.iter().flat_map(|p| &p.upstreams) {
            label.push(' ');
            label.push_str(&upstream.token.text);
        }
    }
    if !route.error_codes.is_empty() {
        label.push(' ');
        label.push_str(&route.error_codes.join(" "));
    }
    label
}

fn convert_route(chain: &[&Route], proxy: &caddyfile::http::ReverseProxy) -> ProxyRoute {
    let transport = &proxy.transport;
    let timeouts = [
        ("dial_timeout", &transport.dial_timeout),
        (
            "response_header_timeout",
            &transport.response_header_timeout,
        ),
        ("read_timeout", &transport.read_timeout),
        ("write_timeout", &transport.write_timeout),
    ]
    .into_iter()
    .filter_map(|(name, setting)| {
        let setting = setting.as_ref()?;
        Some(Sourced::new(
            TimeoutSetting {
                name: name.to_string(),
                millis: setting.value.as_millis().min(u64::MAX as u128) as u64,
            },
            Origin::from(&setting.position),
        ))
    })
    .collect();
    let mut seen = BTreeMap::new();
    let upstreams = proxy
        .upstreams
        .iter()
        .filter(|u| seen.insert(u.dial.clone(), ()).is_none())
        .map(|u| Upstream {
            text: u.token.text.clone(),
            scheme: u.scheme.clone(),
            host: u.host.clone(),
            port: u.port.as_deref().and_then(|p| p.parse().ok()),
            origin: token_origin(&u.token),
            target: if u.has_placeholder {
                UpstreamTarget::Placeholder
            } else if u.scheme.as_deref() == Some("unix") {
                UpstreamTarget::UnixSocket
            } else {
                UpstreamTarget::Unknown
            },
        })
        .collect();
    ProxyRoute {
        steps: chain
            .iter()
            .map(|route| RouteStep {
                label: step_label(route),
                origin: Origin::from(&route.position),
            })
            .collect(),
        upstreams,
        tls: transport.tls,
        timeouts,
        error_route: chain.iter().any(|r| r.directive == "handle_errors"),
        script_dir: None,
        websocket_gaps: None,
        forwards_scheme: Some(true),
    }
}
