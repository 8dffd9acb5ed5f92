//! # proxy-websocket-upgrade-missing
//!
//! **What it detects:** an nginx `location` that proxies WebSocket traffic
//! (browsers report `WebSocket connection to 'wss://HOST/PATH' failed: Error
//! during WebSocket handshake: Unexpected response code: 400` for a path it
//! serves, or its path is a usual WebSocket endpoint such as `/ws`,
//! `/socket.io/`, `/cable`, `/hub`) without what nginx needs to pass the
//! upgrade: `proxy_http_version 1.1;`, `proxy_set_header Upgrade
//! $http_upgrade;` and `proxy_set_header Connection "upgrade";`.
//!
//! **Why it breaks requests:** `Upgrade` and `Connection` are hop-by-hop
//! headers: nginx drops them and speaks HTTP/1.0 to the upstream unless told
//! otherwise, so the app sees a plain GET, answers 400 (or 200, or 426) and
//! the browser closes the socket. Pages load, but live updates, chats and
//! notebooks stay disconnected or fall back to polling. Caddy and Traefik
//! pass upgrades by themselves.
//!
//! **Example:** `location /socket.io/ { proxy_pass http://app:3000; }` with
//! no `proxy_http_version` and no `Upgrade` header.
//!
//! **Fix:** add to that location `proxy_http_version 1.1;`,
//! `proxy_set_header Upgrade $http_upgrade;` and `proxy_set_header
//! Connection "upgrade";` (or `$connection_upgrade` from a `map
//! $http_upgrade` block); raise `proxy_read_timeout` for sockets that stay
//! idle longer than 60 s; then `nginx -t` and reload.

use super::support::reload_proxy_step;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::{LogEvent, ProxyKind, ProxyRoute, StackModel};

cause!("proxy-websocket-upgrade-missing");

/// Location paths of the usual WebSocket endpoints (Socket.IO, SockJS,
/// Action Cable, SignalR, GraphQL subscriptions, plain `/ws`).
const WEBSOCKET_PATHS: &[&str] = &[
    "/ws",
    "websocket",
    "socket.io",
    "sockjs",
    "/cable",
    "/hub",
    "signalr",
    "/subscriptions",
];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines: Vec<(&LogEvent, String)> = model
        .log_events_of(CAUSE)
        .filter_map(|e| Some((e, socket_path(&e.text)?)))
        .collect();
    let mut findings = Vec::new();
    for proxy in model.proxies.iter().filter(|p| p.kind == ProxyKind::Nginx) {
        let routes: Vec<(&ProxyRoute, String)> = proxy
            .sites
            .iter()
            .flat_map(|s| &s.routes)
            .filter_map(|r| Some((r, location_path(r)?)))
            .collect();
        for (route, location) in &routes {
            let Some(gaps) = route.websocket_gaps.as_ref().filter(|g| !g.is_empty()) else {
                continue;
            };
            // Each failed socket counts for the most specific location serving it.
            let seen: Vec<&LogEvent> = lines
                .iter()
                .filter(|(_, path)| {
                    let best = routes
                        .iter()
                        .filter(|(_, l)| path.starts_with(l.as_str()))
                        .max_by_key(|(_, l)| l.len());
                    best.is_some_and(|(r, _)| std::ptr::eq(*r, *route))
                })
                .map(|(e, _)| *e)
                .collect();
            let looks_like_sockets = WEBSOCKET_PATHS.iter().any(|p| location.contains(p));
            if seen.is_empty() && !looks_like_sockets {
                continue;
            }
            let Some(pass) = route.steps.last() else {
                continue;
            };
            let mut finding = Finding::new(CAUSE)
                .subject(location)
                .param("location", location)
                .evidence(
                    pass.origin.clone(),
                    msg("no-upgrade")
                        .with("location", location)
                        .with("missing", gaps.join(" ")),
                )
                .log_lines(seen.iter().copied().take(3));
            if seen.is_empty() {
                // Only the path says sockets go here: a risk, not a failure seen.
                finding = finding
                    .severity(Severity::Warning)
                    .param("title", "title-risk");
            }
            findings.push(
                finding
                    .fix(FixStep::say(
                        msg("add-lines")
                            .with("location", location)
                            .with("lines", gaps.join(" ")),
                    ))
                    .fix(reload_proxy_step(model, proxy)),
            );
        }
    }
    findings
}

