//! `diagnose --logs` reads every input as a stream within bounds: a device
//! that never ends, a FIFO that stays open, an endless pipe on stdin. Each
//! run must end in bounded time and memory, and say what it did not read.
#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const PSYCOPG_LINE: &str =
    "web-1  | psycopg2.OperationalError: could not connect to server: Connection refused\n";

/// Waits for `child` at most `limit`; a run that does not end fails the test.
fn wait_bounded(mut child: Child, limit: Duration) -> (Output, Duration) {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return (child.wait_with_output().unwrap(), start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "no answer within {limit:?}; stdout so far: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `stackdoctor ARGS` run by `sh` under `ulimit -v` (1.5 GiB of address
/// space): a run that reads an endless input whole dies instead of passing.
fn spawn_limited(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Stdio) -> Child {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg("ulimit -v 1572864 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().unwrap()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo failed");
}

#[test]
fn dev_zero_and_dev_urandom_are_notes_not_an_endless_read() {
    let dir = tempfile::tempdir().unwrap();
    for device in ["/dev/zero", "/dev/urandom"] {
        let child = spawn_limited(
            dir.path(),
            &["diagnose", "--offline", "--logs", device],
            &[],
            Stdio::null(),
        );
        let (out, took) = wait_bounded(child, Duration::from_secs(30));
        let stdout = String::from_utf8_lossy(&out.stdout);
        // The only input was skipped and the folder is empty: nothing could
        // be read, which is exit 2 (never "healthy"), with the note saying why.
        assert_eq!(
            out.status.code(),
            Some(2),
            "{device}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("note: {device}: not text")),
            "{device}: {stdout}"
        );
        assert!(took < Duration::from_secs(10), "{device}: {took:?}");
    }
}

/// Peak resident memory of `diagnose --logs /dev/zero`, measured by
/// `/usr/bin/time -v` when the machine has it.
#[test]
fn dev_zero_peak_memory_is_small() {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: /usr/bin/time is not installed (the ulimit test still runs)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(["diagnose", "--offline", "--logs", "/dev/zero"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (out, _) = wait_bounded(child, Duration::from_secs(30));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let kib: u64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in: {stderr}"));
    assert!(kib < 100 * 1024, "peak RSS {kib} KiB");
}

#[test]
fn a_fifo_that_stays_open_ends_after_the_idle_timeout_with_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("web.pipe");
    mkfifo(&fifo);
    // Read-write: opening does not wait for a reader, and the FIFO never
    // sees end of file while this handle lives.
    let mut writer = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    writer.write_all(PSYCOPG_LINE.as_bytes()).unwrap();
    let child = spawn_limited(
        dir.path(),
        &[
            "diagnose",
            "--offline",
            "--probe-timeout",
            "1",
            "--logs",
            "web.pipe",
        ],
        &[],
        Stdio::null(),
    );
    let (out, took) = wait_bounded(child, Duration::from_secs(30));
    drop(writer);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("OperationalError"), "{stdout}");
    let note = format!(
        "web.pipe: sent nothing for 1 s while still open; read {} bytes",
        PSYCOPG_LINE.len()
    );
    assert!(stdout.contains(&note), "{stdout}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_fifo_without_a_writer_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("nobody.pipe");
    mkfifo(&fifo);
    let child = spawn_limited(
        dir.path(),
        &[
            "diagnose",
            "--offline",
            "--probe-timeout",
            "1",
            "--format",
            "json",
            "--logs",
            "nobody.pipe",
        ],
        &[],
        Stdio::null(),
    );
    let (out, took) = wait_bounded(child, Duration::from_secs(30));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = report["inputs"]["log_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0]
        .as_str()
        .unwrap()
        .starts_with("nobody.pipe: sent nothing for 1 s"));
    assert!(took < Duration::from_secs(10), "{took:?}");
}

/// Writes log lines into `sink` until the reader goes away.
fn flood(mut sink: impl Write) {
    let block = PSYCOPG_LINE.repeat(1000);
    while sink.write_all(block.as_bytes()).is_ok() {}
}

#[test]
fn an_endless_fifo_stops_at_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("flood.pipe");
    mkfifo(&fifo);
    let path = fifo.clone();
    // Write-only: the open waits for diagnose, and writes fail once it is gone.
    let writer = std::thread::spawn(move || {
        if let Ok(f) = std::fs::OpenOptions::new().write(true).open(&path) {
            flood(f);
        }
    });
    let child = spawn_limited(
        dir.path(),
        &["diagnose", "--offline", "--logs", "flood.pipe"],
        &[("STACKDOCTOR_LOGS_BUDGET", "4194304")],
        Stdio::null(),
    );
    let (out, _) = wait_bounded(child, Duration::from_secs(60));
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("OperationalError"), "{stdout}");
    assert!(
        stdout.contains(
            "flood.pipe: read only the first 4.0 MiB (diagnose's budget per --logs input)"
        ),
        "{stdout}"
    );
}

#[test]
fn endless_stdin_stops_at_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_limited(
        dir.path(),
        &["diagnose", "--offline", "--logs", "-"],
        &[("STACKDOCTOR_LOGS_BUDGET", "4194304")],
        Stdio::piped(),
    );
    let stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || flood(stdin));
    let (out, _) = wait_bounded(child, Duration::from_secs(60));
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("<stdin>: read only the first 4.0 MiB"),
        "{stdout}"
    );
}

