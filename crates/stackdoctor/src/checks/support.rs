//! What several checks share: walking the proxies' upstreams, building the
//! request path, suggesting the right service, and writing fix steps.

use crate::finding::{Edit, FixStep, Hop, HopState, Message};
use crate::model::{
    ListenEvidence, Listener, Origin, Proxy, ProxyRoute, Service, ServiceId, Site, StackModel,
    Upstream, UpstreamTarget,
};
use std::path::Path;

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

/// The hop for a service, e.g. `service web (project backend)`.
pub fn service_hop(model: &StackModel, id: ServiceId, state: HopState) -> Hop {
    let service = &model.services[id];
    Hop {
        label: format!(
            "service {} (project {})",
            service.name, model.projects[service.project].name
        ),
        state,
        origin: Some(service.origin.clone()),
    }
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
    let by_port = port.and_then(|port| {
        reachable
            .iter()
            .copied()
            .find(|&id| model.services[id].listeners_on(port).next().is_some())
            .map(|id| (id, port))
    });
    by_port.or_else(|| {
        reachable
            .iter()
            .copied()
            .min_by_key(|&id| {
                (
                    edit_distance(&model.services[id].name, host),
                    model.services[id]
                        .listeners
                        .first()
                        .map(|l| l.evidence)
                        .unwrap_or(ListenEvidence::ImageDefault),
                )
            })
            .and_then(|id| main_listener(&model.services[id].listeners).map(|l| (id, l.port)))
    })
}

fn is_backing_store_port(port: u16) -> bool {
    matches!(port, 5432 | 3306 | 6379 | 27017 | 11211 | 5672 | 9200)
}

pub use crate::names::edit_distance;

/// How many lines after a value's start a word may be on (YAML block scalars).
const VALUE_LINES: u32 = 8;

/// The first line at or after `origin` (within [`VALUE_LINES`]) holding `needle`, with its number.
fn line_with<'a>(model: &'a StackModel, origin: &Origin, needle: &str) -> Option<(u32, &'a str)> {
    let position = origin.position()?;
    (position.line..position.line.saturating_add(VALUE_LINES))
        .filter_map(|n| Some((n, model.sources.line(&position.file, n)?)))
        .find(|(_, line)| line.contains(needle))
}

fn edit_at(origin: &Origin, line_number: u32, before: &str, after: String) -> Edit {
    let mut origin = origin.clone();
    if let Origin::File(p) = &mut origin {
        p.line = line_number;
    }
    Edit {
        origin,
        before: before.to_string(),
        after,
    }
}

/// An edit that replaces `old` by `new` on the line of `origin` (or a line of its value).
pub fn replace_on_line(model: &StackModel, origin: &Origin, old: &str, new: &str) -> Option<Edit> {
    let (number, line) = line_with(model, origin, old)?;
    let position = origin.position()?;
    // On the value's own line, prefer the occurrence at the recorded column.
    let start = if number == position.line {
        let column = position.column.saturating_sub(1) as usize;
        line.char_indices().nth(column).map_or(0, |(i, _)| i)
    } else {
        0
    };
    let at = line[start..]
        .find(old)
        .map(|i| i + start)
        .or_else(|| line.find(old))?;
    let after = format!("{}{}{}", &line[..at], new, &line[at + old.len()..]);
    Some(edit_at(origin, number, line, after))
}

/// An edit that replaces the port number `old` (a whole number) by `new` on
/// the line of `origin` itself: a label or variable that holds only the port.
pub fn replace_port_on_line(
    model: &StackModel,
    origin: &Origin,
    old: u16,
    new: u16,
) -> Option<Edit> {
    let position = origin.position()?;
    let line = model.sources.line(&position.file, position.line)?;
    let old_text = old.to_string();
    let bytes = line.as_bytes();
    let at = line
        .match_indices(old_text.as_str())
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = i.checked_sub(1).map(|b| bytes[b]);
            let after = bytes.get(i + old_text.len()).copied();
            !before.is_some_and(|b| b.is_ascii_digit())
                && !after.is_some_and(|b| b.is_ascii_digit())
        })
        .last()?;
    let after = format!("{}{new}{}", &line[..at], &line[at + old_text.len()..]);
    Some(edit_at(origin, position.line, line, after))
}

