//! The compose source: finds the compose projects of a tree, loads them with
//! the `compose` crate, and fills services, networks and listeners.

use super::inventory::{Inventory, Kind};
use super::listen;
use crate::error::Error;
use crate::model::{
    Activation, Attachment, EnvEntry, ListenEvidence, Listener, Network, NetworkDeclaration,
    Origin, Project, Service, Sourced, StackModel, ValueFrom,
};
use compose::VarSource;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How to load the project at the root (the `docker compose` flags).
#[derive(Debug, Clone, Default)]
pub struct ComposeInputs {
    pub files: Vec<PathBuf>,
    pub env_files: Vec<PathBuf>,
    pub project_name: Option<String>,
    pub profiles: Vec<String>,
}

/// Loads the root project (with the flags) and every other project found below it.
pub fn load_projects(
    inventory: &Inventory,
    inputs: &ComposeInputs,
    environment: &BTreeMap<String, String>,
    model: &mut StackModel,
) -> Result<(), Error> {
    let root = inventory.root.as_path();
    let mut dirs = Vec::new();
    let explicit = !inputs.files.is_empty() || environment.contains_key("COMPOSE_FILE");
    let root_files = if explicit {
        inputs.files.clone()
    } else {
        project_files(inventory, root, model)
    };
    if explicit || !root_files.is_empty() {
        let options = compose::Options {
            working_dir: root.to_path_buf(),
            files: root_files,
            env_files: inputs.env_files.clone(),
            project_name: inputs.project_name.clone(),
            profiles: inputs.profiles.clone(),
            environment: environment.clone(),
            record_missing_env_files: true,
        };
        let project = compose::load(&options)?;
        add_project(project, model);
        find_inactive_services(inventory, &options, model);
        dirs.push(root.to_path_buf());
    }
    for dir in project_dirs(inventory) {
        if dirs.contains(&dir) {
            continue;
        }
        let files = project_files(inventory, &dir, model);
        // A file only found under another name may be a fixture or a fragment
        // (`compose-depends-on-cycle.yaml` in a test folder): not loading it
        // is noted, not fatal, unlike a file compose itself would use.
        let guessed = compose::discover_files(&dir).is_empty();
        let options = compose::Options {
            working_dir: dir.clone(),
            files,
            profiles: inputs.profiles.clone(),
            environment: environment.clone(),
            record_missing_env_files: true,
            ..compose::Options::default()
        };
        let project = match compose::load(&options) {
            Ok(project) => project,
            Err(error) if guessed => {
                let origin = error
                    .position()
                    .map(Origin::from)
                    .unwrap_or_else(|| Origin::implied(dir.display().to_string()));
                model
                    .notes
                    .push(Sourced::new(format!("not read: {error}"), origin));
                continue;
            }
            Err(error) => return Err(error.into()),
        };
        add_project(project, model);
        find_inactive_services(inventory, &options, model);
        dirs.push(dir);
    }
    Ok(())
}

/// The files the compose source reads: compose-named YAML.
pub fn claims(file: &super::inventory::File) -> bool {
    is_compose_name(&file.name)
}

/// Whether a file name looks like a compose file (`docker-compose.dev.yml`,
/// `compose.prod.yaml`, `docker-compose-prod.yml`, `app.compose.yml`).
fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("compose") && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

/// Whether the text has a top-level `services:` key, as every compose file
/// with something to run does (a CI config named `compose-check.yml` has not).
fn has_services_key(text: &str) -> bool {
    text.lines().any(|line| {
        line.strip_prefix("services")
            .is_some_and(|rest| rest.trim_start().starts_with(':'))
    })
}

