//! Differential test against the real `nginx -t` (Debian's nginx, installed
//! by `.ci/run`): on complete configs, the parser accepts what nginx accepts
//! and rejects what it rejects for syntax, at the line nginx names.
//! Upstreams are IP addresses so that `nginx -t` needs no DNS.

use std::path::PathBuf;
use std::process::Command;

/// (name, config, whether nginx accepts it, the line the parser names when
/// it deliberately differs from nginx's)
const CASES: &[(&str, &str, bool, Option<u32>)] = &[
    (
        "plain proxy",
        "events {}\nhttp {\n  server {\n    listen 8080;\n    location / { proxy_pass http://127.0.0.1:9000; }\n  }\n}\n",
        true,
        None,
    ),
    (
        "quotes, regex location and captures",
        "events {}\nhttp {\n  server {\n    listen 8080;\n    add_header X-Test \"a b;c\" always;\n    location ~ ^/api/(.*)$ { proxy_pass http://127.0.0.1:9000/$1; }\n    location = /health { return 200 'ok'; }\n  }\n}\n",
        true,
        None,
    ),
    (
        "pool, map and set",
        "events {}\nhttp {\n  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n  upstream app {\n    server 127.0.0.1:9000 weight=3;\n    server 127.0.0.1:9001 backup;\n  }\n  server {\n    listen 8080;\n    set $target app;\n    location / {\n      proxy_set_header Connection $connection_upgrade;\n      proxy_pass http://app;\n      proxy_read_timeout 90s;\n    }\n  }\n}\n",
        true,
        None,
    ),
    (
        "missing semicolon before a brace",
        "events {}\nhttp {\n  server {\n    listen 8080;\n    location / { proxy_pass http://127.0.0.1:9000 }\n  }\n}\n",
        false,
        None,
    ),
    (
        "a brace too many",
        "events {}\nhttp {\n  server {\n    listen 8080;\n  }\n}\n}\n",
        false,
        None,
    ),
    (
        "an unclosed block",
        "events {}\nhttp {\n  server {\n    listen 8080;\n",
        false,
        None,
    ),
    (
        "an unterminated quote",
        "events {}\nhttp {\n  server {\n    listen 8080;\n    add_header X-Test \"open;\n  }\n}\n",
        false,
        // nginx names the end of the file (8); the opening quote is more use.
        Some(5),
    ),
];

fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        assert!(!ci, "nginx is not installed (.ci/run installs it)");
        eprintln!("skipped: nginx is not installed (apt-get install nginx)");
    }
    found
}

/// What `nginx -t` says of `config`: `Ok` or the line of its error.
fn nginx_test(nginx: &PathBuf, name: &str, config: &str) -> Result<(), Option<u32>> {
    let dir = std::env::temp_dir().join(format!(
        "stackdoctor-nginx-t-{}-{}",
        std::process::id(),
        name.replace(' ', "-")
    ));
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let file = dir.join("nginx.conf");
    std::fs::write(&file, config).unwrap();
    let output = Command::new(nginx)
        .arg("-t")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&file)
        .arg("-e")
        .arg("stderr")
        .arg("-g")
        .arg(format!("pid {};", dir.join("nginx.pid").display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    let _ = std::fs::remove_dir_all(&dir);
    if output.status.success() {
        return Ok(());
    }
    // `nginx: [emerg] unexpected "}" in /…/nginx.conf:5`
    let line = stderr
        .lines()
        .find(|l| l.contains("[emerg]"))
        .and_then(|l| l.rsplit(':').next())
        .and_then(|n| n.trim().parse().ok());
    Err(line)
}

#[test]
fn the_parser_agrees_with_nginx_t_on_syntax() {
    let Some(nginx) = nginx_binary() else { return };
    for (name, config, accepted, ours_at) in CASES {
        let real = nginx_test(&nginx, name, config);
        assert_eq!(real.is_ok(), *accepted, "{name}: nginx -t said {real:?}");
        let ours = nginx::parse_str("nginx.conf", config);
        match (&real, &ours) {
            (Ok(()), Ok(_)) => {}
            (Err(line), Err(error)) => {
                let at = error.position().map(|p| p.line);
                let want = ours_at.or(*line);
                assert_eq!(at, want, "{name}: nginx -t at {line:?}, ours: {error}");
            }
            _ => panic!("{name}: nginx -t {real:?}, parser {ours:?}"),
        }
    }
}
