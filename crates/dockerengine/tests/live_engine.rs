//! The client against this machine's real Docker Engine, with an image
//! built here (a static C program `FROM scratch`: nothing can be pulled),
//! and against a socket that accepts and never answers. Every container,
//! network and image a test creates is removed, even when it fails.
//! Without a reachable engine the live test is skipped with a message,
//! except under `CI=true`, where it fails.

use dockerengine::client::{endpoint_from, Endpoint};
use dockerengine::{ask, Ask};
use std::process::Command;
use std::time::{Duration, Instant};

fn docker(args: &[&str]) -> (bool, String) {
    match Command::new("docker").args(args).output() {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        ),
        Err(e) => (false, e.to_string()),
    }
}

fn engine_reachable() -> bool {
    let (ok, text) = docker(&["version", "--format", "{{.Server.Version}}"]);
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the Docker Engine is not reachable under CI=true: {text}"
        );
        eprintln!("skipped: Docker Engine not reachable ({})", text.trim());
    }
    ok
}

/// Removes what a test created, in reverse order, when dropped.
struct Cleanup(Vec<Vec<String>>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for args in self.0.iter().rev() {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let _ = docker(&args);
        }
    }
}

/// Builds `tag` `FROM scratch`: the static test program as `/app`, and
/// with `with_cat` the host's `cat` with the libraries `ldd` lists.
fn build_image(tag: &str, with_cat: bool) {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live/app.c");
    std::fs::create_dir_all(dir.path().join("rootfs")).unwrap();
    let built = Command::new("gcc")
        .args(["-static", "-O2", "-o"])
        .arg(dir.path().join("rootfs/app"))
        .arg(source)
        .status()
        .expect("gcc");
    assert!(built.success());
    if with_cat {
        let cat = std::path::Path::new("/bin/cat");
        let ldd = Command::new("ldd").arg(cat).output().expect("ldd");
        let libraries = String::from_utf8_lossy(&ldd.stdout)
            .lines()
            .filter_map(|l| {
                l.split_whitespace()
                    .find(|w| w.starts_with('/'))
                    .map(String::from)
            })
            .collect::<Vec<_>>();
        for file in std::iter::once("/bin/cat".to_string()).chain(libraries) {
            let target = dir.path().join("rootfs").join(file.trim_start_matches('/'));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(&file, &target).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"/app\"]\n",
    )
    .unwrap();
    let (ok, text) = docker(&["build", "-q", "-t", tag, dir.path().to_str().unwrap()]);
    assert!(ok, "{text}");
}

fn endpoint() -> Endpoint {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    endpoint_from(&|k| std::env::var(k).ok(), home.as_deref()).expect("endpoint")
}

#[test]
fn a_live_stack_is_read_oom_exit_health_networks_events_and_logs() {
    if !engine_reachable() {
        return;
    }
    let id = std::process::id();
    let project = format!("sdtest{id}");
    let image = format!("sd-engine-test-{id}:1");
    let network = format!("{project}_back");
    let mut cleanup = Cleanup(Vec::new());
    cleanup.0.push(vec![
        "image".into(),
        "rm".into(),
        "-f".into(),
        image.clone(),
    ]);
    build_image(&image, false);
    cleanup
        .0
        .push(vec!["network".into(), "rm".into(), network.clone()]);
    let (ok, text) = docker(&["network", "create", &network]);
    assert!(ok, "{text}");
    let run = |service: &str, extra: &[&str], command: &[&str]| {
        let name = format!("{project}-{service}-1");
        let mut args = vec![
            "run".to_string(),
            "-d".into(),
            "--name".into(),
            name.clone(),
            "--network".into(),
            network.clone(),
            "--label".into(),
            format!("com.docker.compose.project={project}"),
            "--label".into(),
            format!("com.docker.compose.service={service}"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(image.clone());
        args.extend(command.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, text) = docker(&args);
        assert!(ok, "{text}");
        name
    };
    for service in ["web", "api", "db"] {
        cleanup.0.push(vec![
            "rm".into(),
            "-f".into(),
            format!("{project}-{service}-1"),
        ]);
    }
    let web = run(
        "web",
        &["--memory", "32m", "--memory-swap", "32m"],
        &["oom"],
    );
    let api = run("api", &[], &["exit1"]);
    let db = run(
        "db",
        &[
            "--health-cmd",
            "/app health",
            "--health-interval",
            "1s",
            "--health-retries",
            "1",
        ],
        &["sleep"],
    );
    // Wait for the OOM kill and the failed health check (bounded).
    let until = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, status) = docker(&[
            "inspect",
            "--format",
            "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
            &web,
            &db,
        ]);
        if status.contains("exited") && status.contains("unhealthy") || Instant::now() > until {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }

    let started = Instant::now();
    let answers = ask(
        endpoint(),
        Instant::now() + Duration::from_secs(10),
        &Ask {
            projects: vec![project.clone()],
            ..Ask::default()
        },
    );
    assert!(answers.problems.is_empty(), "{:?}", answers.problems);
    assert!(started.elapsed() < Duration::from_secs(10));
    let version = answers.version.clone().unwrap();
    assert!(version.starts_with("v1."), "{version}");
    let find = |name: &str| answers.containers.iter().find(|c| c.name == name).unwrap();
    assert_eq!(answers.containers.len(), 3);
    let web_state = find(&web);
    assert_eq!(web_state.oom_killed, Some(true), "{web_state:?}");
    assert_eq!(web_state.exit_code, Some(137));
    assert_eq!(web_state.memory_limit, Some(32 << 20));
    assert_eq!(web_state.service(), Some("web"));
    assert!(web_state.networks.iter().any(|n| n.network == network));
    let api_state = find(&api);
    assert_eq!(
        (api_state.status.as_deref(), api_state.exit_code),
        (Some("exited"), Some(1))
    );
    let db_state = find(&db);
    let health = db_state.health.as_ref().unwrap();
    assert_eq!(health.status, "unhealthy");
    // `--health-cmd` runs through `/bin/sh`, which a scratch image lacks: the output says so.
    assert!(
        health
            .log
            .iter()
            .all(|p| p.exit_code != Some(0) && !p.output.is_empty()),
        "{health:?}"
    );
    // The multiplexed log stream, split: stderr of `api`, stdout of `web`.
    let logs = |name: &str| answers.logs.iter().find(|l| l.container == name).unwrap();
    assert_eq!(
        logs(&api).lines,
        ["fatal: could not connect to database db:5432"]
    );
    assert_eq!(logs(&web).lines, ["allocating"]);
    assert!(answers.networks.iter().any(|n| n.name == network));
    let ours = |action: &str| {
        answers
            .events
            .iter()
            .any(|e| e.action == action && e.name.as_deref() == Some(web.as_str()))
    };
    assert!(ours("oom") && ours("die"), "{:?}", answers.events);
}

#[test]
fn a_socket_that_never_answers_costs_one_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    // Accept every connection and hold it open, silent.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    let started = Instant::now();
    let timeout = Duration::from_millis(800);
    let answers = ask(
        Endpoint::Unix(path),
        Instant::now() + timeout,
        &Ask::default(),
    );
    let elapsed = started.elapsed();
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < timeout + timeout / 10, "{elapsed:?}");
    assert_eq!(answers.version, None);
    assert!(
        answers.problems[0].contains("no answer within the probe timeout"),
        "{:?}",
        answers.problems
    );
    // No socket at all fails at once.
    let missing = ask(
        Endpoint::Unix(dir.path().join("none.sock")),
        Instant::now() + timeout,
        &Ask::default(),
    );
    assert!(
        missing.problems[0].contains("none.sock"),
        "{:?}",
        missing.problems
    );
}

