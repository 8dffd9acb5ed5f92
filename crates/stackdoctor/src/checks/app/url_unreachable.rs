//! # url-unreachable
//!
//! **What it detects:** no probe of the URL given with `--url` could
//! connect: the connection was refused or timed out, the network had no
//! route, or the name did not resolve. (A server that accepts the
//! connection and then hangs is there: the probe notes say it timed out.) When a
//! compose service publishes the URL's port, the finding names it.
//!
//! **Why it breaks requests:** nothing is listening where the requests go,
//! or something between drops them: a stopped container, a port that is not
//! published, a firewall or security group, a name that points elsewhere.
//! No proxy or application setting matters until the endpoint answers.
//!
//! **Example:** `stackdoctor diagnose --url http://localhost:8000/api/items`
//! while the `api` service that publishes `8000:8000` is stopped.
//!
//! **Fix:** start the service that serves the URL (the finding gives the
//! command when the stack publishes its port) and check that it listens on
//! the published port: `docker compose ps`, `ss -ltnp`, `curl -v URL`.

use crate::checks::support::start_service_command;
use crate::finding::{Finding, FixStep};
use crate::model::{Origin, StackModel};
use liveprobe::app::AppOutcome;
use liveprobe::http::HttpError;

cause!("url-unreachable");

pub fn run(model: &StackModel) -> Vec<Finding> {
    let Some(live) = &model.aws.live else {
        return Vec::new();
    };
    let mut findings = Vec::new();
    for app in &live.apps {
        // Failures before a connection; a server that accepts and then
        // hangs, resets or refuses the certificate is there.
        let failures: Vec<(&str, &str, &HttpError)> = app
            .probes
            .iter()
            .filter_map(|p| match &p.outcome {
                AppOutcome::Failed {
                    error:
                        error @ (HttpError::Dns { .. }
                        | HttpError::Refused
                        | HttpError::Unreachable { .. }
                        | HttpError::ConnectTimeout),
                } => Some((p.method.as_str(), p.url.as_str(), error)),
                _ => None,
            })
            .collect();
        if failures.is_empty() || failures.len() < app.probes.len() {
            continue;
        }
        let mut finding = Finding::new(CAUSE)
            .subject(&app.base)
            .param("url", &app.base);
        for (method, url, error) in &failures {
            finding = finding.evidence(
                Origin::Probe {
                    probe: format!("{method} {url}"),
                },
                msg("failed").with("error", error.to_string()),
            );
        }
        let port = model
            .requested_url
            .as_ref()
            .filter(|u| app.base.contains(&u.host))
            .map(|u| u.port.unwrap_or(if u.scheme == "https" { 443 } else { 80 }));
        let publisher = port.and_then(|port| {
            model.services.iter().enumerate().find_map(|(id, s)| {
                let published = s.published.iter().find(|p| {
                    p.value
                        .0
                        .rsplit(':')
                        .next()
                        .and_then(|h| h.parse::<u16>().ok())
                        == Some(port)
                })?;
                Some((id, s, published))
            })
        });
        if let Some((id, service, published)) = publisher {
            finding = finding
                .evidence(
                    published.origin.clone(),
                    msg("published")
                        .with("service", &service.name)
                        .with("port", port.unwrap_or_default().to_string()),
                )
                .fix(FixStep::run(
                    msg("start").with("service", &service.name),
                    start_service_command(model, id, "up -d"),
                ));
        }
        findings.push(finding.fix(FixStep::say(msg("check-listener").with("url", &app.base))));
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;
    use liveprobe::app::{AppOutcome, AppProbe, ProbeKind};
    use liveprobe::http::HttpError;
    use liveprobe::{AppReport, LiveReport};

    fn probe(outcome: AppOutcome) -> AppProbe {
        AppProbe {
            kind: ProbeKind::Root,
            method: "GET".into(),
            url: "http://localhost:8000/".into(),
            outcome,
            elapsed_ms: 0,
        }
    }

    fn refused() -> AppOutcome {
        AppOutcome::Failed {
            error: HttpError::Refused,
        }
    }

    #[test]
    fn a_refused_url_names_the_service_that_publishes_its_port() {
        let compose = "services:\n  api:\n    image: api\n    ports:\n      - \"8000:8000\"\n";
        let (_dir, mut model) = test_tree(&[("compose.yaml", compose)]);
        model.requested_url = Some(crate::sources::parse_url("http://localhost:8000/").unwrap());
        model.aws.live = Some(LiveReport {
            apps: vec![AppReport {
                base: "http://localhost:8000/".into(),
                probes: vec![probe(refused()), probe(refused())],
            }],
            ..LiveReport::default()
        });
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        let command = findings[0].fix[0].command.as_deref().unwrap();
        assert!(command.ends_with("up -d api"), "{command}");
        let at = findings[0].evidence[2].origin.position().unwrap();
        assert_eq!((at.line, at.column), (5, 9));
    }

    #[test]
    fn one_answer_means_the_url_is_reachable() {
        let (_dir, mut model) = test_tree(&[]);
        let answered = AppOutcome::Response(Default::default());
        model.aws.live = Some(LiveReport {
            apps: vec![AppReport {
                base: "http://localhost:8000/".into(),
                probes: vec![probe(refused()), probe(answered)],
            }],
            ..LiveReport::default()
        });
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn a_server_that_accepts_and_hangs_is_not_unreachable() {
        let (_dir, mut model) = test_tree(&[]);
        let hung = AppOutcome::Failed {
            error: HttpError::Timeout {
                received: 0,
                status: None,
            },
        };
        model.aws.live = Some(LiveReport {
            apps: vec![AppReport {
                base: "http://localhost:8000/".into(),
                probes: vec![probe(hung.clone()), probe(hung)],
            }],
            ..LiveReport::default()
        });
        assert!(super::run(&model).is_empty());
    }
}
