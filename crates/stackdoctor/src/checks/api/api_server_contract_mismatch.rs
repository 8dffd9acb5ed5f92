//! # api-server-contract-mismatch
//!
//! **What it detects:** a place in the server code (Express, Hono, Fastify,
//! Next.js route handlers, FastAPI, Flask) that answers an error differently
//! from the contract: another HTTP status or `retryable` flag for a
//! documented code, a body that breaks the documented envelope (`{"error":
//! "boom"}` where `{"success": false, "error": {"code", …}}` is documented, a
//! text body, FastAPI's `HTTPException` `{"detail": …}`), and the framework
//! defaults that bypass the envelope when no handler is registered: FastAPI's
//! `422 {"detail": […]}` for invalid requests (no `RequestValidationError`
//! handler), Express's HTML 500 page (no `(err, req, res, next)` middleware),
//! Hono's and Flask's text/HTML 500, Fastify's `{statusCode, error, message}`.
//! Without a contract, HTTP's own semantics are the contract: a body that
//! calls a 400 retryable, or a 503 not retryable, is found too.
//!
//! With `diagnose --url URL --probe-api` the running API is asked too, with
//! requests that cannot change data: no credentials (the documented 401),
//! a body that is not JSON (the documented 400), and with `--header` an ID
//! that does not exist (the documented 404). Each answer's status,
//! `Content-Type`, envelope, code and flag are checked; what the API
//! answered is a failure seen, ranked above what the files suggest. So are
//! answers saved in a HAR file or `curl -i` output given with `--logs`.
//!
//! **Why it breaks requests:** clients are written from the contract: they
//! branch on the status, read `error.code` and decide retries from
//! `error.retryable`. An answer that drifts from it is misread: a retry
//! that can never succeed, no retry for one that would, or a `SyntaxError`
//! from an HTML page where JSON was promised.
//!
//! **Example:** the catalogue documents `VALIDATION_ERROR` as `400`, the route
//! sends `res.status(422).json({ success: false, error: { code:
//! 'VALIDATION_ERROR', … } })`.
//!
//! **Fix:** send the documented status and flag (the finding shows the
//! corrected line), build every error body through one helper that follows
//! the envelope, and register the framework's handlers so its own errors
//! follow it too (the finding gives the handler's code).

use super::support::{http_retryable, response_code, server_contract};
use crate::checks::support::replace_on_line;
use crate::finding::{Finding, FixStep, Severity};
use crate::model::api::{
    AnswerSeen, ContractDoc, ErrorResponse, Framework, Handles, ProbePurpose, ResponseKind,
    ServerApp,
};
use crate::model::{Origin, StackModel};
use contract::envelope::values_at;
use serde_json::Value;

cause!("api-server-contract-mismatch");

/// The most envelope breaches quoted for one answer.
const MAX_BREACHES: usize = 3;

pub fn run(model: &StackModel) -> Vec<Finding> {
    let servers = &model.api.servers;
    let handled = |what: Handles| {
        servers
            .iter()
            .flat_map(|s| &s.handlers)
            .any(|h| h.handles == what)
    };
    let mut findings = Vec::new();
    let contract = server_contract(model);
    for response in servers.iter().flat_map(|s| &s.responses) {
        findings.extend(match contract {
            Some(doc) => against_contract(model, doc, response, handled(Handles::HttpExceptions)),
            None => against_http(model, response),
        });
    }
    for answer in &model.api.answers {
        findings.extend(against_probe(model, contract, answer));
    }
    if let Some(doc) = contract.filter(|d| d.contract.envelope.is_some()) {
        for app in servers.iter().flat_map(|s| &s.apps) {
            findings.extend(framework_default(doc, app, &handled));
        }
    }
    findings
}

/// Statuses that may answer any probe before the API looks at it: no
/// credentials or not allowed, a method the route lacks, a content type it refuses.
const EARLY_REJECTIONS: &[u16] = &[401, 403, 405, 415];

