//! What runs, as the Docker Engine says: saved outputs given with `--logs`
//! (`docker inspect`, `docker compose ps --format json`, `docker network
//! inspect`, `docker events --format json`, compose's lines about
//! containers), found by their shape through the `dockerengine` crate, and
//! the live engine's answers (`engine_live.rs`). Every record is joined to
//! the compose service it belongs to: by compose's labels, else by the
//! container name compose gives (`project-service-1`, `project_service_1`),
//! a `container_name:`, or the name another record of the same run labels.

use crate::model::engine::{
    ContainerLine, ContainerState, EngineEvent, EngineNetwork, ServiceJoin,
};
use crate::model::{Origin, StackModel};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::logs::QUOTED_CAP;

/// Container events worth keeping; the rest (`exec_*`, `attach`, …) are noise here.
const KEPT_ACTIONS: &[&str] = &["die", "oom", "kill", "restart", "start", "health_status"];

/// Reads the saved engine outputs among the `--logs` inputs the log scan
/// kept whole (read once, shared with the ECS readers).
pub fn load(model: &mut StackModel, texts: &[(PathBuf, String)]) {
    for (file, text) in texts {
        read_text(model, file, text);
    }
}

fn read_text(model: &mut StackModel, file: &Path, text: &str) {
    let parsed = match dockerengine::parse(text, &dockerengine::Limits::default()) {
        Ok(parsed) => parsed,
        Err(error) => {
            model.notes.push(crate::model::Sourced::new(
                format!("engine output not read: {error}"),
                Origin::log(file, 1, 1),
            ));
            return;
        }
    };
    if parsed.is_empty() {
        return;
    }
    if parsed.dropped > 0 {
        model.notes.push(crate::model::Sourced::new(
            format!(
                "{} engine records beyond the budget were not read",
                parsed.dropped
            ),
            Origin::log(file, 1, 1),
        ));
    }
    let structured =
        !(parsed.containers.is_empty() && parsed.networks.is_empty() && parsed.events.is_empty());
    if structured && text.len() as u64 <= QUOTED_CAP && !model.sources.contains(file) {
        model
            .sources
            .insert(file, &crate::secrets::mask_patterns(text));
    }
    let file = file.to_path_buf();
    merge(model, parsed, &|at: dockerengine::At| {
        Origin::log(&file, at.line, at.column)
    });
}

/// Adds one parsed output to the model; `origin` turns a position into an origin.
pub fn merge(
    model: &mut StackModel,
    parsed: dockerengine::Parsed,
    origin: &dyn Fn(dockerengine::At) -> Origin,
) {
    // Names other records label: `shop-db-1` → (`shop`, `db`).
    let mut labelled: BTreeMap<String, (Option<String>, String)> = BTreeMap::new();
    for c in &parsed.containers {
        if let Some(service) = c.service() {
            labelled.insert(
                c.name.clone(),
                (c.project().map(String::from), service.into()),
            );
        }
    }
    for e in &parsed.events {
        if let (Some(name), Some(service)) = (&e.name, e.service()) {
            labelled.entry(name.clone()).or_insert((
                e.attributes.get(dockerengine::PROJECT_LABEL).cloned(),
                service.to_string(),
            ));
        }
    }
    for c in &model.engine.containers {
        if let Some(service) = &c.join.service_name {
            labelled
                .entry(c.state.name.clone())
                .or_insert((c.join.project.clone(), service.clone()));
        }
    }
    for container in parsed.containers {
        let join = join(
            model,
            &container.name,
            container.project(),
            container.service(),
            &labelled,
        );
        let fields = container
            .fields
            .iter()
            .map(|(k, at)| (k.clone(), origin(*at)))
            .collect();
        // Secret-named values are masked in every output.
        for (name, value) in &container.env {
            if crate::secrets::is_secret_name(name) && !value.is_empty() {
                model.secret_values.push(value.clone());
            }
        }
        if let (Some(id), Some(dockerengine::Sockets::Read { source, listening })) =
            (join.service, &container.sockets)
        {
            add_socket_listeners(model, id, source, listening);
        }
        let record = ContainerState {
            join,
            origin: origin(container.at),
            state: container,
            fields,
        };
        add_container(model, record);
    }
    for network in parsed.networks {
        let origin = origin(network.at);
        if let Some(known) = model
            .engine
            .networks
            .iter_mut()
            .find(|n| n.network.name == network.name)
        {
            known.network = network;
            known.origin = origin;
        } else {
            model
                .engine
                .networks
                .push(EngineNetwork { network, origin });
        }
    }
    for event in parsed.events {
        let kept = event.kind == "container"
            && KEPT_ACTIONS
                .iter()
                .any(|a| event.action == *a || event.action.starts_with(&format!("{a}:")));
        if !kept {
            continue;
        }
        let name = event.name.clone().unwrap_or_default();
        let join = join(
            model,
            &name,
            event
                .attributes
                .get(dockerengine::PROJECT_LABEL)
                .map(String::as_str),
            event.service(),
            &labelled,
        );
        let origin = origin(event.at);
        model.engine.events.push(EngineEvent {
            join,
            event,
            origin,
        });
    }
    for line in parsed.lines {
        let join = if line.by_service {
            let mut join = join(
                model,
                &line.container,
                None,
                Some(&line.container),
                &labelled,
            );
            join.service_name.get_or_insert(line.container.clone());
            join
        } else {
            join(model, &line.container, None, None, &labelled)
        };
        let origin = origin(line.at);
        model
            .engine
            .lines
            .push(ContainerLine { join, line, origin });
    }
}

