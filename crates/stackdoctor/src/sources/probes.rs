//! Live probe answers as evidence: what the app said when probed (a 500
//! naming `AccessDeniedException`, `"bedrock_client": "not initialized"`)
//! becomes events like log lines, matched against the same signatures, so
//! checks weigh a probe's answer exactly as they weigh a log line. So does
//! an `https://` probe whose handshake failed on the certificate (expired,
//! untrusted issuer, wrong name).

use super::logs::Signatures;
use crate::error::Error;
use crate::model::{LogEvent, Origin, Sourced, StackModel};
use liveprobe::app::{AppOutcome, AppResponse};
use liveprobe::imds::Reachability;
use liveprobe::LiveReport;

/// Adds one event per app answer that a signature recognises (the
/// signature library loads at the first answer that has something to say).
pub fn add_probe_events(
    model: &mut StackModel,
    live: &LiveReport,
    signatures: &Signatures,
) -> Result<(), Error> {
    for app in &live.apps {
        let service = service_behind(model, &app.base);
        for probe in &app.probes {
            let (text, origin) = match &probe.outcome {
                AppOutcome::Response(response) => {
                    let Some(text) = said(response) else {
                        continue;
                    };
                    let origin = Origin::Probe {
                        probe: format!("{} {} → {}", probe.method, probe.url, response.status),
                    };
                    (text, origin)
                }
                // A refused certificate is what the probe saw: evidence too.
                AppOutcome::Failed {
                    error: error @ liveprobe::http::HttpError::Tls { .. },
                } => {
                    let text = crate::secrets::mask_patterns(&format!(
                        "probe {} {}: {error}",
                        probe.method, probe.url
                    ));
                    let origin = Origin::Probe {
                        probe: format!("{} {} → TLS handshake failed", probe.method, probe.url),
                    };
                    (text, origin)
                }
                AppOutcome::Failed { .. } => continue,
            };
            let specs = signatures.get()?.match_text(&text);
            if specs.is_empty() {
                continue;
            }
            for spec in specs {
                model.log_events.push(LogEvent {
                    origin: origin.clone(),
                    signature: spec.id.clone(),
                    causes: spec.causes.clone(),
                    service: service.clone(),
                    host: None,
                    port: None,
                    host_service: None,
                    text: text.clone(),
                    message: text.clone(),
                    timestamp: None,
                });
            }
        }
    }
    Ok(())
}

/// One note per probe with its outcome (a status, a refused connection, a
/// timeout), so that what was asked and what came of it shows in every report.
pub fn add_probe_notes(model: &mut StackModel, live: &LiveReport) {
    for app in &live.apps {
        for probe in &app.probes {
            let outcome = match &probe.outcome {
                AppOutcome::Response(response) => format!("answered {}", response.status),
                AppOutcome::Failed { error } => error.to_string(),
            };
            let text = format!(
                "probe {} {}: {outcome} ({} ms)",
                probe.method, probe.url, probe.elapsed_ms
            );
            model.notes.push(Sourced::new(
                text,
                Origin::Probe {
                    probe: format!("{} {}", probe.method, probe.url),
                },
            ));
        }
    }
    if let Some(imds) = &live.imds {
        let reachability = match &imds.reachability {
            Reachability::Answered => "answered".to_string(),
            Reachability::Refused => "connection refused".to_string(),
            Reachability::ConnectTimeout => "connect timed out".to_string(),
            Reachability::NoAnswer => "connected, no answer before the deadline".to_string(),
            Reachability::Failed { error } => error.to_string(),
        };
        let mut text = format!(
            "probe instance metadata {}: {reachability}, verdict {}",
            imds.endpoint,
            serde_json::to_value(imds.verdict)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        );
        for problem in &imds.problems {
            text.push_str("; ");
            text.push_str(problem);
        }
        model.notes.push(Sourced::new(
            text,
            Origin::Probe {
                probe: imds.endpoint.clone(),
            },
        ));
    }
}

/// What an answer says about a failure: its error text, or the client state.
fn said(response: &AppResponse) -> Option<String> {
    let text = response
        .detail
        .clone()
        .or_else(|| response.error.clone())
        .or_else(|| response.excerpt.clone())
        .filter(|_| response.status >= 400);
    let text = match (text, response.bedrock_client_not_initialized()) {
        (Some(t), _) => t,
        (None, true) => "\"bedrock_client\": \"not initialized\"".to_string(),
        (None, false) => return None,
    };
    Some(crate::secrets::mask_patterns(&text))
}

/// The compose service whose published port the URL reaches (`localhost:8000`).
fn service_behind(model: &StackModel, base: &str) -> Option<String> {
    let url = super::parse_url(base).ok()?;
    let local = matches!(
        url.host.as_str(),
        "localhost" | "127.0.0.1" | "::1" | "0.0.0.0"
    );
    let port = url
        .port
        .unwrap_or(if url.scheme == "https" { 443 } else { 80 });
    let service = model
        .services
        .iter()
        .find(|s| local && s.published.iter().any(|p| p.value.0 == port.to_string()))?;
    Some(service.name.clone())
}
