use logscan::{
    scan_path, scan_reader, Event, EventKind, Format, Options, Pattern, Scanner, Stats, WarningKind,
};
use std::io::{Read, Write};
use std::path::Path;

fn pats() -> Vec<Pattern> {
    vec![
        Pattern::literal("no such host"), // 0
        Pattern {
            literal: "connection refused".into(),
            regex: Some(r"dial tcp [^ ]+:\d+: connect: connection refused".into()),
        }, // 1
        Pattern::literal("OperationalError"), // 2
        Pattern::literal("Traceback (most recent call last)"), // 3
        Pattern::literal("IllegalStateException"), // 4
        Pattern::literal("password authentication failed"), // 5
        Pattern::literal("ECONNREFUSED"), // 6
    ]
}

fn scan_opts(text: &[u8], opts: &Options) -> (Vec<Event>, Stats) {
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_reader(Path::new("<stdin>"), text, &scanner, opts, &mut |e| {
        ev.push(e)
    })
    .unwrap();
    assert_eq!(st.events as usize, ev.len());
    (ev, st)
}

fn scan(text: &str) -> (Vec<Event>, Stats) {
    scan_opts(text.as_bytes(), &Options::default())
}

#[test]
fn plain_lines_literal_and_regex() {
    let (ev, st) = scan(
        "starting\n\
         2026/11/20 10:00:00 dial tcp 10.0.0.5:80: connect: connection refused\n\
         psql: connection refused (no dial)\n\
         lookup db: no such host\n",
    );
    assert_eq!(st.lines, 4);
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0].line, ev[0].matches.clone(), ev[0].format),
        (2, vec![1], Format::Plain)
    );
    assert_eq!(ev[0].timestamp, Some(1_795_168_800_000)); // Go log 2026/11/20 10:00:00
    assert_eq!(ev[0].source.as_ref(), Path::new("<stdin>"));
    assert_eq!((ev[1].line, ev[1].matches.clone()), (4, vec![0]));
    assert_eq!(ev[1].kind, EventKind::Matched);
}

#[test]
fn compose_prefixes_name_services() {
    let (ev, _) = scan(
        "web-1     | lookup a: no such host\n\
         web_1  | lookup b: no such host\n\
         backend-web-1 | lookup c: no such host\n\
         web-1 exited with code 1\n",
    );
    let s: Vec<_> = ev.iter().map(|e| e.service.clone().unwrap()).collect();
    assert_eq!(s, ["web", "web", "backend-web"]);
    assert_eq!(ev[0].message, "lookup a: no such host");
    assert_eq!(ev[0].format, Format::ComposePrefix);
}

#[test]
fn docker_json_file_lines() {
    let (ev, _) = scan(concat!(
        r#"{"log":"2026/11/21 09:30:01 [error] 29#29: *1 connect() failed: lookup api: no such host\n","stream":"stderr","time":"2026-11-21T09:30:01.123456789Z","attrs":{"tag":"proxy"}}"#,
        "\n",
        r#"{"log":"all good\n","stream":"stdout","time":"2026-11-21T09:30:02Z"}"#,
        "\n"
    ));
    assert_eq!(ev.len(), 1);
    let e = &ev[0];
    assert_eq!(e.format, Format::DockerJsonFile);
    assert_eq!(
        e.message,
        "2026/11/21 09:30:01 [error] 29#29: *1 connect() failed: lookup api: no such host"
    );
    assert_eq!(e.timestamp, Some(1_795_253_401_123));
    assert_eq!(e.service.as_deref(), Some("proxy"));
    assert_eq!(e.level.as_deref(), Some("ERROR"));
}