/// The compose files of a folder: compose's own discovery, else the one
/// compose file under another name (`docker-compose-prod.yml`,
/// `compose.staging.yaml`, an override file alone) that `-f` would name.
/// Several such files are alternatives, not layers: the production-looking
/// one is read as the project, the others as inactive candidates.
fn project_files(inventory: &Inventory, dir: &Path, model: &mut StackModel) -> Vec<PathBuf> {
    let standard = compose::discover_files(dir);
    if !standard.is_empty() {
        return standard;
    }
    let candidates = odd_compose_files(inventory, dir);
    let Some(chosen) = candidates
        .iter()
        .min_by_key(|p| (odd_name_rank(p), p.to_path_buf()))
        .cloned()
    else {
        return Vec::new();
    };
    let name = chosen.file_name().unwrap_or_default().to_string_lossy();
    let message = if candidates.len() > 1 {
        format!(
            "no compose.yaml or docker-compose.yml here: read {name} as the project (of {} compose files; use -f to choose)",
            candidates.len()
        )
    } else {
        format!("no compose.yaml or docker-compose.yml here: read {name} as the project (as `docker compose -f {name}` would)")
    };
    model
        .notes
        .push(Sourced::new(message, Origin::file(&chosen, 1, 1, 0)));
    vec![chosen]
}

/// Compose-named files of a folder with a top-level `services:`, sorted.
fn odd_compose_files(inventory: &Inventory, dir: &Path) -> Vec<PathBuf> {
    inventory
        .files_in(dir)
        .filter(|f| f.is(Kind::Compose) && !f.outside)
        .filter(|f| {
            f.size <= compose::loader::MAX_FILE_SIZE
                && std::fs::read_to_string(&f.path).is_ok_and(|t| has_services_key(&t))
        })
        .map(|f| f.path.clone())
        .collect()
}

/// Which of several odd-named compose files is the project: production
/// first, then plain variants, then development ones, overrides last.
fn odd_name_rank(path: &Path) -> u8 {
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .to_ascii_lowercase();
    let has = |word: &str| {
        name.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part == word)
    };
    if has("prod") || has("production") {
        0
    } else if has("override") {
        3
    } else if ["dev", "development", "local", "test", "ci", "debug"]
        .iter()
        .any(|w| has(w))
    {
        2
    } else {
        1
    }
}

/// Loads the active files plus each other compose file of the folder, and
/// records the services that only that other file defines.
fn find_inactive_services(
    inventory: &Inventory,
    options: &compose::Options,
    model: &mut StackModel,
) {
    let project_index = model.projects.len() - 1;
    let active = model.projects[project_index].files.clone();
    let mut others: Vec<PathBuf> = inventory
        .files_in(&model.projects[project_index].dir)
        .filter(|f| f.is(Kind::Compose) && !f.outside)
        .map(|f| f.path.clone())
        .filter(|p| {
            !active
                .iter()
                .any(|a| a.canonicalize().ok() == p.canonicalize().ok())
        })
        .collect();
    others.sort();
    let known: std::collections::HashSet<String> = model
        .services
        .iter()
        .filter(|s| s.project == project_index)
        .map(|s| s.name.clone())
        .collect();
    for other in others {
        let mut with_other = options.clone();
        with_other.files = active.iter().cloned().chain([other.clone()]).collect();
        // A file that does not load with the active ones is simply not a candidate.
        let Ok(merged) = compose::load(&with_other) else {
            continue;
        };
        for service in merged.services.iter().chain(&merged.disabled_services) {
            if !known.contains(&service.name) {
                model.inactive_services.push(crate::model::InactiveService {
                    name: service.name.clone(),
                    project: project_index,
                    file: other.clone(),
                    origin: Origin::from(&service.position),
                });
            }
        }
    }
}

/// The folders below the project (in walk order) that hold a compose project.
fn project_dirs(inventory: &Inventory) -> Vec<PathBuf> {
    let with_compose: std::collections::HashSet<&Path> =
        inventory.of(Kind::Compose).map(|f| f.folder()).collect();
    inventory
        .folders
        .iter()
        .filter(|f| f.depth > 0 && with_compose.contains(f.path.as_path()))
        .filter(|f| {
            !compose::discover_files(&f.path).is_empty()
                || !odd_compose_files(inventory, &f.path).is_empty()
        })
        .map(|f| f.path.clone())
        .collect()
}

