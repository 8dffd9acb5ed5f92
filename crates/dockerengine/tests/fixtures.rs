//! Real outputs of this machine's engine (Docker 20.10.24, a compose v1
//! project `shop` of a static test binary: `web` OOM-killed under a 32 MiB
//! limit and restarted 5 times, `api` exiting 1, `db` with a failing health
//! check) and compose v2's documented JSON forms.

use dockerengine::{parse, ContainerFrom, Limits, LineKind};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

#[test]
fn docker_inspect_of_a_stack_is_read_with_positions() {
    let text = fixture("inspect-shop.json");
    let parsed = parse(&text, &Limits::default()).unwrap();
    assert_eq!(parsed.containers.len(), 4);
    let web = &parsed.containers[0];
    assert_eq!(web.name, "shop_web_1");
    assert_eq!(web.from, Some(ContainerFrom::Inspect));
    assert_eq!(web.service(), Some("web"));
    assert_eq!(web.project(), Some("shop"));
    assert_eq!(web.status.as_deref(), Some("exited"));
    assert_eq!(web.oom_killed, Some(true));
    assert_eq!(web.exit_code, Some(137));
    assert_eq!(web.restart_count, Some(5));
    assert_eq!(web.memory_limit, Some(32 << 20));
    assert_eq!(web.restart_policy.as_deref(), Some("on-failure"));
    assert_eq!(web.networks[0].network, "shop_back");
    assert!(web.networks[0].aliases.iter().any(|a| a == "web"));
    assert!(web.env.iter().any(|(n, _)| n == "DJANGO_SECRET_KEY"));
    // Positions point at the fields in the file.
    let line = |n: u32| text.lines().nth(n as usize - 1).unwrap();
    assert!(line(web.field_at("OOMKilled").line).contains("\"OOMKilled\": true"));
    assert!(line(web.field_at("RestartCount").line).contains("\"RestartCount\": 5"));
    assert!(line(web.field_at("ExitCode").line).contains("137"));
    let api = &parsed.containers[1];
    assert_eq!((api.exit_code, api.oom_killed), (Some(1), Some(false)));
    assert!(line(api.field_at("ExitCode").line).contains("\"ExitCode\": 1"));
    let db = &parsed.containers[2];
    let health = db.health.as_ref().unwrap();
    assert_eq!(health.status, "unhealthy");
    assert!(health.log.iter().all(|p| p.exit_code == Some(1)));
    assert!(health.log[0].output.contains("Connection refused"));
    assert_eq!(db.health_test, ["CMD", "/app", "health"]);
    let proxy = &parsed.containers[3];
    assert_eq!(proxy.status.as_deref(), Some("running"));
    assert!(proxy
        .ports
        .iter()
        .any(|p| p.container_port == 80 && p.host_port.as_deref() == Some("8080")));
}

#[test]
fn network_inspect_and_events_are_read() {
    let parsed = parse(&fixture("network-inspect-shop.json"), &Limits::default()).unwrap();
    let names: Vec<&str> = parsed.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["shop_front", "shop_back"]);
    let back = &parsed.networks[1];
    assert!(back
        .containers
        .iter()
        .any(|(name, ip)| name == "shop_db_1" && ip.is_some()));
    assert!(parsed.containers.is_empty());

    let parsed = parse(&fixture("events-shop.jsonl"), &Limits::default()).unwrap();
    assert_eq!(parsed.events.len(), 118);
    let ooms = parsed.events.iter().filter(|e| e.action == "oom").count();
    assert_eq!(ooms, 6);
    let die = parsed
        .events
        .iter()
        .find(|e| e.action == "die" && e.service() == Some("web"))
        .unwrap();
    assert_eq!(die.exit_code, Some(137));
    assert_eq!(die.name.as_deref(), Some("shop_web_1"));
    assert!(parsed
        .events
        .iter()
        .any(|e| e.action == "health_status: unhealthy" && e.service() == Some("db")));
    assert_eq!(parsed.events[0].at.line, 1);
    assert_eq!(parsed.events[117].at.line, 118);
}

#[test]
fn compose_ps_json_lines_and_the_older_array_are_read() {
    let parsed = parse(&fixture("compose-ps-v2.jsonl"), &Limits::default()).unwrap();
    assert_eq!(parsed.containers.len(), 3);
    let web = &parsed.containers[0];
    assert_eq!(web.from, Some(ContainerFrom::ComposePs));
    assert_eq!((web.service(), web.project()), (Some("web"), Some("shop")));
    assert_eq!(
        (web.status.as_deref(), web.exit_code),
        (Some("exited"), Some(137))
    );
    let db = &parsed.containers[1];
    assert_eq!(db.health.as_ref().unwrap().status, "unhealthy");
    assert_eq!(db.at.line, 2);
    let proxy = &parsed.containers[2];
    assert_eq!(proxy.ports[0].host_port.as_deref(), Some("8080"));

    let parsed = parse(&fixture("compose-ps-array.json"), &Limits::default()).unwrap();
    assert_eq!(parsed.containers.len(), 2);
    assert_eq!(parsed.containers[1].name, "shop-proxy-1");
    assert_eq!(parsed.containers[1].service(), Some("proxy"));
}

#[test]
fn compose_lines_in_a_terminal_session_are_read() {
    let parsed = parse(&fixture("compose-up.txt"), &Limits::default()).unwrap();
    let kinds: Vec<(LineKind, &str, u32)> = parsed
        .lines
        .iter()
        .map(|l| (l.kind, l.container.as_str(), l.at.line))
        .collect();
    assert_eq!(
        kinds,
        [
            (LineKind::ContainerError, "shop-db-1", 5),
            (LineKind::DependencyUnhealthy, "shop-db-1", 8),
            (LineKind::Exited { code: 137 }, "web-1", 11),
        ]
    );
}

#[test]
fn outputs_pasted_among_other_lines_are_found() {
    let inspect = fixture("inspect-shop.json");
    let text = format!(
        "$ docker ps\n{{not json\n$ docker inspect shop_web_1 shop_api_1 shop_db_1 shop_proxy_1\n{inspect}$ echo done\ndone\n"
    );
    let parsed = parse(&text, &Limits::default()).unwrap();
    assert_eq!(parsed.containers.len(), 4);
    // The first record starts on line 5 (`[` is on line 4).
    assert_eq!(parsed.containers[0].at.line, 5);
}

#[test]
fn a_containers_socket_tables_name_its_listeners_and_docker_dns() {
    let listening = dockerengine::parse_socket_table(&fixture("proc-net-tcp.txt")).unwrap();
    let shown: Vec<String> = listening.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["127.0.0.1:8000", "127.0.0.11:41395", "[::]:80"]);
    // The embedded DNS server of a user-defined network is not the app.
    let resolver: Vec<bool> = listening.iter().map(|s| s.is_docker_resolver()).collect();
    assert_eq!(resolver, [false, true, false]);
}