/// What the API answered to a `--probe-api` request, against the contract
/// (or HTTP's semantics without one).
fn against_probe(
    model: &StackModel,
    contract: Option<&ContractDoc>,
    answer: &AnswerSeen,
) -> Option<Finding> {
    let status = answer.status.to_string();
    let mut finding = Finding::new(CAUSE)
        .subject(match answer.purpose {
            Some(purpose) => format!("probe:{}", purpose.name()),
            None => answer.origin.display(&model.root),
        })
        .param("status", &status)
        .evidence(
            answer.origin.clone(),
            msg("probe-answer")
                .with("status", &status)
                .with(
                    "type",
                    answer.content_type.as_deref().unwrap_or("no Content-Type"),
                )
                .with("excerpt", one_line(&answer.excerpt)),
        );
    let mut problems = 0;
    // A documented code sent with another status: the status to send.
    let mut documented_status = None;
    if answer.status < 400 {
        // Only a body that is not JSON must never be accepted.
        if answer.purpose == Some(ProbePurpose::Malformed) && answer.status < 300 {
            return Some(
                finding
                    .evidence(answer.origin.clone(), msg("probe-accepted-malformed"))
                    .fix(FixStep::say(msg("fix-probe-accepted-malformed"))),
            );
        }
        return None;
    }
    let expected = answer.purpose.map(|p| expected_answer(contract, p));
    let json_type = answer
        .content_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("json"));
    // A gateway's own page (502, 503, 504 from the proxy) is the proxy's
    // answer, not the API's: the proxy checks explain it.
    let gateway_page = answer.body.is_none() && matches!(answer.status, 502..=504);
    if contract.is_some() && (answer.body.is_none() || !json_type) && !gateway_page {
        problems += 1;
        finding = finding.evidence(
            answer.origin.clone(),
            msg("probe-not-json").with("type", answer.content_type.as_deref().unwrap_or("none")),
        );
    }
    if let (Some(doc), Some(body)) = (contract, &answer.body) {
        if let Some(envelope) = &doc.contract.envelope {
            let breaches = envelope.breaches(body);
            for breach in breaches.iter().take(MAX_BREACHES) {
                problems += 1;
                finding = finding.evidence(answer.origin.clone(), breach_label(breach));
            }
            if !breaches.is_empty() {
                finding = finding.evidence(doc.origin(envelope.at, 0), msg("documented-envelope"));
            }
        }
        let code = values_at(body, &doc.contract.code_path())
            .into_iter()
            .next()
            .and_then(|v| v.as_str().map(str::to_string));
        if let Some((doc, entry)) = code.as_deref().and_then(|c| model.api.code(c)) {
            if let Some(documented) = entry.status.as_ref().filter(|s| s.code != answer.status) {
                problems += 1;
                documented_status = Some((entry.code.clone(), documented.code));
                finding = finding
                    .param("code", &entry.code)
                    .evidence(
                        answer.origin.clone(),
                        msg("status")
                            .with("code", &entry.code)
                            .with("status", &status),
                    )
                    .evidence(
                        doc.origin(documented.at, documented.text.chars().count()),
                        msg("documented-status")
                            .with("code", &entry.code)
                            .with("status", documented.code.to_string()),
                    );
            }
            let flag = doc
                .contract
                .retryable_path()
                .and_then(|path| values_at(body, &path).into_iter().next()?.as_bool());
            let documented_flag = entry.retryable.as_ref().and_then(|f| f.value.as_bool());
            if let (Some(flag), Some(documented_flag)) = (flag, documented_flag) {
                if flag != documented_flag {
                    problems += 1;
                    finding = finding
                        .evidence(
                            answer.origin.clone(),
                            msg("flag")
                                .with("code", &entry.code)
                                .with("flag", flag.to_string()),
                        )
                        .evidence(
                            doc.origin(entry.retryable.as_ref().map_or(entry.at, |f| f.at), 0),
                            msg("documented-flag")
                                .with("code", &entry.code)
                                .with("flag", documented_flag.to_string()),
                        );
                }
            }
        }
    }
    if contract.is_none() {
        // HTTP's semantics: a flag they contradict.
        let flag = answer.body.as_ref().and_then(|b| {
            [
                "retryable",
                "error.retryable",
                "retriable",
                "error.retriable",
            ]
            .iter()
            .find_map(|path| values_at(b, path).into_iter().next()?.as_bool())
        });
        if let (Some(flag), Some(semantic)) = (flag, http_retryable(answer.status)) {
            if flag != semantic {
                problems += 1;
                finding = finding.evidence(
                    answer.origin.clone(),
                    msg("flag-http")
                        .with("status", &status)
                        .with("flag", flag.to_string()),
                );
            }
        }
    }
    let wrong = expected.as_ref().filter(|expected| {
        answer.status != expected.status
            && !EARLY_REJECTIONS.contains(&answer.status)
            && (contract.is_some() || answer.status >= 500)
    });
    if let (Some(expected), Some(purpose)) = (wrong, answer.purpose) {
        problems += 1;
        let label = match &expected.code {
            Some(code) => msg(&format!("probe-expected-{}", purpose.name()))
                .with("code", code)
                .with("status", expected.status.to_string()),
            None => msg(&format!("probe-expected-{}-http", purpose.name()))
                .with("status", expected.status.to_string()),
        };
        finding = finding.evidence(answer.origin.clone(), label);
    }
    if problems == 0 {
        return None;
    }
    let step = match (&expected, contract) {
        (Some(expected), _) => {
            let example = contract.map(|doc| example(doc, expected.code.clone(), None));
            msg("fix-probe")
                .with("status", expected.status.to_string())
                .with("code", expected.code.as_deref().unwrap_or("-"))
                .with("example", example.unwrap_or_else(|| "-".to_string()))
        }
        // An answer saved in a file: the documented status of its code, else
        // the documented body of its code or status.
        (None, Some(_)) if documented_status.is_some() => {
            let (code, documented) = documented_status.unwrap_or_default();
            msg("fix-status")
                .with("code", code)
                .with("status", documented.to_string())
        }
        (None, Some(doc)) => {
            let code = answer.body.as_ref().and_then(|b| {
                values_at(b, &doc.contract.code_path())
                    .into_iter()
                    .next()?
                    .as_str()
                    .map(str::to_string)
            });
            msg("fix-envelope").with("example", example(doc, code, Some(answer.status)))
        }
        (None, None) => msg("fix-http").with("status", &status),
    };
    Some(finding.fix(FixStep::say(step)))
}