fn add_project(project: compose::Project, model: &mut StackModel) {
    let project_index = model.projects.len();
    let service_env_files = project
        .services
        .iter()
        .chain(&project.disabled_services)
        .flat_map(|s| s.env_files.iter().map(|f| f.value.clone()));
    for file in project
        .files
        .iter()
        .chain(&project.env_files)
        .cloned()
        .chain(service_env_files)
    {
        if let Ok(text) = std::fs::read_to_string(&file) {
            if project.env_files.contains(&file) {
                model.secret_values.extend(secret_values(&text));
            }
            model.sources.insert(&file, &text);
        }
    }
    for warning in &project.warnings {
        let origin = warning
            .position
            .as_ref()
            .map(Origin::from)
            .unwrap_or_else(|| Origin::implied(project.working_dir.display().to_string()));
        model
            .notes
            .push(Sourced::new(warning.message.clone(), origin));
    }
    // Engine networks: merged across projects by engine name.
    let mut network_index = BTreeMap::new();
    for (key, network) in &project.networks {
        let origin = network
            .position
            .as_ref()
            .map(Origin::from)
            .unwrap_or_else(|| {
                Origin::implied(format!(
                    "network `{key}` that compose creates for project `{}`",
                    project.name
                ))
            });
        let index = match model.networks.iter().position(|n| n.name == network.name) {
            Some(i) => i,
            None => {
                model.networks.push(Network {
                    name: network.name.clone(),
                    created_by: None,
                    declarations: Vec::new(),
                });
                model.networks.len() - 1
            }
        };
        let entry = &mut model.networks[index];
        if !network.external && entry.created_by.is_none() {
            entry.created_by = Some(project_index);
        }
        entry.declarations.push(NetworkDeclaration {
            project: project_index,
            key: key.clone(),
            external: network.external,
            origin,
        });
        network_index.insert(key.clone(), index);
    }
    let active = project.services.iter().map(|s| (s, true));
    let disabled = project.disabled_services.iter().map(|s| (s, false));
    for (service, is_active) in active.chain(disabled) {
        let converted = convert_service(service, is_active, project_index, &network_index);
        model.services.push(converted);
    }
    let default_files = compose::discover_files(&project.working_dir) == project.files;
    model.projects.push(Project {
        default_files,
        name: project.name,
        dir: project.working_dir,
        files: project.files,
        env_files: project.env_files,
        kind: crate::model::ProjectKind::Compose,
    });
}

/// The values of secret-named variables of an env file.
fn secret_values(text: &str) -> Vec<String> {
    compose::dotenv::parse(text, &|_| None)
        .map(|entries| {
            entries
                .into_iter()
                .filter(|e| crate::secrets::is_secret_name(&e.key))
                .map(|e| e.value)
                .collect()
        })
        .unwrap_or_default()
}

fn located<T: Clone>(value: &compose::Located<T>) -> Sourced<T> {
    Sourced::new(value.value.clone(), Origin::from(&value.position))
}

fn value_from(source: &VarSource) -> ValueFrom {
    match source {
        VarSource::EnvFile(_) => ValueFrom::EnvFile,
        VarSource::ComposeFile(_) => ValueFrom::ComposeFile,
        VarSource::Default(_) => ValueFrom::Default,
        VarSource::Shell => ValueFrom::Shell,
        VarSource::Unset => ValueFrom::Unset,
    }
}

fn value_origin(source: &VarSource) -> Option<Origin> {
    match source {
        VarSource::EnvFile(p) | VarSource::ComposeFile(p) | VarSource::Default(p) => {
            Some(Origin::from(p))
        }
        VarSource::Shell => Some(Origin::implied("the shell environment")),
        VarSource::Unset => None,
    }
}