/// Binary and truncated gzip `--logs` files are named in the report (they
/// were skipped without a word), in both languages.
#[test]
fn binary_and_truncated_gzip_logs_are_notes_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..2000 {
        gz.write_all(PSYCOPG_LINE.as_bytes()).unwrap();
    }
    let gz = gz.finish().unwrap();
    std::fs::write(dir.path().join("web.log.gz"), &gz[..gz.len() / 2]).unwrap();
    std::fs::write(
        dir.path().join("core.bin"),
        b"\x7fELF\x02\x01\x01\x00\x00\x00",
    )
    .unwrap();
    let run = |lang: &str| {
        let child = spawn_limited(
            dir.path(),
            &[
                "diagnose",
                "--offline",
                "--lang",
                lang,
                "--logs",
                "web.log.gz",
                "--logs",
                "core.bin",
            ],
            &[],
            Stdio::null(),
        );
        let (out, _) = wait_bounded(child, Duration::from_secs(30));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let en = run("en");
    assert!(
        en.contains("note: web.log.gz: the gzip data ends early or is corrupt; read "),
        "{en}"
    );
    assert!(en.contains("OperationalError"), "{en}");
    assert!(
        en.contains("note: core.bin: not text (a NUL byte in its first 8 KiB), skipped"),
        "{en}"
    );
    let ja = run("ja");
    assert!(ja.contains("core.bin: テキストではありません"), "{ja}");
    assert!(
        ja.contains("web.log.gz: gzip が途中で切れているか壊れています"),
        "{ja}"
    );
}

/// What a terminal `columns` wide shows of `line`: cut every `columns`
/// characters, inside words and before spaces alike.
fn fold(line: &str, columns: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    chars
        .chunks(columns)
        .map(|piece| piece.iter().collect::<String>() + "\n")
        .collect()
}

/// A terminal copy of `docker compose logs nginx web`, 80 columns wide:
/// nginx's refused connection is cut over four lines.
fn wrapped_copy() -> String {
    let refused = r#"nginx-1  | 2026/11/21 09:30:01 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: "GET /api/health/ HTTP/1.1", upstream: "http://172.18.0.3:8000/api/health/", host: "localhost:8080""#;
    let access = r#"nginx-1  | 172.18.0.1 - - [21/Nov/2026:09:30:01 +0000] "GET /api/health/ HTTP/1.1" 502 157 "-" "curl/8.5.0""#;
    format!(
        "web-1    | [2026-11-21 09:30:00 +0000] [1] [INFO] Starting gunicorn 23.0.0\n{}{}",
        fold(refused, 80),
        fold(access, 80)
    )
}

#[test]
fn a_wrapped_nginx_line_is_a_finding_of_diagnose_at_its_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let copy = wrapped_copy();
    assert!(!copy
        .lines()
        .any(|l| l.contains("connect() failed") && l.contains("upstream: \"http")));
    std::fs::write(dir.path().join("terminal.txt"), &copy).unwrap();
    let child = spawn_limited(
        dir.path(),
        &[
            "diagnose",
            "--offline",
            "--format",
            "json",
            "--logs",
            "terminal.txt",
        ],
        &[],
        Stdio::null(),
    );
    let (out, _) = wait_bounded(child, Duration::from_secs(30));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["cause"] == "proxy-upstream-refused")
        .unwrap_or_else(|| panic!("{report:#}"));
    let evidence = &finding["evidence"][0];
    assert_eq!(evidence["kind"], "log");
    assert_eq!(evidence["file"], "terminal.txt");
    assert_eq!(evidence["line"], 2);
    let label = evidence["label"].as_str().unwrap();
    assert!(
        label.contains("(111: Connection refused) while connecting to upstream"),
        "{label}"
    );
}

