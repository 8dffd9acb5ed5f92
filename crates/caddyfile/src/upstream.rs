//! `reverse_proxy` / `php_fastcgi` upstream addresses, as Caddy's
//! `parseUpstreamDialAddress` reads them, and Caddy durations.

use crate::address::{join_host_port, split_host_port};
use crate::http::Upstream;
use crate::Token;
use std::time::Duration;

/// Networks whose address is a socket path rather than host and port.
fn is_path_network(network: &str) -> bool {
    matches!(
        network,
        "unix" | "unixgram" | "unixpacket" | "unix+h2c" | "fd" | "fdgram"
    )
}

/// One upstream token parsed: the scheme that all upstreams of a handler must
/// share, and the upstreams it dials (several for a port range).
#[derive(Debug)]
pub(crate) struct Parsed {
    /// Caddy's scheme for the transport check: ``, `http`, `https`, `h2c`.
    pub scheme: String,
    pub upstreams: Vec<Upstream>,
}

/// Parses one upstream token; the error is Caddy's wording.
pub(crate) fn parse_upstream(token: &Token) -> Result<Parsed, String> {
    let expanded = expand_shorthands(&token.text);
    let text = expanded.as_str();
    let (network, scheme, host, port) = if text.contains("://") {
        if text.contains('{') {
            return Err("due to parsing difficulties, placeholders are not allowed when an upstream address contains a scheme".into());
        }
        let (scheme, rest) = text.split_once("://").unwrap_or(("", text));
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        if authority_end < rest.len() {
            return Err(
                "for now, URLs for proxy upstreams only support scheme, host, and port components"
                    .into(),
            );
        }
        let authority = rest.rsplit_once('@').map_or(rest, |(_, a)| a);
        let (host, port) = match split_host_port(authority) {
            Some((h, p)) => (h, p),
            None => (
                authority.trim_matches(['[', ']']).to_string(),
                String::new(),
            ),
        };
        let scheme = scheme.to_ascii_lowercase();
        let conflict = match (scheme.as_str(), port.as_str()) {
            ("http", "443") => Some(
                "upstream address has conflicting scheme (http://) and port (:443, the HTTPS port)",
            ),
            ("https", "80") => Some(
                "upstream address has conflicting scheme (https://) and port (:80, the HTTP port)",
            ),
            ("h2c", "443") => Some(
                "upstream address has conflicting scheme (h2c://) and port (:443, the HTTPS port)",
            ),
            _ => None,
        };
        if let Some(message) = conflict {
            return Err(message.into());
        }
        let port = match (port.is_empty(), scheme.as_str()) {
            (false, _) => port,
            (true, "" | "http" | "h2c") => "80".to_string(),
            (true, "https") => "443".to_string(),
            (true, _) => String::new(),
        };
        (String::new(), scheme, host, port)
    } else {
        let (network, address) = match text.split_once('/') {
            Some((network, rest)) => (network.trim().to_ascii_lowercase(), rest),
            None => (String::new(), text),
        };
        let (host, mut port) = if is_path_network(&network) {
            (address.to_string(), String::new())
        } else {
            split_host_port(address)
                .unwrap_or_else(|| (address.trim_matches(['[', ']']).to_string(), String::new()))
        };
        if port.is_empty() && !host.contains('{') && !is_path_network(&network) {
            port = "80".to_string();
        }
        let (network, scheme) = if network == "unix+h2c" {
            ("unix".to_string(), "h2c".to_string())
        } else {
            (network, String::new())
        };
        (network, scheme, host, port)
    };
    match scheme.as_str() {
        "" | "http" | "https" | "h2c" => {}
        "wss" => {
            return Err(
                "the scheme wss:// is only supported in browsers; use https:// instead".into(),
            )
        }
        "ws" => {
            return Err(
                "the scheme ws:// is only supported in browsers; use http:// instead".into(),
            )
        }
        other => return Err(format!("unsupported URL scheme {other}://")),
    }

    let has_placeholder = host.contains('{') || port.contains('{');
    let shown_scheme = if !network.is_empty() {
        Some(network.clone())
    } else if scheme.is_empty() {
        None
    } else {
        Some(scheme.clone())
    };
    let make = |port: Option<String>, dial: String| Upstream {
        token: token.clone(),
        scheme: shown_scheme.clone(),
        host: host.clone(),
        port,
        dial,
        has_placeholder,
        position: token.position.clone(),
    };

    if is_path_network(&network) {
        let dial = format!("{network}/{host}");
        return Ok(Parsed {
            scheme,
            upstreams: vec![make(None, dial)],
        });
    }
    let prefix = if network.is_empty() {
        String::new()
    } else {
        format!("{network}/")
    };
    if port.is_empty() {
        // a placeholder host without a port: dialled as written
        return Ok(Parsed {
            scheme,
            upstreams: vec![make(None, format!("{prefix}{host}"))],
        });
    }
    if port.contains('{') {
        let dial = format!("{prefix}{}", join_host_port(&host, &port));
        return Ok(Parsed {
            scheme,
            upstreams: vec![make(Some(port.clone()), dial)],
        });
    }
    let (start, end) = parse_port_range(&port)?;
    let upstreams = (start..=end)
        .map(|p| {
            let p = p.to_string();
            let dial = format!("{prefix}{}", join_host_port(&host, &p));
            make(Some(p), dial)
        })
        .collect();
    Ok(Parsed { scheme, upstreams })
}

