//! Helpers of the proxy checks: walking the proxies' upstreams and the request path, where services listen, the service an upstream meant, reloading the proxy, and log lines about upstreams.

use crate::checks::support::{compose_command, group_by, start_service_command};
use crate::finding::{FixStep, Hop, HopState, Message};
use crate::model::{
    ListenEvidence, Listener, Proxy, ProxyRoute, Service, ServiceId, Site, StackModel, Upstream,
    UpstreamTarget,
};

use crate::names::edit_distance;

/// One upstream with the proxy, site and route it belongs to.
pub struct UpstreamContext<'a> {
    pub proxy: &'a Proxy,
    pub site: &'a Site,
    pub route: &'a ProxyRoute,
    pub upstream: &'a Upstream,
}

/// Every upstream of every proxy, in file order.
pub fn upstreams(model: &StackModel) -> impl Iterator<Item = UpstreamContext<'_>> {
    model.proxies.iter().flat_map(|proxy| {
        proxy.sites.iter().flat_map(move |site| {
            site.routes.iter().flat_map(move |route| {
                route.upstreams.iter().map(move |upstream| UpstreamContext {
                    proxy,
                    site,
                    route,
                    upstream,
                })
            })
        })
    })
}

/// Every upstream whose service the proxy reaches over a shared network, with that service.
pub fn reached_upstreams(
    model: &StackModel,
) -> impl Iterator<Item = (UpstreamContext<'_>, ServiceId)> {
    upstreams(model).filter_map(|ctx| {
        let id = ctx.reachable_service(model)?;
        Some((ctx, id))
    })
}

impl UpstreamContext<'_> {
    /// The services the upstream names, in the order resolution found them.
    pub fn candidates(&self) -> Vec<ServiceId> {
        match &self.upstream.target {
            UpstreamTarget::Services { candidates } => {
                candidates.iter().map(|(id, _)| *id).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The service the upstream reaches: the first candidate sharing a network with the proxy.
    pub fn reachable_service(&self, model: &StackModel) -> Option<ServiceId> {
        let candidates = self.candidates();
        let proxy = self.proxy.service?;
        if model.services[proxy].uses_host_network() {
            return None;
        }
        candidates
            .into_iter()
            .find(|&id| !model.shared_networks(proxy, id).is_empty())
    }

    /// The request path up to the upstream, followed by `tail`.
    pub fn path(&self, upstream_state: HopState, tail: Vec<Hop>) -> Vec<Hop> {
        let mut hops = vec![Hop {
            label: format!("site {}", site_label(self.site)),
            state: HopState::Ok,
            origin: Some(self.site.origin.clone()),
        }];
        let last = self.route.steps.len().saturating_sub(1);
        for (i, step) in self.route.steps.iter().enumerate() {
            hops.push(Hop {
                label: step.label.clone(),
                state: if i == last {
                    upstream_state
                } else {
                    HopState::Ok
                },
                origin: Some(step.origin.clone()),
            });
        }
        hops.extend(tail);
        hops
    }
}

pub fn site_label(site: &Site) -> String {
    let names: Vec<&str> = site.addresses.iter().map(|a| a.text.as_str()).collect();
    names.join(", ")
}

/// The hop for the networks two services share (or the lack of one).
pub fn network_hop(model: &StackModel, a: ServiceId, b: ServiceId) -> Hop {
    let shared = model.shared_networks(a, b);
    if shared.is_empty() {
        Hop {
            label: "no shared network".to_string(),
            state: HopState::Broken,
            origin: None,
        }
    } else {
        let names: Vec<&str> = shared
            .iter()
            .map(|&n| model.networks[n].name.as_str())
            .collect();
        Hop {
            label: format!("network {}", names.join(", ")),
            state: HopState::Ok,
            origin: None,
        }
    }
}

/// What a service really listens on: its command's server address, or a
/// port variable its program reads (`PORT=3000`; not for an image whose
/// server is known, which may ignore it); else `expose:`/`ports:`; else the
/// image's default. A `ports:` target no such listener confirms is only a
/// declaration, which may be wrong.
pub fn effective_listeners(service: &Service) -> Vec<&Listener> {
    // What the running container listens on is a fact: it overrules the files.
    if service.sockets_read.is_some() {
        return service
            .listeners
            .iter()
            .filter(|l| l.evidence == ListenEvidence::Socket)
            .collect();
    }
    let known_image = service
        .image
        .as_ref()
        .is_some_and(|image| crate::knowledge::is_known_image(&image.value));
    let told = |l: &&Listener| {
        l.evidence == ListenEvidence::Command
            || (l.evidence == ListenEvidence::Environment && !known_image)
    };
    let strong: Vec<&Listener> = service.listeners.iter().filter(told).collect();
    if strong.is_empty() {
        service.listeners.iter().collect()
    } else {
        strong
    }
}

/// The listener a port most likely belongs to: strongest evidence first.
pub fn main_listener(listeners: &[Listener]) -> Option<&Listener> {
    listeners.iter().min_by_key(|l| (l.evidence, l.port))
}

/// [`main_listener`] over borrowed listeners (e.g. [`effective_listeners`]).
pub fn main_of<'a>(listeners: &[&'a Listener]) -> Option<&'a Listener> {
    listeners
        .iter()
        .copied()
        .min_by_key(|l| (l.evidence, l.port))
}

