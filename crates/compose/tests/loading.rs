//! Loading behaviour on small projects written by the tests: positions,
//! provenance, merge rules, profiles, networks and errors.

mod common;

use common::{env, scratch};
use compose::{load, Error, Options, Project, VarSource};
use std::path::{Path, PathBuf};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load_files(dir: &Path, files: &[&str]) -> Result<Project, Error> {
    load(&Options {
        working_dir: dir.to_path_buf(),
        files: files.iter().map(|f| dir.join(f)).collect(),
        ..Options::default()
    })
}

const BASE: &str = "\
services:
  web:
    image: nginx
    ports:
      - \"8080:80\"
    environment:
      A: one
      B: two
    networks: [front]
  db:
    image: postgres
networks:
  front:
";

const OVERRIDE: &str = "\
services:
  web:
    image: caddy:2
    ports:
      - \"127.0.0.1:8443:443/udp\"
    environment:
      - B=zwei
      - C=drei
";

#[test]
fn positions_across_two_merged_files() {
    let dir = scratch("merged");
    write(&dir, "compose.yaml", BASE);
    write(&dir, "compose.override.yaml", OVERRIDE);
    let p = load(&Options::for_dir(&dir)).unwrap();
    assert_eq!(p.files.len(), 2);
    let web = p.service("web").unwrap();
    // The service is where the first file defines it.
    assert!(web.position.file.ends_with("compose.yaml"));
    assert_eq!((web.position.line, web.position.column), (2, 3));
    // The image is the override's, with its position.
    let image = web.image.as_ref().unwrap();
    assert_eq!(image.value, "caddy:2");
    assert!(image.position.file.ends_with("compose.override.yaml"));
    assert_eq!((image.position.line, image.position.column), (3, 12));
    // Ports are appended, each with its own file and position.
    assert_eq!(web.ports.len(), 2);
    assert_eq!(
        (web.ports[0].position.line, web.ports[0].position.column),
        (5, 9)
    );
    assert!(web.ports[0].position.file.ends_with("compose.yaml"));
    let udp = &web.ports[1];
    assert_eq!(
        (
            udp.host_ip.as_deref(),
            udp.published.as_deref(),
            udp.target,
            udp.protocol.as_str()
        ),
        (Some("127.0.0.1"), Some("8443"), 443, "udp")
    );
    assert!(udp.position.file.ends_with("compose.override.yaml"));
    assert_eq!((udp.position.line, udp.position.column), (5, 9));
    // Environment: merged by key, later value wins, entries keep their positions.
    let env: Vec<(&str, Option<&str>, u32, u32, bool)> = web
        .environment
        .iter()
        .map(|e| {
            let in_override = e.position.file.ends_with("compose.override.yaml");
            (
                e.name.as_str(),
                e.value.as_deref(),
                e.position.line,
                e.position.column,
                in_override,
            )
        })
        .collect();
    assert_eq!(
        env,
        [
            ("A", Some("one"), 7, 7, false),
            ("B", Some("zwei"), 8, 7, false),
            ("C", Some("drei"), 8, 9, true),
        ]
    );
    assert!(
        matches!(&web.environment[1].source, VarSource::ComposeFile(at) if at.file.ends_with("compose.override.yaml") && at.line == 7)
    );
    assert_eq!(web.networks[0].key, "front");
    assert!(!web.networks[0].implicit);
    let db = p.service("db").unwrap();
    assert!(db.networks[0].implicit);
    assert_eq!(p.networks["front"].name, format!("{}_front", p.name));
    assert_eq!(p.networks["default"].name, format!("{}_default", p.name));
}