/// What a container listens on, three ways: the engine host's `/proc` (this
/// test runs where the engine does), `cat` in a container that has one, and
/// neither for a `FROM scratch` container seen from "another machine".
#[test]
fn listening_sockets_are_read_from_proc_or_by_cat_in_the_container() {
    if !engine_reachable() {
        return;
    }
    let id = std::process::id();
    let project = format!("sdsock{id}");
    let (bare, with_cat) = (
        format!("sd-sock-bare-{id}:1"),
        format!("sd-sock-cat-{id}:1"),
    );
    let mut cleanup = Cleanup(Vec::new());
    for image in [&bare, &with_cat] {
        cleanup.0.push(vec![
            "image".into(),
            "rm".into(),
            "-f".into(),
            image.clone(),
        ]);
    }
    build_image(&bare, false);
    build_image(&with_cat, true);
    let run = |service: &str, image: &str| {
        let name = format!("{project}-{service}-1");
        let project_label = format!("com.docker.compose.project={project}");
        let service_label = format!("com.docker.compose.service={service}");
        let (ok, text) = docker(&[
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            &project_label,
            "--label",
            &service_label,
            image,
            "serve",
            "127.0.0.1",
            "8000",
        ]);
        assert!(ok, "{text}");
        name
    };
    cleanup
        .0
        .push(vec!["rm".into(), "-f".into(), format!("{project}-bare-1")]);
    cleanup
        .0
        .push(vec!["rm".into(), "-f".into(), format!("{project}-cat-1")]);
    let bare_name = run("bare", &bare);
    let cat_name = run("cat", &with_cat);
    // The program prints its line once it listens.
    let until = Instant::now() + Duration::from_secs(20);
    for name in [&bare_name, &cat_name] {
        while !docker(&["logs", name]).1.contains("listening on") && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let sockets_of = |ask_with: Ask| {
        let answers = ask(
            endpoint(),
            Instant::now() + Duration::from_secs(10),
            &ask_with,
        );
        assert!(answers.problems.is_empty(), "{:?}", answers.problems);
        let of = |name: &str| {
            answers
                .containers
                .iter()
                .find(|c| c.name == name)
                .and_then(|c| c.sockets.clone())
                .unwrap_or_else(|| panic!("no sockets for {name}"))
        };
        (of(&bare_name), of(&cat_name))
    };
    let listening_on = |sockets: &dockerengine::Sockets| match sockets {
        dockerengine::Sockets::Read { source, listening } => (
            source.clone(),
            listening
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        ),
        dockerengine::Sockets::Unseen { reason } => panic!("unseen: {reason}"),
    };

    // From the host's /proc, whatever the image holds.
    let (from_proc, _) = sockets_of(Ask {
        projects: vec![project.clone()],
        proc_root: Some("/proc".into()),
        ..Ask::default()
    });
    let (source, listening) = listening_on(&from_proc);
    assert!(
        source.starts_with("/proc/") && source.contains("/net/tcp"),
        "{source}"
    );
    assert!(
        listening.contains(&"127.0.0.1:8000".to_string()),
        "{listening:?}"
    );

    // Without /proc: `cat` in the container where there is one.
    let (bare_sockets, cat_sockets) = sockets_of(Ask {
        projects: vec![project.clone()],
        proc_root: None,
        exec_cat: true,
        ..Ask::default()
    });
    let (source, listening) = listening_on(&cat_sockets);
    assert_eq!(
        source,
        format!("docker exec {cat_name} cat /proc/net/tcp /proc/net/tcp6")
    );
    assert!(
        listening.contains(&"127.0.0.1:8000".to_string()),
        "{listening:?}"
    );
    let dockerengine::Sockets::Unseen { reason } = bare_sockets else {
        panic!("a scratch image without cat cannot be seen: {bare_sockets:?}");
    };
    assert!(reason.contains("no `cat`"), "{reason}");

    // A /proc of another machine (here: an empty folder) is not trusted.
    let elsewhere = tempfile::tempdir().unwrap();
    let (bare_sockets, _) = sockets_of(Ask {
        projects: vec![project.clone()],
        proc_root: Some(elsewhere.path().to_path_buf()),
        ..Ask::default()
    });
    assert!(
        matches!(bare_sockets, dockerengine::Sockets::Unseen { .. }),
        "{bare_sockets:?}"
    );
}
