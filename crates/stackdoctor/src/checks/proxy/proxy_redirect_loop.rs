//! # proxy-redirect-loop
//!
//! **What it detects:** a client gave up following redirects
//! (`ERR_TOO_MANY_REDIRECTS`, "redirected you too many times", curl's
//! `Maximum (50) redirects followed`), and an nginx `server` that
//! terminates TLS proxies to its app without telling it the request was
//! HTTPS (no `proxy_set_header X-Forwarded-Proto $scheme;`). Without such a
//! server the finding comes from the lines alone.
//!
//! **Why it breaks requests:** the app sees plain HTTP from the proxy; if it
//! forces HTTPS (Django `SECURE_SSL_REDIRECT`, Rails `force_ssl`, Laravel or
//! WordPress settings, an `.htaccess` rule) it redirects to `https://NAME/`,
//! which reaches it as HTTP again, and so on until the client stops. No page
//! is served. A CDN with "Flexible" TLS in front of a server that redirects
//! to HTTPS, or a proxy and an app redirecting between `www.` and the bare
//! domain, loop the same way.
//!
//! **Example:** `listen 443 ssl;` with `location / { proxy_pass
//! http://web:8000; }` and a Django app with `SECURE_SSL_REDIRECT = True`;
//! the browser shows `ERR_TOO_MANY_REDIRECTS`.
//!
//! **Fix:** `curl -sIL --max-redirs 5 https://NAME/ | grep -iE
//! '^(HTTP|location)'` shows the chain. Have the proxy pass the scheme
//! (`proxy_set_header X-Forwarded-Proto $scheme;`; Caddy and Traefik send
//! it) and the app trust it: Django `SECURE_PROXY_SSL_HEADER =
//! ("HTTP_X_FORWARDED_PROTO", "https")`, Express `app.set("trust proxy",
//! 1)`, Laravel's `TrustProxies` middleware, WordPress `if
//! ($_SERVER["HTTP_X_FORWARDED_PROTO"] === "https") $_SERVER["HTTPS"] =
//! "on";`. Redirect to HTTPS in one place only; with Cloudflare, set the TLS
//! mode to "Full (strict)". Clear the browser's cached 301s before testing
//! again.

use super::support::reload_proxy_step;
use crate::finding::{Finding, FixStep};
use crate::model::{LogEvent, ProxyKind, StackModel};

cause!("proxy-redirect-loop");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let lines: Vec<&LogEvent> = model.log_events_of(CAUSE).collect();
    if lines.is_empty() {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for proxy in model.proxies.iter().filter(|p| p.kind == ProxyKind::Nginx) {
        let blind: Vec<_> = proxy
            .sites
            .iter()
            .filter(|site| {
                site.addresses
                    .iter()
                    .any(|a| a.scheme.as_deref() == Some("https"))
            })
            .flat_map(|site| &site.routes)
            .filter(|route| route.forwards_scheme == Some(false))
            .filter_map(|route| Some((route.steps.last()?, route.upstreams.first()?)))
            .collect();
        if blind.is_empty() {
            continue;
        }
        let mut finding = Finding::new(CAUSE).param("count", lines.len().to_string());
        for (pass, upstream) in blind.iter().take(3) {
            finding = finding.evidence(
                pass.origin.clone(),
                msg("scheme-not-forwarded").with("upstream", &upstream.text),
            );
        }
        findings.push(
            finding
                .log_lines(lines.iter().copied().take(3))
                .fix(FixStep::say(msg("forward-scheme")))
                .fix(reload_proxy_step(model, proxy)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet, example_tree};

    const EXAMPLE: (&str, &[&str]) = ("nginx-redirect-loop", &["--logs", "logs/browser.log"]);

    #[test]
    fn a_tls_server_that_hides_the_scheme_is_shown_with_the_loop() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            EXAMPLE,
            "nginx/default.conf:15",
            &["proxy-redirect-loop.forward-scheme"],
        );
    }

    #[test]
    fn a_server_that_forwards_the_scheme_is_quiet() {
        assert_example_quiet(
            super::run,
            EXAMPLE,
            &[(
                "nginx/default.conf",
                "        proxy_set_header Host $host;\n",
                "        proxy_set_header Host $host;\n        proxy_set_header X-Forwarded-Proto $scheme;\n",
            )],
        );
    }

    #[test]
    fn without_a_loop_in_the_logs_nothing_is_said() {
        let (_dir, model) = example_tree(EXAMPLE.0, &[], &[]);
        assert!(super::run(&model).is_empty());
    }
}
