//! Site addresses (`[scheme://]host[:port][/path]`) and Go's `net.SplitHostPort`.

/// Go's `net.SplitHostPort`: `host:port` or `[v6]:port`; `None` when malformed.
pub(crate) fn split_host_port(text: &str) -> Option<(String, String)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = after.strip_prefix(':')?;
        if port.contains([':', '[', ']']) {
            return None;
        }
        return Some((host.to_string(), port.to_string()));
    }
    let (host, port) = text.rsplit_once(':')?;
    if host.contains([':', '[', ']']) || port.contains([']', '[']) {
        return None;
    }
    Some((host.to_string(), port.to_string()))
}

/// Go's `net.JoinHostPort`: brackets a host that holds a `:`.
pub(crate) fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The parts of a site address, like Caddy's `httpcaddyfile.ParseAddress`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedAddress {
    pub scheme: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub path: Option<String>,
}

/// Parses a site address with Caddy's rules and error wordings.
pub(crate) fn parse_site_address(text: &str, https_port: u16) -> Result<ParsedAddress, String> {
    let trimmed = text.trim();
    let (scheme, rest) = match trimmed.split_once("://") {
        Some((scheme, rest)) => (Some(scheme.to_string()), rest),
        None => (None, trimmed),
    };
    let (host_port, path) = match rest.split_once('/') {
        Some((hp, path)) => (hp, Some(format!("/{path}"))),
        None => (rest, None),
    };
    let (host, port) = split_host_port(host_port)
        .or_else(|| split_host_port(&format!("{host_port}:")))
        .unwrap_or_else(|| (host_port.to_string(), String::new()));
    let port = if port.is_empty() {
        None
    } else {
        let number: i64 = port.parse().map_err(|_| {
            format!("invalid port '{port}': strconv.Atoi: parsing \"{port}\": invalid syntax")
        })?;
        Some(u16::try_from(number).map_err(|_| format!("port {number} is out of range"))?)
    };
    match scheme.as_deref() {
        None | Some("http") | Some("https") => {}
        Some("wss") => {
            return Err(
                "the scheme wss:// is only supported in browsers; use https:// instead".into(),
            )
        }
        Some("ws") => {
            return Err(
                "the scheme ws:// is only supported in browsers; use http:// instead".into(),
            )
        }
        Some(other) => return Err(format!("unsupported URL scheme {other}://")),
    }
    let conflict = match (scheme.as_deref(), port) {
        (Some("http"), Some(p)) => p == https_port,
        (Some("https"), Some(80)) => true,
        _ => false,
    };
    if conflict {
        return Err(format!("[{trimmed}] scheme and port violate convention"));
    }
    Ok(ParsedAddress {
        scheme,
        host,
        port,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = parse_site_address("https://example.com:8443/api", 443).unwrap();
        assert_eq!(a.scheme.as_deref(), Some("https"));
        assert_eq!(a.host, "example.com");
        assert_eq!(a.port, Some(8443));
        assert_eq!(a.path.as_deref(), Some("/api"));
        let b = parse_site_address(":8080", 443).unwrap();
        assert_eq!((b.host.as_str(), b.port), ("", Some(8080)));
        let c = parse_site_address("[::1]:2015", 443).unwrap();
        assert_eq!(c.host, "::1");
        assert_eq!(parse_site_address("localhost", 443).unwrap().port, None);
    }

    #[test]
    fn errors() {
        let e = |s| parse_site_address(s, 443).unwrap_err();
        assert_eq!(e("example.com:70000"), "port 70000 is out of range");
        assert_eq!(e("example.com:-1"), "port -1 is out of range");
        assert!(e("example.com:8000-8002").starts_with("invalid port '8000-8002'"));
        assert_eq!(e("foo://example.com"), "unsupported URL scheme foo://");
        assert!(e("wss://example.com").contains("use https:// instead"));
        assert!(e("http://example.com:443").contains("scheme and port violate convention"));
        assert!(e("https://example.com:80").contains("scheme and port violate convention"));
    }

    #[test]
    fn host_port_splitting() {
        assert_eq!(split_host_port("a:1"), Some(("a".into(), "1".into())));
        assert_eq!(
            split_host_port("[::1]:80"),
            Some(("::1".into(), "80".into()))
        );
        assert_eq!(split_host_port("::1"), None);
        assert_eq!(split_host_port("a"), None);
        assert_eq!(join_host_port("::1", "80"), "[::1]:80");
    }
}