/// The service the upstream most likely meant: one the proxy can reach,
/// listening on `port` if any does, else the most similar name.
pub fn suggest_service(
    model: &StackModel,
    proxy: &Proxy,
    host: &str,
    port: Option<u16>,
) -> Option<(ServiceId, u16)> {
    let reachable: Vec<ServiceId> = (0..model.services.len())
        .filter(|&id| Some(id) != proxy.service)
        .filter(|&id| match proxy.service {
            Some(p) => !model.shared_networks(p, id).is_empty(),
            None => true,
        })
        .filter(|&id| {
            // Databases and caches are never what a web proxy means.
            main_listener(&model.services[id].listeners)
                .is_some_and(|l| !is_backing_store_port(l.port))
        })
        .collect();
    // A name that says which service it meant (`svc25-old`, `bakend`) beats
    // a port match: with many services on the same port, the port alone
    // would pick the first one. Then the port, then the closest name.
    let listens =
        |id: ServiceId| port.is_some_and(|p| model.services[id].listeners_on(p).next().is_some());
    reachable
        .iter()
        .copied()
        .min_by_key(|&id| {
            let name = &model.services[id].name;
            let distance = edit_distance(name, host);
            (
                !names_alike(name, host, distance),
                !listens(id),
                distance,
                model.services[id]
                    .listeners
                    .first()
                    .map(|l| l.evidence)
                    .unwrap_or(ListenEvidence::ImageDefault),
            )
        })
        .and_then(|id| match port {
            Some(port) if listens(id) => Some((id, port)),
            _ => main_listener(&model.services[id].listeners).map(|l| (id, l.port)),
        })
}

/// Whether `host` looks like a variant of the service name `name`: a typo
/// (a third of the letters or fewer differ), or the name with a suffix or
/// prefix (`svc25-old`, `old-svc25`, `svc25_v2`).
fn names_alike(name: &str, host: &str, distance: usize) -> bool {
    let (name, host) = (name.to_ascii_lowercase(), host.to_ascii_lowercase());
    let affixed = |long: &str, short: &str| {
        long.strip_prefix(short)
            .is_some_and(|rest| rest.starts_with(['-', '_', '.']))
            || long
                .strip_suffix(short)
                .is_some_and(|rest| rest.ends_with(['-', '_', '.']))
    };
    distance <= (host.len() / 3).max(1) || affixed(&host, &name) || affixed(&name, &host)
}

fn is_backing_store_port(port: u16) -> bool {
    matches!(port, 5432 | 3306 | 6379 | 27017 | 11211 | 5672 | 9200)
}

