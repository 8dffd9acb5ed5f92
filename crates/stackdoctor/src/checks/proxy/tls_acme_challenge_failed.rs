//! # tls-acme-challenge-failed
//!
//! **What it detects:** an ACME client (Caddy's automatic HTTPS, Traefik's
//! certificate resolver, certbot, acme-companion) logged that the certificate
//! authority could not validate its challenge for a name (`challenge failed`,
//! `Unable to obtain ACME certificate`, `urn:ietf:params:acme:error:connection`),
//! and the compose service of the proxy does not publish container port 80
//! or 443 on the host. When both are published, the finding shows them, so
//! that the cause is sought outside compose.
//!
//! **Why it breaks requests:** to issue a certificate the authority connects
//! to the name from the internet: `http://NAME/.well-known/acme-challenge/…`
//! on port 80 (HTTP-01) or a TLS handshake on port 443 (TLS-ALPN-01). A port
//! the container does not publish, a firewall, a router without port
//! forwarding, or an A/AAAA record that points elsewhere makes it fail;
//! without a certificate the proxy serves none or a default self-signed one,
//! and browsers and API clients refuse HTTPS. Each retry counts against the
//! authority's limit of 5 failed validations an hour.
//!
//! **Example:** `caddy` publishes `443:443` only, and its log shows
//! `"msg":"challenge failed","identifier":"office.example.org"` with
//! `urn:ietf:params:acme:error:connection` and `Connection refused`.
//!
//! **Fix:** publish both ports on the proxy's service
//! (`ports: ["80:80", "443:443"]`) and recreate it; open them in the firewall
//! or security group and forward them on the router. From another network,
//! `dig +short A NAME` and `dig +short AAAA NAME` must give this host's
//! public addresses (remove a stale AAAA record) and
//! `curl -v http://NAME/.well-known/acme-challenge/test` must reach the
//! proxy. Behind a CDN that proxies the name, use the DNS-01 challenge; with
//! certbot's webroot, the proxy must serve `/.well-known/acme-challenge/`
//! from the volume certbot writes to. While testing, use the authority's
//! staging directory (Caddy `acme_ca`, Traefik `caServer`, certbot
//! `--staging`).

use crate::checks::support::recreate_service_step;
use crate::finding::{Finding, FixStep};
use crate::model::{LogEvent, ServiceId, StackModel};

cause!("tls-acme-challenge-failed");

/// The ports the certificate authority dials: HTTP-01 and TLS-ALPN-01.
const CHALLENGE_PORTS: [u16; 2] = [80, 443];

pub fn run(model: &StackModel) -> Vec<Finding> {
    let events: Vec<&LogEvent> = model.log_events_of(CAUSE).collect();
    if events.is_empty() {
        return Vec::new();
    }
    let Some(id) = proxy_service(model, &events) else {
        return Vec::new();
    };
    let service = &model.services[id];
    // On the host's network the container's ports are the host's.
    if service.uses_host_network() {
        return Vec::new();
    }
    let published: Vec<u16> = service.published.iter().map(|p| p.value.1).collect();
    let missing: Vec<u16> = CHALLENGE_PORTS
        .into_iter()
        .filter(|port| !published.contains(port))
        .collect();
    let mut finding = Finding::new(CAUSE)
        .subject(&service.name)
        .param("service", &service.name)
        .param("count", events.len().to_string());
    if let Some(host) = events.iter().find_map(|e| e.host.as_deref()) {
        finding = finding.param("host", host);
    }
    if missing.is_empty() {
        for port in &service.published {
            if CHALLENGE_PORTS.contains(&port.value.1) {
                let label = msg("published").with("port", port.value.1.to_string());
                finding = finding.evidence(port.origin.clone(), label);
            }
        }
        finding = finding
            .log_lines(events.iter().copied().take(3))
            .fix(FixStep::say(msg("look-outside")));
        return vec![finding];
    }
    let list = |ports: &[u16]| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let label = msg("not-published")
        .with("service", &service.name)
        .with("missing", list(&missing));
    finding = finding.evidence(service.origin.clone(), label);
    let mappings = missing
        .iter()
        .map(|port| format!("\"{port}:{port}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let publish = msg("publish")
        .with("service", &service.name)
        .with("ports", mappings);
    vec![finding
        .log_lines(events.iter().copied().take(3))
        .fix(FixStep::say(publish))
        .fix(recreate_service_step(model, id))
        .fix(FixStep::say(msg("look-outside")))]
}

/// The compose service that answers the authority: the proxy that logged
/// the lines, else the project's only proxy in a container.
fn proxy_service(model: &StackModel, events: &[&LogEvent]) -> Option<ServiceId> {
    let mut proxies: Vec<ServiceId> = model.proxies.iter().filter_map(|p| p.service).collect();
    // Several config files (a Caddyfile and its imports) can belong to one service.
    proxies.sort_unstable();
    proxies.dedup();
    let logged = |id: &ServiceId| {
        events.iter().any(|e| {
            e.service
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&model.services[*id].name))
        })
    };
    if let Some(id) = proxies.iter().copied().find(|id| logged(id)) {
        return Some(id);
    }
    match proxies.as_slice() {
        [only] => Some(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, example_tree};

    const EXAMPLE: (&str, &[&str]) = ("acme-challenge-failed", &["--logs", "logs/caddy.log"]);

    #[test]
    fn a_proxy_that_does_not_publish_port_80_is_told_to_publish_it() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            EXAMPLE,
            "compose.yaml:2",
            &[
                "tls-acme-challenge-failed.publish",
                "--force-recreate caddy",
            ],
        );
        let (_dir, model) = example_tree(EXAMPLE.0, EXAMPLE.1, &[]);
        let fix = format!("{:?}", super::run(&model)[0].fix);
        assert!(fix.contains(r#"\"80:80\""#), "{fix}");
        assert!(!fix.contains("443:443"), "443 is published already: {fix}");
    }

    #[test]
    fn both_ports_published_point_outside_compose() {
        let (_dir, model) = example_tree(
            EXAMPLE.0,
            EXAMPLE.1,
            &[(
                "compose.yaml",
                "- \"443:443\"",
                "- \"80:80\"\n      - \"443:443\"",
            )],
        );
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let finding = &findings[0];
        assert_eq!(finding.subject.as_deref(), Some("caddy"));
        assert_eq!(
            finding.params.get("host").map(String::as_str),
            Some("office.example.org")
        );
        let labels: Vec<String> = finding
            .evidence
            .iter()
            .map(|e| format!("{:?}", e.label))
            .collect();
        assert_eq!(
            labels.iter().filter(|l| l.contains("published")).count(),
            2,
            "{labels:?}"
        );
        assert!(format!("{:?}", finding.fix).contains("look-outside"));
    }

    #[test]
    fn without_a_failure_in_the_logs_nothing_is_said() {
        let (_dir, model) = example_tree(EXAMPLE.0, &[], &[]);
        assert!(super::run(&model).is_empty());
    }
}