/// What a probe's answer should be: the documented code for its purpose
/// and that code's status, or HTTP's status without one.
struct Expected {
    code: Option<String>,
    status: u16,
}

fn expected_answer(contract: Option<&ContractDoc>, purpose: ProbePurpose) -> Expected {
    let status = purpose.expected_status();
    let Some(doc) = contract else {
        return Expected { code: None, status };
    };
    let codes = &doc.contract.codes;
    let named = |words: &[&str]| {
        codes.iter().find(|c| {
            let name = c.code.to_ascii_uppercase();
            words.iter().any(|w| name.contains(w))
        })
    };
    let by_status = codes
        .iter()
        .find(|c| c.status.as_ref().is_some_and(|s| s.code == status));
    let entry = match purpose {
        ProbePurpose::Malformed => named(&["VALIDATION", "INVALID", "BAD_REQUEST"]).or(by_status),
        ProbePurpose::Unauthenticated => by_status.or_else(|| named(&["UNAUTH"])),
        ProbePurpose::UnknownId => by_status.or_else(|| named(&["NOT_FOUND"])),
    };
    match entry {
        Some(entry) => Expected {
            code: Some(entry.code.clone()),
            status: entry.status.as_ref().map_or(status, |s| s.code),
        },
        None => Expected { code: None, status },
    }
}