#[test]
fn a_wrapped_nginx_line_is_found_by_the_logs_command() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("terminal.txt"), wrapped_copy()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(["logs", "terminal.txt", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let group = report["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["cause"] == "proxy-upstream-refused")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        group["signatures"][0]["id"],
        "nginx-upstream-connect-refused"
    );
    assert_eq!(group["services"][0], "nginx");
    assert_eq!(group["samples"][0]["line"], 2);
    assert_eq!(report["scanned"]["lines"], 7);
    // piped in, the same
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackdoctor"))
        .args(["logs", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(wrapped_copy().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nginx-upstream-connect-refused"), "{text}");
}

/// `examples/ecs-oom-timeout`'s ecspresso project (config, definitions,
/// envfile) in a temporary folder, without its logs; and the example's folder.
fn ecs_project_without_logs() -> (std::path::PathBuf, tempfile::TempDir) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ecs-oom-timeout");
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "ecspresso.yml",
        "ecs-service-def.json",
        "ecs-task-def.json",
        "prod.env",
    ] {
        std::fs::copy(example.join(file), dir.path().join(file)).unwrap();
    }
    (example, dir)
}

/// `diagnose --logs <(aws ecs describe-tasks …)`: a pipe is read once, and
/// what it said is still read as describe-tasks JSON (the stopped tasks,
/// quoted under the pipe's name).
#[test]
fn describe_tasks_through_a_named_pipe_is_read_whole_once() {
    let (example, dir) = ecs_project_without_logs();
    let json = std::fs::read(example.join("logs/describe-tasks.json")).unwrap();
    let fifo = dir.path().join("tasks.pipe");
    mkfifo(&fifo);
    let path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(&json).unwrap();
    });
    let child = spawn_limited(
        dir.path(),
        &[
            "diagnose",
            "--offline",
            "--format",
            "json",
            "--envfile",
            "prod.env",
            "--logs",
            "tasks.pipe",
        ],
        &[],
        Stdio::null(),
    );
    let (out, _) = wait_bounded(child, Duration::from_secs(30));
    writer.join().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["findings"][0]["cause"], "ecs-container-oom",
        "{report:#}"
    );
    let evidence = report["findings"][0]["evidence"].to_string();
    assert!(evidence.contains("tasks.pipe"), "{evidence}");
    assert!(report["inputs"]["log_notes"].as_array().unwrap().is_empty());
}

/// Inputs kept whole for the ECS and Docker readers share one budget
/// (64 MiB): a text input that no longer fits is still scanned for
/// signatures, said in a note, and the small ECS output after it is still
/// parsed whole.
#[test]
fn inputs_kept_whole_share_one_budget_and_an_input_past_it_is_a_note() {
    let (example, dir) = ecs_project_without_logs();
    std::fs::copy(
        example.join("logs/describe-tasks.json"),
        dir.path().join("tasks.json"),
    )
    .unwrap();
    // Three text logs of 30 MiB: the first two fill the budget.
    let filler = "web-1  | INFO GET /health 200\n".repeat((30 << 20) / 30);
    for name in ["a.log", "b.log", "c.log"] {
        let mut text = filler.clone();
        text.push_str(PSYCOPG_LINE);
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let child = spawn_limited(
        dir.path(),
        &[
            "diagnose",
            "--offline",
            "--format",
            "json",
            "--envfile",
            "prod.env",
            "--logs",
            "a.log",
            "--logs",
            "b.log",
            "--logs",
            "c.log",
            "--logs",
            "tasks.json",
        ],
        &[],
        Stdio::null(),
    );
    let (out, _) = wait_bounded(child, Duration::from_secs(120));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes = report["inputs"]["log_notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0].as_str().unwrap();
    assert!(
        note.starts_with("c.log: scanned line by line but not read as a whole"),
        "{note}"
    );
    // c.log was still scanned: its database line is counted with the others.
    assert_eq!(
        report["findings"][0]["cause"], "ecs-container-oom",
        "{report:#}"
    );
    let lines = report["inputs"]["log_lines"].as_u64().unwrap();
    assert!(lines > 3 * ((30 << 20) / 30), "{lines}");
}
