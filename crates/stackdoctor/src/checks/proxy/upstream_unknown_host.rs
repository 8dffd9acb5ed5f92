//! # upstream-unknown-host
//!
//! **What it detects:** a `reverse_proxy` upstream whose host is no compose
//! service name, network alias, `container_name` or `links:` alias anywhere
//! in the stack (hosts with a dot are left alone: they may be real DNS names).
//!
//! **Why it breaks requests:** inside a container, names are resolved by
//! Docker's embedded DNS (`127.0.0.11`), which knows only those names. The
//! dial fails with `dial tcp: lookup frontend on 127.0.0.11:53: no such host`
//! and Caddy answers `502 Bad Gateway`.
//!
//! **Example:** `reverse_proxy frontend:3000` while the app's service is
//! called `web` and listens on 8000.
//!
//! **Fix:** point the upstream at the service's name and port
//! (`reverse_proxy web:8000`), then reload Caddy.

use super::support::{log_evidence, reload_proxy_step, suggest_service, upstreams};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep, Hop, HopState, Message};
use crate::model::{Origin, StackModel, UpstreamTarget};
use crate::names::edit_distance;

cause!("upstream-unknown-host");

/// Services listed in full up to this many; beyond, the closest names only.
const LISTED_NAMES: usize = 20;

/// The stack's service names, or in a large stack the ones closest to `host`.
fn known_names(model: &StackModel, host: &str) -> Message {
    let mut names: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    if names.len() <= LISTED_NAMES {
        return msg("known-names").with("names", names.join(", "));
    }
    let count = names.len();
    // Stable: equally close names keep the order of the compose files.
    names.sort_by_cached_key(|name| edit_distance(name, host));
    names.truncate(LISTED_NAMES);
    msg("closest-names")
        .with("names", names.join(", "))
        .with("count", count.to_string())
}

pub fn run(model: &StackModel) -> Vec<Finding> {
    let mut findings = Vec::new();
    for ctx in upstreams(model) {
        let upstream = ctx.upstream;
        // Without any compose service there is nothing to compare the name with
        // (Caddy on a host resolves through its own DNS and /etc/hosts).
        if upstream.target != UpstreamTarget::Unknown
            || upstream.host.contains('.')
            || upstream.host.is_empty()
            || model.services.is_empty()
        {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&upstream.host)
            .param("upstream", &upstream.text)
            .param("host", &upstream.host);
        let here = Message::new("common.upstream-here").with("upstream", &upstream.text);
        finding = finding.evidence(upstream.origin.clone(), here);
        let label = known_names(model, &upstream.host);
        finding = finding.evidence(Origin::implied("docker compose"), label);
        finding = finding.log_lines(log_evidence(
            model,
            &upstream.host,
            upstream.port,
            &["proxy-upstream-lookup-failed"],
        ));
        let tail = vec![Hop {
            label: format!("{} ✗", upstream.host),
            state: HopState::Broken,
            origin: None,
        }];
        finding = finding.path(ctx.path(HopState::Broken, tail));
        match suggest_service(model, ctx.proxy, &upstream.host, upstream.port) {
            Some((id, port)) => {
                // Keep the scheme the upstream is written with (`http://api:8000`).
                let scheme = upstream
                    .scheme
                    .as_deref()
                    .filter(|s| upstream.text.starts_with(&format!("{s}://")))
                    .map_or(String::new(), |s| format!("{s}://"));
                let suggestion = format!("{scheme}{}:{port}", model.services[id].name);
                let message = msg("use-service")
                    .with("upstream", &upstream.text)
                    .with("suggestion", &suggestion);
                // Where only the host is written on the line (SWAG's
                // `set $upstream_app nextclod;`), and the port stays, edit the host.
                let name = &model.services[id].name;
                let edit = replace_on_line(model, &upstream.origin, &upstream.text, &suggestion)
                    .or_else(|| {
                        (upstream.port.is_none_or(|p| p == port))
                            .then(|| replace_on_line(model, &upstream.origin, &upstream.host, name))
                            .flatten()
                    });
                finding = match edit {
                    Some(edit) => finding.fix(FixStep::edit(message, edit)),
                    None => finding.fix(FixStep::say(message)),
                };
            }
            None => {
                finding = finding.fix(FixStep::say(
                    msg("name-a-service").with("host", &upstream.host),
                ));
            }
        }
        findings.push(finding.fix(reload_proxy_step(model, ctx.proxy)));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn an_upstream_no_service_is_named_is_told_the_nearest_service() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("compose-named-oddly", &[]),
            "deploy/Caddyfile:2",
            &[
                "reverse_proxy app:3000",
                "-f docker-compose-prod.yml restart proxy",
            ],
        );
    }

    #[test]
    fn an_upstream_naming_the_service_is_quiet() {
        assert_example_quiet(
            super::run,
            ("compose-named-oddly", &[]),
            &[("deploy/Caddyfile", "frontend:3000", "app:3000")],
        );
    }
}