fn convert_service(
    service: &compose::Service,
    is_active: bool,
    project: usize,
    network_index: &BTreeMap<String, usize>,
) -> Service {
    let origin = Origin::from(&service.position);
    let environment: Vec<EnvEntry> = service
        .environment
        .iter()
        .map(|e| EnvEntry {
            name: e.name.clone(),
            value: e.value.clone(),
            origin: Origin::from(&e.position),
            value_origin: value_origin(&e.source),
            value_from: value_from(&e.source),
            variable: e.variable.clone(),
        })
        .collect();
    let env_lookup = |name: &str| {
        environment
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.value.clone())
    };
    let activation = if !is_active {
        Activation::ProfileDisabled {
            profiles: service.profiles.iter().map(|p| p.value.clone()).collect(),
        }
    } else {
        match &service.replicas {
            Some(r) if r.value == 0 => Activation::ZeroReplicas {
                origin: Origin::from(&r.position),
            },
            _ => Activation::Active,
        }
    };
    Service {
        name: service.name.clone(),
        project,
        origin: origin.clone(),
        image: service.image.as_ref().map(located),
        build_context: service.build_context.as_ref().map(located),
        container_name: service.container_name.as_ref().map(located),
        command: service.command.as_ref().map(located),
        entrypoint: service.entrypoint.as_ref().map(located),
        activation,
        restart: service.restart.as_ref().map(located),
        network_mode: service.network_mode.as_ref().map(located),
        attachments: service
            .networks
            .iter()
            .filter_map(|n| {
                Some(Attachment {
                    network: *network_index.get(&n.key)?,
                    aliases: n.aliases.iter().map(located).collect(),
                    origin: Origin::from(&n.position),
                })
            })
            .collect(),
        links: service.links.iter().map(located).collect(),
        extra_hosts: service.extra_hosts.iter().map(located).collect(),
        listeners: listeners(service, &env_lookup),
        published: service
            .ports
            .iter()
            .filter_map(|p| {
                let host = p.published.clone()?;
                Some(Sourced::new((host, p.target), Origin::from(&p.position)))
            })
            .collect(),
        environment,
        mounts: service
            .volumes
            .iter()
            .filter(|v| v.kind == "bind")
            .filter_map(|v| {
                let source = PathBuf::from(v.source.as_ref()?);
                Some(Sourced::new(
                    (source, v.target.clone()),
                    Origin::from(&v.position),
                ))
            })
            .collect(),
        missing_env_files: service.missing_env_files.iter().map(located).collect(),
        labels: service
            .labels
            .iter()
            .chain(&service.deploy_labels)
            .map(|(key, l)| Sourced::new((key.clone(), l.value.clone()), Origin::from(&l.position)))
            .collect(),
        run_command: None,
        sockets_read: None,
    }
}

/// Everything that tells where the service listens, strongest first.
fn listeners(service: &compose::Service, env: &dyn Fn(&str) -> Option<String>) -> Vec<Listener> {
    let mut out = Vec::new();
    // The command runs as the entrypoint's arguments; a server may be named in either.
    for words in [&service.command, &service.entrypoint]
        .into_iter()
        .flatten()
    {
        let origin = Origin::from(&words.position);
        if let Some(listener) = listen::listener_from_command(&words.value, &origin, env) {
            out.push(listener);
        }
    }
    if out.is_empty() {
        // `PORT=3000` in the command (`sh -c "PORT=3000 node server.js"`), else in the environment.
        for name in &crate::knowledge::servers().port_env {
            let in_command = [&service.command, &service.entrypoint]
                .into_iter()
                .flatten()
                .find_map(|words| {
                    let (_, value) = listen::command_assignments(&words.value)
                        .into_iter()
                        .find(|(n, _)| n == name)?;
                    Some((value, Origin::from(&words.position)))
                });
            let in_environment = || {
                let entry = service.environment.iter().find(|e| &e.name == name)?;
                Some((entry.value.clone()?, Origin::from(&entry.position)))
            };
            let Some((value, origin)) = in_command.or_else(in_environment) else {
                continue;
            };
            if let Ok(port) = value.parse() {
                out.push(Listener {
                    port,
                    bind: crate::model::Bind::All,
                    tls: false,
                    evidence: ListenEvidence::Environment,
                    origin,
                    detail: format!("{name}={port}"),
                    server: None,
                });
            }
        }
    }
    for expose in &service.expose {
        let port_text = expose.value.split('/').next().unwrap_or_default();
        let ports = port_range(port_text);
        for port in ports {
            out.push(declared(
                port,
                Origin::from(&expose.position),
                format!("expose: {}", expose.value),
            ));
        }
    }
    for port in &service.ports {
        out.push(declared(
            port.target,
            Origin::from(&port.position),
            format!("ports: {}", port.target),
        ));
    }
    // An image's documented default is only a fallback: a command, `expose:`
    // or `ports:` says what this container really does.
    if let (true, Some(image)) = (out.is_empty(), &service.image) {
        out.extend(listen::image_listeners(
            &image.value,
            &Origin::from(&image.position),
        ));
    }
    out
}