#[test]
fn caddy_json_behind_a_compose_prefix() {
    let (ev, _) = scan(concat!(
        r#"caddy-1  | {"level":"error","ts":1740659996.97,"logger":"http.log.error","msg":"dial tcp 172.18.0.3:8080: connect: connection refused","request":{"remote_ip":"1.2.3.4","method":"GET","host":"example.com","uri":"/api"},"duration":0.002,"status":502}"#,
        "\n",
        r#"{"level":"error","ts":1740660001.5,"logger":"http.handlers.reverse_proxy","msg":"aborting with incomplete response","upstream":"web:8000","error":"reading: connection refused"}"#,
        "\n",
        r#"{"level":"info","ts":1740660001.5,"logger":"http.log.access","msg":"handled request","status":200}"#,
        "\n"
    ));
    assert_eq!(ev.len(), 2);
    let e = &ev[0];
    assert_eq!(
        (e.format, e.service.as_deref()),
        (Format::CaddyJson, Some("caddy"))
    );
    assert_eq!(
        e.message,
        "dial tcp 172.18.0.3:8080: connect: connection refused"
    );
    assert_eq!(e.matches, vec![1]);
    assert_eq!(e.timestamp, Some(1_740_659_996_970));
    assert_eq!(e.level.as_deref(), Some("ERROR"));
    let f: Vec<(&str, &str)> = e
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        f,
        [
            ("status", "502"),
            ("request.host", "example.com"),
            ("request.uri", "/api"),
            ("request.method", "GET"),
            ("logger", "http.log.error")
        ]
    );
    // msg + ": " + error; the regex does not match, so it is an unrecognised error
    assert_eq!(
        ev[1].message,
        "aborting with incomplete response: reading: connection refused"
    );
    assert_eq!(ev[1].kind, EventKind::UnrecognisedError);
    assert!(ev[1]
        .fields
        .contains(&("upstream".into(), "web:8000".into())));
}

#[test]
fn json_lines_cloudwatch_and_iso() {
    let (ev, _) = scan(concat!(
        r#"{"timestamp":1700000000000,"message":"lookup db.internal: no such host"}"#,
        "\n",
        r#"{"time":"2026-11-21T10:30:01+01:00","msg":"query failed","error":"OperationalError: timeout","level":"warn"}"#,
        "\n"
    ));
    assert_eq!(ev.len(), 2);
    assert_eq!(
        (ev[0].format, ev[0].timestamp),
        (Format::JsonLines, Some(1_700_000_000_000))
    );
    assert_eq!(ev[0].message, "lookup db.internal: no such host");
    assert_eq!(ev[1].message, "query failed: OperationalError: timeout");
    assert_eq!(ev[1].timestamp, Some(1_795_253_401_000));
    assert_eq!(ev[1].level.as_deref(), Some("WARN"));
    assert_eq!(ev[1].matches, vec![2]);
}

#[test]
fn timestamps_of_each_shape() {
    const T: i64 = 1_795_253_401_000; // 2026-11-21T09:30:01Z
    let lines = [
        ("2026-11-21T09:30:01Z lookup x: no such host", T),
        (
            "2026-11-21T09:30:01.250+00:00 lookup x: no such host",
            T + 250,
        ),
        ("2026/11/21 09:30:01 lookup x: no such host", T),
        (
            "[2026-11-21 09:30:01 +0000] [7] [ERROR] lookup x: no such host",
            T,
        ),
        ("2026/11/21 09:30:01 [error] 7#7: lookup x: no such host", T),
        (
            "10.0.0.1 - - [21/Nov/2026:09:30:01 +0000] \"GET /no such host\" 502 0",
            T,
        ),
        (
            "2026-11-21 09:30:01,123 ERROR app lookup x: no such host",
            T + 123,
        ),
        (
            "web-1  | 2026-11-21T09:30:01.000000000Z lookup x: no such host",
            T,
        ),
    ];
    let text: String = lines.iter().map(|(l, _)| format!("{l}\n")).collect();
    let (ev, _) = scan(&text);
    assert_eq!(ev.len(), lines.len());
    for (e, (l, t)) in ev.iter().zip(lines) {
        assert_eq!(e.timestamp, Some(t), "{l}");
    }
    assert_eq!(ev[7].message, "lookup x: no such host");
}

#[test]
fn python_traceback_is_one_event_decided_by_its_last_line() {
    let (ev, _) = scan(
        "INFO booting\n\
         Traceback (most recent call last):\n  \
           File \"/app/db.py\", line 3, in connect\n    \
             raise OperationalError_wrapper()\n\
         psycopg2.OperationalError: could not connect to server\n\
         INFO next\n\
         Traceback (most recent call last):\n  \
           File \"/app/x.py\", line 1, in <module>\n\
         ValueError: bad value\n",
    );
    assert_eq!(ev.len(), 2);
    assert_eq!((ev[0].line, ev[0].end_line), (2, 5));
    assert_eq!(ev[0].matches, vec![2]);
    assert_eq!(ev[0].kind, EventKind::Matched);
    assert!(ev[0]
        .message
        .starts_with("Traceback (most recent call last):\n  File"));
    assert!(ev[0]
        .message
        .ends_with("psycopg2.OperationalError: could not connect to server"));
    // the last line matches nothing: the header's pattern stands in
    assert_eq!((ev[1].line, ev[1].end_line), (7, 9));
    assert_eq!(ev[1].matches, vec![3]);
}