/// Caddyfile placeholder shorthands and the placeholders they stand for
/// (httpcaddyfile/shorthands.go), as Caddy writes them into the JSON.
const SHORTHANDS: &[(&str, &str)] = &[
    ("{host}", "{http.request.host}"),
    ("{hostport}", "{http.request.hostport}"),
    ("{port}", "{http.request.port}"),
    ("{scheme}", "{http.request.scheme}"),
    ("{method}", "{http.request.method}"),
    ("{uri}", "{http.request.uri}"),
    ("{path}", "{http.request.uri.path}"),
    ("{dir}", "{http.request.uri.path.dir}"),
    ("{file}", "{http.request.uri.path.file}"),
    ("{query}", "{http.request.uri.query}"),
    ("{remote}", "{http.request.remote}"),
    ("{remote_host}", "{http.request.remote.host}"),
    ("{remote_port}", "{http.request.remote.port}"),
    ("{client_ip}", "{http.vars.client_ip}"),
    (
        "{upstream_hostport}",
        "{http.reverse_proxy.upstream.hostport}",
    ),
];

/// Prefix shorthands such as `{re.name.1}` → `{http.regexp.name.1}`.
const PREFIX_SHORTHANDS: &[(&str, &str)] = &[
    ("{header.", "{http.request.header."),
    ("{cookie.", "{http.request.cookie."),
    ("{labels.", "{http.request.host.labels."),
    ("{path.", "{http.request.uri.path."),
    ("{query.", "{http.request.uri.query."),
    ("{re.", "{http.regexp."),
    ("{vars.", "{http.vars."),
    ("{rp.", "{http.reverse_proxy."),
    ("{resp.", "{http.intercept."),
    ("{err.", "{http.error."),
    ("{file_match.", "{http.matchers.file."),
];

/// Expands placeholder shorthands the way Caddy's adapter does before a directive reads its tokens.
fn expand_shorthands(text: &str) -> String {
    let mut out = text.to_string();
    for (short, long) in SHORTHANDS {
        out = out.replace(short, long);
    }
    for (short, long) in PREFIX_SHORTHANDS {
        out = out.replace(short, long);
    }
    out
}

/// `8080` or `8001-8003`, as Caddy's `ParseNetworkAddress` accepts them.
fn parse_port_range(port: &str) -> Result<(u16, u16), String> {
    let (start, end) = port.split_once('-').unwrap_or((port, port));
    let start: u16 = start.parse().map_err(|_| {
        format!("invalid start port: strconv.ParseUint: parsing \"{start}\": invalid syntax")
    })?;
    let end: u16 = end.parse().map_err(|_| {
        format!("invalid end port: strconv.ParseUint: parsing \"{end}\": invalid syntax")
    })?;
    if end < start {
        return Err(format!(
            "end port must not be less than start port: {end} < {start}"
        ));
    }
    Ok((start, end))
}

/// Caddy's `ParseDuration`: Go durations (`1h30m`, `250ms`, `1.5s`) plus `d` for days.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() || rest.starts_with('-') {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Position;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn dials(text: &str) -> Result<Vec<String>, String> {
        let token = Token {
            text: text.to_string(),
            position: Position {
                file: Arc::new(PathBuf::from("t")),
                line: 1,
                column: 1,
            },
            quoted: false,
            import_chain: Vec::new(),
        };
        parse_upstream(&token).map(|p| p.upstreams.into_iter().map(|u| u.dial).collect())
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3s"), Some(Duration::from_secs(3)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1d"), Some(Duration::from_secs(86400)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("soon"), None);
    }

    #[test]
    fn ranges_must_be_ordered() {
        assert!(dials("web:8003-8001").is_err());
        assert!(dials("web:abc").is_err());
    }
}
