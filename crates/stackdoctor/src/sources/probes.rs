//! Live probe answers as evidence: what the app said when probed (a 500
//! naming `AccessDeniedException`, `"bedrock_client": "not initialized"`)
//! becomes events like log lines, matched against the same signatures, so
//! checks weigh a probe's answer exactly as they weigh a log line. So does
//! an `https://` probe whose handshake failed on the certificate (expired,
//! untrusted issuer, wrong name).

use super::logs::SignatureSet;
use crate::live::app::{AppOutcome, AppResponse};
use crate::live::LiveReport;
use crate::model::{LogEvent, Origin, StackModel};

/// Adds one event per app answer that a signature recognises.
pub fn add_probe_events(model: &mut StackModel, live: &LiveReport, set: &SignatureSet) {
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
                    error: error @ crate::live::http::HttpError::Tls { .. },
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
            let specs = set.match_text(&text);
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
                    text: text.clone(),
                    message: text.clone(),
                    timestamp: None,
                });
            }
        }
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