#[test]
fn env_file_provenance_of_a_defaulted_variable() {
    let dir = scratch("provenance");
    const REGION: &str =
        "services:\n  app:\n    image: app\n    environment:\n      REGION: ${AWS_REGION:-us-east-1}\n";
    write(&dir, "compose.yaml", REGION);
    // Not set anywhere: the default, at the position of the value.
    let p = load(&Options::for_dir(&dir)).unwrap();
    let var = &p.service("app").unwrap().environment[0];
    assert_eq!(var.value.as_deref(), Some("us-east-1"));
    assert!(matches!(&var.source, VarSource::Default(at) if (at.line, at.column) == (5, 15)));
    assert_eq!(p.substitutions[0].variable, "AWS_REGION");

    // In the middle of a value, the substitution points at its `$`.
    write(
        &dir,
        "compose.yaml",
        "services:\n  app:\n    image: \"repo/app:${TAG:-latest}\"\n",
    );
    let p = load(&Options::for_dir(&dir)).unwrap();
    let s = &p.substitutions[0];
    assert_eq!((s.position.line, s.position.column), (3, 22));
    assert_eq!((s.value_position.line, s.value_position.column), (3, 12));
    assert!(matches!(&s.source, VarSource::Default(at) if at.column == 22));
    assert_eq!(p.warnings.len(), 0);
    write(
        &dir,
        "compose.yaml",
        "services:\n  app:\n    image: a\n    environment:\n      URL: http://${HOST}:80\n",
    );
    let p = load(&Options::for_dir(&dir)).unwrap();
    assert_eq!(
        p.service("app").unwrap().environment[0].source,
        VarSource::Unset
    );
    assert_eq!(
        p.warnings[0].message,
        "The \"HOST\" variable is not set. Defaulting to a blank string."
    );
    assert_eq!(p.warnings[0].position.as_ref().unwrap().column, 19);
    write(&dir, "compose.yaml", REGION);

    // Set in .env: that line.
    write(&dir, ".env", "# region\nAWS_REGION=eu-west-3\n");
    let p = load(&Options::for_dir(&dir)).unwrap();
    let var = &p.service("app").unwrap().environment[0];
    assert_eq!(var.value.as_deref(), Some("eu-west-3"));
    assert!(
        matches!(&var.source, VarSource::EnvFile(at) if at.line == 2 && at.file.ends_with(".env"))
    );
    assert!(matches!(
        &p.variables["AWS_REGION"].1,
        VarSource::EnvFile(_)
    ));

    // The shell beats .env.
    let mut o = Options::for_dir(&dir);
    o.environment = env(&[("AWS_REGION", "ap-northeast-1")]);
    let p = load(&o).unwrap();
    let var = &p.service("app").unwrap().environment[0];
    assert_eq!(
        (var.value.as_deref(), &var.source),
        (Some("ap-northeast-1"), &VarSource::Shell)
    );
}

#[test]
fn errors_carry_positions() {
    let dir = scratch("errors");
    let cases: &[(&str, (u32, u32), &str)] = &[
        (
            "services:\n  web:\n    image: a\n    image: b\n",
            (4, 5),
            "duplicate key \"image\"",
        ),
        (
            "services:\n  web:\n    image: a\n    imagee: b\n",
            (4, 5),
            "services.web additional properties 'imagee' not allowed",
        ),
        (
            "service:\n  web: {}\n",
            (1, 1),
            "additional properties 'service' not allowed",
        ),
        (
            "services:\n  web:\n    image: ${BAD\n",
            (3, 12),
            "invalid interpolation format for services.web.image",
        ),
        (
            "services:\n  web:\n    image: ${NEED:?set NEED}\n",
            (3, 12),
            "required variable NEED is missing a value: set NEED",
        ),
        (
            "services:\n  web:\n    ports: [\"x:80\"]\n",
            (3, 13),
            "invalid port",
        ),
        (
            "services:\n  web:\n    image: [a]\n",
            (3, 12),
            "services.web.image must be a string",
        ),
        (
            "services:\n  web:\n    env_file: missing.env\n",
            (3, 15),
            "env file",
        ),
        (
            "services:\n  web:\n    extends: {file: nope.yaml, service: x}\n",
            (3, 21),
            "extends file",
        ),
        (
            "services:\n  a:\n    extends: b\n  b:\n    extends: a\n",
            (3, 14),
            "Circular reference",
        ),
        ("services:\n  web: [\n", (3, 1), "invalid YAML"),
    ];
    for (text, (line, column), message) in cases {
        write(&dir, "compose.yaml", text);
        let e = load_files(&dir, &["compose.yaml"]).unwrap_err();
        let p = e.position().unwrap_or_else(|| panic!("{text}: {e}"));
        assert!(e.to_string().contains(message), "{text}: {e}");
        assert_eq!((p.line, p.column), (*line, *column), "{text}: {e}");
        assert!(e.to_string().contains("compose.yaml:"), "{e}");
    }
}

#[test]
fn alias_bomb_is_refused() {
    let dir = scratch("bomb");
    let mut text = String::from("x-a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        text.push_str(&format!(
            "x-{1}: &{1} [{0}]\n",
            vec![format!("*{}", w[0]); 9].join(", "),
            w[1]
        ));
    }
    text.push_str("services:\n  web:\n    image: x\n");
    write(&dir, "compose.yaml", &text);
    let e = load_files(&dir, &["compose.yaml"]).unwrap_err();
    assert!(e.to_string().contains("alias expansion exceeds"), "{e}");
}