/// The path of the `location` a route ends in (`location ~ ^/ws` → `/ws`).
fn location_path(route: &ProxyRoute) -> Option<String> {
    let step = route
        .steps
        .iter()
        .rev()
        .find(|s| s.label.starts_with("location "))?;
    let path = step.label.split_whitespace().last()?;
    Some(
        path.trim_start_matches('^')
            .trim_end_matches('$')
            .to_string(),
    )
}

/// The path of the socket a browser could not open (`'wss://host/ws/chat'` → `/ws/chat`).
fn socket_path(text: &str) -> Option<String> {
    let start = text.find("ws://").or_else(|| text.find("wss://"))?;
    let url = &text[start..];
    let url = &url[..url.find(['\'', '"', ' ']).unwrap_or(url.len())];
    let after_scheme = &url[url.find("://")? + 3..];
    Some(
        after_scheme
            .find('/')
            .map_or("/".to_string(), |i| after_scheme[i..].to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::socket_path;
    use crate::checks::support::{assert_example_finding, assert_example_quiet, example_tree};

    const EXAMPLE: (&str, &[&str]) = ("nginx-websocket-upgrade", &["--logs", "logs/browser.log"]);

    #[test]
    fn a_socket_location_without_upgrade_headers_is_told_what_to_add() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            EXAMPLE,
            "nginx/default.conf:10",
            &["proxy-websocket-upgrade-missing.add-lines"],
        );
        let (_dir, model) = example_tree(EXAMPLE.0, EXAMPLE.1, &[]);
        let finding = &super::run(&model)[0];
        assert_eq!(finding.subject.as_deref(), Some("/socket.io/"));
        let text = format!("{finding:?}");
        assert!(text.contains("proxy_http_version 1.1;"), "{text}");
        // The browser's line is evidence: a failure seen, not a risk.
        assert!(finding.evidence.len() >= 2, "{:#?}", finding.evidence);
        assert_eq!(finding.severity, crate::finding::Severity::Error);
    }

    #[test]
    fn a_socket_path_alone_is_a_risk_with_its_own_title() {
        let (_dir, model) = example_tree(EXAMPLE.0, &[], &[]);
        let finding = &super::run(&model)[0];
        assert_eq!(finding.severity, crate::finding::Severity::Warning);
        assert_eq!(
            finding.params.get("title").map(String::as_str),
            Some("title-risk")
        );
        assert_eq!(
            finding.evidence.len(),
            1,
            "no log line: {:#?}",
            finding.evidence
        );
    }

    #[test]
    fn a_location_with_the_upgrade_lines_is_quiet() {
        assert_example_quiet(
            super::run,
            EXAMPLE,
            &[(
                "nginx/default.conf",
                "        proxy_set_header Host $host;\n",
                "        proxy_set_header Host $host;\n        proxy_http_version 1.1;\n        proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection \"upgrade\";\n",
            )],
        );
    }

    #[test]
    fn the_socket_path_is_read_from_the_browsers_line() {
        let line = "WebSocket connection to 'wss://chat.example.org/socket.io/?EIO=4&transport=websocket' failed: Error during WebSocket handshake: Unexpected response code: 400";
        assert_eq!(
            socket_path(line).as_deref(),
            Some("/socket.io/?EIO=4&transport=websocket")
        );
        assert_eq!(socket_path("ws://example.org failed").as_deref(), Some("/"));
        assert_eq!(socket_path("no socket here"), None);
    }
}