/// Text on one line, for a label.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The flag an answer's body carries, at the contract's path or any `retryable` key.
fn flag_of(doc: Option<&ContractDoc>, response: &ErrorResponse) -> Option<(bool, Origin)> {
    let body = response.body.as_ref()?;
    let path = doc.and_then(|d| d.contract.retryable_path()).or_else(|| {
        body.positions
            .iter()
            .map(|(p, _)| p)
            .find(|p| {
                let key = p.rsplit('.').next().unwrap_or(p);
                matches!(
                    key,
                    "retryable" | "retriable" | "isRetryable" | "is_retryable"
                )
            })
            .cloned()
    })?;
    let value = values_at(&body.value, &path)
        .into_iter()
        .next()?
        .as_bool()?;
    Some((value, body.origin_of(&path).cloned()?))
}

fn base(model: &StackModel, response: &ErrorResponse) -> Finding {
    let status = response
        .status
        .as_ref()
        .map(|s| s.value.to_string())
        .unwrap_or_else(|| "?".to_string());
    let mut finding = Finding::new(CAUSE)
        .subject(response.origin.display(&model.root))
        .param("status", status)
        .about_setting()
        .evidence(
            response.origin.clone(),
            msg("answer").with("text", &response.text),
        );
    if let Some(via) = &response.via {
        finding = finding.param("via", via);
    }
    finding
}

fn against_contract(
    model: &StackModel,
    envelope_doc: &ContractDoc,
    response: &ErrorResponse,
    http_exceptions_handled: bool,
) -> Option<Finding> {
    let mut finding = base(model, response);
    let mut problems = 0;
    let code = response_code(envelope_doc, response);
    let documented = code.as_ref().and_then(|(c, _)| model.api.code(c));
    if let (Some((code, code_origin)), Some((doc, entry))) = (&code, documented) {
        finding = finding.param("code", code);
        if let Some(origin) = code_origin {
            finding = finding.evidence(origin.clone(), msg("code").with("code", code));
        }
        if let (Some(status), Some(expected)) = (&response.status, &entry.status) {
            if status.value != expected.code {
                problems += 1;
                finding = finding
                    .evidence(
                        status.origin.clone(),
                        msg("status")
                            .with("code", code)
                            .with("status", status.value.to_string()),
                    )
                    .evidence(
                        doc.origin(expected.at, expected.text.chars().count()),
                        msg("documented-status")
                            .with("code", code)
                            .with("status", expected.code.to_string()),
                    );
                let step = msg("fix-status")
                    .with("code", code)
                    .with("status", expected.code.to_string());
                let edit = replace_on_line(
                    model,
                    &status.origin,
                    &status.value.to_string(),
                    &expected.code.to_string(),
                );
                finding = finding.fix(match edit {
                    Some(edit) if editable(response, &edit) => FixStep::edit(step, edit),
                    _ => FixStep::say(step),
                });
            }
        }
        let expected_flag = entry.retryable.as_ref().and_then(|f| f.value.as_bool());
        if let (Some((flag, origin)), Some(expected)) =
            (flag_of(Some(doc), response), expected_flag)
        {
            if flag != expected {
                problems += 1;
                let documented_at = entry.retryable.as_ref().map_or(entry.at, |f| f.at);
                finding = finding
                    .evidence(
                        origin.clone(),
                        msg("flag")
                            .with("code", code)
                            .with("flag", flag.to_string()),
                    )
                    .evidence(
                        doc.origin(documented_at, 0),
                        msg("documented-flag")
                            .with("code", code)
                            .with("flag", expected.to_string()),
                    );
                let step = msg("fix-flag")
                    .with("code", code)
                    .with("flag", expected.to_string());
                let edit = replace_on_line(
                    model,
                    &origin,
                    &python_or_js(flag, &origin),
                    &python_or_js(expected, &origin),
                );
                finding = finding.fix(match edit {
                    Some(edit) if editable(response, &edit) => FixStep::edit(step, edit),
                    _ => FixStep::say(step),
                });
            }
        }
    }
    // The envelope: only bodies the framework sends as written.
    if let Some(envelope) = &envelope_doc.contract.envelope {
        let rewritten = response.kind == ResponseKind::HttpException && http_exceptions_handled;
        match (&response.body, response.kind) {
            (_, ResponseKind::Thrown) => {}
            (_, _) if rewritten => {}
            (None, ResponseKind::Text) => {
                problems += 1;
                finding = finding.evidence(response.origin.clone(), msg("text-body"));
            }
            (Some(body), _) => {
                let breaches: Vec<_> = envelope
                    .breaches(&body.value)
                    .into_iter()
                    .filter(|b| match b {
                        contract::envelope::Breach::Missing { .. } => !body.open,
                        contract::envelope::Breach::WrongType { path, .. } => {
                            !body.unknown.iter().any(|u| u == path)
                        }
                        contract::envelope::Breach::Unknown { .. } => true,
                    })
                    .take(MAX_BREACHES)
                    .collect();
                for breach in &breaches {
                    problems += 1;
                    let origin = body
                        .origin_of(breach.path())
                        .cloned()
                        .unwrap_or_else(|| response.origin.clone());
                    finding = finding.evidence(origin, breach_label(breach));
                }
                if !breaches.is_empty() {
                    finding = finding.evidence(
                        envelope_doc.origin(envelope.at, 0),
                        msg("documented-envelope"),
                    );
                }
            }
            (None, _) => {}
        }
        if problems > 0 && finding.fix.is_empty() {
            finding = finding.fix(FixStep::say(
                msg("fix-envelope").with("example", envelope_example(envelope_doc, response)),
            ));
            if response.kind == ResponseKind::HttpException {
                finding = finding.fix(FixStep::say(
                    msg("fix-http-exception").with("snippet", http_exception_handler(envelope_doc)),
                ));
            }
        }
    }
    (problems > 0).then_some(finding)
}

