//! The small grammars of label-driven proxies: Traefik router rules
//! (`Host(`a`) && PathPrefix(`/x`)`, v1's `Host:a;PathPrefix:/x`) and
//! label key paths (`traefik.http.routers.<name>.rule`).
//!
//! Only what routing needs is kept: the hosts a rule matches and the path
//! prefixes; other matchers (`Header`, `Method`, …) are accepted and ignored.

/// What a router rule matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleMatch {
    /// Hosts of `Host(…)` (lower case); empty when any host matches.
    pub hosts: Vec<String>,
    /// Paths of `PathPrefix(…)` and `Path(…)`.
    pub paths: Vec<String>,
}

/// Why a rule could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

/// Parses a Traefik v2/v3 rule. Arguments are quoted with backticks or
/// double quotes; matchers combine with `&&`, `||`, `!` and parentheses.
pub fn parse_rule(rule: &str) -> Result<RuleMatch, RuleError> {
    let chars: Vec<char> = rule.chars().collect();
    let mut found = RuleMatch::default();
    let mut depth = 0i32;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            if chars.get(i) != Some(&'(') {
                return Err(RuleError(format!("`{name}` is not followed by `(`")));
            }
            i += 1;
            let mut arguments = Vec::new();
            loop {
                while i < chars.len() && matches!(chars[i], ' ' | ',') {
                    i += 1;
                }
                match chars.get(i) {
                    Some(')') => {
                        i += 1;
                        break;
                    }
                    Some(&quote @ ('`' | '"')) => {
                        let begin = i + 1;
                        let Some(len) = chars[begin..].iter().position(|&c| c == quote) else {
                            return Err(RuleError(format!("unclosed {quote} in `{name}(`")));
                        };
                        arguments.push(chars[begin..begin + len].iter().collect::<String>());
                        i = begin + len + 1;
                    }
                    _ => return Err(RuleError(format!("`{name}(` is not closed"))),
                }
            }
            match name.as_str() {
                "Host" => found
                    .hosts
                    .extend(arguments.iter().map(|h| h.to_ascii_lowercase())),
                "PathPrefix" | "Path" => found.paths.extend(arguments),
                _ => {}
            }
            continue;
        }
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err(RuleError("unbalanced `)`".to_string()));
                }
            }
            '&' | '|' | '!' | ' ' | '\t' | '\n' => {}
            other => return Err(RuleError(format!("unexpected `{other}`"))),
        }
        i += 1;
    }
    if depth != 0 {
        return Err(RuleError("unbalanced `(`".to_string()));
    }
    Ok(found)
}

/// Parses a Traefik v1 frontend rule: `Host:a.com,b.com;PathPrefix:/api`.
pub fn parse_v1_rule(rule: &str) -> RuleMatch {
    let mut found = RuleMatch::default();
    for part in rule.split(';') {
        let Some((name, values)) = part.split_once(':') else {
            continue;
        };
        let values = values.split(',').map(str::trim).filter(|v| !v.is_empty());
        match name.trim() {
            "Host" => found.hosts.extend(values.map(|h| h.to_ascii_lowercase())),
            "PathPrefix" | "Path" | "PathPrefixStrip" | "PathStrip" => {
                found.paths.extend(values.map(str::to_string))
            }
            _ => {}
        }
    }
    found
}

/// A Traefik label key split into its parts:
/// `traefik.http.routers.web.rule` → (`http`, `routers`, `web`, `rule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraefikKey<'a> {
    pub protocol: &'a str,
    pub kind: &'a str,
    pub name: &'a str,
    /// The rest, lower case compared by callers (`loadbalancer.server.port`).
    pub option: &'a str,
}

/// Splits a `traefik.<protocol>.<kind>.<name>.<option…>` key.
pub fn traefik_key(key: &str) -> Option<TraefikKey<'_>> {
    let rest = key.strip_prefix("traefik.")?;
    let mut parts = rest.splitn(4, '.');
    let protocol = parts.next()?;
    let kind = parts.next()?;
    let name = parts.next()?;
    let option = parts.next()?;
    if !matches!(protocol, "http" | "tcp" | "udp") || name.is_empty() {
        return None;
    }
    Some(TraefikKey {
        protocol,
        kind,
        name,
        option,
    })
}

/// The port of caddy-docker-proxy's `{{upstreams [scheme] [port]}}` (with its scheme).
pub fn caddy_upstreams(value: &str) -> Option<(Option<String>, Option<u16>)> {
    let start = value.find("{{")?;
    let end = value[start..].find("}}")? + start;
    let inner = value[start + 2..end].trim();
    let mut words = inner.split_whitespace();
    if words.next()? != "upstreams" {
        return None;
    }
    let mut scheme = None;
    let mut port = None;
    for word in words {
        match word.parse::<u16>() {
            Ok(p) => port = Some(p),
            Err(_) => scheme = Some(word.to_ascii_lowercase()),
        }
    }
    Some((scheme, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_paths_of_a_v2_rule() {
        let m = parse_rule("Host(`App.example.com`) && PathPrefix(`/api`)").unwrap();
        assert_eq!(m.hosts, vec!["app.example.com"]);
        assert_eq!(m.paths, vec!["/api"]);
        let m = parse_rule(r#"(Host("a.test", "b.test") || Host(`c.test`)) && !Method(`POST`)"#)
            .unwrap();
        assert_eq!(m.hosts, vec!["a.test", "b.test", "c.test"]);
        assert!(m.paths.is_empty());
        assert_eq!(parse_rule("PathPrefix(`/`)").unwrap().hosts.len(), 0);
    }

    #[test]
    fn broken_rules_are_errors_not_panics() {
        for rule in [
            "Host(`a.test`",
            "Host(`a.test)",
            "Host `a`",
            "(Host(`a`)",
            "Host(`a`))",
            "Host(a)",
            "é",
        ] {
            assert!(parse_rule(rule).is_err(), "{rule}");
        }
    }

    #[test]
    fn v1_rules() {
        let m = parse_v1_rule("Host:Example.com,www.example.com;PathPrefixStrip:/api");
        assert_eq!(m.hosts, vec!["example.com", "www.example.com"]);
        assert_eq!(m.paths, vec!["/api"]);
    }

    #[test]
    fn label_keys() {
        let k = traefik_key("traefik.http.services.web.loadbalancer.server.port").unwrap();
        assert_eq!(
            (k.protocol, k.kind, k.name, k.option),
            ("http", "services", "web", "loadbalancer.server.port")
        );
        assert!(traefik_key("traefik.enable").is_none());
        assert!(traefik_key("traefik.docker.network").is_none());
        assert!(traefik_key("com.docker.compose.project").is_none());
    }

    #[test]
    fn caddy_docker_proxy_upstreams() {
        assert_eq!(
            caddy_upstreams("{{upstreams 8080}}"),
            Some((None, Some(8080)))
        );
        assert_eq!(
            caddy_upstreams("{{ upstreams https 8443 }}"),
            Some((Some("https".into()), Some(8443)))
        );
        assert_eq!(caddy_upstreams("{{upstreams}}"), Some((None, None)));
        assert_eq!(caddy_upstreams("web:8080"), None);
    }
}
