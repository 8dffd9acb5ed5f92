//! Every awesome-compose project loads, and agrees with `docker-compose config`
//! (Debian's docker-compose 1.29.2, the v1 implementation) on service names,
//! ports, network keys and environment names.

mod common;

use common::{corpus, env, scratch};
use compose::yaml::{self, Node};
use compose::{load, Options, Project};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const DOCKER_COMPOSE: &str = "/usr/bin/docker-compose";

/// Projects docker-compose v1 cannot read, and why (v1-vs-v2 differences).
const V1_FAILS: &[(&str, &str)] = &[(
    "react-rust-postgres",
    "top-level `name:` is compose v2 syntax; v1 rejects the file",
)];

/// The corpus's projects; `None` (the test is skipped) without the corpus.
fn projects() -> Option<Vec<(String, PathBuf)>> {
    let root = corpus("awesome-compose")?;
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| {
            let dir = e.ok()?.path();
            let file = compose::discover_files(&dir).into_iter().next()?;
            Some((dir.file_name()?.to_string_lossy().into_owned(), file))
        })
        .collect();
    out.sort();
    Some(out)
}

fn small_env() -> BTreeMap<String, String> {
    env(&[("HOME", "/home/tester"), ("PATH", "/usr/bin:/bin")])
}

fn load_project(file: &Path, dir: &Path) -> Project {
    load(&Options {
        working_dir: dir.to_path_buf(),
        files: vec![file.to_path_buf()],
        environment: small_env(),
        ..Options::default()
    })
    .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

#[test]
fn all_projects_load() {
    let Some(projects) = projects() else {
        return;
    };
    assert_eq!(projects.len(), 39);
    let mut services = 0;
    for (name, file) in &projects {
        let p = load_project(file, file.parent().unwrap());
        assert!(!p.services.is_empty(), "{name}");
        services += p.services.len();
        for s in &p.services {
            assert!(
                s.image.is_some() || s.build_context.is_some(),
                "{name}/{}",
                s.name
            );
            assert!(s.position.line > 0 && s.position.column > 0);
        }
    }
    // Counted independently (PyYAML over the same 39 files).
    assert_eq!(services, 81, "total services over awesome-compose");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::write(&target, std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

/// What both implementations are compared on.
#[derive(Debug, PartialEq)]
struct Summary {
    ports: BTreeSet<(Option<String>, u16)>,
    networks: BTreeSet<String>,
    environment: BTreeSet<String>,
}

fn ours(p: &Project) -> BTreeMap<String, Summary> {
    p.services
        .iter()
        .map(|s| {
            let summary = Summary {
                ports: s
                    .ports
                    .iter()
                    .map(|p| (p.published.clone(), p.target))
                    .collect(),
                networks: s.networks.iter().map(|n| n.key.clone()).collect(),
                environment: s.environment.iter().map(|e| e.name.clone()).collect(),
            };
            (s.name.clone(), summary)
        })
        .collect()
}

fn keys(node: Option<&Node>) -> BTreeSet<String> {
    match node {
        Some(n) => match n.as_map() {
            Some(m) => m.iter().map(|e| e.key.clone()).collect(),
            None => n
                .as_seq()
                .unwrap_or_default()
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect(),
        },
        None => BTreeSet::new(),
    }
}

fn theirs(config: &Node) -> BTreeMap<String, Summary> {
    let mut out = BTreeMap::new();
    for e in config
        .get("services")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let s = &e.value;
        let ports = s
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let target = p
                    .get("target")
                    .and_then(Node::as_str)
                    .unwrap()
                    .parse()
                    .unwrap();
                (
                    p.get("published").and_then(Node::as_str).map(String::from),
                    target,
                )
            })
            .collect();
        let mut networks = keys(s.get("networks"));
        // v1 leaves the implied `default` network out of `config`; v2 lists it.
        if networks.is_empty() && s.get("network_mode").is_none() {
            networks.insert("default".into());
        }
        let summary = Summary {
            ports,
            networks,
            environment: keys(s.get("environment")),
        };
        out.insert(e.key.clone(), summary);
    }
    out
}

#[test]
fn agrees_with_docker_compose_v1() {
    assert!(
        Path::new(DOCKER_COMPOSE).exists(),
        "{DOCKER_COMPOSE} is missing: apt-get install docker-compose"
    );
    let mut compared = 0;
    let Some(projects) = projects() else {
        return;
    };
    for (name, file) in projects {
        // v1 insists that build contexts exist; the corpus has no code, so
        // run it on a scratch copy with the build directories created.
        let original = file.parent().unwrap();
        let dir = scratch(&format!("awesome-{name}"));
        copy_dir(original, &dir);
        let copy = dir.join(file.file_name().unwrap());
        let project = load_project(&copy, &dir);
        for s in &project.services {
            if let Some(ctx) = &s.build_context {
                std::fs::create_dir_all(&ctx.value).unwrap();
            }
        }
        let output = Command::new(DOCKER_COMPOSE)
            .arg("-f")
            .arg(&copy)
            .arg("--project-directory")
            .arg(&dir)
            .arg("config")
            .env_clear()
            .envs(small_env())
            .output()
            .unwrap();
        let expected_failure = V1_FAILS.iter().find(|(n, _)| *n == name);
        if !output.status.success() {
            assert!(
                expected_failure.is_some(),
                "{name}: docker-compose config failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            continue;
        }
        assert!(expected_failure.is_none(), "{name} now works with v1");
        let text = String::from_utf8(output.stdout).unwrap();
        let config = yaml::parse(&text, &Arc::new(PathBuf::from("config")))
            .unwrap()
            .unwrap();
        assert_eq!(ours(&project), theirs(&config), "{name}");
        compared += 1;
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert_eq!(compared, 39 - V1_FAILS.len());
}