/// Whether an edit fixes this answer alone: not a literal inside a helper
/// that other calls share.
fn editable(response: &ErrorResponse, edit: &crate::finding::Edit) -> bool {
    let (Some(at), Some(answer)) = (edit.origin.position(), response.origin.position()) else {
        return false;
    };
    response.via.is_none() || (at.file == answer.file && at.line == answer.line)
}

fn python_or_js(flag: bool, origin: &Origin) -> String {
    let python = origin
        .position()
        .is_some_and(|p| p.file.extension().is_some_and(|e| e == "py"));
    match (python, flag) {
        (true, true) => "True".to_string(),
        (true, false) => "False".to_string(),
        (false, flag) => flag.to_string(),
    }
}

fn breach_label(breach: &contract::envelope::Breach) -> crate::finding::Message {
    use contract::envelope::Breach;
    match breach {
        Breach::Missing { path } => msg("missing").with("path", path),
        Breach::WrongType {
            path,
            expected,
            found,
        } => msg("wrong-type")
            .with("path", path)
            .with("expected", expected.as_str())
            .with("found", found.as_str()),
        Breach::Unknown { path } => msg("unknown").with("path", path),
    }
}

/// The documented envelope filled for this answer, as one line of JSON.
fn envelope_example(doc: &ContractDoc, response: &ErrorResponse) -> String {
    let code = response_code(doc, response).map(|(c, _)| c);
    example(doc, code, response.status.as_ref().map(|s| s.value))
}

