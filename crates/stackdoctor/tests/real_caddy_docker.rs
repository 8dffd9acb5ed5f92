//! End to end against a real peer: a real Caddy (Debian's /usr/bin/caddy,
//! packed into a `FROM scratch` image, since no image can be pulled) proxies
//! inside a real Docker network to one unknown host, one wrong port and one
//! healthy upstream. The test sends real requests, captures what Caddy really
//! logs, and checks that `stackdoctor diagnose` ties those log lines to the
//! right root causes.
//!
//! Without Docker the test is skipped with a note, unless `CI` is set.

mod common;

use common::docker::{
    build_caddy_image, docker, docker_available, docker_ok, http_get, published_address, CADDY,
};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long Caddy may take to start serving.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long Docker may take to hand over log lines already written.
const LOG_TIMEOUT: Duration = Duration::from_secs(5);

/// The proxy's config: three sites, one per case. Its log is JSON on stderr,
/// the format Caddy's docker image users see with `docker compose logs`.
const PROXY_CADDYFILE: &str = "{
\tadmin off
\tlog {
\t\toutput stderr
\t\tformat json
\t}
}

:8080 {
\treverse_proxy frontend:3000
}

:8081 {
\treverse_proxy web:9999
}

:8082 {
\treverse_proxy web:8000
}
";

/// The stand-in app: answers `ok` on 8000.
const APP_CADDYFILE: &str = "{
\tadmin off
}

:8000 {
\trespond \"ok\" 200
}
";

const LOOKUP_FAILED: &str = "dial tcp: lookup frontend on 127.0.0.11:53: no such host";

/// Everything a container wrote, stdout then stderr (Caddy writes only to stderr).
fn container_logs(container: &str) -> String {
    let output = docker(&["logs", container]);
    assert!(
        output.status.success(),
        "`docker logs {container}` failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Removes what the test created, even when an assertion failed. Names are
/// registered before creation, so a half-created resource is removed too.
#[derive(Default)]
struct Cleanup {
    containers: Vec<String>,
    network: Option<String>,
    image: Option<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let mut commands: Vec<Vec<&str>> = Vec::new();
        if !self.containers.is_empty() {
            let mut rm = vec!["rm", "-f"];
            rm.extend(self.containers.iter().map(String::as_str));
            commands.push(rm);
        }
        if let Some(network) = &self.network {
            commands.push(vec!["network", "rm", network]);
        }
        if let Some(image) = &self.image {
            commands.push(vec!["rmi", "-f", image]);
        }
        for args in commands {
            // Never panic here: a panic while unwinding would abort and hide the real failure.
            match Command::new("docker").args(&args).output() {
                Ok(o) if o.status.success() => {}
                Ok(o) => eprintln!(
                    "cleanup `docker {}` failed: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&o.stderr)
                ),
                Err(e) => eprintln!("cleanup `docker {}` failed: {e}", args.join(" ")),
            }
        }
    }
}

/// The 1-based line number and text of the first log line whose JSON `msg` is `msg`.
fn log_line_with_msg<'a>(log: &'a str, msg: &str) -> Option<(u64, &'a str)> {
    log.lines().enumerate().find_map(|(i, line)| {
        let entry: Value = serde_json::from_str(line).ok()?;
        (entry["msg"] == msg).then_some((i as u64 + 1, line))
    })
}

/// The root finding of `cause` whose request path goes through `hop`.
fn root_finding<'a>(report: &'a Value, cause: &str, hop: &str) -> &'a Value {
    findings(report)
        .iter()
        .find(|f| {
            f["cause"] == cause
                && f["path"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|h| h["label"] == hop))
        })
        .unwrap_or_else(|| panic!("no root finding `{cause}` through `{hop}` in:\n{report:#}"))
}

