//! Hard-wrapped records (a terminal's or a tool's cut at its width) are
//! joined before matching, and their events keep their first line; real
//! records are never joined.

use logscan::{scan_reader, Event, EventKind, Format, Options, Pattern, Scanner};
use std::path::Path;

/// What a terminal `columns` wide shows of `line`: cut every `columns`
/// characters, wherever that falls (inside a word, before a space).
fn fold(line: &str, columns: usize) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    for piece in chars.chunks(columns) {
        out.extend(piece);
        out.push('\n');
    }
    out
}

fn patterns() -> Vec<Pattern> {
    vec![
        // stackdoctor's nginx-upstream-connect-refused
        Pattern {
            literal: "failed (111: ".into(),
            regex: Some(
                r#"connect\(\) failed \(111: [A-Za-z ]+\) while connecting to upstream.*?upstream: "(?:[a-z]+://)?(?P<host>[A-Za-z0-9_.\-]+):(?P<port>[0-9]+)"#
                    .into(),
            ),
        },
        Pattern::literal("OutOfMemoryError: Container killed due to memory usage"),
        Pattern::literal("Essential container in task exited"),
        Pattern {
            literal: "with on-demand throughput isn".into(),
            regex: Some(r"Invocation of model ID \S+ with on-demand throughput isn[’']t supported".into()),
        },
        Pattern::literal("no such host"),
    ]
}

fn scan(text: &str) -> Vec<Event> {
    let scanner = Scanner::new(&patterns()).unwrap();
    let mut events = Vec::new();
    scan_reader(
        Path::new("copy.txt"),
        text.as_bytes(),
        &scanner,
        &Options::default(),
        &mut |e| events.push(e),
    )
    .unwrap();
    events
}

fn matched(events: &[Event]) -> Vec<(u64, u64, Vec<usize>)> {
    events
        .iter()
        .filter(|e| e.kind == EventKind::Matched)
        .map(|e| (e.line, e.end_line, e.matches.clone()))
        .collect()
}

const NGINX_REFUSED: &str = r#"2026/11/21 09:30:01 [error] 29#29: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 172.18.0.1, server: _, request: "GET /api/health/ HTTP/1.1", upstream: "http://172.18.0.3:8000/api/health/", host: "localhost:8080""#;

