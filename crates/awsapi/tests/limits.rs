//! Every exchange is bounded in time and size.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use awsapi::{Error, Phase};
use common::*;

#[test]
fn a_server_that_never_answers_times_out() {
    let silent = SilentServer::start();
    let client = config_for(&format!("http://{}", silent.addr))
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.sts_get_caller_identity().unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.phase(), Phase::Timeout, "{e}");
    assert!(
        matches!(&e, Error::Timeout { which, timeout_ms: 1000, .. } if which == "overall"),
        "{e:?}"
    );
    assert!(took >= Duration::from_millis(900), "{took:?}");
    assert!(took < Duration::from_millis(2500), "took {took:?}");
    // A GET times out the same way.
    let started = Instant::now();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    assert_eq!(e.phase(), Phase::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn a_slow_body_hits_the_overall_timeout() {
    // Headers arrive at once; the body trickles and never completes.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = std::io::Read::read(&mut c, &mut buf);
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{");
        for _ in 0..30 {
            std::thread::sleep(Duration::from_millis(100));
            if c.write_all(b" ").is_err() {
                break;
            }
        }
    });
    let client = config_for(&format!("http://{addr}"))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    assert_eq!(e.phase(), Phase::Timeout, "{e:?}");
    assert!(started.elapsed() < Duration::from_millis(2500));
    t.join().unwrap();
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = config_for(&format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let e = client.sts_get_caller_identity().unwrap_err();
    assert_eq!(e.phase(), Phase::Connect, "{e:?}");
}

#[test]
fn tls_to_a_plain_http_server_is_a_tls_error() {
    // A plain HTTP server answers the TLS ClientHello with an HTTP 400, as
    // web servers do on a plain port.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = std::io::Read::read(&mut c, &mut buf);
        let _ = c.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let client = config_for(&format!("https://{addr}"))
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = client.sts_get_caller_identity().unwrap_err();
    assert_eq!(e.phase(), Phase::Tls, "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    t.join().unwrap();
}

const TEN_MB: usize = 10 * 1024 * 1024;

#[test]
fn a_10_mb_body_with_content_length_is_refused() {
    let server = CannedServer::start(|_| Canned::json(200, &" ".repeat(TEN_MB)));
    let client = config_for(&server.url()).build().unwrap();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    match e {
        Error::BodyTooLarge { limit, status, .. } => {
            assert_eq!(limit, 4 << 20);
            assert_eq!(status, 200);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_10_mb_streamed_body_is_cut_at_the_cap() {
    // No Content-Length: the body runs to connection close, so only the
    // limited reader can stop it.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut c, _) = listener.accept().unwrap();
        let mut buf = [0u8; 8192];
        let _ = std::io::Read::read(&mut c, &mut buf);
        let _ = c.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0;
        while sent < TEN_MB {
            if c.write_all(&chunk).is_err() {
                break; // the client stopped reading and closed
            }
            sent += chunk.len();
        }
        sent
    });
    let client = config_for(&format!("http://{addr}"))
        .max_body_bytes(1 << 20)
        .build()
        .unwrap();
    let e = client.bedrock_list_foundation_models().unwrap_err();
    assert!(
        matches!(e, Error::BodyTooLarge { limit, .. } if limit == 1 << 20),
        "{e:?}"
    );
    assert_eq!(e.phase(), Phase::Http);
    let sent = t.join().unwrap();
    assert!(sent < TEN_MB, "the server could send all {sent} bytes");
}

#[test]
fn a_body_at_the_cap_is_accepted() {
    let body = format!(r#"{{"modelSummaries":[]{}}}"#, " ".repeat(1000 - 21));
    assert_eq!(body.len(), 1000);
    let server = CannedServer::start(move |_| Canned::json(200, &body));
    let client = config_for(&server.url())
        .max_body_bytes(1000)
        .build()
        .unwrap();
    assert!(client.bedrock_list_foundation_models().unwrap().is_empty());
    let client = config_for(&server.url())
        .max_body_bytes(999)
        .build()
        .unwrap();
    assert!(matches!(
        client.bedrock_list_foundation_models(),
        Err(Error::BodyTooLarge { .. })
    ));
}

#[test]
fn ecs_and_elbv2_calls_against_a_hanging_server_cost_one_timeout() {
    let silent = SilentServer::start();
    let client = config_for(&format!("http://{}", silent.addr))
        .connect_timeout(Duration::from_millis(500))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let many: Vec<String> = (0..250).map(|i| format!("t{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    type Call<'a> = Box<dyn Fn() -> Result<(), Error> + 'a>;
    let calls: Vec<(&str, Call)> = vec![
        (
            "list_tasks",
            Box::new(|| client.ecs_list_tasks("c", "s", None).map(drop)),
        ),
        (
            "list_task_definitions",
            Box::new(|| client.ecs_list_task_definitions("f", None, true).map(drop)),
        ),
        (
            "describe_tasks (3 chunks)",
            Box::new(|| client.ecs_describe_tasks("c", &many).map(drop)),
        ),
        (
            "describe_services (25 chunks)",
            Box::new(|| client.ecs_describe_services("c", &many).map(drop)),
        ),
        (
            "describe_task_definition",
            Box::new(|| client.ecs_describe_task_definition("f").map(drop)),
        ),
        (
            "describe_target_health",
            Box::new(|| client.elbv2_describe_target_health("arn:tg").map(drop)),
        ),
    ];
    for (name, call) in calls {
        let started = Instant::now();
        let e = call().unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(&e, Error::Timeout { which, timeout_ms: 1000, .. } if which == "overall"),
            "{name}: {e:?}"
        );
        assert!(took >= Duration::from_millis(900), "{name}: {took:?}");
        assert!(took < Duration::from_millis(2500), "{name}: took {took:?}");
    }
}
