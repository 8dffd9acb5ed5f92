//! The HTTP exchange: one blocking ureq agent, a connect limit and an overall
//! limit per exchange (DNS to the last body byte), no redirects, and a
//! response body read through a capped reader.

use std::io::{self, Read};
use std::time::{Duration, SystemTime};

use crate::config::ClientConfig;
use crate::error::{Error, Phase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }
}

pub(crate) struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The local time when the response headers arrived.
    pub received_at: SystemTime,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) struct Transport {
    agent: ureq::Agent,
    connect_timeout: Duration,
    timeout: Duration,
    max_body: usize,
}

impl Transport {
    pub fn new(cfg: &ClientConfig) -> Transport {
        let proxy = if cfg.use_env_proxy {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(cfg.connect_timeout))
            .timeout_global(Some(cfg.timeout))
            .max_redirects(0)
            .max_redirects_will_error(false)
            .proxy(proxy)
            .user_agent(concat!("stackdoctor-awsapi/", env!("CARGO_PKG_VERSION")))
            .build();
        Transport {
            agent: config.into(),
            connect_timeout: cfg.connect_timeout,
            timeout: cfg.timeout,
            max_body: cfg.max_body_bytes,
        }
    }

    /// Another transport with the same settings (ureq agents are cheap clones).
    pub fn new_like(other: &Transport) -> Transport {
        Transport {
            agent: other.agent.clone(),
            connect_timeout: other.connect_timeout,
            timeout: other.timeout,
            max_body: other.max_body,
        }
    }

    pub fn send(&self, operation: &str, req: HttpRequest) -> Result<HttpResponse, Error> {
        let result = match req.method {
            Method::Get => {
                let mut b = self.agent.get(&req.url);
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b.call()
            }
            Method::Post => {
                let mut b = self.agent.post(&req.url);
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b.send(&req.body[..])
            }
            Method::Put => {
                let mut b = self.agent.put(&req.url);
                for (k, v) in &req.headers {
                    b = b.header(k, v);
                }
                b.send(&req.body[..])
            }
        };
        let response = result.map_err(|e| self.map_error(e, operation, &req.url))?;
        let received_at = SystemTime::now();
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let too_large = || Error::BodyTooLarge {
            operation: operation.to_owned(),
            url: req.url.clone(),
            status,
            limit: self.max_body,
        };
        let declared = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_body as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let reader = response.into_body().into_reader();
        reader
            .take(self.max_body as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| self.map_io_error(e, operation, &req.url))?;
        if body.len() > self.max_body {
            return Err(too_large());
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
            received_at,
        })
    }

    fn map_io_error(&self, e: io::Error, operation: &str, url: &str) -> Error {
        self.map_error(ureq::Error::from(e), operation, url)
    }

    fn map_error(&self, e: ureq::Error, operation: &str, url: &str) -> Error {
        let transport = |phase: Phase, message: String| Error::Transport {
            operation: operation.to_owned(),
            url: url.to_owned(),
            phase,
            message,
        };
        let timeout = |which: &str, limit: Duration| Error::Timeout {
            operation: operation.to_owned(),
            url: url.to_owned(),
            which: which.to_owned(),
            timeout_ms: limit.as_millis() as u64,
        };
        match e {
            ureq::Error::Timeout(t) => match t {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => {
                    timeout("connect", self.connect_timeout.min(self.timeout))
                }
                _ => timeout("overall", self.timeout),
            },
            ureq::Error::HostNotFound => transport(Phase::Resolve, "host not found".into()),
            ureq::Error::ConnectionFailed => transport(Phase::Connect, "connection failed".into()),
            ureq::Error::Rustls(e) => transport(Phase::Tls, e.to_string()),
            ureq::Error::Tls(m) => transport(Phase::Tls, m.to_owned()),
            ureq::Error::Pem(e) => transport(Phase::Tls, e.to_string()),
            ureq::Error::Io(io) => {
                use io::ErrorKind as K;
                let text = io.to_string();
                let phase = match io.kind() {
                    K::ConnectionRefused
                    | K::AddrNotAvailable
                    | K::HostUnreachable
                    | K::NetworkUnreachable
                    | K::NotConnected => Phase::Connect,
                    K::TimedOut | K::WouldBlock => {
                        return timeout("overall", self.timeout);
                    }
                    _ if is_tls_error(&io) => Phase::Tls,
                    _ => Phase::Http,
                };
                transport(phase, text)
            }
            other => transport(Phase::Http, other.to_string()),
        }
    }
}

/// rustls failures reach us wrapped in `io::Error`.
fn is_tls_error(e: &io::Error) -> bool {
    e.get_ref()
        .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
}