/// The documented body, as one line of JSON, of `code` when the contract
/// has it, else of the documented code of `status`, else the bare envelope.
fn example(doc: &ContractDoc, code: Option<String>, status: Option<u16>) -> String {
    let code = code.filter(|c| doc.contract.code(c).is_some()).or_else(|| {
        let status = status?;
        doc.contract
            .codes
            .iter()
            .find(|c| c.status.as_ref().is_some_and(|s| s.code == status))
            .map(|c| c.code.clone())
    });
    let body = match code {
        Some(code) => documented_body(doc, &code),
        None => skeleton(doc, None),
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// Without a contract: a flag that HTTP's semantics contradict.
fn against_http(model: &StackModel, response: &ErrorResponse) -> Option<Finding> {
    let status = response.status.as_ref()?;
    let expected = http_retryable(status.value)?;
    let (flag, origin) = flag_of(None, response)?;
    if flag == expected {
        return None;
    }
    let step = msg("fix-http").with("status", status.value.to_string());
    Some(
        base(model, response)
            .evidence(
                origin,
                msg("flag-http")
                    .with("status", status.value.to_string())
                    .with("flag", flag.to_string()),
            )
            .fix(FixStep::say(step)),
    )
}

/// A framework's own error answers, when no handler takes them over.
fn framework_default(
    doc: &ContractDoc,
    app: &ServerApp,
    handled: &dyn Fn(Handles) -> bool,
) -> Option<Finding> {
    let (what, handles) = match app.framework {
        Framework::FastApi => ("fastapi-422", Handles::Validation),
        Framework::Express => ("express-500", Handles::Errors),
        Framework::Hono => ("hono-500", Handles::Errors),
        Framework::Fastify => ("fastify-default", Handles::Errors),
        Framework::Flask => ("flask-500", Handles::Errors),
        Framework::NextJs => return None,
    };
    if handled(handles) {
        return None;
    }
    // FastAPI's default is about invalid requests: the documented code for
    // them; the others' defaults are about failures: the documented 500 code.
    let entry = if app.framework == Framework::FastApi {
        doc.contract.codes.iter().find(|c| {
            let name = c.code.to_ascii_uppercase();
            name.contains("VALIDATION") || name.contains("INVALID") || name == "BAD_REQUEST"
        })
    } else {
        doc.contract
            .codes
            .iter()
            .find(|c| c.status.as_ref().is_some_and(|s| s.code == 500))
    };
    let fallback = if app.framework == Framework::FastApi {
        ("VALIDATION_ERROR", 400)
    } else {
        ("INTERNAL_ERROR", 500)
    };
    let code = entry.map_or(fallback.0, |c| c.code.as_str());
    let status = entry
        .and_then(|c| c.status.as_ref())
        .map_or(fallback.1, |s| s.code);
    let body = documented_body(doc, code);
    let mut finding = Finding::new(CAUSE)
        .subject(format!("{}:{what}", app.framework.name()))
        .param("framework", app.framework.name())
        .param("status", if what == "fastapi-422" { "422" } else { "500" })
        .severity(Severity::Warning)
        .about_setting()
        .evidence(
            app.origin.clone(),
            msg(what).with("framework", app.framework.name()),
        );
    finding = match (entry, what) {
        (Some(entry), "fastapi-422") => finding.evidence(
            doc.origin(entry.status.as_ref().map_or(entry.at, |s| s.at), 0),
            msg("documented-validation")
                .with("code", &entry.code)
                .with("status", status.to_string()),
        ),
        _ => match &doc.contract.envelope {
            Some(envelope) => {
                finding.evidence(doc.origin(envelope.at, 0), msg("documented-envelope"))
            }
            None => finding,
        },
    };
    Some(
        finding.fix(FixStep::say(
            msg(&format!("fix-{what}"))
                .with("code", code)
                .with("status", status.to_string())
                .with("snippet", handler_snippet(app.framework, status, &body)),
        )),
    )
}

/// The documented body of `code`: its own example, else the envelope filled
/// with its code and flag.
fn documented_body(doc: &ContractDoc, code: &str) -> Value {
    let entry = doc.contract.code(code);
    match entry.and_then(|c| c.examples.first()) {
        Some(example) => example.body.clone(),
        None => skeleton(doc, Some(code)),
    }
}

/// The envelope's fields with placeholder values, the code and its documented flag set.
fn skeleton(doc: &ContractDoc, code: Option<&str>) -> Value {
    use contract::envelope::JsonKind;
    let mut body = Value::Object(Default::default());
    let Some(envelope) = &doc.contract.envelope else {
        return serde_json::json!({"error": {"code": code.unwrap_or("…"), "message": "…"}});
    };
    let flag = code
        .and_then(|c| doc.contract.code(c))
        .and_then(|c| c.retryable.as_ref())
        .and_then(|f| f.value.as_bool());
    for field in envelope.fields.iter().filter(|f| f.required) {
        let value = match field.kind {
            JsonKind::String => Value::String("…".to_string()),
            JsonKind::Number => Value::from(0),
            JsonKind::Boolean => Value::Bool(false),
            JsonKind::Object => Value::Object(Default::default()),
            JsonKind::Array => Value::Array(Vec::new()),
            JsonKind::Null | JsonKind::Any => Value::Null,
        };
        set_at(&mut body, &field.path, value);
    }
    if let Some(code) = code {
        set_at(
            &mut body,
            &doc.contract.code_path(),
            Value::String(code.to_string()),
        );
    }
    if let (Some(path), Some(flag)) = (doc.contract.retryable_path(), flag) {
        set_at(&mut body, &path, Value::Bool(flag));
    }
    body
}

/// Sets `value` at the dotted `path`, creating the objects on the way; an
/// object already there is kept (the envelope lists parents before children).
fn set_at(body: &mut Value, path: &str, value: Value) {
    let mut slot = body;
    let mut keys = path.split('.').peekable();
    while let Some(key) = keys.next() {
        let Value::Object(map) = slot else { return };
        if keys.peek().is_none() {
            if !(value.is_object() && map.get(key).is_some_and(Value::is_object)) {
                map.insert(key.to_string(), value);
            }
            return;
        }
        slot = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Default::default()));
    }
}