#[test]
fn java_stack_trace_first_line_decides() {
    let (ev, _) = scan(
        "2026-11-21 09:30:01.123 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed\n\
         java.lang.IllegalStateException: Failed to execute CommandLineRunner\n\
         \tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:771)\n\
         \tat org.springframework.boot.SpringApplication.run(SpringApplication.java:315)\n\
         Caused by: java.net.ConnectException: Connection refused\n\
         \t... 5 more\n\
         2026-11-21 09:30:02.000 INFO 1 --- [main] done\n",
    );
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].kind, EventKind::UnrecognisedError);
    assert_eq!(ev[0].level.as_deref(), Some("ERROR"));
    assert_eq!(ev[0].timestamp, Some(1_795_253_401_123));
    assert_eq!((ev[1].line, ev[1].end_line), (2, 6));
    assert_eq!(ev[1].matches, vec![4]);
    assert_eq!(ev[1].message.lines().count(), 5);
}

#[test]
fn interleaved_compose_services_group_per_service() {
    let (ev, _) = scan(
        "web-1  | Traceback (most recent call last):\n\
         db-1   | 2026-11-21 09:30:01.000 UTC [68] LOG:  checkpoint starting\n\
         web-1  |   File \"/app/x.py\", line 3, in f\n\
         api-1  | Error: connect ECONNREFUSED 172.18.0.4:5432\n\
         web-1  |     conn = connect()\n\
         api-1  |     at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)\n\
         db-1   | 2026-11-21 09:30:02.000 UTC [70] FATAL:  password authentication failed for user \"app\"\n\
         web-1  | django.db.utils.OperationalError: could not connect\n\
         web-1  | [2026-11-21 09:30:03 +0000] [7] [INFO] Booting worker\n",
    );
    assert_eq!(ev.len(), 3);
    assert_eq!(
        (ev[0].service.as_deref(), ev[0].line, ev[0].end_line),
        (Some("web"), 1, 8)
    );
    assert_eq!(ev[0].matches, vec![2]);
    assert_eq!(ev[0].message.lines().count(), 4);
    assert_eq!(
        (ev[1].service.as_deref(), ev[1].line, ev[1].end_line),
        (Some("api"), 4, 6)
    );
    assert_eq!(ev[1].matches, vec![6]);
    assert_eq!((ev[2].service.as_deref(), ev[2].line), (Some("db"), 7));
    assert_eq!(
        (ev[2].matches.clone(), ev[2].level.as_deref()),
        (vec![5], Some("FATAL"))
    );
}

#[test]
fn unrecognised_errors_are_reported_unless_disabled() {
    let text = "2026-11-21 09:30:01,123 ERROR tasks job stuck\n\
                panic: runtime error: slice bounds out of range\n\
                {\"level\":\"fatal\",\"msg\":\"cannot start\"}\n\
                2026-11-21 09:30:01,123 INFO tasks ERRORS_SEEN=0 fine\n\
                redis: NO_ERROR state\n";
    let (ev, _) = scan(text);
    assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(ev
        .iter()
        .all(|e| e.kind == EventKind::UnrecognisedError && e.matches.is_empty()));
    assert_eq!(ev[2].level.as_deref(), Some("FATAL"));
    let opts = Options {
        unrecognised_errors: false,
        ..Options::default()
    };
    let (ev, st) = scan_opts(text.as_bytes(), &opts);
    assert!(ev.is_empty());
    assert_eq!(st.lines, 5);
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn gz_files_by_magic_bytes_and_truncated_gz() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("web-1  | INFO request {i} ok\n"));
    }
    text.push_str("web-1  | lookup db: no such host\n");
    let z = gz(text.as_bytes());
    std::fs::write(dir.path().join("a.log.gz"), &z).unwrap();
    std::fs::write(dir.path().join("b.log"), &z).unwrap(); // gzip without the name
    std::fs::write(dir.path().join("c.gz"), &z[..z.len() / 2]).unwrap(); // truncated
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_path(dir.path(), &scanner, &Options::default(), &mut |e| {
        ev.push(e)
    })
    .unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[0].source.as_ref(), dir.path().join("a.log.gz"));
    assert_eq!(ev[1].source.as_ref(), dir.path().join("b.log"));
    assert!(ev.iter().all(|e| e.line == 20_001 && e.matches == [0]));
    assert_eq!(st.warnings.len(), 1);
    assert_eq!(st.warnings[0].path, dir.path().join("c.gz"));
    assert!(
        st.warnings[0].message.contains("gzip"),
        "{}",
        st.warnings[0].message
    );
    // the readable part of the truncated file was scanned
    assert!(st.lines > 2 * 20_001 + 1000, "{}", st.lines);
}

