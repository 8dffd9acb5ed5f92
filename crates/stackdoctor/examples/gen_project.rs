//! Writes a compose project with N web services behind Caddy, for the
//! scaling benchmark (`bench/scale.sh`) and the test that finds its planted
//! faults at 2,000 services (`tests/scale.rs`).
//!
//! Usage: `cargo run --release -p stackdoctor --example gen_project -- N DIR`
//!
//! The project has what real ones have, N times over: `compose.yaml` plus
//! `compose.override.yaml`, a `.env` whose variables every service
//! interpolates (one of them per service), healthchecks, two networks, and a
//! Caddyfile with one site per service. Four faults are planted, each with
//! its own cause:
//! - `upstream-unknown-host`: a site proxies to `svc{N/2}-old`, a service
//!   that does not exist (the suggestion must be `svc{N/2}`);
//! - `proxy-upstream-no-shared-network`: `internal` is only on the back
//!   network, which the proxy is not on;
//! - `upstream-wrong-port`: a site dials `legacy:8080`, the host side of
//!   `8080:8000`;
//! - `app-env-unknown-host`: `worker`'s `DATABASE_URL` names `db-old`.

use std::fmt::Write as _;
use std::path::Path;

/// Cause IDs of the planted faults, for tests.
#[allow(dead_code)]
pub const PLANTED_CAUSES: &[&str] = &[
    "upstream-unknown-host",
    "proxy-upstream-no-shared-network",
    "upstream-wrong-port",
    "app-env-unknown-host",
];

/// Writes the project for `services` web services into `dir`.
pub fn write_project(services: usize, dir: &Path) -> std::io::Result<()> {
    let services = services.max(2);
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("compose.yaml"), compose_file(services))?;
    std::fs::write(dir.join("compose.override.yaml"), override_file(services))?;
    std::fs::write(dir.join(".env"), env_file(services))?;
    std::fs::write(dir.join("Caddyfile"), caddyfile(services))?;
    Ok(())
}

fn compose_file(services: usize) -> String {
    let mut out = String::from(
        "name: scale\n\nservices:\n  proxy:\n    image: caddy:2.8\n    ports:\n      - \"80:80\"\n      - \"443:443\"\n    volumes:\n      - ./Caddyfile:/etc/caddy/Caddyfile:ro\n    networks: [front]\n",
    );
    for i in 0..services {
        let next = (i + 1) % services;
        let _ = write!(
            out,
            r#"
  svc{i}:
    image: ghcr.io/example/svc{family}:${{SVC_TAG:-1.0}}
    command: ["gunicorn", "app.wsgi", "--bind", "0.0.0.0:8000", "--workers", "${{SVC{i}_WORKERS:-2}}"]
    expose: ["8000"]
    environment:
      DATABASE_URL: postgres://app:${{DB_PASSWORD}}@db:5432/svc{i}
      NEXT_URL: http://svc{next}:8000/
      LOG_LEVEL: ${{LOG_LEVEL:-info}}
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
      interval: 10s
      timeout: 3s
      retries: 3
    networks: [front, back]
    depends_on: [db]
"#,
            family = i % 10,
        );
    }
    out.push_str(
        r#"
  internal:
    image: ghcr.io/example/internal:1.0
    command: ["gunicorn", "app.wsgi", "--bind", "0.0.0.0:8000"]
    networks: [back]

  legacy:
    image: ghcr.io/example/legacy:1.0
    command: ["gunicorn", "app.wsgi", "--bind", "0.0.0.0:8000"]
    ports:
      - "8080:8000"
    networks: [front]

  worker:
    image: ghcr.io/example/worker:1.0
    environment:
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db-old:5432/app
    networks: [back]

  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: ${DB_PASSWORD}
    networks: [back]

networks:
  front: {}
  back: {}
"#,
    );
    out
}

fn override_file(services: usize) -> String {
    let mut out = String::from("services:\n");
    for i in 0..services {
        let _ = write!(
            out,
            "  svc{i}:\n    environment:\n      FEATURE_FLAGS: \"search,${{FEATURE_{i}:-off}}\"\n"
        );
    }
    out
}

fn env_file(services: usize) -> String {
    let mut out = String::from(
        "DB_PASSWORD=generated-password-not-a-secret\nSVC_TAG=2.3.1\nLOG_LEVEL=warn\n",
    );
    for i in 0..services {
        let _ = writeln!(out, "SVC{i}_WORKERS={}", 2 + i % 4);
    }
    out
}

fn caddyfile(services: usize) -> String {
    let mut out = String::new();
    for i in 0..services {
        let _ = write!(
            out,
            "svc{i}.example.com {{\n\tencode gzip\n\treverse_proxy svc{i}:8000\n}}\n\n"
        );
    }
    let typo = services / 2;
    let _ = write!(
        out,
        "old.example.com {{\n\treverse_proxy svc{typo}-old:8000\n}}\n\n\
         internal.example.com {{\n\treverse_proxy internal:8000\n}}\n\n\
         legacy.example.com {{\n\treverse_proxy legacy:8080\n}}\n"
    );
    out
}

#[allow(dead_code)]
fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(count), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: gen_project N DIR");
        std::process::exit(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("N must be a number of services, got {count:?}");
        std::process::exit(2);
    };
    if let Err(error) = write_project(count, Path::new(&dir)) {
        eprintln!("cannot write {dir}: {error}");
        std::process::exit(1);
    }
}
