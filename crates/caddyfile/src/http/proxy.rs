//! `reverse_proxy` and `php_fastcgi`: upstreams, transport, health checks.

use super::{HealthChecks, ReverseProxy, Setting, Transport};
use crate::parser::Directive;
use crate::upstream::{parse_duration, parse_upstream};
use crate::{Error, Token};
use std::time::Duration;

/// Subdirectives of `reverse_proxy` that need no further reading here.
const OTHER_PROXY_OPTIONS: &[&str] = &[
    "lb_policy",
    "lb_try_interval",
    "lb_retry_match",
    "health_path",
    "health_upstream",
    "health_headers",
    "health_method",
    "health_request_body",
    "health_status",
    "health_body",
    "health_follow_redirects",
    "health_passes",
    "health_fails",
    "max_fails",
    "unhealthy_status",
    "unhealthy_latency",
    "unhealthy_request_count",
    "flush_interval",
    "request_buffers",
    "response_buffers",
    "stream_timeout",
    "stream_close_delay",
    "stream_buffer_size",
    "stream_logs",
    "verbose_logs",
    "trusted_proxies",
    "header_up",
    "header_down",
    "method",
    "rewrite",
    "replace_status",
    "buffer_requests",
    "buffer_responses",
    "max_buffer_size",
];

/// Subdirectives only `php_fastcgi` has.
const FASTCGI_OPTIONS: &[&str] = &[
    "root",
    "split",
    "env",
    "index",
    "try_files",
    "resolve_root_symlink",
    "capture_stderr",
];

fn at(token: &Token, message: impl Into<String>) -> Error {
    Error::Syntax {
        position: token.position.clone(),
        message: message.into(),
    }
}

fn one_arg(sub: &Directive) -> Result<&Token, Error> {
    sub.args.first().ok_or_else(|| {
        at(
            &sub.name,
            format!(
                "wrong argument count or unexpected line ending after '{}'",
                sub.name.text
            ),
        )
    })
}

fn duration(sub: &Directive, what: &str) -> Result<Setting<Duration>, Error> {
    let arg = one_arg(sub)?;
    let value = parse_duration(&arg.text)
        .ok_or_else(|| at(arg, format!("bad {what} value '{}'", arg.text)))?;
    Ok(Setting {
        value,
        position: sub.name.position.clone(),
    })
}