#[test]
fn small_text_files_are_kept_whole_within_one_budget_per_scan() {
    let dir = tempfile::tempdir().unwrap();
    let line = "web-1  | lookup db: no such host\n";
    std::fs::write(dir.path().join("a.log"), line.repeat(10)).unwrap();
    std::fs::write(dir.path().join("b.log"), line.repeat(10)).unwrap();
    std::fs::write(dir.path().join("c.log"), line.repeat(10)).unwrap();
    std::fs::write(dir.path().join("d.log.gz"), gz(line.as_bytes())).unwrap();
    let scanner = Scanner::new(&pats()).unwrap();
    let scan_with = |keep_total: u64| {
        let options = Options {
            keep_files_up_to: if keep_total == 0 { 0 } else { 1 << 20 },
            keep_total,
            ..Options::default()
        };
        let mut events = Vec::new();
        let stats = scan_path(dir.path(), &scanner, &options, &mut |e| events.push(e)).unwrap();
        (events, stats)
    };
    // Room for two of the three text files; gzip is scanned, never kept.
    let (kept_events, kept) = scan_with(2 * line.len() as u64 * 10 + 5);
    let (plain_events, plain) = scan_with(0);
    let names: Vec<_> = kept
        .kept
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["a.log", "b.log"]);
    assert_eq!(kept.kept[0].1, line.repeat(10).as_bytes());
    assert_eq!(kept.warnings.len(), 1, "{:?}", kept.warnings);
    assert_eq!(kept.warnings[0].path, dir.path().join("c.log"));
    assert_eq!(
        kept.warnings[0].kind,
        WarningKind::NotKept {
            bytes: line.len() as u64 * 10
        }
    );
    // Keeping changes nothing the scan reports.
    assert!(plain.kept.is_empty() && plain.warnings.is_empty());
    assert_eq!((kept.lines, kept.events), (plain.lines, plain.events));
    assert_eq!(kept_events.len(), plain_events.len());
    assert!(!kept_events.is_empty());
}

#[test]
fn stdin_like_reader_in_small_pieces() {
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7).min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let text = b"a\nweb-1 | lookup x: no such host\r\nb\nc".to_vec();
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_reader(
        Path::new("<stdin>"),
        Trickle(text, 0),
        &scanner,
        &Options::default(),
        &mut |e| ev.push(e),
    )
    .unwrap();
    assert_eq!(st.lines, 4);
    assert_eq!(st.bytes, 37);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (ev[0].line, ev[0].message.as_str()),
        (2, "lookup x: no such host")
    );
}

#[test]
fn binary_files_are_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut bin = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
    bin.extend_from_slice(b"lookup x: no such host\n");
    std::fs::write(dir.path().join("app.bin"), &bin).unwrap();
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_path(
        &dir.path().join("app.bin"),
        &scanner,
        &Options::default(),
        &mut |e| ev.push(e),
    )
    .unwrap();
    assert!(ev.is_empty());
    assert_eq!(st.warnings.len(), 1);
    assert!(st.warnings[0].message.contains("binary"));
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let (ev, st) = scan_opts(
        b"caf\xe9 \xff\xfe lookup x: no such host\nok\n",
        &Options::default(),
    );
    assert_eq!(st.lines, 2);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        ev[0].message,
        "caf\u{fffd} \u{fffd}\u{fffd} lookup x: no such host"
    );
}

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn huge_single_line_keeps_memory_bounded() {
    /// "x" * n, then a newline and a known error line, generated on the fly.
    struct Huge {
        left: u64,
        tail: &'static [u8],
    }
    impl Read for Huge {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.left > 0 {
                let n = (buf.len() as u64).min(self.left) as usize;
                buf[..n].fill(b'x');
                self.left -= n as u64;
                return Ok(n);
            }
            let n = buf.len().min(self.tail.len());
            buf[..n].copy_from_slice(&self.tail[..n]);
            self.tail = &self.tail[n..];
            Ok(n)
        }
    }
    let before = vm_hwm_kib();
    let size = 300u64 << 20;
    let r = Huge {
        left: size,
        tail: b"\nweb-1 | lookup db: no such host\n",
    };
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let opts = Options {
        threads: 2,
        ..Options::default()
    };
    let st = scan_reader(Path::new("huge"), r, &scanner, &opts, &mut |e| ev.push(e)).unwrap();
    assert_eq!(st.lines, 2);
    assert_eq!(st.bytes, size + 33);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].line, 2);
    if let (Some(b), Some(a)) = (before, vm_hwm_kib()) {
        // far below the 300 MiB line (other tests run in parallel, hence the slack)
        assert!(
            a.saturating_sub(b) < 160 << 10,
            "VmHWM grew by {} KiB",
            a - b
        );
    }
}