/// A second record of the same container (inspect after ps) fills what the first lacked.
/// Names the service behind each IP address a log line dials, from the
/// addresses the engine lists for its containers on their networks.
pub fn name_log_addresses(model: &mut StackModel) {
    if model.engine.containers.is_empty() {
        return;
    }
    let mut by_address: BTreeMap<&str, &str> = BTreeMap::new();
    for container in &model.engine.containers {
        for join in &container.state.networks {
            if let Some(ip) = join.ip.as_deref().filter(|ip| !ip.is_empty()) {
                by_address.insert(ip, container.subject());
            }
        }
    }
    for event in &mut model.log_events {
        let known = event.host.as_deref().and_then(|h| by_address.get(h));
        if let Some(service) = known {
            event.host_service = Some(service.to_string());
        }
    }
}

/// The running container's listening sockets become the service's
/// listeners (facts: checks prefer them to what the files suggest).
fn add_socket_listeners(
    model: &mut StackModel,
    id: crate::model::ServiceId,
    source: &str,
    listening: &[dockerengine::ListeningSocket],
) {
    use crate::model::{Bind, ListenEvidence, Listener};
    let origin = Origin::Engine {
        call: source.to_string(),
    };
    let service = &mut model.services[id];
    service.sockets_read.get_or_insert(origin.clone());
    for socket in listening {
        let bind = match socket.is_loopback() {
            true => Bind::Loopback,
            false => Bind::All,
        };
        let known = service
            .listeners
            .iter_mut()
            .find(|l| l.evidence == ListenEvidence::Socket && l.port == socket.port);
        match known {
            // `0.0.0.0:80` and `127.0.0.1:80` (replicas, or two families): any interface wins.
            Some(known) if bind == Bind::All && known.bind == Bind::Loopback => {
                known.bind = bind;
                known.detail = socket.to_string();
            }
            Some(_) => {}
            None => {
                let tls = service
                    .listeners
                    .iter()
                    .any(|l| l.port == socket.port && l.tls);
                service.listeners.push(Listener {
                    port: socket.port,
                    bind,
                    tls,
                    evidence: ListenEvidence::Socket,
                    origin: origin.clone(),
                    detail: socket.to_string(),
                    server: None,
                });
            }
        }
    }
}

fn add_container(model: &mut StackModel, record: ContainerState) {
    let same = model.engine.containers.iter_mut().find(|c| {
        c.state.name == record.state.name
            || (c.state.id.is_some()
                && record
                    .state
                    .id
                    .as_deref()
                    .zip(c.state.id.as_deref())
                    .is_some_and(|(a, b)| a.starts_with(b) || b.starts_with(a)))
    });
    let Some(known) = same else {
        model.engine.containers.push(record);
        return;
    };
    // `inspect` says more than `compose ps`: it wins.
    let richer = record.state.from == Some(dockerengine::ContainerFrom::Inspect)
        && known.state.from != Some(dockerengine::ContainerFrom::Inspect);
    if richer {
        let mut record = record;
        if record.join.service.is_none() {
            record.join = known.join.clone();
        }
        *known = record;
    }
}

