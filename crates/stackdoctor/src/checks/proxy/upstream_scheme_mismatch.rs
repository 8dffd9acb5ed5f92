//! # upstream-scheme-mismatch
//!
//! **What it detects:** the proxy and the upstream disagree on TLS: plain
//! HTTP sent to a port that speaks TLS (`reverse_proxy app:443` without
//! `transport http { tls }`), or TLS sent to a plain-HTTP server
//! (`reverse_proxy https://app:8000` where `app` runs gunicorn, uvicorn or
//! runserver without certificates, or dialling port 80 with `tls`).
//!
//! **Why it breaks requests:** one side sends a TLS handshake the other
//! reads as garbage. Caddy logs `http: server gave HTTP response to HTTPS
//! client`, `tls: first record does not look like a TLS handshake`, or a
//! `malformed HTTP response "\x15\x03…"` and answers 502.
//!
//! **Example:** `reverse_proxy https://web:8000` in front of
//! `gunicorn --bind 0.0.0.0:8000`.
//!
//! **Fix:** match the upstream: drop `https://` (and `transport http { tls }`)
//! for a plain-HTTP app, or add `https://` / `tls` for a TLS port (with
//! `tls_server_name` or `tls_insecure_skip_verify` for self-signed
//! certificates); then reload Caddy.

use super::support::{reload_proxy_step, upstreams};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep, HopState};
use crate::model::{ListenEvidence, StackModel};

cause!("upstream-scheme-mismatch");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    let log_lines: Vec<_> = model
        .log_events
        .iter()
        .filter(|e| {
            e.causes
                .iter()
                .any(|(c, _)| c == "upstream-scheme-mismatch")
        })
        .take(3)
        .collect();
    for ctx in upstreams(model) {
        let upstream = ctx.upstream;
        let Some(port) = upstream.port else { continue };
        let target = ctx.reachable_service(model).map(|id| &model.services[id]);
        let listeners: Vec<_> = target
            .map(|s| s.listeners_on(port).collect())
            .unwrap_or_default();
        // A TLS port by convention, unless a command says the server speaks plain HTTP there.
        let tls_port = listeners.iter().any(|l| l.tls)
            || (listeners
                .iter()
                .all(|l| l.evidence != ListenEvidence::Command)
                && matches!(port, 443 | 8443 | 9443 | 6443));
        let plain_port = port == 80
            || listeners
                .iter()
                .any(|l| !l.tls && l.evidence == ListenEvidence::Command);
        let (kind, fix) = if !ctx.route.tls && tls_port {
            ("plain-to-tls", format!("https://{}:{port}", upstream.host))
        } else if ctx.route.tls && plain_port {
            ("tls-to-plain", format!("{}:{port}", upstream.host))
        } else {
            continue;
        };
        let mut finding = Finding::new(CAUSE)
            .subject(target.map_or(upstream.host.clone(), |s| s.name.clone()))
            .param("upstream", &upstream.text)
            .param("port", port.to_string());
        let label = msg(kind).with("upstream", &upstream.text);
        finding = finding.evidence(upstream.origin.clone(), label);
        for listener in &listeners {
            let label = msg("listener").with("detail", &listener.detail);
            finding = finding.evidence(listener.origin.clone(), label);
        }
        finding = finding.log_lines(log_lines.iter().copied());
        let nginx = if ctx.proxy.kind == crate::model::ProxyKind::Nginx {
            "-nginx"
        } else {
            ""
        };
        let fix = if nginx.is_empty() || kind != "tls-to-plain" {
            fix
        } else {
            format!("http://{}:{port}", upstream.host)
        };
        let message = msg(&format!("fix-{kind}{nginx}"))
            .with("upstream", &upstream.text)
            .with("suggestion", &fix);
        finding = match replace_on_line(model, &upstream.origin, &upstream.text, &fix) {
            Some(edit) if kind == "plain-to-tls" || upstream.text.starts_with("https://") => {
                finding.fix(FixStep::edit(message, edit))
            }
            _ => finding.fix(FixStep::say(message)),
        };
        findings.push(
            finding
                .fix(reload_proxy_step(model, ctx.proxy))
                .path(ctx.path(HopState::Broken, Vec::new())),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn https_to_a_plain_http_gunicorn_is_told_to_drop_the_scheme() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("scheme-mismatch", &[]),
            "Caddyfile:3",
            &["reverse_proxy app:8000", "restart caddy"],
        );
    }

    #[test]
    fn plain_http_to_gunicorn_is_quiet() {
        assert_example_quiet(
            super::run,
            ("scheme-mismatch", &[]),
            &[("Caddyfile", "https://app:8000", "app:8000")],
        );
    }
}