/// The handler that makes the framework's own errors follow the envelope.
fn handler_snippet(framework: Framework, status: u16, body: &Value) -> String {
    let js = serde_json::to_string(body).unwrap_or_default();
    let python = python_literal(body);
    match framework {
        Framework::FastApi => format!(
            "```python\nfrom fastapi.exceptions import RequestValidationError\nfrom fastapi.responses import JSONResponse\n\n@app.exception_handler(RequestValidationError)\nasync def invalid_request(request, exc):\n    return JSONResponse(status_code={status}, content={python})\n```"
        ),
        Framework::Flask => format!(
            "```python\n@app.errorhandler(Exception)\ndef failed(error):\n    return jsonify({python}), {status}\n```"
        ),
        Framework::Express => format!(
            "```js\napp.use((err, req, res, next) => {{\n  res.status({status}).json({js});\n}});\n```"
        ),
        Framework::Hono => {
            format!("```ts\napp.onError((err, c) => c.json({js}, {status}));\n```")
        }
        Framework::Fastify | Framework::NextJs => format!(
            "```ts\napp.setErrorHandler((error, request, reply) => {{\n  reply.code({status}).send({js});\n}});\n```"
        ),
    }
}

/// A FastAPI handler that writes every `HTTPException` in the envelope.
fn http_exception_handler(doc: &ContractDoc) -> String {
    let mut body = skeleton(doc, None);
    let code = doc.contract.code_path();
    let message = doc
        .contract
        .envelope
        .as_ref()
        .and_then(|e| e.message_path.clone())
        .unwrap_or_else(|| "error.message".to_string());
    // Placeholders the Python text replaces with expressions.
    set_at(&mut body, &code, Value::String("\u{1}".to_string()));
    set_at(&mut body, &message, Value::String("\u{2}".to_string()));
    if let Some(flag) = doc.contract.retryable_path() {
        set_at(&mut body, &flag, Value::String("\u{3}".to_string()));
    }
    let literal = python_literal(&body)
        .replace("\"\\u0001\"", "CODES.get(exc.status_code, \"HTTP_ERROR\")")
        .replace("\"\\u0002\"", "str(exc.detail)")
        .replace(
            "\"\\u0003\"",
            "exc.status_code in (408, 425, 429, 502, 503, 504)",
        );
    format!(
        "```python\nfrom starlette.exceptions import HTTPException as StarletteHTTPException\n\n@app.exception_handler(StarletteHTTPException)\nasync def http_error(request, exc):\n    return JSONResponse(status_code=exc.status_code, content={literal})\n```"
    )
}