fn declared(port: u16, origin: Origin, detail: String) -> Listener {
    Listener {
        port,
        bind: crate::model::Bind::All,
        tls: port == 443,
        evidence: ListenEvidence::Declared,
        origin,
        detail,
        server: None,
    }
}

/// `8000` or `8000-8002` (at most 64 ports, so a huge range cannot flood the model).
fn port_range(text: &str) -> Vec<u16> {
    match text.split_once('-') {
        Some((a, b)) => match (a.parse::<u16>(), b.parse::<u16>()) {
            (Ok(a), Ok(b)) if a <= b => (a..=b).take(64).collect(),
            _ => Vec::new(),
        },
        None => text.parse().map(|p| vec![p]).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn chosen(dir: &Path) -> Vec<String> {
        let mut model = StackModel::default();
        project_files(&Inventory::scan(dir), dir, &mut model)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().to_string())
            .collect()
    }

    const SERVICE: &str = "services:\n  web:\n    image: nginx:alpine\n";

    #[test]
    fn compose_files_under_other_names_are_found() {
        for name in [
            "docker-compose-prod.yml",
            "app.compose.yml",
            "compose.staging.yaml",
            "docker-compose.override.yml",
        ] {
            let dir = tree(&[(name, SERVICE)]);
            assert_eq!(chosen(dir.path()), [name], "{name}");
        }
        // The standard name wins as compose's own discovery does.
        let dir = tree(&[
            ("docker-compose.yml", SERVICE),
            ("docker-compose-prod.yml", SERVICE),
        ]);
        assert_eq!(chosen(dir.path()), ["docker-compose.yml"]);
    }

    #[test]
    fn of_several_variants_the_production_one_is_the_project() {
        let dir = tree(&[
            ("docker-compose-dev.yml", SERVICE),
            ("docker-compose-prod.yml", SERVICE),
            ("docker-compose.override.yml", SERVICE),
        ]);
        assert_eq!(chosen(dir.path()), ["docker-compose-prod.yml"]);
        let mut model = StackModel::default();
        project_files(&Inventory::scan(dir.path()), dir.path(), &mut model);
        assert!(
            model.notes[0].value.contains("of 3 compose files"),
            "{:?}",
            model.notes
        );
    }

    #[test]
    fn files_without_services_are_not_compose_files() {
        // A CI workflow that only mentions compose in its name.
        let dir = tree(&[(
            "compose-lint.yml",
            "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n",
        )]);
        assert!(chosen(dir.path()).is_empty());
    }

    #[test]
    fn a_project_with_only_an_odd_name_is_loaded_below_the_root() {
        let dir = tree(&[("deploy/docker-compose-prod.yml", SERVICE)]);
        let model = crate::sources::build_model(&crate::sources::Inputs {
            root: dir.path().to_path_buf(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(model.services.len(), 1);
        assert_eq!(model.services[0].name, "web");
    }
}
