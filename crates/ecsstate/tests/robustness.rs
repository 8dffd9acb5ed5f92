//! Inputs that must never panic, and must stay linear in time.

use std::time::{Duration, Instant};

use ecsstate::*;

#[test]
fn empty_and_blank() {
    assert!(parse("").is_empty());
    assert!(parse("\n\n   \r\n\t\n").is_empty());
    assert!(parse_value(&serde_json::Value::Null).is_empty());
}

#[test]
fn binary_garbage() {
    // Deterministic pseudo-random bytes, lossily decoded like a caller would.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let text = String::from_utf8_lossy(&bytes);
    let out = parse(&text);
    assert!(!out.other_lines.is_empty());
    for line in &out.other_lines {
        assert!(line.number >= 1 && line.column >= 1);
    }
    // Every prefix of a mixed fixture, cut at any char boundary.
    let mixed = "{\"tasks\":[{\"taskArn\":\"arn:aws:ecs:r:1:task/c/ab\",\"lastStatus\":\"STOPPED\"}]}\n\
                 2024/03/26 15:58:30 api/prod [ERROR] FAILED. failed to wait for service stable: x\n\
                 | api:1 | PRIMARY deployment |\nService: api\nDeployments:\n   PRIMARY api:1 desired:1 pending:0 running:0 FAILED(x)\n";
    for (i, _) in mixed.char_indices() {
        let _ = parse(&mixed[..i]);
        let _ = parse(&mixed[i..]);
    }
}

fn timed(text: &str) -> (Parsed, Duration) {
    let t = Instant::now();
    let out = parse(text);
    (out, t.elapsed())
}

#[test]
fn fifty_megabyte_single_lines() {
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 60 } else { 10 });
    let n = 50 * 1024 * 1024;

    let plain = "x".repeat(n);
    let (out, took) = timed(&plain);
    assert_eq!(out.other_lines.len(), 1);
    eprintln!("plain line: {took:?}");
    assert!(took < limit, "plain line took {took:?}");

    // An unterminated JSON string: one failed parse, then text.
    let mut open = String::from("{\"events\":[{\"message\":\"");
    open.push_str(&"a".repeat(n));
    let (out, took) = timed(&open);
    assert_eq!(out.other_lines.len(), 1);
    eprintln!("unterminated JSON: {took:?}");
    assert!(took < limit, "unterminated JSON took {took:?}");

    // A valid minified document on one line with many records.
    let mut doc = String::from("{\"events\":[");
    let one = "{\"logStreamName\":\"ecs/api/0123\",\"timestamp\":1711436353120,\"message\":\"GET /healthz 404\"},";
    while doc.len() + one.len() < n {
        doc.push_str(one);
    }
    doc.pop();
    doc.push_str("]}");
    let (out, took) = timed(&doc);
    assert!(out.log_lines.len() > 500_000);
    assert_eq!(out.log_lines.last().unwrap().line, 1);
    assert!(out.log_lines.last().unwrap().column > 1);
    eprintln!("minified document: {took:?}");
    assert!(took < limit, "minified document took {took:?}");

    // Many short `{`/`[` lines that never parse (5 MB: 1.7 million lines).
    let brackets = "{[\n[x\n{\"\n".repeat(5 * 1024 * 1024 / 9);
    let (_, took) = timed(&brackets);
    eprintln!("bracket lines: {took:?}");
    assert!(took < limit, "bracket lines took {took:?}");
}

#[test]
fn truncated_json_falls_back_to_text() {
    let full = std::fs::read_to_string(format!(
        "{}/tests/fixtures/describe-tasks.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let cut = &full[..full.len() / 2];
    let out = parse(cut);
    assert!(out.tasks.is_empty());
    assert!(!out.other_lines.is_empty());
    assert_eq!(out.other_lines[0].number, 1);
    assert_eq!(out.other_lines[0].text, "{");
    // Every cut point.
    let small = r#"{"services":[{"serviceName":"api","deployments":[{"id":"ecs-svc/1","status":"PRIMARY"}],"events":[{"id":"e","message":"(service api) has reached a steady state."}]}]}"#;
    for i in 0..small.len() {
        let out = parse(&small[..i]);
        assert!(out.services.is_empty());
    }
    assert_eq!(parse(small).services.len(), 1);
}

#[test]
fn json_of_unrelated_shapes() {
    for text in [
        "42",
        "\"hello\"",
        "null",
        "true",
        "[1, 2, 3]",
        "[{\"a\": 1}, {\"b\": [2]}]",
        "{\"a\": {\"b\": {}}}",
    ] {
        let out = parse(text);
        assert!(
            out.services.is_empty() && out.tasks.is_empty() && out.revisions.is_empty(),
            "{text}"
        );
        assert_eq!(out.other_lines.len(), 1, "{text}");
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let v = parse_value(&value);
        assert!(v.is_empty(), "{text}");
        assert!(
            matches!(parse_json(text), Err(Error::Unrecognised)),
            "{text}"
        );
    }
    // Deep nesting hits serde_json's recursion limit: no stack overflow.
    let deep = "[".repeat(100_000);
    let _ = parse(&deep);
    let deep = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let _ = parse(&deep);
    // Odd values in the right places.
    let odd = r#"{"tasks":[1,"x",{"taskArn":5,"containers":"no","exitCode":[]}],"services":[{"deployments":[null,{}],"events":{}}],
"TargetHealthDescriptions":[{"Target":null}],"taskDefinitionArns":[3,"bad"],"events":[{"message":7,"timestamp":"x"}]}"#;
    let out = parse(odd);
    assert_eq!(out.tasks.len(), 1);
    assert_eq!(out.services.len(), 1);
    assert!(out.revisions.is_empty());
}

#[test]
fn mixed_text_and_json() {
    let text = "2024/03/26 15:58:30 api/prod [INFO] Starting deploy\n\
                {\"failures\": [{\"arn\": \"arn:aws:ecs:ap-northeast-1:123456789012:service/prod/api\", \"reason\": \"MISSING\"}]}\n\
                some other tool output\n\
                | api:3 | PRIMARY deployment |\n";
    let out = parse(text);
    assert_eq!(out.ecspresso.len(), 1);
    assert_eq!(out.failures.len(), 1);
    assert_eq!(out.failures[0].line, 2);
    assert_eq!(out.revisions.len(), 1);
    assert_eq!(out.revisions[0].line, 4);
    assert_eq!(out.other_lines.len(), 1);
    assert_eq!(out.other_lines[0].number, 3);
    // CRLF input.
    let out = parse("Service: api\r\nDeployments:\r\n   PRIMARY api:1 desired:1 pending:0 running:1 COMPLETED(done)\r\n");
    assert_eq!(
        out.status.unwrap().deployments[0]
            .rollout_state_reason
            .as_deref(),
        Some("done")
    );
}
