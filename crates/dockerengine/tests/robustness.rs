//! Hostile and broken inputs: no panic, bounded work, errors with positions.

use dockerengine::{parse, Error, Limits};

#[test]
fn deep_nesting_is_skipped_with_its_line_and_the_rest_is_read() {
    let text = format!("ok\n{}\nweb-1 exited with code 3\n", "[".repeat(100_000));
    let parsed = parse(&text, &Limits::default()).unwrap();
    assert_eq!(parsed.too_deep, Some(2));
    assert_eq!(parsed.lines.len(), 1);
}

#[test]
fn many_unclosed_values_exhaust_the_scan_budget_not_the_time() {
    let text = "{\"a\": \"\n".repeat(200_000);
    let limits = Limits {
        max_scan: 1 << 20,
        ..Limits::default()
    };
    let start = std::time::Instant::now();
    let parsed = parse(&text, &limits).unwrap();
    assert!(parsed.scan_exhausted);
    assert!(parsed.is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn record_and_byte_budgets_hold() {
    let line = r#"{"Type":"container","Action":"die","Actor":{"ID":"x","Attributes":{"exitCode":"1","name":"a"}}}"#;
    let text = format!("{line}\n").repeat(50);
    let limits = Limits {
        max_records: 10,
        ..Limits::default()
    };
    let parsed = parse(&text, &limits).unwrap();
    assert_eq!((parsed.events.len(), parsed.dropped), (10, 40));
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert!(matches!(parse(&text, &small), Err(Error::TooLarge { .. })));
}

#[test]
fn truncated_and_wrongly_typed_outputs_do_not_panic() {
    let inspect = std::fs::read_to_string(format!(
        "{}/tests/fixtures/inspect-shop.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // Cut at every 499th byte (on a character boundary).
    for cut in (0..inspect.len()).step_by(499) {
        if inspect.is_char_boundary(cut) {
            let _ = parse(&inspect[..cut], &Limits::default());
        }
    }
    let odd = r#"[{"Id": 1, "Name": ["x"], "State": {"Status": 3, "OOMKilled": "yes", "ExitCode": "137", "Health": {"Log": "x"}}, "Config": {"Env": [1, "A"], "Labels": []}, "HostConfig": {"Memory": -1, "PortBindings": {"x/tcp": 5, "80/tcp": [{"HostPort": 8}]}}, "NetworkSettings": {"Networks": []}}]"#;
    let parsed = parse(odd, &Limits::default()).unwrap();
    let c = &parsed.containers[0];
    assert_eq!(
        (c.oom_killed, c.exit_code, c.memory_limit),
        (None, None, None)
    );
    assert_eq!(c.name, "");
}
