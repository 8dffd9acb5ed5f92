//! Test helpers: a canned HTTP server that records requests, a server that
//! never answers, a moto server process, and SigV4 verification of recorded
//! requests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use awsapi::{ClientConfig, Credentials, Environment};

pub const AKID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const TOKEN: &str = "FwoGZXIvYXdzEXAMPLETOKEN";

/// A client config that ignores the process environment (no developer
/// profile, proxy or endpoint variable can leak in) and talks to `url`.
pub fn config_for(url: &str) -> ClientConfig {
    ClientConfig::new()
        .environment(Environment::from_vars(Vec::<(String, String)>::new()))
        .region("us-east-1")
        .credentials(Credentials::new(AKID, SECRET, Some(TOKEN.to_owned())))
        .endpoint_url(url)
        .use_env_proxy(false)
}

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent: path and query, still encoded.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap()
    }
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        match self.target.split_once('?') {
            Some((_, q)) => form_decode(q),
            None => Vec::new(),
        }
    }
    pub fn form(&self) -> Vec<(String, String)> {
        form_decode(std::str::from_utf8(&self.body).unwrap())
    }
    pub fn form_value(&self, key: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else if b[i] == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

pub fn form_decode(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Checks the SigV4 `Authorization` of a recorded request by recomputing it
/// from what arrived on the wire: this proves the signed request and the
/// sent request agree. Returns the parsed credential scope.
pub fn verify_sigv4(req: &Recorded, secret: &str) -> String {
    let auth = req.header("authorization").expect("authorization header");
    let rest = auth
        .strip_prefix("AWS4-HMAC-SHA256 Credential=")
        .unwrap_or_else(|| panic!("not SigV4: {auth}"));
    let (credential, rest) = rest.split_once(", SignedHeaders=").unwrap();
    let (signed, signature) = rest.split_once(", Signature=").unwrap();
    let (_akid, scope) = credential.split_once('/').unwrap();
    let parts: Vec<&str> = scope.split('/').collect();
    assert_eq!(parts.len(), 4, "{scope}");
    assert_eq!(parts[3], "aws4_request");
    let amz_date = req.header("x-amz-date").expect("x-amz-date");
    assert_eq!(&amz_date[..8], parts[0]);
    let headers: Vec<(String, String)> = signed
        .split(';')
        .map(|name| {
            let v = req
                .header(name)
                .unwrap_or_else(|| panic!("signed header {name} not sent"))
                .to_owned();
            (name.to_owned(), v)
        })
        .collect();
    let payload = awsapi::sigv4::sha256_hex(&req.body);
    let (creq, signed_again) = awsapi::sigv4::canonical_request(&awsapi::sigv4::SignableRequest {
        method: &req.method,
        path: req.path(),
        query: &req.query_pairs(),
        headers: &headers,
        payload_hash: &payload,
    });
    assert_eq!(signed_again, signed);
    let sts = awsapi::sigv4::string_to_sign(amz_date, scope, &creq);
    let key = awsapi::sigv4::signing_key(secret, parts[0], parts[1], parts[2]);
    let expected = hmac_hex(&key, sts.as_bytes());
    assert_eq!(signature, expected, "signature mismatch for\n{creq}");
    scope.to_owned()
}

fn hmac_hex(key: &[u8], data: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Canned {
    pub fn json(status: u16, body: &str) -> Canned {
        Canned {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn xml(status: u16, body: &str) -> Canned {
        Canned {
            status,
            headers: vec![("Content-Type".into(), "text/xml".into())],
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Canned {
        self.headers.push((k.into(), v.into()));
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Canned + Send + Sync;

/// A one-thread HTTP/1.1 server on 127.0.0.1 that answers each request with
/// `handler`'s canned response and records the requests.
pub struct CannedServer {
    pub addr: SocketAddr,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl CannedServer {
    pub fn start(handler: impl Fn(&Recorded) -> Canned + Send + Sync + 'static) -> CannedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let (r, s) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                // One thread per connection: a client may keep an idle
                // keep-alive connection open while it opens another.
                let (h, r) = (handler.clone(), r.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &*h, &r);
                });
            }
        });
        CannedServer {
            addr,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for CannedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(conn: TcpStream, handler: &Handler, log: &Mutex<Vec<Recorded>>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut it = line.split_whitespace();
        let method = it.next().unwrap_or_default().to_owned();
        let target = it.next().unwrap_or_default().to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse::<usize>().unwrap())
            .unwrap_or(0);
        let mut body = vec![0; len];
        reader.read_exact(&mut body)?;
        let req = Recorded {
            method,
            target,
            headers,
            body,
        };
        log.lock().unwrap().push(req.clone());
        let canned = handler(&req);
        let mut head = format!("HTTP/1.1 {} X\r\n", canned.status);
        let mut has_len = false;
        let mut close = false;
        for (k, v) in &canned.headers {
            has_len |= k.eq_ignore_ascii_case("content-length");
            close |= k.eq_ignore_ascii_case("connection") && v == "close";
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if !has_len && !close {
            head.push_str(&format!("Content-Length: {}\r\n", canned.body.len()));
        }
        head.push_str("\r\n");
        conn.write_all(head.as_bytes())?;
        conn.write_all(&canned.body)?;
        conn.flush()?;
        if close {
            let _ = conn.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

/// Accepts connections and never answers; holds them open until dropped.
pub struct SilentServer {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    held.push(c);
                }
            }
        });
        SilentServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A `moto_server` process on 127.0.0.1, killed on drop.
#[allow(unused_imports)]
pub use awsapi::testing::{Moto, MOTO_HINT};
