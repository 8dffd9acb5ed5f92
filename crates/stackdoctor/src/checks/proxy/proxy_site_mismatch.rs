//! # proxy-site-mismatch
//!
//! **What it detects:** the host of the URL that fails (`--url`) matches no
//! site address of the proxy: not the exact name, not a `*.` wildcard, and
//! there is no catch-all site (`:80`, `:443`, `http://`).
//!
//! **Why it breaks requests:** Caddy picks the site by the request's Host
//! (and SNI for HTTPS). With no match it has no certificate to offer, so
//! HTTPS clients fail the TLS handshake, and plain HTTP gets an empty
//! response; the app behind it is never asked.
//!
//! **Example:** the Caddyfile serves `toybox.example.jp {…}` and users open
//! `https://www.toybox.example.jp/`.
//!
//! **Fix:** add the host to the site's addresses
//! (`toybox.example.jp, www.toybox.example.jp {`), or use the URL the site
//! serves; then reload Caddy.

use super::support::{reload_proxy_step, site_label};
use crate::finding::{Finding, FixStep};
use crate::model::{SiteAddress, StackModel};

cause!("proxy-site-mismatch");

/// Whether a site address pattern matches `host` (Caddy's one-label `*` wildcard).
pub fn host_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    if pattern.is_empty() || pattern == host {
        return true;
    }
    // nginx's forms: `~regex` (not evaluated: taken as matching), `.example.com`
    // (the domain and every subdomain), `app.*` (any ending).
    if pattern.starts_with('~') {
        return true;
    }
    if let Some(domain) = pattern.strip_prefix('.') {
        return host == domain || host.ends_with(&format!(".{domain}"));
    }
    if let Some(start) = pattern.strip_suffix(".*") {
        return host
            .strip_prefix(start)
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'));
    }
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|rest| rest.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => false,
    }
}

fn address_matches(address: &SiteAddress, host: &str, port: u16) -> bool {
    let address_port = address.port.unwrap_or(match address.scheme.as_deref() {
        Some("http") => 80,
        _ => 443,
    });
    host_matches(&address.host, host) && address_port == port
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let Some(url) = &model.requested_url else {
        return Vec::new();
    };
    let port = url
        .port
        .unwrap_or(if url.scheme == "http" { 80 } else { 443 });
    let mut findings = Vec::new();
    let mut reported_services = Vec::new();
    for proxy in &model.proxies {
        if proxy.sites.is_empty() {
            continue;
        }
        // A proxy service may hold several entries (Traefik: one per labelled
        // container and dynamic file): the URL only has to match one of them.
        let same_proxy: Vec<&crate::model::Proxy> = match proxy.service {
            Some(id) => model
                .proxies
                .iter()
                .filter(|p| p.service == Some(id))
                .collect(),
            None => vec![proxy],
        };
        let matched = same_proxy
            .iter()
            .flat_map(|p| &p.sites)
            .flat_map(|s| &s.addresses)
            .any(|a| address_matches(a, &url.host, port));
        if matched
            || proxy
                .service
                .is_some_and(|id| reported_services.contains(&id))
        {
            continue;
        }
        // nginx in a container listens on the container side of `ports:`
        // (`8080:80`); a URL whose port the service does not publish does not
        // reach this proxy at all.
        if proxy.kind == crate::model::ProxyKind::Nginx {
            if let Some(service) = proxy.service.map(|id| &model.services[id]) {
                if !service.published.is_empty() {
                    let inside: Vec<u16> = service
                        .published
                        .iter()
                        .filter(|p| p.value.0.rsplit(':').next() == Some(&port.to_string()))
                        .map(|p| p.value.1)
                        .collect();
                    let reached = inside.iter().any(|&inner| {
                        proxy
                            .sites
                            .iter()
                            .flat_map(|s| &s.addresses)
                            .any(|a| address_matches(a, &url.host, inner))
                    });
                    if inside.is_empty() || reached {
                        continue;
                    }
                }
            }
        }
        reported_services.extend(proxy.service);
        let sites: Vec<String> = proxy.sites.iter().map(site_label).collect();
        let mut finding = Finding::new(CAUSE)
            .subject(&url.host)
            .param("url", &url.text)
            .param("host", &url.host)
            .param("sites", sites.join("; "));
        let mut shown_at = Vec::new();
        for address in proxy.sites.iter().flat_map(|s| &s.addresses) {
            // One address per place (nginx-proxy's http and https come from one variable).
            if shown_at.contains(&&address.origin) {
                continue;
            }
            shown_at.push(&address.origin);
            let label = msg("site-address").with("address", &address.text);
            finding = finding.evidence(address.origin.clone(), label);
        }
        let first = proxy.sites[0]
            .addresses
            .first()
            .map(|a| a.text.clone())
            .unwrap_or_default();
        let first_host = proxy.sites[0]
            .addresses
            .first()
            .map(|a| a.host.clone())
            .unwrap_or_default();
        let add_host = match proxy.kind {
            crate::model::ProxyKind::Traefik => {
                crate::finding::Message::new("common.add-host-rule")
                    .with("host", &url.host)
                    .with("site", first)
            }
            crate::model::ProxyKind::NginxProxy => {
                crate::finding::Message::new("common.add-virtual-host")
                    .with("host", &url.host)
                    .with("site", first_host)
            }
            crate::model::ProxyKind::Nginx => msg("add-host-nginx")
                .with("host", &url.host)
                .with("site", first),
            crate::model::ProxyKind::Caddy => {
                msg("add-host").with("host", &url.host).with("site", first)
            }
        };
        finding = finding
            .fix(FixStep::say(add_host))
            .fix(reload_proxy_step(model, proxy));
        findings.push(finding);
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::host_matches;

    #[test]
    fn a_url_of_one_labelled_container_matches_the_whole_traefik() {
        let compose = "services:\n  traefik:\n    image: traefik:v3\n  blog:\n    image: nginx:1.27\n    labels:\n      - traefik.http.routers.blog.rule=Host(`blog.test`)\n  admin:\n    image: example/admin\n    expose: [\"9000\"]\n    labels:\n      - traefik.http.routers.admin.rule=Host(`admin.test`)\n      - traefik.http.routers.admin.tls=true\n";
        let (_dir, mut model) = crate::checks::support::test_tree(&[("compose.yaml", compose)]);
        model.requested_url = Some(crate::sources::parse_url("http://blog.test/").unwrap());
        assert!(super::run(&model).is_empty());
        // The admin router has `tls`: plain HTTP to it matches no router.
        model.requested_url = Some(crate::sources::parse_url("http://admin.test/").unwrap());
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        assert_eq!(findings[0].fix[0].message.key, "common.add-host-rule");
        model.requested_url = Some(crate::sources::parse_url("https://admin.test/").unwrap());
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn wildcards_match_one_label() {
        assert!(host_matches("*.example.com", "a.example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(!host_matches("*.example.com", "example.com"));
        assert!(host_matches("", "anything.test"));
        assert!(host_matches("Example.com", "example.com"));
    }

    #[test]
    fn nginx_server_name_forms() {
        assert!(host_matches("nextcloud.*", "nextcloud.example.org"));
        assert!(!host_matches("nextcloud.*", "cloud.example.org"));
        assert!(host_matches(".example.org", "example.org"));
        assert!(host_matches(".example.org", "a.b.example.org"));
        assert!(!host_matches(".example.org", "badexample.org"));
        assert!(host_matches("~^(www\\.)?example\\.org$", "example.org"));
    }
}