/// The fix step that makes the proxy read its changed config. In a
/// container the Caddyfile is usually a single-file bind mount, which keeps
/// pointing at the old file when an editor replaces it; a restart mounts it
/// again, a `caddy reload` would not.
///
/// Routes read from a container's labels (Traefik, caddy-docker-proxy) or
/// environment (nginx-proxy) change only when that container is recreated.
pub fn reload_proxy_step(model: &StackModel, proxy: &Proxy) -> FixStep {
    if let Some(routes) = model.label_routes_of(proxy) {
        let service = &model.services[routes.service];
        return FixStep::run(
            Message::new("common.recreate-labelled").with("service", &service.name),
            start_service_command(model, routes.service, "up -d"),
        );
    }
    if let (crate::model::ProxyKind::Traefik, Some(id)) = (proxy.kind, proxy.service) {
        // The file provider watches its files, but not through a replaced single-file mount.
        let service = &model.services[id];
        return FixStep::run(
            Message::new("common.restart-traefik").with("service", &service.name),
            start_service_command(model, id, "restart"),
        );
    }
    if proxy.kind == crate::model::ProxyKind::Nginx {
        // nginx checks the config and swaps workers on `-s reload`; a bad
        // config leaves the old one running instead of taking the site down.
        return match proxy.service {
            Some(id) => {
                let service = &model.services[id];
                FixStep::run(
                    Message::new("common.reload-nginx-service").with("service", &service.name),
                    format!(
                        "{} exec {} sh -c 'nginx -t && nginx -s reload'",
                        compose_command(model, service.project),
                        service.name
                    ),
                )
            }
            None => FixStep::run(
                Message::new("common.reload-nginx"),
                "nginx -t && nginx -s reload".to_string(),
            ),
        };
    }
    match proxy.service {
        Some(id) => {
            let service = &model.services[id];
            let command = format!(
                "{} restart {}",
                compose_command(model, service.project),
                service.name
            );
            FixStep::run(
                Message::new("common.restart-proxy").with("service", &service.name),
                command,
            )
        }
        None => FixStep::run(
            Message::new("common.reload-proxy"),
            format!("caddy reload --config {}", proxy.config_file.display()),
        ),
    }
}

/// Evidence from logs: events naming `host` (and `port`) that support one of `causes`.
pub fn log_evidence<'a>(
    model: &'a StackModel,
    host: &'a str,
    port: Option<u16>,
    causes: &'a [&'a str],
) -> impl Iterator<Item = &'a crate::model::LogEvent> + 'a {
    model
        .log_events_for(host, port)
        .filter(move |e| e.causes.iter().any(|(c, _)| causes.contains(&c.as_str())))
        .take(3)
}

/// Findings for a cause seen only in logs: one per upstream host and port
/// the lines name, with up to three lines as evidence.
pub fn log_symptoms(model: &StackModel, cause: &str) -> Vec<crate::finding::Finding> {
    let events = model.log_events_of(cause);
    // An address the engine knows counts as its service's name.
    let groups = group_by(events, |e| {
        (e.host_service.clone().or(e.host.clone()), e.port)
    });
    groups
        .into_iter()
        .map(|((host, port), events)| {
            let address = match (&host, port) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.clone(),
                _ => "?".to_string(),
            };
            let mut finding = crate::finding::Finding::new(cause)
                .param("address", &address)
                .param("count", events.len().to_string());
            if let Some(host) = host {
                finding = finding.subject(host);
            }
            finding = finding.log_lines(events.iter().copied().take(3));
            finding.fix(FixStep::say(Message::new(format!("{cause}.next-step"))))
        })
        .collect()
}

/// The upstream text with its port changed (`http://web:3000` → `http://web:8000`).
pub fn with_port(text: &str, old: u16, new: u16) -> String {
    let suffix = format!(":{old}");
    match text.strip_suffix(&suffix) {
        Some(head) => format!("{head}:{new}"),
        None => format!("{text}:{new}"),
    }
}