/// An edit that inserts `addition` right after `word` on the line of `origin` (or a line of its value).
pub fn insert_after_word(
    model: &StackModel,
    origin: &Origin,
    word: &str,
    addition: &str,
) -> Option<Edit> {
    let (number, line) = line_with(model, origin, word)?;
    let at = line.find(word)? + word.len();
    let after = format!("{} {}{}", &line[..at], addition, &line[at..]);
    Some(edit_at(origin, number, line, after))
}

/// `cd DIR && docker compose [-f …]` for the project of a service; plain
/// `docker` for containers a script runs (`docker restart NAME`, `docker logs NAME`).
pub fn compose_command(model: &StackModel, project: usize) -> String {
    let project = &model.projects[project];
    if project.kind == crate::model::ProjectKind::Script {
        return "docker".to_string();
    }
    let dir = project.dir.display();
    let mut command = format!("cd {dir} && docker compose");
    if !project.default_files {
        for file in &project.files {
            let name = file.strip_prefix(&project.dir).unwrap_or(file);
            command.push_str(&format!(" -f {}", name.display()));
        }
    }
    command
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

/// The fix step that (re)creates a service.
pub fn recreate_service_step(model: &StackModel, id: ServiceId) -> FixStep {
    let service = &model.services[id];
    FixStep::run(
        Message::new("common.recreate-service").with("service", &service.name),
        start_service_command(model, id, "up -d --force-recreate"),
    )
}

/// The command that (re)starts a service: `docker compose <verb> NAME`, or
/// for a container a script runs, removing it and running the script again.
pub fn start_service_command(model: &StackModel, id: ServiceId, compose_verb: &str) -> String {
    let service = &model.services[id];
    match &service.run_command {
        Some(run) => match &service.container_name {
            Some(name) => format!("docker rm -f {} ; {run}", name.value),
            None => run.clone(),
        },
        None => format!(
            "{} {compose_verb} {}",
            compose_command(model, service.project),
            service.name
        ),
    }
}

/// A path shown relative to the diagnosed folder.
pub fn shown(model: &StackModel, path: &Path) -> String {
    crate::model::origin::relative(path, &model.root)
        .display()
        .to_string()
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
    let events = model
        .log_events
        .iter()
        .filter(|e| e.causes.iter().any(|(c, _)| c == cause));
    let groups = group_by(events, |e| (e.host.clone(), e.port));
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

/// Items grouped by a key, groups in the order their first item came.
pub fn group_by<T, K: PartialEq>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<(K, Vec<T>)> {
    let mut groups: Vec<(K, Vec<T>)> = Vec::new();
    for item in items {
        let k = key(&item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    groups
}

/// Something that calls AWS: a service (by its code, credentials or logs) or a code folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSubject {
    pub name: String,
    pub service: Option<ServiceId>,
}

/// Whether a cause belongs to the AWS family (its log lines make a service an AWS caller).
fn is_aws_cause(cause: &str) -> bool {
    ["aws-", "bedrock-", "iam-"]
        .iter()
        .any(|p| cause.starts_with(p))
}

/// Every subject that calls AWS, in a stable order: code clients, services with
/// AWS credentials configured, then services whose logs show AWS errors.
pub fn aws_subjects(model: &StackModel) -> Vec<AwsSubject> {
    let mut out: Vec<AwsSubject> = Vec::new();
    let mut add = |name: &str, service: Option<ServiceId>| {
        if !out.iter().any(|s| s.name == name) {
            out.push(AwsSubject {
                name: name.to_string(),
                service,
            });
        }
    };
    for client in &model.aws.clients {
        add(&client.name, client.service);
    }
    for c in &model.aws.credentials {
        let view = &c.view;
        if !view.sources.is_empty() || !view.misplaced.is_empty() || !view.defects.is_empty() {
            add(&c.name, Some(c.service));
        }
    }
    for event in &model.log_events {
        if let Some(service) = &event.service {
            if event.causes.iter().any(|(c, _)| is_aws_cause(c)) {
                let id = model.services.iter().position(|s| &s.name == service);
                add(service, id);
            }
        }
    }
    out
}

/// Log lines of one service that support a cause, and their summed weight.
pub struct LogSupport<'a> {
    pub events: Vec<&'a crate::model::LogEvent>,
    pub weight: u32,
}

pub fn aws_log_events<'a>(model: &'a StackModel, service: &str, cause: &str) -> LogSupport<'a> {
    let events: Vec<_> = model
        .log_events
        .iter()
        .filter(|e| {
            // A line that names no service belongs to the only service there is.
            e.service.as_deref() == Some(service)
                || (e.service.is_none() && model.services.len() == 1)
        })
        .filter(|e| e.causes.iter().any(|(c, _)| c == cause))
        .collect();
    let weight = events
        .iter()
        .flat_map(|e| &e.causes)
        .filter(|(c, _)| c == cause)
        .map(|(_, w)| u32::from(*w))
        .sum();
    LogSupport { events, weight }
}