/// A JSON value written as a Python literal.
fn python_literal(value: &Value) -> String {
    match value {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(python_literal)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), python_literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::support::test_tree;

    const CONTRACT: &str = "# Errors\n\nEvery error body:\n\n```json\n{\"success\": false, \"error\": {\"code\": \"VALIDATION_ERROR\", \"message\": \"...\", \"retryable\": false}}\n```\n\n### VALIDATION_ERROR\n\n**HTTP status**: 400 Bad Request\n**Retryable**: No\n\n### RATE_LIMITED\n\n**HTTP status**: 429 Too Many Requests\n**Retryable**: Yes\n";

    const EXPRESS: &str = "import express from 'express';\n\nconst app = express();\n\napp.post('/api/items', (req, res) => {\n  if (!req.body.name) {\n    return res.status(422).json({ success: false, error: { code: 'VALIDATION_ERROR', message: 'name is required', retryable: false } });\n  }\n  return res.status(500).json({ error: 'boom' });\n});\n\napp.use((err, req, res, next) => {\n  res.status(500).json({ success: false, error: { code: 'INTERNAL_ERROR', message: 'internal', retryable: true } });\n});\n";

    /// Each finding as `subject@line` of its first evidence, for assertion messages.
    fn summary(findings: &[crate::finding::Finding]) -> Vec<String> {
        findings
            .iter()
            .map(|f| {
                let line = f.evidence[0].origin.position().map_or(0, |p| p.line);
                format!("{}@{line}", f.subject.as_deref().unwrap_or(""))
            })
            .collect()
    }

    #[test]
    fn another_status_and_a_broken_envelope_are_found_with_the_corrected_line() {
        let (_dir, model) = test_tree(&[("docs/errors.md", CONTRACT), ("src/app.ts", EXPRESS)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 2, "{:?}", summary(&findings));
        let status = &findings[0];
        let edit = status.fix[0].edit.as_ref().expect("an edit");
        assert!(
            edit.after.contains("res.status(400).json"),
            "{}",
            edit.after
        );
        assert!(
            edit.before.contains("res.status(422).json"),
            "{}",
            edit.before
        );
        let envelope = &findings[1];
        let labels: Vec<_> = envelope
            .evidence
            .iter()
            .map(|e| e.label.key.clone())
            .collect();
        assert!(
            labels.iter().any(|l| l.ends_with("wrong-type")),
            "{labels:?}"
        );
        assert!(labels.iter().any(|l| l.ends_with("missing")), "{labels:?}");
    }

    #[test]
    fn fastapi_without_a_validation_handler_answers_422_detail() {
        let app = "from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.post('/items')\ndef create(item: dict):\n    return item\n";
        let (_dir, model) = test_tree(&[("docs/errors.md", CONTRACT), ("main.py", app)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].params["framework"], "FastAPI");
        let fixed = app.replace(
            "app = FastAPI()\n",
            "app = FastAPI()\n\n@app.exception_handler(RequestValidationError)\nasync def invalid(request, exc):\n    return JSONResponse(status_code=400, content={'success': False, 'error': {'code': 'VALIDATION_ERROR', 'message': 'invalid', 'retryable': False}})\n",
        );
        let (_dir, model) = test_tree(&[("docs/errors.md", CONTRACT), ("main.py", fixed.as_str())]);
        assert!(super::run(&model).is_empty());
    }

    #[test]
    fn without_a_contract_http_semantics_decide_the_flag() {
        let app = "from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n@app.get('/x')\ndef x():\n    return jsonify({'error': {'code': 'BAD', 'retryable': True}}), 400\n";
        let (_dir, model) = test_tree(&[("app.py", app)]);
        let findings = super::run(&model);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].params["status"], "400");
    }
}