#[test]
fn nginx_error_line_wrapped_at_80_columns() {
    let access = r#"172.18.0.1 - - [21/Nov/2026:09:30:01 +0000] "GET /api/health/ HTTP/1.1" 502 157 "-" "curl/8.5.0""#;
    let text = format!(
        "2026/11/21 09:29:58 [notice] 1#1: start worker processes\n{}{}{}",
        fold(NGINX_REFUSED, 80),
        fold(access, 80),
        fold(&NGINX_REFUSED.replace("*1 ", "*3 "), 80)
    );
    // the wrap cuts the regex's text: no physical line holds all of it
    assert!(!text
        .lines()
        .any(|l| l.contains("connect() failed") && l.contains("upstream: \"http")));
    let events = scan(&text);
    // records of 4, 2 and 4 lines; the events are at their first lines
    assert_eq!(matched(&events), vec![(2, 5, vec![0]), (8, 11, vec![0])]);
    let e = &events[0];
    assert!(e.message.contains(r#"while connecting to upstream, client: 172.18.0.1, server: _, request: "GET /api/health/ HTTP/1.1", upstream: "http://172.18.0.3:8000/api/health/""#), "{}", e.message);
    assert_eq!(e.level.as_deref(), Some("ERROR"));
    assert_eq!(e.timestamp, Some(1_795_253_401_000));
}

#[test]
fn describe_tasks_output_cut_mid_word() {
    // `aws ecs describe-tasks --output text` in a 142-column terminal
    // (tabs turned to spaces by the copy): the reason is cut inside a word
    let row = "CONTAINERS    arn:aws:ecs:ap-northeast-1:123456789012:container/prod/0f6e3a1c/7d2b    137    api    STOPPED    OutOfMemoryError: Container killed due to memory usage    arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0f6e3a1c";
    let task = "TASKS    arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0f6e3a1c    STOPPED    EssentialContainerExited    Essential container in task exited    2026-11-21T09:30:01.000000+09:00";
    let text = format!("{}{}", fold(row, 142), fold(task, 142));
    assert!(!text.contains("OutOfMemoryError: Container killed due to memory usage"));
    assert!(text.contains("Container kil\nled"), "{text}");
    let events = scan(&text);
    assert_eq!(matched(&events), vec![(1, 2, vec![1]), (3, 4, vec![2])]);

    // the default JSON output, copied from a 90-column terminal
    let json = r#"{
    "tasks": [
        {
            "lastStatus": "STOPPED",
            "stopCode": "EssentialContainerExited",
            "stoppedReason": "Essential container in task exited",
            "containers": [
                {
                    "name": "api",
                    "exitCode": 137,
                    "reason": "OutOfMemoryError: Container killed due to memory usage"
                }
            ]
        }
    ]
}"#;
    let text: String = json.lines().map(|l| fold(l, 58)).collect();
    assert!(
        text.contains("\"Essential container in task \nexited\""),
        "{text}"
    );
    assert!(text.contains("Container\n killed due"), "{text}");
    let events = scan(&text);
    assert_eq!(matched(&events), vec![(6, 7, vec![2]), (12, 13, vec![1])]);
}

#[test]
fn compose_copy_wrapped_under_the_same_prefix() {
    let error = "botocore.errorfactory.ValidationException: An error occurred (ValidationException) when calling the InvokeModel operation: Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with on-demand throughput isn’t supported. Retry your request with the ID or ARN of an inference profile that contains this model.";
    let mut text = String::from(
        "caddy-1  | {\"level\":\"info\",\"ts\":1795253400.5,\"logger\":\"http.log\",\"msg\":\"server running\"}\n\
         web-1    | [2026-11-21 09:30:01 +0000] [8] [INFO] Booting worker with pid: 8\n\
         web-1    | [2026-11-21 09:30:02 +0000] [8] [ERROR] Exception in ASGI application\n",
    );
    // the app's output was cut at 70 columns; compose prefixed each piece
    for piece in fold(error, 70).lines() {
        text.push_str(&format!("web-1    | {piece}\n"));
    }
    text.push_str("caddy-1  | {\"level\":\"error\",\"ts\":1795253402.1,\"logger\":\"http.log.error\",\"msg\":\"dial tcp: lookup web on 127.0.0.11:53: no such host\"}\n");
    let events = scan(&text);
    let m = matched(&events);
    assert_eq!(m, vec![(4, 8, vec![3]), (9, 9, vec![4])], "{events:#?}");
    assert_eq!(events[1].service.as_deref(), Some("web"));
    assert_eq!(events[1].format, Format::ComposePrefix);
    assert!(events[1]
        .message
        .contains("isn’t supported. Retry your request"));

    // the same record wrapped by the terminal instead: the pieces carry no prefix
    let copy = format!(
        "web-1    | [2026-11-21 09:30:01 +0000] [8] [INFO] Booting worker with pid: 8\n{}caddy-1  | {{\"level\":\"info\",\"msg\":\"server running\"}}\n",
        fold(&format!("web-1    | {error}"), 80)
    );
    let events = scan(&copy);
    assert_eq!(matched(&events), vec![(2, 6, vec![3])]);
    assert_eq!(events[0].service.as_deref(), Some("web"));
}

#[test]
fn real_records_are_never_joined() {
    // every line starts a record of its own, whatever its width
    let text = "\
web-1     | [2026-11-21 09:00:00 +0000] [3] [INFO] Handling signal: winch the long way round
web-1     | 172.18.0.5 - - [21/Nov/2026:09:00:00 +0000] \"POST /api HTTP/1.1\" 200 4450 \"-\"
worker-1  | 2026-11-21 09:00:00,022 INFO botocore.credentials Found credentials in env
worker-1  | lookup db on 127.0.0.11:53: no such host
api-1     | 2026-11-21T09:00:00.082Z info: PUT /api/items/42 201 6ms - 13089 and more
api-1     | Error: getaddrinfo ENOTFOUND db: no such host
Watching for file changes with StatReloader and a few more words here
Performing system checks... and no such host anywhere
starting the server on port 8000 with four workers, which is long
lookup cache: no such host
{\"level\":\"error\",\"msg\":\"lookup a: no such host in a line that is quite long\"}
{\"level\":\"error\",\"msg\":\"lookup b: no such host\"}
";
    let events = scan(text);
    let lines: Vec<(u64, u64)> = events
        .iter()
        .filter(|e| e.kind == EventKind::Matched)
        .map(|e| (e.line, e.end_line))
        .collect();
    assert_eq!(
        lines,
        vec![(4, 4), (6, 6), (8, 8), (10, 10), (11, 11), (12, 12)]
    );
}

#[test]
fn joining_is_bounded() {
    // an endless JSON object that never closes: joined 64 lines at most
    let mut text = String::from("{\"level\":\"error\",\"msg\":\"no such host");
    for _ in 0..500 {
        text.push_str("\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    }
    text.push('\n');
    let events = scan(&text);
    assert_eq!(matched(&events)[0].0, 1);
    assert_eq!(matched(&events)[0].1, 65);
    // a wide record of 2000-column lines: cut at 64 KiB of text (32 lines)
    let mut text = format!("no such host {}\n", "y".repeat(1987));
    for _ in 0..199 {
        text.push_str(&"y".repeat(2000));
        text.push('\n');
    }
    let events = scan(&text);
    assert_eq!(matched(&events), vec![(1, 32, vec![4])]);
    assert!(events[0].message.len() <= 64 << 10);
}

#[test]
fn results_do_not_depend_on_threads() {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("2026/11/21 09:30:01 [info] 1#1: request {i}\n"));
        if i % 50 == 0 {
            text.push_str(&fold(NGINX_REFUSED, 80));
        }
    }
    let scanner = Scanner::new(&patterns()).unwrap();
    let run = |threads| {
        let mut events = Vec::new();
        let opts = Options {
            threads,
            ..Options::default()
        };
        scan_reader(Path::new("x"), text.as_bytes(), &scanner, &opts, &mut |e| {
            events.push(e)
        })
        .unwrap();
        events
    };
    let one = run(1);
    assert_eq!(matched(&one).len(), 40);
    assert_eq!(one, run(4));
}