/// Which service `name` belongs to.
fn join(
    model: &StackModel,
    name: &str,
    project: Option<&str>,
    service: Option<&str>,
    labelled: &BTreeMap<String, (Option<String>, String)>,
) -> ServiceJoin {
    let (project, service) = match (project, service) {
        (p, Some(s)) => (p.map(String::from), Some(s.to_string())),
        (p, None) => match labelled.get(name) {
            Some((lp, ls)) => (lp.clone().or(p.map(String::from)), Some(ls.clone())),
            None => (p.map(String::from), None),
        },
    };
    if let Some(service) = &service {
        let id = model_service(model, project.as_deref(), service);
        return ServiceJoin {
            service: id,
            service_name: Some(service.clone()),
            project,
        };
    }
    // By the name compose gives: project-service-N (v2) or project_service_N (v1).
    for (id, s) in model.services.iter().enumerate() {
        let project_name = &model.projects[s.project].name;
        let numbered = |sep: char| {
            let prefix = format!("{project_name}{sep}{}{sep}", s.name);
            name.strip_prefix(&prefix)
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        };
        let named = s.container_name.as_ref().is_some_and(|c| c.value == name);
        if numbered('-') || numbered('_') || named {
            return ServiceJoin {
                service: Some(id),
                service_name: Some(s.name.clone()),
                project: Some(project_name.clone()),
            };
        }
    }
    // `docker compose logs` prints `web-1`: the service and its number.
    let bare = strip_number(name);
    if let Some(id) = model.services.iter().position(|s| s.name == bare) {
        return ServiceJoin {
            service: Some(id),
            service_name: Some(bare.to_string()),
            project: Some(model.projects[model.services[id].project].name.clone()),
        };
    }
    ServiceJoin {
        service: None,
        service_name: (bare != name).then(|| bare.to_string()),
        project,
    }
}

/// `web-1` → `web`, `shop_web_1` → `shop_web`; other names unchanged.
fn strip_number(name: &str) -> &str {
    match name.rfind(['-', '_']) {
        Some(i)
            if i > 0 && i + 1 < name.len() && name[i + 1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            &name[..i]
        }
        _ => name,
    }
}

/// The model's service `service` of project `project` (any project when unknown or not in the model).
fn model_service(model: &StackModel, project: Option<&str>, service: &str) -> Option<usize> {
    let in_project = model.services.iter().position(|s| {
        s.name == service && project.is_some_and(|p| model.projects[s.project].name == p)
    });
    in_project.or_else(|| {
        let mut named = model
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.name == service);
        match (named.next(), named.next()) {
            (Some((id, _)), None) => Some(id),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_stripped_from_compose_names_only() {
        assert_eq!(strip_number("web-1"), "web");
        assert_eq!(strip_number("shop_web_12"), "shop_web");
        assert_eq!(strip_number("web"), "web");
        assert_eq!(strip_number("web-"), "web-");
        assert_eq!(strip_number("-1"), "-1");
        assert_eq!(strip_number("api-v2"), "api-v2");
    }

    #[test]
    fn saved_outputs_without_files_join_by_label_and_name() {
        let mut model = StackModel::default();
        let text = r#"{"Service":"db","State":"running","Name":"shop-db-1","Project":"shop","Health":"unhealthy"}
dependency failed to start: container shop-db-1 is unhealthy
web-1 exited with code 137
"#;
        read_text(&mut model, Path::new("/tmp/saved.txt"), text);
        assert_eq!(model.engine.containers.len(), 1);
        assert_eq!(model.engine.containers[0].subject(), "db");
        let subjects: Vec<&str> = model.engine.lines.iter().map(|l| l.subject()).collect();
        assert_eq!(subjects, ["db", "web"]);
        assert!(model.understood_anything());
    }
}
