//! compose-go's loader corpus: the historical full example against its
//! expected JSON, and the cli/loader testdata cases.

mod common;

use common::{corpus, corpus_file, env};
use compose::{load, NameSource, Options, Project, VarSource};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn testdata(path: &str) -> PathBuf {
    corpus_file("compose-go", path)
}

fn options(dir: &Path, files: &[&str]) -> Options {
    Options {
        working_dir: dir.to_path_buf(),
        files: files.iter().map(|f| dir.join(f)).collect(),
        ..Options::default()
    }
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn full_example_matches_expected_json() {
    if corpus("compose-go").is_none() {
        return;
    }
    let dir = testdata("history/loader");
    let workdir = dir.to_string_lossy().into_owned();
    let mut o = options(&dir, &["full-example.yml"]);
    o.environment = env(&[
        ("HOME", "/HOMEDIR"),
        ("BAR", "this is a secret"),
        ("QUX", "qux_from_environment"),
    ]);
    let project = load(&o).unwrap();
    // The expected JSON was produced with working dir /WORKDIR; substitute ours.
    let text = std::fs::read_to_string(dir.join("full-example.expected.json"))
        .unwrap()
        .replace("/WORKDIR", &workdir);
    let expected: Value = serde_json::from_str(&text).unwrap();

    assert_eq!(project.name, expected["name"].as_str().unwrap());
    assert!(matches!(project.name_source, NameSource::TopLevelName(_)));
    let names: Vec<&str> = project.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["bar", "foo"]);

    for (name, exp) in expected["services"].as_object().unwrap() {
        let s = project.service(name).unwrap();
        let opt = |v: &Option<compose::Located<String>>| v.as_ref().map(|l| l.value.clone());
        assert_eq!(
            opt(&s.image),
            exp["image"].as_str().map(String::from),
            "{name} image"
        );
        assert_eq!(
            opt(&s.container_name),
            exp["container_name"].as_str().map(String::from)
        );
        assert_eq!(opt(&s.hostname), exp["hostname"].as_str().map(String::from));
        assert_eq!(opt(&s.restart), exp["restart"].as_str().map(String::from));
        let words = |v: &Option<compose::Located<Vec<String>>>| v.as_ref().map(|l| l.value.clone());
        assert_eq!(
            words(&s.command),
            exp.get("command").filter(|v| !v.is_null()).map(strs),
            "{name} command"
        );
        assert_eq!(
            words(&s.entrypoint),
            exp.get("entrypoint").filter(|v| !v.is_null()).map(strs)
        );
        let expose: Vec<String> = s.expose.iter().map(|e| e.value.clone()).collect();
        assert_eq!(expose, strs(&exp["expose"]));
        let profiles: Vec<String> = s.profiles.iter().map(|e| e.value.clone()).collect();
        assert_eq!(profiles, strs(&exp["profiles"]));

        // Environment: env_file then environment, with the shell for bare names.
        let env: serde_json::Map<String, Value> = s
            .environment
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    Value::from(e.value.clone().unwrap_or_default()),
                )
            })
            .collect();
        assert_eq!(
            Value::Object(env),
            exp.get("environment")
                .cloned()
                .unwrap_or(Value::Object(Default::default())),
            "{name} environment"
        );

        // Ports in canonical (expanded) form.
        let ports: Vec<Value> = s
            .ports
            .iter()
            .map(|p| {
                let mut m = serde_json::Map::new();
                m.insert("mode".into(), "ingress".into());
                if let Some(ip) = &p.host_ip {
                    m.insert("host_ip".into(), ip.clone().into());
                }
                m.insert("target".into(), p.target.into());
                if let Some(publ) = &p.published {
                    m.insert("published".into(), publ.clone().into());
                }
                m.insert("protocol".into(), p.protocol.clone().into());
                Value::Object(m)
            })
            .collect();
        assert_eq!(
            Value::from(ports),
            exp.get("ports")
                .cloned()
                .unwrap_or(Value::from(Vec::<Value>::new())),
            "{name} ports"
        );

        // Networks and aliases; a service without networks is on `default`.
        match exp["networks"].as_object() {
            Some(nets) => {
                let keys: Vec<&str> = s.networks.iter().map(|n| n.key.as_str()).collect();
                let mut want: Vec<&str> = nets.keys().map(String::as_str).collect();
                let mut have = keys.clone();
                have.sort();
                want.sort();
                assert_eq!(have, want, "{name} networks");
                for n in &s.networks {
                    let aliases: Vec<String> = n.aliases.iter().map(|a| a.value.clone()).collect();
                    assert_eq!(aliases, strs(&nets[&n.key]["aliases"]));
                }
            }
            None => assert!(s.networks.len() == 1 && s.networks[0].implicit),
        }

        match exp["healthcheck"].as_object() {
            Some(h) => {
                let hc = s.healthcheck.as_ref().unwrap();
                assert_eq!(hc.test.as_ref().unwrap().value, strs(&h["test"]));
                assert_eq!(
                    hc.interval.as_ref().unwrap().value,
                    h["interval"].as_str().unwrap()
                );
                assert_eq!(
                    hc.timeout.as_ref().unwrap().value,
                    h["timeout"].as_str().unwrap()
                );
                assert_eq!(
                    hc.start_period.as_ref().unwrap().value,
                    h["start_period"].as_str().unwrap()
                );
                assert_eq!(
                    u64::from(hc.retries.as_ref().unwrap().value),
                    h["retries"].as_u64().unwrap()
                );
            }
            None => assert!(s.healthcheck.is_none()),
        }

        let deps: Vec<(String, String, bool)> = s
            .depends_on
            .iter()
            .map(|d| (d.service.clone(), d.condition.clone(), d.required))
            .collect();
        let want: Vec<(String, String, bool)> = exp["depends_on"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v["condition"].as_str().unwrap().to_string(),
                    v["required"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(deps, want);

        let links: Vec<String> = s
            .links
            .iter()
            .map(|l| {
                if l.value.0 == l.value.1 {
                    l.value.0.clone()
                } else {
                    format!("{}:{}", l.value.0, l.value.1)
                }
            })
            .collect();
        assert_eq!(links, strs(&exp["links"]));
        let hosts: Vec<String> = s.extra_hosts.iter().map(|h| h.value.clone()).collect();
        assert_eq!(hosts, strs(&exp["extra_hosts"]));
        assert_eq!(
            s.replicas.as_ref().map(|r| u64::from(r.value)),
            exp["deploy"]["replicas"].as_u64()
        );

        let volumes: Vec<(String, Option<String>, String, bool)> = s
            .volumes
            .iter()
            .map(|v| {
                (
                    v.kind.clone(),
                    v.source.clone(),
                    v.target.clone(),
                    v.read_only,
                )
            })
            .collect();
        let want: Vec<(String, Option<String>, String, bool)> = exp["volumes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                (
                    v["type"].as_str().unwrap().to_string(),
                    v["source"].as_str().map(String::from),
                    v["target"].as_str().unwrap().to_string(),
                    v["read_only"].as_bool().unwrap_or(false),
                )
            })
            .collect();
        assert_eq!(volumes, want, "{name} volumes");
    }

    // compose would refuse the undeclared network; it is reported, not fatal.
    assert!(project.warnings.iter().any(|w| w.message
        == "service \"foo\" refers to undefined network other-other-network: invalid compose project"
        && w.position.as_ref().is_some_and(|p| p.line == 247)));

    // Where the environment came from.
    let foo = project.service("foo").unwrap();
    let var = |n: &str| foo.environment.iter().find(|e| e.name == n).unwrap();
    assert_eq!(var("QUX").source, VarSource::Shell);
    assert!(
        matches!(&var("BAR").source, VarSource::EnvFile(p) if p.file.ends_with("example2.env") && p.line == 1)
    );
    assert!(
        matches!(&var("BAZ").source, VarSource::ComposeFile(p) if (p.line, p.column) == (154, 12))
    );
    // `${COMPOSE_PROJECT_NAME}` in build.tags saw the top-level name.
    assert!(project
        .substitutions
        .iter()
        .any(|s| s.variable == "COMPOSE_PROJECT_NAME" && s.value == "full_example_project_name"));

    // Networks: <project>_<key>, externals by key or by their name.
    let net = |k: &str| &project.networks[k];
    assert_eq!(
        net("some-network").name,
        "full_example_project_name_some-network"
    );
    assert_eq!(net("other-network").driver.as_deref(), Some("overlay"));
    assert!(net("external-network").external);
    assert_eq!(net("external-network").name, "external-network");
    assert_eq!(net("other-external-network").name, "my-cool-network");
    assert_eq!(net("default").name, "full_example_project_name_default");
    let mut keys: Vec<&String> = expected["networks"].as_object().unwrap().keys().collect();
    keys.push(&project.networks["default"].key);
    keys.sort();
    assert_eq!(project.networks.keys().collect::<Vec<_>>(), keys);
}