#[test]
fn anchors_and_merge_keys() {
    let dir = scratch("anchors");
    write(
        &dir,
        "compose.yaml",
        "x-common: &common\n  image: base\n  restart: always\nservices:\n  a:\n    <<: *common\n    image: own\n  b: *common\n",
    );
    let p = load_files(&dir, &["compose.yaml"]).unwrap();
    let a = p.service("a").unwrap();
    assert_eq!(a.image.as_ref().unwrap().value, "own");
    assert_eq!(a.restart.as_ref().unwrap().value, "always");
    // The value keeps the anchor's position.
    assert_eq!(a.restart.as_ref().unwrap().position.line, 3);
    assert_eq!(
        p.service("b").unwrap().image.as_ref().unwrap().value,
        "base"
    );
}

#[test]
fn reset_override_and_replaced_fields() {
    let dir = scratch("reset");
    write(
        &dir,
        "a.yaml",
        "services:\n  web:\n    image: a\n    command: [\"run\", \"--x\"]\n    ports: [\"80:80\"]\n    healthcheck:\n      test: [\"CMD\", \"a\"]\n      interval: 5s\n    volumes: [\"./a:/data\", \"logs:/logs\"]\n    labels: [x=1]\n",
    );
    write(
        &dir,
        "b.yaml",
        "services:\n  web:\n    command: serve --port 'a b'\n    ports: !reset []\n    healthcheck:\n      test: curl -f http://localhost\n    volumes: [\"./b:/data:ro\"]\n    labels: !override {y: \"2\"}\n",
    );
    let p = load_files(&dir, &["a.yaml", "b.yaml"]).unwrap();
    let web = p.service("web").unwrap();
    assert_eq!(
        web.command.as_ref().unwrap().value,
        ["serve", "--port", "a b"]
    );
    assert!(web.ports.is_empty());
    let hc = web.healthcheck.as_ref().unwrap();
    assert_eq!(
        hc.test.as_ref().unwrap().value,
        ["CMD-SHELL", "curl -f http://localhost"]
    );
    assert_eq!(hc.interval.as_ref().unwrap().value, "5s");
    assert_eq!(web.volumes.len(), 2);
    assert_eq!(web.volumes[0].target, "/data");
    assert!(web.volumes[0].read_only);
    assert!(web.volumes[0].source.as_ref().unwrap().ends_with("/b"));
    assert_eq!(web.volumes[1].kind, "volume");
    assert_eq!(web.labels.keys().collect::<Vec<_>>(), ["y"]);
}

