//! # proxy-config-invalid
//!
//! **What it detects:** a Caddyfile that Caddy would refuse to load, or an
//! nginx configuration `nginx -t` would reject (the unexpected `}` of a
//! missing `;`, an unclosed block or quote), at the place nginx names: a
//! syntax error (unbalanced braces, a `{` on its own line, an unterminated
//! heredoc), an unknown site address form, an import cycle.
//!
//! **Why it breaks requests:** Caddy does not start with a config it cannot
//! adapt, and `caddy reload` keeps the old config, so the site is down or
//! stale while the file on disk looks right.
//!
//! **Example:**
//! ```text
//! example.com
//! {
//!     reverse_proxy web:8000
//! }
//! ```
//! fails with `Unexpected '{' on a new line; did you mean to place the '{' on the previous line?`.
//!
//! **Fix:** correct the line the error names, check it with
//! `caddy validate --config Caddyfile --adapter caddyfile`, then reload Caddy.

use crate::finding::{Finding, FixStep};
use crate::model::StackModel;

cause!("proxy-config-invalid");

pub fn run(model: &StackModel) -> Vec<Finding> {
    model
        .invalid_inputs
        .iter()
        .filter(|input| matches!(input.kind.as_str(), "caddyfile" | "nginx" | "traefik-rule"))
        .map(|input| {
            let nginx = input.kind == "nginx";
            let file = input
                .origin
                .position()
                .map(|p| crate::checks::support::shown(model, &p.file))
                .unwrap_or_default();
            let config = match input.kind.as_str() {
                "traefik-rule" => "Traefik rule",
                "nginx" => "nginx config",
                _ => "Caddyfile",
            };
            let mut finding = Finding::new(CAUSE)
                .param("file", &file)
                .param("config", config)
                .param("message", &input.message);
            if nginx {
                finding = finding.param("title", "nginx-title");
            }
            let label = msg("error-here").with("message", &input.message);
            if input.kind == "traefik-rule" {
                // Traefik skips the router and logs the parse error; nothing to validate offline.
                return finding
                    .evidence(input.origin.clone(), label)
                    .fix(FixStep::say(msg("correct-line")));
            }
            finding
                .evidence(input.origin.clone(), label)
                .fix(FixStep::say(msg("correct-line")))
                .fix(FixStep::run(
                    msg("validate"),
                    if nginx {
                        nginx_test_command(model, &input.origin)
                    } else {
                        format!("caddy validate --config {file} --adapter caddyfile")
                    },
                ))
        })
        .collect()
}

/// `nginx -t` where nginx runs: in a one-off container of the proxy's service
/// (it works while the service cannot start), else on the host.
fn nginx_test_command(model: &StackModel, origin: &crate::model::Origin) -> String {
    let file = origin.position().map(|p| p.file.clone());
    let proxy = model.proxies.iter().find(|p| {
        p.kind == crate::model::ProxyKind::Nginx
            && (Some(&p.config_file) == file.as_ref() || p.sites.is_empty())
    });
    match proxy.and_then(|p| p.service) {
        Some(id) => {
            let service = &model.services[id];
            format!(
                "{} run --rm --no-deps {} nginx -t",
                crate::checks::support::compose_command(model, service.project),
                service.name
            )
        }
        None => "nginx -t".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::{assert_example_finding, assert_example_quiet};

    #[test]
    fn a_misspelt_directive_is_shown_with_the_validate_command() {
        assert_example_finding(
            super::run,
            super::CAUSE,
            ("config-invalid", &[]),
            "Caddyfile:3",
            &["caddy validate --config Caddyfile"],
        );
    }

    #[test]
    fn a_valid_caddyfile_is_quiet() {
        assert_example_quiet(
            super::run,
            ("config-invalid", &[]),
            &[("Caddyfile", "reverse_prxy", "reverse_proxy")],
        );
    }
}