fn findings(report: &Value) -> &[Value] {
    report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// Asserts that `root` lists a `cause` symptom whose log evidence points at
/// line `line` of `log` and quotes `msg`, the error text Caddy logged there.
fn assert_symptom_cites(root: &Value, cause: &str, log: &str, line: u64, msg: &str) {
    let symptom = root["symptoms"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["cause"] == cause))
        .unwrap_or_else(|| panic!("`{}` has no `{cause}` symptom:\n{root:#}", root["cause"]));
    let cited = symptom["evidence"].as_array().is_some_and(|evidence| {
        evidence.iter().any(|e| {
            e["kind"] == "log"
                && e["file"] == log
                && e["line"] == line
                && e["label"].as_str().is_some_and(|label| label.contains(msg))
        })
    });
    assert!(
        cited,
        "`{cause}` under `{}` does not cite {log}:{line} (`{msg}`):\n{symptom:#}",
        root["cause"]
    );
}

#[test]
fn real_caddy_502_logs_are_tied_to_their_root_causes() {
    if !docker_available() {
        return;
    }
    assert!(
        Path::new(CADDY).exists(),
        "{CADDY} is missing: apt-get install caddy"
    );

    let id = format!("stackdoctor-test-{}", std::process::id());
    let image = format!("stackdoctor-test-caddy:{}", std::process::id());
    let (web, proxy) = (format!("{id}-web"), format!("{id}-proxy"));
    let mut cleanup = Cleanup::default();

    // 1. The image: no registry, so Caddy comes from the host.
    cleanup.image = Some(image.clone());
    build_caddy_image(&image);

    // 2. The stack. The proxy's Caddyfile lives in the project folder that
    // stackdoctor diagnoses later, so it reads exactly what Caddy ran.
    let project = tempfile::tempdir().unwrap();
    let app_config = tempfile::tempdir().unwrap();
    let proxy_caddyfile = project.path().join("Caddyfile");
    let app_caddyfile = app_config.path().join("Caddyfile");
    std::fs::write(&proxy_caddyfile, PROXY_CADDYFILE).unwrap();
    std::fs::write(&app_caddyfile, APP_CADDYFILE).unwrap();
    let mount = |file: &Path| format!("{}:/etc/caddy/Caddyfile:ro", file.display());

    cleanup.network = Some(id.clone());
    docker_ok(&["network", "create", &id]);
    cleanup.containers.push(web.clone());
    #[rustfmt::skip]
    docker_ok(&[
        "run", "-d", "--name", &web, "--network", &id, "--network-alias", "web",
        "-v", &mount(&app_caddyfile), &image,
    ]);
    cleanup.containers.push(proxy.clone());
    #[rustfmt::skip]
    docker_ok(&[
        "run", "-d", "--name", &proxy, "--network", &id,
        "-p", "127.0.0.1::8080", "-p", "127.0.0.1::8081", "-p", "127.0.0.1::8082",
        "-v", &mount(&proxy_caddyfile), &image,
    ]);
    let web_ip = docker_ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &web,
    ]);
    assert!(
        web_ip.parse::<std::net::IpAddr>().is_ok(),
        "web has no IP address: {web_ip:?}"
    );
    let unknown_host = published_address(&proxy, 8080);
    let wrong_port = published_address(&proxy, 8081);
    let healthy = published_address(&proxy, 8082);

    // 3. Real requests. The healthy route answering means both Caddys serve.
    let started = Instant::now();
    loop {
        match http_get(healthy) {
            Ok((200, body)) => {
                assert_eq!(body, "ok", "the healthy route answered 200 with another body");
                break;
            }
            other if started.elapsed() > READY_TIMEOUT => panic!(
                "the healthy route never answered 200 within {READY_TIMEOUT:?} (last: {other:?})\nproxy log:\n{}\nweb log:\n{}",
                container_logs(&proxy),
                container_logs(&web)
            ),
            _ => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let (status, _) = http_get(unknown_host).expect("request to the unknown-host route");
    assert_eq!(status, 502, "reverse_proxy frontend:3000 should answer 502");
    let (status, _) = http_get(wrong_port).expect("request to the wrong-port route");
    assert_eq!(status, 502, "reverse_proxy web:9999 should answer 502");

    // 4. What Caddy really logged. Docker may hand over the last lines a bit late.
    let refused = format!("dial tcp {web_ip}:9999: connect: connection refused");
    let started = Instant::now();
    let log = loop {
        let log = container_logs(&proxy);
        if log.contains(LOOKUP_FAILED) && log.contains(&refused) {
            break log;
        }
        assert!(
            started.elapsed() < LOG_TIMEOUT,
            "Caddy did not log `{LOOKUP_FAILED}` and `{refused}`; its log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let lookup_line = log_line_with_msg(&log, LOOKUP_FAILED)
        .unwrap_or_else(|| panic!("no JSON line with msg `{LOOKUP_FAILED}` in:\n{log}"));
    let refused_line = log_line_with_msg(&log, &refused)
        .unwrap_or_else(|| panic!("no JSON line with msg `{refused}` in:\n{log}"));
    for (_, line) in [lookup_line, refused_line] {
        let entry: Value = serde_json::from_str(line).unwrap();
        assert_eq!(entry["logger"], "http.log.error", "{line}");
        assert_eq!(entry["status"], 502, "{line}");
        eprintln!("real Caddy log line: {line}");
    }
    std::fs::write(project.path().join("proxy.log"), &log).unwrap();

    // 5. The same stack as a compose project, published ports as docker chose them.
    let compose = format!(
        "# What real_caddy_docker.rs runs with `docker run`.\n\
         services:\n\
         \x20 proxy:\n\
         \x20   image: caddy:2.6\n\
         \x20   ports:\n\
         \x20     - \"{unknown_host}:8080\"\n\
         \x20     - \"{wrong_port}:8081\"\n\
         \x20     - \"{healthy}:8082\"\n\
         \x20   volumes:\n\
         \x20     - ./Caddyfile:/etc/caddy/Caddyfile:ro\n\
         \x20 web:\n\
         \x20   image: {image}\n\
         \x20   expose:\n\
         \x20     - \"8000\"\n"
    );
    std::fs::write(project.path().join("compose.yaml"), compose).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .current_dir(project.path())
        .args(["diagnose", ".", "--logs", "proxy.log", "--format", "json"])
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot run stackdoctor");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "stackdoctor should find problems (exit 1)\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // 6. The diagnosis: each real log line sits under the cause that explains it.
    let report: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("stackdoctor printed no JSON ({e}):\n{stdout}\n{stderr}"));
    assert_eq!(report["schema"], "stackdoctor.report/1");
    assert_eq!(report["status"], "problems");
    assert!(
        report["inputs"]["log_events"].as_u64() >= Some(2),
        "both real lines should be recognised:\n{report:#}"
    );

    let unknown = root_finding(
        &report,
        "upstream-unknown-host",
        "reverse_proxy frontend:3000",
    );
    assert_symptom_cites(
        unknown,
        "proxy-upstream-lookup-failed",
        "proxy.log",
        lookup_line.0,
        LOOKUP_FAILED,
    );
    let wrong = root_finding(&report, "upstream-wrong-port", "reverse_proxy web:9999");
    assert_symptom_cites(
        wrong,
        "proxy-upstream-refused",
        "proxy.log",
        refused_line.0,
        &refused,
    );

    // The log findings are symptoms, never roots of their own, and the healthy route is not blamed.
    for finding in findings(&report) {
        assert!(
            finding["cause"] != "proxy-upstream-lookup-failed"
                && finding["cause"] != "proxy-upstream-refused",
            "a log symptom was left ungrouped:\n{finding:#}"
        );
        let blames_healthy = finding["path"].as_array().is_some_and(|path| {
            path.iter()
                .any(|hop| hop["label"] == "reverse_proxy web:8000")
        });
        assert!(
            !blames_healthy,
            "the healthy route web:8000 was reported:\n{finding:#}"
        );
    }
    drop(cleanup);
}