fn cli(dir: &str) -> PathBuf {
    testdata("cli/testdata").join(dir)
}

#[test]
fn cli_simple_dot_env_and_overrides() {
    if corpus("compose-go").is_none() {
        return;
    }
    let dir = cli("simple");
    let p = load(&Options::for_dir(&dir)).unwrap();
    assert_eq!(p.name, "simple");
    assert_eq!(p.name_source, NameSource::Directory);
    assert_eq!(p.services.len(), 1);
    assert_eq!(p.env_files, [dir.join(".env")]);

    let p = load(&options(
        &dir,
        &["compose.yaml", "compose-with-overrides.yaml"],
    ))
    .unwrap();
    let image = p.services[0].image.as_ref().unwrap();
    assert_eq!(image.value, "haproxy");
    assert!(image.position.file.ends_with("compose-with-overrides.yaml"));
    assert_eq!((image.position.line, image.position.column), (3, 12));

    let p = load(&options(&dir, &["compose-with-variables.yaml"])).unwrap();
    assert_eq!(p.services[0].ports[0].published.as_deref(), Some("8000"));
    let sub = &p.substitutions[0];
    assert_eq!(sub.variable, "PUBLIC_PORT");
    assert!(
        matches!(&sub.source, VarSource::EnvFile(at) if at.line == 1 && at.file.ends_with(".env"))
    );

    // The shell beats .env.
    let mut o = options(&dir, &["compose-with-variables.yaml"]);
    o.environment = env(&[("PUBLIC_PORT", "9999")]);
    let p = load(&o).unwrap();
    assert_eq!(p.services[0].ports[0].published.as_deref(), Some("9999"));
    assert_eq!(p.substitutions[0].source, VarSource::Shell);
}