#[cfg(unix)]
#[test]
fn symlink_loops_and_dangling_links_become_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::write(sub.join("app.log"), "lookup x: no such host\n").unwrap();
    std::os::unix::fs::symlink(dir.path(), sub.join("loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("missing"), dir.path().join("dangling")).unwrap();
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_path(dir.path(), &scanner, &Options::default(), &mut |e| {
        ev.push(e)
    })
    .unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(st.warnings.len(), 2, "{:?}", st.warnings);
    assert!(st
        .warnings
        .iter()
        .any(|w| w.message.contains("symlink loop")));
    assert!(st
        .warnings
        .iter()
        .any(|w| w.path == dir.path().join("dangling")));
}

#[test]
fn folders_are_scanned_recursively_in_sorted_order() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
    std::fs::write(dir.path().join("b/c/z.log"), "lookup 3: no such host\n").unwrap();
    std::fs::write(dir.path().join("a.log"), "lookup 1: no such host\n").unwrap();
    std::fs::write(dir.path().join("b/a.log"), "lookup 2: no such host\n").unwrap();
    let scanner = Scanner::new(&pats()).unwrap();
    let mut ev = Vec::new();
    let st = scan_path(dir.path(), &scanner, &Options::default(), &mut |e| {
        ev.push(e)
    })
    .unwrap();
    let m: Vec<_> = ev.iter().map(|e| e.message.clone()).collect();
    assert_eq!(
        m,
        [
            "lookup 1: no such host",
            "lookup 2: no such host",
            "lookup 3: no such host"
        ]
    );
    assert_eq!(st.lines, 3);
    assert!(scan_path(
        &dir.path().join("nope"),
        &scanner,
        &Options::default(),
        &mut |_| {}
    )
    .is_err());
}

#[test]
fn parallel_results_equal_single_threaded_results() {
    // ~40 MiB: several 8 MiB chunks, tracebacks crossing chunk boundaries
    let mut text = String::new();
    let mut i = 0u64;
    while text.len() < 40 << 20 {
        i += 1;
        text.push_str(&format!("web-1  | 10.0.0.1 - - [21/Nov/2026:09:30:01 +0000] \"GET /item/{i} HTTP/1.1\" 200 512\n"));
        if i.is_multiple_of(997) {
            text.push_str("web-1  | Traceback (most recent call last):\n");
            text.push_str("db-1   | LOG:  checkpoint starting: time\n");
            for _ in 0..(i % 7) {
                text.push_str("web-1  |   File \"/app/x.py\", line 3, in f\n");
            }
            text.push_str("web-1  | django.db.utils.OperationalError: could not connect\n");
        }
        if i.is_multiple_of(1231) {
            text.push_str(
                "api-1  | java.lang.IllegalStateException: boom\napi-1  | \tat A.b(A.java:1)\n",
            );
        }
    }
    let one = Options {
        threads: 1,
        ..Options::default()
    };
    let four = Options {
        threads: 4,
        ..Options::default()
    };
    let (a, sa) = scan_opts(text.as_bytes(), &one);
    let (b, sb) = scan_opts(text.as_bytes(), &four);
    assert!(a.len() > 500);
    assert_eq!(sa, sb);
    assert_eq!(a, b);
    assert_eq!(sa.lines as usize, text.lines().count());
    assert!(a.iter().all(|e| e.kind == EventKind::Matched));
}

#[test]
fn byte_budget_stops_the_scan_and_says_so() {
    let line = "lookup db: no such host\n";
    let text = line.repeat(1000);
    let opts = Options {
        max_bytes: Some(240),
        threads: 1,
        ..Options::default()
    };
    let (ev, st) = scan_opts(text.as_bytes(), &opts);
    assert_eq!(st.bytes, 240);
    assert_eq!(ev.len(), 10);
    assert_eq!(st.warnings.len(), 1);
    assert_eq!(
        st.warnings[0].kind,
        logscan::WarningKind::BudgetExceeded { bytes: 240 }
    );
    // an input that ends exactly at the budget is whole: no warning
    let opts = Options {
        max_bytes: Some(text.len() as u64),
        ..opts
    };
    let (ev, st) = scan_opts(text.as_bytes(), &opts);
    assert_eq!((ev.len(), st.warnings.len()), (1000, 0));
}