/// Where the live IMDS probe found that the instance has no instance profile.
pub fn imds_says_no_role(model: &StackModel) -> Option<Origin> {
    let imds = model.aws.imds()?;
    matches!(imds.role, liveprobe::imds::RoleOutcome::NoInstanceProfile).then(|| Origin::Probe {
        probe: format!(
            "GET {}latest/meta-data/iam/security-credentials/ → 404",
            slash(&imds.endpoint)
        ),
    })
}

fn slash(endpoint: &str) -> String {
    if endpoint.ends_with('/') {
        endpoint.to_string()
    } else {
        format!("{endpoint}/")
    }
}

/// Where the live IMDS probe found that IMDSv2 tokens are required.
pub fn imds_requires_tokens(model: &StackModel) -> Option<Origin> {
    let imds = model.aws.imds()?;
    matches!(imds.imdsv1, liveprobe::imds::V1Outcome::TokenRequired).then(|| Origin::Probe {
        probe: format!(
            "GET {}latest/meta-data/iam/security-credentials/ without a token → 401",
            slash(&imds.endpoint)
        ),
    })
}

/// The request path of a Bedrock call: service → SDK client → region → model
/// (→ the ARN IAM checks, when given).
pub fn bedrock_path(
    model: &StackModel,
    client: &crate::model::aws::BedrockClient,
    arn: Option<(&str, HopState)>,
) -> Vec<Hop> {
    let region_state = if client.region.value.is_some() {
        HopState::Ok
    } else {
        HopState::Broken
    };
    let mut hops = Vec::new();
    if let Some(id) = client.service {
        hops.push(service_hop(model, id, HopState::Ok));
    }
    hops.push(Hop {
        label: format!(
            "{} bedrock-runtime client",
            client.sdk.map_or("(no SDK call seen)", |s| s.name())
        ),
        state: HopState::Ok,
        origin: Some(client.origin.clone()),
    });
    let decided = client.region.decided();
    hops.push(Hop {
        label: format!(
            "region {}",
            client.region.value.as_deref().unwrap_or("(none)")
        ),
        state: region_state,
        origin: decided.map(|s| s.origin.clone()),
    });
    if let Some(m) = client.models.first() {
        hops.push(Hop {
            label: format!("model {}", m.id),
            state: HopState::Unknown,
            origin: Some(m.origin.clone()),
        });
    }
    if let Some((arn, state)) = arn {
        hops.push(Hop {
            label: arn.to_string(),
            state,
            origin: None,
        });
    }
    hops
}

