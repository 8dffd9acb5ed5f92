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
        assert_eq!(
            out.status.code(),
            Some(0),
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
