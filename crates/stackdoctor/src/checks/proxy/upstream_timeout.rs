//! # upstream-timeout
//!
//! **What it detects:** the proxy's logs show upstream timeouts:
//! `net/http: timeout awaiting response headers`, `context deadline
//! exceeded`, or `dial tcp …: i/o timeout`; the finding names the timeouts
//! the routes configure (`transport http { read_timeout … }`).
//!
//! **Why it breaks requests:** when the app needs longer than the proxy
//! waits (a slow SSO callback, a large upload), Caddy gives up and answers
//! 502 or 504 although the app would have answered. A dial timeout (3 s by
//! default) means packets are dropped: a wrong IP or a firewall.
//!
//! **Example:** `read_timeout 30s` in front of an SSO endpoint that takes 45 s.
//!
//! **Fix:** raise the timeouts of the slow routes only
//! (`transport http { read_timeout 90s; response_header_timeout 90s }`),
//! and find out why the app is slow; for dial timeouts, check the address
//! and the firewall.
//!
//! **nginx, from the config alone:** a route raises the read timeout of the
//! wrong module: `fastcgi_read_timeout 300s` where the location uses
//! `proxy_pass` (or `proxy_read_timeout` where it uses `fastcgi_pass`), and no
//! route of that module exists for the raised value to act on. The pass still
//! gives up after nginx's default 60 s; the fix is the matching directive.

use super::support::{reload_proxy_step, upstreams};
use crate::finding::{Finding, FixStep, HopState, Severity};
use crate::model::{ProxyKind, StackModel};

cause!("upstream-timeout");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = from_logs(model);
    findings.extend(nginx_wrong_module(model));
    findings
}

/// The nginx module a route's upstream speaks, by its scheme.
fn module(scheme: Option<&str>) -> Option<&'static str> {
    match scheme? {
        "http" | "https" => Some("proxy"),
        "fastcgi" => Some("fastcgi"),
        "uwsgi" | "suwsgi" => Some("uwsgi"),
        "grpc" | "grpcs" => Some("grpc"),
        _ => None,
    }
}

/// nginx's default for `*_read_timeout`.
const NGINX_DEFAULT_READ_MILLIS: u64 = 60_000;

fn nginx_wrong_module(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for proxy in model.proxies.iter().filter(|p| p.kind == ProxyKind::Nginx) {
        let routes = proxy.sites.iter().flat_map(|s| &s.routes);
        let modules_used: Vec<&str> = routes
            .clone()
            .filter_map(|r| module(r.upstreams.first()?.scheme.as_deref()))
            .collect();
        for ctx in upstreams(model).filter(|c| std::ptr::eq(c.proxy, proxy)) {
            let Some(own) = module(ctx.upstream.scheme.as_deref()) else {
                continue;
            };
            let own_name = format!("{own}_read_timeout");
            let own_millis = ctx
                .route
                .timeouts
                .iter()
                .find(|t| t.value.name == own_name)
                .map_or(NGINX_DEFAULT_READ_MILLIS, |t| t.value.millis);
            let raised = ctx.route.timeouts.iter().find(|t| {
                let Some(other) = t.value.name.strip_suffix("_read_timeout") else {
                    return false;
                };
                other != own && t.value.millis > own_millis && !modules_used.contains(&other)
            });
            let Some(raised) = raised else { continue };
            let subject = ctx
                .reachable_service(model)
                .map_or(ctx.upstream.host.clone(), |id| {
                    model.services[id].name.clone()
                });
            let value = format!("{}s", raised.value.millis as f64 / 1000.0);
            let finding = Finding::new(CAUSE)
                .severity(Severity::Warning)
                .about_setting()
                .subject(&subject)
                .param("title", "nginx-wrong-module-title")
                .param("set", &raised.value.name)
                .param("value", &value)
                .param("effective", &own_name)
                .param(
                    "effective_value",
                    format!("{}s", own_millis as f64 / 1000.0),
                )
                .param("host", &ctx.upstream.host)
                .evidence(
                    raised.origin.clone(),
                    msg("configured")
                        .with("name", &raised.value.name)
                        .with("value", &value),
                )
                .evidence(
                    ctx.upstream.origin.clone(),
                    msg("nginx-uses").with("effective", &own_name),
                )
                .path(ctx.path(HopState::Broken, Vec::new()))
                .fix(FixStep::say(
                    msg("nginx-fix")
                        .with("effective", &own_name)
                        .with("value", &value)
                        .with("set", &raised.value.name),
                ))
                .fix(reload_proxy_step(model, ctx.proxy));
            findings.push(finding);
            break;
        }
    }
    findings
}