/// A log-only check (`run`) over a proxy log of `lines` given with `--logs`:
/// its findings, the first one's evidence (`file:line`) and fix (see
/// [`the_finding`](crate::checks::support::the_finding)) when there is one.
#[cfg(test)]
pub fn run_on_log(
    run: fn(&StackModel) -> Vec<crate::finding::Finding>,
    cause: &str,
    lines: &str,
) -> (Vec<crate::finding::Finding>, Option<(String, String)>) {
    let (dir, model) = crate::checks::support::test_tree_with(
        &[("logs/proxy.log", lines)],
        &["--logs", "logs/proxy.log"],
    );
    let findings = run(&model);
    let first = (!findings.is_empty())
        .then(|| crate::checks::support::the_finding(dir.path(), &findings, cause));
    (findings, first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::support::test_tree;

    const COMPOSE: &str = "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  app:\n    build: .\n    command: gunicorn -b 0.0.0.0:8000 app:app\n    ports:\n      - \"80:80\"\n  db:\n    image: postgres:16\n";

    #[test]
    fn a_variant_of_a_name_is_alike_an_unrelated_name_is_not() {
        let alike = |name: &str, host: &str| names_alike(name, host, edit_distance(name, host));
        assert!(alike("svc25", "svc25-old"));
        assert!(alike("svc25", "old-svc25"));
        assert!(alike("backend", "bakend"));
        assert!(alike("api", "API_v2"));
        assert!(!alike("svc0", "svc25-old"));
        assert!(!alike("web", "api"));
        // A prefix without a separator is another word, not a variant.
        assert!(!alike("app", "application"));
    }

    #[test]
    fn the_suggestion_prefers_the_named_service_over_the_first_on_the_port() {
        let compose = "services:\n  caddy:\n    image: caddy:2\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile\n  svc0:\n    command: gunicorn -b 0.0.0.0:8000 app:app\n  svc25:\n    command: gunicorn -b 0.0.0.0:8000 app:app\n  other:\n    command: gunicorn -b 0.0.0.0:9000 app:app\n";
        let caddyfile = "a.example.com {\n\treverse_proxy svc25-old:8000\n}\nb.example.com {\n\treverse_proxy nothing:9000\n}\n";
        let (_dir, model) = test_tree(&[("compose.yaml", compose), ("Caddyfile", caddyfile)]);
        let proxy = &model.proxies[0];
        let name = |suggestion: Option<(ServiceId, u16)>| {
            suggestion.map(|(id, port)| (model.services[id].name.clone(), port))
        };
        assert_eq!(
            name(suggest_service(&model, proxy, "svc25-old", Some(8000))),
            Some(("svc25".to_string(), 8000))
        );
        // No name alike: the service on the dialled port.
        assert_eq!(
            name(suggest_service(&model, proxy, "nothing", Some(9000))),
            Some(("other".to_string(), 9000))
        );
    }

    #[test]
    fn a_port_is_replaced_at_the_end_or_added() {
        assert_eq!(with_port("http://web:3000", 3000, 8000), "http://web:8000");
        assert_eq!(with_port("web", 3000, 8000), "web:8000");
        // Only a trailing port is the port.
        assert_eq!(with_port("web:30001", 3000, 8000), "web:30001:8000");
    }

    /// The command's address wins over a `ports:` target nothing confirms.
    #[test]
    fn the_command_says_where_a_service_listens() {
        let (_dir, model) = test_tree(&[
            ("compose.yaml", COMPOSE),
            ("Caddyfile", ":80 {\n\treverse_proxy ap:80\n}\n"),
        ]);
        let app = model.services.iter().find(|s| s.name == "app").unwrap();
        let ports: Vec<u16> = effective_listeners(app).iter().map(|l| l.port).collect();
        assert_eq!(ports, [8000]);
        assert_eq!(main_listener(&app.listeners).map(|l| l.port), Some(8000));
    }

    /// A misspelt host is matched to the nearest web service, never the database.
    #[test]
    fn the_suggested_service_is_the_nearest_web_service() {
        let (_dir, model) = test_tree(&[
            ("compose.yaml", COMPOSE),
            ("Caddyfile", ":80 {\n\treverse_proxy ap:80\n}\n"),
        ]);
        let proxy = &model.proxies[0];
        let app = model.services.iter().position(|s| s.name == "app").unwrap();
        assert_eq!(
            suggest_service(&model, proxy, "ap", None),
            Some((app, 8000))
        );
        assert_eq!(suggest_service(&model, proxy, "d", None), Some((app, 8000)));
        assert_eq!(
            suggest_service(&model, proxy, "ap", Some(8000)),
            Some((app, 8000))
        );
    }

    /// The path of an upstream: the site, then each step, the last in `state`.
    #[test]
    fn an_upstream_path_ends_at_its_step_in_the_given_state() {
        let (_dir, model) = test_tree(&[
            ("compose.yaml", COMPOSE),
            (
                "Caddyfile",
                "app.example.com {\n\treverse_proxy app:8000\n}\n",
            ),
        ]);
        let contexts: Vec<_> = upstreams(&model).collect();
        assert_eq!(contexts.len(), 1);
        let ctx = &contexts[0];
        assert_eq!(site_label(ctx.site), "app.example.com");
        let app = model.services.iter().position(|s| s.name == "app").unwrap();
        assert_eq!(ctx.candidates(), [app]);
        assert_eq!(ctx.reachable_service(&model), Some(app));
        let path = ctx.path(HopState::Broken, Vec::new());
        assert_eq!(path[0].label, "site app.example.com");
        assert_eq!(path.last().unwrap().state, HopState::Broken);
        let proxy = model.proxies[0].service.unwrap();
        let network = network_hop(&model, proxy, app);
        assert!(network.label.ends_with("_default"), "{}", network.label);
        assert_eq!(network.state, HopState::Ok);
    }
}