/// A model a client calls, with what the catalogue says of it in the client's region.
pub struct ModelVerdict<'a> {
    pub client: &'a crate::model::aws::BedrockClient,
    pub setting: &'a crate::model::aws::ModelSetting,
    pub model: bedrock::ModelRef,
    pub region: String,
    pub availability: bedrock::Availability,
}

impl ModelVerdict<'_> {
    /// A finding of `cause` about this model: subject, parameters, where the
    /// model is set (with `label`), and the client's log lines for `cause`.
    pub fn finding(
        &self,
        model: &StackModel,
        cause: &str,
        label: Message,
    ) -> crate::finding::Finding {
        crate::finding::Finding::new(cause)
            .subject(&self.client.name)
            .param("model", &self.setting.id)
            .param("region", &self.region)
            .evidence(
                self.setting.origin.clone(),
                label
                    .with("model", &self.setting.id)
                    .with("region", &self.region),
            )
            .log_lines(
                aws_log_events(model, &self.client.name, cause)
                    .events
                    .into_iter()
                    .take(3),
            )
    }

    /// The last fix step (recreate the service) and the request path, broken at `hop`.
    pub fn close(
        &self,
        model: &StackModel,
        mut finding: crate::finding::Finding,
        hop: &str,
    ) -> crate::finding::Finding {
        if let Some(id) = self.client.service {
            finding = finding.fix(recreate_service_step(model, id));
        }
        finding.path(bedrock_path(
            model,
            self.client,
            Some((hop, HopState::Broken)),
        ))
    }
}

/// Every model of every client whose region is known, judged by the catalogue.
pub fn model_verdicts(model: &StackModel) -> Vec<ModelVerdict<'_>> {
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for client in &model.aws.clients {
        let Some(region) = client.region.value.clone() else {
            continue;
        };
        for setting in &client.models {
            let Some(model_ref) = bedrock::ModelRef::parse(&setting.id) else {
                continue;
            };
            let availability = catalogue.availability(&model_ref, &region);
            out.push(ModelVerdict {
                client,
                setting,
                model: model_ref,
                region: region.clone(),
                availability,
            });
        }
    }
    out
}

/// Every model of every client whose region is not known, judged by what the
/// catalogue says of it anywhere (`region` is empty): an ID it does not know,
/// a profile prefix the model never has, and the lifecycle.
pub fn regionless_verdicts(model: &StackModel) -> Vec<ModelVerdict<'_>> {
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for client in model
        .aws
        .clients
        .iter()
        .filter(|c| c.region.value.is_none())
    {
        for setting in &client.models {
            let Some(model_ref) = bedrock::ModelRef::parse(&setting.id) else {
                continue;
            };
            let availability = catalogue.availability_anywhere(&model_ref);
            out.push(ModelVerdict {
                client,
                setting,
                model: model_ref,
                region: String::new(),
                availability,
            });
        }
    }
    out
}

/// The fix step that replaces a model ID where it is set.
pub fn replace_model_step(
    model: &StackModel,
    setting: &crate::model::aws::ModelSetting,
    new_id: &str,
    message: Message,
) -> FixStep {
    match replace_on_line(model, &setting.origin, &setting.id, new_id) {
        Some(edit) => FixStep::edit(message, edit),
        None => FixStep::say(message),
    }
}

/// What the project's IAM policies say of one call a client needs.
pub struct IamCall<'a> {
    pub verdict: ModelVerdict<'a>,
    /// One evaluation per (action, required ARN), with why the ARN is needed.
    pub results: Vec<(iampolicy::Evaluation, bedrock::RequiredArn)>,
}

/// The policies of the project as one slice, with the file of each.
pub fn policy_set(model: &StackModel) -> (Vec<iampolicy::Policy>, Vec<&Path>) {
    model
        .aws
        .all_policies()
        .map(|(path, policy)| (policy.clone(), path.as_path()))
        .unzip()
}