#[test]
fn cli_project_names() {
    if corpus("compose-go").is_none() {
        return;
    }
    let dir = cli("simple");
    let mut o = options(&dir, &["compose-name.yaml"]);
    o.environment = env(&[("TEST", "hello")]);
    let p = load(&o).unwrap();
    assert_eq!(p.name, "test-hello-test");
    assert!(matches!(p.name_source, NameSource::TopLevelName(ref at) if at.line == 1));

    o.environment = env(&[("COMPOSE_PROJECT_NAME", "from_env")]);
    assert_eq!(load(&o).unwrap().name, "from_env");
    o.project_name = Some("flag".into());
    let p = load(&o).unwrap();
    assert_eq!((p.name.as_str(), p.name_source), ("flag", NameSource::Flag));

    o.project_name = Some("Bad Name".into());
    let e = load(&o).unwrap_err().to_string();
    assert!(e.contains("invalid project name \"Bad Name\""), "{e}");

    let p = load(&Options::for_dir(cli("UNNORMALIZED PATH"))).unwrap();
    assert_eq!(p.name, "unnormalizedpath");
}

#[test]
fn cli_env_files() {
    if corpus("compose-go").is_none() {
        return;
    }
    let dir = cli("env-file");
    // COMPOSE_FILE and COMPOSE_PROJECT_NAME come from .env.
    let p = load(&Options::for_dir(&dir)).unwrap();
    assert_eq!(p.name, "my_project_from_dot_env");
    assert_eq!(p.name_source, NameSource::EnvVar);
    assert_eq!(p.files, [dir.join("compose-with-env-file.yaml")]);
    let s = &p.services[0];
    assert_eq!(s.environment.len(), 1);
    assert_eq!(s.environment[0].value.as_deref(), Some("8080"));
    assert!(
        matches!(&s.environment[0].source, VarSource::EnvFile(at) if at.file.ends_with("simple-env"))
    );

    // --env-file replaces .env; later env_file entries win.
    let mut o = options(&dir, &["compose-with-env-files.yaml"]);
    o.env_files = vec![dir.join("override.env")];
    let p = load(&o).unwrap();
    assert_eq!(p.name, "env-file");
    let s = &p.services[0];
    assert_eq!(s.ports[0].published.as_deref(), Some("9000"));
    assert_eq!(s.environment[0].value.as_deref(), Some("9090"));
    assert_eq!(s.env_files.len(), 2);
}