/// Reads a `reverse_proxy`, `php_fastcgi` or `forward_auth` (all three are
/// a reverse proxy in Caddy's JSON) whose upstream arguments (after the
/// matcher) are `upstream_args`.
pub(super) fn parse_proxy(
    directive: &Directive,
    upstream_args: &[Token],
) -> Result<ReverseProxy, Error> {
    let fastcgi = directive.name.text == "php_fastcgi";
    // forward_auth has options of its own (uri, copy_headers, …)
    let lenient = directive.name.text == "forward_auth";
    let mut proxy = ReverseProxy {
        position: directive.name.position.clone(),
        upstreams: Vec::new(),
        transport: Transport {
            protocol: if fastcgi { "fastcgi" } else { "http" }.to_string(),
            ..Transport::default()
        },
        health: HealthChecks::default(),
        lb_try_duration: None,
        lb_retries: None,
        dynamic: None,
    };
    let mut common_scheme: Option<String> = None;
    let mut add_upstreams = |proxy: &mut ReverseProxy, tokens: &[Token]| -> Result<(), Error> {
        for token in tokens {
            let wrap = |m: String| at(token, format!("parsing upstream '{}': {m}", token.text));
            let parsed = parse_upstream(token).map_err(wrap)?;
            if let Some(common) = &common_scheme {
                if *common != parsed.scheme {
                    return Err(wrap(format!("for now, all proxy upstreams must use the same scheme (transport protocol); expecting '{common}://' but got '{}://'", parsed.scheme)));
                }
            }
            common_scheme = Some(parsed.scheme);
            proxy.upstreams.extend(parsed.upstreams);
        }
        Ok(())
    };
    add_upstreams(&mut proxy, upstream_args)?;

    for sub in &directive.block {
        let name = sub.name.text.as_str();
        if name.starts_with('@') {
            // a response matcher for `handle_response`
            continue;
        }
        match name {
            "to" => {
                one_arg(sub)?;
                add_upstreams(&mut proxy, &sub.args)?;
            }
            "dynamic" => {
                if proxy.dynamic.is_some() {
                    return Err(at(&sub.name, "dynamic upstreams already specified"));
                }
                proxy.dynamic = Some(one_arg(sub)?.clone());
            }
            "lb_retries" => {
                let arg = one_arg(sub)?;
                let value = arg
                    .text
                    .parse()
                    .map_err(|_| at(arg, format!("bad lb_retries number '{}'", arg.text)))?;
                proxy.lb_retries = Some(Setting {
                    value,
                    position: sub.name.position.clone(),
                });
            }
            "lb_try_duration" => proxy.lb_try_duration = Some(duration(sub, "duration")?),
            "health_uri" => {
                proxy.health.uri = Some(Setting {
                    value: one_arg(sub)?.text.clone(),
                    position: sub.name.position.clone(),
                });
            }
            "health_port" => {
                let arg = one_arg(sub)?;
                let value = arg
                    .text
                    .parse()
                    .map_err(|_| at(arg, format!("bad port number '{}'", arg.text)))?;
                proxy.health.port = Some(Setting {
                    value,
                    position: sub.name.position.clone(),
                });
            }
            "health_interval" => proxy.health.interval = Some(duration(sub, "interval")?),
            "health_timeout" => proxy.health.timeout = Some(duration(sub, "timeout")?),
            "fail_duration" => proxy.health.fail_duration = Some(duration(sub, "duration")?),
            "transport" => {
                let kind = one_arg(sub)?;
                proxy.transport.protocol = kind.text.clone();
                proxy.transport.position = Some(sub.name.position.clone());
                for option in &sub.block {
                    read_transport_option(&mut proxy.transport, option)?;
                }
            }
            "handle_response" => {
                if sub.args.len() > 1 {
                    let got: Vec<&str> = sub.args.iter().map(|t| t.text.as_str()).collect();
                    return Err(at(&sub.name, format!("too many arguments for 'handle_response': only a single response matcher name is allowed, but got: [{}]", got.join(" "))));
                }
            }
            // Caddy takes `[+|-]field [value|search [replacement]]`: one to three arguments.
            "header_up" | "header_down" if sub.args.is_empty() || sub.args.len() > 3 => {
                let last = sub.args.last().unwrap_or(&sub.name);
                return Err(at(
                    last,
                    format!(
                        "wrong argument count or unexpected line ending after '{}'",
                        last.text
                    ),
                ));
            }
            "dial_timeout" | "read_timeout" | "write_timeout" if fastcgi => {
                read_transport_option(&mut proxy.transport, sub)?;
            }
            _ if OTHER_PROXY_OPTIONS.contains(&name) => {}
            _ if fastcgi && FASTCGI_OPTIONS.contains(&name) => {}
            _ if lenient => {}
            _ => return Err(at(&sub.name, format!("unrecognized subdirective {name}"))),
        }
    }

    match common_scheme.as_deref() {
        Some("https") => proxy.transport.tls = true,
        Some("h2c") => proxy.transport.versions = vec!["h2c".to_string(), "2".to_string()],
        _ => {}
    }
    Ok(proxy)
}

/// One option of a `transport … { }` block.
fn read_transport_option(transport: &mut Transport, option: &Directive) -> Result<(), Error> {
    match option.name.text.as_str() {
        "dial_timeout" => transport.dial_timeout = Some(duration(option, "timeout")?),
        "read_timeout" => transport.read_timeout = Some(duration(option, "timeout")?),
        "write_timeout" => transport.write_timeout = Some(duration(option, "timeout")?),
        "response_header_timeout" => {
            transport.response_header_timeout = Some(duration(option, "timeout")?)
        }
        "tls_insecure_skip_verify" => {
            transport.tls = true;
            transport.tls_insecure_skip_verify = true;
        }
        "versions" => {
            transport.versions = option.args.iter().map(|t| t.text.clone()).collect();
        }
        name if name == "tls" || (name.starts_with("tls_") && name != "tls_except_ports") => {
            transport.tls = true;
        }
        _ => {}
    }
    Ok(())
}
