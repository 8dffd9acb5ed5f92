//! `diagnose` asks the Docker Engine (not under `--offline`): a real compose
//! project on this machine's engine (docker-compose, an image built here
//! `FROM scratch` from a static C program), and an engine socket that
//! accepts and never answers, which must cost one probe timeout. Everything
//! a test creates is removed, even when it fails.

mod common;

use common::docker::{build_app_image, docker_available, Undo};
use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn stackdoctor(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackdoctor"));
    command.current_dir(dir).args(args).env("LANG", "C");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("stackdoctor runs")
}

const COMPOSE: &str = "name: sdsite\nservices:\n  web:\n    image: app\n    mem_limit: 32m\n";

#[test]
fn a_silent_engine_socket_costs_one_probe_timeout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
    let socket = dir.path().join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let host = format!("unix://{}", socket.display());
    let env = [("DOCKER_HOST", host.as_str())];
    // The same run offline: what the process costs without the engine.
    let started = Instant::now();
    let offline = stackdoctor(dir.path(), &["diagnose", ".", "--offline"], &env);
    let baseline = started.elapsed();
    assert_eq!(offline.status.code(), Some(0));
    let started = Instant::now();
    let live = stackdoctor(
        dir.path(),
        &["diagnose", ".", "--probe-timeout", "1", "--format", "json"],
        &env,
    );
    let elapsed = started.elapsed();
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let waited = elapsed.saturating_sub(baseline);
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    // Two process runs differ by their start-up under load (2 cores shared):
    // the whole run is bounded loosely here, the engine's own time tightly below.
    assert!(
        waited < Duration::from_millis(1350),
        "{waited:?} over the offline run"
    );
    // `model --engine` says why nothing came, and how long the engine took.
    let model = stackdoctor(
        dir.path(),
        &[
            "model",
            ".",
            "--engine",
            "--probe-timeout",
            "1",
            "--format",
            "json",
        ],
        &env,
    );
    let model: Value = serde_json::from_slice(&model.stdout).unwrap();
    let live = &model["engine"]["live"];
    let problems = live["problems"].to_string();
    assert!(
        problems.contains("no answer within the probe timeout"),
        "{problems}"
    );
    let spent = live["elapsed_ms"].as_u64().unwrap();
    assert!((1000..1100).contains(&spent), "{spent} ms");
}

#[test]
fn a_compose_container_killed_by_oom_is_found_on_the_live_engine() {
    if !docker_available() {
        return;
    }
    let id = std::process::id();
    let project = format!("sdlive{id}");
    let image = format!("sd-live-test-{id}:1");
    let dir = tempfile::tempdir().unwrap();
    let mut undo = Undo::default();
    undo.push(&["docker", "image", "rm", "-f", &image]);
    build_app_image(&image);
    let compose = format!(
        "version: \"2.4\"\nservices:\n  web:\n    image: {image}\n    command: [\"oom\"]\n    mem_limit: 32m\n    memswap_limit: 32m\n    restart: \"no\"\n"
    );
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    compose_up(dir.path(), &project, &mut undo);
    let container = format!("{project}_web_1");
    wait_for(&container, "{{.State.Status}}", |status| status == "exited");
    let output = stackdoctor(
        dir.path(),
        &[
            "diagnose",
            ".",
            "-p",
            &project,
            "--probe-timeout",
            "5",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &report["findings"][0];
    assert_eq!(first["cause"], "container-oom-killed", "{report}");
    assert!(
        first["title"].as_str().unwrap().contains("`web`"),
        "{first}"
    );
    let evidence = &first["evidence"][0];
    assert_eq!(evidence["kind"], "engine");
    assert!(evidence["label"]
        .as_str()
        .unwrap()
        .contains(&format!("GET /containers/{container}/json")));
    // The exit is grouped under the OOM kill, with the engine's exit code meaning.
    let symptoms = first["symptoms"].as_array().unwrap();
    assert!(
        symptoms
            .iter()
            .any(|s| s["cause"] == "upstream-not-running"),
        "{first}"
    );
}

/// Every finding of a report, roots and the symptoms grouped under them.
fn all_findings(report: &Value) -> Vec<&Value> {
    fn walk<'a>(findings: &'a Value, out: &mut Vec<&'a Value>) {
        for finding in findings.as_array().into_iter().flatten() {
            out.push(finding);
            walk(&finding["symptoms"], out);
        }
    }
    let mut out = Vec::new();
    walk(&report["findings"], &mut out);
    out
}

/// The finding of `cause` about `subject` (its title names it), if any.
fn finding_about<'a>(report: &'a Value, cause: &str, subject: &str) -> Option<&'a Value> {
    all_findings(report).into_iter().find(|f| {
        f["cause"] == cause
            && f["title"]
                .as_str()
                .is_some_and(|t| t.contains(&format!("`{subject}`")))
    })
}