#[test]
fn cli_paths() {
    if corpus("compose-go").is_none() {
        return;
    }
    let dir = cli("simple");
    let p = load(&options(&dir, &["compose-with-paths.yaml"])).unwrap();
    let v = &p.services[0].volumes;
    assert_eq!(v[0].source.as_deref(), Some("C:\\docker\\project"));
    let rel = dir.join("relative").to_string_lossy().into_owned();
    assert_eq!(v[1].source.as_deref(), Some(rel.as_str()));
    assert_eq!(v[2].kind, "bind");
    assert_eq!(v[2].target, "/test-relative2");
}

fn loader(file: &str) -> Result<Project, compose::Error> {
    let path = testdata("loader/testdata").join(file);
    load(&Options {
        working_dir: path.parent().unwrap().to_path_buf(),
        files: vec![path],
        ..Options::default()
    })
}

#[test]
fn loader_extends() {
    if corpus("compose-go").is_none() {
        return;
    }
    let p = loader("compose-test-extends.yaml").unwrap();
    let s = p.service("importer").unwrap();
    assert_eq!(s.image.as_ref().unwrap().value, "nginx");
    assert_eq!(s.container_name.as_ref().unwrap().value, "imported");
    // env_file is relative to the extended file, not the extending one.
    assert!(s.env_files[0].value.ends_with("subdir/extra.env"));
    assert_eq!(s.environment[0].value.as_deref(), Some("extends"));
    assert_eq!(s.volumes[0].source.as_deref(), Some("/opt/data"));

    let p = loader("extends/base.yaml").unwrap();
    assert_eq!(
        p.service("another").unwrap().image.as_ref().unwrap().value,
        "base"
    );
    let ctx = &p
        .service("with-build")
        .unwrap()
        .build_context
        .as_ref()
        .unwrap()
        .value;
    assert_eq!(ctx, &testdata("loader/testdata/extends"));

    let p = loader("extends/withdir/compose.yaml").unwrap();
    assert_eq!(p.services[0].image.as_ref().unwrap().value, "hello-world");

    let p = loader("extends/reset.yaml").unwrap();
    assert!(p.service("base").unwrap().command.is_none());
    assert_eq!(
        p.service("init").unwrap().command.as_ref().unwrap().value,
        ["sleep", "infinity"]
    );

    let p = loader("extends/interpolated.yaml").unwrap();
    let v = &p.services[0].volumes[0];
    assert_eq!(
        (v.source.as_deref(), v.read_only),
        (Some("/dev/null"), true)
    );
}

#[test]
fn loader_include() {
    if corpus("compose-go").is_none() {
        return;
    }
    let p = loader("compose-include.yaml").unwrap();
    let mut names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["bar", "imported"]);

    let e = loader("compose-include-cycle.yaml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("include cycle detected"), "{e}");

    // include + extends: paths relative to the included file's directory.
    let p = loader("combined/compose.yaml").unwrap();
    let ctx = &p
        .service("service")
        .unwrap()
        .build_context
        .as_ref()
        .unwrap()
        .value;
    assert_eq!(ctx, &testdata("loader/testdata/combined/dir"));
}

#[test]
fn loader_cycles_and_misc() {
    if corpus("compose-go").is_none() {
        return;
    }
    for file in [
        "compose-depends-on-cycle.yaml",
        "compose-depends-on-self.yaml",
    ] {
        let e = loader(file).unwrap_err();
        assert!(e.to_string().contains("dependency cycle detected"), "{e}");
        assert!(e.position().is_some());
    }
    let p = loader("compose-test-with-version.yaml").unwrap();
    assert_eq!(p.name, "compose-test-with-version");
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("`version` is obsolete")));
    let web = p.service("web").unwrap();
    let nets: Vec<&str> = web.networks.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(nets, ["front", "default"]);
    assert_eq!(p.networks["front"].name, "compose-test-with-version_front");
    assert_eq!(
        p.service("other").unwrap().command.as_ref().unwrap().value,
        ["top"]
    );

    // compose-go's TestEmptyFile (loader/loader_test.go): `empty compose file`.
    match loader("empty.yaml") {
        Err(compose::Error::Syntax { message, .. }) => assert_eq!(message, "empty compose file"),
        other => panic!("{other:?}"),
    }
}