/// The account the project's Bedrock ARNs name, when they agree on one.
fn policy_account(policies: &[iampolicy::Policy]) -> Option<String> {
    let mut accounts: Vec<String> = Vec::new();
    for statement in policies.iter().flat_map(|p| &p.statements) {
        if let iampolicy::ResourceMatch::Resource(resources) = &statement.resource {
            for r in resources {
                let account = r.value.split(':').nth(4).unwrap_or_default();
                if account.len() == 12
                    && account.bytes().all(|b| b.is_ascii_digit())
                    && !accounts.iter().any(|a| a == account)
                {
                    accounts.push(account.to_string());
                }
            }
        }
    }
    (accounts.len() == 1).then(|| accounts.remove(0))
}

/// Evaluates, for every callable model of every client, each IAM action the
/// client needs on each ARN the call needs (the profile and its destinations).
pub fn iam_calls(model: &StackModel) -> Vec<IamCall<'_>> {
    let (policies, _) = policy_set(model);
    if policies.is_empty() {
        return Vec::new();
    }
    let account = policy_account(&policies);
    let catalogue = model.aws.catalogue();
    let mut out = Vec::new();
    for verdict in model_verdicts(model) {
        let required = catalogue.required_arns(&verdict.model, &verdict.region, account.as_deref());
        let profile_arn = required
            .iter()
            .find(|r| r.arn.contains(":inference-profile/"))
            .map(|r| r.arn.clone());
        let mut results = Vec::new();
        for action in &verdict.client.actions {
            for arn in &required {
                let mut context = iampolicy::Context::new();
                // Under cross-region inference the requested region is the destination's.
                if let Some(region) = &arn.region {
                    context = context.with("aws:RequestedRegion", region.clone());
                }
                match (&profile_arn, arn.arn.contains(":foundation-model/")) {
                    (Some(profile), true) => {
                        context = context.with("bedrock:InferenceProfileArn", profile.clone())
                    }
                    (None, true) => context = context.absent("bedrock:InferenceProfileArn"),
                    _ => {}
                }
                let request =
                    iampolicy::Request::new(action.clone(), arn.arn.clone()).with_context(context);
                results.push((iampolicy::evaluate(&policies, &request), arn.clone()));
            }
        }
        out.push(IamCall { verdict, results });
    }
    out
}

/// The origin of a statement of the policy set.
pub fn statement_origin(files: &[&Path], policy: usize, span: iampolicy::Span) -> Origin {
    let path = files.get(policy).copied().unwrap_or(Path::new("?"));
    Origin::file(path, span.line as u32, span.column as u32, 0)
}

/// Findings of `cause` from log lines alone, for the AWS callers no check
/// reported yet (a project without policy files still has its logs).
pub fn log_only_findings(
    model: &StackModel,
    cause: &str,
    reported: &[String],
) -> Vec<crate::finding::Finding> {
    let mut findings = Vec::new();
    for subject in aws_subjects(model) {
        if reported.contains(&subject.name) {
            continue;
        }
        let logs = aws_log_events(model, &subject.name, cause);
        if logs.weight < 60 {
            continue;
        }
        let mut finding = crate::finding::Finding::new(cause)
            .subject(&subject.name)
            .param("service", &subject.name)
            .param("model", "?");
        finding = finding.log_lines(logs.events.iter().copied().take(3));
        findings.push(finding.fix(FixStep::run(
            Message::new("common.see-explain"),
            format!("stackdoctor explain {cause}"),
        )));
    }
    findings
}

/// A tree of files on disk (`(relative path, text)`) and the model built from
/// it offline, for check tests.
#[cfg(test)]
pub fn test_tree(files: &[(&str, &str)]) -> (tempfile::TempDir, StackModel) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let model = crate::sources::build_model(&crate::sources::Inputs {
        root: dir.path().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    (dir, model)
}