#[test]
fn profiles() {
    let dir = scratch("profiles");
    write(
        &dir,
        "compose.yaml",
        "services:\n  web:\n    image: a\n  debug:\n    image: b\n    profiles: [dev]\n  tools:\n    image: c\n    profiles: [tools, dev]\n",
    );
    let names = |p: &Project| {
        p.services
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    let p = load_files(&dir, &["compose.yaml"]).unwrap();
    assert_eq!(names(&p), ["web"]);
    assert_eq!(p.disabled_services.len(), 2);

    let mut o = Options {
        working_dir: dir.clone(),
        files: vec![dir.join("compose.yaml")],
        profiles: vec!["tools".into()],
        ..Options::default()
    };
    assert_eq!(names(&load(&o).unwrap()), ["web", "tools"]);
    o.profiles.clear();
    o.environment = env(&[("COMPOSE_PROFILES", "dev")]);
    assert_eq!(names(&load(&o).unwrap()), ["web", "debug", "tools"]);
}

#[test]
fn networks_external_and_modes() {
    let dir = scratch("networks");
    write(
        &dir,
        "compose.yaml",
        "name: shop\nservices:\n  caddy:\n    image: caddy\n    networks:\n      proxy:\n        aliases: [edge]\n  app:\n    image: app\n    network_mode: \"service:caddy\"\n    links: [\"db:database\", cache]\n    depends_on:\n      db: {condition: service_healthy}\n      cache:\n        condition: service_started\n        required: false\n  db:\n    image: pg\n    deploy: {replicas: 2}\n    container_name: shop-db\n    hostname: db1\n    expose: [\"5432\", \"6000-6001/udp\"]\nnetworks:\n  proxy:\n    external: true\n    name: otherproj_default\n  legacy:\n    external:\n      name: old_net\n  internal:\n    internal: true\n",
    );
    let p = load_files(&dir, &["compose.yaml"]).unwrap();
    assert_eq!(p.name, "shop");
    let proxy = &p.networks["proxy"];
    assert!(proxy.external);
    assert_eq!(proxy.name, "otherproj_default");
    assert_eq!(p.networks["legacy"].name, "old_net");
    assert!(p.networks["internal"].internal);
    assert_eq!(p.networks["internal"].name, "shop_internal");
    let caddy = p.service("caddy").unwrap();
    assert_eq!(caddy.networks[0].aliases[0].value, "edge");
    let app = p.service("app").unwrap();
    assert!(app.networks.is_empty());
    assert_eq!(app.network_mode.as_ref().unwrap().value, "service:caddy");
    let links: Vec<_> = app.links.iter().map(|l| l.value.clone()).collect();
    assert_eq!(
        links,
        [
            ("db".into(), "database".into()),
            ("cache".into(), "cache".into())
        ]
    );
    assert_eq!(app.depends_on[0].condition, "service_healthy");
    assert!(!app.depends_on[1].required);
    // `cache` is not defined, but not required: no warning.
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let db = p.service("db").unwrap();
    assert_eq!(db.replicas.as_ref().unwrap().value, 2);
    assert_eq!(db.container_name.as_ref().unwrap().value, "shop-db");
    assert_eq!(db.hostname.as_ref().unwrap().value, "db1");
    assert_eq!(db.expose.len(), 2);
    // db is on default; caddy only on proxy; app has a network_mode.
    assert!(db.networks[0].implicit);
    assert!(p.networks.contains_key("default"));
}

#[test]
fn ports_short_and_long() {
    let dir = scratch("ports");
    write(
        &dir,
        "compose.yaml",
        "services:\n  web:\n    image: a\n    ports:\n      - 80\n      - \"8000-8002:9000-9002\"\n      - \"7000-7005:80\"\n      - \"[::1]:53:53/udp\"\n      - target: 443\n        published: \"8443\"\n        host_ip: 0.0.0.0\n        protocol: tcp\n",
    );
    let p = load_files(&dir, &["compose.yaml"]).unwrap();
    let ports: Vec<(Option<&str>, Option<&str>, u16, &str)> = p.services[0]
        .ports
        .iter()
        .map(|p| {
            (
                p.host_ip.as_deref(),
                p.published.as_deref(),
                p.target,
                p.protocol.as_str(),
            )
        })
        .collect();
    assert_eq!(
        ports,
        [
            (None, None, 80, "tcp"),
            (None, Some("8000"), 9000, "tcp"),
            (None, Some("8001"), 9001, "tcp"),
            (None, Some("8002"), 9002, "tcp"),
            (None, Some("7000-7005"), 80, "tcp"),
            (Some("::1"), Some("53"), 53, "udp"),
            (Some("0.0.0.0"), Some("8443"), 443, "tcp"),
        ]
    );
}

#[test]
fn discovery_and_compose_file_variable() {
    let dir = scratch("discovery");
    assert!(compose::discover_files(&dir).is_empty());
    let e = load(&Options::for_dir(&dir)).unwrap_err();
    assert!(
        e.to_string().contains("no configuration file provided"),
        "{e}"
    );
    write(
        &dir,
        "docker-compose.yml",
        "services:\n  a:\n    image: a\n",
    );
    write(
        &dir,
        "docker-compose.override.yml",
        "services:\n  b:\n    image: b\n",
    );
    write(
        &dir,
        "compose.override.yaml",
        "services:\n  c:\n    image: c\n",
    );
    assert_eq!(
        compose::discover_files(&dir),
        [
            dir.join("docker-compose.yml"),
            dir.join("docker-compose.override.yml")
        ]
    );
    write(&dir, "compose.yml", "services:\n  x:\n    image: x\n");
    assert_eq!(
        compose::discover_files(&dir),
        [dir.join("compose.yml"), dir.join("compose.override.yaml")]
    );
    // Found from a subdirectory, upwards.
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    assert_eq!(load(&Options::for_dir(&sub)).unwrap().services.len(), 2);

    let mut o = Options::for_dir(&dir);
    o.environment = env(&[
        ("COMPOSE_FILE", "docker-compose.yml;compose.override.yaml"),
        ("COMPOSE_PATH_SEPARATOR", ";"),
    ]);
    let p = load(&o).unwrap();
    let names: Vec<_> = p.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
}

#[test]
fn env_file_long_form_and_bare_names() {
    let dir = scratch("envfile");
    write(&dir, "app.env", "FROM_FILE=1\nSHARED=file\n");
    write(
        &dir,
        "compose.yaml",
        "services:\n  app:\n    image: a\n    env_file:\n      - app.env\n      - path: optional.env\n        required: false\n    environment:\n      - SHARED=compose\n      - FROM_SHELL\n      - MISSING\n",
    );
    let mut o = Options::for_dir(&dir);
    o.environment = env(&[("FROM_SHELL", "yes")]);
    let p = load(&o).unwrap();
    let app = p.service("app").unwrap();
    let vars: Vec<(&str, Option<&str>)> = app
        .environment
        .iter()
        .map(|e| (e.name.as_str(), e.value.as_deref()))
        .collect();
    assert_eq!(
        vars,
        [
            ("FROM_FILE", Some("1")),
            ("FROM_SHELL", Some("yes")),
            ("MISSING", None),
            ("SHARED", Some("compose"))
        ]
    );
    assert!(matches!(&app.environment[0].source, VarSource::EnvFile(at) if at.line == 1));
    assert_eq!(app.environment[1].source, VarSource::Shell);
    assert_eq!(app.environment[2].source, VarSource::Unset);
    assert_eq!(app.env_files.len(), 2);
}

#[test]
fn missing_env_file_is_recorded_when_asked() {
    let dir = scratch("envfile-missing");
    write(&dir, "common.env", "LOG_LEVEL=info\n");
    write(
        &dir,
        "compose.yaml",
        "services:\n  api:\n    image: node:20\n    env_file:\n      - common.env\n      - ./config/api.env\n      - path: local.env\n        required: false\n",
    );
    // compose refuses the project; by default so does the loader.
    let e = load_files(&dir, &["compose.yaml"]).unwrap_err();
    assert!(e.to_string().contains("env file"), "{e}");
    let mut o = Options::for_dir(&dir);
    o.record_missing_env_files = true;
    let p = load(&o).unwrap();
    let api = p.service("api").unwrap();
    let missing: Vec<(String, u32, u32)> = api
        .missing_env_files
        .iter()
        .map(|f| {
            let name = f.value.file_name().unwrap().to_string_lossy().to_string();
            (name, f.position.line, f.position.column)
        })
        .collect();
    assert_eq!(missing, [("api.env".to_string(), 6, 9)]);
    // What exists is still read; the optional file is simply skipped.
    assert_eq!(api.environment[0].name, "LOG_LEVEL");
}

#[test]
fn oversized_file_is_refused() {
    let dir = scratch("huge");
    let path = dir.join("compose.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(compose::loader::MAX_FILE_SIZE + 1).unwrap();
    let e = load_files(&dir, &["compose.yaml"]).unwrap_err();
    assert!(e.to_string().contains("more than"), "{e}");
}

#[test]
fn include_reads_its_own_env_under_the_parents() {
    let dir = scratch("include-env");
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    write(
        &sub,
        "compose.yaml",
        "services:\n  inner:\n    image: app:${TAG}\n    build: .\n",
    );
    write(&sub, ".env", "TAG=1.0\n");
    write(
        &dir,
        "compose.yaml",
        "include:\n  - sub/compose.yaml\nservices:\n  outer:\n    image: web\n",
    );
    let p = load(&Options::for_dir(&dir)).unwrap();
    let inner = p.service("inner").unwrap();
    assert_eq!(inner.image.as_ref().unwrap().value, "app:1.0");
    assert_eq!(inner.build_context.as_ref().unwrap().value, sub);
    assert!(
        matches!(&p.substitutions[0].source, VarSource::EnvFile(at) if at.file.starts_with(&sub))
    );

    write(&dir, ".env", "TAG=2.0\n");
    let p = load(&Options::for_dir(&dir)).unwrap();
    assert_eq!(
        p.service("inner").unwrap().image.as_ref().unwrap().value,
        "app:2.0"
    );
}

/// An empty compose file (or only comments) is refused like compose does:
/// compose-go's `load` fails with `empty compose file` when the merged model
/// is empty (loader/loader.go, test TestEmptyFile). It used to load as a
/// project without services, reported healthy. An empty override next to a
/// real file is fine.
#[test]
fn an_empty_compose_file_is_an_error() {
    for text in ["", "\n\n", "# nothing yet\n", "---\n"] {
        let dir = scratch("empty-compose");
        write(&dir, "compose.yaml", text);
        match load_files(&dir, &["compose.yaml"]) {
            Err(Error::Syntax { position, message }) => {
                assert_eq!(message, "empty compose file", "{text:?}");
                assert!(position.file.ends_with("compose.yaml"));
                assert_eq!((position.line, position.column), (1, 1));
            }
            other => panic!("{text:?}: {other:?}"),
        }
    }
    let dir = scratch("empty-override");
    write(&dir, "compose.yaml", BASE);
    write(&dir, "compose.override.yaml", "");
    let project = load_files(&dir, &["compose.yaml", "compose.override.yaml"]).unwrap();
    assert_eq!(project.services.len(), 2);
}