/// The evidence labels of a finding, one per line.
fn evidence_of(finding: &Value) -> String {
    finding["evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| format!("{} {}", e["kind"], e["label"]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Waits until `docker inspect --format FORMAT container` prints what `done` accepts.
fn wait_for(container: &str, format: &str, done: impl Fn(&str) -> bool) -> String {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        let out = Command::new("docker")
            .args(["inspect", "--format", format, container])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if done(&text) || Instant::now() > until {
            return text;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Runs `docker-compose -p project up -d` in `dir` and registers its `down`.
fn compose_up(dir: &std::path::Path, project: &str, undo: &mut Undo) {
    let folder = dir.display().to_string();
    let file = format!("{folder}/docker-compose.yml");
    undo.push(&[
        "docker-compose",
        "--project-directory",
        &folder,
        "-f",
        &file,
        "-p",
        project,
        "down",
        "-t",
        "1",
    ]);
    let up = Command::new("docker-compose")
        .current_dir(dir)
        .args(["-p", project, "up", "-d"])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
}

/// `diagnose --format json` in `dir`, which must exit with `code`.
fn diagnose_json(dir: &std::path::Path, extra: &[&str], code: i32) -> Value {
    let mut args = vec!["diagnose", ".", "--probe-timeout", "5", "--format", "json"];
    args.extend(extra);
    let output = stackdoctor(dir, &args, &[]);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A real Caddy in front of four broken apps, each broken in a way only the
/// running stack shows: the files cannot tell that `web` binds 127.0.0.1 or
/// that `api` listens on 9000 (neither command is a known server); the
/// listening sockets read from the engine host's `/proc` make both facts.
/// `worker` exits 1 and restarts; `sick`'s health check fails.
#[test]
fn running_containers_sockets_restarts_and_health_are_facts_on_the_live_engine() {
    if !docker_available() {
        return;
    }
    let id = std::process::id();
    let project = format!("sdfacts{id}");
    let (app, caddy) = (
        format!("sd-facts-app-{id}:1"),
        format!("sd-facts-caddy-{id}:1"),
    );
    // Declared before `undo`, so it is removed after the containers that mount it.
    let dir = tempfile::tempdir().unwrap();
    let mut undo = Undo::default();
    undo.push(&["docker", "image", "rm", "-f", &app, &caddy]);
    build_app_image(&app);
    common::docker::build_caddy_image(&caddy);
    std::fs::write(
        dir.path().join("Caddyfile"),
        "{\n\tadmin off\n}\n\n:80 {\n\thandle /web/* {\n\t\treverse_proxy web:8000\n\t}\n\thandle /api/* {\n\t\treverse_proxy api:8000\n\t}\n\thandle /sick/* {\n\t\treverse_proxy sick:8000\n\t}\n\treverse_proxy worker:8000\n}\n",
    )
    .unwrap();
    let compose = format!(
        "version: \"2.4\"\nservices:\n  proxy:\n    image: {caddy}\n    ports: [\"80\"]\n    volumes: [\"./Caddyfile:/etc/caddy/Caddyfile:ro\"]\n  web:\n    image: {app}\n    command: [\"serve\", \"127.0.0.1\", \"8000\"]\n    expose: [\"8000\"]\n  api:\n    image: {app}\n    command: [\"serve\", \"0.0.0.0\", \"9000\"]\n    expose: [\"8000\"]\n  worker:\n    image: {app}\n    command: [\"exit1\"]\n    expose: [\"8000\"]\n    restart: always\n  sick:\n    image: {app}\n    command: [\"serve\", \"0.0.0.0\", \"8000\"]\n    healthcheck:\n      test: [\"CMD\", \"/app\", \"health\"]\n      interval: 1s\n      timeout: 1s\n      retries: 1\n"
    );
    std::fs::write(dir.path().join("docker-compose.yml"), compose).unwrap();
    compose_up(dir.path(), &project, &mut undo);
    // Three restarts make a crash loop (`upstream-crash-loop`'s threshold);
    // between restarts the status may read `running`, so the count is awaited.
    let restarts = wait_for(&format!("{project}_worker_1"), "{{.RestartCount}}", |t| {
        t.parse::<u32>().is_ok_and(|n| n >= 3)
    });
    let health = wait_for(
        &format!("{project}_sick_1"),
        "{{.State.Health.Status}}",
        |t| t == "unhealthy",
    );
    assert_eq!(health, "unhealthy");
    // Real requests through Caddy: 502 for the loopback-bound and the wrong-port app.
    let proxy = format!("{project}_proxy_1");
    let address = common::docker::published_address(&proxy, 80);
    for path in ["/web/", "/api/"] {
        let status = wait_until_answered(address, path);
        assert_eq!(status, 502, "{path}");
    }

    // The files alone look healthy: every finding below comes from the running stack.
    let offline = diagnose_json(dir.path(), &["-p", &project, "--offline"], 0);
    let live = diagnose_json(dir.path(), &["-p", &project], 1);
    let engine = &live["inputs"]["engine"];
    assert!(
        engine["problems"].as_array().is_none_or(|p| p.is_empty()),
        "{engine}"
    );

    // Facts from the sockets, which the files alone do not give.
    assert!(finding_about(&offline, "upstream-listens-on-localhost", "web").is_none());
    let web = finding_about(&live, "upstream-listens-on-localhost", "web")
        .unwrap_or_else(|| panic!("no loopback finding: {live}"));
    let evidence = evidence_of(web);
    assert!(
        evidence.contains("listens on 127.0.0.1:8000 only") && evidence.contains("/net/tcp"),
        "{evidence}"
    );
    let text = stackdoctor(dir.path(), &["diagnose", ".", "-p", &project], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("listens on 127.0.0.1:8000 only"), "{text}");
    // No known server to edit: the fix says what to change.
    assert!(
        web["fix"]
            .to_string()
            .contains("`0.0.0.0:8000` (all interfaces) instead of `127.0.0.1:8000`"),
        "{web}"
    );
    // Caddy's refused dials name IP addresses; the engine's addresses tie each
    // to its service, so each is grouped under its own root cause.
    let refused_under = |f: &Value| {
        f["symptoms"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["cause"] == "proxy-upstream-refused")
    };
    assert!(refused_under(web), "{web}");
    // `model` shows the running state next to the files'.
    let model = stackdoctor(dir.path(), &["model", ".", "-p", &project, "--engine"], &[]);
    let model = String::from_utf8_lossy(&model.stdout);
    let web_line = model
        .lines()
        .find(|l| {
            l.trim_start()
                .starts_with(&format!("running {project}_web_1: running"))
        })
        .unwrap_or_default();
    assert!(web_line.contains("listening on 127.0.0.1:8000"), "{model}");
    assert!(finding_about(&offline, "upstream-wrong-port", "api").is_none());
    let api = all_findings(&live)
        .into_iter()
        .find(|f| f["cause"] == "upstream-wrong-port" && evidence_of(f).contains("0.0.0.0:9000"))
        .unwrap_or_else(|| panic!("no wrong-port finding from the socket: {live}"));
    assert!(api["title"].as_str().unwrap().contains("`api`"), "{api}");

    // The restarts and the health check's own output, from inspect.
    assert!(refused_under(api), "{api}");
    let worker = finding_about(&live, "upstream-crash-loop", "worker")
        .unwrap_or_else(|| panic!("no crash loop (restarts {restarts}): {live}"));
    assert!(evidence_of(worker).contains("engine"), "{worker}");
    assert!(!refused_under(worker), "{worker}");
    let sick = finding_about(&live, "upstream-unhealthy", "sick")
        .unwrap_or_else(|| panic!("no unhealthy finding: {live}"));
    assert!(
        evidence_of(sick).contains("Failed to connect to localhost port 8000"),
        "{sick}"
    );
}

/// GETs `path` until the proxy answers (it may still be starting); returns the status.
fn wait_until_answered(address: std::net::SocketAddr, path: &str) -> u16 {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        match common::docker::http_get_path(address, path) {
            Ok((status, _)) => return status,
            Err(error) if Instant::now() > until => panic!("{path}: {error}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// The first guide's case, live: Caddy in one compose project, the app in
/// another (the toybox: `backend/` has its own compose file), so they share
/// no network and Caddy answers a real 502. The first finding is the one the
/// files alone give, now with what the engine saw added to it.
#[test]
fn the_seed_toybox_live_gives_the_offline_root_cause_with_the_engines_evidence() {
    if !docker_available() {
        return;
    }
    let id = std::process::id();
    let (app, caddy) = (format!("sd-toy-app-{id}:1"), format!("sd-toy-caddy-{id}:1"));
    let parent = tempfile::tempdir().unwrap();
    // Compose names the projects after their folders, as stackdoctor does.
    let root = parent.path().join(format!("sdtoy{id}"));
    let backend = root.join(format!("sdback{id}"));
    std::fs::create_dir_all(&backend).unwrap();
    let mut undo = Undo::default();
    undo.push(&["docker", "image", "rm", "-f", &app, &caddy]);
    build_app_image(&app);
    common::docker::build_caddy_image(&caddy);
    std::fs::write(
        root.join("Caddyfile"),
        "{\n\tadmin off\n}\n\n:80 {\n\thandle /uploads/* {\n\t\treverse_proxy web:8000\n\t}\n\trespond \"ok\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        root.join("docker-compose.yml"),
        format!("services:\n  caddy:\n    image: {caddy}\n    ports:\n      - \"80\"\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile:ro\n"),
    )
    .unwrap();
    std::fs::write(
        backend.join("docker-compose.yml"),
        format!("services:\n  web:\n    image: {app}\n    command: [\"serve\", \"0.0.0.0\", \"8000\"]\n"),
    )
    .unwrap();
    compose_up(&backend, &format!("sdback{id}"), &mut undo);
    compose_up(&root, &format!("sdtoy{id}"), &mut undo);
    let proxy = format!("sdtoy{id}_caddy_1");
    let address = common::docker::published_address(&proxy, 80);
    assert_eq!(wait_until_answered(address, "/uploads/a.png"), 502);

    let offline = diagnose_json(&root, &["--offline"], 1);
    let live = diagnose_json(&root, &[], 1);
    let (first_offline, first_live) = (&offline["findings"][0], &live["findings"][0]);
    assert_eq!(
        first_live["cause"], "proxy-upstream-no-shared-network",
        "{live}"
    );
    assert_eq!(first_live["cause"], first_offline["cause"], "{live}");
    assert_eq!(first_live["title"], first_offline["title"], "{live}");
    // Added live: Caddy's own failed lookup, read from its container's log.
    let live_evidence: Vec<String> = std::iter::once(first_live)
        .chain(first_live["symptoms"].as_array().into_iter().flatten())
        .map(evidence_of)
        .collect();
    let live_evidence = live_evidence.join("\n");
    assert!(
        live_evidence.contains("lookup web") && live_evidence.contains("GET /containers/"),
        "{live_evidence}"
    );
    assert!(
        !evidence_of(first_offline).contains("engine"),
        "{first_offline}"
    );
}