fn from_logs(model: &StackModel) -> Vec<Finding> {
    let events: Vec<_> = model.log_events_of("upstream-timeout").collect();
    let Some(first) = events.first() else {
        return Vec::new();
    };
    let mut finding = Finding::new(CAUSE).param("count", events.len().to_string());
    if let Some(host) = &first.host {
        finding = finding.subject(host).param("host", host);
    }
    finding = finding.log_lines(events.iter().copied().take(3));
    let mut proxy = None;
    for ctx in upstreams(model) {
        let names_it = first.host.as_ref().is_none_or(|h| h == &ctx.upstream.host);
        if !names_it {
            continue;
        }
        proxy.get_or_insert(ctx.proxy);
        for timeout in &ctx.route.timeouts {
            let label = msg("configured").with("name", &timeout.value.name).with(
                "value",
                format!("{}s", timeout.value.millis as f64 / 1000.0),
            );
            finding = finding.evidence(timeout.origin.clone(), label);
        }
        if finding.path.is_empty() {
            finding = finding.path(ctx.path(HopState::Broken, Vec::new()));
        }
    }
    let dial = events
        .iter()
        .any(|e| e.signature == "caddy-dial-io-timeout");
    finding = finding.fix(FixStep::say(msg(if dial {
        "fix-dial"
    } else {
        "fix-read"
    })));
    if let Some(proxy) = proxy {
        finding = finding.fix(reload_proxy_step(model, proxy));
    }
    vec![finding]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(files: &[(&str, &str)]) -> (tempfile::TempDir, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let inputs = crate::sources::Inputs {
            root: dir.path().to_path_buf(),
            ..Default::default()
        };
        let model = crate::sources::build_model(&inputs).unwrap();
        let findings = run(&model);
        (dir, findings)
    }

    const COMPOSE: &str = "services:\n  nginx:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/default.conf:/etc/nginx/conf.d/default.conf:ro\n  app:\n    image: ghcr.io/acme/app:1\n    expose: [\"8000\"]\n";

    #[test]
    fn a_fastcgi_timeout_on_a_proxy_pass_route_is_reported_where_it_is_set() {
        let conf = "server {\n    listen 80;\n    location / {\n        fastcgi_read_timeout 300s;\n        proxy_pass http://app:8000;\n    }\n}\n";
        let (_dir, findings) = diagnose(&[("compose.yaml", COMPOSE), ("nginx/default.conf", conf)]);
        assert_eq!(findings.len(), 1);
        let f = &findings[0];
        assert_eq!(f.subject.as_deref(), Some("app"));
        assert_eq!(f.params["set"], "fastcgi_read_timeout");
        assert_eq!(f.params["effective"], "proxy_read_timeout");
        let first = f.evidence[0].origin.position().unwrap();
        assert_eq!((first.line, first.column), (4, 9));
    }

    #[test]
    fn the_matching_module_or_a_used_one_is_not_reported() {
        let right = "server {\n    location / {\n        proxy_read_timeout 300s;\n        proxy_pass http://app:8000;\n    }\n}\n";
        let (_d, findings) = diagnose(&[("compose.yaml", COMPOSE), ("nginx/default.conf", right)]);
        assert!(findings.is_empty());
        // A server-wide fastcgi timeout meant for the PHP location is in use.
        let php = "server {\n    fastcgi_read_timeout 300s;\n    location / { proxy_pass http://app:8000; }\n    location ~ \\.php$ { fastcgi_pass app:9000; }\n}\n";
        let (_d, findings) = diagnose(&[("compose.yaml", COMPOSE), ("nginx/default.conf", php)]);
        assert!(findings.is_empty());
    }
}
